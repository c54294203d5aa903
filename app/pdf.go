package app

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/go-pdf/fpdf"
)

// InvitationDoc is everything the invitation/agenda PDF shows. All strings are
// UTF-8 and already formatted for German readers; the generator only lays them
// out, so it stays independent of the models and can be tested on its own.
type InvitationDoc struct {
	Committee   string // "Kommunalgremium des IT-Planungsrats"
	Heading     string // e.g. "12. Sitzung – Monatliche Videokonferenz"
	When        string // preformatted German date/time
	Kind        string // "Videokonferenz" / "Präsenzsitzung"
	JoinOrPlace string // video link (members only, caller decides) or location + address
	InvitedOn   string // "Einladung vom 25.11.2026" or ""
	Changed     string // "geändert am …" or ""
	Chair       string // "Vorsitz: FITKO"
	Categories  []PDFCategory
	Footer      string // e.g. "Erstellt am … · KoG-Portal"
}

// PDFCategory is one agenda block as in IT-Planungsrat protocols,
// e.g. Code "A", Name "Einführung" → "Kategorie A [Einführung]".
type PDFCategory struct {
	Code, Name string
	Items      []PDFItem
}

// PDFItem is one TOP. Number runs through the whole agenda ("01", "02", …).
type PDFItem struct {
	Number, Title, Outcome, Resolution, Source, Rapporteur, Duration, Note string
}

// pdfCols are the agenda table columns; the widths fill the 170 mm text width
// of A4 with 20 mm margins.
var pdfCols = [5]struct {
	head, align, style string
	w                  float64
}{{"TOP", "C", "B", 12}, {"Thema", "L", "", 80}, {"Ergebnis", "L", "", 26}, {"Beschlussnr.", "L", "", 30}, {"BE", "L", "", 22}}

const (
	pdfMargin = 20.0
	pdfLH     = 4.5 // line height of 9 pt table text
	pdfSubLH  = 4.0 // line height of 8 pt detail text (Quelle, Dauer, Notiz)
	pdfPad    = 1.2 // vertical padding inside a table row
)

// invitationPDF renders the invitation with its agenda. It uses the built-in
// Helvetica so no font files have to ship with the binary; core fonts only
// know single-byte code pages, hence every string goes through a cp1252
// translator (umlauts, ß, „…“, – and … exist there; anything else becomes '.').
func invitationPDF(doc InvitationDoc) ([]byte, error) {
	pdf, tr := pdfNewDoc(doc.Heading, doc.Committee, doc.Footer)

	pdf.AddPage()
	pdf.SetFont("Helvetica", "B", 16)
	pdf.MultiCell(0, 7, tr(doc.Heading), "", "L", false)
	if doc.Chair != "" {
		pdf.SetFont("Helvetica", "", 10)
		pdf.MultiCell(0, 5, tr(doc.Chair), "", "L", false)
	}
	pdf.Ln(3)

	// A video link is an access route, anything else a venue.
	place := "Ort"
	if strings.Contains(strings.ToLower(doc.Kind), "video") {
		place = "Zugang"
	}
	stand := strings.Join(nonEmpty(doc.InvitedOn, doc.Changed), " · ")
	for _, m := range [][2]string{{"Zeit", doc.When}, {"Art", doc.Kind}, {place, doc.JoinOrPlace}, {"Stand", stand}} {
		if m[1] == "" {
			continue
		}
		pdf.SetFont("Helvetica", "B", 10)
		pdf.CellFormat(25, 5, tr(m[0]+":"), "", 0, "L", false, 0, "")
		pdf.SetFont("Helvetica", "", 10)
		pdf.MultiCell(0, 5, tr(m[1]), "", "L", false)
	}
	pdf.Ln(5)

	if len(doc.Categories) == 0 {
		pdf.SetFont("Helvetica", "I", 11)
		pdf.MultiCell(0, 6, tr("Die Tagesordnung ist noch nicht veröffentlicht."), "", "L", false)
	}
	for _, c := range doc.Categories {
		pdfCategoryTable(pdf, tr, c)
	}
	return pdfBytes(pdf)
}

// pdfCategoryTable prints the category heading and its TOP table. Row heights
// are measured before drawing so that a row is never split across pages and
// cells never overlap; after each page break the column header is repeated.
// (Only a single row taller than a whole page would still be split.)
func pdfCategoryTable(pdf *fpdf.Fpdf, tr func(string) string, c PDFCategory) {
	title := strings.TrimSpace("Kategorie " + c.Code)
	if c.Name != "" {
		title += " [" + c.Name + "]"
	}
	first := 0.0
	if len(c.Items) > 0 {
		first = pdfRowHeight(pdf, tr, c.Items[0])
	}
	pdfEnsure(pdf, 8+6+first) // keep heading, header and first row together
	pdf.SetFont("Helvetica", "B", 11)
	pdf.CellFormat(0, 8, tr(title), "", 1, "L", false, 0, "")
	pdfTableHeader(pdf, tr)
	for _, it := range c.Items {
		h := pdfRowHeight(pdf, tr, it)
		if pdfEnsure(pdf, h) {
			pdfTableHeader(pdf, tr)
		}
		x0, y0 := pdf.GetX(), pdf.GetY()
		x := x0
		texts, sub := pdfCells(it)
		for i, col := range pdfCols {
			pdf.Rect(x, y0, col.w, h, "D")
			pdf.SetXY(x, y0+pdfPad)
			pdf.SetFont("Helvetica", col.style, 9)
			pdf.MultiCell(col.w, pdfLH, tr(texts[i]), "", col.align, false)
			if i == 1 && sub != "" {
				pdf.SetX(x)
				pdf.SetFont("Helvetica", "I", 8)
				pdf.SetTextColor(80, 80, 80)
				pdf.MultiCell(col.w, pdfSubLH, tr(sub), "", "L", false)
				pdf.SetTextColor(0, 0, 0)
			}
			x += col.w
		}
		pdf.SetXY(x0, y0+h)
	}
	pdf.Ln(5)
}

