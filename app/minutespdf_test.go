package app

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-pdf/fpdf"
)

// seedMinutes is modelled on the IT-Planungsrat protocol in the seeds
// (Sondersitzung zum Konjunkturpaket): categories A/B/H, a long discussion
// that has to break across pages, one resolution with numbered points and a
// Protokollnotiz.
func seedMinutes() MinutesDoc {
	discussion := strings.Join([]string{
		"› Der Bund erläutert den Beschlussvorschlag. Das Vorgehen sei ausführlich in der AL-OZG-Runde besprochen worden. " +
			"Mit dem von der Task Force im Anschluss an die heutige Sitzung zu erarbeitenden Dachabkommen und dem " +
			"Musterverwaltungsabkommen werde für die Beteiligten ein transparenter und bürokratiearmer Rahmen zur Umsetzung " +
			"des OZG mit Mitteln des Konjunkturpakets zur Verfügung gestellt.",
		"Die bilateralen Verwaltungsabkommen, die sich am Dachabkommen orientieren, werden zwischen dem im jeweiligen " +
			"Themenfeld federführenden Bundesressort und dem entsprechenden Land geschlossen. In den Bundesressorts werden " +
			"Ansprechpartner und Ressourcen zur Verfügung gestellt, um gemeinsam den ambitionierten Zeitplan bis Ende 2027 " +
			"erfolgreich zu realisieren. Mit diesem Vorgehen könne eine konsistente Zielverfolgung im Sinne des " +
			"„Einer für alle“-Prinzips gewährleistet werden.",
		"› NW betont, dass eine länderübergreifende Blaupause, welche technische, datenschutzrechtliche und " +
			"vergaberechtliche Aspekte abdecken solle, für die Integration des kommunalen Bereichs benötigt werde. " +
			"Der Bund führt aus, dass es für die Implementierung des EfA-Modells bereits gelungene Beispiele gebe.",
		"› RP bittet darum, die finanzielle Aufteilung auf die föderalen Ebenen nochmals darzustellen. Der Bund legt " +
			"dar, dass es sich um Bundesmittel handele und diese nur im Rahmen der Zuständigkeiten des föderalen Systems " +
			"vergeben werden könnten. Eine direkte Unterstützung der Kommunen sei daher nicht möglich; dies sei Aufgabe " +
			"der Länder. Im Weiteren erläutert der Bund die Verteilung des Konjunkturpakets auf die föderalen Ebenen und " +
			"ergänzt, dass mit dem Aufwandsschätzungsmodell eine Kalkulationsmethode herangezogen worden sei, die auch " +
			"Aufwendungen für die Vernetzung und Ertüchtigung von Basiskomponenten einschließe.",
		"› Hessen schlägt vor, den Beschlussvorschlag zur Klarstellung zu ergänzen: Nr. 3 „[…] im Oktober 2026 zur " +
			"Beschlussfassung“. Der Bund nimmt die Ergänzung in den Beschlussvorschlag auf.",
		"› BW betont die Notwendigkeit einer geeigneten Infrastruktur, um das Vorhaben erfolgreich umzusetzen. Die " +
			"Bereitstellung von Mitteln zur Durchführung von Digitalisierungsprojekten in den Themenfeldern sei richtig und " +
			"hilfreich. Die Projekte können allerdings nur dann im Sinn von „EfA“ umgesetzt werden, wenn eine dafür " +
			"geeignete IT-Infrastruktur in den Ländern besteht. Der Bund erwidert, dass es originäre Aufgabe der Länder " +
			"sei, die eigene Infrastruktur zu finanzieren und zur Verfügung zu stellen.",
		"› HH lobt den Beschlussvorschlag und bekräftigt die zeitliche Dringlichkeit, in dieser Sitzung eine positive " +
			"Entscheidung zu treffen, um keine Mittel für 2026 verfallen zu lassen. Im Weiteren erkundigt sich HH " +
			"hinsichtlich des Controllings für das Konjunkturpaket. Der Bund betont, dass man in Gesprächen mit den " +
			"Ressorts sei, um in diesem Jahr Mittel einsetzen zu können. Bestehende Controlling-Instrumente würden weiter " +
			"genutzt. Entscheidend sei dabei, den Umsetzungsstand auch nach außen transparent zu machen.",
		"› Auf Nachfrage erläutert der Bund, dass Kosten für das Schaffen von Schnittstellen zwischen Ländern und " +
			"Kommunen im Rahmen der Themenfelder berücksichtigt werden könnten. Die Herausforderung sei nicht finanzieller, " +
			"sondern vielmehr organisatorischer Natur, wie etwa die Anbieter der Fachverfahren in die Pflicht zu nehmen " +
			"und Fristen zu setzen.",
		"› SL bittet darum, den Beschlussvorschlag um ein regelmäßiges Controlling zu ergänzen. Dieses dürfe in nicht " +
			"zu hoch aggregierter Form erfolgen, damit es steuerungsrelevante Informationen enthalte.",
		"› Der Beschlussvorschlag mit den vereinbarten Ergänzungen wird einstimmig angenommen.",
	}, "\n\n")
	resolution := "1. Der IT-Planungsrat betont die große Chance, die Umsetzung des Onlinezugangsgesetzes (OZG) zu " +
		"beschleunigen und die Digitalisierung Deutschlands in der Fläche voranzubringen. Er begrüßt die vorliegenden " +
		"Eckpunkte zur Umsetzung des Konjunkturprogramms.\n" +
		"2. Da die umzusetzenden Verwaltungsleistungen zum größten Teil in den Kommunen zum Tragen kommen, tragen die " +
		"Länder dafür Sorge, dass die Kommunen hinreichend aus dem Konjunkturpaket unterstützt werden. Über den " +
		"Fortschritt der Umsetzung wird regelmäßig berichtet.\n" +
		"3. Die Task Forces werden beauftragt, die weiteren Grundlagen der Umsetzung zu schaffen und diese " +
		"Ergebnispapiere im Oktober 2026 zur Beschlussfassung vorzulegen."

	orgs := []string{"FITKO", "Bund (BMI)", "Landeshauptstadt Düsseldorf", "Stadt Leipzig", "Freie und Hansestadt Hamburg",
		"Deutscher Städtetag", "Deutscher Landkreistag", "Deutscher Städte- und Gemeindebund", "Landkreis Görlitz",
		"Stadt München", "Stadt Köln", "Kreis Nordfriesland", "Land Baden-Württemberg", "Vitako"}
	people := []string{"Dr. Vera Vogt", "Jonas Berger", "Petra Schäfer", "Ali Yilmaz", "Hannah Krüger", "Tobias Wendt",
		"Sabine Roth", "Markus Öztürk", "Claudia Weiß", "Felix Bauer", "Nina Hoffmann", "Ole Petersen", "Julia Maier",
		"Stefan Groß"}
	presence := []string{"anwesend", "anwesend", "anwesend", "vertreten durch Karl Lange", "anwesend", "entschuldigt",
		"anwesend", "anwesend", "anwesend", "anwesend", "vertreten durch Eva Fuchs", "anwesend", "anwesend", "Gast"}
	var att []MinutesAttendee
	for i := range orgs {
		att = append(att, MinutesAttendee{Organisation: orgs[i], Person: people[i], Presence: presence[i]})
	}

	return MinutesDoc{
		Committee: "Kommunalgremium des IT-Planungsrats",
		Heading:   "Protokoll der 12. Sitzung – Monatliche Videokonferenz",
		Date:      "09.12.2026", Time: "10:00 – 11:30 Uhr",
		Place:  "Videokonferenz",
		Chair:  "Leitung: Dr. Vera Vogt (FITKO)",
		Status: "Stand: 10.12.2026 · Entwurf",
		Quorum: "Beschlussfähigkeit festgestellt: 12 von 14 stimmberechtigten Sitzen anwesend oder vertreten.",
		Categories: []MinutesCategory{
			{Code: "A", Name: "Einführung", Items: []MinutesItem{{
				Number: "01", Title: "Begrüßung", Rapporteur: "Vorsitz", Result: "zur Kenntnis genommen",
				Discussion: "Begrüßung der Teilnehmenden durch den Vorsitz. Die Vorsitzende bedankt sich für die " +
					"engagierte und konstruktive Mitarbeit zur Erarbeitung des Beschlussvorschlages bei allen Beteiligten.\n\n" +
					"Gäste: Vitako.",
			}}},
			{Code: "B", Name: "Schwerpunktthemen", Items: []MinutesItem{{
				Number: "02", Title: "OZG-Umsetzung: Konjunkturpaket", Rapporteur: "BUND", Result: "beschlossen",
				Discussion: discussion,
				Resolutions: []MinutesResolution{{Number: "Beschluss 2026/07", Text: resolution,
					Votes: "17 Ja, 0 Nein, 0 Enthaltungen (einstimmig)"}},
				Notes: []string{"Landeshauptstadt Düsseldorf: Die Zustimmung erfolgt unter der Bedingung, dass die " +
					"Förderung der kommunalen IT-Infrastruktur über die Projekte in den Themenfeldern erfolgt."},
			}}},
			{Code: "H", Name: "Verschiedenes", Items: []MinutesItem{{
				Number: "03", Title: "Verschiedenes", Rapporteur: "Vorsitz", Result: "zur Kenntnis genommen",
				Discussion: "› HH bittet um Mitteilung des Sachstands bezüglich des Registermodernisierungsgesetzes. " +
					"Der Bund erläutert, dass die Vorlage im Januar ins Kabinett gehen solle.",
			}}},
		},
		Attendance:  att,
		Corrections: []string{"12.01.2027: In TOP 02 muss es „Ende 2027“ statt „Ende 2026“ heißen."},
		Footer:      "KoG-Portal · Protokoll",
	}
}

