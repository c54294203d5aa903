package models

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// ItemResult is what the committee did with a TOP.
type ItemResult string

// The results a TOP can have in the minutes.
const (
	ResultNoted     ItemResult = "zur_kenntnis"
	ResultDiscussed ItemResult = "beraten"
	ResultAdopted   ItemResult = "beschlossen"
	ResultRejected  ItemResult = "abgelehnt"
	ResultDeferred  ItemResult = "vertagt"
)

// ItemResults in form order.
var ItemResults = []ItemResult{ResultNoted, ResultDiscussed, ResultAdopted, ResultRejected, ResultDeferred}

// Label is the result in German.
func (r ItemResult) Label() string {
	switch r {
	case ResultNoted:
		return "zur Kenntnis genommen"
	case ResultDiscussed:
		return "beraten"
	case ResultAdopted:
		return "beschlossen"
	case ResultRejected:
		return "abgelehnt"
	case ResultDeferred:
		return "vertagt"
	}
	return ""
}

// FollowUp is how far a resolution has been carried out.
type FollowUp string

// Follow-up states of the register.
const (
	FollowOpen   FollowUp = "offen"
	FollowActive FollowUp = "in_umsetzung"
	FollowDone   FollowUp = "erledigt"
)

// FollowUps in form order.
var FollowUps = []FollowUp{FollowOpen, FollowActive, FollowDone}

// Label is the state in German.
func (f FollowUp) Label() string {
	if f == FollowActive {
		return "in Umsetzung"
	}
	return string(f)
}

// MajorityRule decides whether a vote carries.
type MajorityRule string

// The majority rules the committee can choose.
const (
	MajoritySimple    MajorityRule = "einfach"     // more yes than no among votes cast
	MajorityAbsolute  MajorityRule = "absolut"     // yes from more than half of the voting members present
	MajorityTwoThirds MajorityRule = "zweidrittel" // yes from at least two thirds of votes cast
)

// Carries applies the rule to a vote with present voting members.
func (r MajorityRule) Carries(yes, no, abstain, present int) bool {
	switch r {
	case MajorityAbsolute:
		return 2*yes > present
	case MajorityTwoThirds:
		cast := yes + no + abstain
		return cast > 0 && 3*yes >= 2*cast
	}
	return yes > no
}

