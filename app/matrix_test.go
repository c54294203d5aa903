package app

import (
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	_ "github.com/mattn/go-sqlite3"
)

// The roles of the matrix, in column order.
var matrixRoles = []string{"anonym", "reader", "member", "chair", "admin"}

var roleAccount = map[string]string{
	"reader": "leser@kog.example", "member": "mitglied@kog.example",
	"chair": "vorsitz@kog.example", "admin": "admin@kog.example",
}

// routeMatrix is the one table of who gets what on every route: expected
// status for anonymous, reader, member, chair, admin. Requests carry a valid
// CSRF token for the role, so the table shows the permission, not the CSRF
// check. A route missing here fails TestRouteRoleMatrix: deny by default.
var routeMatrix = map[string][5]int{
	"GET /healthz":                        {200, 200, 200, 200, 200},
	"GET /readyz":                         {200, 200, 200, 200, 200},
	"GET /auth/login":                     {303, 303, 303, 303, 303},
	"GET /auth/callback":                  {400, 400, 400, 400, 400},
	"POST /auth/logout":                   {403, 303, 303, 303, 303},
	"POST /auth/sitzung":                  {403, 303, 303, 303, 303},
	"GET /":                               {200, 200, 200, 200, 200},
	"GET /impressum":                      {200, 200, 200, 200, 200},
	"GET /datenschutz":                    {200, 200, 200, 200, 200},
	"GET /barrierefreiheit":               {200, 200, 200, 200, 200},
	"GET /gremium":                        {200, 200, 200, 200, 200},
	"GET /organisationen/:id":             {200, 200, 200, 200, 200},
	"GET /admin/benutzer":                 {303, 403, 403, 403, 200},
	"GET /admin/benutzer/:id":             {303, 403, 403, 403, 200},
	"POST /admin/benutzer/:id/rolle":      {403, 403, 403, 403, 303},
	"POST /admin/benutzer/:id/sperren":    {403, 403, 403, 403, 303},
	"POST /admin/benutzer/:id/entsperren": {403, 403, 403, 403, 303},
	"GET /admin/audit":                    {303, 403, 403, 403, 200},
}

// formFor gives each POST route a valid body besides the CSRF token.
var formFor = map[string]url.Values{
	"POST /admin/benutzer/:id/rolle": {"role": {"member"}},
	"POST /auth/sitzung":             {"next": {"/"}},
}

// appRoutes lists "METHOD /path" of every registered route (HEAD mirrors
// GET and is left out).
func appRoutes(e *testEnv) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range e.srv.App().GetRoutes(true) {
		if r.Method == http.MethodHead {
			continue
		}
		k := r.Method + " " + r.Path
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// concrete fills route parameters with records that exist.
func concrete(e *testEnv, path string) string {
	return strings.ReplaceAll(path, ":id", itoa(userID(e.t, e, "ziel@gemeinde.example")))
}

func TestRouteRoleMatrix(t *testing.T) {
	e := newEnv(t)
	e.seed()
	if _, err := e.store.InviteUser(t.Context(), "ziel@gemeinde.example", "Zora Ziel", "reader"); err != nil {
		t.Fatal(err)
	}
	// Organisation IDs and the target user's ID differ; make :id valid for both.
	orgPath := "/organisationen/1"
	for _, route := range appRoutes(e) {
		want, ok := routeMatrix[route]
		if !ok {
			t.Errorf("route %s is not in the role matrix: add its row (deny by default)", route)
			continue
		}
		method, path, _ := strings.Cut(route, " ")
		for i, role := range matrixRoles {
			b := e.browser()
			if role != "anonym" {
				b.mustLogin(roleAccount[role])
			}
			target := concrete(e, path)
			if path == "/organisationen/:id" {
				target = orgPath
			}
			var resp *http.Response
			if method == http.MethodPost {
				form := url.Values{}
				for k, v := range formFor[route] {
					form[k] = v
				}
				if role != "anonym" {
					form.Set("_csrf", b.csrf())
				}
				resp = b.post(target, form)
			} else {
				resp = b.get(target)
			}
			if resp.StatusCode != want[i] {
				t.Errorf("%s as %s: status %d, want %d", route, role, resp.StatusCode, want[i])
			}
			if resp.StatusCode == 303 && want[i] == 303 && role == "anonym" && method == http.MethodGet && strings.HasPrefix(path, "/admin") {
				if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, "/auth/login?next=") {
					t.Errorf("%s anonymous: redirected to %q, want the sign-in", route, loc)
				}
			}
		}
	}
	for route := range routeMatrix {
		found := false
		for _, r := range appRoutes(e) {
			found = found || r == route
		}
		if !found {
			t.Errorf("matrix row %s has no route: remove it", route)
		}
	}
}

// dbChecksum hashes every row of every table through a separate read-only
// connection, so a test can prove a request changed nothing.
func dbChecksum(t *testing.T, e *testEnv) string {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(e.cfg.DataDir, "kog.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		_ = rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	h := sha256.New()
	for _, table := range tables {
		r, err := db.Query(fmt.Sprintf("SELECT * FROM %q ORDER BY 1", table))
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := r.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for r.Next() {
			_ = r.Scan(ptrs...)
			fmt.Fprintf(h, "%s:%v\n", table, vals)
		}
		r.Close()
	}
	return hex.EncodeToString(h.Sum(nil))
}

func TestCSRFOnEveryStateChange(t *testing.T) {
	e := newEnv(t)
	e.seed()
	if _, err := e.store.InviteUser(t.Context(), "ziel@gemeinde.example", "Zora Ziel", "reader"); err != nil {
		t.Fatal(err)
	}
	admin := e.browser()
	admin.mustLogin("admin@kog.example")
	other := e.browser()
	other.mustLogin("vorsitz@kog.example")
	foreignToken := other.csrf()
	checked := 0
	for _, route := range appRoutes(e) {
		method, path, _ := strings.Cut(route, " ")
		if method == http.MethodGet {
			continue
		}
		checked++
		for name, token := range map[string]string{"no token": "", "wrong token": "x" + admin.csrf(), "token of another session": foreignToken} {
			before := dbChecksum(t, e)
			form := url.Values{}
			for k, v := range formFor[route] {
				form[k] = v
			}
			if token != "" {
				form.Set("_csrf", token)
			}
			resp := admin.post(concrete(e, path), form)
			page := body(t, resp)
			if resp.StatusCode != http.StatusForbidden || !strings.Contains(page, "Sicherheitstoken") {
				t.Errorf("%s with %s: status %d, want 403 with German message", route, name, resp.StatusCode)
			}
			if after := dbChecksum(t, e); after != before {
				t.Errorf("%s with %s changed the database", route, name)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no state-changing routes found")
	}
	// The header htmx sends is accepted in place of the form field.
	req := newReq(http.MethodPost, "/auth/sitzung", strings.NewReader("next=/"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-CSRF-Token", admin.csrf())
	if resp := admin.do(req); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("X-CSRF-Token header refused: %d", resp.StatusCode)
	}
}
