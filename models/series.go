package models

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Series is a recurring video conference, e.g. "every 2nd Wednesday,
// 10:00–11:30". It creates its meetings once; each meeting is then its own
// record, so one date can move or be cancelled without touching the rest.
type Series struct {
	ID        uint   `gorm:"primaryKey"`
	Title     string `gorm:"size:255;not null"`
	Weekday   int    `gorm:"not null"` // 0 Sunday … 6 Saturday
	Ordinal   int    `gorm:"not null"` // 1–4, or -1 for the last in the month
	StartTime string `gorm:"size:5;not null"`
	EndTime   string `gorm:"size:5;not null"`
	VideoURL  string `gorm:"size:500"`
	Year      int    `gorm:"not null"`
	CreatedAt time.Time
}

// Weekdays are the German names, index = time.Weekday.
var Weekdays = []string{"Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"}

// Describe is the rule in German: "jeden 2. Mittwoch im Monat, 10:00–11:30 Uhr".
func (s *Series) Describe() string {
	ord := map[int]string{1: "1.", 2: "2.", 3: "3.", 4: "4.", -1: "letzten"}[s.Ordinal]
	return "jeden " + ord + " " + Weekdays[s.Weekday] + " im Monat, " + s.StartTime + "–" + s.EndTime + " Uhr"
}

// NthWeekday is the date of the ordinal weekday in a month (ordinal -1:
// the last), or false when the month has no such day (a 5th never asked).
func NthWeekday(year int, month time.Month, wd time.Weekday, ordinal int) (time.Time, bool) {
	if ordinal == -1 {
		last := time.Date(year, month+1, 0, 0, 0, 0, 0, time.UTC)
		back := (int(last.Weekday()) - int(wd) + 7) % 7
		return last.AddDate(0, 0, -back), true
	}
	first := time.Date(year, month, 1, 0, 0, 0, 0, time.UTC)
	fwd := (int(wd) - int(first.Weekday()) + 7) % 7
	d := first.AddDate(0, 0, fwd+7*(ordinal-1))
	return d, d.Month() == month
}

// SeriesInput is what the series editor sends.
type SeriesInput struct {
	Title              string
	Weekday, Ordinal   int
	StartTime, EndTime string
	VideoURL           string
	Year               int
	// From skips dates before it (a series started in June begins in June).
	From time.Time
}

// CreateSeries stores the rule and creates its meetings for the year, each
// at the wall-clock time in Berlin, so a DST change keeps "10:00" at 10:00.
func (s *Store) CreateSeries(ctx context.Context, in SeriesInput) (*Series, []Meeting, error) {
	in.Title = strings.TrimSpace(in.Title)
	v := &ValidationError{}
	if in.Title == "" {
		v.Add("title", "Bitte geben Sie einen Titel an, z. B. „Monatliche Videokonferenz“.")
	}
	if in.Weekday < 0 || in.Weekday > 6 {
		v.Add("weekday", "Bitte wählen Sie einen Wochentag.")
	}
	if in.Ordinal != -1 && (in.Ordinal < 1 || in.Ordinal > 4) {
		v.Add("ordinal", "Bitte wählen Sie den 1. bis 4. oder den letzten Wochentag im Monat.")
	}
	if in.Year < 2020 || in.Year > 2100 {
		v.Add("year", "Bitte geben Sie ein Jahr zwischen 2020 und 2100 an.")
	}
	if err := v.Err(); err != nil {
		return nil, nil, err
	}
	series := &Series{Title: in.Title, Weekday: in.Weekday, Ordinal: in.Ordinal, StartTime: in.StartTime,
		EndTime: in.EndTime, VideoURL: strings.TrimSpace(in.VideoURL), Year: in.Year}
	var meetings []Meeting
	err := s.w(ctx).Transaction(func(tx *gorm.DB) error {
		for month := time.January; month <= time.December; month++ {
			d, ok := NthWeekday(in.Year, month, time.Weekday(in.Weekday), in.Ordinal)
			if !ok || d.Before(Day(in.From)) {
				continue
			}
			m := Meeting{Status: StatusPlanned}
			mi := MeetingInput{Kind: MeetingVideo, Title: in.Title, Date: d.Format("2006-01-02"),
				Start: in.StartTime, End: in.EndTime, VideoURL: in.VideoURL}
			if err := mi.apply(&m); err != nil {
				return err
			}
			meetings = append(meetings, m)
		}
		if len(meetings) == 0 {
			return (&ValidationError{}).Add("year", "In diesem Zeitraum liegt kein Termin.")
		}
		if err := tx.Create(series).Error; err != nil {
			return err
		}
		for i := range meetings {
			meetings[i].SeriesID = &series.ID
		}
		return tx.Create(&meetings).Error
	})
	if err != nil {
		return nil, nil, err
	}
	return series, meetings, nil
}
