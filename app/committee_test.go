package app

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"kogportal/models"
)

// TestContactDataStaysInTheCommittee: readers and the public see name,
// organisation and role only; members see what the person agreed to show;
// the chair sees all.
func TestContactDataStaysInTheCommittee(t *testing.T) {
	e := newEnv(t)
	e.seed()
	member := e.browser()
	member.mustLogin("mitglied@kog.example")
	// Max (mitglied@) shows his e-mail but not his phone.
	resp := member.post("/profil", url.Values{"_csrf": {member.csrf()}, "name": {"Max Mertens"},
		"phone": {"0341 555-1234"}, "position": {"Geheime Funktion XY"}, "show_email": {"true"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("profile: %d %s", resp.StatusCode, body(t, resp))
	}
	p, err := e.store.PersonOfUser(context.Background(), userID(t, e, "mitglied@kog.example"))
	if err != nil {
		t.Fatal(err)
	}
	pages := []string{"/gremium", "/organisationen/" + itoa(orgID(e, "Leipzig")), "/personen/" + itoa(p.ID)}
	reader := e.browser()
	reader.mustLogin("leser@kog.example")
	chair := e.browser()
	chair.mustLogin("vorsitz@kog.example")
	other := e.browser() // another member: Petra Peters for Düsseldorf
	e.dev.AddAccount(models.DemoAccount{Email: "p.peters@duesseldorf.example", Name: "Petra Peters", Subject: "pp"})
	other.mustLogin("p.peters@duesseldorf.example")
	for _, path := range pages {
		for name, b := range map[string]*browser{"anonymous": e.browser(), "reader": reader} {
			page := body(t, b.get(path))
			if !strings.Contains(page, "Max Mertens") {
				t.Errorf("%s on %s: name missing", name, path)
			}
			for _, secret := range []string{"mitglied@kog.example", "555-1234", "Geheime Funktion", "s.sommer@leipzig.example"} {
				if strings.Contains(page, secret) {
					t.Errorf("%s on %s sees %q", name, path, secret)
				}
			}
		}
		page := body(t, other.get(path))
		if !strings.Contains(page, "mitglied@kog.example") {
			t.Errorf("member on %s does not see the consented e-mail", path)
		}
		if strings.Contains(page, "555-1234") {
			t.Errorf("member on %s sees the phone without consent", path)
		}
		if page := body(t, chair.get(path)); !strings.Contains(page, "555-1234") {
			t.Errorf("chair on %s does not see the phone", path)
		}
	}
}

func TestCommitteeShowsDeputyAndHistory(t *testing.T) {
	e := newEnv(t)
	e.seed()
	page := body(t, e.browser().get("/gremium"))
	for _, want := range []string{"Dr. Vera Vogt", "Max Mertens", "Sabine Sommer", "Stellvertretung", "Petra Peters", "Ingrid Ihle"} {
		if !strings.Contains(page, want) {
			t.Errorf("committee page lacks %q", want)
		}
	}
	if strings.Contains(page, "Klaus Keller") {
		t.Error("an ended term is listed as current")
	}
	hist := body(t, e.browser().get("/organisationen/"+itoa(orgID(e, "Düsseldorf"))))
	if !strings.Contains(hist, "Klaus Keller") || !strings.Contains(hist, "30.06.2024") {
		t.Error("organisation page lacks the ended term")
	}
}

func TestChairEndsMembershipAndMemberLosesRole(t *testing.T) {
	e := newEnv(t)
	e.seed()
	member := e.browser()
	member.mustLogin("mitglied@kog.example")
	if !strings.Contains(body(t, member.get("/")), "Ihr Bereich als Mitglied") {
		t.Fatal("member start page missing")
	}
	chair := e.browser()
	chair.mustLogin("vorsitz@kog.example")
	p, _ := e.store.PersonOfUser(context.Background(), userID(t, e, "mitglied@kog.example"))
	full, _ := e.store.Person(context.Background(), p.ID)
	term := full.Memberships[0]
	resp := chair.post("/mitgliedschaften/"+itoa(term.ID)+"/beenden", url.Values{"_csrf": {chair.csrf()}, "end": {"2019-01-01"}})
	if page := body(t, resp); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "vor dem Beginn") {
		t.Fatalf("end before start: %d", resp.StatusCode)
	}
	yesterday := e.now().AddDate(0, 0, -1).Format("2006-01-02")
	resp = chair.post("/mitgliedschaften/"+itoa(term.ID)+"/beenden", url.Values{"_csrf": {chair.csrf()}, "end": {yesterday}, "reason": {"Wechsel"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("end: %d", resp.StatusCode)
	}
	if page := body(t, member.get("/")); !strings.Contains(page, "Leser/in (Kommune)") {
		t.Fatal("ended member still has the member role")
	}
}
