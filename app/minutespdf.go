package app

import (
	"regexp"
	"strings"

	"github.com/go-pdf/fpdf"
)

// MinutesDoc is everything the minutes PDF shows. Like InvitationDoc it holds
// preformatted UTF-8 strings only, so the generator is independent of the
// models and can be tested on its own.
type MinutesDoc struct {
	Committee   string // "Kommunalgremium des IT-Planungsrats"
	Heading     string // "Protokoll der 12. Sitzung – Monatliche Videokonferenz"
	Date, Time  string // "09.12.2026", "10:00 – 11:30 Uhr"
	Place       string // "Videokonferenz" or location
	Chair       string // "Leitung: Dr. Vera Vogt (FITKO)"
	Status      string // "Stand: 10.12.2026 · Entwurf" / "genehmigt am … (Beschluss 2027/01)"
	Quorum      string // "Beschlussfähigkeit festgestellt: 12 von 14 stimmberechtigten Sitzen …"
	Categories  []MinutesCategory
	Attendance  []MinutesAttendee
	Corrections []string // wording of corrections after approval, shown under "Berichtigungen"
	Footer      string
}

// MinutesCategory is one agenda block, e.g. "Kategorie B [Schwerpunktthemen]".
type MinutesCategory struct {
	Code, Name string
	Items      []MinutesItem
}

// MinutesItem is one TOP with what was recorded for it.
type MinutesItem struct {
	Number, Title, Rapporteur, Result string // Result e.g. "beschlossen"
	Discussion                        string // plain text, paragraphs separated by blank lines
	Resolutions                       []MinutesResolution
	Notes                             []string // Protokollnotiz: "Stadt Leipzig: …"
}

// MinutesResolution is a resolution taken under a TOP. Text may hold
// numbered points on lines of their own.
type MinutesResolution struct {
	Number, Text, Votes string // "Beschluss 2026/07", "1. …\n2. …", "12 Ja, 0 Nein, 1 Enthaltung (einstimmig)"
}

// MinutesAttendee is one row of the attendance list.
type MinutesAttendee struct {
	Organisation, Person, Presence string // presence "anwesend", "entschuldigt", "vertreten durch X", "Gast"
}

// pdfCol is one table column. It is an alias of pdfCols' element type, so the
// generic table helpers below also accept pdfCols[:].
type pdfCol = struct {
	head, align, style string
	w                  float64
}

var (
	// minutesCols are the per-category TOP table (170 mm text width).
	minutesCols = []pdfCol{{"TOP", "C", "B", 12}, {"Thema", "L", "B", 100}, {"Beschlussnr.", "L", "", 34}, {"BE", "L", "", 24}}
	// attendanceCols are the attendance list.
	attendanceCols = []pdfCol{{"Organisation", "L", "", 70}, {"Person", "L", "", 55}, {"Anwesenheit", "L", "", 45}}
)

const (
	minutesParaGap  = 1.5             // space between paragraphs of a text block
	minutesBlockGap = 2.0             // space before a block title
	minutesContH    = 5.0             // height of the continuation line after a page break
	minutesRight    = 210 - pdfMargin // right edge of the text area on A4
)

// minutesListMarker matches the start of a numbered point or bullet, which is
// set with a hanging indent: "1. ", "2) ", "a) ", "– ", "• ", "› ".
var minutesListMarker = regexp.MustCompile(`^(\d{1,3}[.)]|[a-z]\)|[-–•›*])\s+`)

// minutesPDF renders the minutes (Protokoll) in the structure of the
// IT-Planungsrat protocols: metadata block and quorum, per category a TOP
// table whose rows are each followed by full-width blocks (Diskussion,
// Protokollnotiz, Beschluss, Stimmenverteilung, Ergebnis), then the
// attendance list and the corrections made after approval.
//
// All text is laid out line by line after measuring it with the font that
// draws it, so page breaks never cut a line or run into the footer; a page
// break inside a TOP repeats "TOP nn · Titel (Fortsetzung)" at the top, a
// page break inside a table repeats its column header.
func minutesPDF(doc MinutesDoc) ([]byte, error) {
	pdf, tr := pdfNewDoc(doc.Heading, doc.Committee, doc.Footer)
	w := &minutesWriter{pdf: pdf, tr: tr}
	pdf.AddPage()

	pdf.SetFont("Helvetica", "B", 16)
	pdf.MultiCell(0, 7, tr(doc.Heading), "", "L", false)
	pdf.Ln(3)
	w.meta(doc)
	if doc.Quorum != "" {
		pdf.Ln(2)
		pdf.SetFont("Helvetica", "", 10)
		pdf.MultiCell(0, 5, tr(doc.Quorum), "", "L", false)
	}
	pdf.Ln(5)

	if len(doc.Categories) == 0 {
		pdf.SetFont("Helvetica", "I", 11)
		pdf.MultiCell(0, 6, tr("Es sind keine Tagesordnungspunkte protokolliert."), "", "L", false)
		pdf.Ln(5)
	}
	for _, c := range doc.Categories {
		w.category(c)
	}
	if len(doc.Attendance) > 0 {
		w.attendance(doc.Attendance)
	}
	if len(doc.Corrections) > 0 {
		pdfEnsure(pdf, 8+2*pdfLH)
		w.sectionTitle("Berichtigungen")
		w.print(pdfMargin, w.layout(strings.Join(doc.Corrections, "\n\n"), minutesRight-pdfMargin))
	}
	return pdfBytes(pdf)
}

