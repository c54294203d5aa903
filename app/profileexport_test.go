package app

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"kogportal/models"
)

// seedProfile is a profile in consultation whose second version has four
// requirements; with long requirements it has to break across pages.
func seedProfile(t *testing.T, long bool) (*models.Profile, *models.ProfileVersion) {
	t.Helper()
	reqs := []models.Requirement{
		{Key: "R1", Priority: "MUSS", Text: "Das Postfach muss Nachrichten über 10 MB annehmen.", Rationale: "Bauanträge enthalten große Pläne."},
		{Key: "R2", Priority: "SOLL", Text: "Der Dienst soll Zustellbestätigungen liefern.\n\nDie Bestätigung soll maschinenlesbar sein (XÖV).", Rationale: ""},
		{Key: "R4", Priority: "KANN", Text: "Eine Schnittstelle für Fachverfahren kann ergänzt werden.", Rationale: "Größere Städte wünschen sich Anbindung an ihre Fachverfahren."},
	}
	if long {
		for i := 5; i < 30; i++ {
			reqs = append(reqs, models.Requirement{Key: fmt.Sprintf("R%d", i), Priority: "SOLL",
				Text:      strings.Repeat(fmt.Sprintf("Lange Anforderung %d zur Registermodernisierung mit Übergangsfristen für Kommunen und Länder. ", i), 6),
				Rationale: strings.Repeat("Begründet durch Rückmeldungen aus der Konsultation – „Einer für alle“. ", 3)})
		}
	}
	js, err := json.Marshal(reqs)
	if err != nil {
		t.Fatal(err)
	}
	ends := time.Date(2026, 3, 31, 21, 59, 0, 0, time.UTC)
	p := &models.Profile{ID: 3, Reference: "AP-2026-03", Status: models.ProfileConsultation, Version: 2, ConsultationEnds: &ends}
	v := &models.ProfileVersion{ProfileID: 3, Number: 2, Title: "Größere Anhänge im\nBürgerpostfach",
		AddressedTo: "IT-Planungsrat", Summary: "Kommunen brauchen **größere** Anhänge, siehe [Umfrage](https://example.org/u).",
		Problem: "Heute sind Anhänge auf 10 MB begrenzt.\n\nDas führt zu Medienbrüchen.", Goals: "",
		Tags: "BundID, Postfach", Origins: "Stadt Leipzig, Landkreis Görlitz", Requirements: string(js),
		// 23:30 UTC on 4 March is already 5 March in Berlin.
		CreatedAt: time.Date(2026, 3, 4, 23, 30, 0, 0, time.UTC)}
	return p, v
}

