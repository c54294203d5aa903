package models

import (
	"context"
	"database/sql"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"log/slog"
	"maps"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"
)

// schemaDump returns every table, index and trigger definition of the
// database, so two states of the schema can be compared.
func schemaDump(t testing.TB, s *Store) []string {
	t.Helper()
	var rows []struct{ Type, Name, SQL string }
	if err := s.db.Raw("SELECT type, name, coalesce(sql, '') AS sql FROM sqlite_master ORDER BY type, name").Scan(&rows).Error; err != nil {
		t.Fatalf("read sqlite_master: %v", err)
	}
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.Type + " " + r.Name + ": " + r.SQL
	}
	return out
}

func appliedMigrations(t testing.TB, s *Store) []string {
	t.Helper()
	var ids []string
	if err := s.db.Table(migrationsTable).Order("id").Pluck("id", &ids).Error; err != nil {
		t.Fatalf("read %s: %v", migrationsTable, err)
	}
	return ids
}

func TestMigrateEmptyDatabaseToHead(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openTestStore(t, filepath.Join(t.TempDir(), "kog.db"), testSecret)

	if ok, _ := s.MigrationsCurrent(ctx); ok {
		t.Fatal("MigrationsCurrent on an empty database = true, want false")
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	ok, err := s.MigrationsCurrent(ctx)
	if err != nil || !ok {
		t.Fatalf("MigrationsCurrent after Migrate = %v, %v; want true, nil", ok, err)
	}
	var want []string
	for _, m := range migrations {
		want = append(want, m.ID)
	}
	slices.Sort(want)
	if got := appliedMigrations(t, s); !slices.Equal(got, want) {
		t.Fatalf("%s holds %q, want %q", migrationsTable, got, want)
	}
	if !slices.Contains(want, "0001_foundation") {
		t.Fatalf("0001_foundation is not among the migrations %q", want)
	}
	for _, table := range []string{"settings", "organisations", "users", "sessions", "login_states", "audit_entries"} {
		if !s.db.Migrator().HasTable(table) {
			t.Errorf("table %s missing after Migrate", table)
		}
	}

	// A second run is a no-op: same schema, same migration records.
	before := schemaDump(t, s)
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	if after := schemaDump(t, s); !slices.Equal(before, after) {
		t.Fatalf("second Migrate changed the schema:\nbefore %q\nafter  %q", before, after)
	}
	if got := appliedMigrations(t, s); !slices.Equal(got, want) {
		t.Fatalf("after second Migrate %s holds %q, want %q", migrationsTable, got, want)
	}
}

// TestMigrateRefusesUnknownMigration: a binary older than the database
// (a migration it does not know is recorded) must not touch the schema.
func TestMigrateRefusesUnknownMigration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newTestStore(t)
	if err := s.db.Exec("INSERT INTO " + migrationsTable + " (id) VALUES ('9999_from_the_future')").Error; err != nil {
		t.Fatal(err)
	}
	before := schemaDump(t, s)
	if err := s.Migrate(ctx); err == nil {
		t.Fatal("Migrate accepted a database with an unknown migration")
	}
	if after := schemaDump(t, s); !slices.Equal(before, after) {
		t.Fatal("refused Migrate changed the schema")
	}
}

// allModels lists every live model, by type name. TestRoundTripEveryColumn
// and TestModelsMatchMigratedSchema cover each of them, and
// TestAllModelsListed fails when a new model (an exported struct with gorm
// tags) is missing here.
var allModels = map[string]any{
	"Setting": &Setting{}, "Organisation": &Organisation{}, "User": &User{}, "Session": &Session{},
	"LoginState": &LoginState{}, "AuditEntry": &AuditEntry{}, "Person": &Person{}, "Membership": &Membership{},
	"Series": &Series{}, "Meeting": &Meeting{}, "Registration": &Registration{}, "Attendance": &Attendance{},
	"CalendarFeed": &CalendarFeed{}, "Topic": &Topic{}, "CoSign": &CoSign{}, "TopicEvent": &TopicEvent{},
	"Comment": &Comment{}, "AgendaItem": &AgendaItem{}, "Attachment": &Attachment{},
	"Resolution": &Resolution{}, "MinuteNote": &MinuteNote{}, "Minutes": &Minutes{}, "MinutesComment": &MinutesComment{},
	"Profile": &Profile{}, "ProfileVersion": &ProfileVersion{}, "ProfileEvent": &ProfileEvent{}, "Feedback": &Feedback{},
	"ProfileComment": &ProfileComment{}, "ProfileView": &ProfileView{},
}

