package models

import (
	"context"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"
)

// MinutesStatus is the lifecycle of a meeting's minutes.
type MinutesStatus string

// Entwurf → zur Abstimmung → genehmigt.
const (
	MinutesDraft    MinutesStatus = "entwurf"
	MinutesVoting   MinutesStatus = "zur_abstimmung"
	MinutesApproved MinutesStatus = "genehmigt"
)

// Label is the status in German.
func (s MinutesStatus) Label() string {
	switch s {
	case MinutesVoting:
		return "zur Abstimmung"
	case MinutesApproved:
		return "genehmigt"
	}
	return "Entwurf"
}

// Minutes is the protocol record of a meeting. The content lives in the
// meeting's agenda items, resolutions and notes; this record carries the
// status. Approval is a resolution of a later meeting. A correction after
// approval is its own record linked by CorrectsID; the approved minutes
// themselves never change.
type Minutes struct {
	ID           uint          `gorm:"primaryKey"`
	MeetingID    uint          `gorm:"not null;index"`
	Status       MinutesStatus `gorm:"size:16;not null"`
	ApprovedByID *uint
	ApprovedBy   *Resolution `gorm:"foreignKey:ApprovedByID"`
	ApprovedAt   *time.Time
	CorrectsID   *uint
	Text         string `gorm:"type:text"` // the wording of a correction
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// MinutesComment is a member's remark on minutes put to the vote.
type MinutesComment struct {
	ID        uint   `gorm:"primaryKey"`
	MinutesID uint   `gorm:"not null;index"`
	AuthorID  uint   `gorm:"not null"`
	Author    *User  `gorm:"constraint:OnDelete:RESTRICT"`
	Body      string `gorm:"type:text;not null"`
	CreatedAt time.Time
}

// MinutesOf returns the minutes of a meeting (a draft if none was stored
// yet) and the corrections made after approval, oldest first.
func (s *Store) MinutesOf(ctx context.Context, meetingID uint) (*Minutes, []Minutes, error) {
	var all []Minutes
	if err := s.r(ctx).Preload("ApprovedBy").Where("meeting_id = ?", meetingID).Order("id").Find(&all).Error; err != nil {
		return nil, nil, err
	}
	main := &Minutes{MeetingID: meetingID, Status: MinutesDraft}
	var corrections []Minutes
	for i := range all {
		if all[i].CorrectsID == nil {
			main = &all[i]
		} else {
			corrections = append(corrections, all[i])
		}
	}
	return main, corrections, nil
}

func mainMinutes(tx *gorm.DB, meetingID uint) (*Minutes, error) {
	var m Minutes
	err := tx.Where("meeting_id = ? AND corrects_id IS NULL", meetingID).First(&m).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		m = Minutes{MeetingID: meetingID, Status: MinutesDraft}
		return &m, tx.Create(&m).Error
	}
	return &m, err
}

// SetMinutesStatus moves draft minutes to the vote or back to draft.
// Approval goes through ApproveMinutes.
func (s *Store) SetMinutesStatus(ctx context.Context, meetingID uint, to MinutesStatus) error {
	return s.w(ctx).Transaction(func(tx *gorm.DB) error {
		var m Meeting
		if err := tx.First(&m, meetingID).Error; err != nil {
			return notFound(err)
		}
		mins, err := mainMinutes(tx, meetingID)
		if err != nil {
			return err
		}
		v := &ValidationError{}
		switch {
		case to == MinutesVoting && mins.Status == MinutesDraft:
			if m.Status != StatusHeld {
				return v.Add("minutes", "Zur Abstimmung gestellt wird das Protokoll einer durchgeführten Sitzung.")
			}
		case to == MinutesDraft && mins.Status == MinutesVoting:
		default:
			return v.Add("minutes", "Von „"+mins.Status.Label()+"“ geht es nicht zu „"+to.Label()+"“.")
		}
		return tx.Model(mins).Update("status", to).Error
	})
}

// ApproveMinutes approves minutes put to the vote by an adopted resolution
// of a later meeting; the meeting becomes "Protokoll genehmigt".
func (s *Store) ApproveMinutes(ctx context.Context, meetingID, resolutionID uint, now time.Time) error {
	return s.w(ctx).Transaction(func(tx *gorm.DB) error {
		var m Meeting
		if err := tx.First(&m, meetingID).Error; err != nil {
			return notFound(err)
		}
		mins, err := mainMinutes(tx, meetingID)
		if err != nil {
			return err
		}
		v := &ValidationError{}
		if mins.Status != MinutesVoting {
			return v.Add("minutes", "Genehmigt wird ein Protokoll, das zur Abstimmung steht.")
		}
		var r Resolution
		if err := tx.Preload("Meeting").First(&r, resolutionID).Error; err != nil {
			return v.Add("resolution", "Bitte wählen Sie den Beschluss, mit dem das Protokoll genehmigt wurde.")
		}
		if !r.Adopted || r.Meeting == nil || !r.Meeting.StartsAt.After(m.StartsAt) {
			return v.Add("resolution", "Das Protokoll genehmigt ein angenommener Beschluss einer späteren Sitzung.")
		}
		if err := tx.Model(mins).Updates(map[string]any{"status": MinutesApproved, "approved_by_id": r.ID, "approved_at": now.UTC()}).Error; err != nil {
			return err
		}
		return tx.Model(&m).Updates(map[string]any{"status": StatusApproved, "sequence": m.Sequence + 1}).Error
	})
}

// AddCorrection records a correction of approved minutes as a new record.
func (s *Store) AddCorrection(ctx context.Context, meetingID uint, text string) (*Minutes, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, (&ValidationError{}).Add("correction", "Bitte geben Sie den Wortlaut der Berichtigung an.")
	}
	var c Minutes
	err := s.w(ctx).Transaction(func(tx *gorm.DB) error {
		mins, err := mainMinutes(tx, meetingID)
		if err != nil {
			return err
		}
		if mins.Status != MinutesApproved {
			return (&ValidationError{}).Add("correction", "Berichtigt wird ein genehmigtes Protokoll; den Entwurf ändern Sie direkt.")
		}
		c = Minutes{MeetingID: meetingID, Status: MinutesApproved, CorrectsID: &mins.ID, Text: text}
		return tx.Create(&c).Error
	})
	return &c, err
}

// CommentMinutes adds a member's remark while the minutes are put to the vote.
func (s *Store) CommentMinutes(ctx context.Context, author *User, meetingID uint, body string) error {
	body, err := validBody(body)
	if err != nil {
		return err
	}
	return s.w(ctx).Transaction(func(tx *gorm.DB) error {
		mins, err := mainMinutes(tx, meetingID)
		if err != nil {
			return err
		}
		if mins.Status != MinutesVoting {
			return (&ValidationError{}).Add("body", "Kommentieren lässt sich ein Protokoll, solange es zur Abstimmung steht.")
		}
		return tx.Create(&MinutesComment{MinutesID: mins.ID, AuthorID: author.ID, Body: body}).Error
	})
}

// MinutesComments lists the remarks on a meeting's minutes.
func (s *Store) MinutesComments(ctx context.Context, minutesID uint) ([]MinutesComment, error) {
	var cs []MinutesComment
	err := s.r(ctx).Preload("Author").Where("minutes_id = ?", minutesID).Order("id").Find(&cs).Error
	return cs, err
}