// pdfCells maps an item onto the five columns; source, duration and note go
// as a smaller second block under the title.
func pdfCells(it PDFItem) (texts [5]string, sub string) {
	texts = [5]string{it.Number, it.Title, it.Outcome, it.Resolution, it.Rapporteur}
	var d []string
	if it.Source != "" {
		d = append(d, "Quelle: "+it.Source)
	}
	if it.Duration != "" {
		d = append(d, "Dauer: "+it.Duration)
	}
	sub = strings.Join(nonEmpty(strings.Join(d, " · "), it.Note), "\n")
	return texts, sub
}

// pdfRowHeight measures a row with the same line-breaking rule MultiCell uses
// (SplitLines on the cp1252 bytes with the font that will be drawn).
func pdfRowHeight(pdf *fpdf.Fpdf, tr func(string) string, it PDFItem) float64 {
	texts, sub := pdfCells(it)
	h := pdfLH
	for i, col := range pdfCols {
		pdf.SetFont("Helvetica", col.style, 9)
		ch := float64(len(pdf.SplitLines([]byte(tr(texts[i])), col.w))) * pdfLH
		if i == 1 && sub != "" {
			pdf.SetFont("Helvetica", "I", 8)
			ch += float64(len(pdf.SplitLines([]byte(tr(sub)), col.w))) * pdfSubLH
		}
		h = max(h, ch)
	}
	return h + 2*pdfPad
}

// pdfTableHeader draws the grey column header row.
func pdfTableHeader(pdf *fpdf.Fpdf, tr func(string) string) {
	pdf.SetFont("Helvetica", "B", 9)
	pdf.SetFillColor(225, 225, 225)
	for _, col := range pdfCols {
		pdf.CellFormat(col.w, 6, tr(col.head), "1", 0, col.align, true, 0, "")
	}
	pdf.Ln(-1)
}

// pdfEnsure starts a new page when h millimetres no longer fit above the
// bottom margin and reports whether it did.
func pdfEnsure(pdf *fpdf.Fpdf, h float64) bool {
	_, ph := pdf.GetPageSize()
	_, bottom := pdf.GetAutoPageBreak()
	if pdf.GetY()+h <= ph-bottom {
		return false
	}
	pdf.AddPage()
	return true
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// pdfNewDoc sets up the A4 document all portal PDFs share: 20 mm margins,
// document info, the committee as running head and footer text plus
// "Seite X von Y" at the bottom. The returned translator maps UTF-8 to the
// cp1252 code page of the core fonts.
func pdfNewDoc(title, committee, footer string) (*fpdf.Fpdf, func(string) string) {
	pdf := fpdf.New("P", "mm", "A4", "")
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	pdf.SetMargins(pdfMargin, pdfMargin+2, pdfMargin)
	pdf.SetAutoPageBreak(true, pdfMargin)
	pdf.SetTitle(title, true)
	pdf.SetSubject(committee, true)
	pdf.SetAuthor("KoG-Portal", true)
	pdf.SetCreator("KoG-Portal", true)
	pdf.SetLang("de-DE")
	pdf.AliasNbPages("{nb}")
	pdf.SetHeaderFuncMode(func() {
		pdf.SetXY(pdfMargin, 10)
		pdf.SetFont("Helvetica", "", 8)
		pdf.SetTextColor(90, 90, 90)
		pdf.CellFormat(0, 5, tr(committee), "B", 1, "L", false, 0, "")
		pdf.SetTextColor(0, 0, 0)
	}, true)
	pdf.SetFooterFunc(func() {
		pdf.SetY(-14)
		pdf.SetFont("Helvetica", "", 8)
		pdf.SetTextColor(90, 90, 90)
		pdf.CellFormat(0, 5, tr(footer), "T", 0, "L", false, 0, "")
		pdf.SetX(pdfMargin)
		pdf.CellFormat(0, 5, tr("Seite "+strconv.Itoa(pdf.PageNo())+" von {nb}"), "", 0, "R", false, 0, "")
		pdf.SetTextColor(0, 0, 0)
	})
	return pdf, tr
}

// pdfBytes finishes the document.
func pdfBytes(pdf *fpdf.Fpdf) ([]byte, error) {
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
