package models

import (
	"context"
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// migrationsTable records which migrations ran.
const migrationsTable = "schema_migrations"

// migrations is the schema history. A landed migration is never edited: a
// change is a new entry. Each migration creates tables from snapshot structs
// declared with it, so later changes to the live models cannot alter what an
// old migration does. GORM's migrator emits the right DDL for SQLite and
// PostgreSQL alike.
var migrations = []*gormigrate.Migration{
	{ID: "0001_foundation", Migrate: migrate0001, Rollback: func(tx *gorm.DB) error {
		return tx.Migrator().DropTable("audit_entries", "sessions", "login_states", "users", "organisations", "settings")
	}},
	{ID: "0002_people_memberships", Migrate: migrate0002, Rollback: func(tx *gorm.DB) error {
		return tx.Migrator().DropTable("memberships", "people")
	}},
	{ID: "0003_meetings", Migrate: migrate0003, Rollback: func(tx *gorm.DB) error {
		return tx.Migrator().DropTable("attendances", "registrations", "meetings", "series", "calendar_feeds")
	}},
	{ID: "0004_topics_agenda", Migrate: migrate0004, Rollback: func(tx *gorm.DB) error {
		return tx.Migrator().DropTable("attachments", "agenda_items", "comments", "topic_events", "co_signs", "topics")
	}},
	{ID: "0005_minutes_resolutions", Migrate: migrate0005, Rollback: func(tx *gorm.DB) error {
		return tx.Migrator().DropTable("minutes_comments", "minutes", "minute_notes", "resolution_counters", "resolutions")
	}},
	{ID: "0006_user_group_role", Migrate: func(tx *gorm.DB) error {
		type user struct {
			ID        uint
			GroupRole string `gorm:"size:16"`
		}
		return tx.Migrator().AddColumn(&user{}, "GroupRole")
	}, Rollback: func(tx *gorm.DB) error {
		type user struct{ GroupRole string }
		return tx.Migrator().DropColumn(&user{}, "GroupRole")
	}},
	{ID: "0007_profiles", Migrate: migrate0007, Rollback: func(tx *gorm.DB) error {
		return tx.Migrator().DropTable("profile_views", "profile_comments", "feedbacks", "profile_events", "profile_versions", "profiles")
	}},
}

func migrate0001(tx *gorm.DB) error {
	type setting struct {
		Key   string `gorm:"primaryKey;size:64"`
		Value string `gorm:"size:255"`
	}
	type organisation struct {
		ID            uint   `gorm:"primaryKey"`
		Name          string `gorm:"size:255;not null;uniqueIndex"`
		ShortName     string `gorm:"size:64"`
		Kind          string `gorm:"size:32;not null"`
		State         string `gorm:"size:64"`
		AGS           string `gorm:"size:12"`
		Website       string `gorm:"size:255"`
		RepresentedBy string `gorm:"size:255"`
		Seats         int    `gorm:"not null;default:1"`
		IsChair       bool   `gorm:"not null;default:false"`
		CreatedAt     time.Time
		UpdatedAt     time.Time
	}
	type user struct {
		ID            uint    `gorm:"primaryKey"`
		Issuer        *string `gorm:"size:255;uniqueIndex:idx_users_identity"`
		Subject       *string `gorm:"size:255;uniqueIndex:idx_users_identity"`
		Email         string  `gorm:"size:255;index"`
		EmailVerified bool
		Name          string `gorm:"size:255"`
		Role          string `gorm:"size:16;not null;default:reader"`
		Disabled      bool   `gorm:"not null;default:false"`
		LastLoginAt   *time.Time
		CreatedAt     time.Time
		UpdatedAt     time.Time
	}
	type session struct {
		ID         string `gorm:"primaryKey;size:64"`
		UserID     uint   `gorm:"not null;index"`
		User       user   `gorm:"constraint:OnDelete:CASCADE"`
		CSRFToken  string `gorm:"size:64;not null"`
		IDToken    string `gorm:"type:text"`
		IP         string `gorm:"size:64"`
		UserAgent  string `gorm:"size:255"`
		CreatedAt  time.Time
		LastSeenAt time.Time
		ExpiresAt  time.Time `gorm:"index"`
	}
	type loginState struct {
		ID        string `gorm:"primaryKey;size:64"`
		Nonce     string `gorm:"size:64;not null"`
		Verifier  string `gorm:"size:128;not null"`
		Next      string `gorm:"size:500"`
		CreatedAt time.Time
		ExpiresAt time.Time `gorm:"index"`
	}
	type auditEntry struct {
		ID           uint      `gorm:"primaryKey"`
		CreatedAt    time.Time `gorm:"index"`
		ActorID      *uint     `gorm:"index"`
		Actor        *user     `gorm:"foreignKey:ActorID"`
		TargetUserID *uint     `gorm:"index"`
		Target       *user     `gorm:"foreignKey:TargetUserID"`
		Action       string    `gorm:"size:32;not null"`
		Detail       string    `gorm:"size:500"`
		IP           string    `gorm:"size:64"`
	}
	// The struct names give the table names (user → users, …).
	return tx.Migrator().CreateTable(&setting{}, &organisation{}, &user{}, &session{}, &loginState{}, &auditEntry{})
}

func migrate0002(tx *gorm.DB) error {
	type user struct{ ID uint }
	type organisation struct{ ID uint }
	type person struct {
		ID        uint   `gorm:"primaryKey"`
		UserID    *uint  `gorm:"uniqueIndex"`
		User      *user  `gorm:"constraint:OnDelete:SET NULL"`
		Name      string `gorm:"size:255;not null"`
		Email     string `gorm:"size:255"`
		Phone     string `gorm:"size:64"`
		Position  string `gorm:"size:255"`
		ShowEmail bool   `gorm:"not null;default:false"`
		ShowPhone bool   `gorm:"not null;default:false"`
		CreatedAt time.Time
		UpdatedAt time.Time
	}
	type membership struct {
		ID             uint          `gorm:"primaryKey"`
		PersonID       uint          `gorm:"not null;index"`
		Person         *person       `gorm:"constraint:OnDelete:RESTRICT"`
		OrganisationID uint          `gorm:"not null;index"`
		Organisation   *organisation `gorm:"constraint:OnDelete:RESTRICT"`
		Role           string        `gorm:"size:16;not null"`
		Voting         bool          `gorm:"not null;default:false"`
		DeputyForID    *uint         `gorm:"index"`
		DeputyFor      *membership   `gorm:"foreignKey:DeputyForID"`
		StartDate      time.Time     `gorm:"not null"`
		EndDate        *time.Time
		EndReason      string `gorm:"size:255"`
		CreatedAt      time.Time
		UpdatedAt      time.Time
	}
	return tx.Migrator().CreateTable(&person{}, &membership{})
}

func migrate0003(tx *gorm.DB) error {
	type user struct{ ID uint }
	type person struct{ ID uint }
	type organisation struct{ ID uint }
	type series struct {
		ID        uint   `gorm:"primaryKey"`
		Title     string `gorm:"size:255;not null"`
		Weekday   int    `gorm:"not null"`
		Ordinal   int    `gorm:"not null"`
		StartTime string `gorm:"size:5;not null"`
		EndTime   string `gorm:"size:5;not null"`
		VideoURL  string `gorm:"size:500"`
		Year      int    `gorm:"not null"`
		CreatedAt time.Time
	}
	type meeting struct {
		ID             uint `gorm:"primaryKey"`
		Number         int  `gorm:"index"`
		Kind           string
		Title          string    `gorm:"size:255;not null"`
		StartsAt       time.Time `gorm:"not null;index"`
		EndsAt         time.Time `gorm:"not null"`
		VideoURL       string    `gorm:"size:500"`
		Location       string    `gorm:"size:255"`
		Address        string    `gorm:"size:500"`
		Description    string    `gorm:"type:text"`
		Status         string    `gorm:"size:24;not null;index"`
		CancelReason   string    `gorm:"size:500"`
		SeriesID       *uint     `gorm:"index"`
		Series         *series
		Sequence       int `gorm:"not null;default:0"`
		InvitedAt      *time.Time
		QuorumChecked  bool
		QuorumReached  bool
		QuorumPresent  int
		QuorumSeats    int
		QuorumRequired int
		QuorumAt       *time.Time
		CreatedAt      time.Time
		UpdatedAt      time.Time
	}
	type registration struct {
		ID           uint     `gorm:"primaryKey"`
		MeetingID    uint     `gorm:"not null;uniqueIndex:idx_registration"`
		Meeting      *meeting `gorm:"constraint:OnDelete:CASCADE"`
		PersonID     uint     `gorm:"not null;uniqueIndex:idx_registration"`
		Person       *person  `gorm:"constraint:OnDelete:CASCADE"`
		Answer       string   `gorm:"size:16;not null"`
		SubstituteID *uint
		Substitute   *person `gorm:"foreignKey:SubstituteID"`
		CreatedAt    time.Time
		UpdatedAt    time.Time
	}
	type attendance struct {
		ID              uint          `gorm:"primaryKey"`
		MeetingID       uint          `gorm:"not null;index"`
		Meeting         *meeting      `gorm:"constraint:OnDelete:CASCADE"`
		PersonID        uint          `gorm:"not null"`
		Person          *person       `gorm:"constraint:OnDelete:RESTRICT"`
		OrganisationID  *uint         `gorm:""`
		Organisation    *organisation `gorm:"constraint:OnDelete:RESTRICT"`
		Presence        string        `gorm:"size:16;not null"`
		Voting          bool
		RepresentedByID *uint
		RepresentedBy   *person `gorm:"foreignKey:RepresentedByID"`
		CreatedAt       time.Time
	}
	type calendarFeed struct {
		UserID    uint  `gorm:"primaryKey;autoIncrement:false"`
		User      *user `gorm:"constraint:OnDelete:CASCADE"`
		Version   int   `gorm:"not null"`
		Active    bool  `gorm:"not null"`
		CreatedAt time.Time
		UpdatedAt time.Time
	}
	return tx.Migrator().CreateTable(&series{}, &meeting{}, &registration{}, &attendance{}, &calendarFeed{})
}

func migrate0004(tx *gorm.DB) error {
	type user struct{ ID uint }
	type organisation struct{ ID uint }
	type meeting struct {
		ID                 uint `gorm:"primaryKey"`
		SubmissionDeadline *time.Time
		AgendaPublishedAt  *time.Time
		AgendaChangedAt    *time.Time
	}
	for _, col := range []string{"SubmissionDeadline", "AgendaPublishedAt", "AgendaChangedAt"} {
		if err := tx.Migrator().AddColumn(&meeting{}, col); err != nil {
			return err
		}
	}
	type topic struct {
		ID               uint          `gorm:"primaryKey"`
		Title            string        `gorm:"size:255;not null"`
		Description      string        `gorm:"type:text"`
		OrganisationID   uint          `gorm:"not null;index"`
		Organisation     *organisation `gorm:"constraint:OnDelete:RESTRICT"`
		SubmitterID      uint          `gorm:"not null;index"`
		Submitter        *user         `gorm:"constraint:OnDelete:RESTRICT"`
		Kind             string        `gorm:"size:16;not null"`
		Urgency          string        `gorm:"size:16;not null"`
		DesiredMeetingID *uint
		DesiredMeeting   *meeting `gorm:"foreignKey:DesiredMeetingID"`
		Rapporteur       string   `gorm:"size:255"`
		Tags             string   `gorm:"size:500"`
		Visibility       string   `gorm:"size:16"`
		Status           string   `gorm:"size:24;not null;index"`
		MeetingID        *uint    `gorm:"index"`
		Meeting          *meeting `gorm:"foreignKey:MeetingID"`
		ResubmitOn       *time.Time
		Reason           string `gorm:"size:1000"`
		MergedIntoID     *uint
		MergedInto       *topic `gorm:"foreignKey:MergedIntoID"`
		CreatedAt        time.Time
		UpdatedAt        time.Time
	}
	type coSign struct {
		ID             uint          `gorm:"primaryKey"`
		TopicID        uint          `gorm:"not null;uniqueIndex:idx_cosign"`
		Topic          *topic        `gorm:"constraint:OnDelete:CASCADE"`
		OrganisationID uint          `gorm:"not null;uniqueIndex:idx_cosign"`
		Organisation   *organisation `gorm:"constraint:OnDelete:RESTRICT"`
		UserID         uint          `gorm:"not null"`
		User           *user         `gorm:"constraint:OnDelete:RESTRICT"`
		CreatedAt      time.Time
	}
	type topicEvent struct {
		ID        uint   `gorm:"primaryKey"`
		TopicID   uint   `gorm:"not null;index"`
		Topic     *topic `gorm:"constraint:OnDelete:CASCADE"`
		ActorID   uint   `gorm:"not null"`
		Actor     *user  `gorm:"constraint:OnDelete:RESTRICT"`
		Action    string `gorm:"size:32;not null"`
		Detail    string `gorm:"size:1000"`
		CreatedAt time.Time
	}
	type comment struct {
		ID        uint     `gorm:"primaryKey"`
		TopicID   uint     `gorm:"not null;index"`
		Topic     *topic   `gorm:"constraint:OnDelete:CASCADE"`
		ParentID  *uint    `gorm:"index"`
		Parent    *comment `gorm:"foreignKey:ParentID"`
		AuthorID  uint     `gorm:"not null"`
		Author    *user    `gorm:"constraint:OnDelete:RESTRICT"`
		Body      string   `gorm:"type:text"`
		EditedAt  *time.Time
		DeletedAt *time.Time
		CreatedAt time.Time
	}
	type agendaItem struct {
		ID              uint          `gorm:"primaryKey"`
		MeetingID       uint          `gorm:"not null;index"`
		Meeting         *meeting      `gorm:"constraint:OnDelete:CASCADE"`
		TopicID         *uint         `gorm:"index"`
		Topic           *topic        `gorm:"constraint:OnDelete:SET NULL"`
		Category        string        `gorm:"size:4;not null"`
		Position        int           `gorm:"not null"`
		Title           string        `gorm:"size:255;not null"`
		RapporteurOrgID *uint         `gorm:""`
		RapporteurOrg   *organisation `gorm:"foreignKey:RapporteurOrgID"`
		RapporteurName  string        `gorm:"size:255"`
		Outcome         string        `gorm:"size:16;not null"`
		DurationMin     int
		Public          bool
		CarriedFromID   *uint
		ChangedAt       *time.Time
		CreatedAt       time.Time
		UpdatedAt       time.Time
	}
	type attachment struct {
		ID           uint        `gorm:"primaryKey"`
		TopicID      *uint       `gorm:"index"`
		Topic        *topic      `gorm:"constraint:OnDelete:CASCADE"`
		AgendaItemID *uint       `gorm:"index"`
		AgendaItem   *agendaItem `gorm:"constraint:OnDelete:CASCADE"`
		StoredName   string      `gorm:"size:64;not null;uniqueIndex"`
		FileName     string      `gorm:"size:255;not null"`
		MIME         string      `gorm:"size:128;not null"`
		Size         int64       `gorm:"not null"`
		UploaderID   uint        `gorm:"not null"`
		CreatedAt    time.Time
	}
	return tx.Migrator().CreateTable(&topic{}, &coSign{}, &topicEvent{}, &comment{}, &agendaItem{}, &attachment{})
}

func migrate0005(tx *gorm.DB) error {
	type user struct{ ID uint }
	type organisation struct{ ID uint }
	type meeting struct{ ID uint }
	type agendaItem struct {
		ID         uint   `gorm:"primaryKey"`
		Discussion string `gorm:"type:text"`
		Result     string `gorm:"size:16"`
	}
	for _, col := range []string{"Discussion", "Result"} {
		if err := tx.Migrator().AddColumn(&agendaItem{}, col); err != nil {
			return err
		}
	}
	type resolution struct {
		ID           uint        `gorm:"primaryKey"`
		Year         int         `gorm:"not null;uniqueIndex:idx_resolution_number"`
		Seq          int         `gorm:"not null;uniqueIndex:idx_resolution_number"`
		MeetingID    uint        `gorm:"not null;index"`
		Meeting      *meeting    `gorm:"constraint:OnDelete:RESTRICT"`
		AgendaItemID uint        `gorm:"not null;index"`
		AgendaItem   *agendaItem `gorm:"constraint:OnDelete:RESTRICT"`
		Text         string      `gorm:"type:text;not null"`
		VotesYes     int         `gorm:"not null"`
		VotesNo      int         `gorm:"not null"`
		VotesAbstain int         `gorm:"not null"`
		Unanimous    bool        `gorm:"not null"`
		Adopted      bool        `gorm:"not null"`
		Public       bool        `gorm:"not null"`
		FollowUp     string      `gorm:"size:16;not null"`
		FollowUpNote string      `gorm:"size:1000"`
		CreatedAt    time.Time
		UpdatedAt    time.Time
	}
	type resolutionCounter struct {
		Year int `gorm:"primaryKey;autoIncrement:false"`
		Last int `gorm:"not null"`
	}
	type minuteNote struct {
		ID             uint          `gorm:"primaryKey"`
		MeetingID      uint          `gorm:"not null;index"`
		Meeting        *meeting      `gorm:"constraint:OnDelete:RESTRICT"`
		AgendaItemID   uint          `gorm:"not null;index"`
		AgendaItem     *agendaItem   `gorm:"constraint:OnDelete:RESTRICT"`
		ResolutionID   *uint         `gorm:"index"`
		Resolution     *resolution   `gorm:"constraint:OnDelete:RESTRICT"`
		OrganisationID uint          `gorm:"not null"`
		Organisation   *organisation `gorm:"constraint:OnDelete:RESTRICT"`
		Text           string        `gorm:"type:text;not null"`
		CreatedAt      time.Time
	}
	type minutes struct {
		ID           uint     `gorm:"primaryKey"`
		MeetingID    uint     `gorm:"not null;index"`
		Meeting      *meeting `gorm:"constraint:OnDelete:RESTRICT"`
		Status       string   `gorm:"size:16;not null"`
		ApprovedByID *uint
		ApprovedBy   *resolution `gorm:"foreignKey:ApprovedByID"`
		ApprovedAt   *time.Time
		CorrectsID   *uint
		Corrects     *minutes `gorm:"foreignKey:CorrectsID"`
		Text         string   `gorm:"type:text"`
		CreatedAt    time.Time
		UpdatedAt    time.Time
	}
	type minutesComment struct {
		ID        uint     `gorm:"primaryKey"`
		MinutesID uint     `gorm:"not null;index"`
		Minutes   *minutes `gorm:"constraint:OnDelete:CASCADE"`
		AuthorID  uint     `gorm:"not null"`
		Author    *user    `gorm:"constraint:OnDelete:RESTRICT"`
		Body      string   `gorm:"type:text;not null"`
		CreatedAt time.Time
	}
	if err := tx.Table("resolution_counters").Migrator().CreateTable(&resolutionCounter{}); err != nil {
		return err
	}
	return tx.Migrator().CreateTable(&resolution{}, &minuteNote{}, &minutes{}, &minutesComment{})
}

func migrate0007(tx *gorm.DB) error {
	type user struct{ ID uint }
	type resolution struct{ ID uint }
	type profile struct {
		ID                 uint   `gorm:"primaryKey"`
		Reference          string `gorm:"size:32;not null;uniqueIndex"`
		Status             string `gorm:"size:16;not null;index"`
		Version            int    `gorm:"not null"`
		PublishedFrom      int    `gorm:"not null;default:0"`
		PublicConsultation bool
		ConsultationEnds   *time.Time
		ResolutionID       *uint
		Resolution         *resolution `gorm:"constraint:OnDelete:RESTRICT"`
		SubmittedOn        *time.Time
		AnswerNumber       string `gorm:"size:64"`
		AnswerText         string `gorm:"type:text"`
		AnswerOn           *time.Time
		CreatedAt          time.Time
		UpdatedAt          time.Time
	}
	type profileVersion struct {
		ID           uint     `gorm:"primaryKey"`
		ProfileID    uint     `gorm:"not null;uniqueIndex:idx_profile_version"`
		Profile      *profile `gorm:"constraint:OnDelete:CASCADE"`
		Number       int      `gorm:"not null;uniqueIndex:idx_profile_version"`
		Title        string   `gorm:"size:255;not null"`
		AddressedTo  string   `gorm:"size:255;not null"`
		Summary      string   `gorm:"type:text"`
		Problem      string   `gorm:"type:text"`
		Goals        string   `gorm:"type:text"`
		Tags         string   `gorm:"size:500"`
		Origins      string   `gorm:"size:500"`
		Requirements string   `gorm:"type:text;not null"`
		AuthorID     uint     `gorm:"not null"`
		Author       *user    `gorm:"constraint:OnDelete:RESTRICT"`
		CreatedAt    time.Time
	}
	type profileEvent struct {
		ID        uint     `gorm:"primaryKey"`
		ProfileID uint     `gorm:"not null;index"`
		Profile   *profile `gorm:"constraint:OnDelete:CASCADE"`
		ActorID   uint     `gorm:"not null"`
		Actor     *user    `gorm:"constraint:OnDelete:RESTRICT"`
		Action    string   `gorm:"size:32;not null"`
		Detail    string   `gorm:"size:1000"`
		CreatedAt time.Time
	}
	type feedback struct {
		ID             uint     `gorm:"primaryKey"`
		ProfileID      uint     `gorm:"not null;uniqueIndex:idx_feedback"`
		Profile        *profile `gorm:"constraint:OnDelete:CASCADE"`
		RequirementKey string   `gorm:"size:16;not null;uniqueIndex:idx_feedback"`
		UserID         uint     `gorm:"not null;uniqueIndex:idx_feedback"`
		User           *user    `gorm:"constraint:OnDelete:RESTRICT"`
		Municipality   string   `gorm:"size:255;not null"`
		AGS            string   `gorm:"size:12"`
		Kind           string   `gorm:"size:16;not null"`
		Text           string   `gorm:"type:text"`
		CreatedAt      time.Time
		UpdatedAt      time.Time
	}
	type profileComment struct {
		ID             uint     `gorm:"primaryKey"`
		ProfileID      uint     `gorm:"not null;index"`
		Profile        *profile `gorm:"constraint:OnDelete:CASCADE"`
		RequirementKey string   `gorm:"size:16;not null"`
		AuthorID       uint     `gorm:"not null"`
		Author         *user    `gorm:"constraint:OnDelete:RESTRICT"`
		Body           string   `gorm:"type:text;not null"`
		CreatedAt      time.Time
	}
	type profileView struct {
		ID        uint     `gorm:"primaryKey"`
		UserID    uint     `gorm:"not null;uniqueIndex:idx_profile_view"`
		User      *user    `gorm:"constraint:OnDelete:CASCADE"`
		ProfileID uint     `gorm:"not null;uniqueIndex:idx_profile_view"`
		Profile   *profile `gorm:"constraint:OnDelete:CASCADE"`
		Version   int      `gorm:"not null"`
	}
	return tx.Migrator().CreateTable(&profile{}, &profileVersion{}, &profileEvent{}, &feedback{}, &profileComment{}, &profileView{})
}

func newMigrator(db *gorm.DB) *gormigrate.Gormigrate {
	return gormigrate.New(db, &gormigrate.Options{TableName: migrationsTable, IDColumnName: "id",
		IDColumnSize: 255, UseTransaction: true, ValidateUnknownMigrations: true}, migrations)
}

// Migrate brings the schema to head. It runs at start and from `kog migrate`.
func (s *Store) Migrate(ctx context.Context) error { return newMigrator(s.w(ctx)).Migrate() }

// MigrationsCurrent reports whether every known migration has run (readyz).
func (s *Store) MigrationsCurrent(ctx context.Context) (bool, error) {
	ids := make([]string, len(migrations))
	for i, m := range migrations {
		ids[i] = m.ID
	}
	var n int64
	err := s.r(ctx).Table(migrationsTable).Where("id IN ?", ids).Count(&n).Error
	return n == int64(len(ids)), err
}
