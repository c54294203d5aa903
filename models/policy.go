package models

import "time"

// Every permission decision of the portal is a function in this file, so that
// one table test covers them all and handlers and templates ask the same
// question the same way. A nil *User is the anonymous visitor.

// RoleOf is the effective role of u: anonymous for nil or disabled accounts.
func RoleOf(u *User) Role {
	if u == nil || u.Disabled {
		return RoleAnonymous
	}
	return u.Role
}

// rank orders roles for "at least" checks.
func rank(r Role) int {
	switch r {
	case RoleReader:
		return 1
	case RoleMember:
		return 2
	case RoleChair:
		return 3
	case RoleAdmin:
		return 4
	}
	return 0
}

// RoleRank orders roles: anonymous 0, reader 1 … admin 4.
func RoleRank(r Role) int { return rank(r) }

// IsSignedIn reports whether u is an active account.
func IsSignedIn(u *User) bool { return RoleOf(u) != RoleAnonymous }

// CanSeeInternal reports whether u may see the committee's protected space
// (visibility "internal"): members, the chair and admins.
func CanSeeInternal(u *User) bool { return rank(RoleOf(u)) >= rank(RoleMember) }

// CanSeeMunicipal reports whether u may see content for signed-in municipal
// readers (visibility "municipal").
func CanSeeMunicipal(u *User) bool { return rank(RoleOf(u)) >= rank(RoleReader) }

// CanViewCommittee: the list of member organisations is public, as the
// IT-PLR publishes its committees.
func CanViewCommittee(u *User) bool { return true }

// CanManageUsers reports whether u may open the user administration.
func CanManageUsers(u *User) bool { return RoleOf(u) == RoleAdmin }

// CanViewAudit reports whether u may read the audit log.
func CanViewAudit(u *User) bool { return RoleOf(u) == RoleAdmin }

// CanChangeRole: admins set roles, but not their own, so the last admin
// cannot lock everyone out by accident.
func CanChangeRole(actor, target *User, role Role) bool {
	return CanManageUsers(actor) && target != nil && role.Valid() && actor.ID != target.ID
}

// CanDisableUser: admins lock accounts other than their own.
func CanDisableUser(actor, target *User) bool {
	return CanManageUsers(actor) && target != nil && actor.ID != target.ID
}

// CanManageCommittee: the chair (and admins) keep the record of organisations,
// people and terms.
func CanManageCommittee(u *User) bool { return rank(RoleOf(u)) >= rank(RoleChair) }

// CanEditProfile: a person edits only their own record.
func CanEditProfile(u *User, p *Person) bool {
	return IsSignedIn(u) && p != nil && p.UserID != nil && *p.UserID == u.ID
}

// CanSeeEmail: committee members see an e-mail the person agreed to show;
// the chair and admins need it to run the committee; the person sees their
// own. Readers and the public never see contact data.
func CanSeeEmail(viewer *User, p *Person) bool {
	return p != nil && (CanManageCommittee(viewer) || CanEditProfile(viewer, p) || (CanSeeInternal(viewer) && p.ShowEmail))
}

// CanSeePhone follows the same rule as CanSeeEmail with its own consent.
func CanSeePhone(viewer *User, p *Person) bool {
	return p != nil && (CanManageCommittee(viewer) || CanEditProfile(viewer, p) || (CanSeeInternal(viewer) && p.ShowPhone))
}

// CanViewMeetings: dates, titles and status of meetings are public, as the
// committee's work plan is.
func CanViewMeetings(u *User) bool { return true }

// CanSeeVideoLink: the join link is for the committee only.
func CanSeeVideoLink(u *User) bool { return CanSeeInternal(u) }

// CanManageMeetings: the chair plans meetings, series and attendance.
func CanManageMeetings(u *User) bool { return CanManageCommittee(u) }

// CanRegister: members answer invitations (the store checks the seat).
func CanRegister(u *User) bool { return CanSeeInternal(u) }

// CanSubscribeCalendar: every signed-in account may have a calendar feed.
func CanSubscribeCalendar(u *User) bool { return IsSignedIn(u) }

// CanSubmitTopic: members and deputies bring topics in (the store checks
// that they hold a seat today); the chair may too.
func CanSubmitTopic(u *User) bool { return CanSeeInternal(u) }

// CanSeeTopic: topics live in the protected space, unless the chair made
// one municipal or public.
func CanSeeTopic(u *User, t *Topic) bool {
	if t == nil {
		return false
	}
	switch t.Visibility {
	case VisPublic:
		return true
	case VisMunicipal:
		return CanSeeMunicipal(u)
	}
	return CanSeeInternal(u)
}

