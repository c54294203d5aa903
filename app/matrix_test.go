package app

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	_ "github.com/mattn/go-sqlite3"

	"kogportal/models"
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
	"GET /organisationen/neu":             {303, 403, 403, 200, 200},
	"POST /organisationen":                {403, 403, 403, 303, 303},
	"GET /organisationen/:id/bearbeiten":  {303, 403, 403, 200, 200},
	"POST /organisationen/:id":            {403, 403, 403, 303, 303},
	"GET /personen/neu":                   {303, 403, 403, 200, 200},
	"POST /personen":                      {403, 403, 403, 303, 303},
	"GET /personen/:id":                   {200, 200, 200, 200, 200},
	"POST /personen/:id/mitgliedschaften": {403, 403, 403, 303, 303},
	"POST /mitgliedschaften/:id/beenden":  {403, 403, 403, 303, 303},
	// Profiles belong to people in the committee; the demo reader and admin
	// have none, so saving finds nothing to save.
	"GET /profil":                     {303, 200, 200, 200, 200},
	"POST /profil":                    {403, 404, 303, 303, 404},
	"GET /sitzungen":                  {200, 200, 200, 200, 200},
	"GET /sitzungen/neu":              {303, 403, 403, 200, 200},
	"POST /sitzungen":                 {403, 403, 403, 303, 303},
	"GET /sitzungen/:id":              {200, 200, 200, 200, 200},
	"GET /sitzungen/:id/kalender.ics": {200, 200, 200, 200, 200},
	"GET /sitzungen/:id/bearbeiten":   {303, 403, 403, 200, 200},
	"POST /sitzungen/:id":             {403, 403, 403, 303, 303},
	"POST /sitzungen/:id/status":      {403, 403, 403, 303, 303},
	"POST /sitzungen/:id/absagen":     {403, 403, 403, 303, 303},
	// Answers come from people with a seat; the demo admin has none.
	"POST /sitzungen/:id/anmeldung":   {403, 403, 303, 303, 403},
	"GET /sitzungen/:id/anwesenheit":  {303, 403, 403, 200, 200},
	"POST /sitzungen/:id/anwesenheit": {403, 403, 403, 303, 303},
	"GET /sitzungsreihen/neu":         {303, 403, 403, 200, 200},
	"POST /sitzungsreihen":            {403, 403, 403, 303, 303},
	"POST /beschlussfaehigkeit":       {403, 403, 403, 303, 303},
	// The feed's secret token is its authentication, not the session.
	"GET /kalender/:token.ics":      {200, 200, 200, 200, 200},
	"POST /kalender/abo":            {403, 303, 303, 303, 303},
	"POST /kalender/abo/widerrufen": {403, 303, 303, 303, 303},
	// Topics are internal: readers get "not found", anonymous visitors the sign-in.
	"GET /themen":                                       {303, 403, 200, 200, 200},
	"GET /themen/neu":                                   {303, 403, 200, 200, 200},
	"POST /themen":                                      {403, 403, 303, 303, 422}, // the admin holds no seat
	"GET /meine-themen":                                 {303, 403, 200, 200, 200},
	"GET /themen/:id":                                   {303, 404, 200, 200, 200},
	"POST /themen/:id/mitzeichnen":                      {403, 404, 303, 303, 422},
	"POST /themen/:id/status":                           {403, 403, 403, 303, 303},
	"POST /themen/:id/kommentare":                       {403, 404, 303, 303, 303},
	"POST /themen/:id/anhaenge":                         {403, 404, 422, 422, 422}, // no file sent
	"POST /kommentare/:id":                              {403, 404, 303, 403, 403}, // author only
	"POST /kommentare/:id/loeschen":                     {403, 404, 303, 303, 303}, // author or chair
	"GET /anhaenge/:id":                                 {303, 404, 200, 200, 200},
	"GET /sitzungen/:id/tagesordnung":                   {200, 200, 200, 200, 200},
	"POST /sitzungen/:id/tagesordnung":                  {403, 403, 403, 303, 303},
	"POST /sitzungen/:id/tagesordnung/veroeffentlichen": {403, 403, 403, 303, 303},
	"GET /sitzungen/:id/einladung.pdf":                  {200, 200, 200, 200, 200},
	"POST /tagesordnung/:id":                            {403, 403, 403, 303, 303},
	"POST /tagesordnung/:id/hoch":                       {403, 403, 403, 303, 303},
	"POST /tagesordnung/:id/runter":                     {403, 403, 403, 303, 303},
	"POST /tagesordnung/:id/entfernen":                  {403, 403, 403, 303, 303},
	"POST /tagesordnung/:id/wiedervorlage":              {403, 403, 403, 303, 303},
	// Minutes are the committee's; recording is the chair's. On a fresh
	// held meeting with draft minutes, approving, correcting and commenting
	// are refused with a German message (422) — the permission passed.
	"GET /sitzungen/:id/protokoll":               {303, 403, 200, 200, 200},
	"GET /sitzungen/:id/protokoll.pdf":           {303, 403, 200, 200, 200},
	"POST /sitzungen/:id/protokoll/status":       {403, 403, 403, 303, 303},
	"POST /sitzungen/:id/protokoll/genehmigen":   {403, 403, 403, 422, 422},
	"POST /sitzungen/:id/protokoll/berichtigung": {403, 403, 403, 422, 422},
	"POST /sitzungen/:id/protokoll/kommentare":   {403, 403, 422, 422, 422},
	"POST /tagesordnung/:id/protokoll":           {403, 403, 403, 303, 303},
	"POST /tagesordnung/:id/beschluss":           {403, 403, 403, 422, 422}, // no attendance recorded yet
	"POST /tagesordnung/:id/protokollnotiz":      {403, 403, 403, 303, 303},
	"GET /beschluesse":                           {200, 200, 200, 200, 200},
	"GET /beschluesse.csv":                       {200, 200, 200, 200, 200},
	"POST /beschluesse/:id/umsetzung":            {403, 403, 403, 303, 303},
	// Requirement profiles: the target is the demo profile in consultation
	// (for signed-in municipal readers, not public).
	"GET /anforderungsprofile":                             {200, 200, 200, 200, 200},
	"GET /anforderungsprofile/feed.atom":                   {200, 200, 200, 200, 200},
	"GET /anforderungsprofile/neu":                         {303, 403, 200, 200, 200},
	"POST /anforderungsprofile":                            {403, 403, 303, 303, 303},
	"GET /anforderungsprofile/:id":                         {303, 200, 200, 200, 200},
	"GET /anforderungsprofile/:id/bearbeiten":              {303, 403, 200, 200, 200},
	"POST /anforderungsprofile/:id":                        {403, 403, 303, 303, 303},
	"GET /anforderungsprofile/:id/versionen/:n":            {303, 200, 200, 200, 200},
	"GET /anforderungsprofile/:id/versionen/:n/export.md":  {303, 200, 200, 200, 200},
	"GET /anforderungsprofile/:id/versionen/:n/export.pdf": {303, 200, 200, 200, 200},
	"GET /anforderungsprofile/:id/vergleich":               {303, 200, 200, 200, 200},
	"POST /anforderungsprofile/:id/status":                 {403, 403, 403, 303, 303},
	"POST /anforderungsprofile/:id/rueckmeldung":           {403, 303, 303, 303, 303},
	"POST /anforderungsprofile/:id/kommentare":             {403, 403, 303, 303, 303},
	"GET /anforderungsprofile/:id/synopse":                 {303, 403, 403, 200, 200},
	"GET /anforderungsprofile/:id/synopse.csv":             {303, 403, 403, 200, 200},
}

