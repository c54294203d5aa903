package app

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"kogportal/config"
	"kogportal/models"
)

func TestSignInThroughProvider(t *testing.T) {
	e := newEnv(t)
	e.seed()
	b := e.browser()
	resp := b.login("mitglied@kog.example")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/gremium" {
		t.Fatalf("callback: %d → %q, want 303 → /gremium", resp.StatusCode, resp.Header.Get("Location"))
	}
	var sc *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "__Host-kog_session" {
			sc = c
		}
	}
	if sc == nil || !sc.HttpOnly || !sc.Secure || sc.SameSite != http.SameSiteLaxMode || sc.Path != "/" || sc.Domain != "" {
		t.Fatalf("session cookie not __Host-, Secure, HttpOnly, SameSite=Lax: %+v", sc)
	}
	page := body(t, b.get("/gremium"))
	if !strings.Contains(page, "Angemeldet als <strong>Max Mertens</strong>") || !strings.Contains(page, "Mitglied") {
		t.Fatalf("signed-in header missing:\n%s", page)
	}
	users, _ := e.store.Users(context.Background())
	var u *models.User
	for i := range users {
		if users[i].Email == "mitglied@kog.example" {
			u = &users[i]
		}
	}
	if u == nil || u.Issuer == nil || *u.Issuer != e.dev.Issuer() || *u.Subject != "demo-mitglied" {
		t.Fatalf("invited account not bound to (issuer, subject): %+v", u)
	}
	hist, _ := e.store.SignInHistory(context.Background(), u.ID, 10)
	if len(hist) != 1 {
		t.Fatalf("sign-in history has %d entries, want 1", len(hist))
	}
}

func TestFirstSignInIsReader(t *testing.T) {
	e := newEnv(t)
	e.dev.AddAccount(models.DemoAccount{Email: "neu@gemeinde.example", Name: "Nina Neu", Subject: "neu-1"})
	b := e.browser()
	b.mustLogin("neu@gemeinde.example")
	if !strings.Contains(body(t, b.get("/")), "Leser/in (Kommune)") {
		t.Fatal("a first sign-in must land as reader")
	}
	if b.get("/admin/benutzer").StatusCode != http.StatusForbidden {
		t.Fatal("reader reached the admin page")
	}
}