// Resolution is a numbered decision of the committee ("Beschluss 2026/07").
// Numbers count per year, are assigned once and are never reused, even if
// a number is left unused by a later correction.
type Resolution struct {
	ID           uint        `gorm:"primaryKey"`
	Year         int         `gorm:"not null;uniqueIndex:idx_resolution_number"`
	Seq          int         `gorm:"not null;uniqueIndex:idx_resolution_number"`
	MeetingID    uint        `gorm:"not null;index"`
	Meeting      *Meeting    `gorm:"constraint:OnDelete:RESTRICT"`
	AgendaItemID uint        `gorm:"not null;index"`
	AgendaItem   *AgendaItem `gorm:"constraint:OnDelete:RESTRICT"`
	Text         string      `gorm:"type:text;not null"` // numbered points, Markdown
	VotesYes     int         `gorm:"not null"`
	VotesNo      int         `gorm:"not null"`
	VotesAbstain int         `gorm:"not null"`
	Unanimous    bool        `gorm:"not null"`
	Adopted      bool        `gorm:"not null"`
	Public       bool        `gorm:"not null"`
	FollowUp     FollowUp    `gorm:"size:16;not null"`
	FollowUpNote string      `gorm:"size:1000"`
	Notes        []MinuteNote
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Number is "2026/07".
func (r *Resolution) Number() string { return fmt.Sprintf("%d/%02d", r.Year, r.Seq) }

// Votes is the Stimmenverteilung: "12 Ja, 0 Nein, 1 Enthaltung (einstimmig)".
func (r *Resolution) Votes() string {
	s := fmt.Sprintf("%d Ja, %d Nein, %d Enthaltung", r.VotesYes, r.VotesNo, r.VotesAbstain)
	if r.VotesAbstain != 1 {
		s += "en"
	}
	if r.Unanimous {
		s += " (einstimmig)"
	}
	return s
}

// resolutionCounter keeps the last number handed out per year, so numbers
// are never reused.
type resolutionCounter struct {
	Year int `gorm:"primaryKey;autoIncrement:false"`
	Last int `gorm:"not null"`
}

// TableName pins the counter's table.
func (resolutionCounter) TableName() string { return "resolution_counters" }

// MinuteNote is a Protokollnotiz: a member organisation's statement for the
// minutes, attached to a TOP or a resolution.
type MinuteNote struct {
	ID             uint          `gorm:"primaryKey"`
	MeetingID      uint          `gorm:"not null;index"`
	AgendaItemID   uint          `gorm:"not null;index"`
	ResolutionID   *uint         `gorm:"index"`
	OrganisationID uint          `gorm:"not null"`
	Organisation   *Organisation `gorm:"constraint:OnDelete:RESTRICT"`
	Text           string        `gorm:"type:text;not null"`
	CreatedAt      time.Time
}

// RecordInput is what the chair records for one TOP.
type RecordInput struct {
	Discussion string
	Result     ItemResult
}

// ResolutionInput is a resolution as the chair records it.
type ResolutionInput struct {
	Text                    string
	VotesYes, VotesNo, Abst int
	Public                  bool
}

// minutesOpen refuses changes once the minutes are approved: approved
// minutes never change; a correction is a new, linked record.
func minutesOpen(tx *gorm.DB, meetingID uint) (*Meeting, error) {
	var m Meeting
	if err := tx.First(&m, meetingID).Error; err != nil {
		return nil, notFound(err)
	}
	if m.Status == StatusApproved {
		return nil, (&ValidationError{}).Add("minutes", "Das Protokoll ist genehmigt und kann nicht mehr geändert werden. Legen Sie eine Berichtigung an.")
	}
	if m.Status != StatusInvited && m.Status != StatusHeld {
		return nil, (&ValidationError{}).Add("minutes", "Protokolliert wird während oder nach einer eingeladenen Sitzung.")
	}
	var mins Minutes
	err := tx.Where("meeting_id = ? AND corrects_id IS NULL", meetingID).First(&mins).Error
	if err == nil && mins.Status != MinutesDraft {
		return nil, (&ValidationError{}).Add("minutes", "Das Protokoll ist zur Abstimmung gestellt; Änderungen nur im Entwurf.")
	}
	return &m, nil
}

// RecordItem stores discussion and result of a TOP.
func (s *Store) RecordItem(ctx context.Context, itemID uint, in RecordInput) error {
	v := &ValidationError{}
	if in.Result.Label() == "" {
		v.Add("result", "Bitte wählen Sie das Ergebnis des Tagesordnungspunkts.")
	}
	if err := v.Err(); err != nil {
		return err
	}
	return s.w(ctx).Transaction(func(tx *gorm.DB) error {
		var item AgendaItem
		if err := tx.First(&item, itemID).Error; err != nil {
			return notFound(err)
		}
		if _, err := minutesOpen(tx, item.MeetingID); err != nil {
			return err
		}
		return tx.Model(&item).Updates(map[string]any{"discussion": strings.TrimSpace(in.Discussion), "result": in.Result}).Error
	})
}

// RecordResolution takes a resolution on a TOP: it checks the votes against
// the voting members present (the attendance snapshot), applies the
// majority rule, and assigns the next number of the meeting's year inside
// the same write transaction, so two resolutions recorded at once get
// distinct numbers.
func (s *Store) RecordResolution(ctx context.Context, itemID uint, in ResolutionInput, rule MajorityRule) (*Resolution, error) {
	in.Text = strings.TrimSpace(in.Text)
	v := &ValidationError{}
	if in.Text == "" {
		v.Add("text", "Bitte geben Sie den Beschlusstext an.")
	}
	if in.VotesYes < 0 || in.VotesNo < 0 || in.Abst < 0 {
		v.Add("votes", "Stimmen können nicht negativ sein.")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var r Resolution
	err := s.w(ctx).Transaction(func(tx *gorm.DB) error {
		var item AgendaItem
		if err := tx.First(&item, itemID).Error; err != nil {
			return notFound(err)
		}
		m, err := minutesOpen(tx, item.MeetingID)
		if err != nil {
			return err
		}
		if !m.QuorumChecked {
			return v.Add("votes", "Bitte erfassen Sie zuerst die Anwesenheit; die Stimmen werden gegen die anwesenden Stimmberechtigten geprüft.")
		}
		if cast := in.VotesYes + in.VotesNo + in.Abst; cast > m.QuorumPresent {
			return v.Add("votes", fmt.Sprintf("%d Stimmen, aber nur %d stimmberechtigte Sitze waren anwesend oder vertreten.", cast, m.QuorumPresent))
		}
		if in.VotesYes+in.VotesNo+in.Abst == 0 {
			return v.Add("votes", "Bitte tragen Sie die Stimmenverteilung ein.")
		}
		year := m.StartsAt.In(berlin).Year()
		var c resolutionCounter
		if err := tx.Where("year = ?", year).Attrs(resolutionCounter{Year: year}).FirstOrCreate(&c).Error; err != nil {
			return err
		}
		c.Last++
		if err := tx.Model(&c).Where("year = ?", year).Update("last", c.Last).Error; err != nil {
			return err
		}
		r = Resolution{Year: year, Seq: c.Last, MeetingID: m.ID, AgendaItemID: item.ID, Text: in.Text,
			VotesYes: in.VotesYes, VotesNo: in.VotesNo, VotesAbstain: in.Abst,
			Unanimous: in.VotesYes > 0 && in.VotesNo == 0 && in.Abst == 0,
			Adopted:   rule.Carries(in.VotesYes, in.VotesNo, in.Abst, m.QuorumPresent),
			Public:    in.Public && item.Public, FollowUp: FollowOpen}
		if err := tx.Create(&r).Error; err != nil {
			return err
		}
		result := ResultAdopted
		if !r.Adopted {
			result = ResultRejected
		}
		return tx.Model(&item).Update("result", result).Error
	})
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// AddMinuteNote records a Protokollnotiz of a member organisation.
func (s *Store) AddMinuteNote(ctx context.Context, itemID uint, resolutionID *uint, orgID uint, text string) (*MinuteNote, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, (&ValidationError{}).Add("note", "Bitte geben Sie den Wortlaut der Protokollnotiz an.")
	}
	var n MinuteNote
	err := s.w(ctx).Transaction(func(tx *gorm.DB) error {
		var item AgendaItem
		if err := tx.First(&item, itemID).Error; err != nil {
			return notFound(err)
		}
		if _, err := minutesOpen(tx, item.MeetingID); err != nil {
			return err
		}
		var org Organisation
		if err := tx.First(&org, orgID).Error; err != nil || org.IsChair {
			return (&ValidationError{}).Add("organisation", "Eine Protokollnotiz gibt eine Mitgliedsorganisation ab.")
		}
		if resolutionID != nil {
			var cnt int64
			if err := tx.Model(&Resolution{}).Where("id = ? AND agenda_item_id = ?", *resolutionID, itemID).Count(&cnt).Error; err != nil || cnt == 0 {
				return (&ValidationError{}).Add("resolution", "Der Beschluss gehört nicht zu diesem Tagesordnungspunkt.")
			}
		}
		n = MinuteNote{MeetingID: item.MeetingID, AgendaItemID: item.ID, ResolutionID: resolutionID, OrganisationID: orgID, Text: text}
		return tx.Create(&n).Error
	})
	return &n, err
}

// ResolutionsOf lists a meeting's resolutions with their notes.
func (s *Store) ResolutionsOf(ctx context.Context, meetingID uint) ([]Resolution, error) {
	var rs []Resolution
	err := s.r(ctx).Preload("Notes.Organisation").Where("meeting_id = ?", meetingID).Order("year, seq").Find(&rs).Error
	return rs, err
}

// NotesOf lists a meeting's Protokollnotizen.
func (s *Store) NotesOf(ctx context.Context, meetingID uint) ([]MinuteNote, error) {
	var ns []MinuteNote
	err := s.r(ctx).Preload("Organisation").Where("meeting_id = ?", meetingID).Order("id").Find(&ns).Error
	return ns, err
}

// ResolutionFilter selects the register; values come from allowlists.
type ResolutionFilter struct {
	Year     int
	FollowUp FollowUp
	// Internal includes resolutions that are not public (committee only).
	Internal bool
}

// Resolutions is the Beschlussregister, newest first.
func (s *Store) Resolutions(ctx context.Context, f ResolutionFilter) ([]Resolution, error) {
	q := s.r(ctx).Preload("Meeting").Preload("AgendaItem").Preload("Notes.Organisation")
	if !f.Internal {
		q = q.Where("public = ?", true)
	}
	if f.Year != 0 {
		q = q.Where("year = ?", f.Year)
	}
	if f.FollowUp != "" {
		q = q.Where("follow_up = ?", f.FollowUp)
	}
	var rs []Resolution
	err := q.Order("year DESC, seq DESC").Find(&rs).Error
	return rs, err
}

// ResolutionYears lists the years with resolutions (for the filter).
func (s *Store) ResolutionYears(ctx context.Context, internal bool) ([]int, error) {
	q := s.r(ctx).Model(&Resolution{})
	if !internal {
		q = q.Where("public = ?", true)
	}
	var ys []int
	err := q.Distinct("year").Order("year DESC").Pluck("year", &ys).Error
	return ys, err
}

// SetFollowUp records how far a resolution has been carried out. This is
// register bookkeeping, not part of the minutes, so it stays editable.
func (s *Store) SetFollowUp(ctx context.Context, id uint, f FollowUp, note string) error {
	ok := false
	for _, x := range FollowUps {
		ok = ok || x == f
	}
	if !ok {
		return (&ValidationError{}).Add("follow_up", "Bitte wählen Sie offen, in Umsetzung oder erledigt.")
	}
	res := s.w(ctx).Model(&Resolution{}).Where("id = ?", id).Updates(map[string]any{"follow_up": f, "follow_up_note": truncate(strings.TrimSpace(note), 1000)})
	if res.Error == nil && res.RowsAffected == 0 {
		return ErrNotFound
	}
	return res.Error
}

// Resolution loads one resolution.
func (s *Store) Resolution(ctx context.Context, id uint) (*Resolution, error) {
	var r Resolution
	if err := s.r(ctx).Preload("Meeting").First(&r, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &r, nil
}

const majorityKey = "majority_rule"

// MajorityRule returns the configured rule, default simple majority.
func (s *Store) MajorityRule(ctx context.Context) (MajorityRule, error) {
	v, err := s.Setting(ctx, majorityKey)
	switch MajorityRule(v) {
	case MajorityAbsolute, MajorityTwoThirds:
		return MajorityRule(v), err
	}
	return MajoritySimple, err
}
