package models

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"time"

	"gorm.io/gorm"
)

// Session lifetimes: a session ends after SessionIdleTimeout without a
// request, and in any case SessionAbsoluteTimeout after sign-in.
const (
	SessionIdleTimeout     = 60 * time.Minute
	SessionAbsoluteTimeout = 12 * time.Hour
	// SessionWarning is how long before the idle end the page warns.
	SessionWarning = 5 * time.Minute
	// touchInterval limits LastSeenAt writes to one per minute per session.
	touchInterval = time.Minute
)

// Session is a signed-in browser. The cookie carries a random token; the
// database keeps only its keyed hash (ID), so a copy of the database does not
// yield usable cookies. ID tokens stay here, never in the browser.
type Session struct {
	ID         string `gorm:"primaryKey;size:64"`
	UserID     uint   `gorm:"not null;index"`
	User       User   `gorm:"constraint:OnDelete:CASCADE"`
	CSRFToken  string `gorm:"size:64;not null"`
	IDToken    string `gorm:"type:text"`
	IP         string `gorm:"size:64"`
	UserAgent  string `gorm:"size:255"`
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time `gorm:"index"`
}

// IdleExpiresAt is when the session ends if no further request comes.
func (s *Session) IdleExpiresAt() time.Time {
	idle := s.LastSeenAt.Add(SessionIdleTimeout)
	if s.ExpiresAt.Before(idle) {
		return s.ExpiresAt
	}
	return idle
}

// RandomToken returns n random bytes, URL-safe encoded.
func RandomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashToken keys a bearer token with the session secret for storage.
func (s *Store) hashToken(token string) string {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte(token))
	return hex.EncodeToString(m.Sum(nil))
}

// CreateSession starts a session for user and returns the cookie token. Any
// session the browser had before (previous) is deleted: a sign-in always gets
// a fresh ID, so a planted cookie is never adopted.
func (s *Store) CreateSession(ctx context.Context, userID uint, previous, idToken, ip, ua string, now time.Time) (string, *Session, error) {
	now = now.UTC()
	token := RandomToken(32)
	sess := &Session{
		ID: s.hashToken(token), UserID: userID, CSRFToken: RandomToken(32), IDToken: idToken,
		IP: ip, UserAgent: truncate(ua, 250), CreatedAt: now, LastSeenAt: now,
		ExpiresAt: now.Add(SessionAbsoluteTimeout),
	}
	err := s.w(ctx).Transaction(func(tx *gorm.DB) error {
		if previous != "" {
			if err := tx.Delete(&Session{}, "id = ?", s.hashToken(previous)).Error; err != nil {
				return err
			}
		}
		return tx.Create(sess).Error
	})
	if err != nil {
		return "", nil, err
	}
	return token, sess, nil
}

// SessionByToken returns the live session and its user for a cookie token.
// Unknown, expired, idle or disabled sessions give ErrSessionExpired. The
// returned User.Role is the effective role on that day: the assigned role,
// raised by the user's current memberships (see EffectiveRole).
func (s *Store) SessionByToken(ctx context.Context, token string, now time.Time) (*Session, error) {
	if token == "" {
		return nil, ErrSessionExpired
	}
	var sess Session
	err := s.r(ctx).Preload("User").Where("id = ?", s.hashToken(token)).First(&sess).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrSessionExpired
	} else if err != nil {
		return nil, err
	}
	if !now.Before(sess.IdleExpiresAt()) || sess.User.Disabled {
		_ = s.w(ctx).Delete(&Session{}, "id = ?", sess.ID).Error
		return nil, ErrSessionExpired
	}
	if sess.User.Role, err = s.EffectiveRole(ctx, &sess.User, now); err != nil {
		return nil, err
	}
	now = now.UTC()
	if now.Sub(sess.LastSeenAt) >= touchInterval {
		sess.LastSeenAt = now
		if err := s.w(ctx).Model(&Session{}).Where("id = ?", sess.ID).Update("last_seen_at", now).Error; err != nil {
			return nil, err
		}
	}
	return &sess, nil
}

// TouchSession extends the idle timeout now (the "Sitzung verlängern" button).
func (s *Store) TouchSession(ctx context.Context, sess *Session, now time.Time) error {
	now = now.UTC()
	sess.LastSeenAt = now
	return s.w(ctx).Model(&Session{}).Where("id = ?", sess.ID).Update("last_seen_at", now).Error
}

// DeleteSession ends one session (sign-out) and records it.
func (s *Store) DeleteSession(ctx context.Context, sess *Session, ip string) error {
	return s.w(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Delete(&Session{}, "id = ?", sess.ID).Error; err != nil {
			return err
		}
		return audit(tx, AuditEntry{ActorID: &sess.UserID, TargetUserID: &sess.UserID, Action: AuditLogout, IP: ip})
	})
}

// CountSessions counts the live sessions of a user (admin page, tests).
func (s *Store) CountSessions(ctx context.Context, userID uint) (int64, error) {
	var n int64
	err := s.r(ctx).Model(&Session{}).Where("user_id = ?", userID).Count(&n).Error
	return n, err
}

// PurgeExpiredSessions deletes sessions and login states past their end.
func (s *Store) PurgeExpiredSessions(ctx context.Context, now time.Time) error {
	now = now.UTC()
	if err := s.w(ctx).Where("expires_at < ? OR last_seen_at < ?", now, now.Add(-SessionIdleTimeout)).Delete(&Session{}).Error; err != nil {
		return err
	}
	return s.w(ctx).Where("expires_at < ?", now).Delete(&LoginState{}).Error
}
