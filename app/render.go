package app

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"net/url"
	"strconv"
	"strings"
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
//
// The page is rendered on its own first: the layout's {{embed}} prints a
// failing page template's error as text with status 200, so an error must
// be caught here and go to the error handler as a 500.
func (s *Server) render(c *fiber.Ctx, status int, name string, data any) error {
	var probe bytes.Buffer
	if err := s.views.Render(&probe, name, data); err != nil {
		return fmt.Errorf("Vorlage %s: %w", name, err)
	}
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
		"date": func(t any) string {
			switch v := t.(type) {
			case time.Time:
				return v.In(berlin).Format("02.01.2006")
			case *time.Time:
				if v != nil {
					return v.In(berlin).Format("02.01.2006")
				}
			}
			return ""
		},
		"isodate": func(t time.Time) string { return t.Format("2006-01-02") },
		"webcal":  webcal,
		"field": func(name, label, typ, value string, errs map[string]string, optional bool) inputField {
			return inputField{Name: name, Label: label, Type: typ, Value: value, Error: errs[name], Optional: optional}
		},
		// when is a meeting's time span in Berlin: "Mi., 14.01.2026, 10:00–11:30 Uhr".
		"when":       renderWhen,
		"quorum":     quorumLine,
		"priorities": func() []string { return models.Priorities },
		// diffHTML renders a word diff with <ins> and <del>; the text is
		// escaped, only the two tags are markup.
		"diffHTML": func(parts []models.DiffPart) template.HTML {
			var b strings.Builder
			for _, p := range parts {
				t := template.HTMLEscapeString(p.Text)
				switch p.Op {
				case models.DiffInsert:
					b.WriteString("<ins>" + t + "</ins>")
				case models.DiffDelete:
					b.WriteString("<del>" + t + "</del>")
				default:
					b.WriteString(t)
				}
			}
			return template.HTML(b.String())
		},
		"deref": func(p *uint) uint {
			if p == nil {
				return 0
			}
			return *p
		},
		"hasItems": func(secs []agendaSection) bool {
			for _, s := range secs {
				if len(s.Items) > 0 {
					return true
				}
			}
			return false
		},
		"kb": func(n int64) string {
			if n < 1024*1024 {
				return strconv.FormatInt((n+1023)/1024, 10) + " KB"
			}
			return strconv.FormatFloat(float64(n)/(1024*1024), 'f', 1, 64) + " MB"
		},
		"commentCtx": func(v commentView, csrf string, topicID uint, canReply bool) commentCtx {
			return commentCtx{V: v, CSRF: csrf, TopicID: topicID, CanReply: canReply}
		},
		// personLine pairs a term with what the viewer may see of the
		// person's contact data, for partials/person_line.
		"termFields": func(orgID uint, role string, deputyFor uint, voting bool, start string, orgs []models.Organisation,
			members []models.Membership, roles []models.SeatRole, errs map[string]string) termFields {
			return termFields{orgID, role, deputyFor, voting, start, orgs, members, roles, errs}
		},
		"personLine": func(m models.Membership, contacts map[uint]Contact) personLine {
			return personLine{M: m, C: contacts[m.PersonID]}
		},
		"sub": func(a, b int) int { return a - b },
	}
}

// asValidation unwraps a ValidationError so a handler can show its form again.
func asValidation(err error) (*models.ValidationError, bool) {
	var ve *models.ValidationError
	ok := errors.As(err, &ve)
	return ve, ok
}

type personLine struct {
	M models.Membership
	C Contact
}

// termFields is the data of partials/term_fields, shared by the invitation
// and the new-term form.
type termFields struct {
	OrgID         uint
	Role          string
	DeputyForID   uint
	Voting        bool
	Start         string
	Organisations []models.Organisation
	Members       []models.Membership
	SeatRoles     []models.SeatRole
	Errors        map[string]string
}

// inputField is the data of partials/input.
type inputField struct {
	Name, Label, Type, Value, Error string
	Optional                        bool
}

// commentCtx is the data of partials/comment (one thread or reply).
type commentCtx struct {
	V        commentView
	CSRF     string
	TopicID  uint
	CanReply bool
}