// tamper returns a TamperIDToken func that rewrites claims and re-signs the
// token with key (the provider's own key unless another is given).
func tamper(t *testing.T, e *testEnv, key *rsa.PrivateKey, change func(map[string]any)) func(string) string {
	return func(raw string) string {
		parts := strings.Split(raw, ".")
		payload, err := base64.RawURLEncoding.DecodeString(parts[1])
		if err != nil {
			t.Fatal(err)
		}
		claims := jwt.MapClaims{}
		if err := json.Unmarshal(payload, &claims); err != nil {
			t.Fatal(err)
		}
		change(claims)
		tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
		kid, _ := e.dev.Keypair().KeyID()
		tok.Header["kid"] = kid
		if key == nil {
			key = e.dev.Keypair().PrivateKey
		}
		s, err := tok.SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
}

func TestSignInRefused(t *testing.T) {
	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		status int
		// run performs the attack and returns the callback response.
		run func(t *testing.T, e *testEnv, b *browser) *http.Response
	}{
		{"missing state", http.StatusBadRequest, func(t *testing.T, e *testEnv, b *browser) *http.Response {
			cb := b.startLogin("mitglied@kog.example")
			return b.get(dropParam(cb, "state"))
		}},
		{"wrong state", http.StatusBadRequest, func(t *testing.T, e *testEnv, b *browser) *http.Response {
			cb := b.startLogin("mitglied@kog.example")
			return b.get(setParam(cb, "state", models.RandomToken(32)))
		}},
		{"state from another browser", http.StatusBadRequest, func(t *testing.T, e *testEnv, b *browser) *http.Response {
			cb := e.browser().startLogin("mitglied@kog.example") // attacker starts, victim finishes
			return b.get(cb)
		}},
		{"replayed state", http.StatusBadRequest, func(t *testing.T, e *testEnv, b *browser) *http.Response {
			cb := b.startLogin("mitglied@kog.example")
			first := b.get(cb)
			if first.StatusCode != http.StatusSeeOther {
				t.Fatalf("first use: %d", first.StatusCode)
			}
			b.cookies = map[string]*http.Cookie{"__Host-kog_login": {Name: "__Host-kog_login", Value: param(cb, "state")}}
			return b.get(cb)
		}},
		{"wrong nonce", http.StatusUnauthorized, func(t *testing.T, e *testEnv, b *browser) *http.Response {
			e.dev.TamperIDToken = tamper(t, e, nil, func(c map[string]any) { c["nonce"] = "attacker-nonce" })
			return b.login("mitglied@kog.example")
		}},
		{"token for another audience", http.StatusUnauthorized, func(t *testing.T, e *testEnv, b *browser) *http.Response {
			e.dev.TamperIDToken = tamper(t, e, nil, func(c map[string]any) { c["aud"] = "some-other-client" })
			return b.login("mitglied@kog.example")
		}},
		{"several audiences without azp", http.StatusUnauthorized, func(t *testing.T, e *testEnv, b *browser) *http.Response {
			e.dev.TamperIDToken = tamper(t, e, nil, func(c map[string]any) { c["aud"] = []string{DevClientID, "other"} })
			return b.login("mitglied@kog.example")
		}},
		{"expired token", http.StatusUnauthorized, func(t *testing.T, e *testEnv, b *browser) *http.Response {
			e.dev.TamperIDToken = tamper(t, e, nil, func(c map[string]any) {
				past := time.Now().Add(-2 * time.Hour).Unix()
				c["exp"], c["iat"], c["nbf"] = past, past-600, past-600
			})
			return b.login("mitglied@kog.example")
		}},
		{"token signed by another key", http.StatusUnauthorized, func(t *testing.T, e *testEnv, b *browser) *http.Response {
			e.dev.TamperIDToken = tamper(t, e, otherKey, func(map[string]any) {})
			return b.login("mitglied@kog.example")
		}},
		{"token from another issuer", http.StatusUnauthorized, func(t *testing.T, e *testEnv, b *browser) *http.Response {
			e.dev.TamperIDToken = tamper(t, e, nil, func(c map[string]any) { c["iss"] = "https://evil.example/oidc" })
			return b.login("mitglied@kog.example")
		}},
		{"provider says access_denied", http.StatusUnauthorized, func(t *testing.T, e *testEnv, b *browser) *http.Response {
			cb := b.startLogin("mitglied@kog.example")
			return b.get(setParam(dropParam(cb, "code"), "error", "access_denied"))
		}},
		{"unknown account at provider", http.StatusUnauthorized, func(t *testing.T, e *testEnv, b *browser) *http.Response {
			return b.login("niemand")
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.seed()
			b := e.browser()
			before := sessionCount(t, e)
			resp := tc.run(t, e, b)
			page := body(t, resp)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d:\n%s", resp.StatusCode, tc.status, page)
			}
			if !strings.Contains(page, "Anmeldung") || !strings.Contains(page, "Vorgangsnummer") {
				t.Fatalf("no German error page:\n%s", page)
			}
			for _, c := range resp.Cookies() {
				if c.Name == "__Host-kog_session" && c.Value != "" {
					t.Fatal("a refused sign-in set a session cookie")
				}
			}
			if tc.name == "replayed state" {
				before++ // the legitimate first use created one
			}
			if after := sessionCount(t, e); after != before {
				t.Fatalf("sessions %d → %d: a refused sign-in created a session", before, after)
			}
		})
	}
}

