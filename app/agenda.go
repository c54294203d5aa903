package app

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"kogportal/models"
)

// AgendaPage is the agenda of a meeting: the chair's builder, or the
// published agenda as the viewer may see it.
type AgendaPage struct {
	Page
	Meeting    *models.Meeting
	Sections   []agendaSection
	CanManage  bool
	Published  bool
	Candidates []models.Topic // accepted topics not yet on the agenda
	Orgs       []models.Organisation
	Categories []models.AgendaCategory
	Outcomes   []models.TopicKind
	Errors     map[string]string
	PrintView  bool
	// Docs are the attachments of the TOPs' topics, for members only.
	Docs map[uint][]models.Attachment
}

// agendaSection is one category with its TOPs.
type agendaSection struct {
	Category models.AgendaCategory
	Items    []models.AgendaItem
}

type agendaInput struct {
	TopicID         uint   `form:"topic_id"`
	Category        string `form:"category"`
	Title           string `form:"title"`
	RapporteurOrgID uint   `form:"rapporteur_org_id"`
	RapporteurName  string `form:"rapporteur_name"`
	Outcome         string `form:"outcome"`
	DurationMin     int    `form:"duration"`
	Public          bool   `form:"public"`
}

func (in agendaInput) model() models.AgendaItemInput {
	out := models.AgendaItemInput{Category: in.Category, Title: in.Title, RapporteurName: in.RapporteurName,
		Outcome: models.TopicKind(in.Outcome), DurationMin: in.DurationMin, Public: in.Public}
	if in.TopicID != 0 {
		id := in.TopicID
		out.TopicID = &id
	}
	if in.RapporteurOrgID != 0 {
		id := in.RapporteurOrgID
		out.RapporteurOrgID = &id
	}
	return out
}

// visibleAgenda returns the sections the viewer may see.
func (s *Server) visibleAgenda(c *fiber.Ctx, m *models.Meeting) ([]agendaSection, error) {
	items, err := s.store.Agenda(c.UserContext(), m.ID)
	if err != nil {
		return nil, err
	}
	u := currentUser(c)
	published := m.AgendaPublishedAt != nil
	var out []agendaSection
	for _, cat := range models.AgendaCategories {
		sec := agendaSection{Category: cat}
		for _, it := range items {
			if it.Category == cat.Code && models.CanSeeAgendaItem(u, &it, published) {
				sec.Items = append(sec.Items, it)
			}
		}
		out = append(out, sec)
	}
	return out, nil
}

func (s *Server) agenda(c *fiber.Ctx) error {
	if err := allow(c, models.CanViewMeetings(currentUser(c))); err != nil {
		return err
	}
	m, err := s.meetingParam(c)
	if err != nil {
		return err
	}
	return s.renderAgenda(c, fiber.StatusOK, m, nil, c.Query("druck") == "1")
}

func (s *Server) renderAgenda(c *fiber.Ctx, status int, m *models.Meeting, errs map[string]string, print bool) error {
	u := currentUser(c)
	p := AgendaPage{Page: s.page(c, "Tagesordnung: "+m.Display()), Meeting: m, CanManage: models.CanManageAgenda(u) && !print,
		Published: m.AgendaPublishedAt != nil, Categories: models.AgendaCategories, Errors: errs, PrintView: print,
		Outcomes: models.TopicKinds}
	var err error
	if p.Sections, err = s.visibleAgenda(c, m); err != nil {
		return err
	}
	if models.CanSeeAttachment(u, &models.Topic{Visibility: models.VisInternal}) {
		var ids []uint
		for _, sec := range p.Sections {
			for _, it := range sec.Items {
				if it.TopicID != nil {
					ids = append(ids, *it.TopicID)
				}
			}
		}
		if p.Docs, err = s.store.AttachmentsOfTopics(c.UserContext(), ids); err != nil {
			return err
		}
	}
	if p.CanManage {
		if p.Orgs, err = s.store.Organisations(c.UserContext()); err != nil {
			return err
		}
		accepted, err := s.store.Topics(c.UserContext(), models.TopicFilter{Status: models.TopicAccepted, MeetingID: m.ID})
		if err != nil {
			return err
		}
		onAgenda := map[uint]bool{}
		for _, sec := range p.Sections {
			for _, it := range sec.Items {
				if it.TopicID != nil {
					onAgenda[*it.TopicID] = true
				}
			}
		}
		for _, t := range accepted {
			if !onAgenda[t.ID] {
				p.Candidates = append(p.Candidates, t)
			}
		}
	}
	if isHTMX(c) && c.Query("fragment") == "liste" {
		c.Status(status)
		return c.Render("agenda/_fragment", p)
	}
	return s.render(c, status, "agenda/show", p)
}

