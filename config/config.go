// Package config loads the portal's settings from KOG_* environment variables.
//
// Every setting has a development default so that `make run` works on a fresh
// machine; Validate refuses a production start with a missing or weak value.
// The Config value is passed down explicitly and never kept in a global.
package config

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// Environments the portal knows.
const (
	EnvDevelopment = "development"
	EnvProduction  = "production"
)

// DemoAdmin is the account that becomes admin in development when
// KOG_ADMIN_SUBJECTS is not set.
const DemoAdmin = "admin@kog.example"

// Config holds every setting of the portal, one field per KOG_* variable.
type Config struct {
	Env              string   // KOG_ENV
	Addr             string   // KOG_ADDR
	BaseURL          string   // KOG_BASE_URL
	DataDir          string   // KOG_DATA_DIR
	DatabaseURL      string   // KOG_DATABASE_URL
	SessionSecret    string   // KOG_SESSION_SECRET
	OIDCIssuer       string   // KOG_OIDC_ISSUER
	OIDCClientID     string   // KOG_OIDC_CLIENT_ID
	OIDCClientSecret string   // KOG_OIDC_CLIENT_SECRET
	AdminSubjects    []string // KOG_ADMIN_SUBJECTS, "issuer|subject" or e-mail
	// GroupRoles maps values of the provider's "groups" claim to portal
	// roles (KOG_OIDC_GROUP_ROLES="kog-vorsitz=chair,kog-mitglied=member"),
	// for operators whose IdP already knows the committee.
	GroupRoles     map[string]string
	TrustedProxies []string // KOG_TRUSTED_PROXIES, CIDRs
	LogFormat      string   // KOG_LOG_FORMAT
	LogLevel       string   // KOG_LOG_LEVEL
	SMTPURL        string   // KOG_SMTP_URL
}

// Load reads the configuration from the process environment.
func Load() (*Config, error) { return LoadFrom(os.Getenv) }

// LoadFrom reads the configuration through getenv, so tests need not touch the
// process environment. In development a missing session secret is generated
// once and kept in the data directory, so sessions survive restarts.
func LoadFrom(getenv func(string) string) (*Config, error) {
	get := func(key, def string) string {
		if v := strings.TrimSpace(getenv(key)); v != "" {
			return v
		}
		return def
	}
	c := &Config{
		Env:              get("KOG_ENV", EnvDevelopment),
		Addr:             get("KOG_ADDR", "localhost:3000"),
		BaseURL:          strings.TrimRight(get("KOG_BASE_URL", "http://localhost:3000"), "/"),
		DataDir:          get("KOG_DATA_DIR", "./data"),
		DatabaseURL:      get("KOG_DATABASE_URL", ""),
		SessionSecret:    get("KOG_SESSION_SECRET", ""),
		OIDCIssuer:       get("KOG_OIDC_ISSUER", ""),
		OIDCClientID:     get("KOG_OIDC_CLIENT_ID", ""),
		OIDCClientSecret: get("KOG_OIDC_CLIENT_SECRET", ""),
		AdminSubjects:    splitList(getenv("KOG_ADMIN_SUBJECTS")),
		TrustedProxies:   splitList(getenv("KOG_TRUSTED_PROXIES")),
		GroupRoles:       map[string]string{},
		LogFormat:        get("KOG_LOG_FORMAT", "text"),
		LogLevel:         get("KOG_LOG_LEVEL", "info"),
		SMTPURL:          get("KOG_SMTP_URL", ""),
	}
	// Pairs are separated by commas or newlines only: group names may hold
	// spaces ("KoG Vorsitz=chair"), and "group = role" is read as meant.
	for _, pair := range strings.FieldsFunc(getenv("KOG_OIDC_GROUP_ROLES"), func(r rune) bool { return r == ',' || r == '\n' }) {
		if strings.TrimSpace(pair) == "" {
			continue
		}
		group, role, _ := strings.Cut(pair, "=")
		c.GroupRoles[strings.TrimSpace(group)] = strings.TrimSpace(role)
	}
	if !c.IsProduction() {
		if len(c.AdminSubjects) == 0 {
			c.AdminSubjects = []string{DemoAdmin}
		}
		if c.SessionSecret == "" {
			secret, err := devSecret(c.DataDir)
			if err != nil {
				return nil, err
			}
			c.SessionSecret = secret
		}
	}
	return c, nil
}

// IsProduction reports whether the portal runs with production safeguards.
func (c *Config) IsProduction() bool { return c.Env == EnvProduction }

// UseDevProvider reports whether the built-in development OpenID provider
// replaces a real one: only in development and only without a configured issuer.
func (c *Config) UseDevProvider() bool { return !c.IsProduction() && c.OIDCIssuer == "" }

// SQLitePath is the database file used when no KOG_DATABASE_URL is given.
func (c *Config) SQLitePath() string { return filepath.Join(c.DataDir, "kog.db") }

