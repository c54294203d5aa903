package app

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"kogportal/models"
)

// ProfilesPage lists the requirement profiles the viewer may see.
type ProfilesPage struct {
	Page
	Consultation []profileRow
	Decided      []profileRow
	Drafts       []profileRow
	CanWrite     bool
}

type profileRow struct {
	P     models.Profile
	Title string
}

// RequirementProfilePage shows one version of a profile with everything around it.
type RequirementProfilePage struct {
	Page
	Profile      *models.Profile
	V            *models.ProfileVersion
	Reqs         []models.Requirement
	Latest       bool
	Versions     []models.ProfileVersion // the ones the viewer may see
	ChangedSince int                     // version the viewer read last, when older
	ChangedKeys  map[string]string       // requirement key → change since then
	History      []models.ProfileEvent
	Own          map[string]models.Feedback   // the viewer's feedback per requirement
	AllFeedback  map[string][]models.Feedback // members: everyone's
	Comments     map[string][]models.ProfileComment
	CanWrite     bool
	CanMove      bool
	CanFeedback  bool
	CanComment   bool
	CanSynopsis  bool
	Moves        []models.ProfileStatus
	Resolutions  []models.Resolution
	Errors       map[string]string
	OpenKey      string // the requirement whose feedback form opens again
}

func (s *Server) requirementProfiles(c *fiber.Ctx) error {
	u := currentUser(c)
	ps, err := s.store.Profiles(c.UserContext())
	if err != nil {
		return err
	}
	page := ProfilesPage{Page: s.page(c, "Anforderungsprofile"), CanWrite: models.CanWriteProfile(u)}
	for _, p := range ps {
		if !models.CanSeeProfile(u, &p) {
			continue
		}
		n := p.Version
		if !models.CanSeeInternal(u) {
			n = max(p.PublishedFrom, 1)
			if p.Version > n {
				n = p.Version
			}
		}
		v, err := s.store.ProfileVersion(c.UserContext(), p.ID, n)
		if err != nil {
			return err
		}
		row := profileRow{P: p, Title: v.Title}
		switch p.Status {
		case models.ProfileConsultation:
			page.Consultation = append(page.Consultation, row)
		case models.ProfileDraft, models.ProfileWithdrawn:
			page.Drafts = append(page.Drafts, row)
		default:
			page.Decided = append(page.Decided, row)
		}
	}
	return s.render(c, fiber.StatusOK, "profiles/index", page)
}

// visibleProfile loads :id's profile, not found for those who may not see it.
func (s *Server) visibleProfile(c *fiber.Ctx) (*models.Profile, error) {
	id, err := c.ParamsInt("id")
	if err != nil || id <= 0 {
		return nil, models.ErrNotFound
	}
	p, err := s.store.Profile(c.UserContext(), uint(id))
	if err != nil {
		return nil, err
	}
	if !models.CanSeeProfile(currentUser(c), p) {
		if currentUser(c) == nil {
			return nil, models.ErrUnauthenticated
		}
		return nil, models.ErrNotFound
	}
	return p, nil
}

func (s *Server) requirementProfile(c *fiber.Ctx) error {
	p, err := s.visibleProfile(c)
	if err != nil {
		return err
	}
	n := p.Version
	if v := c.Params("n"); v != "" {
		if n, err = strconv.Atoi(v); err != nil {
			return models.ErrNotFound
		}
	}
	return s.renderProfile(c, fiber.StatusOK, p, n, nil, nil)
}

