package app

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"kogportal/models"
)

// postMultipart sends a form with one file, as the browser does.
func (b *browser) postMultipart(path string, fields url.Values, fileName string, content []byte) *http.Response {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, vs := range fields {
		for _, v := range vs {
			_ = w.WriteField(k, v)
		}
	}
	if fileName != "" {
		fw, _ := w.CreateFormFile(uploadField, fileName)
		_, _ = fw.Write(content)
	}
	_ = w.Close()
	req := newReq(http.MethodPost, path, &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return b.do(req)
}

var topicIDPattern = regexp.MustCompile(`^/themen/(\d+)$`)

func TestSubmitTopicWithAttachment(t *testing.T) {
	e := newEnv(t)
	e.seed()
	member := e.browser()
	member.mustLogin("mitglied@kog.example")
	fields := url.Values{"_csrf": {member.csrf()}, "title": {"Sentinel-Thema XYZZY"}, "description": {"**Worum** es geht <script>alert(1)</script>"},
		"kind": {"beratung"}, "urgency": {"hoch"}, "tags": {"EfA, FIT-Store, efa"}}
	// An HTML file named .pdf is refused and nothing is stored.
	before := dbChecksum(t, e)
	resp := member.postMultipart("/themen", fields, "bericht.pdf", []byte("<!doctype html><script>alert(1)</script>"))
	if page := body(t, resp); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "Erlaubt sind PDF") {
		t.Fatalf("HTML as PDF: %d", resp.StatusCode)
	}
	if dbChecksum(t, e) != before {
		t.Fatal("a refused upload changed the database")
	}
	resp = member.postMultipart("/themen", fields, "../../etc/bericht.pdf", []byte("%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"))
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("submit: %d %s", resp.StatusCode, body(t, resp))
	}
	m := topicIDPattern.FindStringSubmatch(resp.Header.Get("Location"))
	if m == nil {
		t.Fatalf("redirect to %q", resp.Header.Get("Location"))
	}
	page := body(t, member.get(resp.Header.Get("Location")))
	if strings.Contains(page, "<script>alert(1)") || !strings.Contains(page, "<strong>Worum</strong>") {
		t.Fatal("description not rendered safely")
	}
	link := regexp.MustCompile(`href="(/anhaenge/\d+)">([^<]+)</a>`).FindStringSubmatch(page)
	if link == nil || strings.Contains(link[2], "/") || strings.Contains(link[2], "..") {
		t.Fatalf("attachment link %v", link)
	}
	dl := member.get(link[1])
	data, _ := io.ReadAll(dl.Body)
	if dl.StatusCode != 200 || !bytes.HasPrefix(data, []byte("%PDF-")) || dl.Header.Get("Content-Type") != "application/pdf" ||
		!strings.HasPrefix(dl.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("download: %d %s %s", dl.StatusCode, dl.Header.Get("Content-Type"), dl.Header.Get("Content-Disposition"))
	}
	// A comment thread renders (with a reply and a deleted comment) and the
	// rest of the page still follows it.
	topicURL := resp.Header.Get("Location")
	if r := member.post(topicURL+"/kommentare", url.Values{"_csrf": {member.csrf()}, "body": {"Erster **Kommentar**"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("comment: %d", r.StatusCode)
	}
	cm := regexp.MustCompile(`id="kommentar-(\d+)"`).FindStringSubmatch(body(t, member.get(topicURL)))
	if cm == nil {
		t.Fatal("comment not shown")
	}
	member.post(topicURL+"/kommentare", url.Values{"_csrf": {member.csrf()}, "body": {"Antwort darauf"}, "parent_id": {cm[1]}})
	member.post("/kommentare/"+cm[1]+"/loeschen", url.Values{"_csrf": {member.csrf()}})
	withComments := body(t, member.get(topicURL))
	for _, want := range []string{"Kommentar gelöscht am", "Antwort darauf", "Verlauf", "Impressum"} {
		if !strings.Contains(withComments, want) {
			t.Errorf("topic page with comments lacks %q", want)
		}
	}
	// Readers and the public see nothing of the internal topic: not the
	// page, not the file, not the lists, not the agenda PDF.
	reader := e.browser()
	reader.mustLogin("leser@kog.example")
	for name, b := range map[string]*browser{"anonymous": e.browser(), "reader": reader} {
		for _, p := range []string{resp.Header.Get("Location"), link[1], "/themen", "/meine-themen", "/", "/sitzungen"} {
			r := b.get(p)
			if strings.Contains(body(t, r), "XYZZY") {
				t.Errorf("%s sees the internal topic on %s", name, p)
			}
			if p == link[1] && r.StatusCode == 200 {
				t.Errorf("%s downloaded an internal attachment", name)
			}
		}
	}
}

func TestUploadTooLarge(t *testing.T) {
	e := newEnv(t)
	e.seed()
	member := e.browser()
	member.mustLogin("mitglied@kog.example")
	before := dbChecksum(t, e)
	big := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("x"), models.MaxUploadBytes)...)
	resp := member.postMultipart("/themen", url.Values{"_csrf": {member.csrf()}, "title": {"Groß"}, "description": {"x"},
		"kind": {"beratung"}, "urgency": {"normal"}}, "gross.pdf", big)
	if page := body(t, resp); resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(page, "zu groß") {
		t.Fatalf("oversize upload: %d", resp.StatusCode)
	}
	if dbChecksum(t, e) != before {
		t.Fatal("an oversize upload changed the database")
	}
}