// Validate checks the settings and names the first problems in plain German,
// so an operator knows which variable to fix.
func (c *Config) Validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	if c.Env != EnvDevelopment && c.Env != EnvProduction {
		add("KOG_ENV muss „development“ oder „production“ sein, nicht %q", c.Env)
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		add("KOG_ADDR ist keine gültige Adresse der Form host:port: %q", c.Addr)
	}
	base, err := url.Parse(c.BaseURL)
	baseOK := err == nil && (base.Scheme == "http" || base.Scheme == "https") && base.Host != ""
	if !baseOK {
		add("KOG_BASE_URL muss eine absolute http(s)-Adresse sein, nicht %q", c.BaseURL)
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		add("KOG_DATABASE_URL muss mit postgres:// beginnen oder leer sein (dann SQLite)")
	}
	for _, cidr := range c.TrustedProxies {
		if _, _, err := net.ParseCIDR(cidr); err != nil && net.ParseIP(cidr) == nil {
			add("KOG_TRUSTED_PROXIES enthält keinen gültigen CIDR-Bereich: %q", cidr)
		}
	}
	for group, role := range c.GroupRoles {
		switch {
		case group == "":
			add("KOG_OIDC_GROUP_ROLES: vor „=%s“ fehlt der Name der Gruppe", role)
		case role == "reader", role == "member", role == "chair", role == "admin":
		default:
			add("KOG_OIDC_GROUP_ROLES: Gruppe %q braucht eine der Rollen reader, member, chair oder admin, nicht %q", group, role)
		}
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		add("KOG_LOG_FORMAT muss „text“ oder „json“ sein, nicht %q", c.LogFormat)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		add("KOG_LOG_LEVEL muss debug, info, warn oder error sein, nicht %q", c.LogLevel)
	}
	if c.OIDCIssuer != "" && (c.OIDCClientID == "" || c.OIDCClientSecret == "") {
		add("KOG_OIDC_CLIENT_ID und KOG_OIDC_CLIENT_SECRET müssen gesetzt sein, wenn KOG_OIDC_ISSUER gesetzt ist")
	}
	if c.IsProduction() {
		if baseOK && base.Scheme != "https" {
			add("KOG_BASE_URL muss im Produktivbetrieb mit https:// beginnen")
		}
		if len(c.SessionSecret) < 32 {
			add("KOG_SESSION_SECRET fehlt oder ist zu kurz: mindestens 32 Zeichen sind nötig")
		} else if weakSecret(c.SessionSecret) {
			add("KOG_SESSION_SECRET ist zu schwach: es besteht aus zu wenigen verschiedenen Zeichen (etwa „aaaa…“ oder ein wiederholtes Wort); erzeugen Sie es zufällig, z. B. mit „openssl rand -hex 32“")
		}
		if c.OIDCIssuer == "" {
			add("KOG_OIDC_ISSUER fehlt: im Produktivbetrieb ist ein echter OpenID-Provider nötig, der eingebaute Entwicklungs-Provider ist abgeschaltet")
		} else if iss, err := url.Parse(c.OIDCIssuer); err != nil || iss.Scheme != "https" {
			add("KOG_OIDC_ISSUER muss eine https-Adresse sein")
		}
		if len(c.AdminSubjects) == 0 {
			add("KOG_ADMIN_SUBJECTS fehlt: mindestens ein erstes Admin-Konto (issuer|subject oder bestätigte E-Mail) ist nötig")
		}
	}
	return errors.Join(errs...)
}

// weakSecret catches placeholder secrets: "aaaa…", "0000…", "abab…",
// "changemechangeme…". Fewer than 8 distinct bytes in 32 or more is not
// random: 32 random hex digits show fewer than 8 distinct ones with a chance
// of 4e-8, the 64 of `openssl rand -hex 32` with one of 1e-19.
func weakSecret(s string) bool {
	distinct := map[byte]bool{}
	for i := 0; i < len(s); i++ {
		distinct[s[i]] = true
	}
	return len(distinct) < 8
}

func splitList(v string) []string {
	var out []string
	for _, part := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' }) {
		if p := strings.TrimSpace(part); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// devSecret returns the development secret kept in dataDir, creating it once.
func devSecret(dataDir string) (string, error) {
	path := filepath.Join(dataDir, "session.key")
	if b, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(b))) >= 32 {
		return strings.TrimSpace(string(b)), nil
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return "", fmt.Errorf("Datenverzeichnis %s kann nicht angelegt werden: %w", dataDir, err)
	}
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return "", err
	}
	secret := hex.EncodeToString(buf)
	if err := os.WriteFile(path, []byte(secret+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("Sitzungsschlüssel kann nicht gespeichert werden: %w", err)
	}
	return secret, nil
}