func (s *Server) renderProfile(c *fiber.Ctx, status int, p *models.Profile, n int, errs map[string]string, draft *models.FeedbackInput) error {
	ctx, u := c.UserContext(), currentUser(c)
	if !models.CanSeeProfileVersion(u, p, n) {
		return models.ErrNotFound
	}
	v, err := s.store.ProfileVersion(ctx, p.ID, n)
	if err != nil {
		return err
	}
	page := RequirementProfilePage{Page: s.page(c, p.Reference+": "+v.Title), Profile: p, V: v, Reqs: v.Reqs(), Latest: n == p.Version,
		CanWrite: models.CanWriteProfile(u) && (p.Status == models.ProfileDraft || p.Status == models.ProfileConsultation),
		CanMove:  models.CanMoveProfile(u), CanFeedback: models.CanGiveFeedback(u, p, s.now()) && n == p.Version,
		CanComment: models.CanCommentProfile(u), CanSynopsis: models.CanSeeSynopsis(u), Errors: errs}
	all, err := s.store.ProfileVersions(ctx, p.ID)
	if err != nil {
		return err
	}
	for _, ver := range all {
		if models.CanSeeProfileVersion(u, p, ver.Number) {
			page.Versions = append(page.Versions, ver)
		}
	}
	if u != nil && page.Latest {
		seen, err := s.store.SeenVersion(ctx, u.ID, p.ID, p.Version)
		if err != nil {
			return err
		}
		if seen > 0 && seen < p.Version && models.CanSeeProfileVersion(u, p, seen) {
			old, err := s.store.ProfileVersion(ctx, p.ID, seen)
			if err != nil {
				return err
			}
			page.ChangedSince, page.ChangedKeys = seen, map[string]string{}
			_, diffs := models.CompareVersions(old, v)
			for _, d := range diffs {
				if d.Change != "unverändert" {
					page.ChangedKeys[d.Key] = d.Change
				}
			}
		}
		var feedback []models.Feedback
		uid := u.ID
		if models.CanSeeAllFeedback(u) {
			uid = 0
		}
		if feedback, err = s.store.FeedbackOf(ctx, p.ID, uid); err != nil {
			return err
		}
		page.Own, page.AllFeedback = map[string]models.Feedback{}, map[string][]models.Feedback{}
		for _, f := range feedback {
			if f.UserID == u.ID {
				page.Own[f.RequirementKey] = f
			}
			if uid == 0 {
				page.AllFeedback[f.RequirementKey] = append(page.AllFeedback[f.RequirementKey], f)
			}
		}
	}
	if draft != nil && page.Own != nil {
		page.Own[draft.RequirementKey] = models.Feedback{RequirementKey: draft.RequirementKey, Municipality: draft.Municipality,
			AGS: draft.AGS, Kind: draft.Kind, Text: draft.Text}
		page.OpenKey = draft.RequirementKey
	}
	if page.CanComment {
		cs, err := s.store.ProfileComments(ctx, p.ID)
		if err != nil {
			return err
		}
		page.Comments = map[string][]models.ProfileComment{}
		for _, cm := range cs {
			page.Comments[cm.RequirementKey] = append(page.Comments[cm.RequirementKey], cm)
		}
	}
	if models.CanSeeInternal(u) {
		if page.History, err = s.store.ProfileHistory(ctx, p.ID); err != nil {
			return err
		}
	}
	if page.CanMove {
		page.Moves = models.ProfileMovesFrom(p.Status)
		if page.Resolutions, err = s.store.Resolutions(ctx, models.ResolutionFilter{Internal: true}); err != nil {
			return err
		}
	}
	return s.render(c, status, "profiles/show", page)
}

// ProfileForm is the editor of a profile's text.
type ProfileForm struct {
	Page
	Profile *models.Profile
	In      models.ProfileInput
	Rows    []models.Requirement // existing requirements plus empty rows
	Errors  map[string]string
	Action  string
}

// profileInputOf reads the editor: sections and the numbered requirement rows.
func profileInputOf(c *fiber.Ctx) models.ProfileInput {
	in := models.ProfileInput{Title: c.FormValue("title"), AddressedTo: c.FormValue("addressed_to"), Summary: c.FormValue("summary"),
		Problem: c.FormValue("problem"), Goals: c.FormValue("goals"), Tags: c.FormValue("tags"), Origins: c.FormValue("origins")}
	rows := min(max(formInt(c, "rows"), 0), 100)
	for i := 0; i < rows; i++ {
		k := strconv.Itoa(i)
		in.Requirements = append(in.Requirements, models.Requirement{Key: c.FormValue("req_key_" + k),
			Priority: c.FormValue("req_priority_" + k), Text: c.FormValue("req_text_" + k), Rationale: c.FormValue("req_rationale_" + k)})
	}
	return in
}

func (s *Server) profileForm(c *fiber.Ctx, status int, p *models.Profile, in models.ProfileInput, errs map[string]string) error {
	title, action := "Anforderungsprofil anlegen", "/anforderungsprofile"
	if p != nil {
		title, action = "Anforderungsprofil bearbeiten: "+p.Reference, "/anforderungsprofile/"+strconv.Itoa(int(p.ID))
	}
	var rows []models.Requirement
	for _, r := range in.Requirements {
		if strings.TrimSpace(r.Text+r.Rationale) != "" || r.Key != "" {
			rows = append(rows, r)
		}
	}
	// Two empty rows for new requirements, at least three rows in all.
	for pad := 0; pad < 2 || len(rows) < 3; pad++ {
		prio := "SOLL"
		if len(rows) == 0 {
			prio = "MUSS"
		}
		rows = append(rows, models.Requirement{Priority: prio})
	}
	return s.render(c, status, "profiles/form", ProfileForm{Page: s.page(c, title), Profile: p, In: in, Rows: rows, Errors: errs, Action: action})
}

