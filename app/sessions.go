package app

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/oauth2"

	"kogportal/models"
)

// LoginPage is the data of views/auth/login.html.
type LoginPage struct {
	Page
	Next     string
	Accounts []models.DemoAccount // development only: one button per demo account
}

// login starts the sign-in: it stores state, nonce and PKCE verifier
// server-side, binds the state to this browser with a short-lived cookie and
// sends the browser to the provider. In development without login_hint it
// shows the demo accounts to choose from.
func (s *Server) login(c *fiber.Ctx) error {
	next := safeNext(c.Query("next"))
	if currentUser(c) != nil {
		return c.Redirect(next, fiber.StatusSeeOther)
	}
	hint := strings.TrimSpace(c.Query("login_hint"))
	if hint == "" && s.cfg.UseDevProvider() {
		return s.render(c, fiber.StatusOK, "auth/login", LoginPage{Page: s.page(c, "Anmelden"), Next: next, Accounts: models.DemoAccounts})
	}
	nonce, verifier := models.RandomToken(32), oauth2.GenerateVerifier()
	state, err := s.store.CreateLoginState(c.UserContext(), nonce, verifier, next, s.now())
	if err != nil {
		return err
	}
	to, err := s.auth.AuthCodeURL(c.UserContext(), state, nonce, verifier, hint)
	if err != nil {
		return &loginError{Status: http.StatusBadGateway, Message: "Der Anmeldedienst ist gerade nicht erreichbar. Bitte versuchen Sie es später erneut.", Cause: err}
	}
	s.setCookie(c, s.loginCookieName(), state, models.LoginStateTTL)
	return c.Redirect(to, fiber.StatusSeeOther)
}

// callback completes the sign-in. Every failure ends on a German page and
// creates no session; the login state is consumed either way.
func (s *Server) callback(c *fiber.Ctx) error {
	ctx := c.UserContext()
	browserState := c.Cookies(s.loginCookieName())
	s.setCookie(c, s.loginCookieName(), "", 0)
	ls, stateErr := s.store.TakeLoginState(ctx, c.Query("state"), browserState, s.now())
	if e := c.Query("error"); e != "" {
		msg := "Die Anmeldung wurde beim Anmeldedienst abgebrochen oder abgelehnt."
		if e == "login_required" {
			msg = "Der Anmeldedienst hat kein Konto angemeldet. Bitte wählen Sie ein Konto und versuchen Sie es erneut."
		}
		return &loginError{Status: http.StatusUnauthorized, Message: msg, Cause: errors.New("provider: " + e)}
	}
	if stateErr != nil {
		if errors.Is(stateErr, models.ErrNotFound) {
			return &loginError{Status: http.StatusBadRequest, Message: "Die Anmeldung ist abgelaufen, wurde schon verwendet oder in einem anderen Browser begonnen. Bitte melden Sie sich erneut an.", Cause: stateErr}
		}
		return stateErr
	}
	id, rawIDToken, err := s.auth.Exchange(ctx, c.Query("code"), ls.Verifier, ls.Nonce)
	if err != nil {
		status := http.StatusUnauthorized
		if errors.Is(err, errProviderUnavailable) {
			status = http.StatusBadGateway
		}
		return &loginError{Status: status, Message: "Die Anmeldung konnte nicht bestätigt werden. Bitte versuchen Sie es erneut.", Cause: err}
	}
	user, err := s.store.SignIn(ctx, id, s.cfg.AdminSubjects, c.IP(), s.now())
	if errors.Is(err, models.ErrUserDisabled) {
		return &loginError{Status: http.StatusForbidden, Message: "Ihr Konto ist gesperrt. Bitte wenden Sie sich an die Administration des Portals.", Cause: err}
	} else if err != nil {
		return err
	}
	token, _, err := s.store.CreateSession(ctx, user.ID, c.Cookies(s.sessionCookieName()), rawIDToken, c.IP(), c.Get(fiber.HeaderUserAgent), s.now())
	if err != nil {
		return err
	}
	s.setCookie(c, s.sessionCookieName(), token, models.SessionAbsoluteTimeout)
	return s.redirectWithFlash(c, safeNext(ls.Next), "Sie sind angemeldet als "+user.DisplayName()+".")
}

// logout ends the portal session and, where the provider offers it, the
// provider session too (with id_token_hint).
func (s *Server) logout(c *fiber.Ctx) error {
	sess := currentSession(c)
	if sess == nil {
		return models.ErrUnauthenticated
	}
	if err := s.store.DeleteSession(c.UserContext(), sess, c.IP()); err != nil {
		return err
	}
	s.setCookie(c, s.sessionCookieName(), "", 0)
	to := s.auth.EndSessionURL(c.UserContext(), sess.IDToken, s.cfg.BaseURL+"/")
	if to == "" {
		to = "/"
	}
	// The flash cookie survives the round trip through the provider's
	// logout (same host, SameSite=Lax), so the start page confirms it.
	return s.redirectWithFlash(c, to, "Sie sind abgemeldet.")
}

// extendSession resets the idle timeout ("Sitzung verlängern").
func (s *Server) extendSession(c *fiber.Ctx) error {
	sess := currentSession(c)
	if sess == nil {
		return models.ErrUnauthenticated
	}
	if err := s.store.TouchSession(c.UserContext(), sess, s.now()); err != nil {
		return err
	}
	return s.redirectWithFlash(c, safeNext(c.FormValue("next")), "Ihre Sitzung wurde verlängert.")
}

// safeNext accepts only same-site relative paths ("/x"), never "//host",
// "/\host" or absolute URLs, so sign-in cannot be used as an open redirect.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") ||
		strings.ContainsAny(next, "\r\n\t") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.Opaque != "" {
		return "/"
	}
	return next
}
