package config

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// env turns a map into a getenv function.
func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func load(t *testing.T, m map[string]string) *Config {
	t.Helper()
	c, err := LoadFrom(env(m))
	if err != nil {
		t.Fatalf("LoadFrom: %v", err)
	}
	return c
}

// TestDevelopmentDefaults loads with no KOG_* variable at all: the defaults
// of the DESIGN.md table. The working directory is a temporary one, because
// the default data directory ./data receives the generated session key.
func TestDevelopmentDefaults(t *testing.T) {
	t.Chdir(t.TempDir())
	c := load(t, nil)

	checks := []struct{ name, got, want string }{
		{"KOG_ENV", c.Env, EnvDevelopment},
		{"KOG_ADDR", c.Addr, "localhost:3000"},
		{"KOG_BASE_URL", c.BaseURL, "http://localhost:3000"},
		{"KOG_DATA_DIR", c.DataDir, "./data"},
		{"KOG_DATABASE_URL", c.DatabaseURL, ""},
		{"KOG_OIDC_ISSUER", c.OIDCIssuer, ""},
		{"KOG_OIDC_CLIENT_ID", c.OIDCClientID, ""},
		{"KOG_OIDC_CLIENT_SECRET", c.OIDCClientSecret, ""},
		{"KOG_LOG_FORMAT", c.LogFormat, "text"},
		{"KOG_LOG_LEVEL", c.LogLevel, "info"},
		{"KOG_SMTP_URL", c.SMTPURL, ""},
		{"SQLitePath", c.SQLitePath(), filepath.Join("data", "kog.db")},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %q, want %q", ch.name, ch.got, ch.want)
		}
	}
	if !slices.Equal(c.AdminSubjects, []string{DemoAdmin}) {
		t.Errorf("KOG_ADMIN_SUBJECTS = %q, want the demo admin %q", c.AdminSubjects, DemoAdmin)
	}
	if len(c.TrustedProxies) != 0 {
		t.Errorf("KOG_TRUSTED_PROXIES = %q, want none", c.TrustedProxies)
	}
	if c.IsProduction() || !c.UseDevProvider() {
		t.Errorf("IsProduction = %v, UseDevProvider = %v; want false, true", c.IsProduction(), c.UseDevProvider())
	}
	if err := c.Validate(); err != nil {
		t.Errorf("Validate of the development defaults: %v", err)
	}

	// The generated session secret is kept in ./data and reused.
	if len(c.SessionSecret) < 32 || weakSecret(c.SessionSecret) {
		t.Fatalf("generated secret %q is too weak", c.SessionSecret)
	}
	b, err := os.ReadFile(filepath.Join("data", "session.key"))
	if err != nil {
		t.Fatalf("session key not persisted: %v", err)
	}
	if strings.TrimSpace(string(b)) != c.SessionSecret {
		t.Errorf("persisted key %q, config holds %q", b, c.SessionSecret)
	}
	if again := load(t, nil); again.SessionSecret != c.SessionSecret {
		t.Errorf("second load generated a new secret")
	}
}