func (s *Server) newProfile(c *fiber.Ctx) error {
	if err := allow(c, models.CanWriteProfile(currentUser(c))); err != nil {
		return err
	}
	return s.profileForm(c, fiber.StatusOK, nil, models.ProfileInput{AddressedTo: "IT-Planungsrat",
		Requirements: []models.Requirement{{Priority: "MUSS"}}}, nil)
}

func (s *Server) createProfile(c *fiber.Ctx) error {
	u := currentUser(c)
	if err := allow(c, models.CanWriteProfile(u)); err != nil {
		return err
	}
	in := profileInputOf(c)
	p, err := s.store.CreateProfile(c.UserContext(), u, in, s.now())
	if ve, ok := asValidation(err); ok {
		return s.profileForm(c, fiber.StatusUnprocessableEntity, nil, in, ve.Fields)
	} else if err != nil {
		return err
	}
	return s.redirectWithFlash(c, profilePath(p.ID), p.Reference+" ist als interner Entwurf angelegt.")
}

func (s *Server) editProfile(c *fiber.Ctx) error {
	if err := allow(c, models.CanWriteProfile(currentUser(c))); err != nil {
		return err
	}
	p, err := s.visibleProfile(c)
	if err != nil {
		return err
	}
	v, err := s.store.ProfileVersion(c.UserContext(), p.ID, p.Version)
	if err != nil {
		return err
	}
	in := models.ProfileInput{Title: v.Title, AddressedTo: v.AddressedTo, Summary: v.Summary, Problem: v.Problem,
		Goals: v.Goals, Tags: v.Tags, Origins: v.Origins, Requirements: v.Reqs()}
	return s.profileForm(c, fiber.StatusOK, p, in, nil)
}

func (s *Server) saveRequirementProfile(c *fiber.Ctx) error {
	u := currentUser(c)
	if err := allow(c, models.CanWriteProfile(u)); err != nil {
		return err
	}
	p, err := s.visibleProfile(c)
	if err != nil {
		return err
	}
	in := profileInputOf(c)
	v, err := s.store.SaveProfileVersion(c.UserContext(), u, p.ID, in)
	if ve, ok := asValidation(err); ok {
		return s.profileForm(c, fiber.StatusUnprocessableEntity, p, in, ve.Fields)
	} else if err != nil {
		return err
	}
	return s.redirectWithFlash(c, profilePath(p.ID), "Gespeichert als Fassung "+strconv.Itoa(v.Number)+".")
}

// ComparePage shows two versions side by side and as an inline diff.
type ComparePage struct {
	Page
	Profile  *models.Profile
	From, To *models.ProfileVersion
	Sections []models.SectionDiff
	Reqs     []models.RequirementDiff
	Versions []models.ProfileVersion
}

func (s *Server) compareProfile(c *fiber.Ctx) error {
	u := currentUser(c)
	p, err := s.visibleProfile(c)
	if err != nil {
		return err
	}
	from, to := c.QueryInt("von", max(p.Version-1, 1)), c.QueryInt("bis", p.Version)
	if !models.CanSeeProfileVersion(u, p, from) && c.Query("von") == "" {
		from = to // readers start with the published version
	}
	if !models.CanSeeProfileVersion(u, p, from) || !models.CanSeeProfileVersion(u, p, to) {
		return models.ErrNotFound
	}
	a, err := s.store.ProfileVersion(c.UserContext(), p.ID, from)
	if err != nil {
		return err
	}
	b, err := s.store.ProfileVersion(c.UserContext(), p.ID, to)
	if err != nil {
		return err
	}
	sections, reqs := models.CompareVersions(a, b)
	all, err := s.store.ProfileVersions(c.UserContext(), p.ID)
	if err != nil {
		return err
	}
	var visible []models.ProfileVersion
	for _, v := range all {
		if models.CanSeeProfileVersion(u, p, v.Number) {
			visible = append(visible, v)
		}
	}
	return s.render(c, fiber.StatusOK, "profiles/compare", ComparePage{Page: s.page(c, "Vergleich "+p.Reference),
		Profile: p, From: a, To: b, Sections: sections, Reqs: reqs, Versions: visible})
}

