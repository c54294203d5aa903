package models

import (
	"context"
	"crypto/subtle"
	"time"

	"gorm.io/gorm"
)

// LoginStateTTL is how long a started sign-in may take at the provider.
const LoginStateTTL = 10 * time.Minute

// LoginState is one sign-in in progress: the OAuth `state` (stored hashed,
// single use), the `nonce` expected in the ID token, the PKCE verifier and
// where to go afterwards. It lives server-side so nothing secret rides in
// the browser.
type LoginState struct {
	ID        string `gorm:"primaryKey;size:64"`
	Nonce     string `gorm:"size:64;not null"`
	Verifier  string `gorm:"size:128;not null"`
	Next      string `gorm:"size:500"`
	CreatedAt time.Time
	ExpiresAt time.Time `gorm:"index"`
}

// CreateLoginState stores a new sign-in attempt and returns its state value.
func (s *Store) CreateLoginState(ctx context.Context, nonce, verifier, next string, now time.Time) (string, error) {
	now = now.UTC()
	state := RandomToken(32) // 256 bit
	ls := &LoginState{ID: s.hashToken(state), Nonce: nonce, Verifier: verifier, Next: next,
		CreatedAt: now, ExpiresAt: now.Add(LoginStateTTL)}
	return state, s.w(ctx).Create(ls).Error
}

// TakeLoginState consumes the attempt for state: it is deleted whether or not
// it is still valid, so a state can be used once only. browserState is the
// copy from the browser's cookie; it must equal state, which binds the
// callback to the browser that started the sign-in.
func (s *Store) TakeLoginState(ctx context.Context, state, browserState string, now time.Time) (*LoginState, error) {
	if state == "" || subtle.ConstantTimeCompare([]byte(state), []byte(browserState)) != 1 {
		return nil, ErrNotFound
	}
	var ls LoginState
	err := s.w(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("id = ?", s.hashToken(state)).First(&ls).Error; err != nil {
			return notFound(err)
		}
		res := tx.Delete(&LoginState{}, "id = ?", ls.ID)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return ErrNotFound
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !now.Before(ls.ExpiresAt) {
		return nil, ErrNotFound
	}
	return &ls, nil
}
