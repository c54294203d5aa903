package models

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Presence is what the chair records for each seat of a held meeting.
type Presence string

// The attendance states of the Teilnehmerliste.
const (
	PresenceAttended    Presence = "anwesend"
	PresenceExcused     Presence = "entschuldigt"
	PresenceRepresented Presence = "vertreten"
	PresenceGuest       Presence = "gast"
)

// Label is the state in German.
func (p Presence) Label() string {
	switch p {
	case PresenceAttended:
		return "anwesend"
	case PresenceExcused:
		return "entschuldigt"
	case PresenceRepresented:
		return "vertreten"
	case PresenceGuest:
		return "Gast"
	}
	return string(p)
}

// Attendance is one line of a meeting's attendance list.
type Attendance struct {
	ID              uint          `gorm:"primaryKey"`
	MeetingID       uint          `gorm:"not null;index"`
	PersonID        uint          `gorm:"not null"`
	Person          *Person       `gorm:"constraint:OnDelete:RESTRICT"`
	OrganisationID  *uint         // the seat's organisation; guests may have none
	Organisation    *Organisation `gorm:"constraint:OnDelete:RESTRICT"`
	Presence        Presence      `gorm:"size:16;not null"`
	Voting          bool          // the seat counts for the quorum
	RepresentedByID *uint         // the deputy who attended for the member
	RepresentedBy   *Person       `gorm:"foreignKey:RepresentedByID"`
	CreatedAt       time.Time
}

// QuorumRule says how many voting seats must be present or represented:
// more than Num/Den of them (Strict) or at least Num/Den.
type QuorumRule struct {
	Num, Den int
	Strict   bool
}

// DefaultQuorum: more than half of the voting seats.
var DefaultQuorum = QuorumRule{Num: 1, Den: 2, Strict: true}

// Required is the smallest number of seats that satisfies the rule.
func (q QuorumRule) Required(seats int) int {
	n := seats * q.Num / q.Den
	if q.Strict || n*q.Den < seats*q.Num {
		n++
	}
	return n
}

// Describe is the rule in German.
func (q QuorumRule) Describe() string {
	frac := strconv.Itoa(q.Num) + "/" + strconv.Itoa(q.Den)
	if q.Num == 1 && q.Den == 2 {
		frac = "der Hälfte"
	}
	if q.Strict {
		return "mehr als " + frac + " der stimmberechtigten Sitze anwesend oder vertreten"
	}
	return "mindestens " + frac + " der stimmberechtigten Sitze anwesend oder vertreten"
}

const quorumKey = "quorum_rule"

// QuorumRule returns the configured rule ("1/2>" or "2/3>="), default
// DefaultQuorum.
func (s *Store) QuorumRule(ctx context.Context) (QuorumRule, error) {
	v, err := s.Setting(ctx, quorumKey)
	if err != nil || v == "" {
		return DefaultQuorum, err
	}
	return parseQuorum(v)
}

func parseQuorum(v string) (QuorumRule, error) {
	var q QuorumRule
	frac, op, _ := strings.Cut(v, " ")
	n, d, _ := strings.Cut(frac, "/")
	var err1, err2 error
	q.Num, err1 = strconv.Atoi(n)
	q.Den, err2 = strconv.Atoi(d)
	q.Strict = op != ">="
	if err1 != nil || err2 != nil || q.Num <= 0 || q.Den <= 0 || q.Num > q.Den {
		return DefaultQuorum, fmt.Errorf("ungültige Beschlussfähigkeitsregel %q", v)
	}
	return q, nil
}

// SetQuorumRule changes the rule for future attendance records; recorded
// snapshots keep the rule they were taken with.
func (s *Store) SetQuorumRule(ctx context.Context, q QuorumRule) error {
	if q.Num <= 0 || q.Den <= 0 || q.Num > q.Den || q.Den > 10 {
		return (&ValidationError{}).Add("quorum", "Bitte geben Sie einen Bruchteil wie 1/2 oder 2/3 an.")
	}
	op := ">"
	if !q.Strict {
		op = ">="
	}
	return setSetting(s.w(ctx), quorumKey, strconv.Itoa(q.Num)+"/"+strconv.Itoa(q.Den)+" "+op)
}

