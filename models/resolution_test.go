package models

import (
	"context"
	"sync"
	"testing"
)

// minutesFixture: the quorum fixture's meeting held with four of five
// voting seats present, and two TOPs on it.
func minutesFixture(t *testing.T) (*Store, *Meeting, *AgendaItem, *AgendaItem, []Membership) {
	t.Helper()
	s, mt, members, _, _ := quorumFixture(t)
	ctx := context.Background()
	a, err := s.AddAgendaItem(ctx, mt.ID, AgendaItemInput{Category: "B", Title: "FIT-Store", Outcome: KindDecision, Public: true}, mt.StartsAt)
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.AddAgendaItem(ctx, mt.ID, AgendaItemInput{Category: "B", Title: "Intern", Outcome: KindDecision}, mt.StartsAt)
	if err != nil {
		t.Fatal(err)
	}
	var entries []AttendanceEntry
	for i, m := range members {
		p := PresenceAttended
		if i == 4 {
			p = PresenceExcused
		}
		entries = append(entries, AttendanceEntry{PersonID: m.PersonID, Presence: p})
	}
	if _, err := s.RecordAttendance(ctx, mt.ID, entries, mt.StartsAt); err != nil {
		t.Fatal(err)
	}
	if err := s.SetMeetingStatus(ctx, mt.ID, StatusHeld, mt.StartsAt); err != nil {
		t.Fatal(err)
	}
	m, _ := s.Meeting(ctx, mt.ID)
	return s, m, a, b, members
}

func TestResolutionVotesAndMajority(t *testing.T) {
	s, _, a, _, _ := minutesFixture(t)
	ctx := context.Background()
	for name, in := range map[string]ResolutionInput{
		"more votes than voters present": {Text: "1. x", VotesYes: 4, VotesNo: 1},
		"negative":                       {Text: "1. x", VotesYes: -1},
		"no votes":                       {Text: "1. x"},
		"no text":                        {VotesYes: 3},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := s.RecordResolution(ctx, a.ID, in, MajoritySimple)
			if err == nil {
				t.Fatal("accepted")
			}
		})
	}
	r, err := s.RecordResolution(ctx, a.ID, ResolutionInput{Text: "1. Das KoG beschließt …\n2. …", VotesYes: 4, Public: true}, MajoritySimple)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Unanimous || !r.Adopted || r.Votes() != "4 Ja, 0 Nein, 0 Enthaltungen (einstimmig)" || r.FollowUp != FollowOpen {
		t.Fatalf("unanimous vote: %+v %q", r, r.Votes())
	}
	r2, _ := s.RecordResolution(ctx, a.ID, ResolutionInput{Text: "1. y", VotesYes: 2, VotesNo: 1, Abst: 1}, MajoritySimple)
	if r2.Unanimous || !r2.Adopted || r2.Votes() != "2 Ja, 1 Nein, 1 Enthaltung" {
		t.Fatalf("simple majority: %+v %q", r2, r2.Votes())
	}
	for _, tc := range []struct {
		rule                   MajorityRule
		yes, no, abst, present int
		want                   bool
	}{
		{MajoritySimple, 2, 2, 0, 4, false}, {MajoritySimple, 1, 0, 3, 4, true},
		{MajorityAbsolute, 2, 0, 2, 4, false}, {MajorityAbsolute, 3, 1, 0, 4, true},
		{MajorityTwoThirds, 2, 1, 0, 4, true}, {MajorityTwoThirds, 3, 2, 0, 5, false}, {MajorityTwoThirds, 0, 0, 0, 4, false},
	} {
		if got := tc.rule.Carries(tc.yes, tc.no, tc.abst, tc.present); got != tc.want {
			t.Errorf("%s %d/%d/%d of %d = %v", tc.rule, tc.yes, tc.no, tc.abst, tc.present, got)
		}
	}
	rejected, _ := s.RecordResolution(ctx, a.ID, ResolutionInput{Text: "1. z", VotesYes: 1, VotesNo: 3}, MajoritySimple)
	if rejected.Adopted {
		t.Fatal("1:3 carried")
	}
}