type profileMoveInput struct {
	Status       string `form:"status"`
	Ends         string `form:"ends"`
	Public       bool   `form:"public"`
	ResolutionID uint   `form:"resolution_id"`
	On           string `form:"on"`
	AnswerNumber string `form:"answer_number"`
	AnswerText   string `form:"answer_text"`
	Note         string `form:"note"`
}

func (s *Server) moveProfile(c *fiber.Ctx) error {
	u := currentUser(c)
	if err := allow(c, models.CanMoveProfile(u)); err != nil {
		return err
	}
	p, err := s.visibleProfile(c)
	if err != nil {
		return err
	}
	var in profileMoveInput
	if err := c.BodyParser(&in); err != nil {
		return fiber.ErrBadRequest
	}
	mv := models.ProfileMove{To: models.ProfileStatus(in.Status), Public: in.Public, AnswerNumber: in.AnswerNumber,
		AnswerText: in.AnswerText, Note: in.Note}
	if d, ok := parseDay(in.Ends); ok {
		end, _ := models.BerlinTime(d.Format("2006-01-02"), "23:59")
		mv.Ends = &end
	}
	if d, ok := parseDay(in.On); ok {
		mv.On = &d
	}
	if in.ResolutionID != 0 {
		mv.ResolutionID = &in.ResolutionID
	}
	err = s.store.MoveProfile(c.UserContext(), u, p.ID, mv, s.now())
	if ve, ok := asValidation(err); ok {
		return s.renderProfile(c, fiber.StatusUnprocessableEntity, p, p.Version, ve.Fields, nil)
	} else if err != nil {
		return err
	}
	return s.redirectWithFlash(c, profilePath(p.ID), p.Reference+" ist jetzt „"+mv.To.Label()+"“.")
}

func (s *Server) giveFeedback(c *fiber.Ctx) error {
	u := currentUser(c)
	p, err := s.visibleProfile(c)
	if err != nil {
		return err
	}
	if err := allow(c, models.CanGiveFeedback(u, p, s.now())); err != nil {
		return err
	}
	in := models.FeedbackInput{RequirementKey: c.FormValue("requirement"), Municipality: c.FormValue("municipality"),
		AGS: c.FormValue("ags"), Kind: c.FormValue("kind"), Text: c.FormValue("text")}
	err = s.store.GiveFeedback(c.UserContext(), u, p.ID, in, s.now())
	if ve, ok := asValidation(err); ok {
		// The form of that requirement opens again with what was typed, and
		// each message points at its field there.
		fields := map[string]string{}
		for k, msg := range ve.Fields {
			id := k + "-" + in.RequirementKey
			if k == "kind" {
				id = "kind-z-" + in.RequirementKey
			}
			fields[id] = msg
		}
		return s.renderProfile(c, fiber.StatusUnprocessableEntity, p, p.Version, fields, &in)
	} else if err != nil {
		return err
	}
	return s.redirectWithFlash(c, profilePath(p.ID)+"#"+in.RequirementKey, "Ihre Rückmeldung zu "+p.Reference+"/"+in.RequirementKey+" ist gespeichert; Sie können sie bis zum Ende der Konsultation ändern.")
}

func (s *Server) commentProfile(c *fiber.Ctx) error {
	u := currentUser(c)
	if err := allow(c, models.CanCommentProfile(u)); err != nil {
		return err
	}
	p, err := s.visibleProfile(c)
	if err != nil {
		return err
	}
	key := c.FormValue("requirement")
	err = s.store.CommentProfile(c.UserContext(), u, p.ID, key, c.FormValue("body"))
	if ve, ok := asValidation(err); ok {
		// The message links to that requirement's comment box.
		return s.renderProfile(c, fiber.StatusUnprocessableEntity, p, p.Version, map[string]string{"comment-" + key: ve.Fields["body"]}, nil)
	} else if err != nil {
		return err
	}
	return s.redirectWithFlash(c, profilePath(p.ID)+"#"+c.FormValue("requirement"), "Ihr Kommentar ist gespeichert (nur für das Gremium sichtbar).")
}

// SynopsisPage is the chair's overview of the consultation.
type SynopsisPage struct {
	Page
	Profile *models.Profile
	Rows    []models.SynopsisRow
}