func TestMinutesPDF(t *testing.T) {
	data, err := minutesPDF(seedMinutes())
	if err != nil {
		t.Fatal(err)
	}
	r, pages := extractPDF(t, data) // also checks the %PDF- prefix
	n := len(pages)
	t.Logf("%d bytes, %d pages", len(data), n)
	if n < 2 {
		t.Fatalf("the long discussion should need a page break, got %d page(s)", n)
	}
	text := strings.Join(pages, "\n")
	for _, want := range []string{
		"Kommunalgremium des IT-Planungsrats", "Protokoll der 12. Sitzung – Monatliche Videokonferenz",
		"Datum:", "09.12.2026", "Zeit:", "10:00 – 11:30 Uhr", "Ort:", "Videokonferenz",
		"Leitung:", "Dr. Vera Vogt (FITKO)", "Anlagen:", "Stand:", "10.12.2026 · Entwurf",
		"Beschlussfähigkeit festgestellt: 12 von 14 stimmberechtigten Sitzen anwesend oder vertreten.",
		"Kategorie A [Einführung]", "Kategorie B [Schwerpunktthemen]", "Kategorie H [Verschiedenes]",
		"TOP", "Thema", "Beschlussnr.", "BE",
		"Begrüßung", "OZG-Umsetzung: Konjunkturpaket", "Diskussion", "Beschluss 2026/07",
		"Stimmenverteilung:", "17 Ja, 0 Nein, 0 Enthaltungen (einstimmig)", "Ergebnis:", "beschlossen",
		"Protokollnotiz", "Landeshauptstadt Düsseldorf: Die Zustimmung", "„Einer für alle“-Prinzips",
		"TOP 02 · OZG-Umsetzung: Konjunkturpaket (Fortsetzung)",
		"Teilnehmerliste", "Organisation", "Person", "Anwesenheit", "vertreten durch Karl Lange", "entschuldigt", "Gast",
		"Markus Öztürk", "Claudia Weiß", "Stefan Groß",
		"Berichtigungen", "12.01.2027: In TOP 02 muss es „Ende 2027“ statt „Ende 2026“ heißen.",
		"KoG-Portal · Protokoll", "Seite 1 von " + fmt.Sprint(n), fmt.Sprintf("Seite %d von %d", n, n),
	} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF text lacks %q", want)
		}
	}
	// Numbered points keep their number, the text wraps beside it.
	for _, num := range []string{"1.", "2.", "3."} {
		if !strings.Contains(text, "\n"+num+"\n") {
			t.Errorf("numbered point %q not set as its own marker", num)
		}
	}
	for _, bad := range []string{"Kategorie C", "Beschluss 2026/99", "Präsenzsitzung", "{nb}", "Ã", "Protokollnotizen"} {
		if strings.Contains(text, bad) {
			t.Errorf("PDF text unexpectedly contains %q", bad)
		}
	}
	if got := r.Trailer().Key("Info").Key("Title").Text(); got != "Protokoll der 12. Sitzung – Monatliche Videokonferenz" {
		t.Errorf("Title = %q", got)
	}
	// The order of the sections follows the protocols.
	rest := text
	for _, s := range []string{"Beschlussfähigkeit", "Kategorie A", "Kategorie B", "Diskussion", "Protokollnotiz",
		"Beschluss 2026/07", "1.", "2.", "3.", "Stimmenverteilung:", "Ergebnis:", "Kategorie H", "Teilnehmerliste",
		"Organisation", "Berichtigungen"} {
		i := strings.Index(rest, s)
		if i < 0 {
			t.Errorf("%q missing or out of order", s)
			continue
		}
		rest = rest[i+len(s):]
	}
	checkPDFLayout(t, data)
}