// gormModelsInSource lists the exported struct types of the package's
// non-test files that carry gorm tags.
func gormModelsInSource(t *testing.T) []string {
	t.Helper()
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, spec := range gd.Specs {
				ts := spec.(*ast.TypeSpec)
				st, ok := ts.Type.(*ast.StructType)
				if !ok || !ts.Name.IsExported() {
					continue
				}
				for _, field := range st.Fields.List {
					if field.Tag != nil && strings.Contains(field.Tag.Value, "gorm:") {
						names = append(names, ts.Name.Name)
						break
					}
				}
			}
		}
	}
	slices.Sort(names)
	return names
}

func TestAllModelsListed(t *testing.T) {
	t.Parallel()
	got := gormModelsInSource(t)
	want := slices.Sorted(maps.Keys(allModels))
	if !slices.Equal(got, want) {
		t.Fatalf("models with gorm tags in the source: %q\nallModels in db_test.go: %q\nadd the new model to allModels: TestRoundTripEveryColumn and TestModelsMatchMigratedSchema then cover it", got, want)
	}
}

// TestModelsMatchMigratedSchema guards against drift between the live structs
// and the snapshot structs of the migrations: every column a model writes
// must exist after migrating, and no column may be left unmapped.
func TestModelsMatchMigratedSchema(t *testing.T) {
	t.Parallel()
	s := newTestStore(t)
	for name, m := range allModels {
		stmt := &gorm.Statement{DB: s.db}
		if err := stmt.Parse(m); err != nil {
			t.Fatalf("parse %s: %v", name, err)
		}
		cols, err := s.db.Migrator().ColumnTypes(m)
		if err != nil {
			t.Fatalf("columns of %s: %v", stmt.Schema.Table, err)
		}
		have := map[string]bool{}
		for _, c := range cols {
			have[c.Name()] = true
		}
		for _, col := range stmt.Schema.DBNames {
			if !have[col] {
				t.Errorf("%s writes column %s.%s, which no migration creates", name, stmt.Schema.Table, col)
			}
			delete(have, col)
		}
		for col := range have {
			t.Errorf("column %s.%s is not mapped by %s", stmt.Schema.Table, col, name)
		}
	}
}

// recordDiffs compares two records of the same struct type field by field:
// times with Equal (the database may change the location), association
// structs are skipped (they are loaded separately).
func recordDiffs(want, got any) []string {
	wv, gv := reflect.ValueOf(want), reflect.ValueOf(got)
	if wv.Kind() == reflect.Pointer {
		wv, gv = wv.Elem(), gv.Elem()
	}
	var diffs []string
	timeType := reflect.TypeOf(time.Time{})
	for i := 0; i < wv.NumField(); i++ {
		f := wv.Type().Field(i)
		w, g := wv.Field(i), gv.Field(i)
		switch {
		case f.Type == timeType:
			if !w.Interface().(time.Time).Equal(g.Interface().(time.Time)) {
				diffs = append(diffs, fmt.Sprintf("%s: got %v, want %v", f.Name, g.Interface(), w.Interface()))
			}
		case f.Type == reflect.PointerTo(timeType):
			wt, gt := w.Interface().(*time.Time), g.Interface().(*time.Time)
			if (wt == nil) != (gt == nil) || (wt != nil && !wt.Equal(*gt)) {
				diffs = append(diffs, fmt.Sprintf("%s: got %v, want %v", f.Name, gt, wt))
			}
		case f.Type.Kind() == reflect.Struct, f.Type.Kind() == reflect.Pointer && f.Type.Elem().Kind() == reflect.Struct:
			// association
		default:
			if !reflect.DeepEqual(w.Interface(), g.Interface()) {
				diffs = append(diffs, fmt.Sprintf("%s: got %#v, want %#v", f.Name, g.Interface(), w.Interface()))
			}
		}
	}
	return diffs
}