// AttendanceEntry is what the chair ticks for one person.
type AttendanceEntry struct {
	PersonID        uint
	Presence        Presence
	RepresentedByID *uint
}

// RecordAttendance replaces the attendance list of a meeting and stores the
// quorum snapshot with it. Voting seats are the members with a vote on the
// meeting's day; a seat counts when its member attended or was represented
// by their deputy.
func (s *Store) RecordAttendance(ctx context.Context, meetingID uint, entries []AttendanceEntry, now time.Time) (*Meeting, error) {
	rule, err := s.QuorumRule(ctx)
	if err != nil {
		return nil, err
	}
	var m Meeting
	err = s.w(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.First(&m, meetingID).Error; err != nil {
			return notFound(err)
		}
		v := &ValidationError{}
		if m.Status != StatusInvited && m.Status != StatusHeld {
			return v.Add("attendance", "Anwesenheit wird für eingeladene oder durchgeführte Sitzungen erfasst.")
		}
		var seats []Membership
		if err := tx.Where("role IN ? AND start_date <= ? AND (end_date IS NULL OR end_date >= ?)",
			[]SeatRole{SeatMember, SeatChair}, Day(m.StartsAt), Day(m.StartsAt)).Find(&seats).Error; err != nil {
			return err
		}
		seatOf := map[uint]Membership{}
		voting := 0
		for _, st := range seats {
			seatOf[st.PersonID] = st
			if st.Voting {
				voting++
			}
		}
		present := 0
		rows := make([]Attendance, 0, len(entries))
		for _, e := range entries {
			st, hasSeat := seatOf[e.PersonID]
			a := Attendance{MeetingID: m.ID, PersonID: e.PersonID, Presence: e.Presence}
			switch {
			case e.Presence == PresenceGuest:
			case !hasSeat:
				return v.Add("attendance", "Nur Personen mit Sitz im Gremium stehen auf der Anwesenheitsliste; andere tragen Sie als Gast ein.")
			case e.Presence == PresenceRepresented:
				var n int64
				if e.RepresentedByID != nil {
					if err := tx.Model(&Membership{}).Where("person_id = ? AND deputy_for_id = ? AND start_date <= ? AND (end_date IS NULL OR end_date >= ?)",
						*e.RepresentedByID, st.ID, Day(m.StartsAt), Day(m.StartsAt)).Count(&n).Error; err != nil {
						return err
					}
				}
				if n == 0 {
					return v.Add("attendance", "„Vertreten“ braucht die Stellvertretung, die für das Mitglied teilnimmt.")
				}
				a.RepresentedByID = e.RepresentedByID
			case e.Presence != PresenceAttended && e.Presence != PresenceExcused:
				return v.Add("attendance", "Unbekannter Anwesenheitsstatus.")
			}
			if hasSeat {
				orgID := st.OrganisationID
				a.OrganisationID, a.Voting = &orgID, st.Voting
				if st.Voting && (e.Presence == PresenceAttended || e.Presence == PresenceRepresented) {
					present++
				}
			}
			rows = append(rows, a)
		}
		if err := tx.Where("meeting_id = ?", m.ID).Delete(&Attendance{}).Error; err != nil {
			return err
		}
		if len(rows) > 0 {
			if err := tx.Create(&rows).Error; err != nil {
				return err
			}
		}
		required := rule.Required(voting)
		m.QuorumChecked, m.QuorumPresent, m.QuorumSeats, m.QuorumRequired = true, present, voting, required
		m.QuorumReached, m.QuorumAt = voting > 0 && present >= required, &now
		return tx.Model(&m).Select("quorum_checked", "quorum_present", "quorum_seats", "quorum_required", "quorum_reached", "quorum_at").Updates(&m).Error
	})
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// AttendanceList is the Teilnehmerliste of a meeting.
func (s *Store) AttendanceList(ctx context.Context, meetingID uint) ([]Attendance, error) {
	var as []Attendance
	err := s.r(ctx).Preload("Person").Preload("Organisation").Preload("RepresentedBy").
		Where("meeting_id = ?", meetingID).Order("organisation_id IS NULL, organisation_id, id").Find(&as).Error
	return as, err
}
