package models

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Answer is a member's reply to a meeting.
type Answer string

// The three answers a member can give.
const (
	AnswerAttend      Answer = "teilnahme"
	AnswerExcused     Answer = "entschuldigt"
	AnswerRepresented Answer = "vertreten"
)

// Label is the answer in German.
func (a Answer) Label() string {
	switch a {
	case AnswerAttend:
		return "nimmt teil"
	case AnswerExcused:
		return "entschuldigt"
	case AnswerRepresented:
		return "vertreten"
	}
	return string(a)
}

// Registration is a member's answer to one meeting; it can change until the
// meeting starts.
type Registration struct {
	ID           uint    `gorm:"primaryKey"`
	MeetingID    uint    `gorm:"not null;uniqueIndex:idx_registration"`
	PersonID     uint    `gorm:"not null;uniqueIndex:idx_registration"`
	Person       *Person `gorm:"constraint:OnDelete:CASCADE"`
	Answer       Answer  `gorm:"size:16;not null"`
	SubstituteID *uint   // the deputy who attends instead
	Substitute   *Person `gorm:"foreignKey:SubstituteID"`
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// seatOn returns the person's member (or chair) term on the meeting's day.
func seatOn(tx *gorm.DB, personID uint, day time.Time) (*Membership, error) {
	var ms []Membership
	err := tx.Where("person_id = ? AND role IN ? AND start_date <= ? AND (end_date IS NULL OR end_date >= ?)",
		personID, []SeatRole{SeatMember, SeatChair}, Day(day), Day(day)).Find(&ms).Error
	if err != nil || len(ms) == 0 {
		return nil, err
	}
	return &ms[0], nil
}

// Register records or changes a member's answer. Only members (and the
// chair) answer; "vertreten" names one of the member's own deputies.
func (s *Store) Register(ctx context.Context, meetingID, personID uint, answer Answer, substituteID *uint, now time.Time) error {
	return s.w(ctx).Transaction(func(tx *gorm.DB) error {
		var m Meeting
		if err := tx.First(&m, meetingID).Error; err != nil {
			return notFound(err)
		}
		v := &ValidationError{}
		if m.Status != StatusPlanned && m.Status != StatusInvited {
			return v.Add("answer", "Für diese Sitzung ist keine Anmeldung mehr möglich ("+m.Status.Label()+").")
		}
		if !now.Before(m.StartsAt) {
			return v.Add("answer", "Die Sitzung hat begonnen; die Anmeldung ist geschlossen.")
		}
		seat, err := seatOn(tx, personID, m.StartsAt)
		if err != nil {
			return err
		}
		if seat == nil {
			return ErrForbidden
		}
		switch answer {
		case AnswerAttend, AnswerExcused:
			substituteID = nil
		case AnswerRepresented:
			var n int64
			if substituteID != nil {
				err = tx.Model(&Membership{}).Where("person_id = ? AND deputy_for_id = ? AND start_date <= ? AND (end_date IS NULL OR end_date >= ?)",
					*substituteID, seat.ID, Day(m.StartsAt), Day(m.StartsAt)).Count(&n).Error
			}
			if err != nil {
				return err
			}
			if n == 0 {
				return v.Add("substitute", "Bitte wählen Sie Ihre Stellvertretung; nur sie kann Sie vertreten.")
			}
		default:
			return v.Add("answer", "Bitte wählen Sie: nimmt teil, entschuldigt oder vertreten.")
		}
		r := Registration{MeetingID: meetingID, PersonID: personID, Answer: answer, SubstituteID: substituteID}
		return tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "meeting_id"}, {Name: "person_id"}},
			DoUpdates: clause.AssignmentColumns([]string{"answer", "substitute_id", "updated_at"})}).Create(&r).Error
	})
}

// Registrations lists the answers to a meeting.
func (s *Store) Registrations(ctx context.Context, meetingID uint) ([]Registration, error) {
	var rs []Registration
	err := s.r(ctx).Preload("Person").Preload("Substitute").Where("meeting_id = ?", meetingID).Order("id").Find(&rs).Error
	return rs, err
}

// Registration returns one person's answer, or nil.
func (s *Store) Registration(ctx context.Context, meetingID, personID uint) (*Registration, error) {
	var rs []Registration
	err := s.r(ctx).Preload("Substitute").Where("meeting_id = ? AND person_id = ?", meetingID, personID).Find(&rs).Error
	if err != nil || len(rs) == 0 {
		return nil, err
	}
	return &rs[0], nil
}

// SeatsOn lists the member and chair terms active on the meeting's day,
// with person, organisation and the deputies who may stand in.
func (s *Store) SeatsOn(ctx context.Context, day time.Time) ([]Membership, error) {
	var ms []Membership
	err := s.r(ctx).Preload("Person").Preload("Organisation").
		Where("role IN ? AND start_date <= ? AND (end_date IS NULL OR end_date >= ?)", []SeatRole{SeatMember, SeatChair}, Day(day), Day(day)).
		Order("role DESC, organisation_id, id").Find(&ms).Error
	return ms, err
}

// DeputiesOf lists the deputies active on day for a member term.
func (s *Store) DeputiesOf(ctx context.Context, memberTermID uint, day time.Time) ([]Membership, error) {
	var ms []Membership
	err := s.r(ctx).Preload("Person").Where("deputy_for_id = ? AND start_date <= ? AND (end_date IS NULL OR end_date >= ?)",
		memberTermID, Day(day), Day(day)).Find(&ms).Error
	return ms, err
}
