package models

import (
	"context"
	"errors"
	"testing"
	"time"
)

const (
	issA = "https://idp-a.example"
	issB = "https://idp-b.example"
)

// auditOf lists the audit entries of an action about a user, oldest first.
func auditOf(t *testing.T, s *Store, targetID uint, action string) []AuditEntry {
	t.Helper()
	var es []AuditEntry
	if err := s.db.Where("target_user_id = ? AND action = ?", targetID, action).Order("id").Find(&es).Error; err != nil {
		t.Fatal(err)
	}
	return es
}

func TestSignInCreatesAndUpdatesByIssuerAndSubject(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newTestStore(t)

	first := mustSignIn(t, s, Identity{Issuer: issA, Subject: "42", Email: "anna@example.org", EmailVerified: true, Name: "Anna"})
	if first.ID == 0 || first.Role != RoleReader || first.Disabled {
		t.Fatalf("first sign-in: %+v, want a new enabled reader", first)
	}
	if first.Issuer == nil || *first.Issuer != issA || first.Subject == nil || *first.Subject != "42" {
		t.Fatalf("first sign-in bound %v|%v, want %s|42", first.Issuer, first.Subject, issA)
	}
	if first.LastLoginAt == nil || !first.LastLoginAt.Equal(t0) {
		t.Errorf("LastLoginAt = %v, want %v", first.LastLoginAt, t0)
	}

	// The provider reports a new name and e-mail: same account, new data.
	later := t0.Add(24 * time.Hour)
	again, err := s.SignIn(ctx, Identity{Issuer: issA, Subject: "42", Email: "anna.neu@example.org", EmailVerified: true, Name: "Anna Neu"}, nil, "198.51.100.2", later)
	if err != nil {
		t.Fatal(err)
	}
	if again.ID != first.ID {
		t.Fatalf("second sign-in gave account %d, want %d", again.ID, first.ID)
	}
	stored, err := s.User(ctx, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Name != "Anna Neu" || stored.Email != "anna.neu@example.org" || !stored.LastLoginAt.Equal(later) {
		t.Errorf("stored after second sign-in: %q %q %v; want Anna Neu, anna.neu@example.org, %v", stored.Name, stored.Email, stored.LastLoginAt, later)
	}
	// An empty claim does not wipe what is known.
	mustSignIn(t, s, Identity{Issuer: issA, Subject: "42"})
	if stored, _ = s.User(ctx, first.ID); stored.Name != "Anna Neu" || stored.Email != "anna.neu@example.org" {
		t.Errorf("sign-in without name/e-mail claims wiped them: %q %q", stored.Name, stored.Email)
	}

	// The same subject at another provider is another person.
	other := mustSignIn(t, s, Identity{Issuer: issB, Subject: "42", Email: "anna.neu@example.org", EmailVerified: true})
	if other.ID == first.ID {
		t.Fatal("same subject at another issuer got the same account")
	}
	if n := count(t, s, &User{}); n != 2 {
		t.Errorf("%d accounts, want 2", n)
	}
}

func TestSignInWritesAudit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newTestStore(t)
	u := mustSignIn(t, s, Identity{Issuer: issA, Subject: "a"})
	es := auditOf(t, s, u.ID, AuditLogin)
	if len(es) != 1 {
		t.Fatalf("%d login entries, want 1", len(es))
	}
	e := es[0]
	if e.ActorID == nil || *e.ActorID != u.ID || e.IP != "192.0.2.1" || !e.CreatedAt.Equal(t0) {
		t.Errorf("login entry = actor %v ip %q at %v; want actor %d, 192.0.2.1, %v", e.ActorID, e.IP, e.CreatedAt, u.ID, t0)
	}
	hist, err := s.SignInHistory(ctx, u.ID, 10)
	if err != nil || len(hist) != 1 || hist[0].ID != e.ID {
		t.Errorf("SignInHistory = %v, %v; want the one entry", hist, err)
	}
}