func TestResolutionNumbering(t *testing.T) {
	s, m, a, b, _ := minutesFixture(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	numbers := make(chan string, 10)
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			item := a
			if i%2 == 1 {
				item = b
			}
			r, err := s.RecordResolution(ctx, item.ID, ResolutionInput{Text: "1. gleichzeitig", VotesYes: 3}, MajoritySimple)
			if err != nil {
				t.Error(err)
				return
			}
			numbers <- r.Number()
		}(i)
	}
	wg.Wait()
	close(numbers)
	seen := map[string]bool{}
	for n := range numbers {
		if seen[n] {
			t.Fatalf("number %s handed out twice", n)
		}
		seen[n] = true
	}
	if len(seen) != 10 || !seen["2026/01"] || !seen["2026/10"] {
		t.Fatalf("numbers %v, want 2026/01 … 2026/10", seen)
	}
	// A gap stays a gap: a number whose resolution is gone is not reused.
	s.w(ctx).Where("year = 2026 AND seq = 10").Delete(&Resolution{})
	r, _ := s.RecordResolution(ctx, a.ID, ResolutionInput{Text: "1. danach", VotesYes: 3}, MajoritySimple)
	if r.Number() != "2026/11" {
		t.Fatalf("after a gap: %s, want 2026/11", r.Number())
	}
	// A new year starts again at 01.
	next, _ := s.CreateMeeting(ctx, MeetingInput{Kind: MeetingVideo, Title: "Januar", Date: "2027-01-13", Start: "10:00", End: "11:00", VideoURL: "https://meet.example/x"})
	_ = s.SetMeetingStatus(ctx, next.ID, StatusInvited, m.StartsAt)
	item, _ := s.AddAgendaItem(ctx, next.ID, AgendaItemInput{Category: "A", Title: "Protokoll", Outcome: KindDecision}, m.StartsAt)
	var entries []AttendanceEntry
	seats, _ := s.SeatsOn(ctx, next.StartsAt)
	for _, st := range seats {
		entries = append(entries, AttendanceEntry{PersonID: st.PersonID, Presence: PresenceAttended})
	}
	if _, err := s.RecordAttendance(ctx, next.ID, entries, next.StartsAt); err != nil {
		t.Fatal(err)
	}
	r, err := s.RecordResolution(ctx, item.ID, ResolutionInput{Text: "1. Protokoll genehmigt", VotesYes: 5}, MajoritySimple)
	if err != nil || r.Number() != "2027/01" {
		t.Fatalf("year rollover: %v %v", r, err)
	}
}