// minutesWriter lays out the minutes. cont is the continuation line printed
// when a page breaks inside a TOP, "" outside of one.
type minutesWriter struct {
	pdf  *fpdf.Fpdf
	tr   func(string) string
	cont string
}

// meta prints the metadata block: Datum · Zeit, Ort, Leitung, Anlagen, Stand.
func (w *minutesWriter) meta(doc MinutesDoc) {
	pdf, tr := w.pdf, w.tr
	const labelW = 25.0
	if doc.Date != "" || doc.Time != "" {
		// "Datum: 09.12.2026 · Zeit: 10:00 – 11:30 Uhr" on one line, as in the protocols.
		first := true
		for _, p := range [][2]string{{"Datum:", doc.Date}, {"Zeit:", doc.Time}} {
			if p[1] == "" {
				continue
			}
			lw := labelW
			if !first {
				pdf.SetFont("Helvetica", "", 10)
				pdf.CellFormat(pdf.GetStringWidth(" · "), 5, tr(" · "), "", 0, "L", false, 0, "")
				pdf.SetFont("Helvetica", "B", 10)
				lw = pdf.GetStringWidth(tr(p[0] + " "))
			}
			first = false
			pdf.SetFont("Helvetica", "B", 10)
			pdf.CellFormat(lw, 5, tr(p[0]), "", 0, "L", false, 0, "")
			pdf.SetFont("Helvetica", "", 10)
			pdf.CellFormat(pdf.GetStringWidth(tr(p[1])), 5, tr(p[1]), "", 0, "L", false, 0, "")
		}
		pdf.Ln(5)
	}
	chairLabel, chair := splitLabel(doc.Chair, "Leitung")
	statusLabel, status := splitLabel(doc.Status, "Stand")
	annex := ""
	if len(doc.Attendance) > 0 {
		annex = "Teilnehmerliste"
	}
	for _, m := range [][2]string{{"Ort", doc.Place}, {chairLabel, chair}, {"Anlagen", annex}, {statusLabel, status}} {
		if m[1] == "" {
			continue
		}
		pdf.SetFont("Helvetica", "B", 10)
		pdf.CellFormat(labelW, 5, tr(m[0]+":"), "", 0, "L", false, 0, "")
		pdf.SetFont("Helvetica", "", 10)
		pdf.MultiCell(0, 5, tr(m[1]), "", "L", false)
	}
}

// splitLabel splits "Leitung: Dr. Vera Vogt" into label and value when the
// string starts with a one-word label; otherwise the label is def.
func splitLabel(s, def string) (label, value string) {
	if l, v, ok := strings.Cut(s, ": "); ok && l != "" && len(l) <= 20 && !strings.ContainsAny(l, " \t") {
		return l, strings.TrimSpace(v)
	}
	return def, s
}

// sectionTitle prints a bold 11 pt heading like "Kategorie B [Schwerpunktthemen]".
func (w *minutesWriter) sectionTitle(s string) {
	w.pdf.SetFont("Helvetica", "B", 11)
	w.pdf.CellFormat(0, 8, w.tr(s), "", 1, "L", false, 0, "")
}

// category prints the heading and the TOP table of one category, each TOP
// row followed by its blocks. The column header is printed again whenever a
// TOP row starts on a page that does not show it yet.
func (w *minutesWriter) category(c MinutesCategory) {
	pdf, tr := w.pdf, w.tr
	title := strings.TrimSpace("Kategorie " + c.Code)
	if c.Name != "" {
		title += " [" + c.Name + "]"
	}
	headerPage := 0
	for i, it := range c.Items {
		texts := minutesRowTexts(it)
		h := pdfTextRowHeight(pdf, tr, minutesCols, texts)
		need := h + w.firstBlockHeight(it)
		if i == 0 {
			pdfEnsure(pdf, 8+6+need) // keep heading, header, row and first lines together
			w.sectionTitle(title)
		} else {
			pdfEnsure(pdf, need)
		}
		if pdf.PageNo() != headerPage {
			pdfHeaderRow(pdf, tr, minutesCols)
			headerPage = pdf.PageNo()
		}
		pdfTextRow(pdf, tr, minutesCols, texts, h)

		w.cont = strings.TrimSpace("TOP "+it.Number) + " · " + it.Title + " (Fortsetzung)"
		w.item(it)
		w.cont = ""
		pdf.Ln(minutesBlockGap)
	}
	if len(c.Items) == 0 {
		pdfEnsure(pdf, 8+pdfLH)
		w.sectionTitle(title)
		pdf.SetFont("Helvetica", "I", 9)
		pdf.CellFormat(0, pdfLH, tr("Keine Tagesordnungspunkte."), "", 1, "L", false, 0, "")
	}
	pdf.Ln(3)
}

