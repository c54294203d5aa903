package models

import (
	"context"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Visibility says who may see a record: the committee's protected space,
// signed-in municipal readers, or everyone.
type Visibility string

// The three visibility levels.
const (
	VisInternal  Visibility = "internal"
	VisMunicipal Visibility = "municipal"
	VisPublic    Visibility = "public"
)

// Label is the visibility in German.
func (v Visibility) Label() string {
	switch v {
	case VisPublic:
		return "öffentlich"
	case VisMunicipal:
		return "für angemeldete Kommunen"
	}
	return "intern (nur Gremium)"
}

// TopicKind is what the submitter asks the committee for.
type TopicKind string

// The kinds of topic.
const (
	KindInformation TopicKind = "information"
	KindAdvice      TopicKind = "beratung"
	KindDecision    TopicKind = "beschluss"
)

// TopicKinds in form order.
var TopicKinds = []TopicKind{KindInformation, KindAdvice, KindDecision}

// Label is the kind in German.
func (k TopicKind) Label() string {
	switch k {
	case KindAdvice:
		return "zur Beratung"
	case KindDecision:
		return "zur Beschlussfassung"
	}
	return "zur Information"
}

// TopicStatus is the topic's place in the chair's triage.
type TopicStatus string

// The triage states.
const (
	TopicSubmitted TopicStatus = "eingereicht"
	TopicAccepted  TopicStatus = "angenommen"
	TopicDeferred  TopicStatus = "zurueckgestellt"
	TopicRejected  TopicStatus = "abgelehnt"
	TopicMerged    TopicStatus = "zusammengefuehrt"
)

// Label is the state in German.
func (s TopicStatus) Label() string {
	switch s {
	case TopicAccepted:
		return "angenommen"
	case TopicDeferred:
		return "zurückgestellt (Wiedervorlage)"
	case TopicRejected:
		return "abgelehnt"
	case TopicMerged:
		return "zusammengeführt"
	}
	return "eingereicht"
}

// topicMoves lists the triage moves the chair may make from each state.
var topicMoves = map[TopicStatus][]TopicStatus{
	TopicSubmitted: {TopicAccepted, TopicDeferred, TopicRejected, TopicMerged},
	TopicDeferred:  {TopicAccepted, TopicRejected, TopicMerged, TopicSubmitted},
	TopicAccepted:  {TopicDeferred},
}

// Urgency levels of a topic.
var Urgencies = []string{"normal", "hoch", "dringend"}

// Topic is a Themenanmeldung: a question or task a member brings into the
// committee. Topics are internal unless the chair opens them.
type Topic struct {
	ID               uint          `gorm:"primaryKey"`
	Title            string        `gorm:"size:255;not null"`
	Description      string        `gorm:"type:text"` // Markdown
	OrganisationID   uint          `gorm:"not null;index"`
	Organisation     *Organisation `gorm:"constraint:OnDelete:RESTRICT"`
	SubmitterID      uint          `gorm:"not null;index"` // user
	Submitter        *User         `gorm:"constraint:OnDelete:RESTRICT"`
	Kind             TopicKind     `gorm:"size:16;not null"`
	Urgency          string        `gorm:"size:16;not null"`
	DesiredMeetingID *uint
	DesiredMeeting   *Meeting `gorm:"foreignKey:DesiredMeetingID"`
	Rapporteur       string   `gorm:"size:255"`
	Tags             string   `gorm:"size:500"` // comma separated: EfA, FIT-Store …
	Visibility       Visibility
	Status           TopicStatus `gorm:"size:24;not null;index"`
	MeetingID        *uint       `gorm:"index"` // accepted for
	Meeting          *Meeting    `gorm:"foreignKey:MeetingID"`
	ResubmitOn       *time.Time  // Wiedervorlage
	Reason           string      `gorm:"size:1000"` // why rejected or deferred; the submitter sees it
	MergedIntoID     *uint
	MergedInto       *Topic `gorm:"foreignKey:MergedIntoID"`
	CoSigns          []CoSign
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// TagList splits the free tags.
func (t *Topic) TagList() []string {
	var out []string
	for _, s := range strings.Split(t.Tags, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// CoSign records that another member organisation supports a topic.
type CoSign struct {
	ID             uint          `gorm:"primaryKey"`
	TopicID        uint          `gorm:"not null;uniqueIndex:idx_cosign"`
	OrganisationID uint          `gorm:"not null;uniqueIndex:idx_cosign"`
	Organisation   *Organisation `gorm:"constraint:OnDelete:RESTRICT"`
	UserID         uint          `gorm:"not null"`
	User           *User         `gorm:"constraint:OnDelete:RESTRICT"`
	CreatedAt      time.Time
}

// TopicEvent is one line of a topic's history: who changed what, when.
type TopicEvent struct {
	ID        uint   `gorm:"primaryKey"`
	TopicID   uint   `gorm:"not null;index"`
	ActorID   uint   `gorm:"not null"`
	Actor     *User  `gorm:"constraint:OnDelete:RESTRICT"`
	Action    string `gorm:"size:32;not null"`
	Detail    string `gorm:"size:1000"`
	CreatedAt time.Time
}

// ActionLabel is a history line's action in German.
func (e TopicEvent) ActionLabel() string {
	switch e.Action {
	case "mitgezeichnet":
		return "mitgezeichnet"
	case "wiedervorlage":
		return "vertagt (Wiedervorlage)"
	}
	return TopicStatus(e.Action).Label()
}

// TopicInput is the submission form.
type TopicInput struct {
	Title            string
	Description      string
	OrganisationID   uint
	Kind             TopicKind
	Urgency          string
	DesiredMeetingID *uint
	Rapporteur       string
	Tags             string
}

func (in *TopicInput) validate() error {
	in.Title, in.Description = strings.TrimSpace(in.Title), strings.TrimSpace(in.Description)
	v := &ValidationError{}
	if in.Title == "" {
		v.Add("title", "Bitte geben Sie dem Thema einen Titel.")
	} else if len([]rune(in.Title)) > 200 {
		v.Add("title", "Der Titel darf höchstens 200 Zeichen haben.")
	}
	if in.Description == "" {
		v.Add("description", "Bitte beschreiben Sie, worum es geht und was das Gremium tun soll.")
	}
	v.MaxLen("rapporteur", in.Rapporteur, 255).MaxLen("description", in.Description, 50000)
	kindOK := false
	for _, k := range TopicKinds {
		kindOK = kindOK || k == in.Kind
	}
	if !kindOK {
		v.Add("kind", "Bitte wählen Sie, ob das Thema zur Information, Beratung oder Beschlussfassung ist.")
	}
	urgOK := false
	for _, u := range Urgencies {
		urgOK = urgOK || u == in.Urgency
	}
	if !urgOK {
		v.Add("urgency", "Bitte wählen Sie die Dringlichkeit.")
	}
	return v.Err()
}

// SubmitTopic records a member's topic for their organisation. If the
// desired meeting's submission deadline has passed, the topic is aimed at
// the next meeting instead; the returned note says so.
func (s *Store) SubmitTopic(ctx context.Context, user *User, in TopicInput, now time.Time) (*Topic, string, error) {
	if err := in.validate(); err != nil {
		return nil, "", err
	}
	var t Topic
	var note string
	err := s.w(ctx).Transaction(func(tx *gorm.DB) error {
		seat, err := orgSeatOf(tx, user.ID, now)
		if err != nil {
			return err
		}
		if seat == 0 || (in.OrganisationID != 0 && in.OrganisationID != seat) {
			return (&ValidationError{}).Add("organisation", "Themen melden Sie für die Organisation an, für die Sie im Gremium sitzen.")
		}
		if in.DesiredMeetingID != nil {
			target, n, err := meetingForDeadline(tx, *in.DesiredMeetingID, now)
			if err != nil {
				return err
			}
			in.DesiredMeetingID, note = target, n
		}
		t = Topic{Title: in.Title, Description: in.Description, OrganisationID: seat, SubmitterID: user.ID,
			Kind: in.Kind, Urgency: in.Urgency, DesiredMeetingID: in.DesiredMeetingID, Rapporteur: strings.TrimSpace(in.Rapporteur),
			Tags: normaliseTags(in.Tags), Visibility: VisInternal, Status: TopicSubmitted}
		if err := tx.Create(&t).Error; err != nil {
			return err
		}
		return tx.Create(&TopicEvent{TopicID: t.ID, ActorID: user.ID, Action: "eingereicht", Detail: note}).Error
	})
	return &t, note, err
}

// orgSeatOf is the organisation a user sits for today (member, deputy or
// chair), or 0.
func orgSeatOf(tx *gorm.DB, userID uint, now time.Time) (uint, error) {
	var ids []uint
	err := tx.Model(&Membership{}).Joins("JOIN people ON people.id = memberships.person_id").
		Where("people.user_id = ? AND memberships.role IN ? AND memberships.start_date <= ? AND (memberships.end_date IS NULL OR memberships.end_date >= ?)",
			userID, []SeatRole{SeatMember, SeatDeputy, SeatChair}, Day(now), Day(now)).
		Order("memberships.id").Pluck("memberships.organisation_id", &ids).Error
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	return ids[0], nil
}

// DeadlineDays is how many days before a meeting topics must be submitted.
const DeadlineDays = 14

// Deadline is the last moment to submit topics for a meeting.
func (m *Meeting) Deadline() time.Time {
	if m.SubmissionDeadline != nil {
		return *m.SubmissionDeadline
	}
	return m.StartsAt.AddDate(0, 0, -DeadlineDays)
}

// meetingForDeadline returns the meeting a topic aimed at wantID goes to:
// that one while its deadline is open, otherwise the next open meeting.
func meetingForDeadline(tx *gorm.DB, wantID uint, now time.Time) (*uint, string, error) {
	var want Meeting
	if err := tx.First(&want, wantID).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, "", (&ValidationError{}).Add("desired_meeting", "Diese Sitzung gibt es nicht.")
		}
		return nil, "", err
	}
	if now.Before(want.Deadline()) && want.Status != StatusCancelled {
		return &want.ID, "", nil
	}
	var later []Meeting
	if err := tx.Where("starts_at > ? AND status IN ?", want.StartsAt, []MeetingStatus{StatusPlanned, StatusInvited}).Order("starts_at").Find(&later).Error; err != nil {
		return nil, "", err
	}
	for _, m := range later {
		if now.Before(m.Deadline()) {
			return &m.ID, "Die Anmeldefrist für die gewünschte Sitzung ist abgelaufen; das Thema ist für die folgende Sitzung vorgemerkt, sofern der Vorsitz es nicht noch aufnimmt.", nil
		}
	}
	return nil, "Die Anmeldefrist ist abgelaufen; der Vorsitz ordnet das Thema einer Sitzung zu.", nil
}

func normaliseTags(s string) string {
	seen := map[string]bool{}
	var out []string
	for _, t := range strings.Split(s, ",") {
		t = strings.TrimSpace(t)
		if t != "" && !seen[strings.ToLower(t)] && len(out) < 12 {
			seen[strings.ToLower(t)] = true
			out = append(out, truncate(t, 40))
		}
	}
	return strings.Join(out, ", ")
}

// Triage is the chair's decision on a topic.
type Triage struct {
	To           TopicStatus
	MeetingID    *uint      // for accepted
	ResubmitOn   *time.Time // for deferred
	Reason       string     // required for rejected and deferred
	MergedIntoID *uint      // for merged
}

// TriageTopic moves a topic and writes the history line.
func (s *Store) TriageTopic(ctx context.Context, actor *User, id uint, tr Triage, now time.Time) error {
	tr.Reason = strings.TrimSpace(tr.Reason)
	return s.w(ctx).Transaction(func(tx *gorm.DB) error {
		var t Topic
		if err := tx.First(&t, id).Error; err != nil {
			return notFound(err)
		}
		v := &ValidationError{}
		if v.MaxLen("reason", tr.Reason, 900); v.Err() != nil {
			return v
		}
		allowed := false
		for _, n := range topicMoves[t.Status] {
			allowed = allowed || n == tr.To
		}
		if !allowed {
			return v.Add("status", "Von „"+t.Status.Label()+"“ geht es nicht zu „"+tr.To.Label()+"“.")
		}
		updates := map[string]any{"status": tr.To, "reason": tr.Reason, "meeting_id": nil, "resubmit_on": nil, "merged_into_id": nil}
		detail := ""
		switch tr.To {
		case TopicAccepted:
			if tr.MeetingID == nil {
				return v.Add("meeting", "Bitte wählen Sie die Sitzung, in der das Thema behandelt wird.")
			}
			var m Meeting
			if err := tx.First(&m, *tr.MeetingID).Error; err != nil || (m.Status != StatusPlanned && m.Status != StatusInvited) {
				return v.Add("meeting", "Bitte wählen Sie eine geplante oder eingeladene Sitzung.")
			}
			updates["meeting_id"], updates["reason"] = m.ID, ""
			detail = "für " + m.Display() + " am " + m.StartsAt.In(berlin).Format("02.01.2006")
		case TopicDeferred:
			if tr.ResubmitOn == nil || !tr.ResubmitOn.After(now) {
				return v.Add("resubmit_on", "Bitte geben Sie ein künftiges Datum für die Wiedervorlage an.")
			}
			updates["resubmit_on"] = Day(*tr.ResubmitOn)
			detail = "Wiedervorlage am " + tr.ResubmitOn.Format("02.01.2006")
		case TopicRejected:
			if tr.Reason == "" {
				return v.Add("reason", "Bitte begründen Sie die Ablehnung; die Begründung sieht die einreichende Organisation.")
			}
		case TopicMerged:
			if tr.MergedIntoID == nil || *tr.MergedIntoID == t.ID {
				return v.Add("merged_into", "Bitte wählen Sie das Thema, in das dieses zusammengeführt wird.")
			}
			var target Topic
			if err := tx.First(&target, *tr.MergedIntoID).Error; err != nil || target.Status == TopicMerged || target.Status == TopicRejected {
				return v.Add("merged_into", "Zusammenführen geht nur in ein offenes Thema.")
			}
			updates["merged_into_id"] = target.ID
			detail = "in „" + target.Title + "“"
		case TopicSubmitted:
		}
		if tr.Reason != "" {
			detail = strings.TrimSpace(detail + " – " + tr.Reason)
		}
		if err := tx.Model(&t).Updates(updates).Error; err != nil {
			return err
		}
		return tx.Create(&TopicEvent{TopicID: t.ID, ActorID: actor.ID, Action: string(tr.To), Detail: truncate(detail, 1000)}).Error
	})
}

// CoSignTopic adds the user's organisation as supporter of a topic.
func (s *Store) CoSignTopic(ctx context.Context, user *User, id uint, now time.Time) error {
	return s.w(ctx).Transaction(func(tx *gorm.DB) error {
		var t Topic
		if err := tx.First(&t, id).Error; err != nil {
			return notFound(err)
		}
		org, err := orgSeatOf(tx, user.ID, now)
		if err != nil {
			return err
		}
		v := &ValidationError{}
		switch {
		case org == 0:
			return v.Add("cosign", "Mitzeichnen können Organisationen mit Sitz im Gremium.")
		case org == t.OrganisationID:
			return v.Add("cosign", "Ihre Organisation hat das Thema selbst eingereicht.")
		case t.Status == TopicRejected || t.Status == TopicMerged:
			return v.Add("cosign", "Dieses Thema ist abgeschlossen.")
		}
		var n int64
		if err := tx.Model(&CoSign{}).Where("topic_id = ? AND organisation_id = ?", t.ID, org).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return v.Add("cosign", "Ihre Organisation hat bereits mitgezeichnet.")
		}
		if err := tx.Create(&CoSign{TopicID: t.ID, OrganisationID: org, UserID: user.ID}).Error; err != nil {
			return err
		}
		return tx.Create(&TopicEvent{TopicID: t.ID, ActorID: user.ID, Action: "mitgezeichnet"}).Error
	})
}

// TopicFilter selects topics for a list; fields come from an allowlist.
type TopicFilter struct {
	Status      TopicStatus
	SubmitterID uint
	MeetingID   uint
}

// Topics lists topics newest first. Topics are internal: callers check
// CanSeeInternal before asking.
func (s *Store) Topics(ctx context.Context, f TopicFilter) ([]Topic, error) {
	q := s.r(ctx).Preload("Organisation").Preload("Meeting").Preload("CoSigns")
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.SubmitterID != 0 {
		q = q.Where("submitter_id = ?", f.SubmitterID)
	}
	if f.MeetingID != 0 {
		q = q.Where("meeting_id = ?", f.MeetingID)
	}
	var ts []Topic
	err := q.Order("created_at DESC, id DESC").Find(&ts).Error
	return ts, err
}

// Topic loads one topic with everything its page shows.
func (s *Store) Topic(ctx context.Context, id uint) (*Topic, error) {
	var t Topic
	err := s.r(ctx).Preload("Organisation").Preload("Submitter").Preload("Meeting").Preload("DesiredMeeting").
		Preload("MergedInto").Preload("CoSigns.Organisation").First(&t, id).Error
	if err != nil {
		return nil, notFound(err)
	}
	return &t, nil
}

// TopicHistory lists a topic's events, oldest first.
func (s *Store) TopicHistory(ctx context.Context, id uint) ([]TopicEvent, error) {
	var es []TopicEvent
	err := s.r(ctx).Preload("Actor").Where("topic_id = ?", id).Order("created_at, id").Find(&es).Error
	return es, err
}

// OpenMeetings are the meetings topics can still be planned for.
func (s *Store) OpenMeetings(ctx context.Context, now time.Time) ([]Meeting, error) {
	var ms []Meeting
	err := s.r(ctx).Where("starts_at > ? AND status IN ?", now.UTC(), []MeetingStatus{StatusPlanned, StatusInvited}).Order("starts_at").Find(&ms).Error
	return ms, err
}
