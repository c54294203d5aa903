package app

import (
	"html/template"
	"net/url"
	"strconv"
	"strings"

	ics "github.com/arran4/golang-ical"
	"github.com/gofiber/fiber/v2"

	"kogportal/models"
)

// buildCalendar renders meetings as RFC 5545 iCalendar with a VTIMEZONE for
// Europe/Berlin, stable UIDs, SEQUENCE from the meeting, STATUS:CANCELLED
// for called-off meetings, and the video link only when withVideo is set.
func (s *Server) buildCalendar(name string, meetings []models.Meeting, withVideo bool) string {
	cal := ics.NewCalendarFor("KoG-Portal")
	cal.SetMethod(ics.MethodPublish)
	cal.SetName(name)
	cal.SetXWRCalName(name)
	cal.SetXWRTimezone("Europe/Berlin")
	cal.AddVTimezone(berlinTimezone())
	host := strings.TrimPrefix(strings.TrimPrefix(s.cfg.BaseURL, "https://"), "http://")
	for _, m := range meetings {
		e := cal.AddEvent("sitzung-" + strconv.FormatUint(uint64(m.ID), 10) + "@" + host)
		e.SetDtStampTime(m.UpdatedAt)
		e.SetModifiedAt(m.UpdatedAt)
		e.SetSequence(m.Sequence)
		e.SetProperty(ics.ComponentPropertyDtStart, m.StartsAt.In(berlin).Format("20060102T150405"), ics.WithTZID("Europe/Berlin"))
		e.SetProperty(ics.ComponentPropertyDtEnd, m.EndsAt.In(berlin).Format("20060102T150405"), ics.WithTZID("Europe/Berlin"))
		e.SetSummary("Kommunalgremium: " + m.Display())
		desc := m.Kind.Label()
		if m.Description != "" {
			desc += "\n\n" + m.Description
		}
		if withVideo && m.VideoURL != "" {
			desc += "\n\nVideokonferenz: " + m.VideoURL
			e.SetLocation(m.VideoURL)
		} else if m.Location != "" {
			e.SetLocation(strings.TrimSpace(m.Location + ", " + m.Address))
		}
		e.SetDescription(desc)
		e.SetURL(s.cfg.BaseURL + meetingPath(m.ID))
		switch m.Status {
		case models.StatusCancelled:
			e.SetStatus(ics.ObjectStatusCancelled)
		case models.StatusPlanned:
			e.SetStatus(ics.ObjectStatusTentative)
		default:
			e.SetStatus(ics.ObjectStatusConfirmed)
		}
	}
	return cal.Serialize()
}

// berlinTimezone is the VTIMEZONE of Europe/Berlin under the EU rule
// (since 1996): CEST from the last Sunday of March, CET from the last
// Sunday of October.
func berlinTimezone() *ics.VTimezone {
	tz := ics.NewTimezone("Europe/Berlin")
	std := tz.AddStandard()
	std.AddProperty(ics.ComponentProperty(ics.PropertyTzname), "CET")
	std.AddProperty(ics.ComponentPropertyDtStart, "19961027T030000")
	std.AddProperty(ics.ComponentPropertyRrule, "FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU")
	std.AddProperty(ics.ComponentProperty(ics.PropertyTzoffsetfrom), "+0200")
	std.AddProperty(ics.ComponentProperty(ics.PropertyTzoffsetto), "+0100")
	dst := &ics.Daylight{}
	dst.AddProperty(ics.ComponentProperty(ics.PropertyTzname), "CEST")
	dst.AddProperty(ics.ComponentPropertyDtStart, "19810329T020000")
	dst.AddProperty(ics.ComponentPropertyRrule, "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU")
	dst.AddProperty(ics.ComponentProperty(ics.PropertyTzoffsetfrom), "+0100")
	dst.AddProperty(ics.ComponentProperty(ics.PropertyTzoffsetto), "+0200")
	tz.Components = append(tz.Components, dst)
	return tz
}

func sendCalendar(c *fiber.Ctx, filename, body string) error {
	c.Set(fiber.HeaderContentType, "text/calendar; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+filename+`"`)
	return c.SendString(body)
}

// meetingICS is the .ics file of one meeting.
func (s *Server) meetingICS(c *fiber.Ctx) error {
	u := currentUser(c)
	if err := allow(c, models.CanViewMeetings(u)); err != nil {
		return err
	}
	m, err := s.meetingParam(c)
	if err != nil {
		return err
	}
	body := s.buildCalendar("Kommunalgremium", []models.Meeting{*m}, models.CanSeeVideoLink(u))
	return sendCalendar(c, "sitzung-"+strconv.FormatUint(uint64(m.ID), 10)+".ics", body)
}

// calendarFeed is the personal subscription: the secret token in the URL
// stands in for the session, since calendar clients send no cookies.
func (s *Server) calendarFeed(c *fiber.Ctx) error {
	u, err := s.store.UserByCalendarToken(c.UserContext(), c.Params("token"), s.now())
	if err != nil {
		return err
	}
	if !models.CanViewMeetings(u) {
		return models.ErrNotFound
	}
	ms, err := s.store.AllMeetings(c.UserContext())
	if err != nil {
		return err
	}
	c.Set("Referrer-Policy", "no-referrer")
	return sendCalendar(c, "kommunalgremium.ics", s.buildCalendar("Kommunalgremium (KoG)", ms, models.CanSeeVideoLink(u)))
}

// renewCalendarFeed creates or replaces the user's feed URL.
func (s *Server) renewCalendarFeed(c *fiber.Ctx) error {
	u := currentUser(c)
	if err := allow(c, models.CanSubscribeCalendar(u)); err != nil {
		return err
	}
	if _, err := s.store.RenewCalendarToken(c.UserContext(), u.ID); err != nil {
		return err
	}
	return s.redirectWithFlash(c, "/sitzungen#kalender", "Ihre Kalender-Adresse ist neu erzeugt; frühere Adressen gelten nicht mehr.")
}

// revokeCalendarFeed switches the feed off.
func (s *Server) revokeCalendarFeed(c *fiber.Ctx) error {
	u := currentUser(c)
	if err := allow(c, models.CanSubscribeCalendar(u)); err != nil {
		return err
	}
	if err := s.store.RevokeCalendarToken(c.UserContext(), u.ID); err != nil {
		return err
	}
	return s.redirectWithFlash(c, "/sitzungen#kalender", "Ihr Kalender-Abonnement ist widerrufen.")
}

// webcal turns the feed URL into a webcal:// link calendar apps open
// directly. It is marked safe for href: it is built from KOG_BASE_URL and
// the HMAC token, never from user input.
func webcal(feed string) template.URL {
	u, err := url.Parse(feed)
	if err != nil {
		return ""
	}
	u.Scheme = "webcal"
	return template.URL(u.String())
}
