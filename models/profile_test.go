package models

import (
	"context"
	"strings"
	"testing"
	"time"
)

func profileInput(reqs ...Requirement) ProfileInput {
	return ProfileInput{Title: "EfA-Dienste für Kommunen", Summary: "Länder stellen EfA-Dienste bereit.",
		Problem: "Kommunen können den FIT-Store nicht nutzen.", Goals: "Ein einheitliches Geschäftsmodell.",
		Tags: "EfA, FIT-Store", Origins: "Stadt Leipzig", Requirements: reqs}
}

func TestProfileVersions(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	author := &User{Email: "a@x.example", Role: RoleMember}
	s.w(ctx).Create(author)
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	_, err := s.CreateProfile(ctx, author, ProfileInput{Title: " "}, now)
	fieldErr(t, err, "title")
	fieldErr(t, func() error { _, err := s.CreateProfile(ctx, author, ProfileInput{Title: "x"}, now); return err }(), "requirements")
	p, err := s.CreateProfile(ctx, author, profileInput(
		Requirement{Priority: "MUSS", Text: "Die Länder stellen EfA-Dienste ihren Kommunen bereit.", Rationale: "Kommunen dürfen nicht abrufen."},
		Requirement{Priority: "SOLL", Text: "Ein einheitliches Geschäftsmodell gilt."},
		Requirement{Priority: "KANN", Text: "Die FITKO berät."},
	), now)
	if err != nil {
		t.Fatal(err)
	}
	if p.Reference != "AP-2026-01" || p.Status != ProfileDraft || p.Version != 1 {
		t.Fatalf("new profile: %+v", p)
	}
	second, _ := s.CreateProfile(ctx, author, profileInput(Requirement{Priority: "MUSS", Text: "x"}), now)
	if second.Reference != "AP-2026-02" {
		t.Fatalf("second reference %s", second.Reference)
	}
	v1, _ := s.ProfileVersions(ctx, p.ID)
	reqs := v1[0].Reqs()
	if len(reqs) != 3 || reqs[0].Key != "R1" || reqs[2].Key != "R3" {
		t.Fatalf("keys: %+v", reqs)
	}
	// Edit: change R1, drop R2, keep R3, add a new one → version 2, R4 new.
	in := profileInput(
		Requirement{Key: "R1", Priority: "MUSS", Text: "Die Länder stellen alle EfA-Dienste ihren Kommunen kostenfrei bereit.", Rationale: "Kommunen dürfen nicht abrufen."},
		Requirement{Key: "R3", Priority: "KANN", Text: "Die FITKO berät."},
		Requirement{Priority: "SOLL", Text: "Es gibt eine Übersicht der Dienste."},
	)
	v2, err := s.SaveProfileVersion(ctx, author, p.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	if v2.Number != 2 {
		t.Fatalf("version %d", v2.Number)
	}
	// Saving the form again unchanged (it carries the keys now) adds nothing.
	again := in
	again.Requirements = v2.Reqs()
	same, _ := s.SaveProfileVersion(ctx, author, p.ID, again)
	if same.Number != 2 {
		t.Fatal("an unchanged text made a new version")
	}
	all, _ := s.ProfileVersions(ctx, p.ID)
	if len(all) != 2 || all[0].Reqs()[0].Text != "Die Länder stellen EfA-Dienste ihren Kommunen bereit." {
		t.Fatal("version 1 changed or versions missing")
	}
	for _, v := range all {
		if v.Author == nil || v.CreatedAt.IsZero() || v.Title == "" {
			t.Fatal("version without author, time or text")
		}
	}
	sections, rdiff := CompareVersions(&all[0], &all[1])
	changes := map[string]string{}
	for _, d := range rdiff {
		changes[d.Key] = d.Change
	}
	if changes["R1"] != "geändert" || changes["R2"] != "entfernt" || changes["R3"] != "unverändert" || changes["R4"] != "neu" {
		t.Fatalf("requirement changes %v", changes)
	}
	var inserted []string
	for _, part := range rdiff[0].Text {
		if part.Op == DiffInsert {
			inserted = append(inserted, strings.TrimSpace(part.Text))
		}
	}
	if strings.Join(inserted, "|") != "alle|kostenfrei" {
		t.Fatalf("word diff of R1 inserts %q", inserted)
	}
	for _, sct := range sections {
		if Changed(sct.Parts) {
			t.Fatalf("section %s marked changed", sct.Name)
		}
	}
	// A removed key is not given again.
	v3, _ := s.SaveProfileVersion(ctx, author, p.ID, profileInput(Requirement{Key: "R1", Priority: "MUSS", Text: "a"}, Requirement{Priority: "KANN", Text: "neu"}))
	if keys := v3.Reqs(); keys[1].Key != "R5" {
		t.Fatalf("new requirement got %s, want R5", keys[1].Key)
	}
}

func TestWordDiff(t *testing.T) {
	parts := WordDiff("Die Länder stellen Dienste bereit.", "Die Länder stellen keine Dienste mehr bereit.")
	var got []string
	for _, p := range parts {
		switch p.Op {
		case DiffInsert:
			got = append(got, "+"+strings.TrimSpace(p.Text))
		case DiffDelete:
			got = append(got, "-"+strings.TrimSpace(p.Text))
		}
	}
	if strings.Join(got, " ") != "+keine +mehr" {
		t.Fatalf("diff %q", got)
	}
	var joined strings.Builder
	for _, p := range WordDiff("a b", "a c") {
		if p.Op != DiffDelete {
			joined.WriteString(p.Text)
		}
	}
	if joined.String() != "a c" {
		t.Fatalf("new text not reproducible: %q", joined.String())
	}
	if Changed(WordDiff("gleich", "gleich")) {
		t.Fatal("equal texts differ")
	}
}

func TestProfileWorkflowAndConsultation(t *testing.T) {
	s, m, a, _, _ := minutesFixture(t)
	ctx := context.Background()
	chair := &User{Email: "c@x.example", Role: RoleChair}
	reader := &User{Email: "r@gemeinde.example", Role: RoleReader}
	other := &User{Email: "o@gemeinde.example", Role: RoleReader}
	for _, u := range []*User{chair, reader, other} {
		s.w(ctx).Create(u)
	}
	now := m.StartsAt
	p, _ := s.CreateProfile(ctx, chair, profileInput(Requirement{Priority: "MUSS", Text: "A"}, Requirement{Priority: "SOLL", Text: "B"}), now)
	fb := FeedbackInput{RequirementKey: "R1", Municipality: "Gemeinde Musterdorf", AGS: "07135001", Kind: FeedbackAgree}
	fieldErr(t, s.GiveFeedback(ctx, reader, p.ID, fb, now), "kind") // draft: closed
	past := now.Add(-time.Hour)
	fieldErr(t, s.MoveProfile(ctx, chair, p.ID, ProfileMove{To: ProfileConsultation, Ends: &past}, now), "ends")
	fieldErr(t, s.MoveProfile(ctx, chair, p.ID, ProfileMove{To: ProfileAdopted}, now), "status")
	ends := now.AddDate(0, 0, 30)
	if err := s.MoveProfile(ctx, chair, p.ID, ProfileMove{To: ProfileConsultation, Ends: &ends, Public: true}, now); err != nil {
		t.Fatal(err)
	}
	// Feedback: one entry per person and requirement, editable while open.
	if err := s.GiveFeedback(ctx, reader, p.ID, fb, now); err != nil {
		t.Fatal(err)
	}
	fb.Kind, fb.Text = FeedbackConcern, "Unsere Kommune hat kein Landesportal."
	if err := s.GiveFeedback(ctx, reader, p.ID, fb, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	fieldErr(t, s.GiveFeedback(ctx, reader, p.ID, FeedbackInput{RequirementKey: "R1", Municipality: "x", Kind: FeedbackAddendum}, now), "text")
	fieldErr(t, s.GiveFeedback(ctx, reader, p.ID, FeedbackInput{RequirementKey: "R9", Municipality: "x", Kind: FeedbackAgree}, now), "requirement")
	fieldErr(t, s.GiveFeedback(ctx, reader, p.ID, FeedbackInput{RequirementKey: "R1", Municipality: "x", AGS: "123", Kind: FeedbackAgree}, now), "ags")
	_ = s.GiveFeedback(ctx, other, p.ID, FeedbackInput{RequirementKey: "R1", Municipality: "Stadt Beispiel", Kind: FeedbackAgree}, now)
	_ = s.GiveFeedback(ctx, other, p.ID, FeedbackInput{RequirementKey: "R2", Municipality: "Stadt Beispiel", Kind: FeedbackAddendum, Text: "Bitte auch X."}, now)
	fieldErr(t, s.GiveFeedback(ctx, other, p.ID, FeedbackInput{RequirementKey: "R2", Municipality: "Stadt Beispiel", Kind: FeedbackAgree}, ends), "kind") // closed at the end
	rows, err := s.Synopsis(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Agree != 1 || rows[0].Concerns != 1 || rows[1].Addendums != 1 || len(rows[0].Feedback) != 2 {
		t.Fatalf("synopsis %+v", rows)
	}
	// Adoption needs an adopted resolution, then submission and the answer.
	res, err := s.RecordResolution(ctx, a.ID, ResolutionInput{Text: "1. Das KoG beschließt AP-2026-01.", VotesYes: 4}, MajoritySimple)
	if err != nil {
		t.Fatal(err)
	}
	fieldErr(t, s.MoveProfile(ctx, chair, p.ID, ProfileMove{To: ProfileAdopted}, now), "resolution")
	if err := s.MoveProfile(ctx, chair, p.ID, ProfileMove{To: ProfileAdopted, ResolutionID: &res.ID}, now); err != nil {
		t.Fatal(err)
	}
	_, err = s.SaveProfileVersion(ctx, chair, p.ID, profileInput(Requirement{Priority: "MUSS", Text: "geändert"}))
	fieldErr(t, err, "status") // the adopted text is final
	fieldErr(t, s.MoveProfile(ctx, chair, p.ID, ProfileMove{To: ProfileSubmitted}, now), "on")
	if err := s.MoveProfile(ctx, chair, p.ID, ProfileMove{To: ProfileSubmitted, On: &now}, now); err != nil {
		t.Fatal(err)
	}
	fieldErr(t, s.MoveProfile(ctx, chair, p.ID, ProfileMove{To: ProfileAnswered, On: &now}, now), "answer")
	if err := s.MoveProfile(ctx, chair, p.ID, ProfileMove{To: ProfileAnswered, On: &now, AnswerNumber: "2026/45", AnswerText: "Der IT-PLR nimmt das Profil an."}, now); err != nil {
		t.Fatal(err)
	}
	if err := s.MoveProfile(ctx, chair, p.ID, ProfileMove{To: ProfileImplemented}, now); err != nil {
		t.Fatal(err)
	}
	fieldErr(t, s.MoveProfile(ctx, chair, p.ID, ProfileMove{To: ProfileWithdrawn}, now), "status")
	var events []ProfileEvent
	s.r(ctx).Where("profile_id = ?", p.ID).Find(&events)
	if len(events) != 6 { // version 1 + five moves
		t.Fatalf("%d history lines, want 6", len(events))
	}
}
