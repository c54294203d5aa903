package app

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/go-pdf/fpdf"

	"kogportal/models"
)

// profileCommittee is the running head of the profile PDF.
const profileCommittee = "Kommunalgremium des IT-Planungsrats"

// profileSection is one text section of a profile version.
type profileSection struct{ title, body string }

func profileSections(v *models.ProfileVersion) []profileSection {
	return []profileSection{
		{"Zusammenfassung", v.Summary}, {"Problemstellung", v.Problem}, {"Ziele", v.Goals},
	}
}

// profileMeta are the metadata lines of a version as label/value pairs;
// empty values are left out.
func profileMeta(p *models.Profile, v *models.ProfileVersion) [][2]string {
	version := "Fassung " + strconv.Itoa(v.Number)
	if !v.CreatedAt.IsZero() {
		version += " vom " + v.CreatedAt.In(berlin).Format("02.01.2006")
	}
	if p.Version > v.Number {
		version += " (aktuell ist Fassung " + strconv.Itoa(p.Version) + ")"
	}
	status := p.Status.Label()
	if p.Status == models.ProfileConsultation && p.ConsultationEnds != nil {
		status += " bis " + p.ConsultationEnds.In(berlin).Format("02.01.2006")
	}
	var out [][2]string
	for _, m := range [][2]string{
		{"Adressat", v.AddressedTo}, {"Status", status}, {"Stand", version},
		{"Herkunft", v.Origins}, {"Betroffene Dienste", v.Tags},
	} {
		if m[1] = profOneLine(m[1]); m[1] != "" {
			out = append(out, m)
		}
	}
	return out
}

// profileReqID is the citable ID of a requirement, "AP-2026-03/R4".
func profileReqID(p *models.Profile, r models.Requirement) string {
	return p.Reference + "/" + r.Key
}

// profileReqHeading is "AP-2026-03/R4 (MUSS)".
func profileReqHeading(p *models.Profile, r models.Requirement) string {
	h := profileReqID(p, r)
	if r.Priority != "" {
		h += " (" + r.Priority + ")"
	}
	return h
}

// profOneLine collapses line breaks and runs of white space, for text that
// goes into a heading or a metadata line.
func profOneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// profText trims a multi-line text and unifies its line endings.
func profText(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n"))
}

// profileMarkdown renders one version of a profile as a Markdown document:
// "# AP-2026-03: Titel", the metadata as a list, then the sections
// Zusammenfassung, Problemstellung and Ziele and the requirements, each as
// "### AP-2026-03/R4 (MUSS)" with its text and rationale. Section texts are
// Markdown already and are taken over as written.
func profileMarkdown(p *models.Profile, v *models.ProfileVersion) string {
	var b strings.Builder
	b.WriteString("# " + p.Reference + ": " + profOneLine(v.Title) + "\n\n")
	for _, m := range profileMeta(p, v) {
		b.WriteString("- **" + m[0] + ":** " + m[1] + "\n")
	}
	for _, s := range profileSections(v) {
		b.WriteString("\n## " + s.title + "\n\n")
		b.WriteString(profOrNone(profText(s.body)) + "\n")
	}
	b.WriteString("\n## Anforderungen\n")
	reqs := v.Reqs()
	if len(reqs) == 0 {
		b.WriteString("\n" + profOrNone("") + "\n")
	}
	for _, r := range reqs {
		b.WriteString("\n### " + profileReqHeading(p, r) + "\n\n")
		b.WriteString(profOrNone(profText(r.Text)) + "\n")
		if rat := profText(r.Rationale); rat != "" {
			b.WriteString("\n*Begründung:* " + rat + "\n")
		}
	}
	if ans := profText(p.AnswerText); ans != "" && p.Version == v.Number {
		b.WriteString("\n## Rückmeldung des IT-Planungsrats\n\n")
		var head []string
		if p.AnswerNumber != "" {
			head = append(head, "Beschluss "+profOneLine(p.AnswerNumber))
		}
		if p.AnswerOn != nil {
			head = append(head, "vom "+p.AnswerOn.In(berlin).Format("02.01.2006"))
		}
		if len(head) > 0 {
			b.WriteString("*" + strings.Join(head, " ") + "*\n\n")
		}
		b.WriteString(ans + "\n")
	}
	return b.String()
}

