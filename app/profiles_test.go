package app

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"kogportal/models"
)

// TestProfileDraftsStayInternal: text of an internal draft, of draft
// versions before the consultation and of internal comments never reaches
// readers or the public — list, page, versions, feed, exports, synopsis.
func TestProfileDraftsStayInternal(t *testing.T) {
	e := newEnv(t)
	e.seed()
	ctx := context.Background()
	member := e.browser()
	member.mustLogin("mitglied@kog.example")
	// A new draft with a sentinel.
	resp := member.post("/anforderungsprofile", url.Values{"_csrf": {member.csrf()}, "title": {"Geheimprofil QWERTZ"}, "rows": {"1"},
		"req_priority_0": {"MUSS"}, "req_text_0": {"Sentinel-Anforderung QWERTZ"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d %s", resp.StatusCode, body(t, resp))
	}
	draftPath := resp.Header.Get("Location")
	// The profile in consultation: its version 1 was a draft ("alle …
	// kostenfrei" came with version 2); an internal comment on R1.
	var consult models.Profile
	ps, _ := e.store.Profiles(ctx)
	for _, p := range ps {
		if p.Status == models.ProfileConsultation {
			consult = p
		}
	}
	consultPath := profilePath(consult.ID)
	if r := member.post(consultPath+"/kommentare", url.Values{"_csrf": {member.csrf()}, "requirement": {"R1"}, "body": {"Interner Hinweis YXCVB"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("comment: %d", r.StatusCode)
	}
	reader := e.browser()
	reader.mustLogin("leser@kog.example")
	draftOnly := "Die Länder stellen EfA-Dienste ihren Kommunen zur Nachnutzung bereit." // the text of version 1 only
	paths := []string{"/anforderungsprofile", "/anforderungsprofile/feed.atom", draftPath, draftPath + "/versionen/1/export.pdf",
		draftPath + "/versionen/1/export.md", consultPath, consultPath + "/versionen/1", consultPath + "/versionen/1/export.md",
		consultPath + "/vergleich", consultPath + "/vergleich?von=1&bis=2", consultPath + "/synopse", consultPath + "/synopse.csv", "/"}
	for name, b := range map[string]*browser{"anonymous": e.browser(), "reader": reader} {
		for _, p := range paths {
			r := b.get(p)
			data, _ := io.ReadAll(r.Body)
			text := string(data)
			if strings.HasSuffix(p, ".pdf") && r.StatusCode == 200 {
				_, pages := extractPDF(t, data)
				text = strings.Join(pages, " ")
			}
			for _, secret := range []string{"QWERTZ", "YXCVB", draftOnly} {
				if strings.Contains(text, secret) {
					t.Errorf("%s sees %q on %s", name, secret, p)
				}
			}
		}
	}
	// The reader does read the published version, and members see everything.
	if page := body(t, reader.get(consultPath)); !strings.Contains(page, "kostenfrei") || !strings.Contains(page, "Rückmeldung geben") {
		t.Fatal("reader cannot read or comment the consultation version")
	}
	if page := body(t, member.get(consultPath)); !strings.Contains(page, "YXCVB") || !strings.Contains(page, "Stadt Beispiel") {
		t.Fatal("member does not see internal comments and all feedback")
	}
	r := member.post(consultPath+"/kommentare", url.Values{"_csrf": {member.csrf()}, "requirement": {"R2"}, "body": {" "}})
	if page := body(t, r); r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, `href="#comment-R2"`) {
		t.Fatalf("empty comment: %d, error must link to the comment box of R2", r.StatusCode)
	}
	diff := body(t, member.get(consultPath+"/vergleich?von=1&bis=2"))
	if !strings.Contains(diff, "<ins>") || !strings.Contains(diff, "kostenfrei") {
		t.Fatal("member's comparison lacks the inserted words")
	}
}

// TestConsultationFeedbackAndWorkflow: a reader replies while the
// consultation is open, can change the reply, the chair sees the synopsis
// and moves the profile on; the feed lists public versions only.
func TestConsultationFeedbackAndWorkflow(t *testing.T) {
	e := newEnv(t)
	e.seed()
	ctx := context.Background()
	ps, _ := e.store.Profiles(ctx)
	var consult, decided models.Profile
	for _, p := range ps {
		switch p.Status {
		case models.ProfileConsultation:
			consult = p
		case models.ProfileAnswered:
			decided = p
		}
	}
	reader := e.browser()
	reader.mustLogin("leser@kog.example")
	path := profilePath(consult.ID)
	r := reader.post(path+"/rueckmeldung", url.Values{"_csrf": {reader.csrf()}, "requirement": {"R2"}, "municipality": {"Gemeinde Musterdorf"}, "kind": {"bedenken"}})
	if page := body(t, r); r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "Bitte begründen Sie") {
		t.Fatalf("concern without text: %d", r.StatusCode)
	}
	for _, kind := range []string{"bedenken", "zustimmung"} {
		r = reader.post(path+"/rueckmeldung", url.Values{"_csrf": {reader.csrf()}, "requirement": {"R2"}, "municipality": {"Gemeinde Musterdorf"},
			"kind": {kind}, "text": {"Begründung " + kind}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("feedback %s: %d %s", kind, r.StatusCode, body(t, r))
		}
	}
	chair := e.browser()
	chair.mustLogin("vorsitz@kog.example")
	syn := body(t, chair.get(path+"/synopse"))
	if !strings.Contains(syn, "Gemeinde Musterdorf (07135001): Zustimmung – Begründung zustimmung") && !strings.Contains(syn, "Gemeinde Musterdorf: Zustimmung – Begründung zustimmung") ||
		strings.Contains(syn, "Begründung bedenken") {
		t.Fatal("synopsis does not show the changed reply only")
	}
	if reader.get(path+"/synopse").StatusCode != http.StatusForbidden {
		t.Fatal("reader reached the synopsis")
	}
	// Closed after the end date.
	e.advance(consult.ConsultationEnds.Sub(e.now()) + 1)
	reader = e.browser()
	reader.mustLogin("leser@kog.example")
	if r := reader.post(path+"/rueckmeldung", url.Values{"_csrf": {reader.csrf()}, "requirement": {"R1"}, "municipality": {"x"}, "kind": {"zustimmung"}}); r.StatusCode != http.StatusForbidden {
		t.Fatalf("feedback after the end: %d", r.StatusCode)
	}
	feed := body(t, e.browser().get("/anforderungsprofile/feed.atom"))
	if !strings.Contains(feed, "<feed") || !strings.Contains(feed, decided.Reference) || strings.Contains(feed, consult.Reference) {
		t.Fatal("feed must list the public profile and not the one for signed-in readers only")
	}
	md := body(t, e.browser().get(profilePath(decided.ID)+"/versionen/1/export.md"))
	if !strings.Contains(md, "# "+decided.Reference) || !strings.Contains(md, decided.Reference+"/R1 (MUSS)") {
		t.Fatal("markdown export incomplete")
	}
}