func TestSignInTakesOverInvitation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cases := []struct {
		name      string
		id        Identity
		takesOver bool
	}{
		{"verified matching e-mail", Identity{Issuer: issA, Subject: "m1", Email: "max@example.org", EmailVerified: true}, true},
		{"verified, other case", Identity{Issuer: issA, Subject: "m1", Email: "Max@Example.ORG", EmailVerified: true}, true},
		{"unverified matching e-mail", Identity{Issuer: issA, Subject: "m1", Email: "max@example.org"}, false},
		{"verified other e-mail", Identity{Issuer: issA, Subject: "m1", Email: "moritz@example.org", EmailVerified: true}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestStore(t)
			inv, err := s.InviteUser(ctx, "max@example.org", "Max Mertens", RoleMember)
			if err != nil {
				t.Fatal(err)
			}
			u := mustSignIn(t, s, tc.id)
			invNow, err := s.User(ctx, inv.ID)
			if err != nil {
				t.Fatal(err)
			}
			if tc.takesOver {
				if u.ID != inv.ID || u.Role != RoleMember || invNow.Subject == nil || *invNow.Subject != "m1" {
					t.Fatalf("sign-in = account %d role %s; want invitation %d bound, role member", u.ID, u.Role, inv.ID)
				}
				if n := count(t, s, &User{}); n != 1 {
					t.Errorf("%d accounts, want 1", n)
				}
				// A second identity with the same verified e-mail does not
				// get the account that is now bound.
				intruder := mustSignIn(t, s, Identity{Issuer: issB, Subject: "x", Email: "max@example.org", EmailVerified: true})
				if intruder.ID == inv.ID || intruder.Role != RoleReader {
					t.Errorf("second identity got account %d role %s", intruder.ID, intruder.Role)
				}
				return
			}
			if u.ID == inv.ID || u.Role != RoleReader {
				t.Fatalf("sign-in = account %d role %s; want a new reader", u.ID, u.Role)
			}
			if invNow.Issuer != nil || invNow.Subject != nil || invNow.Role != RoleMember {
				t.Errorf("invitation changed: %v|%v role %s", invNow.Issuer, invNow.Subject, invNow.Role)
			}
		})
	}

	t.Run("seeded demo account", func(t *testing.T) {
		s := newTestStore(t)
		if _, err := s.SeedDemo(ctx); err != nil {
			t.Fatal(err)
		}
		a := DemoAccounts[1] // the chair
		invited := userByEmail(t, s, a.Email)
		u := mustSignIn(t, s, Identity{Issuer: issA, Subject: a.Subject, Email: a.Email, EmailVerified: true, Name: a.Name})
		if u.ID != invited.ID {
			t.Fatalf("demo sign-in got account %d, want the seeded %d", u.ID, invited.ID)
		}
		if role, err := s.EffectiveRole(ctx, u, t0); err != nil || role != a.Role {
			t.Errorf("effective role %q (%v), want %q", role, err, a.Role)
		}
	})
}

func TestSignInConfiguredAdmins(t *testing.T) {
	t.Parallel()
	admins := []string{issA + "|boss", "chefin@example.org"}
	cases := []struct {
		name string
		id   Identity
		want Role
	}{
		{"issuer|subject", Identity{Issuer: issA, Subject: "boss"}, RoleAdmin},
		{"subject at another issuer", Identity{Issuer: issB, Subject: "boss"}, RoleReader},
		{"verified e-mail", Identity{Issuer: issA, Subject: "c1", Email: "chefin@example.org", EmailVerified: true}, RoleAdmin},
		{"verified e-mail, other case", Identity{Issuer: issA, Subject: "c2", Email: "Chefin@Example.org", EmailVerified: true}, RoleAdmin},
		{"unverified e-mail", Identity{Issuer: issA, Subject: "c3", Email: "chefin@example.org"}, RoleReader},
		{"nobody", Identity{Issuer: issA, Subject: "c4", Email: "x@example.org", EmailVerified: true}, RoleReader},
		// The "issuer|subject" entry is not an e-mail: no match by e-mail.
		{"e-mail equal to an issuer|subject entry", Identity{Issuer: issB, Subject: "c5", Email: issA + "|boss", EmailVerified: true}, RoleReader},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestStore(t)
			u := mustSignIn(t, s, tc.id, admins...)
			if u.Role != tc.want {
				t.Fatalf("role = %s, want %s", u.Role, tc.want)
			}
			if stored, _ := s.User(context.Background(), u.ID); stored.Role != tc.want {
				t.Fatalf("stored role = %s, want %s", stored.Role, tc.want)
			}
		})
	}
}