// checkPDFLayout asserts that no two lines of text overlap, that body text
// stays inside the 20 mm margins (only the footer sits below the bottom
// margin) and that nothing runs off the right edge. The reader reports the
// glyphs of a text run all at the run's start, so runs are rebuilt and
// measured with fpdf's metrics of the same core font.
func checkPDFLayout(t *testing.T, data []byte) {
	t.Helper()
	r, _ := extractPDF(t, data)
	const mm = 72 / 25.4
	metrics := fpdf.New("P", "pt", "A4", "")
	tr := metrics.UnicodeTranslatorFromDescriptor("")
	type run struct {
		s, font     string
		x, y, w, fs float64
	}
	for p := 1; p <= r.NumPage(); p++ {
		var runs []run
		for _, g := range r.Page(p).Content().Text {
			if n := len(runs); n > 0 && runs[n-1].x == g.X && runs[n-1].y == g.Y && runs[n-1].font == g.Font && runs[n-1].fs == g.FontSize {
				runs[n-1].s += g.S
				continue
			}
			runs = append(runs, run{s: g.S, font: g.Font, x: g.X, y: g.Y, fs: g.FontSize})
		}
		for i := range runs {
			style := ""
			if strings.Contains(runs[i].font, "Bold") {
				style += "B"
			}
			if strings.Contains(runs[i].font, "Oblique") {
				style += "I"
			}
			metrics.SetFont("Helvetica", style, runs[i].fs)
			runs[i].s = strings.TrimRight(runs[i].s, " ")
			runs[i].w = metrics.GetStringWidth(tr(runs[i].s))
		}
		for i, a := range runs {
			if a.s == "" {
				continue
			}
			switch {
			case a.x < 20*mm-0.5 || a.x+a.w > 190*mm+0.5:
				t.Fatalf("page %d: %q at x=%.1f..%.1f mm leaves the margins", p, a.s, a.x/mm, (a.x+a.w)/mm)
			case a.y < 20*mm && (a.y > 15*mm || a.fs > 8):
				t.Fatalf("page %d: %q (%.0f pt) at y=%.1f mm runs into the bottom margin", p, a.s, a.fs, a.y/mm)
			}
			// Runs on different lines that share horizontal space must be at
			// least one font size apart.
			for _, b := range runs[i+1:] {
				dy := math.Abs(a.y - b.y)
				if b.s == "" || dy == 0 || dy >= max(a.fs, b.fs) || a.x >= b.x+b.w || b.x >= a.x+a.w {
					continue
				}
				t.Fatalf("page %d: %q (y=%.1f) and %q (y=%.1f) overlap", p, a.s, a.y, b.s, b.y)
			}
		}
	}
}

