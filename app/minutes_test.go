package app

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"kogportal/models"
)

// heldMeetings are the demo year's held meetings, oldest first.
func heldMeetings(t *testing.T, e *testEnv) []models.Meeting {
	t.Helper()
	all, err := e.store.AllMeetings(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []models.Meeting
	for _, m := range all {
		if m.Status == models.StatusHeld || m.Status == models.StatusApproved {
			out = append(out, m)
		}
	}
	if len(out) < 3 {
		t.Fatalf("only %d held meetings in the demo year", len(out))
	}
	return out
}

var mainContent = regexp.MustCompile(`(?s)(<h1 class="kern-heading-x-large">Protokoll</h1>.*)</main>`)

// TestMinutesGolden renders the minutes of a demo meeting modelled on the
// seed protocol (TOPs in categories, Beschlussnr., BE, discussion,
// resolution, Stimmenverteilung, Protokollnotiz, quorum, attendance list)
// and compares the page and the PDF's text with golden files. Run with
// UPDATE_GOLDEN=1 to accept a deliberate change.
func TestMinutesGolden(t *testing.T) {
	e := newEnv(t)
	e.seed()
	m := heldMeetings(t, e)[1] // has a Protokollnotiz and approved minutes
	member := e.browser()
	member.mustLogin("mitglied@kog.example")
	page := body(t, member.get(meetingPath(m.ID)+"/protokoll"))
	got := mainContent.FindStringSubmatch(page)
	if got == nil {
		t.Fatal("no main content")
	}
	html := strings.TrimSpace(regexp.MustCompile(`\n\s*\n+`).ReplaceAllString(got[1], "\n"))
	for _, want := range []string{"Kategorie A [Einführung]", "Kategorie B [Schwerpunktthemen]", "Beschlussnr.:", "Stimmenverteilung:",
		"Protokollnotiz", "Beschlussfähigkeit festgestellt", "Teilnehmerliste", "genehmigt", "BE:"} {
		if !strings.Contains(html, want) {
			t.Errorf("minutes lack %q", want)
		}
	}
	golden(t, "minutes.golden.html", html)
	resp := member.get(meetingPath(m.ID) + "/protokoll.pdf")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("PDF: %d", resp.StatusCode)
	}
	text := pdfText(t, resp)
	for _, want := range []string{"Kategorie B [Schwerpunktthemen]", "Protokollnotiz", "Stimmenverteilung", "Teilnehmerliste", "Beschlussfähigkeit festgestellt"} {
		if !strings.Contains(text, want) {
			t.Errorf("minutes PDF lacks %q", want)
		}
	}
	golden(t, "minutes_page_pdf.golden.txt", text)
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if os.Getenv("UPDATE_GOLDEN") == "1" {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden file %s missing (run with UPDATE_GOLDEN=1): %v", path, err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file; run with UPDATE_GOLDEN=1 if the change is intended.\n--- got ---\n%s", name, got)
	}
}