func TestDevSecretFile(t *testing.T) {
	t.Run("created private and reused", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "nested", "data")
		first := load(t, map[string]string{"KOG_DATA_DIR": dir})
		for path, want := range map[string]os.FileMode{dir: 0o700, filepath.Join(dir, "session.key"): 0o600} {
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if got := fi.Mode().Perm(); got != want {
				t.Errorf("%s mode %o, want %o", path, got, want)
			}
		}
		second := load(t, map[string]string{"KOG_DATA_DIR": dir})
		if second.SessionSecret != first.SessionSecret {
			t.Error("second load generated a new secret")
		}
		if other := load(t, map[string]string{"KOG_DATA_DIR": t.TempDir()}); other.SessionSecret == first.SessionSecret {
			t.Error("two data directories got the same secret")
		}
	})
	t.Run("a short stored key is replaced", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "session.key"), []byte("short\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		c := load(t, map[string]string{"KOG_DATA_DIR": dir})
		if len(c.SessionSecret) < 32 {
			t.Fatalf("secret %q kept from a short key file", c.SessionSecret)
		}
		if b, _ := os.ReadFile(filepath.Join(dir, "session.key")); strings.TrimSpace(string(b)) != c.SessionSecret {
			t.Error("the replacement was not persisted")
		}
	})
	t.Run("an explicit secret wins and writes nothing", func(t *testing.T) {
		dir := t.TempDir()
		c := load(t, map[string]string{"KOG_DATA_DIR": dir, "KOG_SESSION_SECRET": "explicit-secret-explicit-secret-explicit"})
		if c.SessionSecret != "explicit-secret-explicit-secret-explicit" {
			t.Errorf("secret = %q", c.SessionSecret)
		}
		if _, err := os.Stat(filepath.Join(dir, "session.key")); !os.IsNotExist(err) {
			t.Errorf("session.key written although KOG_SESSION_SECRET is set (%v)", err)
		}
	})
	t.Run("production never generates one", func(t *testing.T) {
		dir := t.TempDir()
		c := load(t, map[string]string{"KOG_ENV": "production", "KOG_DATA_DIR": dir})
		if c.SessionSecret != "" || len(c.AdminSubjects) != 0 {
			t.Errorf("production got secret %q and admins %q from development defaults", c.SessionSecret, c.AdminSubjects)
		}
		if _, err := os.Stat(filepath.Join(dir, "session.key")); !os.IsNotExist(err) {
			t.Errorf("production wrote session.key (%v)", err)
		}
	})
}

