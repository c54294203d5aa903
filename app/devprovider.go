package app

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"html/template"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/golang-jwt/jwt/v5"
	"github.com/oauth2-proxy/mockoidc"

	"kogportal/models"
)

// Fixed client credentials of the built-in development provider. They only
// ever exist on loopback in development and in tests.
const (
	DevClientID     = "kog-portal-dev"
	DevClientSecret = "kog-portal-dev-secret-not-for-production"
)

// DevProvider is the built-in OpenID provider for development and tests,
// built on oauth2-proxy/mockoidc and served on loopback. It adds what the
// portal needs on top: the demo accounts chosen by the standard login_hint,
// a name claim, an end_session_endpoint, and a check that redirects go back
// to the portal only.
type DevProvider struct {
	mock     *mockoidc.MockOIDC
	baseURL  string
	mu       sync.Mutex // one authorisation at a time: the user queue is shared
	accounts map[string]devUser

	// TamperIDToken, when set (tests only), rewrites each issued ID token,
	// so tests can prove the client refuses wrong nonces, audiences, keys…
	TamperIDToken func(idToken string) string
}

// StartDevProvider listens on addr (loopback) and serves the provider.
// baseURL is the portal's KOG_BASE_URL: the only allowed redirect target.
func StartDevProvider(addr, baseURL string) (*DevProvider, error) {
	// A fresh key per start: mockoidc's default key is public, and anyone
	// holding it could forge sign-ins.
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	m, err := mockoidc.NewServer(key)
	if err != nil {
		return nil, err
	}
	m.ClientID, m.ClientSecret = DevClientID, DevClientSecret
	m.CodeChallengeMethodsSupported = []string{"S256"}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	d := &DevProvider{mock: m, baseURL: strings.TrimRight(baseURL, "/"), accounts: map[string]devUser{}}
	for _, a := range models.DemoAccounts {
		d.AddAccount(a)
	}
	mux := http.NewServeMux()
	mux.HandleFunc(mockoidc.AuthorizationEndpoint, d.authorize)
	mux.HandleFunc(mockoidc.TokenEndpoint, d.token)
	mux.HandleFunc(mockoidc.UserinfoEndpoint, m.Userinfo)
	mux.HandleFunc(mockoidc.JWKSEndpoint, m.JWKS)
	mux.HandleFunc(mockoidc.DiscoveryEndpoint, d.discovery)
	mux.HandleFunc(mockoidc.IssuerBase+"/logout", d.logout)
	// mockoidc derives its issuer from Server.Addr; we serve the mux ourselves.
	m.Server = &http.Server{Addr: ln.Addr().String(), Handler: mux}
	go func() { _ = m.Server.Serve(ln) }()
	return d, nil
}

// Issuer is the provider's issuer URL.
func (d *DevProvider) Issuer() string { return d.mock.Issuer() }

// Keypair is the signing key (tests re-sign tampered tokens with it).
func (d *DevProvider) Keypair() *mockoidc.Keypair { return d.mock.Keypair }

// Close stops the provider.
func (d *DevProvider) Close() error { return d.mock.Shutdown() }

// AddAccount makes an account available by its e-mail as login_hint.
func (d *DevProvider) AddAccount(a models.DemoAccount) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.accounts[strings.ToLower(a.Email)] = devUser{sub: a.Subject, email: a.Email, name: a.Name, groups: a.Groups}
}

// account finds the demo account for a login_hint. Any other e-mail address
// signs in as a new development account with a stable subject, so an invited
// person can try their first sign-in locally.
func (d *DevProvider) account(hint string) (devUser, bool) {
	hint = strings.ToLower(strings.TrimSpace(hint))
	if acc, ok := d.accounts[hint]; ok {
		return acc, true
	}
	a, err := mail.ParseAddress(hint)
	if err != nil || a.Address != hint {
		return devUser{}, false
	}
	sum := sha256.Sum256([]byte(hint))
	// No name claim: the portal keeps the name the chair entered with the
	// invitation, as a real provider would send the person's real name.
	return devUser{sub: "dev-" + hex.EncodeToString(sum[:8]), email: hint}, true
}

// allowedRedirect: only addresses inside the portal.
func (d *DevProvider) allowedRedirect(raw string) bool {
	return raw == d.baseURL || strings.HasPrefix(raw, d.baseURL+"/")
}