// formFor gives each POST route a valid body besides the CSRF token; role
// keeps names unique when several roles create records.
func formFor(e *testEnv, route, role string) url.Values {
	switch route {
	case "POST /admin/benutzer/:id/rolle":
		return url.Values{"role": {"member"}}
	case "POST /auth/sitzung":
		return url.Values{"next": {"/"}}
	case "POST /organisationen":
		return url.Values{"name": {"Gemeinde Matrix " + role}, "kind": {"stadt"}, "seats": {"1"}}
	case "POST /organisationen/:id":
		return url.Values{"name": {"Landeshauptstadt Düsseldorf (" + role + ")"}, "short_name": {"Düsseldorf"}, "kind": {"stadt"}, "seats": {"1"}}
	case "POST /personen":
		return url.Values{"name": {"Gast " + role}, "email": {"gast-" + role + "@gemeinde.example"}, "role": {"gast"},
			"organisation_id": {itoa(orgID(e, "Paderborn"))}, "start": {"2026-11-01"}}
	case "POST /personen/:id/mitgliedschaften":
		org := map[string]string{"chair": "AKDB", "admin": "Vitako"}[role]
		if org == "" {
			org = "ekom21"
		}
		return url.Values{"role": {"gast"}, "organisation_id": {itoa(orgID(e, org))}, "start": {"2026-11-01"}}
	case "POST /mitgliedschaften/:id/beenden":
		return url.Values{"end": {"2026-11-20"}}
	case "POST /profil":
		return url.Values{"name": {"Max Mertens"}, "phone": {"0341 123-0"}, "show_phone": {"true"}}
	case "POST /sitzungen", "POST /sitzungen/:id":
		return url.Values{"kind": {"praesenz"}, "title": {"Sondersitzung"}, "date": {"2026-12-16"}, "start": {"10:00"},
			"end": {"12:00"}, "location": {"Berlin"}}
	case "POST /sitzungen/:id/status":
		return url.Values{"status": {"eingeladen"}}
	case "POST /sitzungen/:id/absagen":
		return url.Values{"reason": {"Terminkonflikt"}}
	case "POST /sitzungen/:id/anmeldung":
		return url.Values{"answer": {"teilnahme"}}
	case "POST /sitzungsreihen":
		return url.Values{"title": {"Reihe"}, "weekday": {"3"}, "ordinal": {"2"}, "start": {"10:00"}, "end": {"11:00"},
			"video_url": {"https://meet.example/k"}, "year": {"2027"}}
	case "POST /themen":
		return url.Values{"title": {"Neues Thema " + role}, "description": {"Beschreibung"}, "kind": {"beratung"}, "urgency": {"normal"}}
	case "POST /themen/:id/status":
		return url.Values{"status": {"zurueckgestellt"}, "resubmit_on": {"2027-02-01"}, "reason": {"später"}}
	case "POST /themen/:id/kommentare", "POST /kommentare/:id":
		return url.Values{"body": {"Ein Kommentar von " + role}}
	case "POST /sitzungen/:id/tagesordnung", "POST /tagesordnung/:id":
		return url.Values{"category": {"B"}, "title": {"Punkt " + role}, "outcome": {"beratung"}, "duration": {"15"}}
	case "POST /sitzungen/:id/protokoll/status":
		return url.Values{"status": {"zur_abstimmung"}}
	case "POST /sitzungen/:id/protokoll/berichtigung", "POST /sitzungen/:id/protokoll/kommentare":
		return url.Values{"text": {"Berichtigung"}, "body": {"Anmerkung"}}
	case "POST /tagesordnung/:id/protokoll":
		return url.Values{"discussion": {"Diskussion"}, "result": {"beraten"}}
	case "POST /tagesordnung/:id/beschluss":
		return url.Values{"text": {"1. Beschluss"}, "yes": {"3"}}
	case "POST /tagesordnung/:id/protokollnotiz":
		return url.Values{"organisation_id": {itoa(orgID(e, "Leipzig"))}, "text": {"Notiz"}}
	case "POST /beschluesse/:id/umsetzung":
		return url.Values{"follow_up": {"in_umsetzung"}, "note": {"läuft"}}
	case "POST /anforderungsprofile", "POST /anforderungsprofile/:id":
		return url.Values{"title": {"Profil " + role}, "rows": {"1"}, "req_key_0": {"R1"}, "req_priority_0": {"MUSS"}, "req_text_0": {"Anforderung von " + role}}
	case "POST /anforderungsprofile/:id/status":
		return url.Values{"status": {"konsultation"}, "ends": {"2026-12-31"}}
	case "POST /anforderungsprofile/:id/rueckmeldung":
		return url.Values{"requirement": {"R1"}, "municipality": {"Gemeinde " + role}, "kind": {"zustimmung"}}
	case "POST /anforderungsprofile/:id/kommentare":
		return url.Values{"requirement": {"R1"}, "body": {"Kommentar"}}
	case "POST /beschlussfaehigkeit":
		return url.Values{"num": {"1"}, "den": {"2"}, "strict": {"true"}}
	}
	return url.Values{}
}

