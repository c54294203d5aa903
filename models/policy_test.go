package models

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"slices"
	"testing"
	"time"
)

// policyVisitors are the columns of the policy table, in this order.
var policyVisitors = []struct {
	name string
	user *User
}{
	{"anonymous", nil},
	{"reader", &User{ID: 1, Role: RoleReader}},
	{"member", &User{ID: 2, Role: RoleMember}},
	{"chair", &User{ID: 3, Role: RoleChair}},
	{"admin", &User{ID: 4, Role: RoleAdmin}},
	{"disabled admin", &User{ID: 5, Role: RoleAdmin, Disabled: true}},
}

// policyRow asks one policy function one question; want holds the answer for
// each of policyVisitors.
type policyRow struct {
	fn   string // the exported function of policy.go the row covers
	when string
	ask  func(u *User) any
	want [6]any
}

// policyTable is every permission rule of the portal as one table.
// TestPolicyCoversEveryFunction fails when policy.go exports a function that
// has no row here: a new rule is denied a place in the code until it has one.
func policyTable() []policyRow {
	other := &User{ID: 99, Role: RoleReader}
	uid := func(u *User) *uint {
		if u == nil {
			return nil
		}
		return &u.ID
	}
	own := func(u *User) *Person { return &Person{UserID: uid(u), Email: "x@example.org", Phone: "1"} }
	sharing := &Person{UserID: &other.ID, ShowEmail: true, ShowPhone: true}
	private := &Person{UserID: &other.ID}
	unbound := &Person{ShowEmail: true, ShowPhone: true} // invited, never signed in
	const T, F = true, false
	return []policyRow{
		{"RoleOf", "", func(u *User) any { return RoleOf(u) },
			[6]any{RoleAnonymous, RoleReader, RoleMember, RoleChair, RoleAdmin, RoleAnonymous}},
		{"RoleRank", "of the effective role", func(u *User) any { return RoleRank(RoleOf(u)) }, [6]any{0, 1, 2, 3, 4, 0}},
		{"RoleRank", "of an unknown role", func(*User) any { return RoleRank(Role("root")) }, [6]any{0, 0, 0, 0, 0, 0}},
		{"IsSignedIn", "", func(u *User) any { return IsSignedIn(u) }, [6]any{F, T, T, T, T, F}},
		{"CanSeeInternal", "", func(u *User) any { return CanSeeInternal(u) }, [6]any{F, F, T, T, T, F}},
		{"CanSeeMunicipal", "", func(u *User) any { return CanSeeMunicipal(u) }, [6]any{F, T, T, T, T, F}},
		{"CanViewCommittee", "", func(u *User) any { return CanViewCommittee(u) }, [6]any{T, T, T, T, T, T}},
		{"CanManageUsers", "", func(u *User) any { return CanManageUsers(u) }, [6]any{F, F, F, F, T, F}},
		{"CanViewAudit", "", func(u *User) any { return CanViewAudit(u) }, [6]any{F, F, F, F, T, F}},

		{"CanChangeRole", "of another user", func(u *User) any { return CanChangeRole(u, other, RoleMember) }, [6]any{F, F, F, F, T, F}},
		{"CanChangeRole", "own role", func(u *User) any { return CanChangeRole(u, u, RoleReader) }, [6]any{F, F, F, F, F, F}},
		{"CanChangeRole", "own role, same ID", func(u *User) any {
			return CanChangeRole(u, &User{ID: uid0(u), Role: RoleReader}, RoleChair)
		}, [6]any{F, F, F, F, F, F}},
		{"CanChangeRole", "to an unknown role", func(u *User) any { return CanChangeRole(u, other, Role("root")) }, [6]any{F, F, F, F, F, F}},
		{"CanChangeRole", "to anonymous", func(u *User) any { return CanChangeRole(u, other, RoleAnonymous) }, [6]any{F, F, F, F, F, F}},
		{"CanChangeRole", "no target", func(u *User) any { return CanChangeRole(u, nil, RoleMember) }, [6]any{F, F, F, F, F, F}},
		{"CanDisableUser", "another user", func(u *User) any { return CanDisableUser(u, other) }, [6]any{F, F, F, F, T, F}},
		{"CanDisableUser", "self", func(u *User) any { return CanDisableUser(u, u) }, [6]any{F, F, F, F, F, F}},
		{"CanDisableUser", "self, same ID", func(u *User) any { return CanDisableUser(u, &User{ID: uid0(u)}) }, [6]any{F, F, F, F, F, F}},
		{"CanDisableUser", "no target", func(u *User) any { return CanDisableUser(u, nil) }, [6]any{F, F, F, F, F, F}},

		{"CanManageCommittee", "", func(u *User) any { return CanManageCommittee(u) }, [6]any{F, F, F, T, T, F}},
		{"CanEditProfile", "own person", func(u *User) any { return CanEditProfile(u, own(u)) }, [6]any{F, T, T, T, T, F}},
		{"CanEditProfile", "another person", func(u *User) any { return CanEditProfile(u, sharing) }, [6]any{F, F, F, F, F, F}},
		{"CanEditProfile", "unbound person", func(u *User) any { return CanEditProfile(u, unbound) }, [6]any{F, F, F, F, F, F}},
		{"CanEditProfile", "no person", func(u *User) any { return CanEditProfile(u, nil) }, [6]any{F, F, F, F, F, F}},
		{"CanSeeEmail", "shared by the person", func(u *User) any { return CanSeeEmail(u, sharing) }, [6]any{F, F, T, T, T, F}},
		{"CanSeeEmail", "not shared", func(u *User) any { return CanSeeEmail(u, private) }, [6]any{F, F, F, T, T, F}},
		{"CanSeeEmail", "own", func(u *User) any { return CanSeeEmail(u, own(u)) }, [6]any{F, T, T, T, T, F}},
		{"CanSeeEmail", "no person", func(u *User) any { return CanSeeEmail(u, nil) }, [6]any{F, F, F, F, F, F}},
		{"CanSeePhone", "shared by the person", func(u *User) any { return CanSeePhone(u, sharing) }, [6]any{F, F, T, T, T, F}},
		{"CanSeePhone", "not shared", func(u *User) any { return CanSeePhone(u, private) }, [6]any{F, F, F, T, T, F}},
		{"CanSeePhone", "own", func(u *User) any { return CanSeePhone(u, own(u)) }, [6]any{F, T, T, T, T, F}},
		{"CanSeePhone", "no person", func(u *User) any { return CanSeePhone(u, nil) }, [6]any{F, F, F, F, F, F}},
		// Consent is per detail: e-mail shared, phone not.
		{"CanSeePhone", "only the e-mail shared", func(u *User) any {
			return CanSeePhone(u, &Person{UserID: &other.ID, ShowEmail: true})
		}, [6]any{F, F, F, T, T, F}},

		{"CanViewMeetings", "", func(u *User) any { return CanViewMeetings(u) }, [6]any{T, T, T, T, T, T}},
		{"CanSeeVideoLink", "", func(u *User) any { return CanSeeVideoLink(u) }, [6]any{F, F, T, T, T, F}},
		{"CanManageMeetings", "", func(u *User) any { return CanManageMeetings(u) }, [6]any{F, F, F, T, T, F}},
		{"CanRegister", "", func(u *User) any { return CanRegister(u) }, [6]any{F, F, T, T, T, F}},
		{"CanSubscribeCalendar", "", func(u *User) any { return CanSubscribeCalendar(u) }, [6]any{F, T, T, T, T, F}},

		{"CanSubmitTopic", "", func(u *User) any { return CanSubmitTopic(u) }, [6]any{F, F, T, T, T, F}},
		{"CanSeeTopic", "internal", func(u *User) any { return CanSeeTopic(u, &Topic{Visibility: VisInternal}) }, [6]any{F, F, T, T, T, F}},
		{"CanSeeTopic", "municipal", func(u *User) any { return CanSeeTopic(u, &Topic{Visibility: VisMunicipal}) }, [6]any{F, T, T, T, T, F}},
		{"CanSeeTopic", "public", func(u *User) any { return CanSeeTopic(u, &Topic{Visibility: VisPublic}) }, [6]any{T, T, T, T, T, T}},
		{"CanSeeTopic", "no topic", func(u *User) any { return CanSeeTopic(u, nil) }, [6]any{F, F, F, F, F, F}},
		{"CanSeeAttachment", "internal topic", func(u *User) any { return CanSeeAttachment(u, &Topic{Visibility: VisInternal}) }, [6]any{F, F, T, T, T, F}},
		{"CanSeeAttachment", "public topic", func(u *User) any { return CanSeeAttachment(u, &Topic{Visibility: VisPublic}) }, [6]any{F, F, T, T, T, F}},
		{"CanUploadAttachment", "internal topic", func(u *User) any { return CanUploadAttachment(u, &Topic{Visibility: VisInternal}) }, [6]any{F, F, T, T, T, F}},
		{"CanTriageTopic", "", func(u *User) any { return CanTriageTopic(u) }, [6]any{F, F, F, T, T, F}},
		{"CanCoSign", "internal topic", func(u *User) any { return CanCoSign(u, &Topic{Visibility: VisInternal}) }, [6]any{F, F, T, T, T, F}},
		{"CanCoSign", "public topic", func(u *User) any { return CanCoSign(u, &Topic{Visibility: VisPublic}) }, [6]any{F, F, T, T, T, F}},
		{"CanComment", "internal topic", func(u *User) any { return CanComment(u, &Topic{Visibility: VisInternal}) }, [6]any{F, F, T, T, T, F}},
		{"CanComment", "no topic", func(u *User) any { return CanComment(u, nil) }, [6]any{F, F, F, F, F, F}},
		{"CanEditComment", "own, fresh", func(u *User) any {
			return CanEditComment(u, &Comment{AuthorID: uid0(u), CreatedAt: t0}, t0.Add(time.Minute))
		}, [6]any{F, T, T, T, T, F}},
		{"CanEditComment", "own, after the window", func(u *User) any {
			return CanEditComment(u, &Comment{AuthorID: uid0(u), CreatedAt: t0}, t0.Add(CommentEditWindow))
		}, [6]any{F, F, F, F, F, F}},
		{"CanEditComment", "someone else's", func(u *User) any {
			return CanEditComment(u, &Comment{AuthorID: other.ID, CreatedAt: t0}, t0)
		}, [6]any{F, F, F, F, F, F}},
		{"CanDeleteComment", "own", func(u *User) any { return CanDeleteComment(u, &Comment{AuthorID: uid0(u)}) }, [6]any{F, T, T, T, T, F}},
		{"CanDeleteComment", "someone else's", func(u *User) any { return CanDeleteComment(u, &Comment{AuthorID: other.ID}) }, [6]any{F, F, F, T, T, F}},
		{"CanDeleteComment", "already deleted", func(u *User) any {
			return CanDeleteComment(u, &Comment{AuthorID: uid0(u), DeletedAt: &t0})
		}, [6]any{F, F, F, F, F, F}},
		{"CanManageAgenda", "", func(u *User) any { return CanManageAgenda(u) }, [6]any{F, F, F, T, T, F}},
		{"CanSeeAgendaItem", "internal, published", func(u *User) any { return CanSeeAgendaItem(u, &AgendaItem{}, true) }, [6]any{F, F, T, T, T, F}},
		{"CanSeeAgendaItem", "public, published", func(u *User) any { return CanSeeAgendaItem(u, &AgendaItem{Public: true}, true) }, [6]any{T, T, T, T, T, T}},
		{"CanRecordMinutes", "", func(u *User) any { return CanRecordMinutes(u) }, [6]any{F, F, F, T, T, F}},
		{"CanSeeMinutes", "", func(u *User) any { return CanSeeMinutes(u) }, [6]any{F, F, T, T, T, F}},
		{"CanCommentMinutes", "", func(u *User) any { return CanCommentMinutes(u) }, [6]any{F, F, T, T, T, F}},
		{"CanSeeResolution", "public", func(u *User) any { return CanSeeResolution(u, &Resolution{Public: true}) }, [6]any{T, T, T, T, T, T}},
		{"CanSeeResolution", "internal", func(u *User) any { return CanSeeResolution(u, &Resolution{}) }, [6]any{F, F, T, T, T, F}},
		{"CanSeeResolution", "none", func(u *User) any { return CanSeeResolution(u, nil) }, [6]any{F, F, F, F, F, F}},
		{"CanSetFollowUp", "", func(u *User) any { return CanSetFollowUp(u) }, [6]any{F, F, F, T, T, F}},
		{"CanSeeProfile", "draft", func(u *User) any { return CanSeeProfile(u, &Profile{Status: ProfileDraft}) }, [6]any{F, F, T, T, T, F}},
		{"CanSeeProfile", "consultation", func(u *User) any { return CanSeeProfile(u, &Profile{Status: ProfileConsultation}) }, [6]any{F, T, T, T, T, F}},
		{"CanSeeProfile", "public consultation", func(u *User) any {
			return CanSeeProfile(u, &Profile{Status: ProfileConsultation, PublicConsultation: true})
		}, [6]any{T, T, T, T, T, T}},
		{"CanSeeProfile", "withdrawn", func(u *User) any {
			return CanSeeProfile(u, &Profile{Status: ProfileWithdrawn, PublicConsultation: true})
		}, [6]any{F, F, T, T, T, F}},
		{"CanSeeProfile", "none", func(u *User) any { return CanSeeProfile(u, nil) }, [6]any{F, F, F, F, F, F}},
		{"CanSeeProfileVersion", "draft version", func(u *User) any {
			return CanSeeProfileVersion(u, &Profile{Status: ProfileConsultation, PublishedFrom: 2}, 1)
		}, [6]any{F, F, T, T, T, F}},
		{"CanSeeProfileVersion", "published version", func(u *User) any {
			return CanSeeProfileVersion(u, &Profile{Status: ProfileConsultation, PublishedFrom: 2}, 2)
		}, [6]any{F, T, T, T, T, F}},
		{"CanWriteProfile", "", func(u *User) any { return CanWriteProfile(u) }, [6]any{F, F, T, T, T, F}},
		{"CanMoveProfile", "", func(u *User) any { return CanMoveProfile(u) }, [6]any{F, F, F, T, T, F}},
		{"CanGiveFeedback", "open consultation", func(u *User) any {
			end := t0.Add(time.Hour)
			return CanGiveFeedback(u, &Profile{Status: ProfileConsultation, ConsultationEnds: &end}, t0)
		}, [6]any{F, T, T, T, T, F}},
		{"CanGiveFeedback", "closed", func(u *User) any {
			end := t0.Add(-time.Hour)
			return CanGiveFeedback(u, &Profile{Status: ProfileConsultation, ConsultationEnds: &end}, t0)
		}, [6]any{F, F, F, F, F, F}},
		{"CanSeeAllFeedback", "", func(u *User) any { return CanSeeAllFeedback(u) }, [6]any{F, F, T, T, T, F}},
		{"CanSeeSynopsis", "", func(u *User) any { return CanSeeSynopsis(u) }, [6]any{F, F, F, T, T, F}},
		{"CanCommentProfile", "", func(u *User) any { return CanCommentProfile(u) }, [6]any{F, F, T, T, T, F}},
		{"CanSeeAgendaItem", "public, draft", func(u *User) any { return CanSeeAgendaItem(u, &AgendaItem{Public: true}, false) }, [6]any{F, F, F, T, T, F}},
	}
}

