package models

import (
	"context"
	"encoding/base64"
	"errors"
	"path/filepath"
	"testing"
	"time"
)

// newSession signs a user in and starts a session at t0.
func newSession(t *testing.T, s *Store, subject string) (*User, string) {
	t.Helper()
	u := mustSignIn(t, s, Identity{Issuer: issA, Subject: subject, Email: subject + "@example.org", EmailVerified: true})
	tok, _, err := s.CreateSession(context.Background(), u.ID, "", "id-token", "192.0.2.1", "Go-Test", t0)
	if err != nil {
		t.Fatal(err)
	}
	return u, tok
}

func TestCreateSessionStoresOnlyAKeyedHash(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	s := openTestStore(t, filepath.Join(dir, "kog.db"), testSecret)
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	u := mustSignIn(t, s, Identity{Issuer: issA, Subject: "s", Email: "s@example.org", EmailVerified: true})
	tok, sess, err := s.CreateSession(ctx, u.ID, "", "id-token", "192.0.2.1", "Go-Test", t0)
	if err != nil {
		t.Fatal(err)
	}
	if raw, err := base64.RawURLEncoding.DecodeString(tok); err != nil || len(raw) < 32 {
		t.Errorf("token %q carries %d bytes (%v), want ≥ 32 random bytes", tok, len(raw), err)
	}
	if sess.ID == tok || len(sess.ID) != 64 {
		t.Fatalf("session ID %q: want the 64-hex-digit hash, not the token", sess.ID)
	}
	var n int64
	if err := s.db.Model(&Session{}).Where("id = ? OR csrf_token = ? OR id_token = ?", tok, tok, tok).Count(&n).Error; err != nil || n != 0 {
		t.Fatalf("the cookie token is stored in the database (%d rows, %v)", n, err)
	}
	if sess.CSRFToken == "" || sess.CSRFToken == tok {
		t.Errorf("CSRF token %q must be set and differ from the cookie token", sess.CSRFToken)
	}

	got, err := s.SessionByToken(ctx, tok, t0.Add(time.Second))
	if err != nil {
		t.Fatalf("SessionByToken: %v", err)
	}
	if got.ID != sess.ID || got.UserID != u.ID || got.User.ID != u.ID || got.CSRFToken != sess.CSRFToken || got.IDToken != "id-token" {
		t.Errorf("SessionByToken = %+v, want the created session with its user", got)
	}

	// The hash is keyed with the secret: the same database opened with
	// another secret does not accept the token.
	other := openTestStore(t, filepath.Join(dir, "kog.db"), "another-secret-another-secret-xxx")
	if _, err := other.SessionByToken(ctx, tok, t0.Add(time.Second)); !errors.Is(err, ErrSessionExpired) {
		t.Errorf("token accepted under another secret: %v", err)
	}
	if n, _ := s.CountSessions(ctx, u.ID); n != 1 {
		t.Errorf("%d sessions, want 1", n)
	}
}

func TestSessionByTokenRefuses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newTestStore(t)
	_, tok := newSession(t, s, "u")
	for _, bad := range []string{"", "unknown-token", tok + "x", tok[:len(tok)-1]} {
		if _, err := s.SessionByToken(ctx, bad, t0); !errors.Is(err, ErrSessionExpired) {
			t.Errorf("SessionByToken(%q) = %v, want ErrSessionExpired", bad, err)
		}
	}
	if _, err := s.SessionByToken(ctx, tok, t0); err != nil {
		t.Errorf("the real token was refused after the bad ones: %v", err)
	}
}