func profOrNone(s string) string {
	if s == "" {
		return "*Keine Angabe.*"
	}
	return s
}

// Layout of the profile PDF (A4, 170 mm text width).
const (
	profLH      = 5.0  // line height of 10 pt body text
	profMetaW   = 38.0 // width of the metadata labels
	profIndent  = 6.0  // indent of a requirement's text under its ID
	profReqIDH  = 6.0  // line height of a requirement ID
	profParaGap = 2.0  // space between paragraphs
)

// profilePDF renders one version of a profile with the same content as
// profileMarkdown: title, metadata, sections and the requirements with their
// IDs in bold. Text wraps with MultiCell; headings are kept together with the
// first lines that follow them, so no heading is left alone at the bottom of
// a page. The running head names the committee, the footer the reference and
// version plus "Seite X von Y".
func profilePDF(p *models.Profile, v *models.ProfileVersion) ([]byte, error) {
	title := p.Reference + ": " + profOneLine(v.Title)
	pdf, tr := pdfNewDoc(title, profileCommittee, "KoG-Portal · "+p.Reference+" Fassung "+strconv.Itoa(v.Number))
	pw, _ := pdf.GetPageSize()
	width := pw - 2*pdfMargin

	pdf.AddPage()
	pdf.SetFont("Helvetica", "B", 16)
	pdf.MultiCell(0, 7, tr(title), "", "L", false)
	pdf.Ln(3)

	for _, m := range profileMeta(p, v) {
		pdf.SetFont("Helvetica", "", 10)
		h := float64(len(pdf.SplitLines([]byte(tr(m[1])), width-profMetaW))) * profLH
		pdfEnsure(pdf, h)
		pdf.SetFont("Helvetica", "B", 10)
		pdf.CellFormat(profMetaW, profLH, tr(m[0]+":"), "", 0, "L", false, 0, "")
		pdf.SetFont("Helvetica", "", 10)
		pdf.MultiCell(0, profLH, tr(m[1]), "", "L", false)
	}

	for _, s := range profileSections(v) {
		body := profPlain(s.body)
		profHeading(pdf, tr, s.title, profLinesHeight(pdf, tr, body, width, "", 2))
		profBody(pdf, tr, body, pdfMargin, width, "")
	}

	reqs := v.Reqs()
	if len(reqs) == 0 {
		profHeading(pdf, tr, "Anforderungen", profLH)
		profBody(pdf, tr, profPlain(""), pdfMargin, width, "")
	} else {
		// Keep the heading with the first ID and two lines of its text.
		profHeading(pdf, tr, "Anforderungen", profReqIDH+profLinesHeight(pdf, tr, profPlain(reqs[0].Text), width-profIndent, "", 2))
	}
	for i, r := range reqs {
		if i > 0 {
			pdf.Ln(3)
		}
		text := profPlain(r.Text)
		x, w := pdfMargin+profIndent, width-profIndent
		// Keep the ID with the first two lines of its text.
		pdfEnsure(pdf, profReqIDH+profLinesHeight(pdf, tr, text, w, "", 2))
		pdf.SetFont("Helvetica", "B", 11)
		pdf.MultiCell(0, profReqIDH, tr(profileReqHeading(p, r)), "", "L", false)
		profBody(pdf, tr, text, x, w, "")
		if rat := profText(r.Rationale); rat != "" {
			pdf.Ln(1)
			profBody(pdf, tr, profPlain(rat), x, w, "Begründung: ")
		}
	}

	if ans := profText(p.AnswerText); ans != "" && p.Version == v.Number {
		profHeading(pdf, tr, "Rückmeldung des IT-Planungsrats", profLH+1+profLinesHeight(pdf, tr, profPlain(ans), width, "", 2))
		var head []string
		if p.AnswerNumber != "" {
			head = append(head, "Beschluss "+profOneLine(p.AnswerNumber))
		}
		if p.AnswerOn != nil {
			head = append(head, "vom "+p.AnswerOn.In(berlin).Format("02.01.2006"))
		}
		if len(head) > 0 {
			pdf.SetFont("Helvetica", "I", 10)
			pdf.MultiCell(0, profLH, tr(strings.Join(head, " ")), "", "L", false)
			pdf.Ln(1)
		}
		profBody(pdf, tr, profPlain(ans), pdfMargin, width, "")
	}
	return pdfBytes(pdf)
}