// addAgendaItem puts a topic or a free item on the agenda.
func (s *Server) addAgendaItem(c *fiber.Ctx) error {
	if err := allow(c, models.CanManageAgenda(currentUser(c))); err != nil {
		return err
	}
	m, err := s.meetingParam(c)
	if err != nil {
		return err
	}
	var in agendaInput
	if err := c.BodyParser(&in); err != nil {
		return fiber.ErrBadRequest
	}
	_, err = s.store.AddAgendaItem(c.UserContext(), m.ID, in.model(), s.now())
	if ve, ok := asValidation(err); ok {
		return s.renderAgenda(c, fiber.StatusUnprocessableEntity, m, ve.Fields, false)
	} else if err != nil {
		return err
	}
	return s.redirectWithFlash(c, agendaPath(m.ID), "Der Tagesordnungspunkt ist hinzugefügt.")
}

// agendaItemAction handles the per-TOP actions of the builder. With htmx
// the list fragment comes back; without script, a redirect.
func (s *Server) agendaItemAction(action string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		u := currentUser(c)
		if err := allow(c, models.CanManageAgenda(u)); err != nil {
			return err
		}
		id, err := c.ParamsInt("id")
		if err != nil || id <= 0 {
			return models.ErrNotFound
		}
		item, err := s.store.AgendaItem(c.UserContext(), uint(id))
		if err != nil {
			return err
		}
		ctx, now := c.UserContext(), s.now()
		msg := ""
		switch action {
		case "up", "down":
			delta := map[string]int{"up": -1, "down": 1}[action]
			err, msg = s.store.MoveAgendaItem(ctx, item.ID, delta, now), "Die Reihenfolge ist geändert."
		case "remove":
			err, msg = s.store.RemoveAgendaItem(ctx, item.ID, now), "Der Tagesordnungspunkt ist entfernt."
		case "update":
			var in agendaInput
			if err := c.BodyParser(&in); err != nil {
				return fiber.ErrBadRequest
			}
			err, msg = s.store.UpdateAgendaItem(ctx, item.ID, in.model(), now), "Der Tagesordnungspunkt ist geändert."
		case "carry":
			var next *models.Meeting
			next, err = s.store.CarryOver(ctx, u, item.ID, now)
			if err == nil {
				msg = "Der Punkt ist auf " + next.Display() + " vertagt (Wiedervorlage)."
			}
		}
		if ve, ok := asValidation(err); ok {
			m, merr := s.store.Meeting(ctx, item.MeetingID)
			if merr != nil {
				return merr
			}
			status := fiber.StatusUnprocessableEntity
			if isHTMX(c) {
				// htmx swaps only successful answers: the list comes back
				// with the German message on top.
				c.Request().URI().QueryArgs().Set("fragment", "liste")
				status = fiber.StatusOK
			}
			return s.renderAgenda(c, status, m, ve.Fields, false)
		} else if err != nil {
			return err
		}
		if isHTMX(c) {
			m, err := s.store.Meeting(ctx, item.MeetingID)
			if err != nil {
				return err
			}
			c.Request().URI().QueryArgs().Set("fragment", "liste")
			return s.renderAgenda(c, fiber.StatusOK, m, nil, false)
		}
		return s.redirectWithFlash(c, agendaPath(item.MeetingID)+"#top-"+strconv.Itoa(int(item.ID)), msg)
	}
}