// minutesRowTexts are the TOP table cells of an item.
func minutesRowTexts(it MinutesItem) []string {
	var nums []string
	for _, r := range it.Resolutions {
		nums = append(nums, r.Number)
	}
	return []string{it.Number, it.Title, strings.Join(nonEmpty(nums...), "\n"), it.Rapporteur}
}

// The blocks under a TOP row start at the Thema column and span the rest of
// the table, leaving the TOP column free as in the protocols.
func minutesBlockX() float64 { return pdfMargin + minutesCols[0].w }

// item prints the blocks under a TOP row.
func (w *minutesWriter) item(it MinutesItem) {
	x := minutesBlockX()
	if strings.TrimSpace(it.Discussion) != "" {
		w.block(x, "Diskussion", it.Discussion)
	}
	if notes := nonEmpty(it.Notes...); len(notes) > 0 {
		title := "Protokollnotiz"
		if len(notes) > 1 {
			title = "Protokollnotizen"
		}
		w.block(x, title, strings.Join(notes, "\n\n"))
	}
	for _, r := range it.Resolutions {
		title := r.Number
		if title == "" {
			title = "Beschluss"
		}
		w.block(x, title, r.Text)
		if r.Votes != "" {
			w.field(x, "Stimmenverteilung:", r.Votes)
		}
	}
	if it.Result != "" {
		w.pdf.Ln(minutesParaGap)
		w.field(x, "Ergebnis:", it.Result)
	}
}

// firstBlockHeight is what must fit under a TOP row so that the row is not
// left alone at the bottom of a page: the first block's title and two lines.
func (w *minutesWriter) firstBlockHeight(it MinutesItem) float64 {
	switch {
	case strings.TrimSpace(it.Discussion) != "", len(nonEmpty(it.Notes...)) > 0, len(it.Resolutions) > 0:
		return minutesBlockGap + pdfLH + 2*pdfLH
	case it.Result != "":
		return minutesParaGap + pdfLH
	}
	return 0
}

// ensure makes room for h millimetres; after a page break inside a TOP it
// prints the continuation line first.
func (w *minutesWriter) ensure(h float64) {
	if pdfEnsure(w.pdf, h) && w.cont != "" {
		w.pdf.SetFont("Helvetica", "I", 8)
		w.pdf.SetTextColor(90, 90, 90)
		w.pdf.CellFormat(0, minutesContH, w.tr(w.cont), "", 1, "L", false, 0, "")
		w.pdf.SetTextColor(0, 0, 0)
	}
}

// block prints a bold title and the body text below it, keeping the title
// together with the first two lines.
func (w *minutesWriter) block(x float64, title, body string) {
	pdf := w.pdf
	pdf.Ln(minutesBlockGap)
	lines := w.layout(body, minutesRight-x)
	w.ensure(pdfLH * float64(1+min(len(lines), 2)))
	pdf.SetFont("Helvetica", "B", 9)
	pdf.SetX(x)
	pdf.CellFormat(0, pdfLH, w.tr(title), "", 1, "L", false, 0, "")
	w.print(x, lines)
}

// field prints "Label: value" with the value wrapping under itself.
func (w *minutesWriter) field(x float64, label, value string) {
	pdf := w.pdf
	pdf.SetFont("Helvetica", "B", 9)
	lw := pdf.GetStringWidth(w.tr(label)) + 2
	lines := w.layout(value, minutesRight-x-lw)
	w.ensure(pdfLH)
	pdf.SetFont("Helvetica", "B", 9)
	pdf.SetX(x)
	if len(lines) == 0 {
		pdf.CellFormat(lw, pdfLH, w.tr(label), "", 1, "L", false, 0, "")
		return
	}
	pdf.CellFormat(lw, pdfLH, w.tr(label), "", 0, "L", false, 0, "")
	w.print(pdf.GetX(), lines)
}

// minutesLine is one laid-out line: already translated text, its indent
// relative to the block, an optional list marker, and the gap before it.
type minutesLine struct {
	text, marker string
	indent, gap  float64
}

