package app

import (
	"crypto/subtle"
	"errors"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"kogportal/models"
)

// contentSecurityPolicy allows only the portal's own scripts, styles, fonts
// and images; no inline script, no framing, no plugins.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
	"connect-src 'self'; form-action 'self' %s; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"

// securityHeaders sets the protective headers on every response, including
// errors and static files, before anything else can fail.
func (s *Server) securityHeaders(c *fiber.Ctx) error {
	h := c.Set
	h("Content-Security-Policy", strings.Replace(contentSecurityPolicy, "%s", s.auth.FormActionOrigin(), 1))
	h("X-Content-Type-Options", "nosniff")
	h("Referrer-Policy", "strict-origin-when-cross-origin")
	h("X-Frame-Options", "DENY")
	h("Cross-Origin-Opener-Policy", "same-origin")
	h("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
	if s.cfg.IsProduction() {
		h("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
	}
	if !strings.HasPrefix(c.Path(), "/static/") {
		// Pages may show personal or protected content: never cache them.
		h("Cache-Control", "no-store")
	}
	return c.Next()
}

// Cookie names. The __Host- prefix pins the cookie to this host and path "/"
// and requires Secure; plain http (development on localhost) cannot carry
// it, so there the cookie goes without prefix.
func (s *Server) sessionCookieName() string { return s.cookiePrefix() + "kog_session" }
func (s *Server) loginCookieName() string   { return s.cookiePrefix() + "kog_login" }

func (s *Server) cookiePrefix() string {
	if s.secureCookies() {
		return "__Host-"
	}
	return ""
}

// secureCookies is false only for a development portal on plain http.
func (s *Server) secureCookies() bool { return strings.HasPrefix(s.cfg.BaseURL, "https://") }

func (s *Server) setCookie(c *fiber.Ctx, name, value string, maxAge time.Duration) {
	ck := &fiber.Cookie{Name: name, Value: value, Path: "/", HTTPOnly: true, Secure: s.secureCookies(),
		SameSite: fiber.CookieSameSiteLaxMode}
	if maxAge > 0 {
		ck.MaxAge = int(maxAge.Seconds())
	} else {
		ck.MaxAge, ck.Expires = -1, time.Unix(1, 0)
	}
	c.Cookie(ck)
}

// loadSession resolves the session cookie. An unknown or expired cookie is
// cleared and the request continues anonymously.
func (s *Server) loadSession(c *fiber.Ctx) error {
	token := c.Cookies(s.sessionCookieName())
	if token == "" {
		return c.Next()
	}
	sess, err := s.store.SessionByToken(c.UserContext(), token, s.now())
	switch {
	case errors.Is(err, models.ErrSessionExpired):
		s.setCookie(c, s.sessionCookieName(), "", 0)
	case err != nil:
		return err
	default:
		c.Locals(localSession, sess)
		c.Locals(localUser, &sess.User)
	}
	return c.Next()
}

// checkCSRF guards every state-changing request: it needs a session and the
// session's token, from the form field _csrf or the X-CSRF-Token header that
// htmx sends. Anonymous visitors have nothing to change.
func (s *Server) checkCSRF(c *fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	sess := currentSession(c)
	token := c.Get("X-CSRF-Token")
	if token == "" {
		token = c.FormValue("_csrf")
	}
	if sess == nil || token == "" || subtle.ConstantTimeCompare([]byte(token), []byte(sess.CSRFToken)) != 1 {
		return fiber.NewError(fiber.StatusForbidden, "Das Sicherheitstoken des Formulars fehlt oder ist abgelaufen. Bitte laden Sie die Seite neu und versuchen Sie es erneut.")
	}
	return c.Next()
}

const (
	localUser    = "user"
	localSession = "session"
)

// currentUser is the signed-in account, or nil for anonymous visitors.
func currentUser(c *fiber.Ctx) *models.User {
	u, _ := c.Locals(localUser).(*models.User)
	return u
}

func currentSession(c *fiber.Ctx) *models.Session {
	sess, _ := c.Locals(localSession).(*models.Session)
	return sess
}

// allow turns a policy answer into the right error: anonymous visitors are
// sent to sign in, signed-in users get 403.
func allow(c *fiber.Ctx, ok bool) error {
	if ok {
		return nil
	}
	if currentUser(c) == nil {
		return models.ErrUnauthenticated
	}
	return models.ErrForbidden
}