func TestLoadReadsEveryVariable(t *testing.T) {
	c := load(t, map[string]string{
		"KOG_ENV":                "production",
		"KOG_ADDR":               " 0.0.0.0:8080 ",
		"KOG_BASE_URL":           "https://kog.example/",
		"KOG_DATA_DIR":           "/var/lib/kog",
		"KOG_DATABASE_URL":       "postgres://kog@db/kog",
		"KOG_SESSION_SECRET":     "0123456789abcdef0123456789abcdef",
		"KOG_OIDC_ISSUER":        "https://login.example/realms/kog",
		"KOG_OIDC_CLIENT_ID":     "kog-portal",
		"KOG_OIDC_CLIENT_SECRET": "s3cret",
		"KOG_ADMIN_SUBJECTS":     "https://login.example/realms/kog|abc, admin@kog.example\nsecond@kog.example",
		"KOG_OIDC_GROUP_ROLES":   "KoG Vorsitz=chair, kog-mitglied = member\nkog-leser=reader",
		"KOG_TRUSTED_PROXIES":    "10.0.0.0/8,192.0.2.10",
		"KOG_LOG_FORMAT":         "json",
		"KOG_LOG_LEVEL":          "warn",
		"KOG_SMTP_URL":           "smtp://mail.example:587",
	})
	got := []string{c.Env, c.Addr, c.BaseURL, c.DataDir, c.DatabaseURL, c.SessionSecret, c.OIDCIssuer,
		c.OIDCClientID, c.OIDCClientSecret, c.LogFormat, c.LogLevel, c.SMTPURL, c.SQLitePath()}
	want := []string{"production", "0.0.0.0:8080", "https://kog.example", "/var/lib/kog", "postgres://kog@db/kog",
		"0123456789abcdef0123456789abcdef", "https://login.example/realms/kog", "kog-portal", "s3cret", "json", "warn",
		"smtp://mail.example:587", "/var/lib/kog/kog.db"}
	if !slices.Equal(got, want) {
		t.Errorf("loaded\n%q\nwant\n%q", got, want)
	}
	if want := []string{"https://login.example/realms/kog|abc", "admin@kog.example", "second@kog.example"}; !slices.Equal(c.AdminSubjects, want) {
		t.Errorf("AdminSubjects = %q, want %q", c.AdminSubjects, want)
	}
	if want := []string{"10.0.0.0/8", "192.0.2.10"}; !slices.Equal(c.TrustedProxies, want) {
		t.Errorf("TrustedProxies = %q, want %q", c.TrustedProxies, want)
	}
	if c.GroupRoles["KoG Vorsitz"] != "chair" || c.GroupRoles["kog-mitglied"] != "member" || c.GroupRoles["kog-leser"] != "reader" || len(c.GroupRoles) != 3 {
		t.Errorf("GroupRoles = %v", c.GroupRoles)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

// productionEnv is a complete, valid production configuration.
func productionEnv(dataDir string) map[string]string {
	return map[string]string{
		"KOG_ENV":                "production",
		"KOG_ADDR":               ":3000",
		"KOG_BASE_URL":           "https://kog.example",
		"KOG_DATA_DIR":           dataDir,
		"KOG_SESSION_SECRET":     "5f0c2a9e7d41b83c6e2f9a0d4b7c1e8f3a6d9b2c5e8f1a4d7b0c3e6f9a2d5b8c",
		"KOG_OIDC_ISSUER":        "https://login.example/realms/kog",
		"KOG_OIDC_CLIENT_ID":     "kog-portal",
		"KOG_OIDC_CLIENT_SECRET": "client-secret",
		"KOG_ADMIN_SUBJECTS":     "https://login.example/realms/kog|0b5e7c",
		"KOG_TRUSTED_PROXIES":    "10.0.0.0/8 fd00::/8 192.0.2.10",
		"KOG_LOG_FORMAT":         "json",
		"KOG_LOG_LEVEL":          "info",
	}
}

func TestValidProductionConfig(t *testing.T) {
	c := load(t, productionEnv(t.TempDir()))
	if err := c.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if !c.IsProduction() || c.UseDevProvider() {
		t.Errorf("IsProduction = %v, UseDevProvider = %v; want true, false", c.IsProduction(), c.UseDevProvider())
	}
}

// TestValidateNamesTheVariable changes one variable of a valid production
// configuration at a time; Validate must refuse and name that variable, and
// complain about nothing else.
func TestValidateNamesTheVariable(t *testing.T) {
	const unset = "\x00unset"
	cases := []struct {
		name    string
		key     string
		value   string
		wantVar string
	}{
		{"missing session secret", "KOG_SESSION_SECRET", unset, "KOG_SESSION_SECRET"},
		{"short session secret", "KOG_SESSION_SECRET", strings.Repeat("k3Y", 10) + "x", "KOG_SESSION_SECRET"},
		{"one repeated character", "KOG_SESSION_SECRET", strings.Repeat("a", 48), "KOG_SESSION_SECRET"},
		{"two alternating characters", "KOG_SESSION_SECRET", strings.Repeat("ab", 24), "KOG_SESSION_SECRET"},
		{"repeated word", "KOG_SESSION_SECRET", strings.Repeat("changeme", 4), "KOG_SESSION_SECRET"},
		{"http base URL", "KOG_BASE_URL", "http://kog.example", "KOG_BASE_URL"},
		{"relative base URL", "KOG_BASE_URL", "kog.example", "KOG_BASE_URL"},
		{"missing issuer", "KOG_OIDC_ISSUER", unset, "KOG_OIDC_ISSUER"},
		{"http issuer", "KOG_OIDC_ISSUER", "http://login.example/realms/kog", "KOG_OIDC_ISSUER"},
		{"missing client id", "KOG_OIDC_CLIENT_ID", unset, "KOG_OIDC_CLIENT_ID"},
		{"missing client secret", "KOG_OIDC_CLIENT_SECRET", unset, "KOG_OIDC_CLIENT_SECRET"},
		{"missing admin subjects", "KOG_ADMIN_SUBJECTS", unset, "KOG_ADMIN_SUBJECTS"},
		{"bad log level", "KOG_LOG_LEVEL", "verbose", "KOG_LOG_LEVEL"},
		{"bad log format", "KOG_LOG_FORMAT", "xml", "KOG_LOG_FORMAT"},
		{"CIDR out of range", "KOG_TRUSTED_PROXIES", "10.0.0.0/33", "KOG_TRUSTED_PROXIES"},
		{"host name as proxy", "KOG_TRUSTED_PROXIES", "10.0.0.0/8 proxy.example", "KOG_TRUSTED_PROXIES"},
		{"unknown environment", "KOG_ENV", "prod", "KOG_ENV"},
		{"address without port", "KOG_ADDR", "localhost", "KOG_ADDR"},
		{"database URL of another kind", "KOG_DATABASE_URL", "mysql://db/kog", "KOG_DATABASE_URL"},
		{"unknown group role", "KOG_OIDC_GROUP_ROLES", "kog-admins=root", "KOG_OIDC_GROUP_ROLES"},
		{"group without role", "KOG_OIDC_GROUP_ROLES", "kog-admins", "KOG_OIDC_GROUP_ROLES"},
		{"role without group", "KOG_OIDC_GROUP_ROLES", "=admin", "KOG_OIDC_GROUP_ROLES"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := productionEnv(t.TempDir())
			if tc.value == unset {
				delete(m, tc.key)
			} else {
				m[tc.key] = tc.value
			}
			err := load(t, m).Validate()
			if err == nil {
				t.Fatalf("Validate accepted %s=%q", tc.key, tc.value)
			}
			if !strings.Contains(err.Error(), tc.wantVar) {
				t.Errorf("error does not name %s: %v", tc.wantVar, err)
			}
			if lines := strings.Split(err.Error(), "\n"); len(lines) != 1 {
				t.Errorf("one problem, %d complaints: %q", len(lines), lines)
			}
		})
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	err := load(t, map[string]string{"KOG_ENV": "production", "KOG_DATA_DIR": t.TempDir(), "KOG_LOG_LEVEL": "loud"}).Validate()
	if err == nil {
		t.Fatal("an empty production configuration passed")
	}
	for _, v := range []string{"KOG_BASE_URL", "KOG_SESSION_SECRET", "KOG_OIDC_ISSUER", "KOG_ADMIN_SUBJECTS", "KOG_LOG_LEVEL"} {
		if !strings.Contains(err.Error(), v) {
			t.Errorf("error does not name %s:\n%v", v, err)
		}
	}
}

func TestValidateDevelopment(t *testing.T) {
	cases := []struct {
		name    string
		env     map[string]string
		wantVar string // "" for valid
	}{
		{"plain http on localhost", map[string]string{"KOG_BASE_URL": "http://localhost:3000"}, ""},
		{"a real provider", map[string]string{"KOG_OIDC_ISSUER": "http://localhost:8080/realms/kog",
			"KOG_OIDC_CLIENT_ID": "kog", "KOG_OIDC_CLIENT_SECRET": "x"}, ""},
		{"a real provider without client", map[string]string{"KOG_OIDC_ISSUER": "http://localhost:8080/realms/kog"}, "KOG_OIDC_CLIENT_ID"},
		{"bad log format", map[string]string{"KOG_LOG_FORMAT": "yaml"}, "KOG_LOG_FORMAT"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.env["KOG_DATA_DIR"] = t.TempDir()
			c := load(t, tc.env)
			if c.UseDevProvider() != (tc.env["KOG_OIDC_ISSUER"] == "") {
				t.Errorf("UseDevProvider = %v with issuer %q", c.UseDevProvider(), tc.env["KOG_OIDC_ISSUER"])
			}
			err := c.Validate()
			switch {
			case tc.wantVar == "" && err != nil:
				t.Fatalf("Validate: %v", err)
			case tc.wantVar != "" && (err == nil || !strings.Contains(err.Error(), tc.wantVar)):
				t.Fatalf("Validate = %v, want an error naming %s", err, tc.wantVar)
			}
		})
	}
}