func orgID(e *testEnv, short string) uint {
	orgs, _ := e.store.Organisations(context.Background())
	for _, o := range orgs {
		if o.ShortName == short {
			return o.ID
		}
	}
	e.t.Fatalf("no organisation %s", short)
	return 0
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

// matrixFixture creates the records the parameterised routes act on: an
// invited account and a person in the committee.
func matrixFixture(t *testing.T, e *testEnv) {
	e.seed()
	if _, err := e.store.InviteUser(t.Context(), "ziel@gemeinde.example", "Zora Ziel", "reader"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.InvitePerson(t.Context(), models.Invitation{Name: "Paul Person", Email: "paul@gemeinde.example",
		OrganisationID: orgID(e, "Paderborn"), Role: models.SeatGuest, StartDate: e.now()}); err != nil {
		t.Fatal(err)
	}
	// A meeting after the next one, for carrying TOPs over.
	if _, err := e.store.CreateMeeting(t.Context(), models.MeetingInput{Kind: models.MeetingVideo, Title: "Januar",
		Date: "2027-01-13", Start: "10:00", End: "11:30", VideoURL: "https://meet.example/jan"}); err != nil {
		t.Fatal(err)
	}
}

// concrete fills route parameters with records that exist. Ending a term
// gets a fresh term each time, as a term ends only once.
func concrete(e *testEnv, path string) string {
	var id uint
	ctx := context.Background()
	switch {
	case strings.HasPrefix(path, "/themen/:id"):
		id = freshTopic(e).ID
	case strings.HasPrefix(path, "/kommentare/"):
		t := freshTopic(e)
		c, err := e.store.AddComment(ctx, mustUser(e, "mitglied@kog.example"), t.ID, nil, "Kommentar")
		if err != nil {
			e.t.Fatal(err)
		}
		id = c.ID
	case strings.HasPrefix(path, "/anhaenge/"):
		t := freshTopic(e)
		stored, err := e.srv.files.Save(strings.NewReader("%PDF-1.4\n%%EOF\n"), "bericht.pdf")
		if err != nil {
			e.t.Fatal(err)
		}
		a := &models.Attachment{TopicID: &t.ID, StoredName: stored.StoredName, FileName: stored.FileName, MIME: stored.MIME, Size: stored.Size, UploaderID: t.SubmitterID}
		if err := e.store.AddAttachment(ctx, a); err != nil {
			e.t.Fatal(err)
		}
		id = a.ID
	case strings.HasPrefix(path, "/tagesordnung/"):
		next, err := e.store.NextMeeting(ctx, e.now())
		if err != nil {
			e.t.Fatal(err)
		}
		it, err := e.store.AddAgendaItem(ctx, next.ID, models.AgendaItemInput{Category: "H", Title: "Frischer Punkt", Outcome: models.KindInformation}, e.now())
		if err != nil {
			e.t.Fatal(err)
		}
		id = it.ID
	case path == "/anforderungsprofile/:id/status":
		p, err := e.store.CreateProfile(ctx, mustUser(e, "mitglied@kog.example"), models.ProfileInput{Title: "Frisch",
			Requirements: []models.Requirement{{Priority: "MUSS", Text: "x"}}}, e.now())
		if err != nil {
			e.t.Fatal(err)
		}
		id = p.ID
	case strings.HasPrefix(path, "/anforderungsprofile/:id"):
		ps, _ := e.store.Profiles(ctx)
		for _, p := range ps {
			if p.Status == models.ProfileConsultation && !p.PublicConsultation {
				path = strings.Replace(path, ":n", strconv.Itoa(p.Version), 1)
				id = p.ID
			}
		}
	case strings.HasPrefix(path, "/sitzungen/:id/protokoll/"):
		id = freshHeldMeeting(e).ID
	case strings.HasPrefix(path, "/beschluesse/"):
		rs, err := e.store.Resolutions(ctx, models.ResolutionFilter{Internal: true})
		if err != nil || len(rs) == 0 {
			e.t.Fatal("no resolution in the demo data", err)
		}
		id = rs[0].ID
	case strings.HasSuffix(path, "/veroeffentlichen"):
		m, err := e.store.CreateMeeting(ctx, models.MeetingInput{Kind: models.MeetingInPerson, Title: "Zu veröffentlichen",
			Date: "2026-12-21", Start: "10:00", End: "11:00", Location: "Bonn"})
		if err != nil {
			e.t.Fatal(err)
		}
		if _, err := e.store.AddAgendaItem(ctx, m.ID, models.AgendaItemInput{Category: "A", Title: "Begrüßung", Outcome: models.KindInformation}, e.now()); err != nil {
			e.t.Fatal(err)
		}
		id = m.ID
	case strings.HasPrefix(path, "/admin/benutzer/"):
		id = userID(e.t, e, "ziel@gemeinde.example")
	case strings.HasPrefix(path, "/organisationen/"):
		id = orgID(e, "Düsseldorf")
	case strings.HasPrefix(path, "/personen/"):
		id = personID(e, "paul@gemeinde.example")
	case strings.HasPrefix(path, "/kalender/"):
		token, err := e.store.RenewCalendarToken(context.Background(), userID(e.t, e, "mitglied@kog.example"))
		if err != nil {
			e.t.Fatal(err)
		}
		return strings.Replace(path, ":token", token, 1)
	case strings.HasSuffix(path, "/status") || strings.HasSuffix(path, "/absagen"):
		m, err := e.store.CreateMeeting(context.Background(), models.MeetingInput{Kind: models.MeetingInPerson, Title: "Frisch",
			Date: "2026-12-20", Start: "10:00", End: "11:00", Location: "Bonn"})
		if err != nil {
			e.t.Fatal(err)
		}
		id = m.ID
	case strings.HasPrefix(path, "/sitzungen/"):
		m, err := e.store.NextMeeting(context.Background(), e.now())
		if err != nil {
			e.t.Fatal(err)
		}
		id = m.ID
	case strings.HasPrefix(path, "/mitgliedschaften/"):
		freshTerms++
		p, err := e.store.InvitePerson(context.Background(), models.Invitation{Name: "Gast " + itoa(freshTerms),
			Email: "gast" + itoa(freshTerms) + "@termine.example", OrganisationID: orgID(e, "DStGB"),
			Role: models.SeatGuest, StartDate: e.now().AddDate(0, 0, -30)})
		if err != nil {
			e.t.Fatal(err)
		}
		full, _ := e.store.Person(context.Background(), p.ID)
		id = full.Memberships[0].ID
	default:
		return path
	}
	return strings.ReplaceAll(path, ":id", itoa(id))
}

var freshTerms uint

// freshHeldMeeting is a meeting held last week with draft minutes.
func freshHeldMeeting(e *testEnv) *models.Meeting {
	ctx := context.Background()
	m, err := e.store.CreateMeeting(ctx, models.MeetingInput{Kind: models.MeetingInPerson, Title: "Gehalten",
		Date: e.now().AddDate(0, 0, -7).Format("2006-01-02"), Start: "10:00", End: "11:00", Location: "Bonn"})
	if err != nil {
		e.t.Fatal(err)
	}
	before := m.StartsAt.AddDate(0, 0, -1)
	if err := e.store.SetMeetingStatus(ctx, m.ID, models.StatusInvited, before); err != nil {
		e.t.Fatal(err)
	}
	if err := e.store.SetMeetingStatus(ctx, m.ID, models.StatusHeld, m.EndsAt); err != nil {
		e.t.Fatal(err)
	}
	return m
}

// freshTopic is a new internal topic from Düsseldorf, so that every cell of
// the matrix acts on an untouched record.
func freshTopic(e *testEnv) *models.Topic {
	freshTerms++
	t, _, err := e.store.SubmitTopic(context.Background(), mustUser(e, "p.peters@duesseldorf.example"),
		models.TopicInput{Title: "Thema " + itoa(freshTerms), Description: "Text", Kind: models.KindAdvice, Urgency: "normal"}, e.now())
	if err != nil {
		e.t.Fatal(err)
	}
	return t
}

func mustUser(e *testEnv, email string) *models.User {
	u, err := e.store.User(context.Background(), userID(e.t, e, email))
	if err != nil {
		e.t.Fatal(err)
	}
	return u
}

func personID(e *testEnv, email string) uint {
	id := userID(e.t, e, email)
	p, err := e.store.PersonOfUser(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return p.ID
}

func TestRouteRoleMatrix(t *testing.T) {
	e := newEnv(t)
	matrixFixture(t, e)
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
			var resp *http.Response
			if method == http.MethodPost {
				form := formFor(e, route, role)
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
	matrixFixture(t, e)
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
			target := concrete(e, path)
			before := dbChecksum(t, e)
			form := formFor(e, route, "admin")
			if token != "" {
				form.Set("_csrf", token)
			}
			resp := admin.post(target, form)
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