// TestMinutesPDFPageBreaks grows the first discussion line by line so that
// the page break falls on every kind of element once: category heading,
// table header, TOP row, block titles, numbered points, fields and the
// attendance table. No layout may overlap, nothing may be lost, and no page
// may end with a heading, a table header or a block title.
func TestMinutesPDFPageBreaks(t *testing.T) {
	base := seedMinutes()
	const filler = "Ergänzend wird auf die Unterlage der Geschäftsstelle zur Sitzung verwiesen."
	for k := 0; k < 70; k++ {
		doc := base
		doc.Categories = append([]MinutesCategory(nil), base.Categories...)
		a := doc.Categories[0]
		a.Items = append([]MinutesItem(nil), a.Items...)
		a.Items[0].Discussion += strings.Repeat("\n"+filler, k)
		doc.Categories[0] = a
		data, err := minutesPDF(doc)
		if err != nil {
			t.Fatal(err)
		}
		_, pages := extractPDF(t, data)
		text := strings.Join(pages, "\n")
		if got := strings.Count(text, filler); got != k {
			t.Fatalf("k=%d: %d filler lines in the PDF", k, got)
		}
		for _, want := range []string{"Kategorie H [Verschiedenes]", "17 Ja, 0 Nein", "Stefan Groß", "Berichtigungen"} {
			if !strings.Contains(text, want) {
				t.Fatalf("k=%d: PDF text lacks %q", k, want)
			}
		}
		for i, p := range pages[:len(pages)-1] {
			var lines []string // non-blank lines; the last two are footer and page number
			for _, l := range strings.Split(p, "\n") {
				if l = strings.TrimSpace(l); l != "" {
					lines = append(lines, l)
				}
			}
			if len(lines) < 4 {
				t.Fatalf("k=%d: page %d is empty", k, i+1)
			}
			lastBody := lines[len(lines)-3]
			if strings.HasPrefix(lastBody, "Kategorie ") || lastBody == "BE" || lastBody == "Anwesenheit" ||
				lastBody == "Teilnehmerliste" || lastBody == "Berichtigungen" || lastBody == "Diskussion" ||
				lastBody == "Protokollnotiz" || strings.HasPrefix(lastBody, "Beschluss 20") ||
				lastBody == "BUND" || lastBody == "Vorsitz" { // a TOP row without its blocks
				t.Errorf("k=%d: page %d ends with %q", k, i+1, lastBody)
			}
		}
		checkPDFLayout(t, data)
	}
}