func TestRecordDiffsSeesChanges(t *testing.T) {
	t.Parallel()
	a := User{ID: 1, Issuer: ptr("i"), Email: "a@example.org", LastLoginAt: ptr(t0), CreatedAt: t0}
	b := a
	if d := recordDiffs(&a, &b); len(d) != 0 {
		t.Fatalf("equal records differ: %q", d)
	}
	b.Issuer, b.Email, b.LastLoginAt, b.CreatedAt = ptr("j"), "b@example.org", ptr(t0.Add(time.Nanosecond)), t0.Add(time.Second)
	if d := recordDiffs(&a, &b); len(d) != 4 {
		t.Fatalf("recordDiffs found %q, want 4 differences", d)
	}
}

// TestRoundTripEveryModel writes realistic records of each model with their
// relations, reads them back through the read-only pool and the Store's
// own read methods, and compares every field.
func TestRoundTripEveryModel(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newTestStore(t)
	// Sub-second parts check that timestamps keep their precision.
	at := t0.Add(123456789 * time.Nanosecond)
	later := at.Add(90 * time.Minute)

	// roundTrip creates want through the writer and reads it back by its
	// primary key through the read-only pool, which must see the committed
	// row; every field must come back as written.
	roundTrip := func(t *testing.T, want any) {
		t.Helper()
		// Compare with the record as written, not with want after Create:
		// GORM writes column defaults back into the struct.
		written := reflect.New(reflect.TypeOf(want).Elem())
		written.Elem().Set(reflect.ValueOf(want).Elem())
		if err := s.w(ctx).Create(want).Error; err != nil {
			t.Fatalf("create %T: %v", want, err)
		}
		stmt := &gorm.Statement{DB: s.db}
		if err := stmt.Parse(want); err != nil {
			t.Fatal(err)
		}
		pk := stmt.Schema.PrioritizedPrimaryField
		key, zero := pk.ValueOf(ctx, reflect.ValueOf(want).Elem())
		if zero {
			t.Fatalf("%T has no primary key after create", want)
		}
		if err := pk.Set(ctx, written.Elem(), key); err != nil {
			t.Fatal(err)
		}
		got := reflect.New(reflect.TypeOf(want).Elem()).Interface()
		if err := s.r(ctx).Where(pk.DBName+" = ?", key).First(got).Error; err != nil {
			t.Fatalf("read %T back: %v", got, err)
		}
		for _, d := range recordDiffs(written.Interface(), got) {
			t.Errorf("%T %s", got, d)
		}
	}

	t.Run("Setting", func(t *testing.T) {
		want := &Setting{Key: "test_key", Value: "Wert mit Umlauten: äöüß"}
		roundTrip(t, want)
		if v, err := s.Setting(ctx, want.Key); err != nil || v != want.Value {
			t.Errorf("Store.Setting = %q, %v; want %q", v, err, want.Value)
		}
		if v, err := s.Setting(ctx, "never_set"); err != nil || v != "" {
			t.Errorf("Store.Setting(never_set) = %q, %v; want \"\", nil", v, err)
		}
	})

	city := &Organisation{Name: "Stadt Musterhausen", ShortName: "Musterhausen", Kind: OrgCity, State: "Hessen",
		AGS: "06411000", Website: "https://www.musterhausen.example", RepresentedBy: "Deutscher Städtetag", Seats: 2,
		CreatedAt: at, UpdatedAt: later}
	// The chair holds no seat: a zero must be stored as zero, not replaced
	// by the column default.
	chair := &Organisation{Name: "Vorsitz ohne Sitz", Kind: OrgFederal, IsChair: true, Seats: 0, CreatedAt: at, UpdatedAt: at}
	for _, want := range []*Organisation{city, chair} {
		t.Run("Organisation/"+want.Name, func(t *testing.T) {
			roundTrip(t, want)
			viaStore, err := s.Organisation(ctx, want.ID)
			if err != nil {
				t.Fatalf("Store.Organisation: %v", err)
			}
			for _, d := range recordDiffs(want, viaStore) {
				t.Errorf("Store.Organisation %s", d)
			}
		})
	}

	user := &User{Issuer: ptr("https://idp.example"), Subject: ptr("sub-1"), Email: "a.b@example.org",
		EmailVerified: true, Name: "Anna Beispiel", Role: RoleMember, Disabled: true, LastLoginAt: ptr(later),
		CreatedAt: at, UpdatedAt: later}
	invited := &User{Email: "invited@example.org", Role: RoleReader, CreatedAt: at, UpdatedAt: at}
	t.Run("User", func(t *testing.T) {
		roundTrip(t, user)
		viaStore, err := s.User(ctx, user.ID)
		if err != nil {
			t.Fatalf("Store.User: %v", err)
		}
		for _, d := range recordDiffs(user, viaStore) {
			t.Errorf("Store.User %s", d)
		}
		roundTrip(t, invited) // no identity yet: NULL issuer and subject
	})

	t.Run("Session", func(t *testing.T) {
		want := &Session{ID: strings.Repeat("ab", 32), UserID: user.ID, CSRFToken: "csrf-token",
			IDToken: "eyJ.header.payload", IP: "2001:db8::1", UserAgent: "Mozilla/5.0",
			CreatedAt: at, LastSeenAt: later, ExpiresAt: at.Add(SessionAbsoluteTimeout)}
		roundTrip(t, want)
		var withUser Session
		if err := s.r(ctx).Preload("User").First(&withUser, "id = ?", want.ID).Error; err != nil {
			t.Fatal(err)
		}
		if withUser.User.ID != user.ID || withUser.User.Email != user.Email {
			t.Errorf("Session.User = %d %q, want %d %q", withUser.User.ID, withUser.User.Email, user.ID, user.Email)
		}
	})

	t.Run("LoginState", func(t *testing.T) {
		roundTrip(t, &LoginState{ID: strings.Repeat("cd", 32), Nonce: "nonce", Verifier: strings.Repeat("v", 128),
			Next: "/sitzungen/1?tab=tagesordnung", CreatedAt: at, ExpiresAt: at.Add(LoginStateTTL)})
	})

	t.Run("AuditEntry", func(t *testing.T) {
		roundTrip(t, &AuditEntry{CreatedAt: at, ActorID: &user.ID, TargetUserID: &invited.ID, Action: AuditRoleChanged,
			Detail: "reader → member", IP: "192.0.2.7"})
		es, total, err := s.AuditEntries(ctx, 10, 0)
		if err != nil || total != 1 || len(es) != 1 {
			t.Fatalf("AuditEntries = %d entries, total %d, %v; want 1", len(es), total, err)
		}
		if es[0].Actor == nil || es[0].Actor.ID != user.ID || es[0].Target == nil || es[0].Target.ID != invited.ID {
			t.Errorf("AuditEntries did not load actor %d and target %d: %+v", user.ID, invited.ID, es[0])
		}
	})

	person := &Person{UserID: &user.ID, Name: "Anna Beispiel", Email: "a.b@example.org", Phone: "+49 341 123-0",
		Position: "CDO", ShowEmail: true, ShowPhone: true, CreatedAt: at, UpdatedAt: later}
	t.Run("Person", func(t *testing.T) {
		roundTrip(t, person)
		roundTrip(t, &Person{Name: "Ohne Konto", CreatedAt: at, UpdatedAt: at})
	})

	t.Run("Membership", func(t *testing.T) {
		member := &Membership{PersonID: person.ID, OrganisationID: city.ID, Role: SeatMember, Voting: true,
			StartDate: Day(at), EndDate: ptr(Day(later.AddDate(1, 0, 0))), EndReason: "Wechsel", CreatedAt: at, UpdatedAt: later}
		roundTrip(t, member)
		deputy := &Person{Name: "Vertretung", CreatedAt: at, UpdatedAt: at}
		if err := s.w(ctx).Create(deputy).Error; err != nil {
			t.Fatal(err)
		}
		roundTrip(t, &Membership{PersonID: deputy.ID, OrganisationID: city.ID, Role: SeatDeputy, DeputyForID: &member.ID,
			StartDate: Day(at), CreatedAt: at, UpdatedAt: at})
		m, err := s.Membership(ctx, member.ID)
		if err != nil {
			t.Fatal(err)
		}
		if m.Person == nil || m.Person.ID != person.ID || m.Organisation == nil || m.Organisation.ID != city.ID {
			t.Errorf("Store.Membership did not load person %d and organisation %d", person.ID, city.ID)
		}
	})

}

