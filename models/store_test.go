package models

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"
)

// testSecret keys the session token hashes in every test store.
const testSecret = "test-secret-test-secret-test-secret"

// openTestStore opens (but does not migrate) a fresh SQLite file under
// t.TempDir() and closes it when the test ends. Store log output goes to the
// test's own output, so it shows only with -v or on failure.
func openTestStore(t testing.TB, path string, secret string) *Store {
	t.Helper()
	return openTestStoreLog(t, path, secret, slog.LevelInfo)
}

// openTestStoreLog is openTestStore with a minimum log level, for tests that
// provoke expected warnings (slow queries while 50 writers queue up).
func openTestStoreLog(t testing.TB, path string, secret string, level slog.Level) *Store {
	t.Helper()
	s, err := Open(OpenOptions{
		SQLitePath: path,
		Secret:     secret,
		Logger:     slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: level})),
	})
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// newTestStore returns a migrated store on a fresh SQLite file.
func newTestStore(t testing.TB) *Store {
	t.Helper()
	s := openTestStore(t, filepath.Join(t.TempDir(), "kog.db"), testSecret)
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return s
}

// t0 is a fixed point in time for tests that pass `now` explicitly.
var t0 = time.Date(2025, 7, 1, 9, 30, 0, 0, time.UTC)

// count returns the number of rows of model, read through the writer so it
// sees every committed write.
func count(t testing.TB, s *Store, model any) int64 {
	t.Helper()
	var n int64
	if err := s.db.Model(model).Count(&n).Error; err != nil {
		t.Fatalf("count %T: %v", model, err)
	}
	return n
}

// mustSignIn signs an identity in and fails the test on error.
func mustSignIn(t testing.TB, s *Store, id Identity, admins ...string) *User {
	t.Helper()
	u, err := s.SignIn(context.Background(), id, admins, "192.0.2.1", t0)
	if err != nil {
		t.Fatalf("SignIn(%s|%s): %v", id.Issuer, id.Subject, err)
	}
	return u
}

func ptr[T any](v T) *T { return &v }
