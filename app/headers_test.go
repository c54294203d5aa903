package app

import (
	"net/http"
	"strings"
	"testing"

	"kogportal/config"
)

func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t, func(c *config.Config, _ *Options) { c.Env = config.EnvProduction })
	e.seed()
	admin := e.browser()
	admin.mustLogin("admin@kog.example")
	cases := []struct {
		path    string
		b       *browser
		status  int
		static  bool
		noStore bool
	}{
		{"/", e.browser(), 200, false, true},
		{"/gremium", e.browser(), 200, false, true},
		{"/admin/benutzer", admin, 200, false, true},
		{"/gibt-es-nicht", e.browser(), 404, false, true},
		{"/auth/callback", e.browser(), 400, false, true},
		{"/healthz", e.browser(), 200, false, true},
		{"/static/css/app.css", e.browser(), 200, true, false},
		{"/static/vendor/kern/kern.min.css", e.browser(), 200, true, false},
		{"/static/fehlt.css", e.browser(), 404, true, false},
	}
	for _, tc := range cases {
		req := newReq(http.MethodGet, tc.path, nil)
		req.Header.Set("Origin", "https://evil.example")
		resp := tc.b.do(req)
		if resp.StatusCode != tc.status {
			t.Errorf("%s: status %d, want %d", tc.path, resp.StatusCode, tc.status)
		}
		h := resp.Header
		csp := h.Get("Content-Security-Policy")
		for _, part := range []string{"default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "script-src 'self'"} {
			if !strings.Contains(csp, part) {
				t.Errorf("%s: CSP lacks %q: %s", tc.path, part, csp)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("%s: CSP allows inline or eval", tc.path)
		}
		checks := map[string]string{
			"X-Content-Type-Options":    "nosniff",
			"Referrer-Policy":           "strict-origin-when-cross-origin",
			"Strict-Transport-Security": "max-age=63072000; includeSubDomains",
		}
		for k, v := range checks {
			if h.Get(k) != v {
				t.Errorf("%s: %s = %q, want %q", tc.path, k, h.Get(k), v)
			}
		}
		if tc.noStore && h.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: Cache-Control %q, want no-store", tc.path, h.Get("Cache-Control"))
		}
		if tc.static && tc.status == 200 && h.Get("Cache-Control") == "no-store" {
			t.Errorf("%s: static file not cacheable", tc.path)
		}
		if h.Get("Server") != "" || h.Get("X-Powered-By") != "" {
			t.Errorf("%s: server software disclosed", tc.path)
		}
		if h.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("%s: CORS header present", tc.path)
		}
	}
	// HSTS only where https is guaranteed: not in development.
	dev := newEnv(t)
	if v := dev.browser().get("/").Header.Get("Strict-Transport-Security"); v != "" {
		t.Errorf("HSTS in development: %q", v)
	}
}