// uid0 is u's ID, 0 for the anonymous visitor.
func uid0(u *User) uint {
	if u == nil {
		return 0
	}
	return u.ID
}

func TestPolicy(t *testing.T) {
	t.Parallel()
	for _, r := range policyTable() {
		for i, v := range policyVisitors {
			name := r.fn
			if r.when != "" {
				name += " " + r.when
			}
			t.Run(fmt.Sprintf("%s/%s", name, v.name), func(t *testing.T) {
				if got := r.ask(v.user); got != r.want[i] {
					t.Errorf("%s for %s = %v, want %v", name, v.name, got, r.want[i])
				}
			})
		}
	}
}

func TestPolicyCoversEveryFunction(t *testing.T) {
	t.Parallel()
	f, err := parser.ParseFile(token.NewFileSet(), "policy.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var exported []string
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Name.IsExported() {
			exported = append(exported, fd.Name.Name)
		}
	}
	if len(exported) < 9 {
		t.Fatalf("found only %q in policy.go", exported)
	}
	covered := map[string]bool{}
	for _, r := range policyTable() {
		covered[r.fn] = true
	}
	for _, name := range exported {
		if !covered[name] {
			t.Errorf("policy.go exports %s, but policyTable has no row for it", name)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(covered)) {
		if !slices.Contains(exported, name) {
			t.Errorf("policyTable has rows for %s, which policy.go does not export", name)
		}
	}
}
