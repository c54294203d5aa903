package models

import (
	"context"
	"errors"
	"testing"
	"time"
)

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func dayPtr(s string) *time.Time { t := day(s); return &t }

// membershipFixture: a city with one seat, FITKO in the chair, two people.
type membershipFixture struct {
	s                     *Store
	city, chair, kgst     *Organisation
	anna, bert, carl, dan *Person
}

func newMembershipFixture(t *testing.T) *membershipFixture {
	t.Helper()
	s := newTestStore(t)
	ctx := context.Background()
	f := &membershipFixture{s: s}
	f.city = &Organisation{Name: "Stadt Musterstadt", Kind: OrgCity, Seats: 1}
	f.chair = &Organisation{Name: "FITKO", Kind: OrgFederal, IsChair: true}
	f.kgst = &Organisation{Name: "KGSt", Kind: OrgKGSt, Seats: 2}
	for _, o := range []*Organisation{f.city, f.chair, f.kgst} {
		if err := s.SaveOrganisation(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []**Person{&f.anna, &f.bert, &f.carl, &f.dan} {
		*p = &Person{Name: "P"}
		if err := s.w(ctx).Create(*p).Error; err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func fieldErr(t *testing.T, err error, field string) {
	t.Helper()
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("want a validation error on %q, got %v", field, err)
	}
	if ve.Fields[field] == "" {
		t.Fatalf("want a message on %q, got %v", field, ve.Fields)
	}
}

func TestMembershipRules(t *testing.T) {
	f := newMembershipFixture(t)
	ctx := context.Background()
	anna := &Membership{PersonID: f.anna.ID, OrganisationID: f.city.ID, Role: SeatMember, Voting: true, StartDate: day("2024-01-01")}
	if err := f.s.StartMembership(ctx, anna); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		m     Membership
		field string
	}{
		{"end before start", Membership{PersonID: f.bert.ID, OrganisationID: f.kgst.ID, Role: SeatMember, StartDate: day("2025-05-01"), EndDate: dayPtr("2025-04-30")}, "end"},
		{"seat already taken", Membership{PersonID: f.bert.ID, OrganisationID: f.city.ID, Role: SeatMember, StartDate: day("2025-01-01")}, "start"},
		{"seat taken for part of the term", Membership{PersonID: f.bert.ID, OrganisationID: f.city.ID, Role: SeatMember, StartDate: day("2023-01-01"), EndDate: dayPtr("2024-01-01")}, "start"},
		{"same person twice", Membership{PersonID: f.anna.ID, OrganisationID: f.city.ID, Role: SeatGuest, StartDate: day("2025-01-01")}, "organisation"},
		{"deputy without member", Membership{PersonID: f.bert.ID, OrganisationID: f.city.ID, Role: SeatDeputy, StartDate: day("2025-01-01")}, "deputy_for"},
		{"deputy of another organisation", Membership{PersonID: f.bert.ID, OrganisationID: f.kgst.ID, Role: SeatDeputy, DeputyForID: &anna.ID, StartDate: day("2025-01-01")}, "deputy_for"},
		{"deputy before the member's term", Membership{PersonID: f.bert.ID, OrganisationID: f.city.ID, Role: SeatDeputy, DeputyForID: &anna.ID, StartDate: day("2023-06-01")}, "deputy_for"},
		{"deputy with a vote", Membership{PersonID: f.bert.ID, OrganisationID: f.city.ID, Role: SeatDeputy, DeputyForID: &anna.ID, Voting: true, StartDate: day("2025-01-01")}, "voting"},
		{"member names a deputy target", Membership{PersonID: f.bert.ID, OrganisationID: f.kgst.ID, Role: SeatMember, DeputyForID: &anna.ID, StartDate: day("2025-01-01")}, "deputy_for"},
		{"chair role at a member organisation", Membership{PersonID: f.bert.ID, OrganisationID: f.city.ID, Role: SeatChair, StartDate: day("2025-01-01")}, "role"},
		{"member seat at the chair", Membership{PersonID: f.bert.ID, OrganisationID: f.chair.ID, Role: SeatMember, StartDate: day("2025-01-01")}, "role"},
		{"unknown role", Membership{PersonID: f.bert.ID, OrganisationID: f.kgst.ID, Role: "boss", StartDate: day("2025-01-01")}, "role"},
		{"no organisation", Membership{PersonID: f.bert.ID, OrganisationID: 9999, Role: SeatGuest, StartDate: day("2025-01-01")}, "organisation"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := tc.m
			fieldErr(t, f.s.StartMembership(ctx, &m), tc.field)
			if m.ID != 0 {
				t.Fatal("a refused term was stored")
			}
		})
	}
	// Allowed: a deputy inside the member's term, KGSt's two seats, a successor after the end.
	ok := []Membership{
		{PersonID: f.bert.ID, OrganisationID: f.city.ID, Role: SeatDeputy, DeputyForID: &anna.ID, StartDate: day("2024-02-01")},
		{PersonID: f.carl.ID, OrganisationID: f.kgst.ID, Role: SeatMember, Voting: true, StartDate: day("2024-01-01")},
		{PersonID: f.dan.ID, OrganisationID: f.kgst.ID, Role: SeatMember, Voting: true, StartDate: day("2024-01-01")},
	}
	for i := range ok {
		if err := f.s.StartMembership(ctx, &ok[i]); err != nil {
			t.Fatalf("term %d refused: %v", i, err)
		}
	}
	third := Membership{PersonID: f.bert.ID, OrganisationID: f.kgst.ID, Role: SeatMember, StartDate: day("2025-01-01")}
	fieldErr(t, f.s.StartMembership(ctx, &third), "start") // KGSt has two seats, both taken
}

func TestEndMembershipKeepsHistory(t *testing.T) {
	f := newMembershipFixture(t)
	ctx := context.Background()
	anna := &Membership{PersonID: f.anna.ID, OrganisationID: f.city.ID, Role: SeatMember, Voting: true, StartDate: day("2024-01-01")}
	deputy := &Membership{PersonID: f.bert.ID, OrganisationID: f.city.ID, Role: SeatDeputy, StartDate: day("2024-01-01")}
	if err := f.s.StartMembership(ctx, anna); err != nil {
		t.Fatal(err)
	}
	deputy.DeputyForID = &anna.ID
	if err := f.s.StartMembership(ctx, deputy); err != nil {
		t.Fatal(err)
	}
	fieldErr(t, f.s.EndMembership(ctx, anna.ID, day("2023-12-31"), ""), "end")
	if err := f.s.EndMembership(ctx, anna.ID, day("2025-06-30"), "Ruhestand"); err != nil {
		t.Fatal(err)
	}
	fieldErr(t, f.s.EndMembership(ctx, anna.ID, day("2025-07-30"), ""), "end") // ends once
	ms, err := f.s.MembershipsOfOrganisation(ctx, f.city.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 {
		t.Fatalf("history has %d terms, want 2 (ending never deletes)", len(ms))
	}
	for _, m := range ms {
		if m.EndDate == nil || !m.EndDate.Equal(day("2025-06-30")) {
			t.Fatalf("term %d (%s) ends %v, want 2025-06-30 (the deputy ends with the member)", m.ID, m.Role, m.EndDate)
		}
	}
	// The seat is free again after the end, not before.
	early := &Membership{PersonID: f.carl.ID, OrganisationID: f.city.ID, Role: SeatMember, StartDate: day("2025-06-30")}
	fieldErr(t, f.s.StartMembership(ctx, early), "start")
	next := &Membership{PersonID: f.carl.ID, OrganisationID: f.city.ID, Role: SeatMember, StartDate: day("2025-07-01")}
	if err := f.s.StartMembership(ctx, next); err != nil {
		t.Fatalf("successor refused: %v", err)
	}
	if !anna.ActiveOn(day("2025-06-30")) || anna.ActiveOn(day("2023-12-31")) {
		t.Fatal("ActiveOn wrong at the term's edges")
	}
}

func TestEffectiveRoleAtDate(t *testing.T) {
	f := newMembershipFixture(t)
	ctx := context.Background()
	user := &User{Email: "anna@example.org", Role: RoleReader}
	if err := f.s.w(ctx).Create(user).Error; err != nil {
		t.Fatal(err)
	}
	f.s.w(ctx).Model(f.anna).Update("user_id", user.ID)
	terms := []*Membership{
		{PersonID: f.anna.ID, OrganisationID: f.city.ID, Role: SeatMember, StartDate: day("2024-01-01"), EndDate: dayPtr("2024-12-31")},
		{PersonID: f.anna.ID, OrganisationID: f.chair.ID, Role: SeatChair, StartDate: day("2025-01-01"), EndDate: dayPtr("2025-12-31")},
		{PersonID: f.anna.ID, OrganisationID: f.kgst.ID, Role: SeatGuest, StartDate: day("2026-01-01")},
	}
	for _, m := range terms {
		if err := f.s.StartMembership(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		at   string
		want Role
	}{
		{"2023-12-31", RoleReader}, {"2024-01-01", RoleMember}, {"2024-12-31", RoleMember},
		{"2025-06-01", RoleChair}, {"2026-03-01", RoleReader},
	} {
		got, err := f.s.EffectiveRole(ctx, user, day(tc.at).Add(10*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("role on %s = %q, want %q", tc.at, got, tc.want)
		}
	}
	admin := *user
	admin.Role = RoleAdmin
	if got, _ := f.s.EffectiveRole(ctx, &admin, day("2024-06-01")); got != RoleAdmin {
		t.Errorf("membership lowered an admin to %q", got)
	}
	admin.Disabled = true
	if got, _ := f.s.EffectiveRole(ctx, &admin, day("2024-06-01")); got != RoleAnonymous {
		t.Errorf("disabled account has role %q", got)
	}
}

func TestInvitePersonBindsAtFirstSignIn(t *testing.T) {
	f := newMembershipFixture(t)
	ctx := context.Background()
	p, err := f.s.InvitePerson(ctx, Invitation{Name: "Nora Neu", Email: "nora@musterstadt.example",
		OrganisationID: f.kgst.ID, Role: SeatMember, Voting: true, StartDate: day("2026-01-01")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.s.InvitePerson(ctx, Invitation{Name: "Nora Neu", Email: "nora@musterstadt.example",
		OrganisationID: f.kgst.ID, Role: SeatMember, StartDate: day("2026-01-01")})
	fieldErr(t, err, "email")
	_, err = f.s.InvitePerson(ctx, Invitation{Name: "", Email: "kaputt", OrganisationID: f.kgst.ID, Role: SeatMember, StartDate: day("2026-01-01")})
	fieldErr(t, err, "email")
	fieldErr(t, err, "name")
	// A refused invitation leaves nothing behind.
	_, err = f.s.InvitePerson(ctx, Invitation{Name: "Olaf", Email: "olaf@musterstadt.example", OrganisationID: f.chair.ID, Role: SeatMember, StartDate: day("2026-01-01")})
	fieldErr(t, err, "role")
	var n int64
	f.s.r(ctx).Model(&User{}).Where("email = ?", "olaf@musterstadt.example").Count(&n)
	if n != 0 {
		t.Fatal("a refused invitation created an account")
	}
	u, err := f.s.SignIn(ctx, Identity{Issuer: "https://idp.example", Subject: "nora-1", Email: "nora@musterstadt.example", EmailVerified: true, Name: "Nora Neu"}, nil, "", day("2026-02-01"))
	if err != nil {
		t.Fatal(err)
	}
	bound, err := f.s.PersonOfUser(ctx, u.ID)
	if err != nil || bound.ID != p.ID {
		t.Fatalf("person not bound to the signed-in account: %v", err)
	}
	if role, _ := f.s.EffectiveRole(ctx, u, day("2026-02-01")); role != RoleMember {
		t.Fatalf("invited member lands as %q", role)
	}
}

// TestInvitationIgnoresUnverifiedAccounts: someone who signed in with an
// unverified copy of the invitee's address must not receive the seat.
func TestInvitationIgnoresUnverifiedAccounts(t *testing.T) {
	f := newMembershipFixture(t)
	ctx := context.Background()
	attacker, err := f.s.SignIn(ctx, Identity{Issuer: "https://idp.example", Subject: "evil", Email: "vera@musterstadt.example", EmailVerified: false}, nil, "", day("2026-01-01"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := f.s.InvitePerson(ctx, Invitation{Name: "Vera", Email: "vera@musterstadt.example", OrganisationID: f.kgst.ID, Role: SeatMember, StartDate: day("2026-01-01")})
	if err != nil {
		t.Fatal(err)
	}
	if p.UserID == nil || *p.UserID == attacker.ID {
		t.Fatal("the invitation went to an account with an unverified e-mail")
	}
	if role, _ := f.s.EffectiveRole(ctx, attacker, day("2026-02-01")); role != RoleReader {
		t.Fatalf("attacker got role %q", role)
	}
	invitee, _ := f.s.SignIn(ctx, Identity{Issuer: "https://idp.example", Subject: "vera", Email: "vera@musterstadt.example", EmailVerified: true}, nil, "", day("2026-02-01"))
	if role, _ := f.s.EffectiveRole(ctx, invitee, day("2026-02-01")); role != RoleMember {
		t.Fatalf("the verified invitee is %q", role)
	}
}

func TestUpdateProfileAndOrganisationValidation(t *testing.T) {
	f := newMembershipFixture(t)
	ctx := context.Background()
	fieldErr(t, f.s.UpdateProfile(ctx, f.anna.ID, PersonProfile{Name: " "}), "name")
	fieldErr(t, f.s.UpdateProfile(ctx, f.anna.ID, PersonProfile{Name: "Anna", Phone: "<script>"}), "phone")
	fieldErr(t, f.s.UpdateProfile(ctx, f.anna.ID, PersonProfile{Name: "Anna", ShowPhone: true}), "show_phone")
	if err := f.s.UpdateProfile(ctx, f.anna.ID, PersonProfile{Name: "Anna A.", Phone: "+49 341 123-0", ShowPhone: true}); err != nil {
		t.Fatal(err)
	}
	if err := f.s.UpdateProfile(ctx, 9999, PersonProfile{Name: "X"}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown person: %v", err)
	}
	for field, o := range map[string]Organisation{
		"name":    {Kind: OrgCity, Seats: 1},
		"kind":    {Name: "A", Kind: "firma", Seats: 1},
		"ags":     {Name: "B", Kind: OrgCity, AGS: "1471300", Seats: 1},
		"website": {Name: "C", Kind: OrgCity, Website: "javascript:alert(1)", Seats: 1},
		"state":   {Name: "D", Kind: OrgCity, State: "Bayer", Seats: 1},
		"seats":   {Name: "E", Kind: OrgCity, Seats: 9},
	} {
		o := o
		fieldErr(t, f.s.SaveOrganisation(ctx, &o), field)
	}
	dup := Organisation{Name: "stadt musterstadt", Kind: OrgCity, Seats: 1}
	fieldErr(t, f.s.SaveOrganisation(ctx, &dup), "name")
	good := Organisation{Name: "Stadt Neustadt", Kind: OrgCity, AGS: "071350001234", Website: "https://neustadt.example", Seats: 1}
	if err := f.s.SaveOrganisation(ctx, &good); err != nil {
		t.Fatal(err)
	}
}
