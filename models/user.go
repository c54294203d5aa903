package models

import (
	"context"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Role is a user's portal role; the empty role is the anonymous visitor.
type Role string

// The portal roles, from least to most privileged.
const (
	RoleAnonymous Role = ""
	RoleReader    Role = "reader"
	RoleMember    Role = "member"
	RoleChair     Role = "chair"
	RoleAdmin     Role = "admin"
)

// Roles lists the assignable roles in the order the admin page offers them.
var Roles = []Role{RoleReader, RoleMember, RoleChair, RoleAdmin}

// Label is the role's German name.
func (r Role) Label() string {
	switch r {
	case RoleReader:
		return "Leser/in (Kommune)"
	case RoleMember:
		return "Mitglied"
	case RoleChair:
		return "Vorsitz/Geschäftsstelle"
	case RoleAdmin:
		return "Administration"
	}
	return "Gast (nicht angemeldet)"
}

// Valid reports whether r can be assigned to an account.
func (r Role) Valid() bool {
	for _, v := range Roles {
		if r == v {
			return true
		}
	}
	return false
}

// User is a sign-in account. It is keyed on (Issuer, Subject) from the OpenID
// provider, never on e-mail: e-mails change and can be re-assigned. An account
// invited by e-mail has no Issuer/Subject until its first sign-in binds them.
type User struct {
	ID            uint    `gorm:"primaryKey"`
	Issuer        *string `gorm:"size:255;uniqueIndex:idx_users_identity"`
	Subject       *string `gorm:"size:255;uniqueIndex:idx_users_identity"`
	Email         string  `gorm:"size:255;index"`
	EmailVerified bool
	Name          string `gorm:"size:255"`
	Role          Role   `gorm:"size:16;not null;default:reader"`
	// GroupRole is what the provider's groups claim granted at the last
	// sign-in (KOG_OIDC_GROUP_ROLES). It is replaced at every sign-in, so
	// leaving the group at the provider takes the role away.
	GroupRole   Role `gorm:"size:16"`
	Disabled    bool `gorm:"not null;default:false"`
	LastLoginAt *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// DisplayName is the name shown in the header and lists.
func (u *User) DisplayName() string {
	if u == nil {
		return ""
	}
	if u.Name != "" {
		return u.Name
	}
	return u.Email
}

// Identity is what a verified sign-in tells about a person.
type Identity struct {
	Issuer        string
	Subject       string
	Email         string
	EmailVerified bool
	Name          string
	// GroupRole is the highest role the provider's groups claim maps to
	// (KOG_OIDC_GROUP_ROLES); it raises the account's role at sign-in.
	GroupRole Role
}

// ErrUserDisabled refuses a sign-in of a disabled account.
var ErrUserDisabled = errors.New("Konto gesperrt")

// SignIn finds or creates the account for a verified identity, refreshes its
// name and e-mail from the provider and records the sign-in in the audit log.
// A first sign-in becomes a reader, unless an invitation for the verified
// e-mail exists (then it takes that account) or adminSubjects names it.
func (s *Store) SignIn(ctx context.Context, id Identity, adminSubjects []string, ip string, now time.Time) (*User, error) {
	var user User
	now = now.UTC()
	err := s.w(ctx).Transaction(func(tx *gorm.DB) error {
		err := tx.Where("issuer = ? AND subject = ?", id.Issuer, id.Subject).First(&user).Error
		if errors.Is(err, gorm.ErrRecordNotFound) && id.EmailVerified && id.Email != "" {
			err = tx.Where("issuer IS NULL AND lower(email) = ?", strings.ToLower(id.Email)).First(&user).Error
		}
		if errors.Is(err, gorm.ErrRecordNotFound) {
			user = User{Role: RoleReader}
		} else if err != nil {
			return err
		}
		if user.Disabled {
			return ErrUserDisabled
		}
		iss, sub := id.Issuer, id.Subject
		user.Issuer, user.Subject = &iss, &sub
		if id.Email != "" {
			user.Email, user.EmailVerified = id.Email, id.EmailVerified
		}
		if id.Name != "" {
			user.Name = id.Name
		}
		if isConfiguredAdmin(id, adminSubjects) {
			user.Role = RoleAdmin
		}
		user.GroupRole = ""
		if id.GroupRole.Valid() {
			user.GroupRole = id.GroupRole
		}
		user.LastLoginAt = &now
		if err := tx.Save(&user).Error; err != nil {
			return err
		}
		return audit(tx, AuditEntry{ActorID: &user.ID, TargetUserID: &user.ID, Action: AuditLogin, IP: ip, CreatedAt: now})
	})
	if err != nil {
		return nil, err
	}
	return &user, nil
}

// isConfiguredAdmin matches KOG_ADMIN_SUBJECTS entries: "issuer|subject", or
// an e-mail address that only counts when the provider verified it.
func isConfiguredAdmin(id Identity, subjects []string) bool {
	for _, s := range subjects {
		if iss, sub, ok := strings.Cut(s, "|"); ok {
			if iss == id.Issuer && sub == id.Subject {
				return true
			}
		} else if id.EmailVerified && strings.EqualFold(s, id.Email) {
			return true
		}
	}
	return false
}

// User loads one account.
func (s *Store) User(ctx context.Context, id uint) (*User, error) {
	var u User
	if err := s.r(ctx).First(&u, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &u, nil
}

// Users lists all accounts, newest sign-in first.
func (s *Store) Users(ctx context.Context) ([]User, error) {
	var us []User
	err := s.r(ctx).Order("last_login_at IS NULL, last_login_at DESC, id").Find(&us).Error
	return us, err
}

// InviteUser creates an account for an e-mail before its first sign-in; the
// first sign-in with that verified e-mail takes it over. Inviting an e-mail
// twice returns the existing account unchanged.
func (s *Store) InviteUser(ctx context.Context, email, name string, role Role) (*User, error) {
	email = strings.TrimSpace(email)
	v := &ValidationError{}
	if !strings.Contains(email, "@") {
		v.Add("email", "Bitte geben Sie eine gültige E-Mail-Adresse an.")
	}
	if !role.Valid() {
		v.Add("role", "Bitte wählen Sie eine gültige Rolle.")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var u User
	err := s.w(ctx).Transaction(func(tx *gorm.DB) error {
		err := tx.Where("lower(email) = ? AND (issuer IS NULL OR email_verified = ?)", strings.ToLower(email), true).First(&u).Error
		if err == nil {
			return nil
		}
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		u = User{Email: email, Name: name, Role: role}
		return tx.Create(&u).Error
	})
	return &u, err
}

// SetUserRole changes an account's role and writes the audit entry.
func (s *Store) SetUserRole(ctx context.Context, actor *User, targetID uint, role Role, ip string) error {
	return s.w(ctx).Transaction(func(tx *gorm.DB) error {
		var target User
		if err := tx.First(&target, targetID).Error; err != nil {
			return notFound(err)
		}
		if !CanChangeRole(actor, &target, role) {
			return ErrForbidden
		}
		if target.Role == role {
			return nil
		}
		old := target.Role
		if err := tx.Model(&target).Update("role", role).Error; err != nil {
			return err
		}
		return audit(tx, AuditEntry{ActorID: &actor.ID, TargetUserID: &target.ID, Action: AuditRoleChanged,
			Detail: string(old) + " → " + string(role), IP: ip})
	})
}

// SetUserDisabled locks or unlocks an account. Locking ends all of the
// account's sessions in the same transaction, so it takes effect at once.
func (s *Store) SetUserDisabled(ctx context.Context, actor *User, targetID uint, disabled bool, ip string) error {
	return s.w(ctx).Transaction(func(tx *gorm.DB) error {
		var target User
		if err := tx.First(&target, targetID).Error; err != nil {
			return notFound(err)
		}
		if !CanDisableUser(actor, &target) {
			return ErrForbidden
		}
		if target.Disabled == disabled {
			return nil
		}
		if err := tx.Model(&target).Update("disabled", disabled).Error; err != nil {
			return err
		}
		action := AuditUserEnabled
		if disabled {
			action = AuditUserDisabled
			if err := tx.Where("user_id = ?", target.ID).Delete(&Session{}).Error; err != nil {
				return err
			}
		}
		return audit(tx, AuditEntry{ActorID: &actor.ID, TargetUserID: &target.ID, Action: action, IP: ip})
	})
}

// notFound maps gorm's not-found to the domain sentinel.
func notFound(err error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ErrNotFound
	}
	return err
}
