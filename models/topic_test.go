package models

import (
	"context"
	"testing"
	"time"
)

// topicFixture: two member organisations with a member each, the chair,
// and three meetings a month apart (the first one invited).
type topicFixture struct {
	s                 *Store
	alice, bob, chair *User
	cityA, cityB      *Organisation
	m1, m2, m3        *Meeting
	now               time.Time
	alicePer, bobPer  *Person
}

func newTopicFixture(t *testing.T) *topicFixture {
	t.Helper()
	s := newTestStore(t)
	ctx := context.Background()
	f := &topicFixture{s: s, now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	f.cityA = &Organisation{Name: "Stadt A", ShortName: "A", Kind: OrgCity, Seats: 1}
	f.cityB = &Organisation{Name: "Stadt B", ShortName: "B", Kind: OrgCity, Seats: 1}
	chairOrg := &Organisation{Name: "FITKO", Kind: OrgFederal, IsChair: true}
	for _, o := range []*Organisation{f.cityA, f.cityB, chairOrg} {
		if err := s.SaveOrganisation(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	seat := func(email string, org *Organisation, role SeatRole) (*User, *Person) {
		u := &User{Email: email, Role: RoleReader}
		s.w(ctx).Create(u)
		p := &Person{Name: email, UserID: &u.ID}
		s.w(ctx).Create(p)
		if err := s.StartMembership(ctx, &Membership{PersonID: p.ID, OrganisationID: org.ID, Role: role, Voting: role == SeatMember, StartDate: day("2025-01-01")}); err != nil {
			t.Fatal(err)
		}
		return u, p
	}
	f.alice, f.alicePer = seat("alice@a.example", f.cityA, SeatMember)
	f.bob, f.bobPer = seat("bob@b.example", f.cityB, SeatMember)
	f.chair, _ = seat("chair@fitko.example", chairOrg, SeatChair)
	f.chair.Role = RoleChair // the effective role, as a session carries it
	for i, d := range []string{"2026-03-11", "2026-04-08", "2026-05-13"} {
		m, err := s.CreateMeeting(ctx, MeetingInput{Kind: MeetingVideo, Title: "VK", Date: d, Start: "10:00", End: "11:00", VideoURL: "https://meet.example/x"})
		if err != nil {
			t.Fatal(err)
		}
		*[]**Meeting{&f.m1, &f.m2, &f.m3}[i] = m
	}
	return f
}

func (f *topicFixture) submit(t *testing.T, u *User, title string, desired *uint) *Topic {
	t.Helper()
	tp, _, err := f.s.SubmitTopic(context.Background(), u, TopicInput{Title: title, Description: "Worum es geht.", Kind: KindAdvice, Urgency: "normal", DesiredMeetingID: desired}, f.now)
	if err != nil {
		t.Fatal(err)
	}
	return tp
}

func TestTopicWorkflow(t *testing.T) {
	f := newTopicFixture(t)
	ctx := context.Background()
	tp := f.submit(t, f.alice, "EfA für Kommunen", nil)
	if tp.OrganisationID != f.cityA.ID || tp.Status != TopicSubmitted || tp.Visibility != VisInternal {
		t.Fatalf("submitted topic: %+v", tp)
	}
	_, _, err := f.s.SubmitTopic(ctx, f.alice, TopicInput{}, f.now)
	fieldErr(t, err, "title")
	outsider := &User{Email: "o@x.example", Role: RoleMember}
	f.s.w(ctx).Create(outsider)
	_, _, err = f.s.SubmitTopic(ctx, outsider, TopicInput{Title: "x", Description: "y", Kind: KindAdvice, Urgency: "normal"}, f.now)
	fieldErr(t, err, "organisation") // no seat, no submission

	later := f.now.AddDate(0, 2, 0)
	steps := []struct {
		tr    Triage
		ok    bool
		field string
	}{
		{Triage{To: TopicAccepted}, false, "meeting"},
		{Triage{To: TopicRejected}, false, "reason"},
		{Triage{To: TopicDeferred, ResubmitOn: &f.now}, false, "resubmit_on"},
		{Triage{To: TopicMerged, MergedIntoID: &tp.ID}, false, "merged_into"},
		{Triage{To: TopicDeferred, ResubmitOn: &later, Reason: "nach der Präsenzsitzung"}, true, ""},
		{Triage{To: TopicAccepted, MeetingID: &f.m2.ID}, true, ""},
		{Triage{To: TopicRejected, Reason: "x"}, false, "status"}, // accepted → rejected is not a move
		{Triage{To: TopicDeferred, ResubmitOn: &later}, true, ""},
		{Triage{To: TopicRejected, Reason: "gehört in den IT-PLR"}, true, ""},
		{Triage{To: TopicAccepted, MeetingID: &f.m2.ID}, false, "status"}, // rejected is final
	}
	for i, st := range steps {
		err := f.s.TriageTopic(ctx, f.chair, tp.ID, st.tr, f.now)
		if st.ok && err != nil {
			t.Fatalf("step %d (%s): %v", i, st.tr.To, err)
		}
		if !st.ok {
			fieldErr(t, err, st.field)
		}
	}
	got, _ := f.s.Topic(ctx, tp.ID)
	if got.Status != TopicRejected || got.Reason != "gehört in den IT-PLR" || got.MeetingID != nil {
		t.Fatalf("final topic: %+v", got)
	}
	hist, _ := f.s.TopicHistory(ctx, tp.ID)
	if len(hist) != 5 { // eingereicht + 4 successful moves
		t.Fatalf("history has %d lines, want 5", len(hist))
	}
	for _, h := range hist {
		if h.Actor == nil || h.CreatedAt.IsZero() {
			t.Fatal("history line without who or when")
		}
	}
	// Merge and co-sign.
	a := f.submit(t, f.alice, "A", nil)
	b := f.submit(t, f.bob, "B", nil)
	if err := f.s.TriageTopic(ctx, f.chair, b.ID, Triage{To: TopicMerged, MergedIntoID: &a.ID}, f.now); err != nil {
		t.Fatal(err)
	}
	fieldErr(t, f.s.CoSignTopic(ctx, f.alice, a.ID, f.now), "cosign") // own organisation
	if err := f.s.CoSignTopic(ctx, f.bob, a.ID, f.now); err != nil {
		t.Fatal(err)
	}
	fieldErr(t, f.s.CoSignTopic(ctx, f.bob, a.ID, f.now), "cosign")   // twice
	fieldErr(t, f.s.CoSignTopic(ctx, f.alice, b.ID, f.now), "cosign") // merged topic is closed
	mine, _ := f.s.Topics(ctx, TopicFilter{SubmitterID: f.alice.ID})
	if len(mine) != 2 {
		t.Fatalf("Meine Themen of alice: %d, want 2", len(mine))
	}
}

func TestSubmissionDeadline(t *testing.T) {
	f := newTopicFixture(t)
	ctx := context.Background()
	// m1 is on 2026-03-11: its deadline (14 days before) passed on 2026-02-25.
	tp, note, err := f.s.SubmitTopic(ctx, f.alice, TopicInput{Title: "Spät", Description: "x", Kind: KindAdvice, Urgency: "normal", DesiredMeetingID: &f.m1.ID}, f.now)
	if err != nil {
		t.Fatal(err)
	}
	if tp.DesiredMeetingID == nil || *tp.DesiredMeetingID != f.m2.ID || note == "" {
		t.Fatalf("late topic aimed at %v (%q), want the next meeting with a note", tp.DesiredMeetingID, note)
	}
	early, note, _ := f.s.SubmitTopic(ctx, f.alice, TopicInput{Title: "Früh", Description: "x", Kind: KindAdvice, Urgency: "normal", DesiredMeetingID: &f.m3.ID}, f.now)
	if *early.DesiredMeetingID != f.m3.ID || note != "" {
		t.Fatal("a timely topic was moved")
	}
	// The chair may still take the late topic for the first meeting.
	if err := f.s.TriageTopic(ctx, f.chair, tp.ID, Triage{To: TopicAccepted, MeetingID: &f.m1.ID}, f.now); err != nil {
		t.Fatalf("chair could not take a late topic: %v", err)
	}
	// A meeting's own deadline overrides the default.
	custom := f.m2.StartsAt.AddDate(0, 0, -40)
	f.s.w(ctx).Model(f.m2).Update("submission_deadline", custom)
	tp2, _, _ := f.s.SubmitTopic(ctx, f.alice, TopicInput{Title: "x", Description: "x", Kind: KindAdvice, Urgency: "normal", DesiredMeetingID: &f.m2.ID}, f.now)
	if *tp2.DesiredMeetingID != f.m3.ID {
		t.Fatal("meeting's own deadline ignored")
	}
}

func TestAgendaNumberingReorderCarryOver(t *testing.T) {
	f := newTopicFixture(t)
	ctx := context.Background()
	tp := f.submit(t, f.alice, "FIT-Store", nil)
	other := f.submit(t, f.bob, "Nicht angenommen", nil)
	if err := f.s.TriageTopic(ctx, f.chair, tp.ID, Triage{To: TopicAccepted, MeetingID: &f.m2.ID}, f.now); err != nil {
		t.Fatal(err)
	}
	add := func(in AgendaItemInput) *AgendaItem {
		t.Helper()
		it, err := f.s.AddAgendaItem(ctx, f.m2.ID, in, f.now)
		if err != nil {
			t.Fatal(err)
		}
		return it
	}
	h := add(AgendaItemInput{Category: "H", Title: "Verschiedenes", Outcome: KindInformation})
	b1 := add(AgendaItemInput{Category: "B", TopicID: &tp.ID, Outcome: KindDecision})
	b2 := add(AgendaItemInput{Category: "B", Title: "Bericht", Outcome: KindInformation})
	a1 := add(AgendaItemInput{Category: "A", Title: "Begrüßung", Outcome: KindInformation})
	_, err := f.s.AddAgendaItem(ctx, f.m2.ID, AgendaItemInput{Category: "B", TopicID: &other.ID, Outcome: KindAdvice}, f.now)
	fieldErr(t, err, "topic") // not accepted
	_, err = f.s.AddAgendaItem(ctx, f.m2.ID, AgendaItemInput{Category: "B", TopicID: &tp.ID, Outcome: KindAdvice}, f.now)
	fieldErr(t, err, "topic") // already on it
	_, err = f.s.AddAgendaItem(ctx, f.m2.ID, AgendaItemInput{Category: "Z", Title: "x", Outcome: KindAdvice}, f.now)
	fieldErr(t, err, "category")
	order := func() string {
		items, _ := f.s.Agenda(ctx, f.m2.ID)
		out := ""
		for _, it := range items {
			out += it.Number + ":" + it.Title + ";"
		}
		return out
	}
	if got := order(); got != "01:Begrüßung;02:FIT-Store;03:Bericht;04:Verschiedenes;" {
		t.Fatalf("agenda %s", got)
	}
	if b1.RapporteurOrgID == nil || *b1.RapporteurOrgID != f.cityA.ID {
		t.Fatal("a topic's TOP takes the submitting organisation as BE")
	}
	if err := f.s.MoveAgendaItem(ctx, b2.ID, -1, f.now); err != nil {
		t.Fatal(err)
	}
	if got := order(); got != "01:Begrüßung;02:Bericht;03:FIT-Store;04:Verschiedenes;" {
		t.Fatalf("after moving up: %s", got)
	}
	_ = f.s.MoveAgendaItem(ctx, b2.ID, -1, f.now) // at the top already: nothing
	_ = f.s.MoveAgendaItem(ctx, h.ID, 1, f.now)   // alone in H: nothing
	if got := order(); got != "01:Begrüßung;02:Bericht;03:FIT-Store;04:Verschiedenes;" {
		t.Fatalf("edge moves changed the order: %s", got)
	}
	// Publishing invites; later changes are marked.
	if err := f.s.PublishAgenda(ctx, f.m2.ID, f.now); err != nil {
		t.Fatal(err)
	}
	m, _ := f.s.Meeting(ctx, f.m2.ID)
	if m.Status != StatusInvited || m.Number == 0 || m.AgendaPublishedAt == nil || m.AgendaChangedAt != nil {
		t.Fatalf("published meeting: %+v", m)
	}
	fieldErr(t, f.s.PublishAgenda(ctx, f.m2.ID, f.now), "agenda")
	changeAt := f.now.Add(time.Hour)
	if err := f.s.UpdateAgendaItem(ctx, a1.ID, AgendaItemInput{Category: "A", Title: "Begrüßung und Beschlussfähigkeit", Outcome: KindInformation}, changeAt); err != nil {
		t.Fatal(err)
	}
	items, _ := f.s.Agenda(ctx, f.m2.ID)
	if items[0].ChangedAt == nil || items[1].ChangedAt != nil {
		t.Fatal("only the changed TOP is marked")
	}
	m, _ = f.s.Meeting(ctx, f.m2.ID)
	if m.AgendaChangedAt == nil {
		t.Fatal("the meeting does not record the change")
	}
	// Carry the topic's TOP over to the next meeting (Wiedervorlage).
	next, err := f.s.CarryOver(ctx, f.chair, b1.ID, f.now)
	if err != nil {
		t.Fatal(err)
	}
	if next.ID != f.m3.ID {
		t.Fatalf("carried to meeting %d, want %d", next.ID, f.m3.ID)
	}
	carried, _ := f.s.Agenda(ctx, f.m3.ID)
	if len(carried) != 1 || carried[0].CarriedFromID == nil || *carried[0].CarriedFromID != b1.ID || carried[0].Title != "FIT-Store" {
		t.Fatalf("carried agenda: %+v", carried)
	}
	moved, _ := f.s.Topic(ctx, tp.ID)
	if moved.MeetingID == nil || *moved.MeetingID != f.m3.ID {
		t.Fatal("the topic did not follow its TOP")
	}
	_, err = f.s.CarryOver(ctx, f.chair, b1.ID, f.now)
	fieldErr(t, err, "carry") // only once
	// A held meeting's agenda is closed.
	if err := f.s.SetMeetingStatus(ctx, f.m2.ID, StatusHeld, f.m2.StartsAt); err != nil {
		t.Fatal(err)
	}
	fieldErr(t, f.s.MoveAgendaItem(ctx, b2.ID, 1, f.now), "agenda")
}

func TestComments(t *testing.T) {
	f := newTopicFixture(t)
	ctx := context.Background()
	tp := f.submit(t, f.alice, "Thema", nil)
	root, err := f.s.AddComment(ctx, f.alice, tp.ID, nil, "Erster Gedanke")
	if err != nil {
		t.Fatal(err)
	}
	reply, _ := f.s.AddComment(ctx, f.bob, tp.ID, &root.ID, "Antwort")
	deeper, _ := f.s.AddComment(ctx, f.alice, tp.ID, &reply.ID, "Antwort auf die Antwort")
	if *deeper.ParentID != root.ID {
		t.Fatal("threads are one level deep: a reply to a reply joins the thread")
	}
	_, err = f.s.AddComment(ctx, f.alice, tp.ID, nil, "   ")
	fieldErr(t, err, "body")
	created := root.CreatedAt
	if _, err := f.s.EditComment(ctx, f.bob, root.ID, "fremd", created.Add(time.Minute)); err != ErrForbidden {
		t.Fatalf("someone else edited: %v", err)
	}
	if _, err := f.s.EditComment(ctx, f.alice, root.ID, "Erster Gedanke, ergänzt", created.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.EditComment(ctx, f.alice, root.ID, "zu spät", created.Add(CommentEditWindow+time.Second)); err != ErrForbidden {
		t.Fatalf("edit after the window: %v", err)
	}
	if _, err := f.s.DeleteComment(ctx, f.bob, root.ID, f.now); err != ErrForbidden {
		t.Fatal("another member deleted a comment")
	}
	if _, err := f.s.DeleteComment(ctx, f.chair, reply.ID, f.now); err != nil {
		t.Fatalf("chair as moderator: %v", err)
	}
	threads, _ := f.s.Comments(ctx, tp.ID)
	if len(threads) != 1 || len(threads[0].Replies) != 2 || !threads[0].Replies[0].Deleted() || threads[0].Replies[0].Body != "" {
		t.Fatalf("threads after deletion: %+v", threads)
	}
	if threads[0].Body != "Erster Gedanke, ergänzt" || threads[0].EditedAt == nil {
		t.Fatal("edit not kept")
	}
}
