package app

import (
	"bytes"
	"fmt"
	"math"
	"strings"
	"testing"

	pdfread "github.com/ledongthuc/pdf"
)

// seedInvitation is modelled on the IT-Planungsrat protocol in the seeds:
// categories A/B/H, TOPs numbered through the whole agenda, one resolution.
// Category B gets 30 extra long items so the table must break across pages.
func seedInvitation() InvitationDoc {
	b := []PDFItem{{Number: "02", Title: "OZG-Umsetzung: Konjunkturpaket", Outcome: "Beschluss",
		Resolution: "Beschluss 2026/07", Source: "AL-OZG", Rapporteur: "BUND", Duration: "30 Min."}}
	for i := 0; i < 30; i++ {
		b = append(b, PDFItem{
			Number: fmt.Sprintf("%02d", i+3),
			Title: fmt.Sprintf("Langer Tagesordnungspunkt %d zur Registermodernisierung und zur „Einer für alle“-Umsetzung – "+
				"mit Bericht über Größe, Zeitplan und Finanzierung der föderalen Vorhaben in Ländern und Kommunen", i+1),
			Outcome: "Kenntnisnahme", Source: "Geschäftsstelle", Rapporteur: "HH", Note: "Unterlage folgt.",
		})
	}
	return InvitationDoc{
		Committee:   "Kommunalgremium des IT-Planungsrats",
		Heading:     "12. Sitzung – Präsenzsitzung in Berlin",
		When:        "Mi., 09.12.2026, 10:00–11:30 Uhr",
		Kind:        "Präsenzsitzung",
		JoinOrPlace: "Sitzungssaal 1, Große Straße 5, 10117 Berlin",
		InvitedOn:   "Einladung vom 25.11.2026",
		Changed:     "geändert am 01.12.2026",
		Chair:       "Vorsitz: FITKO",
		Categories: []PDFCategory{
			{Code: "A", Name: "Einführung", Items: []PDFItem{{Number: "01", Title: "Begrüßung", Rapporteur: "Vorsitz"}}},
			{Code: "B", Name: "Schwerpunktthemen", Items: b},
			{Code: "H", Name: "Verschiedenes", Items: []PDFItem{{Number: "33", Title: "Verschiedenes"}}},
		},
		Footer: "Erstellt am 25.11.2026 · KoG-Portal",
	}
}

// extractPDF parses the PDF with a pure-Go reader (no poppler on CI) and
// returns the reader plus the plain text of every page.
func extractPDF(t *testing.T, data []byte) (*pdfread.Reader, []string) {
	t.Helper()
	if !bytes.HasPrefix(data, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", data[:min(len(data), 16)])
	}
	r, err := pdfread.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("parse PDF: %v", err)
	}
	var pages []string
	for i := 1; i <= r.NumPage(); i++ {
		s, err := r.Page(i).GetPlainText(nil)
		if err != nil {
			t.Fatalf("page %d text: %v", i, err)
		}
		pages = append(pages, s)
	}
	return r, pages
}