// authorize signs in the account named by login_hint without a click. With
// no or an unknown hint it sends the browser back with login_required.
func (d *DevProvider) authorize(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	redirect := r.Form.Get("redirect_uri")
	if !d.allowedRedirect(redirect) {
		http.Error(w, "redirect_uri ist nicht für dieses Portal registriert", http.StatusBadRequest)
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	acc, ok := d.account(r.Form.Get("login_hint"))
	if !ok {
		u, _ := url.Parse(redirect)
		q := u.Query()
		q.Set("error", "login_required")
		q.Set("error_description", "unbekanntes Demo-Konto")
		q.Set("state", r.Form.Get("state"))
		u.RawQuery = q.Encode()
		http.Redirect(w, r, u.String(), http.StatusFound)
		return
	}
	d.mock.QueueUser(acc)
	d.mock.Authorize(w, r)
}

// token issues tokens, optionally passing the ID token through TamperIDToken.
func (d *DevProvider) token(w http.ResponseWriter, r *http.Request) {
	if d.TamperIDToken == nil {
		d.mock.Token(w, r)
		return
	}
	rec := httptest.NewRecorder()
	d.mock.Token(rec, r)
	var body map[string]any
	if json.Unmarshal(rec.Body.Bytes(), &body) == nil {
		if raw, ok := body["id_token"].(string); ok {
			body["id_token"] = d.TamperIDToken(raw)
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(rec.Code)
	_ = json.NewEncoder(w).Encode(body)
}

// discovery is mockoidc's document plus an end_session_endpoint.
func (d *DevProvider) discovery(w http.ResponseWriter, r *http.Request) {
	rec := httptest.NewRecorder()
	d.mock.Discovery(rec, r)
	var doc map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		http.Error(w, "discovery", http.StatusInternalServerError)
		return
	}
	doc["end_session_endpoint"] = d.Issuer() + "/logout"
	doc["code_challenge_methods_supported"] = []string{"S256"}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(doc)
}

var loggedOutPage = template.Must(template.New("out").Parse(`<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Abgemeldet</title></head><body><main><h1>Abgemeldet</h1><p>Sie wurden beim Entwicklungs-Anmeldedienst abgemeldet.</p>{{if .}}<p><a href="{{.}}">Zurück zum Portal</a></p>{{end}}</main></body></html>`))

// logout ends the provider session (mockoidc keeps none that matters) and
// returns to the portal if the target is one of its addresses.
func (d *DevProvider) logout(w http.ResponseWriter, r *http.Request) {
	target := r.URL.Query().Get("post_logout_redirect_uri")
	if target != "" && d.allowedRedirect(target) {
		http.Redirect(w, r, target, http.StatusFound)
		return
	}
	var buf bytes.Buffer
	_ = loggedOutPage.Execute(&buf, "")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(buf.Bytes())
}

// devUser is a demo account as mockoidc sees it; unlike mockoidc's own user
// it carries a name claim and a sub in userinfo, as real providers do.
type devUser struct {
	sub, email, name string
	groups           []string
}

func (u devUser) ID() string { return u.sub }

func (u devUser) Userinfo(scope []string) ([]byte, error) {
	info := map[string]any{"sub": u.sub}
	for _, s := range scope {
		switch s {
		case "email":
			info["email"], info["email_verified"] = u.email, true
		case "profile":
			if u.name != "" {
				info["name"], info["preferred_username"] = u.name, u.email
			}
			if len(u.groups) > 0 {
				info["groups"] = u.groups
			}
		}
	}
	return json.Marshal(info)
}

func (u devUser) Claims(scope []string, base *mockoidc.IDTokenClaims) (jwt.Claims, error) {
	c := devClaims{IDTokenClaims: base}
	for _, s := range scope {
		switch s {
		case "email":
			c.Email, c.EmailVerified = u.email, true
		case "profile":
			c.Name, c.Groups = u.name, u.groups
		}
	}
	return c, nil
}

type devClaims struct {
	*mockoidc.IDTokenClaims
	Email         string   `json:"email,omitempty"`
	EmailVerified bool     `json:"email_verified,omitempty"`
	Name          string   `json:"name,omitempty"`
	Groups        []string `json:"groups,omitempty"`
}

// DevProviderAddr is where the development provider listens: loopback, on
// the port after the portal's. A fixed address keeps the issuer, and so the
// (issuer, subject) keys of the demo accounts, stable across restarts.
func DevProviderAddr(appAddr string) string {
	_, port, err := net.SplitHostPort(appAddr)
	if err != nil {
		return "127.0.0.1:0"
	}
	p, err := strconv.Atoi(port)
	if err != nil || p == 0 || p >= 65535 {
		return "127.0.0.1:0"
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(p+1))
}
