package models

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// Audit actions. The German labels are in AuditEntry.ActionLabel.
const (
	AuditLogin        = "login"
	AuditLogout       = "logout"
	AuditRoleChanged  = "role_changed"
	AuditUserDisabled = "user_disabled"
	AuditUserEnabled  = "user_enabled"
)

// AuditEntry records a security-relevant event: who did what to whom, when
// and from where. Entries are only ever appended.
type AuditEntry struct {
	ID           uint      `gorm:"primaryKey"`
	CreatedAt    time.Time `gorm:"index"`
	ActorID      *uint     `gorm:"index"`
	Actor        *User     `gorm:"foreignKey:ActorID"`
	TargetUserID *uint     `gorm:"index"`
	Target       *User     `gorm:"foreignKey:TargetUserID"`
	Action       string    `gorm:"size:32;not null"`
	Detail       string    `gorm:"size:500"`
	IP           string    `gorm:"size:64"`
}

// ActionLabel is the action in German.
func (a AuditEntry) ActionLabel() string {
	switch a.Action {
	case AuditLogin:
		return "Anmeldung"
	case AuditLogout:
		return "Abmeldung"
	case AuditRoleChanged:
		return "Rolle geändert"
	case AuditUserDisabled:
		return "Konto gesperrt"
	case AuditUserEnabled:
		return "Konto entsperrt"
	}
	return a.Action
}

// audit appends an entry inside the caller's transaction.
func audit(tx *gorm.DB, e AuditEntry) error {
	if e.CreatedAt.IsZero() {
		e.CreatedAt = time.Now()
	}
	e.CreatedAt = e.CreatedAt.UTC() // sorted as text on SQLite
	return tx.Create(&e).Error
}

// Audit appends an entry on its own.
func (s *Store) Audit(ctx context.Context, e AuditEntry) error { return audit(s.w(ctx), e) }

// AuditEntries lists the newest entries first, limit per page.
func (s *Store) AuditEntries(ctx context.Context, limit, offset int) ([]AuditEntry, int64, error) {
	var total int64
	if err := s.r(ctx).Model(&AuditEntry{}).Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var es []AuditEntry
	err := s.r(ctx).Preload("Actor").Preload("Target").Order("created_at DESC, id DESC").
		Limit(limit).Offset(offset).Find(&es).Error
	return es, total, err
}

// SignInHistory lists a user's recent sign-ins, newest first.
func (s *Store) SignInHistory(ctx context.Context, userID uint, limit int) ([]AuditEntry, error) {
	var es []AuditEntry
	err := s.r(ctx).Where("target_user_id = ? AND action = ?", userID, AuditLogin).
		Order("created_at DESC, id DESC").Limit(limit).Find(&es).Error
	return es, err
}