func TestSessionIdleTimeout(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cases := []struct {
		name  string
		after time.Duration
		alive bool
	}{
		{"just before the idle end", SessionIdleTimeout - time.Second, true},
		{"at the idle end", SessionIdleTimeout, false},
		{"long after", 48 * time.Hour, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestStore(t)
			u, tok := newSession(t, s, "idle")
			_, err := s.SessionByToken(ctx, tok, t0.Add(tc.after))
			n, _ := s.CountSessions(ctx, u.ID)
			if tc.alive {
				if err != nil || n != 1 {
					t.Fatalf("SessionByToken = %v with %d rows; want alive", err, n)
				}
				return
			}
			if !errors.Is(err, ErrSessionExpired) {
				t.Fatalf("SessionByToken = %v, want ErrSessionExpired", err)
			}
			if n != 0 {
				t.Errorf("expired session row kept (%d rows)", n)
			}
		})
	}

	t.Run("a request extends the idle end", func(t *testing.T) {
		s := newTestStore(t)
		_, tok := newSession(t, s, "active")
		at := t0
		for range 5 { // 5 × 50 min > idle timeout, each gap below it
			at = at.Add(50 * time.Minute)
			sess, err := s.SessionByToken(ctx, tok, at)
			if err != nil {
				t.Fatalf("at %v: %v", at.Sub(t0), err)
			}
			if !sess.IdleExpiresAt().Equal(at.Add(SessionIdleTimeout)) {
				t.Fatalf("IdleExpiresAt = %v, want %v", sess.IdleExpiresAt(), at.Add(SessionIdleTimeout))
			}
		}
	})

	t.Run("TouchSession extends the idle end", func(t *testing.T) {
		s := newTestStore(t)
		_, tok := newSession(t, s, "touch")
		sess, err := s.SessionByToken(ctx, tok, t0)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.TouchSession(ctx, sess, t0.Add(30*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SessionByToken(ctx, tok, t0.Add(SessionIdleTimeout+time.Minute)); err != nil {
			t.Errorf("after TouchSession: %v, want alive", err)
		}
	})
}

func TestSessionAbsoluteTimeout(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newTestStore(t)
	u, tok := newSession(t, s, "abs")
	at := t0
	for at.Before(t0.Add(SessionAbsoluteTimeout)) {
		sess, err := s.SessionByToken(ctx, tok, at)
		if err != nil {
			t.Fatalf("at %v: %v, want alive until %v", at.Sub(t0), err, SessionAbsoluteTimeout)
		}
		if end := sess.IdleExpiresAt(); end.After(t0.Add(SessionAbsoluteTimeout)) {
			t.Fatalf("IdleExpiresAt %v is past the absolute end", end.Sub(t0))
		}
		at = at.Add(30 * time.Minute)
	}
	if _, err := s.SessionByToken(ctx, tok, at); !errors.Is(err, ErrSessionExpired) {
		t.Fatalf("at %v: %v, want ErrSessionExpired", at.Sub(t0), err)
	}
	if n, _ := s.CountSessions(ctx, u.ID); n != 0 {
		t.Errorf("%d rows left after the absolute end", n)
	}
}

func TestCreateSessionReplacesPrevious(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newTestStore(t)
	u, old := newSession(t, s, "re")
	fresh, _, err := s.CreateSession(ctx, u.ID, old, "", "", "", t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if fresh == old {
		t.Fatal("sign-in kept the session token")
	}
	if _, err := s.SessionByToken(ctx, old, t0.Add(2*time.Minute)); !errors.Is(err, ErrSessionExpired) {
		t.Errorf("previous session: %v, want ErrSessionExpired", err)
	}
	if _, err := s.SessionByToken(ctx, fresh, t0.Add(2*time.Minute)); err != nil {
		t.Errorf("new session: %v", err)
	}
	// A planted, unknown cookie is simply replaced.
	planted := "attacker-chosen-value"
	tok, _, err := s.CreateSession(ctx, u.ID, planted, "", "", "", t0)
	if err != nil || tok == planted {
		t.Fatalf("CreateSession with a planted cookie = %q, %v", tok, err)
	}
	if _, err := s.SessionByToken(ctx, planted, t0); !errors.Is(err, ErrSessionExpired) {
		t.Errorf("planted cookie accepted: %v", err)
	}
	if n, _ := s.CountSessions(ctx, u.ID); n != 2 {
		t.Errorf("%d sessions, want 2 (fresh and the last one)", n)
	}
}

func TestSessionOfDisabledUserRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newTestStore(t)
	u, tok := newSession(t, s, "locked")
	// Disabled behind the session's back (SetUserDisabled would also delete
	// the sessions): the lookup itself must refuse.
	if err := s.db.Model(&User{}).Where("id = ?", u.ID).Update("disabled", true).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := s.SessionByToken(ctx, tok, t0.Add(time.Second)); !errors.Is(err, ErrSessionExpired) {
		t.Fatalf("session of a disabled user: %v, want ErrSessionExpired", err)
	}
	if n, _ := s.CountSessions(ctx, u.ID); n != 0 {
		t.Errorf("%d rows kept, want 0", n)
	}
}

func TestDeleteSessionAudits(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newTestStore(t)
	u, tok := newSession(t, s, "bye")
	sess, err := s.SessionByToken(ctx, tok, t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSession(ctx, sess, "192.0.2.5"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SessionByToken(ctx, tok, t0); !errors.Is(err, ErrSessionExpired) {
		t.Errorf("after sign-out: %v, want ErrSessionExpired", err)
	}
	if es := auditOf(t, s, u.ID, AuditLogout); len(es) != 1 || es[0].IP != "192.0.2.5" {
		t.Errorf("logout audit = %+v, want one entry from 192.0.2.5", es)
	}
}

func TestPurgeExpiredSessions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newTestStore(t)
	u, _ := newSession(t, s, "purge") // created at t0
	now := t0.Add(SessionIdleTimeout + time.Minute)
	if _, _, err := s.CreateSession(ctx, u.ID, "", "", "", "", now.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateLoginState(ctx, "n", "v", "/", t0); err != nil {
		t.Fatal(err)
	}
	live, err := s.CreateLoginState(ctx, "n", "v", "/", now.Add(-time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PurgeExpiredSessions(ctx, now); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.CountSessions(ctx, u.ID); n != 1 {
		t.Errorf("%d sessions after purge, want 1 (the idle one goes)", n)
	}
	if n := count(t, s, &LoginState{}); n != 1 {
		t.Errorf("%d login states after purge, want 1", n)
	}
	if _, err := s.TakeLoginState(ctx, live, live, now); err != nil {
		t.Errorf("live login state purged: %v", err)
	}
}

func TestLoginState(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	create := func(t *testing.T, s *Store) string {
		t.Helper()
		state, err := s.CreateLoginState(ctx, "the-nonce", "the-verifier", "/sitzungen/3", t0)
		if err != nil {
			t.Fatal(err)
		}
		return state
	}

	t.Run("state is random, ≥128 bit and stored hashed", func(t *testing.T) {
		s := newTestStore(t)
		a, b := create(t, s), create(t, s)
		if a == b {
			t.Fatal("two sign-ins got the same state")
		}
		raw, err := base64.RawURLEncoding.DecodeString(a)
		if err != nil || len(raw) < 16 {
			t.Fatalf("state %q decodes to %d bytes (%v), want ≥ 16", a, len(raw), err)
		}
		var n int64
		s.db.Model(&LoginState{}).Where("id IN ?", []string{a, b}).Count(&n)
		if n != 0 {
			t.Error("the state is stored in clear")
		}
	})

	t.Run("taken once", func(t *testing.T) {
		s := newTestStore(t)
		state := create(t, s)
		ls, err := s.TakeLoginState(ctx, state, state, t0.Add(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if ls.Nonce != "the-nonce" || ls.Verifier != "the-verifier" || ls.Next != "/sitzungen/3" {
			t.Errorf("TakeLoginState = %+v", ls)
		}
		if _, err := s.TakeLoginState(ctx, state, state, t0.Add(time.Minute)); !errors.Is(err, ErrNotFound) {
			t.Errorf("second take: %v, want ErrNotFound", err)
		}
		if n := count(t, s, &LoginState{}); n != 0 {
			t.Errorf("%d login states left", n)
		}
	})

	refusals := []struct {
		name           string
		state, browser func(state string) string
		at             time.Duration
	}{
		{"wrong browser state", func(s string) string { return s }, func(string) string { return "other" }, time.Minute},
		{"no browser state", func(s string) string { return s }, func(string) string { return "" }, time.Minute},
		{"unknown state", func(string) string { return "unknown" }, func(string) string { return "unknown" }, time.Minute},
		{"empty state", func(string) string { return "" }, func(string) string { return "" }, time.Minute},
		{"expired", func(s string) string { return s }, func(s string) string { return s }, LoginStateTTL},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestStore(t)
			state := create(t, s)
			if _, err := s.TakeLoginState(ctx, tc.state(state), tc.browser(state), t0.Add(tc.at)); !errors.Is(err, ErrNotFound) {
				t.Fatalf("TakeLoginState = %v, want ErrNotFound", err)
			}
		})
	}

	t.Run("expired state is consumed too", func(t *testing.T) {
		s := newTestStore(t)
		state := create(t, s)
		if _, err := s.TakeLoginState(ctx, state, state, t0.Add(LoginStateTTL)); !errors.Is(err, ErrNotFound) {
			t.Fatal(err)
		}
		if n := count(t, s, &LoginState{}); n != 0 {
			t.Errorf("expired login state kept (%d rows)", n)
		}
	})
	t.Run("just before the end", func(t *testing.T) {
		s := newTestStore(t)
		state := create(t, s)
		if _, err := s.TakeLoginState(ctx, state, state, t0.Add(LoginStateTTL-time.Second)); err != nil {
			t.Fatal(err)
		}
	})
}