// CanSeeAttachment: a topic's documents are committee papers, whatever the
// topic's own visibility.
func CanSeeAttachment(u *User, t *Topic) bool { return CanSeeInternal(u) && CanSeeTopic(u, t) }

// CanUploadAttachment: members and the chair add documents to topics they
// can see.
func CanUploadAttachment(u *User, t *Topic) bool { return CanSeeInternal(u) && CanSeeTopic(u, t) }

// CanTriageTopic: only the chair moves topics through triage.
func CanTriageTopic(u *User) bool { return CanManageCommittee(u) }

// CanCoSign: members of other organisations co-sign (the store checks the
// seat and that it is not the submitting organisation).
func CanCoSign(u *User, t *Topic) bool { return CanSeeInternal(u) && CanSeeTopic(u, t) }

// CanComment: members and the chair discuss topics they can see.
func CanComment(u *User, t *Topic) bool { return CanSeeInternal(u) && CanSeeTopic(u, t) }

// CanEditComment: the author, within the edit window.
func CanEditComment(u *User, c *Comment, now time.Time) bool {
	return IsSignedIn(u) && c != nil && c.AuthorID == u.ID && c.Editable(now)
}

// CanDeleteComment: the author, or the chair as moderator.
func CanDeleteComment(u *User, c *Comment) bool {
	return IsSignedIn(u) && c != nil && c.DeletedAt == nil && (c.AuthorID == u.ID || CanManageCommittee(u))
}

// CanManageAgenda: the chair builds and publishes agendas.
func CanManageAgenda(u *User) bool { return CanManageCommittee(u) }

// CanSeeAgendaItem: internal items stay in the committee; public ones are
// shown to everyone once the agenda is published.
func CanSeeAgendaItem(u *User, item *AgendaItem, published bool) bool {
	if CanManageAgenda(u) {
		return true
	}
	if !published {
		return false
	}
	return item.Public || CanSeeInternal(u)
}

// CanRecordMinutes: the chair keeps the minutes and resolutions.
func CanRecordMinutes(u *User) bool { return CanManageCommittee(u) }

// CanSeeMinutes: minutes belong to the committee's protected space.
func CanSeeMinutes(u *User) bool { return CanSeeInternal(u) }

// CanCommentMinutes: members comment on minutes put to the vote.
func CanCommentMinutes(u *User) bool { return CanSeeInternal(u) }

// CanSeeResolution: public resolutions are for everyone; internal ones
// stay in the committee (register, CSV and PDF alike).
func CanSeeResolution(u *User, r *Resolution) bool {
	return r != nil && (r.Public || CanSeeInternal(u))
}

// CanSetFollowUp: the chair tracks how resolutions are carried out.
func CanSetFollowUp(u *User) bool { return CanManageCommittee(u) }

// CanSeeProfile: drafts and withdrawn profiles stay in the committee; from
// the consultation on, signed-in municipal readers see a profile, and
// everyone when the chair opened the consultation to the public.
func CanSeeProfile(u *User, p *Profile) bool {
	if p == nil {
		return false
	}
	if p.Status == ProfileDraft || p.Status == ProfileWithdrawn {
		return CanSeeInternal(u)
	}
	return p.PublicConsultation || CanSeeMunicipal(u)
}

// CanSeeProfileVersion: readers see the versions from the consultation on;
// the drafts before it stay in the committee.
func CanSeeProfileVersion(u *User, p *Profile, n int) bool {
	if !CanSeeProfile(u, p) {
		return false
	}
	return CanSeeInternal(u) || (p.PublishedFrom > 0 && n >= p.PublishedFrom)
}

// CanWriteProfile: members write profiles together while they are drafts
// or in consultation.
func CanWriteProfile(u *User) bool { return CanSeeInternal(u) }

// CanMoveProfile: only the chair moves a profile through its workflow.
func CanMoveProfile(u *User) bool { return CanManageCommittee(u) }

// CanGiveFeedback: signed-in municipal readers and members reply during an
// open consultation.
func CanGiveFeedback(u *User, p *Profile, now time.Time) bool {
	return CanSeeMunicipal(u) && p != nil && p.ConsultationOpen(now) && CanSeeProfile(u, p)
}

// CanSeeAllFeedback: members see every municipality's feedback; readers
// only their own.
func CanSeeAllFeedback(u *User) bool { return CanSeeInternal(u) }

// CanSeeSynopsis: the chair works with the synopsis and its CSV export.
func CanSeeSynopsis(u *User) bool { return CanManageCommittee(u) }

// CanCommentProfile: remarks on requirements are internal, for members.
func CanCommentProfile(u *User) bool { return CanSeeInternal(u) }
