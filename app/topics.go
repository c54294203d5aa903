package app

import (
	"html/template"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"kogportal/models"
)

// TopicsPage lists topics: all of them in the committee's space, or the
// signed-in member's own ("Meine Themen").
type TopicsPage struct {
	Page
	Topics    []models.Topic
	Previews  map[uint]string
	Mine      bool
	Status    string
	Statuses  []models.TopicStatus
	CanSubmit bool
}

// TopicPage is one topic with its discussion and history.
type TopicPage struct {
	Page
	Topic        *models.Topic
	Description  template.HTML
	Attachments  []models.Attachment
	History      []models.TopicEvent
	Comments     []commentView
	CanCoSign    bool
	CanComment   bool
	CanTriage    bool
	CanUpload    bool
	OpenMeetings []models.Meeting
	OpenTopics   []models.Topic
	Errors       map[string]string
}

// commentView is a comment with its rendered body and what the viewer may
// do with it.
type commentView struct {
	C         models.Comment
	HTML      template.HTML
	CanEdit   bool
	CanDelete bool
	Replies   []commentView
}

// TopicForm is the submission form.
type TopicForm struct {
	Page
	In       topicInput
	Errors   map[string]string
	Meetings []models.Meeting
	// Deadlines explains each meeting's submission deadline, by meeting ID.
	Deadlines map[uint]string
	Kinds     []models.TopicKind
	Urgency   []string
}

type topicInput struct {
	Title            string `form:"title"`
	Description      string `form:"description"`
	Kind             string `form:"kind"`
	Urgency          string `form:"urgency"`
	DesiredMeetingID uint   `form:"desired_meeting_id"`
	Rapporteur       string `form:"rapporteur"`
	Tags             string `form:"tags"`
}

var topicStatuses = []models.TopicStatus{models.TopicSubmitted, models.TopicAccepted, models.TopicDeferred, models.TopicRejected, models.TopicMerged}

func (s *Server) topics(c *fiber.Ctx) error { return s.topicList(c, false) }
func (s *Server) myTopics(c *fiber.Ctx) error {
	return s.topicList(c, true)
}

func (s *Server) topicList(c *fiber.Ctx, mine bool) error {
	u := currentUser(c)
	if err := allow(c, models.CanSeeInternal(u)); err != nil {
		return err
	}
	f := models.TopicFilter{}
	status := c.Query("status")
	for _, st := range topicStatuses { // allowlist, never the raw string
		if string(st) == status {
			f.Status = st
		}
	}
	title := "Themen"
	if mine {
		f.SubmitterID, title = u.ID, "Meine Themen"
	}
	ts, err := s.store.Topics(c.UserContext(), f)
	if err != nil {
		return err
	}
	previews := map[uint]string{}
	for _, t := range ts {
		previews[t.ID] = markdownPlain(t.Description, 180)
	}
	return s.render(c, fiber.StatusOK, "topics/index", TopicsPage{Page: s.page(c, title), Topics: ts, Previews: previews,
		Mine: mine, Status: string(f.Status), Statuses: topicStatuses, CanSubmit: models.CanSubmitTopic(u)})
}

func (s *Server) newTopic(c *fiber.Ctx) error {
	if err := allow(c, models.CanSubmitTopic(currentUser(c))); err != nil {
		return err
	}
	return s.topicForm(c, fiber.StatusOK, topicInput{Kind: string(models.KindAdvice), Urgency: "normal"}, nil)
}

func (s *Server) topicForm(c *fiber.Ctx, status int, in topicInput, errs map[string]string) error {
	ms, err := s.store.OpenMeetings(c.UserContext(), s.now())
	if err != nil {
		return err
	}
	deadlines := map[uint]string{}
	for _, m := range ms {
		deadlines[m.ID] = deadlineText(m, s.now())
	}
	return s.render(c, status, "topics/form", TopicForm{Page: s.page(c, "Thema anmelden"), In: in, Errors: errs,
		Meetings: ms, Deadlines: deadlines, Kinds: models.TopicKinds, Urgency: models.Urgencies})
}