// layout breaks 9 pt body text into lines of at most width millimetres: blank lines
// separate paragraphs, every other newline starts a new line, and list
// items ("1. …", "– …") get a hanging indent. Line breaking is fpdf's own
// (SplitLines on the cp1252 text with the drawing font), as MultiCell does.
func (w *minutesWriter) layout(body string, width float64) []minutesLine {
	pdf, tr := w.pdf, w.tr
	pdf.SetFont("Helvetica", "", 9)
	var out []minutesLine
	gap := 0.0
	for _, raw := range strings.Split(strings.ReplaceAll(body, "\r", ""), "\n") {
		s := strings.TrimSpace(raw)
		if s == "" {
			if len(out) > 0 {
				gap = minutesParaGap
			}
			continue
		}
		marker, indent := "", 0.0
		if m := minutesListMarker.FindString(s); m != "" {
			marker = strings.TrimSpace(m)
			indent = max(5, pdf.GetStringWidth(tr(marker))+2)
			s = s[len(m):]
		}
		for i, l := range pdf.SplitLines([]byte(tr(s)), width-indent) {
			ln := minutesLine{text: string(l), indent: indent}
			if i == 0 {
				ln.marker, ln.gap = marker, gap
				gap = 0
			}
			out = append(out, ln)
		}
	}
	return out
}

// print draws laid-out lines at x, each after making room for it.
func (w *minutesWriter) print(x float64, lines []minutesLine) {
	pdf := w.pdf
	width := minutesRight - x
	for _, l := range lines {
		if l.gap > 0 {
			if _, ph := pdf.GetPageSize(); pdf.GetY()+l.gap+pdfLH <= ph-pdfMargin {
				pdf.Ln(l.gap)
			}
		}
		w.ensure(pdfLH)
		pdf.SetFont("Helvetica", "", 9)
		if l.marker != "" {
			pdf.SetX(x)
			pdf.CellFormat(l.indent, pdfLH, w.tr(l.marker), "", 0, "L", false, 0, "")
		}
		pdf.SetX(x + l.indent)
		pdf.CellFormat(width-l.indent, pdfLH, l.text, "", 1, "L", false, 0, "")
	}
}

// attendance prints the attendance list as a table.
func (w *minutesWriter) attendance(rows []MinutesAttendee) {
	pdf, tr := w.pdf, w.tr
	for i, a := range rows {
		texts := []string{a.Organisation, a.Person, a.Presence}
		h := pdfTextRowHeight(pdf, tr, attendanceCols, texts)
		if i == 0 {
			pdfEnsure(pdf, 8+6+h)
			w.sectionTitle("Teilnehmerliste")
			pdfHeaderRow(pdf, tr, attendanceCols)
		} else if pdfEnsure(pdf, h) {
			pdfHeaderRow(pdf, tr, attendanceCols)
		}
		pdfTextRow(pdf, tr, attendanceCols, texts, h)
	}
	pdf.Ln(5)
}

// pdfHeaderRow draws a grey column header row; pdfTableHeader for any columns.
func pdfHeaderRow(pdf *fpdf.Fpdf, tr func(string) string, cols []pdfCol) {
	pdf.SetFont("Helvetica", "B", 9)
	pdf.SetFillColor(225, 225, 225)
	for _, col := range cols {
		pdf.CellFormat(col.w, 6, tr(col.head), "1", 0, col.align, true, 0, "")
	}
	pdf.Ln(-1)
}

// pdfTextRowHeight measures a table row of plain 9 pt cells the way
// pdfRowHeight does.
func pdfTextRowHeight(pdf *fpdf.Fpdf, tr func(string) string, cols []pdfCol, texts []string) float64 {
	h := pdfLH
	for i, col := range cols {
		pdf.SetFont("Helvetica", col.style, 9)
		h = max(h, float64(len(pdf.SplitLines([]byte(tr(texts[i])), col.w)))*pdfLH)
	}
	return h + 2*pdfPad
}

// pdfTextRow draws a row of bordered cells of height h (from
// pdfTextRowHeight) and moves below it.
func pdfTextRow(pdf *fpdf.Fpdf, tr func(string) string, cols []pdfCol, texts []string, h float64) {
	x0, y0 := pdf.GetX(), pdf.GetY()
	x := x0
	for i, col := range cols {
		pdf.Rect(x, y0, col.w, h, "D")
		pdf.SetXY(x, y0+pdfPad)
		pdf.SetFont("Helvetica", col.style, 9)
		pdf.MultiCell(col.w, pdfLH, tr(texts[i]), "", col.align, false)
		x += col.w
	}
	pdf.SetXY(x0, y0+h)
}
