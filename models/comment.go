package models

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"
)

// CommentEditWindow is how long an author may still edit a comment.
const CommentEditWindow = 15 * time.Minute

// Comment is a Markdown remark on a topic, threaded one level deep. Deleting
// keeps the record as a visible trace ("Kommentar gelöscht") without text.
type Comment struct {
	ID        uint   `gorm:"primaryKey"`
	TopicID   uint   `gorm:"not null;index"`
	ParentID  *uint  `gorm:"index"`
	AuthorID  uint   `gorm:"not null"`
	Author    *User  `gorm:"constraint:OnDelete:RESTRICT"`
	Body      string `gorm:"type:text"`
	EditedAt  *time.Time
	DeletedAt *time.Time
	CreatedAt time.Time
	Replies   []Comment `gorm:"foreignKey:ParentID"`
}

// Deleted reports whether only the trace is left.
func (c *Comment) Deleted() bool { return c.DeletedAt != nil }

// Editable reports whether the author may still change the comment at now.
func (c *Comment) Editable(now time.Time) bool {
	return c.DeletedAt == nil && now.Sub(c.CreatedAt) < CommentEditWindow
}

func validBody(body string) (string, error) {
	body = strings.TrimSpace(body)
	if body == "" {
		return "", (&ValidationError{}).Add("body", "Bitte schreiben Sie einen Kommentar.")
	}
	if len(body) > 20000 {
		return "", (&ValidationError{}).Add("body", "Ein Kommentar darf höchstens 20.000 Zeichen haben.")
	}
	return body, nil
}

// AddComment adds a comment or a reply. Replies to replies attach to the
// thread's first comment: threads are one level deep.
func (s *Store) AddComment(ctx context.Context, author *User, topicID uint, parentID *uint, body string) (*Comment, error) {
	body, err := validBody(body)
	if err != nil {
		return nil, err
	}
	c := &Comment{TopicID: topicID, AuthorID: author.ID, Body: body}
	err = s.w(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&Topic{}).Where("id = ?", topicID).Count(&n).Error; err != nil || n == 0 {
			return firstErr(err, ErrNotFound)
		}
		if parentID != nil {
			var p Comment
			if err := tx.Where("id = ? AND topic_id = ?", *parentID, topicID).First(&p).Error; err != nil {
				return notFound(err)
			}
			root := p.ID
			if p.ParentID != nil {
				root = *p.ParentID
			}
			c.ParentID = &root
		}
		return tx.Create(c).Error
	})
	return c, err
}

// EditComment changes the text within the edit window, author only.
func (s *Store) EditComment(ctx context.Context, author *User, id uint, body string, now time.Time) (*Comment, error) {
	body, err := validBody(body)
	if err != nil {
		return nil, err
	}
	var c Comment
	err = s.w(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.First(&c, id).Error; err != nil {
			return notFound(err)
		}
		if !CanEditComment(author, &c, now) {
			return ErrForbidden
		}
		c.Body, c.EditedAt = body, &now
		return tx.Model(&c).Updates(map[string]any{"body": body, "edited_at": now}).Error
	})
	return &c, err
}

// DeleteComment removes the text and leaves the trace.
func (s *Store) DeleteComment(ctx context.Context, actor *User, id uint, now time.Time) (*Comment, error) {
	var c Comment
	err := s.w(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.First(&c, id).Error; err != nil {
			return notFound(err)
		}
		if !CanDeleteComment(actor, &c) {
			return ErrForbidden
		}
		return tx.Model(&c).Updates(map[string]any{"body": "", "deleted_at": now}).Error
	})
	return &c, err
}

// Comments lists a topic's threads: top-level comments oldest first, each
// with its replies.
func (s *Store) Comments(ctx context.Context, topicID uint) ([]Comment, error) {
	var cs []Comment
	err := s.r(ctx).Preload("Author").Preload("Replies", func(db *gorm.DB) *gorm.DB { return db.Order("created_at, id") }).
		Preload("Replies.Author").Where("topic_id = ? AND parent_id IS NULL", topicID).Order("created_at, id").Find(&cs).Error
	return cs, err
}

// Comment loads one comment.
func (s *Store) Comment(ctx context.Context, id uint) (*Comment, error) {
	var c Comment
	if err := s.r(ctx).First(&c, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &c, nil
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
