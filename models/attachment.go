package models

import (
	"context"
	"time"
)

// MaxUploadBytes is the largest attachment accepted (8 MiB); the request
// body limit of 10 MiB leaves room for the rest of the form.
const MaxUploadBytes = 8 << 20

// Attachment is an uploaded document of a topic or an agenda item. The file
// lives in the FileStore under a random name; downloads go through a
// handler that checks the parent's visibility first.
type Attachment struct {
	ID           uint   `gorm:"primaryKey"`
	TopicID      *uint  `gorm:"index"`
	Topic        *Topic `gorm:"constraint:OnDelete:CASCADE"`
	AgendaItemID *uint  `gorm:"index"`
	StoredName   string `gorm:"size:64;not null;uniqueIndex"`
	FileName     string `gorm:"size:255;not null"`
	MIME         string `gorm:"size:128;not null"`
	Size         int64  `gorm:"not null"`
	UploaderID   uint   `gorm:"not null"`
	CreatedAt    time.Time
}

// AddAttachment records a stored file for a topic.
func (s *Store) AddAttachment(ctx context.Context, a *Attachment) error {
	return s.w(ctx).Create(a).Error
}

// Attachment loads one attachment with its topic (for the access check).
func (s *Store) Attachment(ctx context.Context, id uint) (*Attachment, error) {
	var a Attachment
	if err := s.r(ctx).Preload("Topic").First(&a, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &a, nil
}

// TopicAttachments lists a topic's files, oldest first.
func (s *Store) TopicAttachments(ctx context.Context, topicID uint) ([]Attachment, error) {
	var as []Attachment
	err := s.r(ctx).Where("topic_id = ?", topicID).Order("id").Find(&as).Error
	return as, err
}

// AttachmentsOfTopics lists the files of several topics, keyed by topic, for
// the agenda's document column.
func (s *Store) AttachmentsOfTopics(ctx context.Context, topicIDs []uint) (map[uint][]Attachment, error) {
	out := map[uint][]Attachment{}
	if len(topicIDs) == 0 {
		return out, nil
	}
	var as []Attachment
	if err := s.r(ctx).Where("topic_id IN ?", topicIDs).Order("id").Find(&as).Error; err != nil {
		return nil, err
	}
	for _, a := range as {
		out[*a.TopicID] = append(out[*a.TopicID], a)
	}
	return out, nil
}