func TestMinutesLifecycleAndImmutability(t *testing.T) {
	s, m, a, _, _ := minutesFixture(t)
	ctx := context.Background()
	if err := s.RecordItem(ctx, a.ID, RecordInput{Discussion: "Der Bund erläutert …", Result: ResultDiscussed}); err != nil {
		t.Fatal(err)
	}
	fieldErr(t, s.RecordItem(ctx, a.ID, RecordInput{Result: "irgendwas"}), "result")
	res, err := s.RecordResolution(ctx, a.ID, ResolutionInput{Text: "1. x", VotesYes: 4, Public: true}, MajoritySimple)
	if err != nil {
		t.Fatal(err)
	}
	var city Organisation
	s.r(ctx).Where("is_chair = ?", false).First(&city)
	if _, err := s.AddMinuteNote(ctx, a.ID, &res.ID, city.ID, "Wir tragen den Beschluss mit, bitten aber um eine Übergangsfrist."); err != nil {
		t.Fatal(err)
	}
	_, err = s.AddMinuteNote(ctx, a.ID, nil, city.ID, " ")
	fieldErr(t, err, "note")
	// Put to the vote: members comment, the draft is frozen.
	fieldErr(t, s.ApproveMinutes(ctx, m.ID, res.ID, m.EndsAt), "minutes") // still a draft
	if err := s.SetMinutesStatus(ctx, m.ID, MinutesVoting); err != nil {
		t.Fatal(err)
	}
	member := &User{Email: "m@x.example", Role: RoleMember}
	s.w(ctx).Create(member)
	if err := s.CommentMinutes(ctx, member, m.ID, "In TOP 01 fehlt der Hinweis auf …"); err != nil {
		t.Fatal(err)
	}
	fieldErr(t, s.RecordItem(ctx, a.ID, RecordInput{Discussion: "geändert", Result: ResultDiscussed}), "minutes")
	// Approval needs an adopted resolution of a LATER meeting.
	fieldErr(t, s.ApproveMinutes(ctx, m.ID, res.ID, m.EndsAt), "resolution")
	later, _ := s.CreateMeeting(ctx, MeetingInput{Kind: MeetingVideo, Title: "Juli", Date: "2026-07-08", Start: "10:00", End: "11:00", VideoURL: "https://meet.example/x"})
	_ = s.SetMeetingStatus(ctx, later.ID, StatusInvited, m.EndsAt)
	item, _ := s.AddAgendaItem(ctx, later.ID, AgendaItemInput{Category: "A", Title: "Genehmigung des Protokolls", Outcome: KindDecision}, m.EndsAt)
	seats, _ := s.SeatsOn(ctx, later.StartsAt)
	var entries []AttendanceEntry
	for _, st := range seats {
		entries = append(entries, AttendanceEntry{PersonID: st.PersonID, Presence: PresenceAttended})
	}
	_, _ = s.RecordAttendance(ctx, later.ID, entries, later.StartsAt)
	approval, err := s.RecordResolution(ctx, item.ID, ResolutionInput{Text: "1. Das Protokoll der Sitzung vom 10.06.2026 wird genehmigt.", VotesYes: 5}, MajoritySimple)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ApproveMinutes(ctx, m.ID, approval.ID, later.EndsAt); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Meeting(ctx, m.ID)
	mins, _, _ := s.MinutesOf(ctx, m.ID)
	if got.Status != StatusApproved || mins.Status != MinutesApproved || mins.ApprovedByID == nil || *mins.ApprovedByID != approval.ID {
		t.Fatalf("approval: meeting %s, minutes %+v", got.Status, mins)
	}
	// Approved minutes never change; a correction is a new, linked record.
	fieldErr(t, s.RecordItem(ctx, a.ID, RecordInput{Discussion: "nachträglich", Result: ResultDiscussed}), "minutes")
	_, err = s.RecordResolution(ctx, a.ID, ResolutionInput{Text: "1. nachträglich", VotesYes: 1}, MajoritySimple)
	fieldErr(t, err, "minutes")
	_, err = s.AddMinuteNote(ctx, a.ID, nil, city.ID, "nachträglich")
	fieldErr(t, err, "minutes")
	fieldErr(t, s.SetMinutesStatus(ctx, m.ID, MinutesDraft), "minutes")
	c, err := s.AddCorrection(ctx, m.ID, "In TOP 01 muss es „Bund“ statt „Land“ heißen.")
	if err != nil {
		t.Fatal(err)
	}
	_, corrections, _ := s.MinutesOf(ctx, m.ID)
	if len(corrections) != 1 || corrections[0].ID != c.ID || *corrections[0].CorrectsID != mins.ID {
		t.Fatalf("corrections: %+v", corrections)
	}
	items, _ := s.Agenda(ctx, m.ID)
	if items[0].Discussion != "Der Bund erläutert …" {
		t.Fatal("the approved discussion changed")
	}
	// The register: public for everyone, internal only for the committee.
	if err := s.SetFollowUp(ctx, res.ID, FollowActive, "Land Hessen prüft"); err != nil {
		t.Fatal(err)
	}
	fieldErr(t, s.SetFollowUp(ctx, res.ID, "irgendwann", ""), "follow_up")
	public, _ := s.Resolutions(ctx, ResolutionFilter{})
	all, _ := s.Resolutions(ctx, ResolutionFilter{Internal: true})
	if len(public) != 1 || len(all) != 2 || public[0].FollowUp != FollowActive || len(public[0].Notes) != 1 {
		t.Fatalf("register: public %d, all %d", len(public), len(all))
	}
	if y, _ := s.Resolutions(ctx, ResolutionFilter{Internal: true, Year: 2025}); len(y) != 0 {
		t.Fatal("year filter")
	}
}