func TestSignInDisabledUser(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newTestStore(t)
	admin := mustSignIn(t, s, Identity{Issuer: issA, Subject: "admin"}, issA+"|admin")
	u := mustSignIn(t, s, Identity{Issuer: issA, Subject: "u", Name: "Vorher"})
	if err := s.SetUserDisabled(ctx, admin, u.ID, true, ""); err != nil {
		t.Fatal(err)
	}
	got, err := s.SignIn(ctx, Identity{Issuer: issA, Subject: "u", Name: "Nachher"}, nil, "", t0.Add(time.Second))
	if !errors.Is(err, ErrUserDisabled) || got != nil {
		t.Fatalf("SignIn of a disabled account = %v, %v; want ErrUserDisabled", got, err)
	}
	stored, _ := s.User(ctx, u.ID)
	if stored.Name != "Vorher" || !stored.LastLoginAt.Equal(t0) {
		t.Errorf("refused sign-in changed the account: %q %v", stored.Name, stored.LastLoginAt)
	}
	if n := len(auditOf(t, s, u.ID, AuditLogin)); n != 1 {
		t.Errorf("%d login entries, want 1 (the refused one is not a sign-in)", n)
	}
	// Configured admins are locked out too: config does not undo a lock.
	if _, err := s.SignIn(ctx, Identity{Issuer: issA, Subject: "u"}, []string{issA + "|u"}, "", t0); !errors.Is(err, ErrUserDisabled) {
		t.Errorf("disabled configured admin: %v, want ErrUserDisabled", err)
	}
}

func TestInviteUser(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newTestStore(t)
	u, err := s.InviteUser(ctx, " neu@example.org ", "Neu", RoleChair)
	if err != nil {
		t.Fatal(err)
	}
	if u.Email != "neu@example.org" || u.Role != RoleChair || u.Issuer != nil {
		t.Errorf("invitation = %+v", u)
	}
	again, err := s.InviteUser(ctx, "NEU@example.org", "Anders", RoleReader)
	if err != nil || again.ID != u.ID || again.Role != RoleChair || again.Name != "Neu" {
		t.Errorf("second invitation = %+v, %v; want the first unchanged", again, err)
	}
	var ve *ValidationError
	if _, err := s.InviteUser(ctx, "kein-at", "", RoleReader); !errors.As(err, &ve) || ve.Fields["email"] == "" {
		t.Errorf("invalid e-mail: %v, want a validation error on email", err)
	}
	if _, err := s.InviteUser(ctx, "x@example.org", "", Role("root")); !errors.As(err, &ve) || ve.Fields["role"] == "" {
		t.Errorf("invalid role: %v, want a validation error on role", err)
	}
	if n := count(t, s, &User{}); n != 1 {
		t.Errorf("%d accounts, want 1", n)
	}
}

// adminFixture: a configured admin, a chair, a member with two sessions and
// a reader with one.
type adminFixture struct {
	s                            *Store
	admin, chair, member, reader *User
	memberTokens                 []string
	readerToken                  string
}

func newAdminFixture(t *testing.T) *adminFixture {
	t.Helper()
	ctx := context.Background()
	s := newTestStore(t)
	f := &adminFixture{s: s}
	f.admin = mustSignIn(t, s, Identity{Issuer: issA, Subject: "admin"}, issA+"|admin")
	f.chair = mustSignIn(t, s, Identity{Issuer: issA, Subject: "chair"})
	f.member = mustSignIn(t, s, Identity{Issuer: issA, Subject: "member"})
	f.reader = mustSignIn(t, s, Identity{Issuer: issA, Subject: "reader"})
	for u, r := range map[*User]Role{f.chair: RoleChair, f.member: RoleMember} {
		if err := s.SetUserRole(ctx, f.admin, u.ID, r, ""); err != nil {
			t.Fatal(err)
		}
		u.Role = r
	}
	for range 2 {
		tok, _, err := s.CreateSession(ctx, f.member.ID, "", "", "", "", t0)
		if err != nil {
			t.Fatal(err)
		}
		f.memberTokens = append(f.memberTokens, tok)
	}
	tok, _, err := s.CreateSession(ctx, f.reader.ID, "", "", "", "", t0)
	if err != nil {
		t.Fatal(err)
	}
	f.readerToken = tok
	return f
}

