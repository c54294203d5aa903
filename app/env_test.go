package app

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"kogportal/config"
	"kogportal/models"
)

// testBase is the portal's URL in tests: https, so cookies get the __Host-
// prefix and the Secure flag exactly as in production.
const testBase = "https://portal.test"

// testEnv is one portal with its own SQLite file and its own in-process
// development OpenID provider; requests run through the real Fiber stack.
type testEnv struct {
	t     *testing.T
	cfg   *config.Config
	store *models.Store
	dev   *DevProvider
	srv   *Server
	mu    sync.Mutex
	clock time.Time
}

type envOption func(*config.Config, *Options)

func newEnv(t *testing.T, opts ...envOption) *testEnv {
	t.Helper()
	dev, err := StartDevProvider("127.0.0.1:0", testBase)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = dev.Close() })
	dir := t.TempDir()
	cfg := &config.Config{Env: config.EnvDevelopment, Addr: "127.0.0.1:0", BaseURL: testBase, DataDir: dir,
		SessionSecret: "test-secret-0123456789-0123456789-abcdef", OIDCIssuer: dev.Issuer(),
		OIDCClientID: DevClientID, OIDCClientSecret: DevClientSecret, AdminSubjects: []string{"admin@kog.example"},
		LogFormat: "text", LogLevel: "error"}
	store, err := models.Open(models.OpenOptions{SQLitePath: filepath.Join(dir, "kog.db"), Secret: cfg.SessionSecret})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	if err := store.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	e := &testEnv{t: t, cfg: cfg, store: store, dev: dev, clock: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
	files, err := models.NewFileStore(filepath.Join(dir, "anhaenge"), models.MaxUploadBytes)
	if err != nil {
		t.Fatal(err)
	}
	o := Options{Config: cfg, Store: store, Files: files, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now: e.now, LoginRateLimit: 10000}
	for _, opt := range opts {
		opt(cfg, &o)
	}
	if o.Auth == nil {
		o.Auth = NewAuthenticator(cfg.OIDCIssuer, cfg.OIDCClientID, cfg.OIDCClientSecret, cfg.BaseURL).MapGroups(cfg.GroupRoles)
	}
	srv, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	e.srv = srv
	return e
}

func (e *testEnv) now() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.clock
}

func (e *testEnv) advance(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.clock = e.clock.Add(d)
}

// seed loads the demo committee and demo invitations.
func (e *testEnv) seed() {
	e.t.Helper()
	if _, err := e.store.SeedDemoAt(context.Background(), e.now()); err != nil {
		e.t.Fatal(err)
	}
}

// browser keeps cookies like a browser would for one site.
type browser struct {
	env     *testEnv
	cookies map[string]*http.Cookie
}

func (e *testEnv) browser() *browser { return &browser{env: e, cookies: map[string]*http.Cookie{}} }

// do runs a request against the portal (in memory, real middleware stack).
func (b *browser) do(req *http.Request) *http.Response {
	b.env.t.Helper()
	for _, c := range b.cookies {
		req.AddCookie(c)
	}
	if req.Header.Get("X-Real-IP") == "" {
		req.RemoteAddr = "192.0.2.10:1234"
	}
	resp, err := b.env.srv.App().Test(req, -1)
	if err != nil {
		b.env.t.Fatal(err)
	}
	for _, c := range resp.Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c
		}
	}
	return resp
}

func (b *browser) get(path string) *http.Response {
	return b.do(newReq(http.MethodGet, path, nil))
}

// post sends a form; csrf "" sends none.
func (b *browser) post(path string, form url.Values) *http.Response {
	req := newReq(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// csrf reads the session's token from a page, as a form would carry it.
func (b *browser) csrf() string {
	b.env.t.Helper()
	m := csrfField.FindStringSubmatch(body(b.env.t, b.get("/")))
	if m == nil {
		b.env.t.Fatal("no CSRF token on the start page")
	}
	return m[1]
}

// provider follows one request to the provider without following redirects.
func provider(t *testing.T, raw string) *http.Response {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(raw)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// startLogin runs /auth/login and the provider's authorize step and returns
// the callback path the provider sends the browser to.
func (b *browser) startLogin(email string) string {
	t := b.env.t
	t.Helper()
	resp := b.get("/auth/login?login_hint=" + url.QueryEscape(email) + "&next=/gremium")
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: status %d, want 303: %s", resp.StatusCode, body(t, resp))
	}
	auth := provider(t, resp.Header.Get("Location"))
	if auth.StatusCode != http.StatusFound {
		t.Fatalf("provider authorize: status %d", auth.StatusCode)
	}
	cb := auth.Header.Get("Location")
	if !strings.HasPrefix(cb, testBase+"/auth/callback?") {
		t.Fatalf("provider redirected to %q", cb)
	}
	return strings.TrimPrefix(cb, testBase)
}

// login signs in through the whole code flow and returns the callback response.
func (b *browser) login(email string) *http.Response {
	b.env.t.Helper()
	return b.get(b.startLogin(email))
}

// mustLogin signs in and fails the test if it did not work.
func (b *browser) mustLogin(email string) {
	b.env.t.Helper()
	resp := b.login(email)
	if resp.StatusCode != http.StatusSeeOther {
		b.env.t.Fatalf("sign-in of %s: status %d: %s", email, resp.StatusCode, body(b.env.t, resp))
	}
}

func (b *browser) sessionCookie() string {
	if c, ok := b.cookies["__Host-kog_session"]; ok {
		return c.Value
	}
	return ""
}

func body(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return string(b)
}

// newReq builds a request for the portal's host.
func newReq(method, path string, r io.Reader) *http.Request {
	req := httptest.NewRequest(method, path, r)
	req.Host = "portal.test"
	return req
}
