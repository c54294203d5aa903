package models

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"
)

// AgendaCategory is a section of the agenda in the IT-PLR's structure.
type AgendaCategory struct{ Code, Name string }

// AgendaCategories is the list of sections, in order. The IT-PLR uses A
// (Einführung), B (Schwerpunktthemen) and H (Verschiedenes); an operator
// who needs more adds them here.
var AgendaCategories = []AgendaCategory{{"A", "Einführung"}, {"B", "Schwerpunktthemen"}, {"H", "Verschiedenes"}}

func categoryIndex(code string) int {
	for i, c := range AgendaCategories {
		if c.Code == code {
			return i
		}
	}
	return -1
}

// AgendaItem is a TOP of a meeting, from an accepted topic or free.
type AgendaItem struct {
	ID              uint          `gorm:"primaryKey"`
	MeetingID       uint          `gorm:"not null;index"`
	Meeting         *Meeting      `gorm:"constraint:OnDelete:CASCADE"`
	TopicID         *uint         `gorm:"index"`
	Topic           *Topic        `gorm:"constraint:OnDelete:SET NULL"`
	Category        string        `gorm:"size:4;not null"`
	Position        int           `gorm:"not null"`
	Title           string        `gorm:"size:255;not null"`
	RapporteurOrgID *uint         // BE: the organisation reporting
	RapporteurOrg   *Organisation `gorm:"foreignKey:RapporteurOrgID"`
	RapporteurName  string        `gorm:"size:255"`
	Outcome         TopicKind     `gorm:"size:16;not null"`
	DurationMin     int
	Public          bool
	CarriedFromID   *uint
	ChangedAt       *time.Time // set by changes after the agenda was published
	// Minutes of the TOP: discussion summary (Markdown) and result.
	Discussion string     `gorm:"type:text"`
	Result     ItemResult `gorm:"size:16"`
	// Number is "01", "02" … through the whole agenda; filled by Agenda.
	Number    string `gorm:"-"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

// CategoryName is "Kategorie B [Schwerpunktthemen]".
func (a *AgendaItem) CategoryName() string {
	if i := categoryIndex(a.Category); i >= 0 {
		return "Kategorie " + a.Category + " [" + AgendaCategories[i].Name + "]"
	}
	return "Kategorie " + a.Category
}

// Rapporteur is the BE column: organisation short name and person.
func (a *AgendaItem) Rapporteur() string {
	var parts []string
	if a.RapporteurOrg != nil {
		name := a.RapporteurOrg.ShortName
		if name == "" {
			name = a.RapporteurOrg.Name
		}
		parts = append(parts, name)
	}
	if a.RapporteurName != "" {
		parts = append(parts, a.RapporteurName)
	}
	return strings.Join(parts, ", ")
}

// AgendaItemInput is the agenda builder's form.
type AgendaItemInput struct {
	TopicID         *uint
	Category        string
	Title           string
	RapporteurOrgID *uint
	RapporteurName  string
	Outcome         TopicKind
	DurationMin     int
	Public          bool
}

func (in *AgendaItemInput) validate() error {
	in.Title = strings.TrimSpace(in.Title)
	v := &ValidationError{}
	if categoryIndex(in.Category) < 0 {
		v.Add("category", "Bitte wählen Sie eine Kategorie.")
	}
	v.MaxLen("title", in.Title, 255).MaxLen("rapporteur_name", in.RapporteurName, 255)
	if in.Title == "" && in.TopicID == nil {
		v.Add("title", "Bitte geben Sie dem Tagesordnungspunkt einen Titel oder wählen Sie ein Thema.")
	}
	switch in.Outcome {
	case KindInformation, KindAdvice, KindDecision:
	default:
		v.Add("outcome", "Bitte wählen Sie das erwartete Ergebnis.")
	}
	if in.DurationMin < 0 || in.DurationMin > 480 {
		v.Add("duration", "Die Dauer liegt zwischen 0 und 480 Minuten.")
	}
	return v.Err()
}

// nextPosition is the position after the last TOP of a category.
func nextPosition(tx *gorm.DB, meetingID uint, category string) (int, error) {
	var maxPos int
	err := tx.Model(&AgendaItem{}).Where("meeting_id = ? AND category = ?", meetingID, category).
		Select("COALESCE(MAX(position), 0)").Scan(&maxPos).Error
	return maxPos + 1, err
}

// checkRapporteur refuses an organisation that does not exist.
func checkRapporteur(tx *gorm.DB, id *uint) error {
	if id == nil {
		return nil
	}
	var n int64
	if err := tx.Model(&Organisation{}).Where("id = ?", *id).Count(&n).Error; err != nil {
		return err
	}
	if n == 0 {
		return (&ValidationError{}).Add("rapporteur_org_id", "Bitte wählen Sie eine Organisation aus der Liste.")
	}
	return nil
}

// editableAgenda loads the meeting and refuses agendas of meetings that are
// held, approved or cancelled.
func editableAgenda(tx *gorm.DB, meetingID uint) (*Meeting, error) {
	var m Meeting
	if err := tx.First(&m, meetingID).Error; err != nil {
		return nil, notFound(err)
	}
	if m.Status != StatusPlanned && m.Status != StatusInvited {
		return nil, (&ValidationError{}).Add("agenda", "Die Tagesordnung einer Sitzung im Status „"+m.Status.Label()+"“ ist abgeschlossen.")
	}
	return &m, nil
}

// markChanged records a change after publication on item and meeting.
func markChanged(tx *gorm.DB, m *Meeting, item *AgendaItem, now time.Time) error {
	if m.AgendaPublishedAt == nil {
		return nil
	}
	if item != nil && item.ID != 0 {
		if err := tx.Model(item).Update("changed_at", now).Error; err != nil {
			return err
		}
	}
	return tx.Model(m).Updates(map[string]any{"agenda_changed_at": now, "sequence": m.Sequence + 1}).Error
}

// AddAgendaItem appends a TOP to its category. A TOP from a topic needs the
// topic to be accepted for this meeting and takes its title.
func (s *Store) AddAgendaItem(ctx context.Context, meetingID uint, in AgendaItemInput, now time.Time) (*AgendaItem, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	item := &AgendaItem{MeetingID: meetingID, TopicID: in.TopicID, Category: in.Category, Title: in.Title,
		RapporteurOrgID: in.RapporteurOrgID, RapporteurName: strings.TrimSpace(in.RapporteurName), Outcome: in.Outcome,
		DurationMin: in.DurationMin, Public: in.Public}
	err := s.w(ctx).Transaction(func(tx *gorm.DB) error {
		m, err := editableAgenda(tx, meetingID)
		if err != nil {
			return err
		}
		if err := checkRapporteur(tx, in.RapporteurOrgID); err != nil {
			return err
		}
		if in.TopicID != nil {
			var t Topic
			if err := tx.First(&t, *in.TopicID).Error; err != nil || t.Status != TopicAccepted || t.MeetingID == nil || *t.MeetingID != meetingID {
				return (&ValidationError{}).Add("topic", "Nur für diese Sitzung angenommene Themen kommen auf die Tagesordnung.")
			}
			var n int64
			if err := tx.Model(&AgendaItem{}).Where("meeting_id = ? AND topic_id = ?", meetingID, t.ID).Count(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				return (&ValidationError{}).Add("topic", "Dieses Thema steht schon auf der Tagesordnung.")
			}
			if item.Title == "" {
				item.Title = t.Title
			}
			if item.RapporteurOrgID == nil {
				item.RapporteurOrgID = &t.OrganisationID
			}
		}
		pos, err := nextPosition(tx, meetingID, in.Category)
		if err != nil {
			return err
		}
		item.Position = pos
		if m.AgendaPublishedAt != nil {
			item.ChangedAt = &now
		}
		if err := tx.Create(item).Error; err != nil {
			return err
		}
		return markChanged(tx, m, nil, now)
	})
	return item, err
}

// UpdateAgendaItem changes a TOP's details; the category keeps its place
// at the end of the new section when it changes.
func (s *Store) UpdateAgendaItem(ctx context.Context, id uint, in AgendaItemInput, now time.Time) error {
	if in.Title == "" {
		in.Title = "-" // a topic's TOP keeps its title when none is given
	}
	if err := in.validate(); err != nil {
		return err
	}
	return s.w(ctx).Transaction(func(tx *gorm.DB) error {
		var item AgendaItem
		if err := tx.First(&item, id).Error; err != nil {
			return notFound(err)
		}
		m, err := editableAgenda(tx, item.MeetingID)
		if err != nil {
			return err
		}
		if err := checkRapporteur(tx, in.RapporteurOrgID); err != nil {
			return err
		}
		updates := map[string]any{"rapporteur_org_id": in.RapporteurOrgID, "rapporteur_name": strings.TrimSpace(in.RapporteurName),
			"outcome": in.Outcome, "duration_min": in.DurationMin, "public": in.Public}
		if in.Title != "-" {
			updates["title"] = in.Title
		}
		if in.Category != item.Category {
			pos, err := nextPosition(tx, item.MeetingID, in.Category)
			if err != nil {
				return err
			}
			updates["category"], updates["position"] = in.Category, pos
		}
		if err := tx.Model(&item).Updates(updates).Error; err != nil {
			return err
		}
		return markChanged(tx, m, &item, now)
	})
}

// MoveAgendaItem swaps a TOP with its neighbour in the same category
// (delta -1 up, +1 down). At the edge it does nothing.
func (s *Store) MoveAgendaItem(ctx context.Context, id uint, delta int, now time.Time) error {
	return s.w(ctx).Transaction(func(tx *gorm.DB) error {
		var item AgendaItem
		if err := tx.First(&item, id).Error; err != nil {
			return notFound(err)
		}
		m, err := editableAgenda(tx, item.MeetingID)
		if err != nil {
			return err
		}
		var siblings []AgendaItem
		if err := tx.Where("meeting_id = ? AND category = ?", item.MeetingID, item.Category).Order("position, id").Find(&siblings).Error; err != nil {
			return err
		}
		for i := range siblings {
			if siblings[i].ID != item.ID {
				continue
			}
			j := i + delta
			if j < 0 || j >= len(siblings) {
				return nil
			}
			siblings[i], siblings[j] = siblings[j], siblings[i]
			break
		}
		for i := range siblings { // renumber densely
			if siblings[i].Position != i+1 {
				if err := tx.Model(&siblings[i]).Update("position", i+1).Error; err != nil {
					return err
				}
			}
		}
		return markChanged(tx, m, &item, now)
	})
}

// RemoveAgendaItem takes a TOP off the agenda.
func (s *Store) RemoveAgendaItem(ctx context.Context, id uint, now time.Time) error {
	return s.w(ctx).Transaction(func(tx *gorm.DB) error {
		var item AgendaItem
		if err := tx.First(&item, id).Error; err != nil {
			return notFound(err)
		}
		m, err := editableAgenda(tx, item.MeetingID)
		if err != nil {
			return err
		}
		if err := tx.Delete(&item).Error; err != nil {
			return err
		}
		return markChanged(tx, m, nil, now)
	})
}

// Agenda lists a meeting's TOPs by category and position and numbers them
// 01, 02 … through the whole agenda, as the IT-PLR protocols do.
func (s *Store) Agenda(ctx context.Context, meetingID uint) ([]AgendaItem, error) {
	var items []AgendaItem
	if err := s.r(ctx).Preload("RapporteurOrg").Preload("Topic").Where("meeting_id = ?", meetingID).Find(&items).Error; err != nil {
		return nil, err
	}
	sort.SliceStable(items, func(i, j int) bool {
		ci, cj := categoryIndex(items[i].Category), categoryIndex(items[j].Category)
		if ci != cj {
			return ci < cj
		}
		if items[i].Position != items[j].Position {
			return items[i].Position < items[j].Position
		}
		return items[i].ID < items[j].ID
	})
	for i := range items {
		items[i].Number = fmt.Sprintf("%02d", i+1)
	}
	return items, nil
}

// AgendaItem loads one TOP.
func (s *Store) AgendaItem(ctx context.Context, id uint) (*AgendaItem, error) {
	var a AgendaItem
	if err := s.r(ctx).Preload("Meeting").First(&a, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &a, nil
}

// PublishAgenda sends the invitation: the meeting becomes "eingeladen" with
// its running number and invitation date, and members see the agenda.
func (s *Store) PublishAgenda(ctx context.Context, meetingID uint, now time.Time) error {
	return s.w(ctx).Transaction(func(tx *gorm.DB) error {
		m, err := editableAgenda(tx, meetingID)
		if err != nil {
			return err
		}
		if m.AgendaPublishedAt != nil {
			return (&ValidationError{}).Add("agenda", "Die Tagesordnung ist bereits veröffentlicht; Änderungen erscheinen als „geändert“.")
		}
		var n int64
		if err := tx.Model(&AgendaItem{}).Where("meeting_id = ?", meetingID).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return (&ValidationError{}).Add("agenda", "Eine leere Tagesordnung kann nicht veröffentlicht werden.")
		}
		updates := map[string]any{"agenda_published_at": now, "sequence": m.Sequence + 1}
		if m.Status == StatusPlanned {
			var max int
			if err := tx.Model(&Meeting{}).Select("COALESCE(MAX(number), 0)").Scan(&max).Error; err != nil {
				return err
			}
			updates["status"], updates["number"], updates["invited_at"] = StatusInvited, max+1, now
		}
		return tx.Model(m).Updates(updates).Error
	})
}

// CarryOver moves a TOP that was not dealt with to the next open meeting
// (Wiedervorlage): a copy at the end of its category there, linked to the
// original; its topic follows. It returns the next meeting.
func (s *Store) CarryOver(ctx context.Context, actor *User, itemID uint, now time.Time) (*Meeting, error) {
	var next Meeting
	err := s.w(ctx).Transaction(func(tx *gorm.DB) error {
		var item AgendaItem
		if err := tx.Preload("Meeting").First(&item, itemID).Error; err != nil {
			return notFound(err)
		}
		err := tx.Where("starts_at > ? AND status IN ?", item.Meeting.StartsAt, []MeetingStatus{StatusPlanned, StatusInvited}).
			Order("starts_at").First(&next).Error
		if err != nil {
			return (&ValidationError{}).Add("carry", "Es gibt keine folgende Sitzung, auf die der Punkt vertagt werden kann.")
		}
		var n int64
		if err := tx.Model(&AgendaItem{}).Where("meeting_id = ? AND carried_from_id = ?", next.ID, item.ID).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return (&ValidationError{}).Add("carry", "Dieser Punkt steht schon auf der folgenden Sitzung.")
		}
		pos, err := nextPosition(tx, next.ID, item.Category)
		if err != nil {
			return err
		}
		carried := AgendaItem{MeetingID: next.ID, TopicID: item.TopicID, Category: item.Category, Position: pos,
			Title: item.Title, RapporteurOrgID: item.RapporteurOrgID, RapporteurName: item.RapporteurName, Outcome: item.Outcome,
			DurationMin: item.DurationMin, Public: item.Public, CarriedFromID: &item.ID}
		if next.AgendaPublishedAt != nil {
			carried.ChangedAt = &now
		}
		if err := tx.Create(&carried).Error; err != nil {
			return err
		}
		if item.TopicID != nil {
			if err := tx.Model(&Topic{}).Where("id = ?", *item.TopicID).Update("meeting_id", next.ID).Error; err != nil {
				return err
			}
			if err := tx.Create(&TopicEvent{TopicID: *item.TopicID, ActorID: actor.ID, Action: "wiedervorlage",
				Detail: "vertagt auf " + next.Display() + " am " + next.StartsAt.In(berlin).Format("02.01.2006")}).Error; err != nil {
				return err
			}
		}
		return markChanged(tx, &next, nil, now)
	})
	if err != nil {
		return nil, err
	}
	return &next, nil
}