func TestSetUserRole(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newAdminFixture(t)
	s := f.s
	cases := []struct {
		name    string
		actor   *User
		target  uint
		role    Role
		wantErr error
	}{
		{"reader may not", f.reader, f.member.ID, RoleChair, ErrForbidden},
		{"member may not", f.member, f.reader.ID, RoleMember, ErrForbidden},
		{"chair may not", f.chair, f.reader.ID, RoleMember, ErrForbidden},
		{"admin may not change own role", f.admin, f.admin.ID, RoleReader, ErrForbidden},
		{"disabled admin may not", &User{ID: f.admin.ID, Role: RoleAdmin, Disabled: true}, f.reader.ID, RoleMember, ErrForbidden},
		{"no such role", f.admin, f.reader.ID, Role("root"), ErrForbidden},
		{"no such user", f.admin, 4711, RoleMember, ErrNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := dumpTables(t, s)
			if err := s.SetUserRole(ctx, tc.actor, tc.target, tc.role, "192.0.2.9"); !errors.Is(err, tc.wantErr) {
				t.Fatalf("SetUserRole = %v, want %v", err, tc.wantErr)
			}
			assertSameTables(t, before, dumpTables(t, s))
		})
	}

	t.Run("admin sets a role", func(t *testing.T) {
		if err := s.SetUserRole(ctx, f.admin, f.reader.ID, RoleChair, "192.0.2.9"); err != nil {
			t.Fatal(err)
		}
		if u, _ := s.User(ctx, f.reader.ID); u.Role != RoleChair {
			t.Fatalf("role = %s, want chair", u.Role)
		}
		es := auditOf(t, s, f.reader.ID, AuditRoleChanged)
		if len(es) != 1 || es[0].ActorID == nil || *es[0].ActorID != f.admin.ID || es[0].Detail != "reader → chair" || es[0].IP != "192.0.2.9" {
			t.Fatalf("audit = %+v, want one role change by the admin, reader → chair", es)
		}
		// Setting the same role again is no change and writes no entry.
		if err := s.SetUserRole(ctx, f.admin, f.reader.ID, RoleChair, ""); err != nil {
			t.Fatal(err)
		}
		if n := len(auditOf(t, s, f.reader.ID, AuditRoleChanged)); n != 1 {
			t.Errorf("%d role change entries, want 1", n)
		}
	})
}

func TestSetUserDisabled(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newAdminFixture(t)
	s := f.s
	cases := []struct {
		name    string
		actor   *User
		target  uint
		wantErr error
	}{
		{"reader may not", f.reader, f.member.ID, ErrForbidden},
		{"member may not", f.member, f.reader.ID, ErrForbidden},
		{"chair may not", f.chair, f.member.ID, ErrForbidden},
		{"admin may not disable self", f.admin, f.admin.ID, ErrForbidden},
		{"disabled admin may not", &User{ID: f.admin.ID, Role: RoleAdmin, Disabled: true}, f.member.ID, ErrForbidden},
		{"no such user", f.admin, 4711, ErrNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := dumpTables(t, s)
			if err := s.SetUserDisabled(ctx, tc.actor, tc.target, true, ""); !errors.Is(err, tc.wantErr) {
				t.Fatalf("SetUserDisabled = %v, want %v", err, tc.wantErr)
			}
			assertSameTables(t, before, dumpTables(t, s))
		})
	}

	t.Run("admin disables and enables", func(t *testing.T) {
		if err := s.SetUserDisabled(ctx, f.admin, f.member.ID, true, "192.0.2.9"); err != nil {
			t.Fatal(err)
		}
		if u, _ := s.User(ctx, f.member.ID); !u.Disabled {
			t.Fatal("member not disabled")
		}
		if n, _ := s.CountSessions(ctx, f.member.ID); n != 0 {
			t.Errorf("disabled member keeps %d sessions, want 0", n)
		}
		for _, tok := range f.memberTokens {
			if _, err := s.SessionByToken(ctx, tok, t0.Add(2*time.Second)); !errors.Is(err, ErrSessionExpired) {
				t.Errorf("session of the disabled member: %v, want ErrSessionExpired", err)
			}
		}
		if n, _ := s.CountSessions(ctx, f.reader.ID); n != 1 {
			t.Errorf("the reader lost a session: %d left, want 1", n)
		}
		if _, err := s.SessionByToken(ctx, f.readerToken, t0.Add(2*time.Second)); err != nil {
			t.Errorf("reader's session: %v", err)
		}
		es := auditOf(t, s, f.member.ID, AuditUserDisabled)
		if len(es) != 1 || es[0].ActorID == nil || *es[0].ActorID != f.admin.ID || es[0].IP != "192.0.2.9" {
			t.Fatalf("audit = %+v, want one user_disabled entry by the admin", es)
		}

		if err := s.SetUserDisabled(ctx, f.admin, f.member.ID, false, ""); err != nil {
			t.Fatal(err)
		}
		if u, _ := s.User(ctx, f.member.ID); u.Disabled {
			t.Fatal("member still disabled")
		}
		if n := len(auditOf(t, s, f.member.ID, AuditUserEnabled)); n != 1 {
			t.Errorf("%d user_enabled entries, want 1", n)
		}
		// Enabling does not bring sessions back: the member signs in anew.
		if n, _ := s.CountSessions(ctx, f.member.ID); n != 0 {
			t.Errorf("%d sessions after enabling, want 0", n)
		}
		mustSignIn(t, s, Identity{Issuer: issA, Subject: "member"})
	})
}
