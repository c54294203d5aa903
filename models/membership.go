package models

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
)

// SeatRole is the role a person holds in the committee.
type SeatRole string

// The committee roles.
const (
	SeatChair  SeatRole = "vorsitz"
	SeatMember SeatRole = "mitglied"
	SeatDeputy SeatRole = "stellvertretung"
	SeatGuest  SeatRole = "gast"
)

// SeatRoles lists the roles in the order forms offer them.
var SeatRoles = []SeatRole{SeatMember, SeatDeputy, SeatGuest, SeatChair}

// Label is the role in German.
func (r SeatRole) Label() string {
	switch r {
	case SeatChair:
		return "Vorsitz"
	case SeatMember:
		return "Mitglied"
	case SeatDeputy:
		return "Stellvertretung"
	case SeatGuest:
		return "Gast"
	}
	return string(r)
}

// Valid reports whether r is one of the committee roles.
func (r SeatRole) Valid() bool {
	for _, v := range SeatRoles {
		if r == v {
			return true
		}
	}
	return false
}

// PortalRole is the portal role a current membership in this role grants.
func (r SeatRole) PortalRole() Role {
	switch r {
	case SeatChair:
		return RoleChair
	case SeatMember, SeatDeputy:
		return RoleMember
	}
	return RoleReader
}

// Membership is one person's term in the committee for an organisation.
// Terms are never deleted: ending one sets EndDate, so the record shows who
// sat for whom and when.
type Membership struct {
	ID             uint          `gorm:"primaryKey"`
	PersonID       uint          `gorm:"not null;index"`
	Person         *Person       `gorm:"constraint:OnDelete:RESTRICT"`
	OrganisationID uint          `gorm:"not null;index"`
	Organisation   *Organisation `gorm:"constraint:OnDelete:RESTRICT"`
	Role           SeatRole      `gorm:"size:16;not null"`
	Voting         bool          `gorm:"not null;default:false"`
	// DeputyForID is the member's membership a deputy stands in for.
	DeputyForID *uint       `gorm:"index"`
	DeputyFor   *Membership `gorm:"foreignKey:DeputyForID"`
	StartDate   time.Time   `gorm:"not null"`
	EndDate     *time.Time
	EndReason   string `gorm:"size:255"`
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Day truncates t to its calendar day in Berlin, stored as midnight UTC, so
// that dates compare the same on SQLite and PostgreSQL.
func Day(t time.Time) time.Time {
	y, m, d := t.In(berlin).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// ActiveOn reports whether the term covers day.
func (m *Membership) ActiveOn(day time.Time) bool {
	day = Day(day)
	return !m.StartDate.After(day) && (m.EndDate == nil || !m.EndDate.Before(day))
}

// overlaps reports whether two terms share at least one day.
func (m *Membership) overlaps(o *Membership) bool {
	endBefore := func(end *time.Time, start time.Time) bool { return end != nil && end.Before(start) }
	return !endBefore(m.EndDate, o.StartDate) && !endBefore(o.EndDate, m.StartDate)
}

// validateMembership checks a new or changed term against the rules of the
// committee and the organisation's other terms. Messages are German, per
// form field.
func validateMembership(tx *gorm.DB, m *Membership) error {
	v := &ValidationError{}
	if !m.Role.Valid() {
		v.Add("role", "Bitte wählen Sie eine Rolle im Gremium.")
	}
	if m.StartDate.IsZero() {
		v.Add("start", "Bitte geben Sie den Beginn der Mitgliedschaft an.")
	}
	if m.EndDate != nil && m.EndDate.Before(m.StartDate) {
		v.Add("end", "Das Ende darf nicht vor dem Beginn liegen.")
	}
	var org Organisation
	if err := tx.First(&org, m.OrganisationID).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return v.Add("organisation", "Bitte wählen Sie die Organisation, für die die Person im Gremium sitzt.")
		}
		return err
	}
	if m.Voting && m.Role != SeatMember {
		v.Add("voting", "Stimmrecht haben nur Mitglieder; eine Stellvertretung stimmt nur in Vertretung ab.")
	}
	switch {
	case m.Role == SeatChair && !org.IsChair:
		v.Add("role", "Den Vorsitz stellt nur die vorsitzende Organisation ("+org.Name+" ist es nicht).")
	case m.Role == SeatMember && org.IsChair:
		v.Add("role", "Die vorsitzende Organisation hält keinen Mitgliedssitz.")
	}
	if err := v.Err(); err != nil {
		return err
	}
	var others []Membership
	if err := tx.Where("organisation_id = ? AND id <> ?", m.OrganisationID, m.ID).Find(&others).Error; err != nil {
		return err
	}
	seatsTaken := 0
	for i := range others {
		o := &others[i]
		if !o.overlaps(m) {
			continue
		}
		if o.PersonID == m.PersonID {
			v.Add("organisation", "Diese Person hat in diesem Zeitraum schon eine Mitgliedschaft für diese Organisation.")
		}
		if o.Role == SeatMember && m.Role == SeatMember {
			seatsTaken++
		}
	}
	if m.Role == SeatMember && seatsTaken >= org.Seats {
		v.Add("start", "Alle Sitze der Organisation sind in diesem Zeitraum schon besetzt. Beenden Sie zuerst die bisherige Mitgliedschaft.")
	}
	if m.Role == SeatDeputy {
		if m.DeputyForID == nil {
			v.Add("deputy_for", "Eine Stellvertretung braucht das Mitglied, das sie vertritt.")
		} else {
			var member Membership
			err := tx.First(&member, *m.DeputyForID).Error
			switch {
			case errors.Is(err, gorm.ErrRecordNotFound) || (err == nil && (member.Role != SeatMember || member.OrganisationID != m.OrganisationID)):
				v.Add("deputy_for", "Die Stellvertretung muss ein Mitglied derselben Organisation vertreten.")
			case err != nil:
				return err
			case m.StartDate.Before(member.StartDate) || (member.EndDate != nil && (m.EndDate == nil || m.EndDate.After(*member.EndDate))):
				v.Add("deputy_for", "Die Stellvertretung muss in die Amtszeit des vertretenen Mitglieds fallen.")
			}
		}
	} else if m.DeputyForID != nil {
		v.Add("deputy_for", "Nur eine Stellvertretung vertritt ein Mitglied.")
	}
	return v.Err()
}

