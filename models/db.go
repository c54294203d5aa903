package models

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Store is the portal's data access: every query lives in a Store method.
//
// SQLite allows one writer at a time. Instead of letting writers collide and
// retry on SQLITE_BUSY, all writes go through a pool of exactly one connection
// whose transactions start with BEGIN IMMEDIATE; reads use a separate
// read-only pool and never wait for a writer (WAL).
type Store struct {
	db      *gorm.DB // writer: one connection on SQLite
	ro      *gorm.DB // readers: read-only pool on SQLite, the same pool on PostgreSQL
	dialect string
	secret  []byte // keys the session token hashes
}

// OpenOptions says which database to open.
type OpenOptions struct {
	// DatabaseURL is a postgres:// DSN; empty selects SQLite at SQLitePath.
	DatabaseURL string
	SQLitePath  string
	// Secret keys the hashes of session tokens kept in the database.
	Secret string
	Logger *slog.Logger
}

// Pragmas every SQLite connection must carry; the test checks them on each
// pooled connection.
const sqlitePragmas = "_journal_mode=WAL&_synchronous=FULL&_foreign_keys=on&_busy_timeout=5000"

// Open connects to the database. It does not migrate: see Migrate.
func Open(opts OpenOptions) (*Store, error) {
	// Timestamps are written in UTC: SQLite compares stored times as text,
	// so every value must carry the same offset.
	gcfg := &gorm.Config{Logger: newGormLogger(opts.Logger), TranslateError: true,
		NowFunc: func() time.Time { return time.Now().UTC() }}
	s := &Store{secret: []byte(opts.Secret)}
	if opts.DatabaseURL != "" {
		db, err := gorm.Open(postgres.Open(opts.DatabaseURL), gcfg)
		if err != nil {
			return nil, fmt.Errorf("PostgreSQL nicht erreichbar: %w", err)
		}
		s.db, s.ro, s.dialect = db, db, "postgres"
		return s, nil
	}
	if dir := filepath.Dir(opts.SQLitePath); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("Datenverzeichnis %s kann nicht angelegt werden: %w", dir, err)
		}
	}
	path := (&url.URL{Scheme: "file", Opaque: opts.SQLitePath}).String()
	w, err := gorm.Open(sqlite.Open(path+"?"+sqlitePragmas+"&_txlock=immediate"), gcfg)
	if err != nil {
		return nil, err
	}
	wdb, err := w.DB()
	if err != nil {
		return nil, err
	}
	wdb.SetMaxOpenConns(1)
	wdb.SetMaxIdleConns(1)
	wdb.SetConnMaxLifetime(0)
	if err := wdb.Ping(); err != nil { // creates the file and switches it to WAL
		return nil, err
	}
	r, err := gorm.Open(sqlite.Open(path+"?mode=ro&"+sqlitePragmas), gcfg)
	if err != nil {
		return nil, err
	}
	rdb, err := r.DB()
	if err != nil {
		return nil, err
	}
	rdb.SetMaxOpenConns(8)
	rdb.SetMaxIdleConns(8)
	s.db, s.ro, s.dialect = w, r, "sqlite"
	return s, nil
}

// Close releases both pools.
func (s *Store) Close() error {
	for _, g := range []*gorm.DB{s.db, s.ro} {
		if sqlDB, err := g.DB(); err == nil {
			_ = sqlDB.Close()
		}
		if s.db == s.ro {
			break
		}
	}
	return nil
}

// Dialect is "sqlite" or "postgres".
func (s *Store) Dialect() string { return s.dialect }

// Ping checks that both pools answer.
func (s *Store) Ping(ctx context.Context) error {
	for _, g := range []*gorm.DB{s.db, s.ro} {
		sqlDB, err := g.DB()
		if err != nil {
			return err
		}
		if err := sqlDB.PingContext(ctx); err != nil {
			return err
		}
	}
	return nil
}

// w returns the writer bound to ctx; r the reader.
func (s *Store) w(ctx context.Context) *gorm.DB { return s.db.WithContext(ctx) }
func (s *Store) r(ctx context.Context) *gorm.DB { return s.ro.WithContext(ctx) }

// gormLogger sends slow queries and errors to slog, never to the client.
type gormLogger struct {
	log   *slog.Logger
	level logger.LogLevel
}

func newGormLogger(l *slog.Logger) logger.Interface {
	if l == nil {
		l = slog.Default()
	}
	return &gormLogger{log: l, level: logger.Warn}
}

func (g *gormLogger) LogMode(level logger.LogLevel) logger.Interface {
	return &gormLogger{log: g.log, level: level}
}
func (g *gormLogger) Info(ctx context.Context, msg string, args ...any) {
	if g.level >= logger.Info {
		g.log.InfoContext(ctx, fmt.Sprintf(msg, args...))
	}
}
func (g *gormLogger) Warn(ctx context.Context, msg string, args ...any) {
	if g.level >= logger.Warn {
		g.log.WarnContext(ctx, fmt.Sprintf(msg, args...))
	}
}
func (g *gormLogger) Error(ctx context.Context, msg string, args ...any) {
	if g.level >= logger.Error {
		g.log.ErrorContext(ctx, fmt.Sprintf(msg, args...))
	}
}
func (g *gormLogger) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	elapsed := time.Since(begin)
	switch {
	case err != nil && g.level >= logger.Error && !isNotFound(err):
		sql, _ := fc()
		g.log.ErrorContext(ctx, "db error", "err", err, "sql", truncate(sql, 500), "elapsed", elapsed)
	case elapsed > 500*time.Millisecond && g.level >= logger.Warn:
		sql, _ := fc()
		g.log.WarnContext(ctx, "slow query", "sql", truncate(sql, 500), "elapsed", elapsed)
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func isNotFound(err error) bool {
	return err == gorm.ErrRecordNotFound || strings.Contains(err.Error(), "record not found")
}
