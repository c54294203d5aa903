package app

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"kogportal/models"
)

// errorApp is a Fiber app with the portal's own error handler, panic
// recovery and views, and routes that fail on purpose.
func errorApp(e *testEnv) *fiber.App {
	s := e.srv
	a := fiber.New(fiber.Config{Views: s.viewEngine(), ErrorHandler: s.handleError})
	a.Use(s.recoverPanic)
	a.Get("/absturz", func(*fiber.Ctx) error { panic("geheimer Zustand: SELECT password FROM users") })
	a.Get("/sql", func(*fiber.Ctx) error {
		return errors.New(`near "FROM": syntax error: SELECT * FROM users WHERE secret='x' (models/user.go:42)`)
	})
	a.Get("/forbidden", func(*fiber.Ctx) error { return models.ErrForbidden })
	a.Get("/missing", func(*fiber.Ctx) error { return models.ErrNotFound })
	a.Get("/invalid", func(*fiber.Ctx) error {
		return (&models.ValidationError{}).Add("title", "Bitte geben Sie einen Titel an.")
	})
	a.Get("/bad", func(*fiber.Ctx) error { return fiber.ErrBadRequest })
	// A page template that fails must not come out as 200 with Go's error text.
	a.Get("/vorlage", func(c *fiber.Ctx) error { return s.render(c, fiber.StatusOK, "topics/show", struct{ Page }{}) })
	return a
}

func TestErrorPages(t *testing.T) {
	e := newEnv(t)
	a := errorApp(e)
	cases := []struct {
		path, heading string
		status        int
	}{
		{"/absturz", "Ein Fehler ist aufgetreten", 500},
		{"/sql", "Ein Fehler ist aufgetreten", 500},
		{"/forbidden", "Keine Berechtigung", 403},
		{"/missing", "Seite nicht gefunden", 404},
		{"/invalid", "Eingaben unvollständig", 422},
		{"/bad", "Ungültige Anfrage", 400},
		{"/vorlage", "Ein Fehler ist aufgetreten", 500},
	}
	for _, tc := range cases {
		resp, err := a.Test(newReq(http.MethodGet, tc.path, nil), -1)
		if err != nil {
			t.Fatal(err)
		}
		page := body(t, resp)
		if resp.StatusCode != tc.status || !strings.Contains(page, tc.heading) {
			t.Errorf("%s: %d, want %d with %q", tc.path, resp.StatusCode, tc.status, tc.heading)
		}
		if !strings.Contains(page, `lang="de"`) || !strings.Contains(page, "Vorgangsnummer") {
			t.Errorf("%s: not the German error page", tc.path)
		}
		for _, leak := range []string{"SELECT", "password", "syntax error", ".go:", "goroutine", "panic", "geheim", "template:", "evaluate"} {
			if strings.Contains(page, leak) {
				t.Errorf("%s: page leaks %q", tc.path, leak)
			}
		}
	}
	page := body(t, mustTest(t, a, "/invalid"))
	if !strings.Contains(page, "Bitte geben Sie einen Titel an.") {
		t.Error("422 page does not name the field problem")
	}
}

// TestBodyTooLarge needs a real listener: fasthttp enforces the limit while
// reading from the connection.
func TestBodyTooLarge(t *testing.T) {
	e := newEnv(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = e.srv.App().Listener(ln) }()
	t.Cleanup(func() { _ = e.srv.App().Shutdown() })
	// Announce an oversize body; the server must answer before reading it.
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /auth/sitzung HTTP/1.1\r\nHost: portal.test\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\nx=aaaa", bodyLimit+1)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	if page := body(t, resp); resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(page, "zu groß") {
		t.Fatalf("oversize body: %d\n%s", resp.StatusCode, page)
	}
}

func TestNotFoundPage(t *testing.T) {
	e := newEnv(t)
	resp := e.browser().get("/gibt-es-nicht")
	if page := body(t, resp); resp.StatusCode != 404 || !strings.Contains(page, "Seite nicht gefunden") {
		t.Fatalf("404 page: %d", resp.StatusCode)
	}
}

func mustTest(t *testing.T, a *fiber.App, path string) *http.Response {
	t.Helper()
	resp, err := a.Test(newReq(http.MethodGet, path, nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}