// submitTopic stores the topic and, when given, its first attachment.
func (s *Server) submitTopic(c *fiber.Ctx) error {
	u := currentUser(c)
	if err := allow(c, models.CanSubmitTopic(u)); err != nil {
		return err
	}
	var in topicInput
	if err := c.BodyParser(&in); err != nil {
		return fiber.ErrBadRequest
	}
	mi := models.TopicInput{Title: in.Title, Description: in.Description, Kind: models.TopicKind(in.Kind),
		Urgency: in.Urgency, Rapporteur: in.Rapporteur, Tags: in.Tags}
	if in.DesiredMeetingID != 0 {
		id := in.DesiredMeetingID
		mi.DesiredMeetingID = &id
	}
	// Check the file before anything is stored, so a bad file changes nothing.
	stored, err := s.storeUpload(c)
	if ve, ok := asValidation(err); ok {
		return s.topicForm(c, fiber.StatusUnprocessableEntity, in, ve.Fields)
	} else if err != nil {
		return err
	}
	t, note, err := s.store.SubmitTopic(c.UserContext(), u, mi, s.now())
	if err != nil {
		s.discardUpload(stored)
		if ve, ok := asValidation(err); ok {
			return s.topicForm(c, fiber.StatusUnprocessableEntity, in, ve.Fields)
		}
		return err
	}
	if stored != nil {
		if err := s.recordUpload(c, t.ID, stored); err != nil {
			return err
		}
	}
	msg := "Ihr Thema ist eingereicht. Sie sehen den Stand unter „Meine Themen“."
	if note != "" {
		msg += " " + note
	}
	return s.redirectWithFlash(c, topicPath(t.ID), msg)
}

func (s *Server) topic(c *fiber.Ctx) error {
	t, err := s.visibleTopic(c)
	if err != nil {
		return err
	}
	return s.renderTopic(c, fiber.StatusOK, t, nil)
}

func (s *Server) renderTopic(c *fiber.Ctx, status int, t *models.Topic, errs map[string]string) error {
	ctx, u := c.UserContext(), currentUser(c)
	p := TopicPage{Page: s.page(c, t.Title), Topic: t, Description: renderMarkdown(t.Description),
		CanCoSign: models.CanCoSign(u, t), CanComment: models.CanComment(u, t), CanTriage: models.CanTriageTopic(u),
		CanUpload: models.CanUploadAttachment(u, t), Errors: errs}
	var err error
	if models.CanSeeAttachment(u, t) {
		if p.Attachments, err = s.store.TopicAttachments(ctx, t.ID); err != nil {
			return err
		}
	}
	if p.History, err = s.store.TopicHistory(ctx, t.ID); err != nil {
		return err
	}
	cs, err := s.store.Comments(ctx, t.ID)
	if err != nil {
		return err
	}
	for _, cm := range cs {
		v := s.commentView(u, cm)
		for _, r := range cm.Replies {
			v.Replies = append(v.Replies, s.commentView(u, r))
		}
		p.Comments = append(p.Comments, v)
	}
	if p.CanTriage {
		if p.OpenMeetings, err = s.store.OpenMeetings(ctx, s.now()); err != nil {
			return err
		}
		all, err := s.store.Topics(ctx, models.TopicFilter{})
		if err != nil {
			return err
		}
		for _, o := range all {
			if o.ID != t.ID && o.Status != models.TopicMerged && o.Status != models.TopicRejected {
				p.OpenTopics = append(p.OpenTopics, o)
			}
		}
	}
	return s.render(c, status, "topics/show", p)
}

func (s *Server) commentView(u *models.User, cm models.Comment) commentView {
	return commentView{C: cm, HTML: renderMarkdown(cm.Body), CanEdit: models.CanEditComment(u, &cm, s.now()),
		CanDelete: models.CanDeleteComment(u, &cm)}
}

func (s *Server) coSign(c *fiber.Ctx) error {
	t, err := s.visibleTopic(c)
	if err != nil {
		return err
	}
	u := currentUser(c)
	if err := allow(c, models.CanCoSign(u, t)); err != nil {
		return err
	}
	err = s.store.CoSignTopic(c.UserContext(), u, t.ID, s.now())
	if ve, ok := asValidation(err); ok {
		return s.renderTopic(c, fiber.StatusUnprocessableEntity, t, ve.Fields)
	} else if err != nil {
		return err
	}
	return s.redirectWithFlash(c, topicPath(t.ID), "Ihre Organisation hat das Thema mitgezeichnet.")
}

type triageInput struct {
	Status       string `form:"status"`
	MeetingID    uint   `form:"meeting_id"`
	ResubmitOn   string `form:"resubmit_on"`
	Reason       string `form:"reason"`
	MergedIntoID uint   `form:"merged_into_id"`
}

// triage is the chair's decision: accept for a meeting, defer, reject, merge.
func (s *Server) triage(c *fiber.Ctx) error {
	u := currentUser(c)
	if err := allow(c, models.CanTriageTopic(u)); err != nil {
		return err
	}
	t, err := s.visibleTopic(c)
	if err != nil {
		return err
	}
	var in triageInput
	if err := c.BodyParser(&in); err != nil {
		return fiber.ErrBadRequest
	}
	tr := models.Triage{To: models.TopicStatus(in.Status), Reason: in.Reason}
	if in.MeetingID != 0 {
		tr.MeetingID = &in.MeetingID
	}
	if in.MergedIntoID != 0 {
		tr.MergedIntoID = &in.MergedIntoID
	}
	if d, ok := parseDay(in.ResubmitOn); ok {
		tr.ResubmitOn = &d
	}
	err = s.store.TriageTopic(c.UserContext(), u, t.ID, tr, s.now())
	if ve, ok := asValidation(err); ok {
		return s.renderTopic(c, fiber.StatusUnprocessableEntity, t, ve.Fields)
	} else if err != nil {
		return err
	}
	return s.redirectWithFlash(c, topicPath(t.ID), "Das Thema ist jetzt „"+tr.To.Label()+"“.")
}

