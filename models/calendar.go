package models

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

// CalendarFeed is a user's personal calendar subscription. The secret URL
// is derived from the user, a version and the server secret, so it can be
// shown again without being stored; revoking or regenerating raises the
// version and every older URL stops working.
type CalendarFeed struct {
	UserID    uint `gorm:"primaryKey;autoIncrement:false"`
	Version   int  `gorm:"not null"`
	Active    bool `gorm:"not null"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (s *Store) feedToken(userID uint, version int) string {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte("kalender|" + strconv.FormatUint(uint64(userID), 10) + "|" + strconv.Itoa(version)))
	return strconv.FormatUint(uint64(userID), 10) + "-" + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// CalendarToken returns the user's current feed token, or "" when the user
// has none (never created or revoked).
func (s *Store) CalendarToken(ctx context.Context, userID uint) (string, error) {
	var f CalendarFeed
	err := s.r(ctx).Where("user_id = ?", userID).First(&f).Error
	if errors.Is(err, gorm.ErrRecordNotFound) || (err == nil && !f.Active) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return s.feedToken(userID, f.Version), nil
}

// RenewCalendarToken creates the feed or replaces its URL by a new one.
func (s *Store) RenewCalendarToken(ctx context.Context, userID uint) (string, error) {
	var f CalendarFeed
	err := s.w(ctx).Transaction(func(tx *gorm.DB) error {
		err := tx.Where("user_id = ?", userID).First(&f).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			f = CalendarFeed{UserID: userID, Version: 1, Active: true}
			return tx.Create(&f).Error
		} else if err != nil {
			return err
		}
		f.Version++
		f.Active = true
		return tx.Save(&f).Error
	})
	if err != nil {
		return "", err
	}
	return s.feedToken(userID, f.Version), nil
}

// RevokeCalendarToken ends the feed; its URL answers 404 from now on.
func (s *Store) RevokeCalendarToken(ctx context.Context, userID uint) error {
	return s.w(ctx).Model(&CalendarFeed{}).Where("user_id = ?", userID).
		Updates(map[string]any{"active": false, "version": gorm.Expr("version + 1")}).Error
}

// UserByCalendarToken finds the active, enabled user a feed token belongs
// to, with the effective role of today.
func (s *Store) UserByCalendarToken(ctx context.Context, token string, now time.Time) (*User, error) {
	idPart, _, ok := strings.Cut(token, "-")
	id, err := strconv.ParseUint(idPart, 10, 64)
	if !ok || err != nil {
		return nil, ErrNotFound
	}
	want, err := s.CalendarToken(ctx, uint(id))
	if err != nil {
		return nil, err
	}
	if want == "" || !hmac.Equal([]byte(want), []byte(token)) {
		return nil, ErrNotFound
	}
	u, err := s.User(ctx, uint(id))
	if err != nil || u.Disabled {
		return nil, ErrNotFound
	}
	if u.Role, err = s.EffectiveRole(ctx, u, now); err != nil {
		return nil, err
	}
	return u, nil
}