// fillRecord sets every column of the model record rv to a value derived
// from n: distinct per field and per n, never zero. Associations are left
// alone; an auto-increment primary key stays zero for the database to set.
func fillRecord(t *testing.T, sch *schema.Schema, rv reflect.Value, n int) {
	t.Helper()
	ctx := context.Background()
	at := t0.Add(time.Duration(n)*time.Hour + 123456789)
	for i, f := range sch.Fields {
		if f.DBName == "" || (f.PrimaryKey && f.AutoIncrement) {
			continue
		}
		ft := f.FieldType
		ptr := ft.Kind() == reflect.Pointer
		if ptr {
			ft = ft.Elem()
		}
		v := reflect.New(ft).Elem()
		switch {
		case ft == reflect.TypeOf(time.Time{}):
			v.Set(reflect.ValueOf(at.Add(time.Duration(i) * time.Minute)))
		case ft.Kind() == reflect.String:
			str := fmt.Sprintf("%s-%d", f.Name, n)
			if f.Size > 0 && len(str) > f.Size {
				str = str[len(str)-f.Size:]
			}
			v.SetString(str)
		case ft.Kind() == reflect.Bool:
			v.SetBool(true)
		case ft.Kind() >= reflect.Int && ft.Kind() <= reflect.Int64:
			v.SetInt(int64(n*100 + i + 1))
		case ft.Kind() >= reflect.Uint && ft.Kind() <= reflect.Uint64:
			v.SetUint(uint64(n*100 + i + 1))
		default:
			t.Fatalf("fillRecord: %s.%s has type %s; teach fillRecord about it", sch.Name, f.Name, f.FieldType)
		}
		if ptr {
			pv := reflect.New(ft)
			pv.Elem().Set(v)
			v = pv
		}
		if err := f.Set(ctx, rv, v.Interface()); err != nil {
			t.Fatalf("set %s.%s: %v", sch.Name, f.Name, err)
		}
	}
}