func TestIssuerMismatchAndUnreachableProvider(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String() + "/oidc"
	ln.Close()
	for name, issuer := range map[string]func(e *testEnv) string{
		// The discovery document names 127.0.0.1; configured is localhost.
		"issuer mismatch": func(e *testEnv) string { return strings.Replace(e.dev.Issuer(), "127.0.0.1", "localhost", 1) },
		"unreachable":     func(*testEnv) string { return closed },
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			e.srv.auth = NewAuthenticator(issuer(e), DevClientID, DevClientSecret, testBase)
			resp := e.browser().get("/auth/login?login_hint=mitglied@kog.example")
			page := body(t, resp)
			if resp.StatusCode != http.StatusBadGateway || !strings.Contains(page, "Anmeldedienst") {
				t.Fatalf("status %d, want 502 with German page:\n%s", resp.StatusCode, page)
			}
			if strings.Contains(page, "oidc:") || strings.Contains(page, "dial tcp") {
				t.Fatal("error page leaks internals")
			}
		})
	}
}

func TestSessionRegeneratedAndPlantedCookieIgnored(t *testing.T) {
	e := newEnv(t)
	e.seed()
	b := e.browser()
	planted := "attacker-chosen-value"
	b.cookies["__Host-kog_session"] = &http.Cookie{Name: "__Host-kog_session", Value: planted}
	b.mustLogin("leser@kog.example")
	first := b.sessionCookie()
	if first == "" || first == planted {
		t.Fatalf("planted cookie adopted: %q", first)
	}
	// A second sign-in completes in the same browser while its session
	// cookie is still there (the flow was started elsewhere, as after an
	// expiry warning in another tab).
	other := e.browser()
	cb := other.startLogin("mitglied@kog.example")
	b.cookies["__Host-kog_login"] = other.cookies["__Host-kog_login"]
	if resp := b.get(cb); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("second sign-in: %d", resp.StatusCode)
	}
	second := b.sessionCookie()
	if second == first {
		t.Fatal("session ID not regenerated at sign-in")
	}
	old := e.browser()
	old.cookies["__Host-kog_session"] = &http.Cookie{Name: "__Host-kog_session", Value: first}
	if strings.Contains(body(t, old.get("/")), "Angemeldet als") {
		t.Fatal("the pre-login session still works after a new sign-in")
	}
	attacker := e.browser()
	attacker.cookies["__Host-kog_session"] = &http.Cookie{Name: "__Host-kog_session", Value: planted}
	if strings.Contains(body(t, attacker.get("/")), "Angemeldet als") {
		t.Fatal("planted cookie is signed in")
	}
}

