// Package app is the portal's HTTP layer: Fiber handlers, middleware and
// rendering. Handlers parse, ask models/policy.go, call Store methods and
// render; they never touch the database themselves.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/compress"
	"github.com/gofiber/fiber/v2/middleware/requestid"
	"github.com/gofiber/template/html/v2"

	"kogportal/config"
	"kogportal/models"
	"kogportal/views"
)

// Options are the dependencies of a Server. Nothing is global: tests build as
// many independent servers as they like.
type Options struct {
	Config *config.Config
	Store  *models.Store
	Auth   *Authenticator
	// Files stores uploaded attachments outside static/.
	Files  *models.FileStore
	Logger *slog.Logger
	// Now is the clock; tests move it to check timeouts. Default time.Now.
	Now func() time.Time
	// LoginRateLimit is the number of sign-in requests per minute and client
	// IP. Default 30 in production; 600 in development, where the browser
	// tests sign in many times from one address.
	LoginRateLimit int
}

// Server is the portal: configuration, store and authenticator travel here.
type Server struct {
	cfg            *config.Config
	store          *models.Store
	auth           *Authenticator
	files          *models.FileStore
	log            *slog.Logger
	now            func() time.Time
	app            *fiber.App
	views          *html.Engine
	loginRateLimit int
}

// Request body limit. Uploads arrive with later features; 10 MiB covers them.
const bodyLimit = 10 << 20

// New builds the Fiber application with every middleware and route.
func New(o Options) (*Server, error) {
	if o.Config == nil || o.Store == nil || o.Auth == nil || o.Files == nil {
		return nil, errors.New("app.New: Config, Store, Auth und Files sind nötig")
	}
	s := &Server{cfg: o.Config, store: o.Store, auth: o.Auth, files: o.Files, log: o.Logger, now: o.Now, loginRateLimit: o.LoginRateLimit}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.loginRateLimit <= 0 {
		s.loginRateLimit = 30
		if !s.cfg.IsProduction() {
			s.loginRateLimit = 600
		}
	}
	engine := s.viewEngine()
	s.views = engine
	s.app = fiber.New(fiber.Config{
		AppName:                 "KoG-Portal",
		Immutable:               true,
		Views:                   engine,
		ErrorHandler:            s.handleError,
		BodyLimit:               bodyLimit,
		ReadTimeout:             15 * time.Second,
		WriteTimeout:            30 * time.Second,
		IdleTimeout:             120 * time.Second,
		EnableTrustedProxyCheck: true,
		TrustedProxies:          s.cfg.TrustedProxies,
		ProxyHeader:             "X-Real-IP",
		DisableStartupMessage:   true,
	})
	s.app.Use(s.recoverPanic)
	s.app.Use(requestid.New())
	s.app.Use(s.securityHeaders)
	s.app.Use(s.logRequests)
	s.app.Use(compress.New(compress.Config{Level: compress.LevelDefault}))
	s.routes()
	return s, nil
}

// App exposes the Fiber app (tests use App().Test and GetRoutes).
func (s *Server) App() *fiber.App { return s.app }

// Serve listens on addr until ctx ends, then drains open requests for up to
// ten seconds (SIGTERM from the container runtime cancels ctx).
func (s *Server) Serve(ctx context.Context, addr string) error {
	errc := make(chan error, 1)
	go func() { errc <- s.app.Listen(addr) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		s.log.Info("Server fährt herunter")
		return s.app.ShutdownWithTimeout(10 * time.Second)
	}
}

// viewEngine parses templates once from the embedded files; in development
// with a views/ folder at hand it re-reads them on every render instead.
func (s *Server) viewEngine() *html.Engine {
	var engine *html.Engine
	if st, err := os.Stat("views/layouts"); err == nil && st.IsDir() && !s.cfg.IsProduction() {
		engine = html.New("./views", ".html")
		engine.Reload(true)
	} else {
		engine = html.NewFileSystem(http.FS(views.FS), ".html")
	}
	engine.AddFuncMap(templateFuncs())
	return engine
}

// logRequests writes one slog line per request after it completed.
func (s *Server) logRequests(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	status := c.Response().StatusCode()
	if err != nil {
		var fe *fiber.Error
		if errors.As(err, &fe) {
			status = fe.Code
		}
	}
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	if !strings.HasPrefix(c.Path(), "/static/") || status >= 400 {
		s.log.Log(c.UserContext(), level, "request", "method", c.Method(), "path", c.Path(), "status", status,
			"duration_ms", time.Since(start).Milliseconds(), "ip", c.IP(), "request_id", requestID(c))
	}
	return err
}

// recoverPanic turns a panic in a handler into a logged 500 with a request
// ID; the client never sees the panic value or a stack trace.
func (s *Server) recoverPanic(c *fiber.Ctx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("panic", "value", fmt.Sprint(r), "stack", string(debug.Stack()), "request_id", requestID(c))
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return c.Next()
}

func requestID(c *fiber.Ctx) string {
	if v, ok := c.Locals("requestid").(string); ok {
		return v
	}
	return ""
}