// zeroReplacedByDefault lists the fields whose GORM default deliberately
// replaces a zero value on create.
var zeroReplacedByDefault = map[string]bool{
	"User.Role": true, // an account without a role is a reader
}

// TestRoundTripEveryColumn writes a record of every model in allModels with
// every column set, and reads it back field by field. Then, for every column
// with a GORM default, it writes the zero value and expects a zero back:
// otherwise GORM silently stores the default instead (as it did with the
// chair's 0 seats). Foreign keys are off here, so the records need no
// parents; TestForeignKeysEnforced checks them.
func TestRoundTripEveryColumn(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newTestStore(t)
	if err := s.db.Exec("PRAGMA foreign_keys = OFF").Error; err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, name := range slices.Sorted(maps.Keys(allModels)) {
		model := allModels[name]
		stmt := &gorm.Statement{DB: s.db}
		if err := stmt.Parse(model); err != nil {
			t.Fatal(err)
		}
		sch := stmt.Schema
		typ := reflect.TypeOf(model).Elem()

		// write creates a filled record, lets adjust change it, and returns
		// the record as written and as read back.
		write := func(t *testing.T, adjust func(rv reflect.Value)) (written, got any) {
			t.Helper()
			n++
			rec := reflect.New(typ)
			fillRecord(t, sch, rec.Elem(), n)
			if adjust != nil {
				adjust(rec.Elem())
			}
			snapshot := reflect.New(typ)
			snapshot.Elem().Set(rec.Elem())
			if err := s.w(ctx).Create(rec.Interface()).Error; err != nil {
				t.Fatalf("create %s: %v", name, err)
			}
			pk := sch.PrioritizedPrimaryField
			key, _ := pk.ValueOf(ctx, rec.Elem())
			if err := pk.Set(ctx, snapshot.Elem(), key); err != nil {
				t.Fatal(err)
			}
			back := reflect.New(typ)
			if err := s.r(ctx).Where(pk.DBName+" = ?", key).First(back.Interface()).Error; err != nil {
				t.Fatalf("read %s back: %v", name, err)
			}
			return snapshot.Interface(), back.Interface()
		}

		t.Run(name, func(t *testing.T) {
			for _, d := range recordDiffs(write(t, nil)) {
				t.Errorf("%s %s", name, d)
			}
		})
		for _, f := range sch.Fields {
			if f.DBName == "" || f.PrimaryKey || !f.HasDefaultValue || f.DefaultValue == "" ||
				zeroReplacedByDefault[name+"."+f.Name] {
				continue
			}
			t.Run(name+"/zero "+f.Name, func(t *testing.T) {
				_, got := write(t, func(rv reflect.Value) {
					if err := f.Set(ctx, rv, reflect.Zero(f.FieldType).Interface()); err != nil {
						t.Fatal(err)
					}
				})
				if v, zero := f.ValueOf(ctx, reflect.ValueOf(got).Elem()); !zero {
					t.Errorf("%s.%s: wrote the zero value, read back %v (the GORM default %q replaced it); "+
						"drop the default from the struct tag, or list the field in zeroReplacedByDefault",
						name, f.Name, v, f.DefaultValue)
				}
			})
		}
	}
}