func TestTopicJourneyToPublishedAgenda(t *testing.T) {
	e := newEnv(t)
	e.seed()
	ctx := context.Background()
	member := e.browser()
	member.mustLogin("mitglied@kog.example")
	next, _ := e.store.NextMeeting(ctx, e.now())
	resp := member.post("/themen", url.Values{"_csrf": {member.csrf()}, "title": {"Registermodernisierung in Kommunen"},
		"description": {"Was bedeutet die Registermodernisierung für Meldeämter?"}, "kind": {"beschluss"}, "urgency": {"normal"},
		"desired_meeting_id": {itoa(next.ID)}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("submit: %d %s", resp.StatusCode, body(t, resp))
	}
	topicPath := resp.Header.Get("Location")
	id := topicIDPattern.FindStringSubmatch(topicPath)[1]
	if form := body(t, member.get("/themen/neu")); !strings.Contains(form, "Anmeldefrist bis") {
		t.Fatal("the form does not explain the submission deadline")
	}
	// Another organisation co-signs.
	petra := e.browser()
	petra.mustLogin("p.peters@duesseldorf.example")
	if r := petra.post(topicPath+"/mitzeichnen", url.Values{"_csrf": {petra.csrf()}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("co-sign: %d", r.StatusCode)
	}
	// The chair accepts it for the next meeting and puts it on the agenda as B.
	chair := e.browser()
	chair.mustLogin("vorsitz@kog.example")
	if r := chair.post(topicPath+"/status", url.Values{"_csrf": {chair.csrf()}, "status": {"angenommen"}, "meeting_id": {itoa(next.ID)}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept: %d %s", r.StatusCode, body(t, r))
	}
	if r := chair.post(agendaPath(next.ID), url.Values{"_csrf": {chair.csrf()}, "topic_id": {id}, "category": {"B"}, "outcome": {"beschluss"}, "duration": {"20"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("add to agenda: %d %s", r.StatusCode, body(t, r))
	}
	items, _ := e.store.Agenda(ctx, next.ID)
	var ours *models.AgendaItem
	for i := range items {
		if items[i].Title == "Registermodernisierung in Kommunen" {
			ours = &items[i]
		}
	}
	if ours == nil || ours.ChangedAt == nil {
		t.Fatal("TOP missing or not marked as a change to the published agenda")
	}
	// Reorder by htmx: the fragment comes back.
	req := newReq(http.MethodPost, "/tagesordnung/"+itoa(ours.ID)+"/hoch", strings.NewReader(""))
	req.Header.Set("HX-Request", "true")
	req.Header.Set("X-CSRF-Token", chair.csrf())
	r := chair.do(req)
	frag := body(t, r)
	if r.StatusCode != 200 || strings.Contains(frag, "<html") || !strings.Contains(frag, "Registermodernisierung") {
		t.Fatalf("htmx reorder: %d", r.StatusCode)
	}
	after, _ := e.store.Agenda(ctx, next.ID)
	for i := range after {
		if after[i].ID == ours.ID && after[i].Number >= ours.Number {
			t.Fatalf("TOP did not move up: %s → %s", ours.Number, after[i].Number)
		}
	}
	// The member sees the agenda and gets the PDF.
	agenda := body(t, member.get(agendaPath(next.ID)))
	if !strings.Contains(agenda, "Kategorie B [Schwerpunktthemen]") || !strings.Contains(agenda, "Registermodernisierung") || !strings.Contains(agenda, "geändert am") {
		t.Fatal("member's agenda view incomplete")
	}
	pdf := member.get(meetingPath(next.ID) + "/einladung.pdf")
	data, _ := io.ReadAll(pdf.Body)
	if pdf.StatusCode != 200 || !bytes.HasPrefix(data, []byte("%PDF-")) {
		t.Fatalf("PDF: %d", pdf.StatusCode)
	}
	// The reader sees public items only: not the internal topic's TOP.
	reader := e.browser()
	reader.mustLogin("leser@kog.example")
	if page := body(t, reader.get(agendaPath(next.ID))); strings.Contains(page, "Registermodernisierung") || !strings.Contains(page, "Verschiedenes") {
		t.Fatal("reader's agenda shows internal TOPs or lacks public ones")
	}
	if text := pdfText(t, reader.get(meetingPath(next.ID)+"/einladung.pdf")); strings.Contains(text, "Registermodernisierung") || strings.Contains(text, "konferenz.fitko.example") {
		t.Fatal("reader's PDF contains an internal TOP or the video link")
	}
	if text := pdfText(t, member.get(meetingPath(next.ID)+"/einladung.pdf")); !strings.Contains(text, "Registermodernisierung") {
		t.Fatal("member's PDF lacks the TOP")
	}
	// Carry-over: no later meeting exists in the demo year, so it is refused.
	r = chair.post("/tagesordnung/"+itoa(ours.ID)+"/wiedervorlage", url.Values{"_csrf": {chair.csrf()}})
	if page := body(t, r); r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "keine folgende Sitzung") {
		t.Fatalf("carry-over without a later meeting: %d", r.StatusCode)
	}
	// "Meine Themen" shows the status.
	if page := body(t, member.get(topicPath)); !strings.Contains(page, ": eingereicht") || !strings.Contains(page, ": angenommen – für") {
		t.Fatal("topic history lacks German lines")
	}
	if page := body(t, member.get("/meine-themen")); !strings.Contains(page, "Registermodernisierung") || !strings.Contains(page, "angenommen") {
		t.Fatal("Meine Themen lacks the topic's status")
	}
}

// pdfText is the text of all pages of a PDF response.
func pdfText(t *testing.T, resp *http.Response) string {
	t.Helper()
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	_, pages := extractPDF(t, data)
	return strings.Join(pages, "\n")
}
