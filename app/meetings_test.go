package app

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"

	"kogportal/models"
)

// parseICS reads a calendar with emersion/go-ical, a parser independent of
// the library that wrote it.
func parseICS(t *testing.T, resp *http.Response) *goical.Calendar {
	t.Helper()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/calendar") {
		t.Fatalf("calendar: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	cal, err := goical.NewDecoder(resp.Body).Decode()
	resp.Body.Close()
	if err != nil {
		t.Fatalf("calendar does not parse: %v", err)
	}
	return cal
}

func TestMeetingICS(t *testing.T) {
	e := newEnv(t)
	e.seed()
	next, err := e.store.NextMeeting(context.Background(), e.now())
	if err != nil {
		t.Fatal(err)
	}
	member := e.browser()
	member.mustLogin("mitglied@kog.example")
	cal := parseICS(t, member.get(meetingPath(next.ID)+"/kalender.ics"))
	var tz *goical.Component
	for _, c := range cal.Children {
		if c.Name == goical.CompTimezone {
			tz = c
		}
	}
	if tz == nil || tz.Props.Get(goical.PropTimezoneID).Value != "Europe/Berlin" {
		t.Fatal("no VTIMEZONE Europe/Berlin")
	}
	events := cal.Events()
	if len(events) != 1 {
		t.Fatalf("%d events", len(events))
	}
	ev := events[0]
	start, err := ev.DateTimeStart(nil)
	if err != nil {
		t.Fatal(err)
	}
	if !start.Equal(next.StartsAt) || start.Location().String() != "Europe/Berlin" {
		t.Fatalf("DTSTART %v (%s), want %v in Europe/Berlin", start, start.Location(), next.StartsAt)
	}
	uid := ev.Props.Get(goical.PropUID).Value
	if !strings.HasPrefix(uid, "sitzung-") {
		t.Fatalf("UID %q", uid)
	}
	if !strings.Contains(ev.Props.Get(goical.PropDescription).Value, next.VideoURL) {
		t.Fatal("member's calendar lacks the video link")
	}
	seq := ev.Props.Get(goical.PropSequence).Value
	// Moving the meeting keeps the UID and raises SEQUENCE.
	chair := e.browser()
	chair.mustLogin("vorsitz@kog.example")
	in := inputOf(next)
	resp := chair.post(meetingPath(next.ID), url.Values{"_csrf": {chair.csrf()}, "kind": {in.Kind}, "title": {in.Title},
		"date": {in.Date}, "start": {"14:00"}, "end": {"15:30"}, "video_url": {in.VideoURL}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("move: %d %s", resp.StatusCode, body(t, resp))
	}
	ev2 := parseICS(t, member.get(meetingPath(next.ID)+"/kalender.ics")).Events()[0]
	if ev2.Props.Get(goical.PropUID).Value != uid || ev2.Props.Get(goical.PropSequence).Value == seq {
		t.Fatal("changed meeting: UID must stay, SEQUENCE must rise")
	}
	// Anonymous visitors get the date without the link.
	anon := parseICS(t, e.browser().get(meetingPath(next.ID)+"/kalender.ics")).Events()[0]
	if strings.Contains(anon.Props.Get(goical.PropDescription).Value, "konferenz.fitko.example") || anon.Props.Get(goical.PropLocation) != nil {
		t.Fatal("public calendar shows the video link")
	}
}

func TestPersonalFeed(t *testing.T) {
	e := newEnv(t)
	e.seed()
	ctx := context.Background()
	chair := e.browser()
	chair.mustLogin("vorsitz@kog.example")
	// Cancel a future meeting: the feed marks it CANCELLED.
	future, err := e.store.CreateMeeting(ctx, models.MeetingInput{Kind: models.MeetingInPerson, Title: "Klausur",
		Date: "2026-12-17", Start: "09:00", End: "17:00", Location: "Bonn"})
	if err != nil {
		t.Fatal(err)
	}
	all, _ := e.store.AllMeetings(ctx)
	if resp := chair.post(meetingPath(future.ID)+"/absagen", url.Values{"_csrf": {chair.csrf()}, "reason": {"Feiertag"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("cancel: %d", resp.StatusCode)
	}
	for _, who := range []struct {
		email     string
		withVideo bool
	}{{"mitglied@kog.example", true}, {"leser@kog.example", false}} {
		b := e.browser()
		b.mustLogin(who.email)
		if resp := b.post("/kalender/abo", url.Values{"_csrf": {b.csrf()}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("subscribe: %d", resp.StatusCode)
		}
		page := body(t, b.get("/sitzungen"))
		m := regexp.MustCompile(`/kalender/([A-Za-z0-9_-]+)\.ics`).FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("%s: no feed URL on the meetings page", who.email)
		}
		feedPath := "/kalender/" + m[1] + ".ics"
		cal := parseICS(t, e.browser().get(feedPath)) // calendar apps send no cookie
		events := cal.Events()
		if len(events) != len(all) {
			t.Fatalf("feed has %d events, want %d", len(events), len(all))
		}
		cancelled, withLink := 0, 0
		for _, ev := range events {
			if ev.Props.Get(goical.PropStatus).Value == "CANCELLED" {
				cancelled++
			}
			if d := ev.Props.Get(goical.PropDescription); d != nil && strings.Contains(d.Value, "konferenz.fitko.example") {
				withLink++
			}
		}
		if cancelled != 1 {
			t.Errorf("%s: %d cancelled events, want 1", who.email, cancelled)
		}
		if who.withVideo != (withLink > 0) {
			t.Errorf("%s: video links in feed = %d", who.email, withLink)
		}
		// Regenerating kills the old URL.
		if resp := b.post("/kalender/abo", url.Values{"_csrf": {b.csrf()}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatal("regenerate failed")
		}
		if resp := e.browser().get(feedPath); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("old feed URL answers %d after regeneration", resp.StatusCode)
		}
	}
}

// TestVideoLinkAndTokenStayInternal: pages, lists and files for readers and
// the public never contain the join link or anyone's feed token.
func TestVideoLinkAndTokenStayInternal(t *testing.T) {
	e := newEnv(t)
	e.seed()
	ctx := context.Background()
	member := e.browser()
	member.mustLogin("mitglied@kog.example")
	member.post("/kalender/abo", url.Values{"_csrf": {member.csrf()}})
	token, _ := e.store.CalendarToken(ctx, userID(t, e, "mitglied@kog.example"))
	next, _ := e.store.NextMeeting(ctx, e.now())
	reader := e.browser()
	reader.mustLogin("leser@kog.example")
	paths := []string{"/", "/sitzungen", "/sitzungen?vergangen=1", meetingPath(next.ID), meetingPath(next.ID) + "/kalender.ics", "/gremium"}
	for name, b := range map[string]*browser{"anonymous": e.browser(), "reader": reader} {
		for _, p := range paths {
			page := body(t, b.get(p))
			if strings.Contains(page, "konferenz.fitko.example") || strings.Contains(page, token) {
				t.Errorf("%s sees the video link or a feed token on %s", name, p)
			}
		}
	}
	if page := body(t, member.get(meetingPath(next.ID))); !strings.Contains(page, "Videokonferenz beitreten") {
		t.Error("member has no join button")
	}
	if page := body(t, member.get("/")); !strings.Contains(page, "Nächste Sitzung") || !strings.Contains(page, next.Display()) {
		t.Error("member start page lacks the next meeting")
	}
}

func TestChairSeriesRegistrationAttendanceQuorum(t *testing.T) {
	e := newEnv(t)
	e.seed()
	ctx := context.Background()
	chair := e.browser()
	chair.mustLogin("vorsitz@kog.example")
	resp := chair.post("/sitzungsreihen", url.Values{"_csrf": {chair.csrf()}, "title": {"KoG-Videokonferenz"}, "weekday": {"3"},
		"ordinal": {"2"}, "start": {"10:00"}, "end": {"11:30"}, "video_url": {"https://meet.example/kog-2027"}, "year": {"2027"}})
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Set-Cookie"), "12+Videokonferenzen") {
		t.Fatalf("series: %d %s", resp.StatusCode, resp.Header.Get("Set-Cookie"))
	}
	resp = chair.post("/sitzungsreihen", url.Values{"_csrf": {chair.csrf()}, "title": {""}, "weekday": {"3"}, "ordinal": {"9"}, "year": {"2027"}})
	if page := body(t, resp); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "Bitte geben Sie einen Titel an") {
		t.Fatalf("bad series: %d", resp.StatusCode)
	}
	next, _ := e.store.NextMeeting(ctx, e.now())
	member := e.browser()
	member.mustLogin("mitglied@kog.example")
	resp = member.post(meetingPath(next.ID)+"/anmeldung", url.Values{"_csrf": {member.csrf()}, "answer": {"vertreten"},
		"substitute_id": {itoa(personID(e, "s.sommer@leipzig.example"))}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("register: %d %s", resp.StatusCode, body(t, resp))
	}
	if page := body(t, chair.get(meetingPath(next.ID))); !strings.Contains(page, "Max Mertens: vertreten (durch Sabine Sommer)") || !strings.Contains(page, "Noch ohne Antwort") {
		t.Fatal("chair does not see the answer and the missing ones")
	}
	guest, err := e.store.InvitePerson(ctx, models.Invitation{Name: "Gerd Gast", Email: "gast@bund.example",
		OrganisationID: orgID(e, "FITKO"), Role: models.SeatGuest, StartDate: e.now()})
	if err != nil {
		t.Fatal(err)
	}
	// The meeting takes place; the chair records attendance from the form.
	e.advance(next.StartsAt.Sub(e.now()) + 10*time.Minute)
	chair = e.browser() // the earlier session has long timed out
	chair.mustLogin("vorsitz@kog.example")
	form := url.Values{"_csrf": {chair.csrf()}}
	seats, _ := e.store.SeatsOn(ctx, next.StartsAt)
	for i, st := range seats {
		switch {
		case st.Person.Email == "mitglied@kog.example":
			form.Set("presence_"+itoa(st.PersonID), "vertreten")
			form.Set("deputy_"+itoa(st.PersonID), itoa(personID(e, "s.sommer@leipzig.example")))
		case i%2 == 0:
			form.Set("presence_"+itoa(st.PersonID), "anwesend")
		default:
			form.Set("presence_"+itoa(st.PersonID), "entschuldigt")
		}
	}
	form.Set("guest_"+itoa(guest.ID), "true")
	if resp := chair.post(meetingPath(next.ID)+"/anwesenheit", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("attendance: %d %s", resp.StatusCode, body(t, resp))
	}
	m, _ := e.store.Meeting(ctx, next.ID)
	page := body(t, chair.get(meetingPath(next.ID)))
	want := "Das Gremium ist nicht beschlussfähig."
	if m.QuorumReached {
		want = "Beschlussfähigkeit festgestellt."
	}
	if !m.QuorumChecked || m.QuorumSeats != 14 || !strings.Contains(page, want) || !strings.Contains(page, "vertreten durch Sabine Sommer") ||
		!strings.Contains(page, "Gerd Gast") {
		t.Fatalf("quorum snapshot %+v not shown (%q)", m, want)
	}
}