// TestForeignKeysEnforced: a session needs its user, and deleting a user
// ends its sessions (ON DELETE CASCADE), which only works with foreign_keys=on.
func TestForeignKeysEnforced(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newTestStore(t)
	err := s.w(ctx).Create(&Session{ID: "orphan", UserID: 4711, CSRFToken: "x", ExpiresAt: t0}).Error
	if err == nil || !strings.Contains(strings.ToLower(err.Error()), "foreign key") {
		t.Fatalf("session for a missing user: err = %v, want a foreign key error", err)
	}
	u := mustSignIn(t, s, Identity{Issuer: "https://idp.example", Subject: "fk"})
	if _, _, err := s.CreateSession(ctx, u.ID, "", "", "", "", t0); err != nil {
		t.Fatal(err)
	}
	// The audit entry of the sign-in references the user; drop it first.
	if err := s.w(ctx).Where("target_user_id = ?", u.ID).Delete(&AuditEntry{}).Error; err != nil {
		t.Fatal(err)
	}
	if err := s.w(ctx).Delete(&User{}, u.ID).Error; err != nil {
		t.Fatalf("delete user: %v", err)
	}
	if n := count(t, s, &Session{}); n != 0 {
		t.Fatalf("%d sessions left after deleting their user, want 0 (cascade)", n)
	}
}

