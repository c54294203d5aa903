package models

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

// MeetingKind is how the committee meets.
type MeetingKind string

// The two kinds of meeting.
const (
	MeetingVideo    MeetingKind = "video"
	MeetingInPerson MeetingKind = "praesenz"
)

// Label is the kind in German.
func (k MeetingKind) Label() string {
	if k == MeetingInPerson {
		return "Präsenzsitzung"
	}
	return "Videokonferenz"
}

// MeetingStatus is a meeting's place in its lifecycle.
type MeetingStatus string

// The lifecycle: geplant → eingeladen → durchgeführt → Protokoll genehmigt;
// abgesagt at any point before the meeting is held.
const (
	StatusPlanned   MeetingStatus = "geplant"
	StatusInvited   MeetingStatus = "eingeladen"
	StatusHeld      MeetingStatus = "durchgefuehrt"
	StatusApproved  MeetingStatus = "protokoll_genehmigt"
	StatusCancelled MeetingStatus = "abgesagt"
)

// Label is the status in German.
func (s MeetingStatus) Label() string {
	switch s {
	case StatusPlanned:
		return "geplant"
	case StatusInvited:
		return "eingeladen"
	case StatusHeld:
		return "durchgeführt"
	case StatusApproved:
		return "Protokoll genehmigt"
	case StatusCancelled:
		return "abgesagt"
	}
	return string(s)
}

// nextStatus lists the allowed moves; cancelling is handled on its own.
var nextStatus = map[MeetingStatus][]MeetingStatus{
	StatusPlanned: {StatusInvited},
	StatusInvited: {StatusHeld},
	// durchgeführt → Protokoll genehmigt only through ApproveMinutes.
}

