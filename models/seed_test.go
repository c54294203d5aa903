package models

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
)

// dumpTables returns every row of every table, rendered as text, so a test
// can tell whether anything at all changed.
func dumpTables(t *testing.T, s *Store) map[string][]string {
	t.Helper()
	var tables []string
	if err := s.db.Raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").
		Scan(&tables).Error; err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, table := range tables {
		rows, err := s.db.Raw(fmt.Sprintf("SELECT * FROM %q ORDER BY rowid", table)).Rows()
		if err != nil {
			t.Fatalf("dump %s: %v", table, err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			out[table] = append(out[table], fmt.Sprintf("%v", vals))
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// totalChanges counts the rows the writer connection has changed since it
// was opened; the writer pool has exactly one connection.
func totalChanges(t *testing.T, s *Store) int64 {
	t.Helper()
	var n int64
	if err := s.db.Raw("SELECT total_changes()").Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func assertSameTables(t *testing.T, before, after map[string][]string) {
	t.Helper()
	for _, table := range slices.Sorted(maps.Keys(after)) {
		if !slices.Equal(before[table], after[table]) {
			t.Errorf("table %s changed:\nbefore %q\nafter  %q", table, before[table], after[table])
		}
	}
	if len(before) != len(after) {
		t.Errorf("tables before %v, after %v", slices.Sorted(maps.Keys(before)), slices.Sorted(maps.Keys(after)))
	}
}

func userByEmail(t *testing.T, s *Store, email string) *User {
	t.Helper()
	var us []User
	if err := s.db.Where("lower(email) = ?", strings.ToLower(email)).Find(&us).Error; err != nil {
		t.Fatal(err)
	}
	if len(us) != 1 {
		t.Fatalf("%d accounts for %s, want 1", len(us), email)
	}
	return &us[0]
}

func TestSeedDemoOnEmptyDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newTestStore(t)
	if empty, err := s.IsEmpty(ctx); err != nil || !empty {
		t.Fatalf("IsEmpty on a new database = %v, %v; want true", empty, err)
	}

	created, err := s.SeedDemo(ctx)
	if err != nil {
		t.Fatalf("SeedDemo: %v", err)
	}
	// SeedDemo reports the records it created: organisations, accounts,
	// people, terms, meetings, topics and agenda items (not the rows that
	// come with them, such as attendance, answers, history or comments).
	rows := count(t, s, &Organisation{}) + count(t, s, &User{}) + count(t, s, &Person{}) +
		count(t, s, &Membership{}) + count(t, s, &Meeting{}) + count(t, s, &Topic{}) + count(t, s, &AgendaItem{}) +
		count(t, s, &Profile{})
	if int64(created) != rows || created == 0 {
		t.Errorf("SeedDemo reported %d created records, the database holds %d", created, rows)
	}

	orgs, err := s.Organisations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(orgs) != 14 {
		t.Errorf("%d organisations, want 14 (FITKO and 13 members)", len(orgs))
	}
	if got := CommitteeSeats(orgs); got != 14 {
		t.Errorf("CommitteeSeats = %d, want 14", got)
	}
	var chairs []Organisation
	for _, o := range orgs {
		if o.IsChair {
			chairs = append(chairs, o)
		}
		if o.ShortName == "KGSt" && o.Seats != 2 {
			t.Errorf("KGSt has %d seats, want 2", o.Seats)
		}
	}
	if len(chairs) != 1 || chairs[0].ShortName != "FITKO" || !strings.Contains(chairs[0].Name, "FITKO") {
		t.Fatalf("chairs = %+v, want exactly FITKO", chairs)
	}
	if chairs[0].Seats != 0 {
		t.Errorf("the chair FITKO has %d seats, want 0", chairs[0].Seats)
	}
	if orgs[0].ID != chairs[0].ID {
		t.Errorf("Organisations lists %s first, want the chair", orgs[0].Name)
	}

	// Every seat is filled: 14 current voting members, one chair.
	current, err := s.CurrentMemberships(ctx, t0)
	if err != nil {
		t.Fatal(err)
	}
	perRole := map[SeatRole]int{}
	for _, m := range current {
		perRole[m.Role]++
	}
	if perRole[SeatMember] != 14 || perRole[SeatChair] != 1 {
		t.Errorf("current terms per role = %v, want 14 members and 1 chair", perRole)
	}

	// The four demo accounts wait as invitations (no identity bound yet)
	// and hold their role, assigned or through their seat.
	for _, a := range DemoAccounts {
		u := userByEmail(t, s, a.Email)
		if u.Issuer != nil || u.Subject != nil {
			t.Errorf("%s is bound to %v|%v, want an invitation", a.Email, u.Issuer, u.Subject)
		}
		if u.Name != a.Name || u.Disabled {
			t.Errorf("%s: name %q disabled %v, want %q enabled", a.Email, u.Name, u.Disabled, a.Name)
		}
		if role, err := s.EffectiveRole(ctx, u, t0); err != nil || role != a.Role {
			t.Errorf("%s: effective role %q (%v), want %q", a.Email, role, err, a.Role)
		}
	}

	if v, err := s.Setting(ctx, demoMarker); err != nil || v != "1" {
		t.Errorf("demo marker = %q, %v; want 1", v, err)
	}
	if empty, err := s.IsEmpty(ctx); err != nil || empty {
		t.Errorf("IsEmpty after seeding = %v, %v; want false", empty, err)
	}
}

func TestSeedDemoTwiceChangesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newTestStore(t)
	if _, err := s.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}

	reseed := func(t *testing.T) {
		t.Helper()
		before, changes := dumpTables(t, s), totalChanges(t, s)
		created, err := s.SeedDemo(ctx)
		if err != nil || created != 0 {
			t.Fatalf("SeedDemo again = %d, %v; want 0, nil", created, err)
		}
		if n := totalChanges(t, s) - changes; n != 0 {
			t.Errorf("SeedDemo again changed %d rows, want 0", n)
		}
		assertSameTables(t, before, dumpTables(t, s))
	}
	t.Run("right after seeding", reseed)

	// A demo account that signed in (and so was bound to its identity) is
	// left alone, and no second account appears for its e-mail.
	t.Run("after a demo sign-in", func(t *testing.T) {
		a := DemoAccounts[2]
		invited := userByEmail(t, s, a.Email)
		u := mustSignIn(t, s, Identity{Issuer: "https://dev.example", Subject: a.Subject, Email: a.Email, EmailVerified: true, Name: a.Name})
		if u.ID != invited.ID {
			t.Fatalf("sign-in created account %d, want the invitation %d", u.ID, invited.ID)
		}
		reseed(t)
		if got := userByEmail(t, s, a.Email); got.Subject == nil || *got.Subject != a.Subject {
			t.Errorf("reseeding unbound %s", a.Email)
		}
	})
}

func TestSeedDemoRefusesRealData(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cases := []struct {
		name  string
		setup func(t *testing.T, s *Store)
	}{
		{"organisation", func(t *testing.T, s *Store) {
			if err := s.SaveOrganisation(ctx, &Organisation{Name: "Stadt Echtdorf", Kind: OrgCity, Seats: 1}); err != nil {
				t.Fatal(err)
			}
		}},
		{"signed-in user", func(t *testing.T, s *Store) {
			mustSignIn(t, s, Identity{Issuer: "https://idp.example", Subject: "real", Email: "real@example.org", EmailVerified: true})
		}},
		{"invited user", func(t *testing.T, s *Store) {
			if _, err := s.InviteUser(ctx, "real@example.org", "Echt", RoleMember); err != nil {
				t.Fatal(err)
			}
		}},
		// Real data that happens to look like demo data is real data too.
		{"user with a demo e-mail", func(t *testing.T, s *Store) {
			if _, err := s.InviteUser(ctx, DemoAccounts[0].Email, "", RoleAdmin); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestStore(t)
			tc.setup(t, s)
			before, changes := dumpTables(t, s), totalChanges(t, s)
			created, err := s.SeedDemo(ctx)
			if !errors.Is(err, ErrNotDemoDatabase) || created != 0 {
				t.Fatalf("SeedDemo = %d, %v; want 0, ErrNotDemoDatabase", created, err)
			}
			if n := totalChanges(t, s) - changes; n != 0 {
				t.Errorf("refused SeedDemo changed %d rows", n)
			}
			assertSameTables(t, before, dumpTables(t, s))
		})
	}
}