// StartMembership records a new term after checking the rules.
func (s *Store) StartMembership(ctx context.Context, m *Membership) error {
	m.StartDate = Day(m.StartDate)
	if m.EndDate != nil {
		d := Day(*m.EndDate)
		m.EndDate = &d
	}
	return s.w(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&Person{}).Where("id = ?", m.PersonID).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return ErrNotFound
		}
		if err := validateMembership(tx, m); err != nil {
			return err
		}
		return tx.Create(m).Error
	})
}

// EndMembership closes a term on end (inclusive). The record stays. Deputies
// of an ending member end with them, as they can only stand in for a seat.
func (s *Store) EndMembership(ctx context.Context, id uint, end time.Time, reason string) error {
	end = Day(end)
	return s.w(ctx).Transaction(func(tx *gorm.DB) error {
		var m Membership
		if err := tx.First(&m, id).Error; err != nil {
			return notFound(err)
		}
		v := &ValidationError{}
		if m.EndDate != nil {
			return v.Add("end", "Diese Mitgliedschaft ist schon beendet.")
		}
		if end.Before(m.StartDate) {
			return v.Add("end", "Das Ende darf nicht vor dem Beginn liegen.")
		}
		if err := tx.Model(&m).Updates(map[string]any{"end_date": end, "end_reason": truncate(reason, 250)}).Error; err != nil {
			return err
		}
		return tx.Model(&Membership{}).Where("deputy_for_id = ? AND (end_date IS NULL OR end_date > ?)", m.ID, end).
			Updates(map[string]any{"end_date": end, "end_reason": "Vertretenes Mitglied ausgeschieden"}).Error
	})
}

// Membership loads one term with person and organisation.
func (s *Store) Membership(ctx context.Context, id uint) (*Membership, error) {
	var m Membership
	if err := s.r(ctx).Preload("Person").Preload("Organisation").First(&m, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &m, nil
}

// MembershipsOfOrganisation lists all terms of an organisation, current ones
// first, then by start date, newest first.
func (s *Store) MembershipsOfOrganisation(ctx context.Context, orgID uint) ([]Membership, error) {
	var ms []Membership
	err := s.r(ctx).Preload("Person").Preload("DeputyFor.Person").Where("organisation_id = ?", orgID).
		Order("end_date IS NOT NULL, start_date DESC, id").Find(&ms).Error
	return ms, err
}

// CurrentMemberships lists every term active on day with person and
// organisation, for the committee page and member pickers.
func (s *Store) CurrentMemberships(ctx context.Context, day time.Time) ([]Membership, error) {
	day = Day(day)
	var ms []Membership
	err := s.r(ctx).Preload("Person").Preload("Organisation").Preload("DeputyFor.Person").
		Where("start_date <= ? AND (end_date IS NULL OR end_date >= ?)", day, day).
		Order("organisation_id, role, start_date").Find(&ms).Error
	return ms, err
}

// EffectiveRole is the portal role of u on day: the higher of the role an
// admin assigned and the role its current memberships grant.
func (s *Store) EffectiveRole(ctx context.Context, u *User, day time.Time) (Role, error) {
	if u == nil || u.Disabled {
		return RoleAnonymous, nil
	}
	day = Day(day)
	var roles []SeatRole
	err := s.r(ctx).Model(&Membership{}).Joins("JOIN people ON people.id = memberships.person_id").
		Where("people.user_id = ? AND memberships.start_date <= ? AND (memberships.end_date IS NULL OR memberships.end_date >= ?)", u.ID, day, day).
		Pluck("memberships.role", &roles).Error
	if err != nil {
		return RoleAnonymous, err
	}
	best := u.Role
	if rank(u.GroupRole) > rank(best) {
		best = u.GroupRole
	}
	for _, r := range roles {
		if rank(r.PortalRole()) > rank(best) {
			best = r.PortalRole()
		}
	}
	return best, nil
}