// holdConns takes n connections from db at the same time, so each pooled
// connection is checked, not the same one n times.
func holdConns(t *testing.T, db *sql.DB, n int) []*sql.Conn {
	t.Helper()
	conns := make([]*sql.Conn, n)
	for i := range conns {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		c, err := db.Conn(ctx)
		cancel()
		if err != nil {
			t.Fatalf("connection %d of %d: %v", i+1, n, err)
		}
		conns[i] = c
	}
	t.Cleanup(func() {
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return conns
}

func TestPragmasOnEveryPooledConnection(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newTestStore(t)
	writer, err := s.db.DB()
	if err != nil {
		t.Fatal(err)
	}
	reader, err := s.ro.DB()
	if err != nil {
		t.Fatal(err)
	}
	pools := []struct {
		name string
		db   *sql.DB
		size int
	}{
		{"writer", writer, 1},
		{"reader", reader, 8},
	}
	want := map[string]string{"journal_mode": "wal", "synchronous": "2", "foreign_keys": "1", "busy_timeout": "5000"}

	for _, p := range pools {
		t.Run(p.name, func(t *testing.T) {
			if got := p.db.Stats().MaxOpenConnections; got != p.size {
				t.Fatalf("MaxOpenConnections = %d, want %d", got, p.size)
			}
			conns := holdConns(t, p.db, p.size)
			// The pool is full: one more connection must wait.
			waitCtx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
			defer cancel()
			if extra, err := p.db.Conn(waitCtx); err == nil {
				extra.Close()
				t.Fatalf("pool handed out connection %d, limit is %d", p.size+1, p.size)
			}
			for i, c := range conns {
				for _, pragma := range []string{"journal_mode", "synchronous", "foreign_keys", "busy_timeout"} {
					var got string
					if err := c.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
						t.Fatalf("conn %d: PRAGMA %s: %v", i, pragma, err)
					}
					if strings.ToLower(got) != want[pragma] {
						t.Errorf("conn %d: %s = %s, want %s", i, pragma, got, want[pragma])
					}
				}
			}
		})
	}

	t.Run("reader refuses writes", func(t *testing.T) {
		for i, c := range holdConns(t, reader, 8) {
			_, err := c.ExecContext(ctx, "INSERT INTO settings (key, value) VALUES (?, 'x')", fmt.Sprint("ro", i))
			if err == nil || !strings.Contains(strings.ToLower(err.Error()), "readonly") {
				t.Errorf("reader conn %d: insert err = %v, want a read-only error", i, err)
			}
		}
		if n := count(t, s, &Setting{}); n != 0 {
			t.Fatalf("%d settings written through the read-only pool", n)
		}
	})

	// _txlock=immediate: a writer transaction takes the write lock at BEGIN,
	// before its first statement, so it can never fail later with
	// SQLITE_BUSY when upgrading a read lock.
	t.Run("writer transactions begin immediate", func(t *testing.T) {
		path := dbPath(t, s) // before BeginTx: the writer pool has one connection
		tx, err := writer.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		other, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=0")
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		_, err = other.ExecContext(ctx, "BEGIN IMMEDIATE")
		if err == nil {
			_, _ = other.ExecContext(ctx, "ROLLBACK")
			t.Fatal("a second writer got the write lock while a writer transaction was open: BEGIN is not IMMEDIATE")
		}
		if !strings.Contains(err.Error(), "locked") && !strings.Contains(err.Error(), "busy") {
			t.Fatalf("second writer: %v, want database is locked", err)
		}
	})
}

// dbPath is the file the store has open.
func dbPath(t *testing.T, s *Store) string {
	t.Helper()
	var rows []struct {
		Seq  int
		Name string
		File string
	}
	if err := s.db.Raw("PRAGMA database_list").Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.Name == "main" {
			return r.File
		}
	}
	t.Fatal("no main database")
	return ""
}

