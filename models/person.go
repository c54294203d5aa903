package models

import (
	"context"
	"errors"
	"net/mail"
	"strings"
	"time"

	"gorm.io/gorm"
)

// berlin is the committee's time zone: a "day" is a day in Berlin.
var berlin = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return loc
}()

// Person is someone who sits or sat in the committee. A person may exist
// before their first sign-in: the invitation creates an account for the
// e-mail, which the first sign-in with that verified e-mail takes over and
// binds to the provider's (issuer, subject).
type Person struct {
	ID       uint   `gorm:"primaryKey"`
	UserID   *uint  `gorm:"uniqueIndex"`
	User     *User  `gorm:"constraint:OnDelete:SET NULL"`
	Name     string `gorm:"size:255;not null"`
	Email    string `gorm:"size:255"`
	Phone    string `gorm:"size:64"`
	Position string `gorm:"size:255"` // Funktion, e.g. "CDO der Stadt Leipzig"
	// ShowEmail and ShowPhone are the person's consent to show the contact
	// detail to committee members. Readers and the public never see it.
	ShowEmail   bool `gorm:"not null;default:false"`
	ShowPhone   bool `gorm:"not null;default:false"`
	Memberships []Membership
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Invitation is what the chair enters to bring a new person into the
// committee: the person, and their first term.
type Invitation struct {
	Name           string
	Email          string
	Position       string
	OrganisationID uint
	Role           SeatRole
	Voting         bool
	DeputyForID    *uint
	StartDate      time.Time
}

// InvitePerson creates the person, an account waiting for their first
// sign-in, and their first membership, all or nothing.
func (s *Store) InvitePerson(ctx context.Context, in Invitation) (*Person, error) {
	in.Name, in.Email = strings.TrimSpace(in.Name), strings.TrimSpace(in.Email)
	v := &ValidationError{}
	if in.Name == "" {
		v.Add("name", "Bitte geben Sie den Namen der Person an.")
	}
	v.MaxLen("name", in.Name, 255).MaxLen("position", in.Position, 255).MaxLen("email", in.Email, 255)
	if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email {
		v.Add("email", "Bitte geben Sie eine gültige E-Mail-Adresse an; mit ihr meldet sich die Person zum ersten Mal an.")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var p Person
	err := s.w(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&Person{}).Where("lower(email) = ?", strings.ToLower(in.Email)).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return v.Add("email", "Zu dieser E-Mail-Adresse gibt es schon eine Person. Fügen Sie dort eine Mitgliedschaft hinzu.")
		}
		var u User
		// Only an account still waiting for its first sign-in, or one whose
		// e-mail the provider verified, may take the seat: anyone can sign in
		// with an unverified address and wait for an invitation.
		err := tx.Where("lower(email) = ? AND (issuer IS NULL OR email_verified = ?)", strings.ToLower(in.Email), true).First(&u).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			u = User{Email: in.Email, Name: in.Name, Role: RoleReader}
			err = tx.Create(&u).Error
		}
		if err != nil {
			return err
		}
		var linked int64
		if err := tx.Model(&Person{}).Where("user_id = ?", u.ID).Count(&linked).Error; err != nil {
			return err
		}
		p = Person{Name: in.Name, Email: in.Email, Position: strings.TrimSpace(in.Position)}
		if linked == 0 {
			p.UserID = &u.ID
		}
		if err := tx.Create(&p).Error; err != nil {
			return err
		}
		m := &Membership{PersonID: p.ID, OrganisationID: in.OrganisationID, Role: in.Role, Voting: in.Voting,
			DeputyForID: in.DeputyForID, StartDate: Day(in.StartDate)}
		if err := validateMembership(tx, m); err != nil {
			return err
		}
		return tx.Create(m).Error
	})
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// Person loads a person with all their terms and organisations.
func (s *Store) Person(ctx context.Context, id uint) (*Person, error) {
	var p Person
	err := s.r(ctx).Preload("User").Preload("Memberships", func(db *gorm.DB) *gorm.DB {
		return db.Order("end_date IS NOT NULL, start_date DESC")
	}).Preload("Memberships.Organisation").Preload("Memberships.DeputyFor.Person").First(&p, id).Error
	if err != nil {
		return nil, notFound(err)
	}
	return &p, nil
}

// PersonOfUser returns the person record bound to an account, or ErrNotFound.
func (s *Store) PersonOfUser(ctx context.Context, userID uint) (*Person, error) {
	var p Person
	if err := s.r(ctx).Where("user_id = ?", userID).First(&p).Error; err != nil {
		return nil, notFound(err)
	}
	return s.Person(ctx, p.ID)
}

// PersonProfile is what a person may change about themselves.
type PersonProfile struct {
	Name      string
	Phone     string
	Position  string
	ShowEmail bool
	ShowPhone bool
}

// UpdateProfile saves a person's own corrections and contact consent.
func (s *Store) UpdateProfile(ctx context.Context, personID uint, pr PersonProfile) error {
	pr.Name, pr.Phone, pr.Position = strings.TrimSpace(pr.Name), strings.TrimSpace(pr.Phone), strings.TrimSpace(pr.Position)
	v := &ValidationError{}
	if pr.Name == "" {
		v.Add("name", "Bitte geben Sie Ihren Namen an.")
	}
	v.MaxLen("name", pr.Name, 255).MaxLen("position", pr.Position, 255)
	if len(pr.Phone) > 40 || strings.ContainsFunc(pr.Phone, func(r rune) bool { return !strings.ContainsRune("0123456789+-/() ", r) }) {
		v.Add("phone", "Die Telefonnummer darf nur Ziffern, Leerzeichen und + - / ( ) enthalten.")
	}
	if pr.ShowPhone && pr.Phone == "" {
		v.Add("show_phone", "Ohne Telefonnummer gibt es keine Nummer zu zeigen.")
	}
	if err := v.Err(); err != nil {
		return err
	}
	res := s.w(ctx).Model(&Person{}).Where("id = ?", personID).Updates(map[string]any{
		"name": pr.Name, "phone": pr.Phone, "position": pr.Position, "show_email": pr.ShowEmail, "show_phone": pr.ShowPhone})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return ErrNotFound
	}
	return nil
}