func (s *Server) synopsis(c *fiber.Ctx) error {
	if err := allow(c, models.CanSeeSynopsis(currentUser(c))); err != nil {
		return err
	}
	p, err := s.visibleProfile(c)
	if err != nil {
		return err
	}
	rows, err := s.store.Synopsis(c.UserContext(), p.ID)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "profiles/synopsis", SynopsisPage{Page: s.page(c, "Synopse "+p.Reference), Profile: p, Rows: rows})
}

// synopsisCSV exports the consultation feedback for the chair.
func (s *Server) synopsisCSV(c *fiber.Ctx) error {
	if err := allow(c, models.CanSeeSynopsis(currentUser(c))); err != nil {
		return err
	}
	p, err := s.visibleProfile(c)
	if err != nil {
		return err
	}
	rows, err := s.store.Synopsis(c.UserContext(), p.ID)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	buf.WriteString("\uFEFF")
	w := csv.NewWriter(&buf)
	w.Comma = ';'
	_ = w.Write([]string{"Anforderung", "Priorität", "Text", "Kommune", "AGS", "Art", "Rückmeldung"})
	for _, r := range rows {
		id := p.Reference + "/" + r.Requirement.Key
		if len(r.Feedback) == 0 {
			_ = w.Write([]string{id, r.Requirement.Priority, csvSafe(r.Requirement.Text), "", "", "", ""})
		}
		for _, f := range r.Feedback {
			_ = w.Write([]string{id, r.Requirement.Priority, csvSafe(r.Requirement.Text), csvSafe(f.Municipality), f.AGS, f.KindLabel(), csvSafe(f.Text)})
		}
	}
	w.Flush()
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="synopse-`+strings.ToLower(p.Reference)+`.csv"`)
	return c.Send(buf.Bytes())
}

func profilePath(id uint) string { return "/anforderungsprofile/" + strconv.FormatUint(uint64(id), 10) }

// exportVersion loads :id/:n for an export, as the viewer may see it.
func (s *Server) exportVersion(c *fiber.Ctx) (*models.Profile, *models.ProfileVersion, error) {
	p, err := s.visibleProfile(c)
	if err != nil {
		return nil, nil, err
	}
	n, err := strconv.Atoi(c.Params("n"))
	if err != nil || !models.CanSeeProfileVersion(currentUser(c), p, n) {
		return nil, nil, models.ErrNotFound
	}
	v, err := s.store.ProfileVersion(c.UserContext(), p.ID, n)
	return p, v, err
}

func (s *Server) profileExportMarkdown(c *fiber.Ctx) error {
	p, v, err := s.exportVersion(c)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/markdown; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+strings.ToLower(p.Reference)+`-fassung-`+strconv.Itoa(v.Number)+`.md"`)
	return c.SendString(profileMarkdown(p, v))
}

func (s *Server) profileExportPDF(c *fiber.Ctx) error {
	p, v, err := s.exportVersion(c)
	if err != nil {
		return err
	}
	pdf, err := profilePDF(p, v)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+strings.ToLower(p.Reference)+`-fassung-`+strconv.Itoa(v.Number)+`.pdf"`)
	return c.Send(pdf)
}

// profileFeed is the Atom feed of published versions: only what anonymous
// visitors may read (public consultations and later), never drafts.
func (s *Server) profileFeed(c *fiber.Ctx) error {
	ps, err := s.store.Profiles(c.UserContext())
	if err != nil {
		return err
	}
	var entries []FeedEntry
	updated := time.Unix(0, 0).UTC()
	for _, p := range ps {
		if !models.CanSeeProfile(nil, &p) {
			continue
		}
		vs, err := s.store.ProfileVersions(c.UserContext(), p.ID)
		if err != nil {
			return err
		}
		for _, v := range vs {
			if !models.CanSeeProfileVersion(nil, &p, v.Number) {
				continue
			}
			link := s.cfg.BaseURL + profilePath(p.ID) + "/versionen/" + strconv.Itoa(v.Number)
			entries = append(entries, FeedEntry{ID: profileEntryID(s.cfg.BaseURL, p.Reference, v.Number), Title: p.Reference + " (Fassung " + strconv.Itoa(v.Number) + "): " + v.Title,
				Link: link, Summary: v.Summary, Updated: v.CreatedAt})
			if v.CreatedAt.After(updated) {
				updated = v.CreatedAt
			}
		}
	}
	body, err := profileAtom(s.cfg.BaseURL, entries, updated)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, atomContentType)
	return c.Send(body)
}
