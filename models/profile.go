package models

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

// ProfileStatus is the path of a requirement profile to the IT-PLR.
type ProfileStatus string

// Entwurf → in Konsultation → vom KoG beschlossen → an den IT-PLR
// übermittelt → Rückmeldung des IT-PLR → umgesetzt / abgelehnt;
// zurückgezogen from a draft or a consultation.
const (
	ProfileDraft        ProfileStatus = "entwurf"
	ProfileConsultation ProfileStatus = "konsultation"
	ProfileAdopted      ProfileStatus = "beschlossen"
	ProfileSubmitted    ProfileStatus = "uebermittelt"
	ProfileAnswered     ProfileStatus = "rueckmeldung"
	ProfileImplemented  ProfileStatus = "umgesetzt"
	ProfileRefused      ProfileStatus = "abgelehnt"
	ProfileWithdrawn    ProfileStatus = "zurueckgezogen"
)

// Label is the status in German.
func (s ProfileStatus) Label() string {
	return map[ProfileStatus]string{ProfileDraft: "Entwurf", ProfileConsultation: "in Konsultation",
		ProfileAdopted: "vom KoG beschlossen", ProfileSubmitted: "an den IT-PLR übermittelt",
		ProfileAnswered: "Rückmeldung des IT-PLR", ProfileImplemented: "umgesetzt", ProfileRefused: "abgelehnt",
		ProfileWithdrawn: "zurückgezogen"}[s]
}

var profileMoves = map[ProfileStatus][]ProfileStatus{
	ProfileDraft:        {ProfileConsultation, ProfileWithdrawn},
	ProfileConsultation: {ProfileDraft, ProfileAdopted, ProfileWithdrawn},
	ProfileAdopted:      {ProfileSubmitted},
	ProfileSubmitted:    {ProfileAnswered},
	ProfileAnswered:     {ProfileImplemented, ProfileRefused},
}

// Priorities of a requirement.
var Priorities = []string{"MUSS", "SOLL", "KANN"}

// Requirement is one numbered requirement of a profile. Its key (R1, R2 …)
// stays with it across versions, so versions compare requirement by
// requirement and feedback keeps pointing at the right one.
type Requirement struct {
	Key       string `json:"key"`
	Priority  string `json:"priority"`
	Text      string `json:"text"`
	Rationale string `json:"rationale"`
}

