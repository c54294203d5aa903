package app

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"kogportal/models"
)

// MinutesPage is the protocol of a meeting in the structure of the
// IT-PLR's protocols, with the chair's recording forms while it is open.
type MinutesPage struct {
	Page
	Meeting     *models.Meeting
	Minutes     *models.Minutes
	Corrections []models.Minutes
	Sections    []minutesSection
	Attendance  []models.Attendance
	Comments    []models.MinutesComment
	CanRecord   bool // the chair, while the minutes are a draft
	CanManage   bool
	CanComment  bool
	Orgs        []models.Organisation
	Approvals   []models.Resolution // adopted resolutions of later meetings
	Results     []models.ItemResult
	Errors      map[string]string
}

// minutesSection is a category with its TOPs and what was recorded.
type minutesSection struct {
	Category models.AgendaCategory
	Items    []minutesItem
}

type minutesItem struct {
	Item        models.AgendaItem
	Discussion  any // rendered Markdown
	Resolutions []models.Resolution
	Notes       []models.MinuteNote
}

// minutesData gathers the minutes of a meeting as the viewer may see them.
func (s *Server) minutesData(c *fiber.Ctx, m *models.Meeting) (*MinutesPage, error) {
	ctx, u := c.UserContext(), currentUser(c)
	mins, corrections, err := s.store.MinutesOf(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	items, err := s.store.Agenda(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	resolutions, err := s.store.ResolutionsOf(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	notes, err := s.store.NotesOf(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	p := &MinutesPage{Page: s.page(c, "Protokoll: "+m.Display()), Meeting: m, Minutes: mins, Corrections: corrections,
		CanManage: models.CanRecordMinutes(u), CanComment: models.CanCommentMinutes(u) && mins.Status == models.MinutesVoting,
		Results: models.ItemResults}
	p.CanRecord = p.CanManage && mins.Status == models.MinutesDraft && (m.Status == models.StatusInvited || m.Status == models.StatusHeld)
	for _, cat := range models.AgendaCategories {
		sec := minutesSection{Category: cat}
		for _, it := range items {
			if it.Category != cat.Code {
				continue
			}
			mi := minutesItem{Item: it, Discussion: renderMarkdown(it.Discussion)}
			for _, r := range resolutions {
				if r.AgendaItemID == it.ID && models.CanSeeResolution(u, &r) {
					mi.Resolutions = append(mi.Resolutions, r)
				}
			}
			for _, n := range notes {
				if n.AgendaItemID == it.ID {
					mi.Notes = append(mi.Notes, n)
				}
			}
			sec.Items = append(sec.Items, mi)
		}
		if len(sec.Items) > 0 {
			p.Sections = append(p.Sections, sec)
		}
	}
	if p.Attendance, err = s.store.AttendanceList(ctx, m.ID); err != nil {
		return nil, err
	}
	if mins.ID != 0 {
		if p.Comments, err = s.store.MinutesComments(ctx, mins.ID); err != nil {
			return nil, err
		}
	}
	if p.CanManage {
		if p.Orgs, err = s.store.Organisations(ctx); err != nil {
			return nil, err
		}
		if mins.Status == models.MinutesVoting {
			all, err := s.store.Resolutions(ctx, models.ResolutionFilter{Internal: true})
			if err != nil {
				return nil, err
			}
			for _, r := range all {
				if r.Adopted && r.Meeting != nil && r.Meeting.StartsAt.After(m.StartsAt) {
					p.Approvals = append(p.Approvals, r)
				}
			}
		}
	}
	return p, nil
}

func (s *Server) minutes(c *fiber.Ctx) error {
	if err := allow(c, models.CanSeeMinutes(currentUser(c))); err != nil {
		return err
	}
	m, err := s.meetingParam(c)
	if err != nil {
		return err
	}
	return s.renderMinutes(c, fiber.StatusOK, m, nil)
}

func (s *Server) renderMinutes(c *fiber.Ctx, status int, m *models.Meeting, errs map[string]string) error {
	p, err := s.minutesData(c, m)
	if err != nil {
		return err
	}
	p.Errors = errs
	return s.render(c, status, "minutes/show", p)
}

// minutesAction runs one recording step of the chair and shows the minutes
// again: the form with German messages on 422, a flash on success.
func (s *Server) minutesAction(c *fiber.Ctx, meetingID uint, run func() (string, error)) error {
	msg, err := run()
	if ve, ok := asValidation(err); ok {
		m, merr := s.store.Meeting(c.UserContext(), meetingID)
		if merr != nil {
			return merr
		}
		return s.renderMinutes(c, fiber.StatusUnprocessableEntity, m, ve.Fields)
	} else if err != nil {
		return err
	}
	return s.redirectWithFlash(c, meetingPath(meetingID)+"/protokoll", msg)
}

// itemForMinutes loads :id's agenda item for the chair.
func (s *Server) itemForMinutes(c *fiber.Ctx) (*models.AgendaItem, error) {
	if err := allow(c, models.CanRecordMinutes(currentUser(c))); err != nil {
		return nil, err
	}
	id, err := c.ParamsInt("id")
	if err != nil || id <= 0 {
		return nil, models.ErrNotFound
	}
	return s.store.AgendaItem(c.UserContext(), uint(id))
}

func (s *Server) recordItem(c *fiber.Ctx) error {
	item, err := s.itemForMinutes(c)
	if err != nil {
		return err
	}
	return s.minutesAction(c, item.MeetingID, func() (string, error) {
		err := s.store.RecordItem(c.UserContext(), item.ID, models.RecordInput{Discussion: c.FormValue("discussion"),
			Result: models.ItemResult(c.FormValue("result"))})
		return "TOP " + item.Title + " ist protokolliert.", err
	})
}

func (s *Server) recordResolution(c *fiber.Ctx) error {
	item, err := s.itemForMinutes(c)
	if err != nil {
		return err
	}
	return s.minutesAction(c, item.MeetingID, func() (string, error) {
		rule, err := s.store.MajorityRule(c.UserContext())
		if err != nil {
			return "", err
		}
		in := models.ResolutionInput{Text: c.FormValue("text"), VotesYes: formInt(c, "yes"), VotesNo: formInt(c, "no"),
			Abst: formInt(c, "abstain"), Public: c.FormValue("public") == "true"}
		r, err := s.store.RecordResolution(c.UserContext(), item.ID, in, rule)
		if err != nil {
			return "", err
		}
		verdict := "angenommen"
		if !r.Adopted {
			verdict = "abgelehnt"
		}
		return "Beschluss " + r.Number() + " ist " + verdict + ": " + r.Votes() + ".", nil
	})
}

func (s *Server) addMinuteNote(c *fiber.Ctx) error {
	item, err := s.itemForMinutes(c)
	if err != nil {
		return err
	}
	return s.minutesAction(c, item.MeetingID, func() (string, error) {
		var res *uint
		if id := formID(c, "resolution_id"); id > 0 {
			res = &id
		}
		_, err := s.store.AddMinuteNote(c.UserContext(), item.ID, res, formID(c, "organisation_id"), c.FormValue("text"))
		return "Die Protokollnotiz ist aufgenommen.", err
	})
}

func (s *Server) minutesStatus(c *fiber.Ctx) error {
	if err := allow(c, models.CanRecordMinutes(currentUser(c))); err != nil {
		return err
	}
	m, err := s.meetingParam(c)
	if err != nil {
		return err
	}
	to := models.MinutesStatus(c.FormValue("status"))
	return s.minutesAction(c, m.ID, func() (string, error) {
		return "Das Protokoll ist jetzt „" + to.Label() + "“.", s.store.SetMinutesStatus(c.UserContext(), m.ID, to)
	})
}

func (s *Server) approveMinutes(c *fiber.Ctx) error {
	if err := allow(c, models.CanRecordMinutes(currentUser(c))); err != nil {
		return err
	}
	m, err := s.meetingParam(c)
	if err != nil {
		return err
	}
	return s.minutesAction(c, m.ID, func() (string, error) {
		return "Das Protokoll ist genehmigt und damit unveränderlich.",
			s.store.ApproveMinutes(c.UserContext(), m.ID, formID(c, "resolution_id"), s.now())
	})
}

func (s *Server) correctMinutes(c *fiber.Ctx) error {
	if err := allow(c, models.CanRecordMinutes(currentUser(c))); err != nil {
		return err
	}
	m, err := s.meetingParam(c)
	if err != nil {
		return err
	}
	return s.minutesAction(c, m.ID, func() (string, error) {
		_, err := s.store.AddCorrection(c.UserContext(), m.ID, c.FormValue("text"))
		return "Die Berichtigung ist als eigener Eintrag aufgenommen.", err
	})
}

func (s *Server) commentMinutes(c *fiber.Ctx) error {
	u := currentUser(c)
	if err := allow(c, models.CanCommentMinutes(u)); err != nil {
		return err
	}
	m, err := s.meetingParam(c)
	if err != nil {
		return err
	}
	return s.minutesAction(c, m.ID, func() (string, error) {
		return "Ihr Kommentar zum Protokoll ist gespeichert.", s.store.CommentMinutes(c.UserContext(), u, m.ID, c.FormValue("body"))
	})
}

// formInt reads a whole number from the form: empty is 0, anything that is
// not a number is -1, which the store's validation refuses.
func formInt(c *fiber.Ctx, key string) int {
	v := c.FormValue(key)
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return -1
	}
	return n
}

// formID reads a record ID from the form, 0 when absent or invalid.
func formID(c *fiber.Ctx, key string) uint { return uint(max(formInt(c, key), 0)) }

// minutesPDFHandler renders the minutes as PDF for the committee.
func (s *Server) minutesPDFHandler(c *fiber.Ctx) error {
	if err := allow(c, models.CanSeeMinutes(currentUser(c))); err != nil {
		return err
	}
	m, err := s.meetingParam(c)
	if err != nil {
		return err
	}
	p, err := s.minutesData(c, m)
	if err != nil {
		return err
	}
	pdf, err := minutesPDF(s.minutesDoc(p))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="protokoll-sitzung-`+strconv.Itoa(int(m.ID))+`.pdf"`)
	return c.Send(pdf)
}

// minutesDoc turns the page data into the PDF's input, so HTML and PDF
// show the same content.
func (s *Server) minutesDoc(p *MinutesPage) MinutesDoc {
	m := p.Meeting
	start, end := m.StartsAt.In(berlin), m.EndsAt.In(berlin)
	doc := MinutesDoc{Committee: "Kommunalgremium des IT-Planungsrats", Heading: "Protokoll: " + m.Display(),
		Date: start.Format("02.01.2006"), Time: start.Format("15:04") + " – " + end.Format("15:04") + " Uhr",
		Place: m.Kind.Label(), Chair: "Leitung: Vorsitz (FITKO)", Status: minutesStatusLine(p),
		Quorum: quorumLine(m), Footer: "KoG-Portal · Protokoll"}
	if m.Location != "" {
		doc.Place = m.Location
	}
	for _, sec := range p.Sections {
		mc := MinutesCategory{Code: sec.Category.Code, Name: sec.Category.Name}
		for _, it := range sec.Items {
			mi := MinutesItem{Number: it.Item.Number, Title: it.Item.Title, Rapporteur: it.Item.Rapporteur(),
				Result: it.Item.Result.Label(), Discussion: plainParagraphs(it.Item.Discussion)}
			for _, r := range it.Resolutions {
				mi.Resolutions = append(mi.Resolutions, MinutesResolution{Number: "Beschluss " + r.Number(), Text: r.Text, Votes: r.Votes()})
			}
			for _, n := range it.Notes {
				mi.Notes = append(mi.Notes, n.Organisation.Name+": "+n.Text)
			}
			mc.Items = append(mc.Items, mi)
		}
		doc.Categories = append(doc.Categories, mc)
	}
	for _, a := range p.Attendance {
		row := MinutesAttendee{Person: a.Person.Name, Presence: a.Presence.Label()}
		if a.Organisation != nil {
			row.Organisation = a.Organisation.Name
		}
		if a.RepresentedBy != nil {
			row.Presence += " durch " + a.RepresentedBy.Name
		}
		doc.Attendance = append(doc.Attendance, row)
	}
	for _, c := range p.Corrections {
		doc.Corrections = append(doc.Corrections, c.CreatedAt.In(berlin).Format("02.01.2006")+": "+c.Text)
	}
	return doc
}

// plainParagraphs strips Markdown paragraph by paragraph, keeping the blank
// lines the PDF uses to separate them.
func plainParagraphs(md string) string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(md, "\r\n", "\n"), "\n\n") {
		if t := markdownPlain(p, 0); t != "" {
			out = append(out, t)
		}
	}
	return strings.Join(out, "\n\n")
}

// minutesStatusLine is the "Stand" of the minutes.
func minutesStatusLine(p *MinutesPage) string {
	line := "Stand: " + p.Minutes.Status.Label()
	if p.Minutes.ApprovedAt != nil {
		line = "genehmigt am " + p.Minutes.ApprovedAt.In(berlin).Format("02.01.2006")
		if p.Minutes.ApprovedBy != nil {
			line += " (Beschluss " + p.Minutes.ApprovedBy.Number() + ")"
		}
	}
	return line
}

// quorumLine is the quorum statement of the minutes.
func quorumLine(m *models.Meeting) string {
	if !m.QuorumChecked {
		return "Die Beschlussfähigkeit wurde nicht festgestellt."
	}
	verdict := "Beschlussfähigkeit festgestellt"
	if !m.QuorumReached {
		verdict = "Das Gremium war nicht beschlussfähig"
	}
	return verdict + ": " + strconv.Itoa(m.QuorumPresent) + " von " + strconv.Itoa(m.QuorumSeats) +
		" stimmberechtigten Sitzen anwesend oder vertreten (nötig: " + strconv.Itoa(m.QuorumRequired) + ")."
}