// Meeting is one session of the committee. Times are stored in UTC and
// shown in Europe/Berlin. Sequence rises with every change a calendar
// client must pick up (RFC 5545 SEQUENCE).
type Meeting struct {
	ID           uint `gorm:"primaryKey"`
	Number       int  `gorm:"index"` // running number, assigned at invitation
	Kind         MeetingKind
	Title        string        `gorm:"size:255;not null"`
	StartsAt     time.Time     `gorm:"not null;index"`
	EndsAt       time.Time     `gorm:"not null"`
	VideoURL     string        `gorm:"size:500"` // members and chair only
	Location     string        `gorm:"size:255"`
	Address      string        `gorm:"size:500"`
	Description  string        `gorm:"type:text"`
	Status       MeetingStatus `gorm:"size:24;not null;index"`
	CancelReason string        `gorm:"size:500"`
	SeriesID     *uint         `gorm:"index"`
	Series       *Series
	Sequence     int `gorm:"not null;default:0"`
	InvitedAt    *time.Time
	// SubmissionDeadline overrides the default topic deadline (DeadlineDays
	// before the start).
	SubmissionDeadline *time.Time
	AgendaPublishedAt  *time.Time
	AgendaChangedAt    *time.Time // last change after publication
	// Quorum snapshot, taken when the chair records attendance.
	QuorumChecked  bool
	QuorumReached  bool
	QuorumPresent  int
	QuorumSeats    int
	QuorumRequired int
	QuorumAt       *time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Cancelled reports whether the meeting was called off.
func (m *Meeting) Cancelled() bool { return m.Status == StatusCancelled }

// Upcoming reports whether the meeting has not ended at now.
func (m *Meeting) Upcoming(now time.Time) bool { return m.EndsAt.After(now) }

// Display is the heading of a meeting: "12. Sitzung – Videokonferenz".
func (m *Meeting) Display() string {
	if m.Number > 0 {
		return strconv.Itoa(m.Number) + ". Sitzung – " + m.Title
	}
	return m.Title
}

// MeetingInput is what the meeting editor sends.
type MeetingInput struct {
	Kind        MeetingKind
	Title       string
	Date        string // 2006-01-02, Berlin
	Start, End  string // 15:04, Berlin
	VideoURL    string
	Location    string
	Address     string
	Description string
	// Deadline is the topic submission deadline (2006-01-02, end of that day
	// in Berlin); empty means DeadlineDays before the meeting.
	Deadline string
}

// BerlinTime combines a date and a wall-clock time in Europe/Berlin.
func BerlinTime(date, clock string) (time.Time, error) {
	return time.ParseInLocation("2006-01-02 15:04", strings.TrimSpace(date)+" "+strings.TrimSpace(clock), berlin)
}

// apply validates in and writes it to m.
func (in MeetingInput) apply(m *Meeting) error {
	v := &ValidationError{}
	if in.Kind != MeetingVideo && in.Kind != MeetingInPerson {
		v.Add("kind", "Bitte wählen Sie Videokonferenz oder Präsenzsitzung.")
	}
	in.Title = strings.TrimSpace(in.Title)
	if in.Title == "" {
		v.Add("title", "Bitte geben Sie einen Titel an.")
	}
	start, err1 := BerlinTime(in.Date, in.Start)
	end, err2 := BerlinTime(in.Date, in.End)
	switch {
	case err1 != nil:
		v.Add("date", "Bitte geben Sie Datum und Beginn an.")
	case err2 != nil:
		v.Add("end", "Bitte geben Sie das Ende als Uhrzeit an.")
	case !end.After(start):
		v.Add("end", "Das Ende muss nach dem Beginn liegen.")
	}
	if in.VideoURL != "" {
		if u, err := url.Parse(strings.TrimSpace(in.VideoURL)); err != nil || u.Scheme != "https" || u.Host == "" {
			v.Add("video_url", "Der Videolink muss eine https-Adresse sein, z. B. https://meet.example/kog.")
		}
	}
	v.MaxLen("title", in.Title, 255).MaxLen("location", in.Location, 255).MaxLen("address", in.Address, 500).MaxLen("video_url", in.VideoURL, 500)
	if in.Kind == MeetingVideo && strings.TrimSpace(in.VideoURL) == "" {
		v.Add("video_url", "Eine Videokonferenz braucht einen Videolink.")
	}
	if in.Kind == MeetingInPerson && strings.TrimSpace(in.Location) == "" {
		v.Add("location", "Eine Präsenzsitzung braucht einen Ort.")
	}
	var deadline *time.Time
	if d := strings.TrimSpace(in.Deadline); d != "" {
		t, err := BerlinTime(d, "23:59")
		if err != nil {
			v.Add("deadline", "Bitte geben Sie die Anmeldefrist als Datum an.")
		} else if err1 == nil && !t.Before(start) {
			v.Add("deadline", "Die Anmeldefrist muss vor der Sitzung enden.")
		} else {
			utc := t.UTC()
			deadline = &utc
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	m.Kind, m.Title, m.StartsAt, m.EndsAt = in.Kind, in.Title, start.UTC(), end.UTC()
	m.VideoURL, m.Location = strings.TrimSpace(in.VideoURL), strings.TrimSpace(in.Location)
	m.Address, m.Description = strings.TrimSpace(in.Address), strings.TrimSpace(in.Description)
	m.SubmissionDeadline = deadline
	return nil
}

// CreateMeeting adds a single meeting (typically an in-person one).
func (s *Store) CreateMeeting(ctx context.Context, in MeetingInput) (*Meeting, error) {
	m := &Meeting{Status: StatusPlanned}
	if err := in.apply(m); err != nil {
		return nil, err
	}
	return m, s.w(ctx).Create(m).Error
}

// UpdateMeeting changes time, place or text. A held, approved or cancelled
// meeting is no longer edited. Calendar clients see the change through the
// raised sequence.
func (s *Store) UpdateMeeting(ctx context.Context, id uint, in MeetingInput) (*Meeting, error) {
	var m Meeting
	err := s.w(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.First(&m, id).Error; err != nil {
			return notFound(err)
		}
		if m.Status != StatusPlanned && m.Status != StatusInvited {
			return (&ValidationError{}).Add("status", "Die Sitzung ist „"+m.Status.Label()+"“ und kann nicht mehr geändert werden.")
		}
		if err := in.apply(&m); err != nil {
			return err
		}
		m.Sequence++
		return tx.Save(&m).Error
	})
	return &m, err
}

// SetMeetingStatus moves a meeting along its lifecycle. Invitation assigns
// the running number; "held" is possible only once the meeting has begun.
func (s *Store) SetMeetingStatus(ctx context.Context, id uint, to MeetingStatus, now time.Time) error {
	return s.w(ctx).Transaction(func(tx *gorm.DB) error {
		var m Meeting
		if err := tx.First(&m, id).Error; err != nil {
			return notFound(err)
		}
		allowed := false
		for _, n := range nextStatus[m.Status] {
			allowed = allowed || n == to
		}
		if !allowed {
			return (&ValidationError{}).Add("status", "Von „"+m.Status.Label()+"“ geht es nicht zu „"+to.Label()+"“.")
		}
		if to == StatusHeld && now.Before(m.StartsAt) {
			return (&ValidationError{}).Add("status", "Eine Sitzung gilt erst ab ihrem Beginn als durchgeführt.")
		}
		updates := map[string]any{"status": to, "sequence": m.Sequence + 1}
		if to == StatusInvited {
			var max int
			if err := tx.Model(&Meeting{}).Select("COALESCE(MAX(number), 0)").Scan(&max).Error; err != nil {
				return err
			}
			updates["number"], updates["invited_at"] = max+1, now
		}
		return tx.Model(&m).Updates(updates).Error
	})
}

// CancelMeeting calls a meeting off before it is held; the reason is shown
// to everyone who sees the meeting and calendars mark it CANCELLED.
func (s *Store) CancelMeeting(ctx context.Context, id uint, reason string, now time.Time) error {
	reason = strings.TrimSpace(reason)
	return s.w(ctx).Transaction(func(tx *gorm.DB) error {
		var m Meeting
		if err := tx.First(&m, id).Error; err != nil {
			return notFound(err)
		}
		v := &ValidationError{}
		if m.Status != StatusPlanned && m.Status != StatusInvited {
			v.Add("status", "Nur geplante oder eingeladene Sitzungen können abgesagt werden.")
		} else if !now.Before(m.StartsAt) {
			v.Add("status", "Eine begonnene Sitzung kann nicht mehr abgesagt werden.")
		}
		if reason == "" {
			v.Add("reason", "Bitte nennen Sie den Grund der Absage.")
		}
		if err := v.Err(); err != nil {
			return err
		}
		return tx.Model(&m).Updates(map[string]any{"status": StatusCancelled, "cancel_reason": truncate(reason, 500), "sequence": m.Sequence + 1}).Error
	})
}

// Meeting loads one meeting.
func (s *Store) Meeting(ctx context.Context, id uint) (*Meeting, error) {
	var m Meeting
	if err := s.r(ctx).Preload("Series").First(&m, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &m, nil
}

// MeetingPage lists meetings after (upcoming=true) or before now, paginated.
func (s *Store) Meetings(ctx context.Context, now time.Time, upcoming bool, limit, offset int) ([]Meeting, int64, error) {
	now = now.UTC() // SQLite compares stored times as text: keep one offset
	q := s.r(ctx).Model(&Meeting{})
	order := "starts_at ASC"
	if upcoming {
		q = q.Where("ends_at > ?", now)
	} else {
		q, order = q.Where("ends_at <= ?", now), "starts_at DESC"
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var ms []Meeting
	err := q.Order(order).Limit(limit).Offset(offset).Find(&ms).Error
	return ms, total, err
}

// AllMeetings lists every meeting by start (calendar feeds).
func (s *Store) AllMeetings(ctx context.Context) ([]Meeting, error) {
	var ms []Meeting
	err := s.r(ctx).Order("starts_at").Find(&ms).Error
	return ms, err
}

// NextMeeting is the next meeting that is not cancelled and has not ended.
func (s *Store) NextMeeting(ctx context.Context, now time.Time) (*Meeting, error) {
	var m Meeting
	err := s.r(ctx).Where("ends_at > ? AND status <> ?", now.UTC(), StatusCancelled).Order("starts_at").First(&m).Error
	if err != nil {
		return nil, notFound(err)
	}
	return &m, nil
}
