package models

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestNthWeekday(t *testing.T) {
	for _, tc := range []struct {
		y       int
		m       time.Month
		wd      time.Weekday
		ord     int
		want    string
		present bool
	}{
		{2026, time.January, time.Wednesday, 2, "2026-01-14", true},
		{2026, time.March, time.Sunday, -1, "2026-03-29", true},
		{2026, time.October, time.Sunday, -1, "2026-10-25", true},
		{2026, time.April, time.Wednesday, 1, "2026-04-01", true},
		{2026, time.February, time.Monday, 4, "2026-02-23", true},
	} {
		got, ok := NthWeekday(tc.y, tc.m, tc.wd, tc.ord)
		if ok != tc.present || got.Format("2006-01-02") != tc.want {
			t.Errorf("NthWeekday(%d, %s, %s, %d) = %s %v, want %s", tc.y, tc.m, tc.wd, tc.ord, got.Format("2006-01-02"), ok, tc.want)
		}
	}
}

func TestSeriesKeepsWallClockAcrossDST(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	// Last Sunday of each month: March 29 and October 25, 2026 are the
	// very days of the clock changes.
	series, ms, err := s.CreateSeries(ctx, SeriesInput{Title: "Reihe", Weekday: int(time.Sunday), Ordinal: -1,
		StartTime: "10:00", EndTime: "11:30", VideoURL: "https://meet.example/kog", Year: 2026, From: day("2026-02-15")})
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 11 {
		t.Fatalf("%d meetings from mid-February, want 11 (Feb–Dec)", len(ms))
	}
	for _, m := range ms {
		local := m.StartsAt.In(berlin)
		if local.Format("15:04") != "10:00" || m.EndsAt.Sub(m.StartsAt) != 90*time.Minute || *m.SeriesID != series.ID {
			t.Errorf("%s: starts %s local, lasts %s", local.Format("2006-01-02"), local.Format("15:04"), m.EndsAt.Sub(m.StartsAt))
		}
	}
	utcHour := map[string]int{}
	for _, m := range ms {
		utcHour[m.StartsAt.In(berlin).Format("2006-01-02")] = m.StartsAt.UTC().Hour()
	}
	if utcHour["2026-02-22"] != 9 || utcHour["2026-03-29"] != 8 || utcHour["2026-10-25"] != 9 {
		t.Fatalf("UTC hours around DST wrong: %v", utcHour)
	}
	// Moving one date leaves the others alone and raises its sequence.
	moved, err := s.UpdateMeeting(ctx, ms[2].ID, MeetingInput{Kind: MeetingVideo, Title: "Reihe (verschoben)", Date: "2026-04-30",
		Start: "14:00", End: "15:00", VideoURL: "https://meet.example/kog"})
	if err != nil {
		t.Fatal(err)
	}
	if moved.Sequence != 1 || moved.StartsAt.In(berlin).Format("2006-01-02 15:04") != "2026-04-30 14:00" || *moved.SeriesID != series.ID {
		t.Fatalf("moved meeting wrong: %+v", moved)
	}
	other, _ := s.Meeting(ctx, ms[3].ID)
	if other.Sequence != 0 || !other.StartsAt.Equal(ms[3].StartsAt) {
		t.Fatal("moving one date changed another")
	}
	_, _, err = s.CreateSeries(ctx, SeriesInput{Title: "", Weekday: 9, Ordinal: 7, Year: 1999})
	var ve *ValidationError
	if !errors.As(err, &ve) || len(ve.Fields) < 4 {
		t.Fatalf("bad series input: %v", err)
	}
}