// TestRecordingAResolution walks the chair through a meeting: attendance,
// a TOP's discussion, a resolution with votes checked against those present,
// a Protokollnotiz, and the minutes put to the vote.
func TestRecordingAResolution(t *testing.T) {
	e := newEnv(t)
	e.seed()
	ctx := context.Background()
	next, _ := e.store.NextMeeting(ctx, e.now())
	items, _ := e.store.Agenda(ctx, next.ID)
	var top models.AgendaItem
	for _, it := range items {
		if it.Category == "B" {
			top = it
			break
		}
	}
	e.advance(next.StartsAt.Sub(e.now()) + 5*60e9)
	chair := e.browser()
	chair.mustLogin("vorsitz@kog.example")
	seats, _ := e.store.SeatsOn(ctx, next.StartsAt)
	form := url.Values{"_csrf": {chair.csrf()}}
	for _, st := range seats {
		form.Set("presence_"+itoa(st.PersonID), "anwesend")
	}
	if r := chair.post(meetingPath(next.ID)+"/anwesenheit", form); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("attendance: %d", r.StatusCode)
	}
	r := chair.post("/tagesordnung/"+itoa(top.ID)+"/beschluss", url.Values{"_csrf": {chair.csrf()}, "text": {"1. Beschlossen."}, "yes": {"15"}})
	if page := body(t, r); r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "stimmberechtigte Sitze waren anwesend") {
		t.Fatalf("15 votes with 14 seats: %d", r.StatusCode)
	}
	r = chair.post("/tagesordnung/"+itoa(top.ID)+"/beschluss", url.Values{"_csrf": {chair.csrf()}, "text": {"1. Das KoG beschließt das Anforderungsprofil.\n2. Es wird dem IT-PLR vorgelegt."}, "yes": {"13"}, "abstain": {"1"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("resolution: %d %s", r.StatusCode, body(t, r))
	}
	flash, _ := url.QueryUnescape(strings.Split(strings.Split(r.Header.Get("Set-Cookie"), "kog_flash=")[1], ";")[0])
	if !strings.Contains(flash, "/") || !strings.Contains(flash, "13 Ja, 0 Nein, 1 Enthaltung") {
		t.Fatalf("flash %q", flash)
	}
	if r := chair.post("/tagesordnung/"+itoa(top.ID)+"/protokollnotiz", url.Values{"_csrf": {chair.csrf()}, "organisation_id": {itoa(orgID(e, "Düsseldorf"))}, "text": {"Düsseldorf bittet um Prüfung der Kosten."}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("note: %d", r.StatusCode)
	}
	if r := chair.post(meetingPath(next.ID)+"/protokoll/status", url.Values{"_csrf": {chair.csrf()}, "status": {"zur_abstimmung"}}); r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("minutes of a meeting not yet held went to the vote: %d", r.StatusCode)
	}
	page := body(t, chair.get(meetingPath(next.ID)+"/protokoll"))
	if !strings.Contains(page, "Düsseldorf bittet um Prüfung") || !strings.Contains(page, "13 Ja, 0 Nein, 1 Enthaltung") {
		t.Fatal("minutes page lacks the recorded resolution or note")
	}
}

// TestInternalResolutionsStayInternal: text of an internal resolution never
// reaches readers or the public — register, CSV, minutes, PDF.
func TestInternalResolutionsStayInternal(t *testing.T) {
	e := newEnv(t)
	e.seed()
	ctx := context.Background()
	held := heldMeetings(t, e)
	all, _ := e.store.Resolutions(ctx, models.ResolutionFilter{Internal: true})
	var internal, public *models.Resolution
	for i := range all {
		if all[i].Public && public == nil {
			public = &all[i]
		}
		if !all[i].Public && internal == nil {
			internal = &all[i]
		}
	}
	if internal == nil || public == nil {
		t.Fatal("demo data needs a public and an internal resolution")
	}
	sentinel := "Geschäftsstelle wird gebeten" // only in the internal profile resolutions
	if !strings.Contains(internal.Text, sentinel) {
		t.Fatalf("internal resolution text %q", internal.Text)
	}
	reader := e.browser()
	reader.mustLogin("leser@kog.example")
	member := e.browser()
	member.mustLogin("mitglied@kog.example")
	for name, b := range map[string]*browser{"anonymous": e.browser(), "reader": reader} {
		for _, p := range []string{"/beschluesse", "/beschluesse.csv", "/beschluesse?jahr=2026", meetingPath(held[1].ID) + "/protokoll", meetingPath(held[1].ID) + "/protokoll.pdf"} {
			resp := b.get(p)
			data, _ := io.ReadAll(resp.Body)
			if strings.Contains(string(data), sentinel) || strings.Contains(string(data), internal.Number()+" ") {
				t.Errorf("%s sees the internal resolution on %s", name, p)
			}
		}
		if page := body(t, b.get("/beschluesse")); !strings.Contains(page, "Beschluss "+public.Number()) {
			t.Errorf("%s does not see the public resolution", name)
		}
	}
	csv := body(t, member.get("/beschluesse.csv"))
	if !strings.Contains(csv, sentinel) || !strings.HasPrefix(csv, "\uFEFFBeschlussnr.;") {
		t.Fatal("member's CSV lacks internal resolutions or the header")
	}
	if csvSafe("=HYPERLINK(1)") != "'=HYPERLINK(1)" {
		t.Fatal("CSV formula injection not defused")
	}
}