var (
	profMdLink   = regexp.MustCompile(`\[([^\]\n]+)\]\((\S+?)\)`)
	profMdMarks  = regexp.MustCompile("\\*\\*|__|`")
	profMdHead   = regexp.MustCompile(`(?m)^[ \t]{0,3}#{1,6}[ \t]+`)
	profMdBullet = regexp.MustCompile(`(?m)^([ \t]*)[-*+][ \t]+`)
)

// profPlain turns the Markdown of a section or requirement into plain text
// for the PDF: links become "Text (URL)", bold and code marks are dropped,
// heading marks removed and bullets set as dashes. An empty text becomes
// "Keine Angabe.".
func profPlain(s string) string {
	s = profText(s)
	if s == "" {
		return "Keine Angabe."
	}
	s = profMdLink.ReplaceAllString(s, "$1 ($2)")
	s = profMdMarks.ReplaceAllString(s, "")
	s = profMdHead.ReplaceAllString(s, "")
	return profMdBullet.ReplaceAllString(s, "$1– ")
}

// profHeading prints a 12 pt section heading, moving it to the next page
// when it would not fit together with the next h millimetres.
func profHeading(pdf *fpdf.Fpdf, tr func(string) string, title string, h float64) {
	pdf.Ln(4)
	pdfEnsure(pdf, 8+h)
	pdf.SetFont("Helvetica", "B", 12)
	pdf.CellFormat(0, 8, tr(title), "", 1, "L", false, 0, "")
}

// profParagraphs splits a text at blank lines.
func profParagraphs(s string) []string {
	var out []string
	for _, p := range strings.Split(profText(s), "\n\n") {
		if p = strings.Trim(p, "\n"); strings.TrimSpace(p) != "" {
			out = append(out, p)
		}
	}
	return out
}

// profLinesHeight is the height of the first at most n lines of s set in
// 10 pt at the given width (n <= 0: all lines), measured with fpdf's own
// line breaking. A label is set in front of the first paragraph.
func profLinesHeight(pdf *fpdf.Fpdf, tr func(string) string, s string, width float64, label string, n int) float64 {
	pdf.SetFont("Helvetica", "", 10)
	lines := 0
	for i, para := range profParagraphs(s) {
		if i == 0 {
			para = label + para
		}
		lines += len(pdf.SplitLines([]byte(tr(para)), width))
		if n > 0 && lines >= n {
			return float64(n) * profLH
		}
	}
	return float64(lines) * profLH
}

// profBody prints 10 pt body text at x with the given width, paragraph by
// paragraph; single newlines inside a paragraph are kept. label, if any, is
// set in italics in front of the first paragraph. Lines that no longer fit
// go to the next page by fpdf's automatic page break, which never splits a
// line; a paragraph does not start with a lone line at the bottom of a page.
func profBody(pdf *fpdf.Fpdf, tr func(string) string, s string, x, width float64, label string) {
	for i, para := range profParagraphs(s) {
		if i > 0 {
			pdf.Ln(profParaGap)
		}
		pdfEnsure(pdf, profLinesHeight(pdf, tr, para, width, "", 2))
		pdf.SetX(x)
		if i == 0 && label != "" {
			// The label runs into the text: write it, then flow the
			// paragraph on from there with Write, which wraps at the
			// right margin and returns to the left margin; set the left
			// margin to x for the duration.
			left, top, right, _ := pdf.GetMargins()
			pdf.SetLeftMargin(x)
			pdf.SetX(x)
			pdf.SetFont("Helvetica", "I", 10)
			pdf.Write(profLH, tr(label))
			pdf.SetFont("Helvetica", "", 10)
			pdf.Write(profLH, tr(para))
			pdf.Ln(profLH)
			pdf.SetMargins(left, top, right)
			pdf.SetX(left)
			continue
		}
		pdf.SetFont("Helvetica", "", 10)
		pdf.MultiCell(width, profLH, tr(para), "", "L", false)
	}
}