func TestMeetingLifecycle(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	m, err := s.CreateMeeting(ctx, MeetingInput{Kind: MeetingInPerson, Title: "Präsenz", Date: "2026-05-20", Start: "10:00", End: "16:00", Location: "Frankfurt"})
	if err != nil {
		t.Fatal(err)
	}
	before, during := day("2026-05-01"), time.Date(2026, 5, 20, 12, 0, 0, 0, berlin)
	illegal := []MeetingStatus{StatusHeld, StatusApproved, StatusPlanned, StatusCancelled}
	for _, to := range illegal {
		fieldErr(t, s.SetMeetingStatus(ctx, m.ID, to, before), "status")
	}
	if err := s.SetMeetingStatus(ctx, m.ID, StatusInvited, before); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Meeting(ctx, m.ID)
	if got.Number != 1 || got.InvitedAt == nil || got.Sequence != 1 {
		t.Fatalf("invitation: number %d, invited %v, sequence %d", got.Number, got.InvitedAt, got.Sequence)
	}
	fieldErr(t, s.SetMeetingStatus(ctx, m.ID, StatusHeld, before), "status") // not begun yet
	if err := s.SetMeetingStatus(ctx, m.ID, StatusHeld, during); err != nil {
		t.Fatal(err)
	}
	fieldErr(t, s.CancelMeeting(ctx, m.ID, "zu spät", during), "status")
	// Only ApproveMinutes leads to "Protokoll genehmigt".
	fieldErr(t, s.SetMeetingStatus(ctx, m.ID, StatusApproved, during), "status")
	_, err = s.UpdateMeeting(ctx, m.ID, MeetingInput{Kind: MeetingInPerson, Title: "x", Date: "2026-05-21", Start: "10:00", End: "11:00", Location: "y"})
	fieldErr(t, err, "status")

	m2, _ := s.CreateMeeting(ctx, MeetingInput{Kind: MeetingVideo, Title: "Video", Date: "2026-06-10", Start: "10:00", End: "11:00",
		VideoURL: "https://meet.example/x", Deadline: "2026-06-01"})
	if m2.Deadline().In(berlin).Format("2006-01-02 15:04") != "2026-06-01 23:59" {
		t.Fatalf("own deadline: %v", m2.Deadline())
	}
	fieldErr(t, s.CancelMeeting(ctx, m2.ID, " ", before), "reason")
	if err := s.CancelMeeting(ctx, m2.ID, "Terminkonflikt mit dem IT-PLR", before); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Meeting(ctx, m2.ID)
	if got.Status != StatusCancelled || got.CancelReason == "" || got.Sequence != 1 {
		t.Fatalf("cancel: %+v", got)
	}
	fieldErr(t, s.SetMeetingStatus(ctx, m2.ID, StatusInvited, before), "status")
	for field, in := range map[string]MeetingInput{
		"kind":      {Kind: "telefon", Title: "a", Date: "2026-06-10", Start: "10:00", End: "11:00"},
		"title":     {Kind: MeetingInPerson, Date: "2026-06-10", Start: "10:00", End: "11:00", Location: "x"},
		"end":       {Kind: MeetingInPerson, Title: "a", Date: "2026-06-10", Start: "10:00", End: "09:00", Location: "x"},
		"video_url": {Kind: MeetingVideo, Title: "a", Date: "2026-06-10", Start: "10:00", End: "11:00", VideoURL: "javascript:alert(1)"},
		"location":  {Kind: MeetingInPerson, Title: "a", Date: "2026-06-10", Start: "10:00", End: "11:00"},
		"date":      {Kind: MeetingInPerson, Title: "a", Date: "31.12.", Start: "10:00", End: "11:00", Location: "x"},
		"deadline":  {Kind: MeetingInPerson, Title: "a", Date: "2026-06-10", Start: "10:00", End: "11:00", Location: "x", Deadline: "2026-06-10"},
	} {
		_, err := s.CreateMeeting(ctx, in)
		fieldErr(t, err, field)
	}
}