// publishAgenda sends the invitation.
func (s *Server) publishAgenda(c *fiber.Ctx) error {
	if err := allow(c, models.CanManageAgenda(currentUser(c))); err != nil {
		return err
	}
	m, err := s.meetingParam(c)
	if err != nil {
		return err
	}
	err = s.store.PublishAgenda(c.UserContext(), m.ID, s.now())
	if ve, ok := asValidation(err); ok {
		return s.renderAgenda(c, fiber.StatusUnprocessableEntity, m, ve.Fields, false)
	} else if err != nil {
		return err
	}
	return s.redirectWithFlash(c, agendaPath(m.ID), "Die Tagesordnung ist veröffentlicht; die Sitzung ist eingeladen.")
}

// invitationPDFHandler renders invitation and agenda as PDF, with the same
// visibility as the HTML agenda; the join link only for members.
func (s *Server) invitationPDFHandler(c *fiber.Ctx) error {
	u := currentUser(c)
	if err := allow(c, models.CanViewMeetings(u)); err != nil {
		return err
	}
	m, err := s.meetingParam(c)
	if err != nil {
		return err
	}
	sections, err := s.visibleAgenda(c, m)
	if err != nil {
		return err
	}
	doc := InvitationDoc{Committee: "Kommunalgremium des IT-Planungsrats", Heading: m.Display(),
		When: renderWhen(m.StartsAt, m.EndsAt), Kind: m.Kind.Label(), Chair: "Vorsitz: FITKO",
		Footer: "Erstellt am " + s.now().In(berlin).Format("02.01.2006, 15:04") + " Uhr · KoG-Portal"}
	if m.Location != "" {
		doc.JoinOrPlace = strings.Join(nonEmpty(m.Location, m.Address), ", ")
	} else if models.CanSeeVideoLink(u) {
		doc.JoinOrPlace = m.VideoURL
	} else {
		doc.JoinOrPlace = "Zugangsdaten erhalten die Mitglieder im Portal."
	}
	if m.InvitedAt != nil {
		doc.InvitedOn = "Einladung vom " + m.InvitedAt.In(berlin).Format("02.01.2006")
	}
	if m.AgendaChangedAt != nil {
		doc.Changed = "geändert am " + m.AgendaChangedAt.In(berlin).Format("02.01.2006, 15:04") + " Uhr"
	}
	for _, sec := range sections {
		if len(sec.Items) == 0 {
			continue
		}
		pc := PDFCategory{Code: sec.Category.Code, Name: sec.Category.Name}
		for _, it := range sec.Items {
			item := PDFItem{Number: it.Number, Title: it.Title, Outcome: it.Outcome.Label(), Rapporteur: it.Rapporteur()}
			if it.DurationMin > 0 {
				item.Duration = strconv.Itoa(it.DurationMin) + " Min."
			}
			if it.ChangedAt != nil {
				item.Note = "geändert am " + it.ChangedAt.In(berlin).Format("02.01.2006")
			}
			pc.Items = append(pc.Items, item)
		}
		doc.Categories = append(doc.Categories, pc)
	}
	if m.AgendaPublishedAt == nil && !models.CanManageAgenda(u) {
		doc.Categories = nil
	}
	pdf, err := invitationPDF(doc)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="einladung-sitzung-`+strconv.Itoa(int(m.ID))+`.pdf"`)
	return c.Send(pdf)
}

func agendaPath(id uint) string { return meetingPath(id) + "/tagesordnung" }

func isHTMX(c *fiber.Ctx) bool { return c.Get("HX-Request") == "true" }

// renderWhen is the German time span of a meeting, shared by pages and PDF.
func renderWhen(start, end time.Time) string {
	s, e := start.In(berlin), end.In(berlin)
	wd := [...]string{"So.", "Mo.", "Di.", "Mi.", "Do.", "Fr.", "Sa."}[s.Weekday()]
	return wd + ", " + s.Format("02.01.2006, 15:04") + "–" + e.Format("15:04") + " Uhr"
}