func TestProfileMarkdown(t *testing.T) {
	p, v := seedProfile(t, false)
	md := profileMarkdown(p, v)
	if !strings.HasPrefix(md, "# AP-2026-03: Größere Anhänge im Bürgerpostfach\n") {
		t.Errorf("title line: %q", strings.SplitN(md, "\n", 2)[0])
	}
	for _, want := range []string{
		"- **Adressat:** IT-Planungsrat\n", "- **Status:** in Konsultation bis 31.03.2026\n",
		"Fassung 2 vom 05.03.2026", "- **Herkunft:** Stadt Leipzig, Landkreis Görlitz\n",
		"- **Betroffene Dienste:** BundID, Postfach\n",
		"\n## Zusammenfassung\n\nKommunen brauchen **größere** Anhänge, siehe [Umfrage](https://example.org/u).\n",
		"\n## Problemstellung\n\nHeute sind Anhänge auf 10 MB begrenzt.\n\nDas führt zu Medienbrüchen.\n",
		"\n## Ziele\n\n*Keine Angabe.*\n", "\n## Anforderungen\n",
		"\n### AP-2026-03/R1 (MUSS)\n\nDas Postfach muss Nachrichten über 10 MB annehmen.\n\n*Begründung:* Bauanträge enthalten große Pläne.\n",
		"\n### AP-2026-03/R2 (SOLL)\n", "\n### AP-2026-03/R4 (KANN)\n",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
	// R2 has no rationale: no empty "Begründung" after it.
	r2 := md[strings.Index(md, "R2 (SOLL)"):strings.Index(md, "R4 (KANN)")]
	if strings.Contains(r2, "Begründung") {
		t.Errorf("empty rationale printed: %q", r2)
	}
	// Order of the sections.
	last := -1
	for _, h := range []string{"## Zusammenfassung", "## Problemstellung", "## Ziele", "## Anforderungen", "R1 (MUSS)", "R2 (SOLL)", "R4 (KANN)"} {
		i := strings.Index(md, h)
		if i < last {
			t.Errorf("%q out of order", h)
		}
		last = i
	}
}

func TestProfileMarkdownOldVersionAndAnswer(t *testing.T) {
	p, v := seedProfile(t, false)
	on := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	p.Status, p.Version, p.AnswerNumber, p.AnswerText, p.AnswerOn = models.ProfileAnswered, 2, "2026/31", "Der IT-PLR beauftragt die FITKO.", &on
	md := profileMarkdown(p, v)
	for _, want := range []string{"- **Status:** Rückmeldung des IT-PLR\n", "## Rückmeldung des IT-Planungsrats", "*Beschluss 2026/31 vom 01.06.2026*", "beauftragt die FITKO"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
	p.Version = 3 // v is now an older version
	md = profileMarkdown(p, v)
	if !strings.Contains(md, "Fassung 2 vom 05.03.2026 (aktuell ist Fassung 3)") || strings.Contains(md, "Rückmeldung des IT-Planungsrats") {
		t.Errorf("old version:\n%s", md)
	}
}

func TestProfilePDF(t *testing.T) {
	p, v := seedProfile(t, false)
	data, err := profilePDF(p, v)
	if err != nil {
		t.Fatal(err)
	}
	_, pages := extractPDF(t, data)
	text := strings.Join(pages, "\n")
	for _, want := range []string{
		"Kommunalgremium des IT-Planungsrats", "AP-2026-03: Größere Anhänge im Bürgerpostfach",
		"AP-2026-03/R1 (MUSS)", "AP-2026-03/R2 (SOLL)", "AP-2026-03/R4 (KANN)",
		"Fassung 2 vom 05.03.2026", "Landkreis Görlitz", "Zusammenfassung", "Problemstellung", "Ziele", "Anforderungen",
		"Begründung:", "Bauanträge enthalten große Pläne.", "maschinenlesbar sein (XÖV)",
		"KoG-Portal · AP-2026-03 Fassung 2", "Seite 1 von 1",
		"Kommunen brauchen größere Anhänge, siehe Umfrage (https://example.org/u).", "Keine Angabe.",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF text lacks %q", want)
		}
	}
	for _, bad := range []string{"**", "*Keine", "[Umfrage]", "Ã", "{nb}"} {
		if strings.Contains(text, bad) {
			t.Errorf("PDF text contains %q", bad)
		}
	}
	checkPDFLayout(t, data)
	if t.Failed() {
		t.Log(text)
	}
}

func TestProfilePDFPageBreaks(t *testing.T) {
	p, v := seedProfile(t, true)
	data, err := profilePDF(p, v)
	if err != nil {
		t.Fatal(err)
	}
	_, pages := extractPDF(t, data)
	n := len(pages)
	if n < 3 {
		t.Fatalf("25 long requirements should take several pages, got %d", n)
	}
	text := strings.Join(pages, "\n")
	for i := 5; i < 30; i++ {
		if id := fmt.Sprintf("AP-2026-03/R%d (SOLL)", i); !strings.Contains(text, id) {
			t.Errorf("PDF lacks %s", id)
		}
	}
	for i, pg := range pages {
		if want := fmt.Sprintf("Seite %d von %d", i+1, n); !strings.Contains(pg, want) {
			t.Errorf("page %d lacks %q", i+1, want)
		}
	}
	if bold := checkProfileBreaks(t, data); bold != 28 {
		t.Errorf("%d requirement IDs in bold, want 28", bold)
	}
}

// TestProfilePDFBreakSweep grows the problem statement line by line so that
// the page break falls on every kind of element once: section heading,
// requirement ID, requirement text and rationale.
func TestProfilePDFBreakSweep(t *testing.T) {
	p, v := seedProfile(t, false)
	base := v.Problem
	for k := 0; k < 60; k++ {
		v.Problem = base + "\n\n" + strings.Repeat("Weitere Zeile zur Problemstellung.\n", k)
		data, err := profilePDF(p, v)
		if err != nil {
			t.Fatal(err)
		}
		if bold := checkProfileBreaks(t, data); bold != 3 {
			t.Fatalf("k=%d: %d requirement IDs in bold, want 3", k, bold)
		}
	}
}

// checkProfileBreaks checks the layout, that no page but the last ends with
// a bold line (a heading or requirement ID cut off from its text), and
// counts the requirement IDs set in bold.
func checkProfileBreaks(t *testing.T, data []byte) (bold int) {
	t.Helper()
	checkPDFLayout(t, data)
	r, _ := extractPDF(t, data)
	for i := 1; i <= r.NumPage(); i++ {
		// Body text lines (running head and footer are 8 pt) in order.
		type line struct {
			s, font string
			y       float64
		}
		var lines []line
		for _, g := range r.Page(i).Content().Text {
			if g.FontSize <= 8 {
				continue
			}
			if n := len(lines); n > 0 && math.Abs(lines[n-1].y-g.Y) < 0.01 {
				lines[n-1].s += g.S
				continue
			}
			lines = append(lines, line{g.S, g.Font, g.Y})
		}
		for _, l := range lines {
			if strings.HasPrefix(l.s, "AP-2026-03/R") && strings.Contains(l.font, "Bold") {
				bold++
			}
		}
		if n := len(lines); n > 0 && i < r.NumPage() && strings.Contains(lines[n-1].font, "Bold") {
			t.Errorf("page %d ends with the heading %q", i, lines[n-1].s)
		}
	}
	return bold
}

func TestProfPlain(t *testing.T) {
	for in, want := range map[string]string{
		"":                                     "Keine Angabe.",
		"  **fett** und `code`\r\n":            "fett und code",
		"## Titel\n- eins\n  * zwei\n*kursiv*": "Titel\n– eins\n  – zwei\n*kursiv*",
		"siehe [OZG](https://ozg.de/a_b)":      "siehe OZG (https://ozg.de/a_b)",
	} {
		if got := profPlain(in); got != want {
			t.Errorf("profPlain(%q) = %q, want %q", in, got, want)
		}
	}
}