func (s *Server) addComment(c *fiber.Ctx) error {
	t, err := s.visibleTopic(c)
	if err != nil {
		return err
	}
	u := currentUser(c)
	if err := allow(c, models.CanComment(u, t)); err != nil {
		return err
	}
	var parent *uint
	if id, err := strconv.ParseUint(c.FormValue("parent_id"), 10, 64); err == nil && id > 0 {
		p := uint(id)
		parent = &p
	}
	cm, err := s.store.AddComment(c.UserContext(), u, t.ID, parent, c.FormValue("body"))
	if ve, ok := asValidation(err); ok {
		return s.renderTopic(c, fiber.StatusUnprocessableEntity, t, ve.Fields)
	} else if err != nil {
		return err
	}
	return s.redirectWithFlash(c, topicPath(t.ID)+"#kommentar-"+strconv.Itoa(int(cm.ID)), "Ihr Kommentar ist gespeichert.")
}

func (s *Server) editComment(c *fiber.Ctx) error {
	u := currentUser(c)
	cm, t, err := s.commentParam(c)
	if err != nil {
		return err
	}
	if err := allow(c, models.CanEditComment(u, cm, s.now())); err != nil {
		return err
	}
	_, err = s.store.EditComment(c.UserContext(), u, cm.ID, c.FormValue("body"), s.now())
	if ve, ok := asValidation(err); ok {
		return s.renderTopic(c, fiber.StatusUnprocessableEntity, t, ve.Fields)
	} else if err != nil {
		return err
	}
	return s.redirectWithFlash(c, topicPath(t.ID)+"#kommentar-"+strconv.Itoa(int(cm.ID)), "Der Kommentar ist geändert.")
}

func (s *Server) deleteComment(c *fiber.Ctx) error {
	u := currentUser(c)
	cm, t, err := s.commentParam(c)
	if err != nil {
		return err
	}
	if err := allow(c, models.CanDeleteComment(u, cm)); err != nil {
		return err
	}
	if _, err := s.store.DeleteComment(c.UserContext(), u, cm.ID, s.now()); err != nil {
		return err
	}
	return s.redirectWithFlash(c, topicPath(t.ID), "Der Kommentar ist gelöscht; ein Hinweis bleibt sichtbar.")
}

// commentParam loads :id's comment and its topic, if the viewer may see it.
func (s *Server) commentParam(c *fiber.Ctx) (*models.Comment, *models.Topic, error) {
	id, err := c.ParamsInt("id")
	if err != nil || id <= 0 {
		return nil, nil, models.ErrNotFound
	}
	cm, err := s.store.Comment(c.UserContext(), uint(id))
	if err != nil {
		return nil, nil, err
	}
	t, err := s.store.Topic(c.UserContext(), cm.TopicID)
	if err != nil {
		return nil, nil, err
	}
	if !models.CanSeeTopic(currentUser(c), t) {
		return nil, nil, models.ErrNotFound
	}
	return cm, t, nil
}

// visibleTopic loads :id's topic; one the viewer may not see is "not found"
// for readers and the public, so its existence is not revealed either.
func (s *Server) visibleTopic(c *fiber.Ctx) (*models.Topic, error) {
	id, err := c.ParamsInt("id")
	if err != nil || id <= 0 {
		return nil, models.ErrNotFound
	}
	t, err := s.store.Topic(c.UserContext(), uint(id))
	if err != nil {
		return nil, err
	}
	if !models.CanSeeTopic(currentUser(c), t) {
		if currentUser(c) == nil {
			return nil, models.ErrUnauthenticated
		}
		return nil, models.ErrNotFound
	}
	return t, nil
}

func topicPath(id uint) string { return "/themen/" + strconv.FormatUint(uint64(id), 10) }

// deadlineText explains a meeting's submission deadline in the form.
func deadlineText(m models.Meeting, now time.Time) string {
	d := m.Deadline().In(berlin)
	if now.After(d) {
		return "Frist abgelaufen am " + d.Format("02.01.2006")
	}
	return "Anmeldefrist bis " + d.Format("02.01.2006, 15:04") + " Uhr"
}