// TestConcurrentWriters: 50 goroutines write for two seconds, single inserts
// and read-modify-write transactions, while readers keep reading. Most
// writers share the server's store; every fifth uses a second Store on the
// same file, as `kog seed` or a second instance would, so writers really meet
// at SQLite's lock and not only in the pool of one connection. With BEGIN
// IMMEDIATE and busy_timeout there must be zero errors (no SQLITE_BUSY, no
// "database is locked") and no lost write.
func TestConcurrentWriters(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for two seconds")
	}
	const (
		writers  = 50
		readers  = 4
		duration = 2 * time.Second
	)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "kog.db")
	// Waiting for the writer counts as a slow query; those warnings are
	// expected here, errors are still logged.
	s := openTestStoreLog(t, path, testSecret, slog.LevelError)
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	other := openTestStoreLog(t, path, testSecret, slog.LevelError)
	if err := s.w(ctx).Create(&Setting{Key: "counter", Value: "0"}).Error; err != nil {
		t.Fatal(err)
	}

	var (
		inserts, increments, reads atomic.Int64
		errCount                   atomic.Int64
		firstErr                   error
		errOnce                    sync.Once
	)
	fail := func(err error) {
		errCount.Add(1)
		errOnce.Do(func() { firstErr = err })
	}
	deadline := time.Now().Add(duration)
	perWriter := make([]atomic.Int64, writers)
	var wg sync.WaitGroup
	for w := range writers {
		store := s
		if w%5 == 4 {
			store = other
		}
		wg.Go(func() {
			for i := 0; time.Now().Before(deadline); i++ {
				if i%4 == 3 {
					// Read-modify-write: with deferred transactions this is
					// where SQLITE_BUSY would strike (lock upgrade), or an
					// increment would be lost.
					err := store.w(ctx).Transaction(func(tx *gorm.DB) error {
						var st Setting
						if err := tx.First(&st, "key = ?", "counter").Error; err != nil {
							return err
						}
						var n int
						if _, err := fmt.Sscan(st.Value, &n); err != nil {
							return err
						}
						return tx.Model(&st).Update("value", fmt.Sprint(n+1)).Error
					})
					if err != nil {
						fail(err)
						continue
					}
					increments.Add(1)
				} else {
					err := store.Audit(ctx, AuditEntry{Action: AuditLogin, Detail: fmt.Sprintf("w%d-%d", w, i), IP: "192.0.2.1"})
					if err != nil {
						fail(err)
						continue
					}
					inserts.Add(1)
				}
				perWriter[w].Add(1)
			}
		})
	}
	for range readers {
		wg.Go(func() {
			for time.Now().Before(deadline) {
				if _, _, err := s.AuditEntries(ctx, 5, 0); err != nil {
					fail(fmt.Errorf("reader: %w", err))
					continue
				}
				reads.Add(1)
				// Paced like page requests: a tight loop would only starve
				// the writers of CPU on a small machine.
				time.Sleep(time.Millisecond)
			}
		})
	}
	wg.Wait()

	t.Logf("%d inserts, %d increments, %d reads in %v", inserts.Load(), increments.Load(), reads.Load(), duration)
	if n := errCount.Load(); n > 0 {
		busy := strings.Contains(firstErr.Error(), "locked") || strings.Contains(firstErr.Error(), "busy")
		t.Fatalf("%d errors (SQLITE_BUSY: %v), first: %v", n, busy, firstErr)
	}
	for w := range perWriter {
		if perWriter[w].Load() == 0 {
			t.Fatalf("writer %d got %d writes through: the writers did not all run", w, perWriter[w].Load())
		}
	}
	if increments.Load() == 0 {
		t.Fatal("no read-modify-write transaction ran")
	}
	if got := count(t, s, &AuditEntry{}); got != inserts.Load() {
		t.Errorf("%d audit entries stored, %d inserts succeeded", got, inserts.Load())
	}
	var distinct int64
	if err := s.db.Model(&AuditEntry{}).Distinct("detail").Count(&distinct).Error; err != nil || distinct != inserts.Load() {
		t.Errorf("%d distinct audit entries (%v), want %d", distinct, err, inserts.Load())
	}
	if v, err := s.Setting(ctx, "counter"); err != nil || v != fmt.Sprint(increments.Load()) {
		t.Errorf("counter = %s (%v), want %d: an increment was lost", v, err, increments.Load())
	}
}