func TestMinutesPDFMinimal(t *testing.T) {
	data, err := minutesPDF(MinutesDoc{
		Committee: "Kommunalgremium des IT-Planungsrats", Heading: "Protokoll der 13. Sitzung",
		Date: "13.01.2027", Place: "Sitzungssaal 1, Berlin", Chair: "Dr. Vera Vogt",
		Status: "genehmigt am 10.02.2027 (Beschluss 2027/01)", Footer: "KoG-Portal",
		Categories: []MinutesCategory{{Code: "A", Name: "Einführung", Items: []MinutesItem{{Number: "01", Title: "Begrüßung"}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	_, pages := extractPDF(t, data)
	text := strings.Join(pages, "\n")
	for _, want := range []string{"Leitung:", "Dr. Vera Vogt", "Stand:", "genehmigt am 10.02.2027 (Beschluss 2027/01)",
		"Sitzungssaal 1, Berlin", "Kategorie A [Einführung]", "Begrüßung", "Seite 1 von 1"} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF text lacks %q", want)
		}
	}
	for _, bad := range []string{"Zeit:", "Anlagen:", "Teilnehmerliste", "Berichtigungen", "Diskussion", "Ergebnis:",
		"Beschlussfähigkeit", "Fortsetzung"} {
		if strings.Contains(text, bad) {
			t.Errorf("PDF text unexpectedly contains %q", bad)
		}
	}
}

// TestMinutesPDFGolden pins the complete extracted text, so any change to
// content, order or page breaks shows up in review. Regenerate with
// UPDATE_GOLDEN=1 go test ./app -run TestMinutesPDFGolden.
func TestMinutesPDFGolden(t *testing.T) {
	data, err := minutesPDF(seedMinutes())
	if err != nil {
		t.Fatal(err)
	}
	_, pages := extractPDF(t, data)
	got := strings.Join(pages, "\n--- Seite ---\n")
	golden := filepath.Join("testdata", "minutes_pdf.golden.txt")
	if os.Getenv("UPDATE_GOLDEN") == "1" {
		if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", golden)
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (create it with UPDATE_GOLDEN=1)", err)
	}
	if got == string(want) {
		return
	}
	gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
	for i := 0; i < max(len(gl), len(wl)); i++ {
		g, w := "<EOF>", "<EOF>"
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			t.Fatalf("extracted text differs from %s at line %d:\n got: %q\nwant: %q\n(run with UPDATE_GOLDEN=1 if the change is intended)", golden, i+1, g, w)
		}
	}
}