// quorumFixture: five voting members (one with a deputy), the chair and a
// guest; one invited meeting.
func quorumFixture(t *testing.T) (*Store, *Meeting, []Membership, *Membership, *Person) {
	t.Helper()
	s := newTestStore(t)
	ctx := context.Background()
	chairOrg := &Organisation{Name: "FITKO", Kind: OrgFederal, IsChair: true}
	if err := s.SaveOrganisation(ctx, chairOrg); err != nil {
		t.Fatal(err)
	}
	var members []Membership
	for _, name := range []string{"A", "B", "C", "D", "E"} {
		o := &Organisation{Name: "Stadt " + name, Kind: OrgCity, Seats: 1}
		if err := s.SaveOrganisation(ctx, o); err != nil {
			t.Fatal(err)
		}
		p := &Person{Name: "Mitglied " + name}
		s.w(ctx).Create(p)
		m := Membership{PersonID: p.ID, OrganisationID: o.ID, Role: SeatMember, Voting: true, StartDate: day("2025-01-01")}
		if err := s.StartMembership(ctx, &m); err != nil {
			t.Fatal(err)
		}
		members = append(members, m)
	}
	dep := &Person{Name: "Vertretung A"}
	s.w(ctx).Create(dep)
	depTerm := &Membership{PersonID: dep.ID, OrganisationID: members[0].OrganisationID, Role: SeatDeputy, DeputyForID: &members[0].ID, StartDate: day("2025-01-01")}
	if err := s.StartMembership(ctx, depTerm); err != nil {
		t.Fatal(err)
	}
	chair := &Person{Name: "Vorsitz"}
	s.w(ctx).Create(chair)
	if err := s.StartMembership(ctx, &Membership{PersonID: chair.ID, OrganisationID: chairOrg.ID, Role: SeatChair, StartDate: day("2025-01-01")}); err != nil {
		t.Fatal(err)
	}
	mt, err := s.CreateMeeting(ctx, MeetingInput{Kind: MeetingVideo, Title: "V", Date: "2026-06-10", Start: "10:00", End: "11:00", VideoURL: "https://meet.example/x"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetMeetingStatus(ctx, mt.ID, StatusInvited, day("2026-05-01")); err != nil {
		t.Fatal(err)
	}
	return s, mt, members, depTerm, dep
}

func TestRegistrationRules(t *testing.T) {
	s, mt, members, _, dep := quorumFixture(t)
	ctx := context.Background()
	before := day("2026-06-01")
	a := members[0].PersonID
	if err := s.Register(ctx, mt.ID, a, AnswerAttend, nil, before); err != nil {
		t.Fatal(err)
	}
	if err := s.Register(ctx, mt.ID, a, AnswerExcused, nil, before); err != nil { // change of mind
		t.Fatal(err)
	}
	rs, _ := s.Registrations(ctx, mt.ID)
	if len(rs) != 1 || rs[0].Answer != AnswerExcused {
		t.Fatalf("answers: %+v", rs)
	}
	fieldErr(t, s.Register(ctx, mt.ID, a, AnswerRepresented, nil, before), "substitute")
	other := members[1].PersonID
	fieldErr(t, s.Register(ctx, mt.ID, other, AnswerRepresented, &dep.ID, before), "substitute") // not B's deputy
	if err := s.Register(ctx, mt.ID, a, AnswerRepresented, &dep.ID, before); err != nil {
		t.Fatal(err)
	}
	fieldErr(t, s.Register(ctx, mt.ID, a, "vielleicht", nil, before), "answer")
	fieldErr(t, s.Register(ctx, mt.ID, a, AnswerAttend, nil, mt.StartsAt), "answer") // closed at the start
	if err := s.Register(ctx, mt.ID, dep.ID, AnswerAttend, nil, before); !errors.Is(err, ErrForbidden) {
		t.Fatalf("a deputy answered for themselves: %v", err)
	}
}

func TestQuorumComputation(t *testing.T) {
	s, mt, members, _, dep := quorumFixture(t)
	ctx := context.Background()
	at := mt.StartsAt
	entry := func(i int, p Presence) AttendanceEntry {
		return AttendanceEntry{PersonID: members[i].PersonID, Presence: p}
	}
	// 5 voting seats, more than half → 3 needed. Two present + A represented = 3.
	m, err := s.RecordAttendance(ctx, mt.ID, []AttendanceEntry{
		{PersonID: members[0].PersonID, Presence: PresenceRepresented, RepresentedByID: &dep.ID},
		entry(1, PresenceAttended), entry(2, PresenceAttended), entry(3, PresenceExcused), entry(4, PresenceExcused),
	}, at)
	if err != nil {
		t.Fatal(err)
	}
	if !m.QuorumReached || m.QuorumPresent != 3 || m.QuorumSeats != 5 || m.QuorumRequired != 3 {
		t.Fatalf("quorum: reached %v present %d seats %d required %d", m.QuorumReached, m.QuorumPresent, m.QuorumSeats, m.QuorumRequired)
	}
	// Without the represented seat: 2 of 5 — no quorum. Guests never count.
	m, _ = s.RecordAttendance(ctx, mt.ID, []AttendanceEntry{entry(1, PresenceAttended), entry(2, PresenceAttended),
		{PersonID: dep.ID, Presence: PresenceGuest}}, at)
	if m.QuorumReached || m.QuorumPresent != 2 {
		t.Fatalf("2 of 5 reached quorum: %+v", m)
	}
	list, _ := s.AttendanceList(ctx, mt.ID)
	if len(list) != 3 {
		t.Fatalf("attendance list has %d rows, want 3 (replaced, not appended)", len(list))
	}
	_, err = s.RecordAttendance(ctx, mt.ID, []AttendanceEntry{{PersonID: members[1].PersonID, Presence: PresenceRepresented, RepresentedByID: &dep.ID}}, at)
	fieldErr(t, err, "attendance") // dep is not B's deputy
	_, err = s.RecordAttendance(ctx, mt.ID, []AttendanceEntry{{PersonID: dep.ID, Presence: PresenceAttended}}, at)
	fieldErr(t, err, "attendance") // no seat of their own
	// A stricter rule applies to the next record; the snapshot keeps its numbers.
	if err := s.SetQuorumRule(ctx, QuorumRule{Num: 2, Den: 3, Strict: false}); err != nil {
		t.Fatal(err)
	}
	m, _ = s.RecordAttendance(ctx, mt.ID, []AttendanceEntry{entry(0, PresenceAttended), entry(1, PresenceAttended), entry(2, PresenceAttended)}, at)
	if m.QuorumRequired != 4 || m.QuorumReached {
		t.Fatalf("2/3 of 5 needs 4: %+v", m)
	}
	fieldErr(t, s.SetQuorumRule(ctx, QuorumRule{Num: 3, Den: 2}), "quorum")
	for _, tc := range []struct {
		q           QuorumRule
		seats, want int
	}{{DefaultQuorum, 14, 8}, {DefaultQuorum, 13, 7}, {QuorumRule{2, 3, false}, 14, 10}, {QuorumRule{2, 3, true}, 12, 9}, {QuorumRule{1, 2, false}, 14, 7}} {
		if got := tc.q.Required(tc.seats); got != tc.want {
			t.Errorf("%+v of %d seats requires %d, want %d", tc.q, tc.seats, got, tc.want)
		}
	}
}

func TestCalendarToken(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	u := &User{Email: "a@b.example", Role: RoleReader}
	s.w(ctx).Create(u)
	now := day("2026-06-01")
	if tok, _ := s.CalendarToken(ctx, u.ID); tok != "" {
		t.Fatal("a token exists before it was created")
	}
	first, err := s.RenewCalendarToken(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.UserByCalendarToken(ctx, first, now); err != nil || got.ID != u.ID {
		t.Fatalf("valid token refused: %v", err)
	}
	second, _ := s.RenewCalendarToken(ctx, u.ID)
	if second == first {
		t.Fatal("regeneration kept the token")
	}
	if _, err := s.UserByCalendarToken(ctx, first, now); !errors.Is(err, ErrNotFound) {
		t.Fatal("old token still valid after regeneration")
	}
	if err := s.RevokeCalendarToken(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UserByCalendarToken(ctx, second, now); !errors.Is(err, ErrNotFound) {
		t.Fatal("revoked token still valid")
	}
	for _, bad := range []string{"", "abc", "1-", "999-xyz", first + "x"} {
		if _, err := s.UserByCalendarToken(ctx, bad, now); !errors.Is(err, ErrNotFound) {
			t.Errorf("token %q: %v", bad, err)
		}
	}
}