func TestInvitationPDFAgenda(t *testing.T) {
	data, err := invitationPDF(seedInvitation())
	if err != nil {
		t.Fatal(err)
	}
	r, pages := extractPDF(t, data)
	n := len(pages)
	t.Logf("%d bytes, %d pages", len(data), n)
	if n < 2 {
		t.Fatalf("30 long items should need a page break, got %d page(s)", n)
	}
	text := strings.Join(pages, "\n")
	for _, want := range []string{
		"Kommunalgremium des IT-Planungsrats", "12. Sitzung – Präsenzsitzung in Berlin",
		"Kategorie A [Einführung]", "Kategorie B [Schwerpunktthemen]", "Kategorie H [Verschiedenes]",
		"Begrüßung", "OZG-Umsetzung: Konjunkturpaket", "Beschluss 2026/07", "BUND",
		"Präsenzsitzung", "Große Straße 5", "Größe", "„Einer für", "alle“-Umsetzung – mit", "10:00–11:30 Uhr",
		"Ort:", "Einladung vom 25.11.2026 · geändert am 01.12.2026", "Vorsitz: FITKO",
		"Quelle: AL-OZG · Dauer: 30 Min.", "Erstellt am 25.11.2026 · KoG-Portal",
		"Seite 1 von " + fmt.Sprint(n), fmt.Sprintf("Seite %d von %d", n, n),
	} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF text lacks %q", want)
		}
	}
	for _, bad := range []string{"Kategorie C", "Beschluss 2026/99", "Videokonferenz", "Zugang:", "{nb}", "Ã"} {
		if strings.Contains(text, bad) {
			t.Errorf("PDF text unexpectedly contains %q", bad)
		}
	}
	// The table header is repeated on the continuation page.
	if !strings.Contains(pages[1], "Beschlussnr.") || strings.Contains(pages[1], "Kategorie B") {
		t.Errorf("page 2 should continue category B under a repeated header:\n%s", pages[1])
	}

	info := r.Trailer().Key("Info")
	if got := info.Key("Title").Text(); got != "12. Sitzung – Präsenzsitzung in Berlin" {
		t.Errorf("Title = %q", got)
	}
	if got := info.Key("Author").Text(); got != "KoG-Portal" {
		t.Errorf("Author = %q", got)
	}
	if got := r.Trailer().Key("Root").Key("Lang").Text(); got != "de-DE" {
		t.Errorf("Lang = %q", got)
	}

	// Rows never overlap: table cells are drawn as rectangles, which may
	// share borders but not area, and every glyph inside a cell stays in it.
	for p := 1; p <= n; p++ {
		c := r.Page(p).Content()
		rects := make([]pdfread.Rect, len(c.Rect))
		for i, re := range c.Rect {
			rects[i] = pdfread.Rect{
				Min: pdfread.Point{X: math.Min(re.Min.X, re.Max.X), Y: math.Min(re.Min.Y, re.Max.Y)},
				Max: pdfread.Point{X: math.Max(re.Min.X, re.Max.X), Y: math.Max(re.Min.Y, re.Max.Y)},
			}
		}
		const tol = 0.05
		for i := range rects {
			for j := i + 1; j < len(rects); j++ {
				a, b := rects[i], rects[j]
				if a.Min.X < b.Max.X-tol && b.Min.X < a.Max.X-tol && a.Min.Y < b.Max.Y-tol && b.Min.Y < a.Max.Y-tol {
					t.Fatalf("page %d: cells overlap: %+v %+v", p, a, b)
				}
			}
		}
		for _, g := range c.Text {
			cx, cy := g.X+g.W/2, g.Y+g.FontSize*0.35
			for _, re := range rects {
				if cx > re.Min.X && cx < re.Max.X && cy > re.Min.Y && cy < re.Max.Y &&
					(g.Y-g.FontSize*0.25 < re.Min.Y || g.Y+g.FontSize*0.75 > re.Max.Y) {
					t.Fatalf("page %d: glyph %q at y=%.1f spills out of cell %+v", p, g.S, g.Y, re)
				}
			}
		}
	}
}

func TestInvitationPDFEmptyAgenda(t *testing.T) {
	data, err := invitationPDF(InvitationDoc{
		Committee: "Kommunalgremium des IT-Planungsrats", Heading: "13. Sitzung – Monatliche Videokonferenz",
		When: "Mi., 13.01.2027, 10:00–11:30 Uhr", Kind: "Videokonferenz",
		JoinOrPlace: "https://video.example.org/kog-13", Footer: "KoG-Portal",
	})
	if err != nil {
		t.Fatal(err)
	}
	_, pages := extractPDF(t, data)
	text := strings.Join(pages, "\n")
	for _, want := range []string{"Videokonferenz", "Zugang:", "https://video.example.org/kog-13",
		"Die Tagesordnung ist noch nicht veröffentlicht.", "Seite 1 von 1"} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF text lacks %q", want)
		}
	}
	for _, bad := range []string{"Kategorie", "Stand:", "Präsenzsitzung"} {
		if strings.Contains(text, bad) {
			t.Errorf("PDF text unexpectedly contains %q", bad)
		}
	}
}
