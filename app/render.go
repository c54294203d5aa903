package app

import (
	"html/template"
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"

	"kogportal/models"
)

// Page is the data every full page carries; each page's data struct embeds
// it. Templates never query: whatever they show is in here.
type Page struct {
	Title     string
	User      *models.User
	Role      models.Role
	CSRFToken string
	Flash     string
	RequestID string
	Path      string
	// SessionIdleEnd is when the session ends without activity; the layout
	// warns SessionWarning before it.
	SessionIdleEnd time.Time
	SessionWarning time.Duration
	// Navigation flags, computed by the policy functions.
	CanSeeInternal bool
	CanManageUsers bool
}

// berlin is the time zone every date is shown in.
var berlin = mustLoadLocation("Europe/Berlin")

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return loc
}

// page fills the common data for the current request.
func (s *Server) page(c *fiber.Ctx, title string) Page {
	u := currentUser(c)
	p := Page{Title: title, User: u, Role: models.RoleOf(u), RequestID: requestID(c), Path: c.Path(),
		CanSeeInternal: models.CanSeeInternal(u), CanManageUsers: models.CanManageUsers(u),
		Flash: s.takeFlash(c)}
	if sess := currentSession(c); sess != nil {
		p.CSRFToken = sess.CSRFToken
		p.SessionIdleEnd = sess.IdleExpiresAt()
		p.SessionWarning = models.SessionWarning
	}
	return p
}

// render writes a full page inside the base layout.
func (s *Server) render(c *fiber.Ctx, status int, name string, data any) error {
	c.Status(status)
	return c.Render(name, data, "layouts/base")
}

const flashCookie = "kog_flash"

// redirectWithFlash ends a state change: 303 to a page that shows msg once.
func (s *Server) redirectWithFlash(c *fiber.Ctx, to, msg string) error {
	c.Cookie(&fiber.Cookie{Name: flashCookie, Value: url.QueryEscape(msg), Path: "/", HTTPOnly: true,
		Secure: s.secureCookies(), SameSite: fiber.CookieSameSiteLaxMode, MaxAge: 60})
	return c.Redirect(to, fiber.StatusSeeOther)
}

// takeFlash reads and clears the one-time message.
func (s *Server) takeFlash(c *fiber.Ctx) string {
	v := c.Cookies(flashCookie)
	if v == "" {
		return ""
	}
	c.Cookie(&fiber.Cookie{Name: flashCookie, Value: "", Path: "/", HTTPOnly: true, Secure: s.secureCookies(),
		SameSite: fiber.CookieSameSiteLaxMode, MaxAge: -1, Expires: time.Unix(1, 0)})
	msg, err := url.QueryUnescape(v)
	if err != nil || len(msg) > 300 {
		return ""
	}
	return msg
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// templateFuncs are the helpers templates may use: formatting only.
func templateFuncs() template.FuncMap {
	return template.FuncMap{
		"datetime": func(t any) string {
			switch v := t.(type) {
			case time.Time:
				if v.IsZero() {
					return ""
				}
				return v.In(berlin).Format("02.01.2006, 15:04 Uhr")
			case *time.Time:
				if v == nil {
					return "–"
				}
				return v.In(berlin).Format("02.01.2006, 15:04 Uhr")
			}
			return ""
		},
		"isotime": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"minutes": func(d time.Duration) int { return int(d.Minutes()) },
		"add":     func(a, b int) int { return a + b },
		"sub":     func(a, b int) int { return a - b },
	}
}