// Profile is an Anforderungsprofil. Its text lives in immutable versions;
// the profile record carries the workflow.
type Profile struct {
	ID        uint          `gorm:"primaryKey"`
	Reference string        `gorm:"size:32;not null;uniqueIndex"` // AP-2026-03
	Status    ProfileStatus `gorm:"size:16;not null;index"`
	Version   int           `gorm:"not null"` // current version number
	// PublishedFrom is the first version outside the committee (the one
	// the consultation opened with); earlier ones are internal drafts.
	PublishedFrom      int  `gorm:"not null;default:0"`
	PublicConsultation bool // consultation open to everyone, not only signed-in readers
	ConsultationEnds   *time.Time
	ResolutionID       *uint
	Resolution         *Resolution `gorm:"constraint:OnDelete:RESTRICT"`
	SubmittedOn        *time.Time
	AnswerNumber       string `gorm:"size:64"` // the IT-PLR's decision number
	AnswerText         string `gorm:"type:text"`
	AnswerOn           *time.Time
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// ProfileVersion is one saved text of a profile. Versions are only ever
// added, never changed.
type ProfileVersion struct {
	ID           uint   `gorm:"primaryKey"`
	ProfileID    uint   `gorm:"not null;uniqueIndex:idx_profile_version"`
	Number       int    `gorm:"not null;uniqueIndex:idx_profile_version"`
	Title        string `gorm:"size:255;not null"`
	AddressedTo  string `gorm:"size:255;not null"`
	Summary      string `gorm:"type:text"`
	Problem      string `gorm:"type:text"`
	Goals        string `gorm:"type:text"`
	Tags         string `gorm:"size:500"`
	Origins      string `gorm:"size:500"` // originating organisations
	Requirements string `gorm:"type:text;not null"`
	AuthorID     uint   `gorm:"not null"`
	Author       *User  `gorm:"constraint:OnDelete:RESTRICT"`
	CreatedAt    time.Time
}

// Reqs decodes the requirements.
func (v *ProfileVersion) Reqs() []Requirement {
	var rs []Requirement
	_ = json.Unmarshal([]byte(v.Requirements), &rs)
	return rs
}

// ProfileEvent is one line of a profile's history.
type ProfileEvent struct {
	ID        uint   `gorm:"primaryKey"`
	ProfileID uint   `gorm:"not null;index"`
	ActorID   uint   `gorm:"not null"`
	Actor     *User  `gorm:"constraint:OnDelete:RESTRICT"`
	Action    string `gorm:"size:32;not null"`
	Detail    string `gorm:"size:1000"`
	CreatedAt time.Time
}

// Feedback kinds of the consultation.
const (
	FeedbackAgree    = "zustimmung"
	FeedbackConcern  = "bedenken"
	FeedbackAddendum = "ergaenzung"
)

// Feedback is a municipality's reply to one requirement during the
// consultation: one entry per person and requirement, editable until the
// consultation closes.
type Feedback struct {
	ID             uint   `gorm:"primaryKey"`
	ProfileID      uint   `gorm:"not null;uniqueIndex:idx_feedback"`
	RequirementKey string `gorm:"size:16;not null;uniqueIndex:idx_feedback"`
	UserID         uint   `gorm:"not null;uniqueIndex:idx_feedback"`
	User           *User  `gorm:"constraint:OnDelete:RESTRICT"`
	Municipality   string `gorm:"size:255;not null"`
	AGS            string `gorm:"size:12"`
	Kind           string `gorm:"size:16;not null"`
	Text           string `gorm:"type:text"`
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// ProfileComment is a member's remark on a requirement of a draft. Comments
// are internal: they never reach readers or the public.
type ProfileComment struct {
	ID             uint   `gorm:"primaryKey"`
	ProfileID      uint   `gorm:"not null;index"`
	RequirementKey string `gorm:"size:16;not null"`
	AuthorID       uint   `gorm:"not null"`
	Author         *User  `gorm:"constraint:OnDelete:RESTRICT"`
	Body           string `gorm:"type:text;not null"`
	CreatedAt      time.Time
}

// ProfileView remembers the version a person last read, so the profile
// page can say what changed since.
type ProfileView struct {
	ID        uint `gorm:"primaryKey"`
	UserID    uint `gorm:"not null;uniqueIndex:idx_profile_view"`
	ProfileID uint `gorm:"not null;uniqueIndex:idx_profile_view"`
	Version   int  `gorm:"not null"`
}

// KindLabel is the feedback kind in German.
func (f Feedback) KindLabel() string { return feedbackLabel(f.Kind) }

func feedbackLabel(kind string) string {
	switch kind {
	case FeedbackAgree:
		return "Zustimmung"
	case FeedbackConcern:
		return "Bedenken"
	case FeedbackAddendum:
		return "Ergänzung"
	}
	return kind
}

// ActionLabel is a history line's action in German: a workflow state or
// a new version.
func (e ProfileEvent) ActionLabel() string {
	if e.Action == "version" {
		return "neue Fassung"
	}
	return ProfileStatus(e.Action).Label()
}

// ProfileInput is the editor's content of a profile.
type ProfileInput struct {
	Title, AddressedTo, Summary, Problem, Goals, Tags, Origins string
	Requirements                                               []Requirement
}

func (in *ProfileInput) validate() error {
	v := &ValidationError{}
	in.Title, in.AddressedTo = strings.TrimSpace(in.Title), strings.TrimSpace(in.AddressedTo)
	if in.AddressedTo == "" {
		in.AddressedTo = "IT-Planungsrat"
	}
	if in.Title == "" {
		v.Add("title", "Bitte geben Sie dem Anforderungsprofil einen Titel.")
	}
	v.MaxLen("title", in.Title, 255).MaxLen("addressed_to", in.AddressedTo, 255).MaxLen("tags", in.Tags, 500).MaxLen("origins", in.Origins, 500)
	var kept []Requirement
	for i, r := range in.Requirements {
		r.Text, r.Rationale = strings.TrimSpace(r.Text), strings.TrimSpace(r.Rationale)
		if r.Text == "" && r.Rationale == "" {
			continue // an empty row of the form
		}
		if r.Text == "" {
			v.Add("req_text_"+strconv.Itoa(i), "Bitte formulieren Sie die Anforderung.")
		}
		ok := false
		for _, p := range Priorities {
			ok = ok || p == r.Priority
		}
		if !ok {
			v.Add("req_priority_"+strconv.Itoa(i), "Bitte wählen Sie MUSS, SOLL oder KANN.")
		}
		kept = append(kept, r)
	}
	if len(kept) == 0 {
		v.Add("requirements", "Ein Anforderungsprofil braucht mindestens eine Anforderung.")
	}
	in.Requirements = kept
	return v.Err()
}

// keyRequirements gives new requirements the next free keys (R1, R2 …);
// keys of existing ones stay, and a key once used is never given again.
func keyRequirements(reqs []Requirement, used []Requirement) []Requirement {
	max := 0
	seen := map[string]bool{}
	for _, r := range used {
		seen[r.Key] = true
		if n, err := strconv.Atoi(strings.TrimPrefix(r.Key, "R")); err == nil && n > max {
			max = n
		}
	}
	for i := range reqs {
		if !seen[reqs[i].Key] || reqs[i].Key == "" {
			max++
			reqs[i].Key = "R" + strconv.Itoa(max)
		}
	}
	return reqs
}

// CreateProfile starts a profile as an internal draft with version 1 and
// the next reference of the year (AP-2026-03).
func (s *Store) CreateProfile(ctx context.Context, author *User, in ProfileInput, now time.Time) (*Profile, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	var p Profile
	err := s.w(ctx).Transaction(func(tx *gorm.DB) error {
		year := now.In(berlin).Year()
		var n int64
		if err := tx.Model(&Profile{}).Where("reference LIKE ?", fmt.Sprintf("AP-%d-%%", year)).Count(&n).Error; err != nil {
			return err
		}
		p = Profile{Reference: fmt.Sprintf("AP-%d-%02d", year, n+1), Status: ProfileDraft, Version: 1}
		if err := tx.Create(&p).Error; err != nil {
			return err
		}
		return addVersion(tx, &p, author, in, nil, 1)
	})
	return &p, err
}

func addVersion(tx *gorm.DB, p *Profile, author *User, in ProfileInput, used []Requirement, number int) error {
	reqs, err := json.Marshal(keyRequirements(in.Requirements, used))
	if err != nil {
		return err
	}
	v := ProfileVersion{ProfileID: p.ID, Number: number, Title: in.Title, AddressedTo: in.AddressedTo, Summary: in.Summary,
		Problem: in.Problem, Goals: in.Goals, Tags: normaliseTags(in.Tags), Origins: strings.TrimSpace(in.Origins),
		Requirements: string(reqs), AuthorID: author.ID}
	if err := tx.Create(&v).Error; err != nil {
		return err
	}
	return tx.Create(&ProfileEvent{ProfileID: p.ID, ActorID: author.ID, Action: "version", Detail: "Fassung " + strconv.Itoa(number)}).Error
}

// SaveProfileVersion stores a changed text as a new version. An unchanged
// text adds nothing. Only drafts and profiles in consultation change.
func (s *Store) SaveProfileVersion(ctx context.Context, author *User, id uint, in ProfileInput) (*ProfileVersion, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	var out ProfileVersion
	err := s.w(ctx).Transaction(func(tx *gorm.DB) error {
		var p Profile
		if err := tx.First(&p, id).Error; err != nil {
			return notFound(err)
		}
		if p.Status != ProfileDraft && p.Status != ProfileConsultation {
			return (&ValidationError{}).Add("status", "Ein "+p.Status.Label()+"es Profil wird nicht mehr geändert.")
		}
		var all []ProfileVersion
		if err := tx.Where("profile_id = ?", p.ID).Order("number").Find(&all).Error; err != nil {
			return err
		}
		last := all[len(all)-1]
		var used []Requirement
		for _, v := range all {
			used = append(used, v.Reqs()...)
		}
		draft := ProfileVersion{Title: in.Title, AddressedTo: in.AddressedTo, Summary: in.Summary, Problem: in.Problem,
			Goals: in.Goals, Tags: normaliseTags(in.Tags), Origins: strings.TrimSpace(in.Origins)}
		reqs, _ := json.Marshal(keyRequirements(append([]Requirement(nil), in.Requirements...), used))
		draft.Requirements = string(reqs)
		if sameText(&last, &draft) {
			out = last
			return nil
		}
		if err := addVersion(tx, &p, author, in, used, last.Number+1); err != nil {
			return err
		}
		if err := tx.Model(&p).Update("version", last.Number+1).Error; err != nil {
			return err
		}
		return tx.Where("profile_id = ? AND number = ?", p.ID, last.Number+1).First(&out).Error
	})
	return &out, err
}

func sameText(a, b *ProfileVersion) bool {
	return a.Title == b.Title && a.AddressedTo == b.AddressedTo && a.Summary == b.Summary && a.Problem == b.Problem &&
		a.Goals == b.Goals && a.Tags == b.Tags && a.Origins == b.Origins && a.Requirements == b.Requirements
}

// ProfileMove is the chair's step in the workflow with what it needs.
type ProfileMove struct {
	To           ProfileStatus
	Ends         *time.Time // consultation
	Public       bool       // consultation open to everyone
	ResolutionID *uint      // adopted
	On           *time.Time // submitted, answered
	AnswerNumber string     // answered
	AnswerText   string     // answered
	Note         string
}

// MoveProfile moves a profile along its workflow and writes the history.
func (s *Store) MoveProfile(ctx context.Context, actor *User, id uint, mv ProfileMove, now time.Time) error {
	return s.w(ctx).Transaction(func(tx *gorm.DB) error {
		var p Profile
		if err := tx.First(&p, id).Error; err != nil {
			return notFound(err)
		}
		v := &ValidationError{}
		allowed := false
		for _, n := range profileMoves[p.Status] {
			allowed = allowed || n == mv.To
		}
		if !allowed {
			return v.Add("status", "Von „"+p.Status.Label()+"“ geht es nicht zu „"+mv.To.Label()+"“.")
		}
		updates := map[string]any{"status": mv.To}
		detail := strings.TrimSpace(mv.Note)
		switch mv.To {
		case ProfileConsultation:
			if mv.Ends == nil || !mv.Ends.After(now) {
				return v.Add("ends", "Bitte geben Sie ein künftiges Ende der Konsultation an.")
			}
			updates["consultation_ends"], updates["public_consultation"] = mv.Ends.UTC(), mv.Public
			if p.PublishedFrom == 0 {
				updates["published_from"] = p.Version
			}
			detail = strings.TrimSpace("bis " + mv.Ends.In(berlin).Format("02.01.2006") + " " + detail)
		case ProfileAdopted:
			var r Resolution
			if mv.ResolutionID == nil || tx.First(&r, *mv.ResolutionID).Error != nil || !r.Adopted {
				return v.Add("resolution", "Bitte wählen Sie den angenommenen Beschluss, mit dem das KoG das Profil beschlossen hat.")
			}
			updates["resolution_id"] = r.ID
			detail = strings.TrimSpace("Beschluss " + r.Number() + " " + detail)
		case ProfileSubmitted:
			if mv.On == nil {
				return v.Add("on", "Bitte geben Sie das Datum der Übermittlung an.")
			}
			updates["submitted_on"] = Day(*mv.On)
		case ProfileAnswered:
			if mv.On == nil || strings.TrimSpace(mv.AnswerText) == "" {
				return v.Add("answer", "Bitte erfassen Sie Datum und Inhalt der Rückmeldung des IT-PLR.")
			}
			updates["answer_on"], updates["answer_number"], updates["answer_text"] = Day(*mv.On), strings.TrimSpace(mv.AnswerNumber), strings.TrimSpace(mv.AnswerText)
		}
		if err := tx.Model(&p).Updates(updates).Error; err != nil {
			return err
		}
		return tx.Create(&ProfileEvent{ProfileID: p.ID, ActorID: actor.ID, Action: string(mv.To), Detail: truncate(detail, 1000)}).Error
	})
}

// ConsultationOpen reports whether feedback is accepted at now.
func (p *Profile) ConsultationOpen(now time.Time) bool {
	return p.Status == ProfileConsultation && p.ConsultationEnds != nil && now.Before(*p.ConsultationEnds)
}

// FeedbackInput is a municipality's reply to one requirement.
type FeedbackInput struct {
	RequirementKey, Municipality, AGS, Kind, Text string
}

// GiveFeedback records or changes the user's reply to a requirement while
// the consultation is open.
func (s *Store) GiveFeedback(ctx context.Context, u *User, profileID uint, in FeedbackInput, now time.Time) error {
	v := &ValidationError{}
	in.Municipality, in.AGS, in.Text = strings.TrimSpace(in.Municipality), strings.TrimSpace(in.AGS), strings.TrimSpace(in.Text)
	if in.Municipality == "" {
		v.Add("municipality", "Bitte nennen Sie Ihre Kommune.")
	}
	if in.AGS != "" && !agsPattern.MatchString(in.AGS) {
		v.Add("ags", "Der Gemeindeschlüssel hat 8 Ziffern (AGS) oder 12 Ziffern (ARS).")
	}
	if in.Kind != FeedbackAgree && in.Kind != FeedbackConcern && in.Kind != FeedbackAddendum {
		v.Add("kind", "Bitte wählen Sie Zustimmung, Bedenken oder Ergänzung.")
	}
	if in.Kind != FeedbackAgree && in.Text == "" {
		v.Add("text", "Bitte begründen Sie Bedenken oder Ergänzungen.")
	}
	v.MaxLen("municipality", in.Municipality, 255).MaxLen("text", in.Text, 10000)
	if err := v.Err(); err != nil {
		return err
	}
	return s.w(ctx).Transaction(func(tx *gorm.DB) error {
		var p Profile
		if err := tx.First(&p, profileID).Error; err != nil {
			return notFound(err)
		}
		if !p.ConsultationOpen(now) {
			return v.Add("kind", "Die Konsultation ist nicht geöffnet; Rückmeldungen sind nur bis zu ihrem Ende möglich.")
		}
		var cur ProfileVersion
		if err := tx.Where("profile_id = ? AND number = ?", p.ID, p.Version).First(&cur).Error; err != nil {
			return err
		}
		found := false
		for _, r := range cur.Reqs() {
			found = found || r.Key == in.RequirementKey
		}
		if !found {
			return v.Add("requirement", "Diese Anforderung gibt es in der aktuellen Fassung nicht.")
		}
		var f Feedback
		err := tx.Where("profile_id = ? AND requirement_key = ? AND user_id = ?", p.ID, in.RequirementKey, u.ID).First(&f).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			f = Feedback{ProfileID: p.ID, RequirementKey: in.RequirementKey, UserID: u.ID}
		} else if err != nil {
			return err
		}
		f.Municipality, f.AGS, f.Kind, f.Text = in.Municipality, in.AGS, in.Kind, in.Text
		return tx.Save(&f).Error
	})
}

// SynopsisRow is one requirement with the consultation's replies.
type SynopsisRow struct {
	Requirement                Requirement
	Agree, Concerns, Addendums int
	Feedback                   []Feedback
}

// Synopsis groups the feedback by requirement of the current version, in
// the order of the requirements.
func (s *Store) Synopsis(ctx context.Context, profileID uint) ([]SynopsisRow, error) {
	var p Profile
	if err := s.r(ctx).First(&p, profileID).Error; err != nil {
		return nil, notFound(err)
	}
	var cur ProfileVersion
	if err := s.r(ctx).Where("profile_id = ? AND number = ?", p.ID, p.Version).First(&cur).Error; err != nil {
		return nil, err
	}
	var fs []Feedback
	if err := s.r(ctx).Where("profile_id = ?", p.ID).Order("id").Find(&fs).Error; err != nil {
		return nil, err
	}
	var rows []SynopsisRow
	for _, r := range cur.Reqs() {
		row := SynopsisRow{Requirement: r}
		for _, f := range fs {
			if f.RequirementKey != r.Key {
				continue
			}
			row.Feedback = append(row.Feedback, f)
			switch f.Kind {
			case FeedbackAgree:
				row.Agree++
			case FeedbackConcern:
				row.Concerns++
			default:
				row.Addendums++
			}
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// ProfileVersions lists all versions of a profile, oldest first.
func (s *Store) ProfileVersions(ctx context.Context, profileID uint) ([]ProfileVersion, error) {
	var vs []ProfileVersion
	err := s.r(ctx).Preload("Author").Where("profile_id = ?", profileID).Order("number").Find(&vs).Error
	return vs, err
}

// SectionDiff compares one text section of two versions.
type SectionDiff struct {
	Name  string
	Parts []DiffPart
}

// RequirementDiff compares one requirement across two versions.
type RequirementDiff struct {
	Key              string
	Change           string // "neu", "entfernt", "geändert", "unverändert"
	FromPrio, ToPrio string
	Text, Rationale  []DiffPart
}

// CompareVersions diffs two versions section by section and requirement by
// requirement (matched by key).
func CompareVersions(a, b *ProfileVersion) ([]SectionDiff, []RequirementDiff) {
	sections := []SectionDiff{
		{"Titel", WordDiff(a.Title, b.Title)}, {"Adressat", WordDiff(a.AddressedTo, b.AddressedTo)},
		{"Zusammenfassung", WordDiff(a.Summary, b.Summary)}, {"Problemstellung", WordDiff(a.Problem, b.Problem)},
		{"Ziele", WordDiff(a.Goals, b.Goals)}, {"Betroffene Dienste und Standards", WordDiff(a.Tags, b.Tags)},
	}
	ra, rb := a.Reqs(), b.Reqs()
	old := map[string]Requirement{}
	for _, r := range ra {
		old[r.Key] = r
	}
	var reqs []RequirementDiff
	seen := map[string]bool{}
	for _, r := range rb {
		seen[r.Key] = true
		o, ok := old[r.Key]
		d := RequirementDiff{Key: r.Key, FromPrio: o.Priority, ToPrio: r.Priority, Text: WordDiff(o.Text, r.Text), Rationale: WordDiff(o.Rationale, r.Rationale)}
		switch {
		case !ok:
			d.Change = "neu"
		case Changed(d.Text) || Changed(d.Rationale) || o.Priority != r.Priority:
			d.Change = "geändert"
		default:
			d.Change = "unverändert"
		}
		reqs = append(reqs, d)
	}
	for _, r := range ra {
		if !seen[r.Key] {
			reqs = append(reqs, RequirementDiff{Key: r.Key, Change: "entfernt", FromPrio: r.Priority,
				Text: WordDiff(r.Text, ""), Rationale: WordDiff(r.Rationale, "")})
		}
	}
	sort.SliceStable(reqs, func(i, j int) bool { return reqKeyNum(reqs[i].Key) < reqKeyNum(reqs[j].Key) })
	return sections, reqs
}

func reqKeyNum(k string) int {
	n, _ := strconv.Atoi(strings.TrimPrefix(k, "R"))
	return n
}

// CommentProfile adds a member's remark on a requirement.
func (s *Store) CommentProfile(ctx context.Context, author *User, profileID uint, reqKey, body string) error {
	body, err := validBody(body)
	if err != nil {
		return err
	}
	var n int64
	if err := s.r(ctx).Model(&Profile{}).Where("id = ?", profileID).Count(&n).Error; err != nil || n == 0 {
		return firstErr(err, ErrNotFound)
	}
	return s.w(ctx).Create(&ProfileComment{ProfileID: profileID, RequirementKey: reqKey, AuthorID: author.ID, Body: body}).Error
}

// ProfileComments lists the remarks on a profile, oldest first.
func (s *Store) ProfileComments(ctx context.Context, profileID uint) ([]ProfileComment, error) {
	var cs []ProfileComment
	err := s.r(ctx).Preload("Author").Where("profile_id = ?", profileID).Order("id").Find(&cs).Error
	return cs, err
}

// SeenVersion returns the version the user read last (0: never) and
// records the current one as read.
func (s *Store) SeenVersion(ctx context.Context, userID, profileID uint, current int) (int, error) {
	var v ProfileView
	err := s.r(ctx).Where("user_id = ? AND profile_id = ?", userID, profileID).First(&v).Error
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return 0, err
	}
	seen := v.Version
	switch {
	case v.ID == 0:
		err = s.w(ctx).Create(&ProfileView{UserID: userID, ProfileID: profileID, Version: current}).Error
	case seen != current:
		err = s.w(ctx).Model(&v).Update("version", current).Error
	}
	return seen, err
}

// Profiles lists profiles newest first; the caller filters by visibility.
func (s *Store) Profiles(ctx context.Context) ([]Profile, error) {
	var ps []Profile
	err := s.r(ctx).Order("created_at DESC, id DESC").Find(&ps).Error
	return ps, err
}

// Profile loads a profile.
func (s *Store) Profile(ctx context.Context, id uint) (*Profile, error) {
	var p Profile
	if err := s.r(ctx).Preload("Resolution").First(&p, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &p, nil
}

// ProfileVersion loads version n of a profile.
func (s *Store) ProfileVersion(ctx context.Context, profileID uint, n int) (*ProfileVersion, error) {
	var v ProfileVersion
	if err := s.r(ctx).Preload("Author").Where("profile_id = ? AND number = ?", profileID, n).First(&v).Error; err != nil {
		return nil, notFound(err)
	}
	return &v, nil
}

// ProfileHistory lists a profile's workflow and version events.
func (s *Store) ProfileHistory(ctx context.Context, profileID uint) ([]ProfileEvent, error) {
	var es []ProfileEvent
	err := s.r(ctx).Preload("Actor").Where("profile_id = ?", profileID).Order("created_at, id").Find(&es).Error
	return es, err
}

// FeedbackOf lists the replies to a profile; userID 0 lists all of them,
// otherwise only that person's own.
func (s *Store) FeedbackOf(ctx context.Context, profileID, userID uint) ([]Feedback, error) {
	q := s.r(ctx).Where("profile_id = ?", profileID)
	if userID != 0 {
		q = q.Where("user_id = ?", userID)
	}
	var fs []Feedback
	err := q.Order("id").Find(&fs).Error
	return fs, err
}

// ProfileMovesFrom lists the states a profile may move to from st.
func ProfileMovesFrom(st ProfileStatus) []ProfileStatus { return profileMoves[st] }