func TestLogout(t *testing.T) {
	e := newEnv(t)
	e.seed()
	b := e.browser()
	b.mustLogin("vorsitz@kog.example")
	token := b.sessionCookie()
	resp := b.post("/auth/logout", url.Values{"_csrf": {b.csrf()}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if loc.Scheme+"://"+loc.Host+loc.Path != e.dev.Issuer()+"/logout" || loc.Query().Get("id_token_hint") == "" ||
		loc.Query().Get("post_logout_redirect_uri") != testBase+"/" {
		t.Fatalf("logout does not go to end_session_endpoint with hints: %s", loc)
	}
	back := provider(t, loc.String())
	if back.Header.Get("Location") != testBase+"/" {
		t.Fatalf("provider did not return to the portal: %q", back.Header.Get("Location"))
	}
	old := e.browser()
	old.cookies["__Host-kog_session"] = &http.Cookie{Name: "__Host-kog_session", Value: token}
	if strings.Contains(body(t, old.get("/")), "Angemeldet als") {
		t.Fatal("old cookie still signed in after logout")
	}
	if b.get("/auth/logout").StatusCode == http.StatusSeeOther {
		t.Fatal("logout must not work by GET")
	}
}

func TestIdleTimeoutAndExtension(t *testing.T) {
	e := newEnv(t)
	e.seed()
	b := e.browser()
	b.mustLogin("mitglied@kog.example")
	page := body(t, b.get("/"))
	if !strings.Contains(page, `id="session-warning"`) || !strings.Contains(page, "data-session-end=") {
		t.Fatal("signed-in page lacks the session expiry warning")
	}
	e.advance(models.SessionIdleTimeout - 2*time.Minute)
	if resp := b.post("/auth/sitzung", url.Values{"_csrf": {csrfOf(t, page)}, "next": {"/gremium"}}); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/gremium" {
		t.Fatalf("extend: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	e.advance(models.SessionIdleTimeout - 2*time.Minute) // alive thanks to the extension
	if !strings.Contains(body(t, b.get("/")), "Angemeldet als") {
		t.Fatal("extended session ended early")
	}
	e.advance(models.SessionIdleTimeout + time.Minute)
	if strings.Contains(body(t, b.get("/")), "Angemeldet als") {
		t.Fatal("idle session still signed in")
	}
}

func TestDisablingUserEndsSessions(t *testing.T) {
	e := newEnv(t)
	e.seed()
	member := e.browser()
	member.mustLogin("mitglied@kog.example")
	admin := e.browser()
	admin.mustLogin("admin@kog.example")
	id := userID(t, e, "mitglied@kog.example")
	resp := admin.post("/admin/benutzer/"+itoa(id)+"/sperren", url.Values{"_csrf": {admin.csrf()}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("disable: %d", resp.StatusCode)
	}
	if strings.Contains(body(t, member.get("/")), "Angemeldet als") {
		t.Fatal("disabled user still signed in")
	}
	if resp := e.browser().login("mitglied@kog.example"); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("disabled user could sign in again: %d", resp.StatusCode)
	}
	audit := body(t, admin.get("/admin/audit"))
	if !strings.Contains(audit, "Konto gesperrt") {
		t.Fatal("audit log lacks the lock")
	}
}

func TestAdminChangesRole(t *testing.T) {
	e := newEnv(t)
	e.seed()
	admin := e.browser()
	admin.mustLogin("admin@kog.example")
	id := userID(t, e, "leser@kog.example")
	resp := admin.post("/admin/benutzer/"+itoa(id)+"/rolle", url.Values{"_csrf": {admin.csrf()}, "role": {"member"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("set role: %d", resp.StatusCode)
	}
	u, _ := e.store.User(context.Background(), id)
	if u.Role != models.RoleMember {
		t.Fatalf("role %q, want member", u.Role)
	}
	resp = admin.post("/admin/benutzer/"+itoa(id)+"/rolle", url.Values{"_csrf": {admin.csrf()}, "role": {"superuser"}})
	if page := body(t, resp); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "Rollen") {
		t.Fatalf("invalid role: %d", resp.StatusCode)
	}
	self := userID(t, e, "admin@kog.example")
	if resp := admin.post("/admin/benutzer/"+itoa(self)+"/rolle", url.Values{"_csrf": {admin.csrf()}, "role": {"reader"}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("admin demoted self: %d", resp.StatusCode)
	}
	if !strings.Contains(body(t, admin.get("/admin/audit")), "Rolle geändert") {
		t.Fatal("audit log lacks the role change")
	}
}

func TestLoginRateLimit(t *testing.T) {
	e := newEnv(t, func(_ *config.Config, o *Options) { o.LoginRateLimit = 3 })
	b := e.browser()
	for i := 0; i < 3; i++ {
		if s := b.get("/auth/login?login_hint=leser@kog.example").StatusCode; s != http.StatusSeeOther {
			t.Fatalf("request %d: %d", i, s)
		}
	}
	resp := b.get("/auth/login?login_hint=leser@kog.example")
	if page := body(t, resp); resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(page, "Zu viele Anfragen") {
		t.Fatalf("4th sign-in: %d", resp.StatusCode)
	}
}

func TestGroupClaimMapsRole(t *testing.T) {
	e := newEnv(t, func(c *config.Config, _ *Options) {
		c.GroupRoles = map[string]string{"kog-vorsitz": "chair", "kog-leser": "reader"}
	})
	e.dev.AddAccount(models.DemoAccount{Email: "gs@fitko.example", Name: "Gesa Stelle", Subject: "gs-1", Groups: []string{"kog-leser", "kog-vorsitz"}})
	e.dev.AddAccount(models.DemoAccount{Email: "x@fitko.example", Name: "Xaver", Subject: "x-1", Groups: []string{"andere"}})
	b := e.browser()
	b.mustLogin("gs@fitko.example")
	if page := body(t, b.get("/")); !strings.Contains(page, "Vorsitz/Geschäftsstelle") {
		t.Fatal("group kog-vorsitz did not map to the chair role")
	}
	other := e.browser()
	other.mustLogin("x@fitko.example")
	if page := body(t, other.get("/")); !strings.Contains(page, "Leser/in (Kommune)") {
		t.Fatal("an unmapped group changed the role")
	}
	// Leaving the group at the provider takes the role away at the next sign-in.
	e.dev.AddAccount(models.DemoAccount{Email: "gs@fitko.example", Name: "Gesa Stelle", Subject: "gs-1"})
	again := e.browser()
	again.mustLogin("gs@fitko.example")
	if page := body(t, again.get("/")); !strings.Contains(page, "Leser/in (Kommune)") {
		t.Fatal("the group role outlived the group")
	}
}

func TestDevProviderSignsInInvitedPerson(t *testing.T) {
	e := newEnv(t)
	e.seed()
	chair := e.browser()
	chair.mustLogin("vorsitz@kog.example")
	resp := chair.post("/personen", url.Values{"_csrf": {chair.csrf()}, "name": {"Nina Neumann"}, "email": {"n.neumann@paderborn.example"},
		"organisation_id": {itoa(orgID(e, "KGSt"))}, "role": {"stellvertretung"}, "deputy_for_id": {"0"}, "start": {"2026-11-01"}})
	if page := body(t, resp); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "Eine Stellvertretung braucht das Mitglied") {
		t.Fatalf("deputy without member: %d", resp.StatusCode)
	}
	resp = chair.post("/personen", url.Values{"_csrf": {chair.csrf()}, "name": {"Nina Neumann"}, "email": {"n.neumann@paderborn.example"},
		"organisation_id": {itoa(orgID(e, "Paderborn"))}, "role": {"gast"}, "start": {"2026-11-01"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("invite: %d %s", resp.StatusCode, body(t, resp))
	}
	nina := e.browser()
	nina.mustLogin("n.neumann@paderborn.example")
	if page := body(t, nina.get("/profil")); !strings.Contains(page, "Nina Neumann") || !strings.Contains(page, "n.neumann@paderborn.example") {
		t.Fatal("the invited person's first sign-in did not bind the profile")
	}
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"":                      "/",
		"/gremium":              "/gremium",
		"/admin/audit?seite=2":  "/admin/audit?seite=2",
		"//evil.example":        "/",
		"/\\evil.example":       "/",
		"https://evil.example/": "/",
		"javascript:alert(1)":   "/",
		"gremium":               "/",
		"/x\r\nSet-Cookie: a=b": "/",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
	e := newEnv(t)
	e.seed()
	b := e.browser()
	resp := b.get("/auth/login?login_hint=mitglied@kog.example&next=" + url.QueryEscape("//evil.example/x"))
	cb := provider(t, resp.Header.Get("Location")).Header.Get("Location")
	if loc := b.get(strings.TrimPrefix(cb, testBase)).Header.Get("Location"); loc != "/" {
		t.Fatalf("next=//evil.example ended at %q", loc)
	}
}

// helpers

func sessionCount(t *testing.T, e *testEnv) int64 {
	t.Helper()
	users, err := e.store.Users(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, u := range users {
		c, _ := e.store.CountSessions(context.Background(), u.ID)
		n += c
	}
	return n
}

func userID(t *testing.T, e *testEnv, email string) uint {
	t.Helper()
	users, _ := e.store.Users(context.Background())
	for _, u := range users {
		if u.Email == email {
			return u.ID
		}
	}
	t.Fatalf("no user %s", email)
	return 0
}

func csrfOf(t *testing.T, page string) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no CSRF token in page")
	}
	return m[1]
}

func itoa(id uint) string { return strconv.FormatUint(uint64(id), 10) }

func param(path, key string) string {
	u, _ := url.Parse(path)
	return u.Query().Get(key)
}

func setParam(path, key, value string) string {
	u, _ := url.Parse(path)
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String()
}

func dropParam(path, key string) string {
	u, _ := url.Parse(path)
	q := u.Query()
	q.Del(key)
	u.RawQuery = q.Encode()
	return u.String()
}
