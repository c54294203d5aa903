package app

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"kogportal/models"
)

// Authenticator is the OpenID Connect client (authorization code flow with
// PKCE S256, state and nonce). The same code runs against the built-in
// development provider and a production IdP.
//
// Discovery happens on first use and is retried after a failure, so an
// unreachable provider yields a German error page instead of a dead portal.
type Authenticator struct {
	issuer       string
	clientID     string
	clientSecret string
	redirectURL  string // from configuration only, never from the Host header
	groupRoles   map[string]models.Role
	client       *http.Client

	mu         sync.Mutex
	provider   *oidc.Provider
	endSession string
}

// NewAuthenticator configures the client; baseURL is KOG_BASE_URL.
func NewAuthenticator(issuer, clientID, clientSecret, baseURL string) *Authenticator {
	return &Authenticator{issuer: issuer, clientID: clientID, clientSecret: clientSecret,
		redirectURL: baseURL + "/auth/callback", client: &http.Client{Timeout: 10 * time.Second}}
}

// MapGroups sets the groups-claim-to-role mapping (KOG_OIDC_GROUP_ROLES).
func (a *Authenticator) MapGroups(m map[string]string) *Authenticator {
	a.groupRoles = map[string]models.Role{}
	for g, r := range m {
		a.groupRoles[g] = models.Role(r)
	}
	return a
}

// groupRole is the highest role the groups map to, or "" for none.
func (a *Authenticator) groupRole(groups []string) models.Role {
	var best models.Role
	for _, g := range groups {
		if r, ok := a.groupRoles[g]; ok && models.RoleRank(r) > models.RoleRank(best) {
			best = r
		}
	}
	return best
}

// FormActionOrigin is the provider's origin, which the CSP must allow as a
// form target because sign-out redirects there.
func (a *Authenticator) FormActionOrigin() string {
	u, err := url.Parse(a.issuer)
	if err != nil || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// errProviderUnavailable marks discovery failures (unreachable provider or
// issuer mismatch) so they end on the "Anmeldedienst nicht erreichbar" page.
var errProviderUnavailable = errors.New("OpenID-Provider nicht verfügbar")

func (a *Authenticator) discover(ctx context.Context) (*oidc.Provider, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.provider != nil {
		return a.provider, nil
	}
	// NewProvider refuses a discovery document whose issuer differs from
	// the configured one.
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, a.client), a.issuer)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errProviderUnavailable, err)
	}
	var meta struct {
		EndSession string `json:"end_session_endpoint"`
	}
	_ = p.Claims(&meta)
	a.provider, a.endSession = p, meta.EndSession
	return p, nil
}

func (a *Authenticator) oauth2Config(p *oidc.Provider) *oauth2.Config {
	return &oauth2.Config{ClientID: a.clientID, ClientSecret: a.clientSecret, Endpoint: p.Endpoint(),
		RedirectURL: a.redirectURL, Scopes: []string{oidc.ScopeOpenID, "profile", "email"}}
}

// AuthCodeURL is where the browser goes to sign in. loginHint is passed on
// as the standard OIDC login_hint when given.
func (a *Authenticator) AuthCodeURL(ctx context.Context, state, nonce, verifier, loginHint string) (string, error) {
	p, err := a.discover(ctx)
	if err != nil {
		return "", err
	}
	opts := []oauth2.AuthCodeOption{oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)}
	if loginHint != "" {
		opts = append(opts, oauth2.SetAuthURLParam("login_hint", loginHint))
	}
	return a.oauth2Config(p).AuthCodeURL(state, opts...), nil
}

// idClaims are the ID token claims the portal reads.
type idClaims struct {
	Nonce             string   `json:"nonce"`
	AuthorizedParty   string   `json:"azp"`
	Email             string   `json:"email"`
	EmailVerified     bool     `json:"email_verified"`
	Name              string   `json:"name"`
	PreferredUsername string   `json:"preferred_username"`
	Groups            []string `json:"groups"`
}

// Exchange redeems the code (with the PKCE verifier), verifies the ID token
// and returns who signed in plus the raw ID token for the logout hint.
//
// go-oidc checks signature, issuer, audience and expiry; the nonce and, for
// tokens with several audiences, the azp claim are checked here.
func (a *Authenticator) Exchange(ctx context.Context, code, verifier, nonce string) (models.Identity, string, error) {
	var id models.Identity
	p, err := a.discover(ctx)
	if err != nil {
		return id, "", err
	}
	ctx = oidc.ClientContext(ctx, a.client)
	tok, err := a.oauth2Config(p).Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		return id, "", fmt.Errorf("Code-Einlösung: %w", err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok || raw == "" {
		return id, "", errors.New("Antwort ohne ID-Token")
	}
	idt, err := p.Verifier(&oidc.Config{ClientID: a.clientID}).Verify(ctx, raw)
	if err != nil {
		return id, "", fmt.Errorf("ID-Token ungültig: %w", err)
	}
	var cl idClaims
	if err := idt.Claims(&cl); err != nil {
		return id, "", fmt.Errorf("ID-Token-Claims: %w", err)
	}
	if subtle.ConstantTimeCompare([]byte(cl.Nonce), []byte(nonce)) != 1 {
		return id, "", errors.New("ID-Token: nonce stimmt nicht")
	}
	if len(idt.Audience) > 1 && cl.AuthorizedParty != a.clientID {
		return id, "", errors.New("ID-Token: azp fehlt oder nennt einen anderen Client")
	}
	id = models.Identity{Issuer: idt.Issuer, Subject: idt.Subject, Email: cl.Email,
		EmailVerified: cl.EmailVerified, Name: cl.Name, GroupRole: a.groupRole(cl.Groups)}
	if id.Name == "" {
		id.Name = cl.PreferredUsername
	}
	if p.UserInfoEndpoint() != "" {
		info, err := p.UserInfo(ctx, oauth2.StaticTokenSource(tok))
		if err != nil {
			return id, "", fmt.Errorf("Userinfo: %w", err)
		}
		if info.Subject != idt.Subject {
			return id, "", errors.New("Userinfo gehört zu einem anderen Subject")
		}
		var extra struct {
			Name string `json:"name"`
		}
		_ = info.Claims(&extra)
		if extra.Name != "" {
			id.Name = extra.Name
		}
		if info.Email != "" {
			id.Email, id.EmailVerified = info.Email, info.EmailVerified
		}
	}
	return id, raw, nil
}

// EndSessionURL is the provider's logout address with id_token_hint and
// post_logout_redirect_uri, or "" when the provider offers none.
func (a *Authenticator) EndSessionURL(ctx context.Context, idToken, postLogout string) string {
	if _, err := a.discover(ctx); err != nil || a.endSession == "" {
		return ""
	}
	u, err := url.Parse(a.endSession)
	if err != nil {
		return ""
	}
	q := u.Query()
	if idToken != "" {
		q.Set("id_token_hint", idToken)
	}
	q.Set("post_logout_redirect_uri", postLogout)
	q.Set("client_id", a.clientID)
	u.RawQuery = q.Encode()
	return u.String()
}
