package models

import (
	"context"
	"errors"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Setting is a small key/value record for facts about the installation,
// such as whether the demo data was seeded.
type Setting struct {
	Key   string `gorm:"primaryKey;size:64"`
	Value string `gorm:"size:255"`
}

// Setting returns a value, or "" when it was never set.
func (s *Store) Setting(ctx context.Context, key string) (string, error) {
	var st Setting
	err := s.r(ctx).Where("key = ?", key).First(&st).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return "", nil
	}
	return st.Value, err
}

func setSetting(tx *gorm.DB, key, value string) error {
	return tx.Clauses(clause.OnConflict{UpdateAll: true}).Create(&Setting{Key: key, Value: value}).Error
}
