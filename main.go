// Command kog runs the KoG-Portal, the collaboration portal of the
// Kommunalgremium of Germany's IT-Planungsrat.
//
//	kog [serve]       run the portal (default)
//	kog migrate       bring the database schema to head
//	kog seed --demo   fill an empty database with the demo committee
//	kog healthcheck   exit 0 when the running portal answers /healthz (Docker)
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"kogportal/app"
	"kogportal/config"
	"kogportal/models"
)

func main() { os.Exit(run(os.Args[1:])) }

func run(args []string) int {
	cfg, err := config.Load()
	if err == nil {
		err = cfg.Validate()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "Konfiguration ungültig:\n%v\n", err)
		return 2
	}
	log := newLogger(cfg)
	cmd := "serve"
	if len(args) > 0 {
		cmd = args[0]
	}
	if cmd == "healthcheck" {
		return healthcheck(cfg)
	}
	store, err := models.Open(models.OpenOptions{DatabaseURL: cfg.DatabaseURL, SQLitePath: cfg.SQLitePath(), Secret: cfg.SessionSecret, Logger: log})
	if err != nil {
		log.Error("Datenbank kann nicht geöffnet werden", "err", err)
		return 1
	}
	defer store.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	switch cmd {
	case "migrate":
		err = store.Migrate(ctx)
	case "seed":
		if len(args) < 2 || args[1] != "--demo" {
			fmt.Fprintln(os.Stderr, "Aufruf: kog seed --demo")
			return 2
		}
		err = seed(ctx, store, log)
	case "serve":
		err = serve(ctx, cfg, store, log)
	default:
		fmt.Fprintf(os.Stderr, "Unbekannter Befehl %q. Befehle: serve, migrate, seed --demo, healthcheck\n", cmd)
		return 2
	}
	if err != nil {
		log.Error("Abbruch", "command", cmd, "err", err)
		return 1
	}
	return 0
}

func seed(ctx context.Context, store *models.Store, log *slog.Logger) error {
	if err := store.Migrate(ctx); err != nil {
		return err
	}
	n, err := store.SeedDemo(ctx)
	if err != nil {
		return err
	}
	log.Info("Demo-Daten eingespielt", "neue_datensaetze", n)
	return nil
}

// serve migrates, seeds an empty development database, starts the built-in
// OpenID provider when no real one is configured, and runs the portal.
func serve(ctx context.Context, cfg *config.Config, store *models.Store, log *slog.Logger) error {
	if err := store.Migrate(ctx); err != nil {
		return err
	}
	if !cfg.IsProduction() {
		if empty, err := store.IsEmpty(ctx); err != nil {
			return err
		} else if empty {
			if err := seed(ctx, store, log); err != nil {
				return err
			}
		}
	}
	auth := app.NewAuthenticator(cfg.OIDCIssuer, cfg.OIDCClientID, cfg.OIDCClientSecret, cfg.BaseURL).MapGroups(cfg.GroupRoles)
	if cfg.UseDevProvider() {
		if cfg.IsProduction() {
			return errors.New("der Entwicklungs-Anmeldedienst ist im Produktivbetrieb abgeschaltet")
		}
		dev, err := app.StartDevProvider(app.DevProviderAddr(cfg.Addr), cfg.BaseURL)
		if err != nil {
			return fmt.Errorf("Entwicklungs-Anmeldedienst: %w", err)
		}
		defer dev.Close()
		log.Info("Entwicklungs-Anmeldedienst läuft", "issuer", dev.Issuer())
		auth = app.NewAuthenticator(dev.Issuer(), app.DevClientID, app.DevClientSecret, cfg.BaseURL).MapGroups(cfg.GroupRoles)
	}
	files, err := models.NewFileStore(filepath.Join(cfg.DataDir, "anhaenge"), models.MaxUploadBytes)
	if err != nil {
		return err
	}
	srv, err := app.New(app.Options{Config: cfg, Store: store, Auth: auth, Files: files, Logger: log})
	if err != nil {
		return err
	}
	go purgeSessions(ctx, store, log)
	log.Info("KoG-Portal läuft", "url", cfg.BaseURL, "addr", cfg.Addr, "env", cfg.Env)
	return srv.Serve(ctx, cfg.Addr)
}

// purgeSessions deletes ended sessions and abandoned sign-ins every ten
// minutes, so the tables do not grow without bound.
func purgeSessions(ctx context.Context, store *models.Store, log *slog.Logger) {
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			if err := store.PurgeExpiredSessions(ctx, now); err != nil {
				log.Error("Sitzungen aufräumen", "err", err)
			}
		}
	}
}

// healthcheck asks the local portal for /healthz; the container image has no
// curl, so the binary checks itself.
func healthcheck(cfg *config.Config) int {
	_, port, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return 1
	}
	client := &http.Client{Timeout: 3 * time.Second}
	resp, err := client.Get("http://" + net.JoinHostPort("127.0.0.1", port) + "/healthz")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 1
	}
	return 0
}

func newLogger(cfg *config.Config) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewTextHandler(os.Stderr, opts)
	if cfg.LogFormat == "json" || cfg.IsProduction() {
		h = slog.NewJSONHandler(os.Stderr, opts)
	}
	l := slog.New(h)
	slog.SetDefault(l)
	return l
}
