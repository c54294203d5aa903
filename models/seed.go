package models

import (
	"context"
	"errors"
	"strconv"
	"time"

	"gorm.io/gorm"
)

// ErrNotDemoDatabase refuses to seed a database that holds real data.
var ErrNotDemoDatabase = errors.New("die Datenbank enthält bereits Daten, die nicht aus den Demo-Daten stammen; es wurde nichts verändert")

const demoMarker = "demo_seeded"

// DemoAccount is one sign-in of the built-in development provider.
type DemoAccount struct {
	Email   string
	Name    string
	Role    Role
	Subject string
	Groups  []string // groups claim, for tests of KOG_OIDC_GROUP_ROLES
}

// DemoAccounts are the four development sign-ins named in DESIGN.md.
var DemoAccounts = []DemoAccount{
	{Email: "admin@kog.example", Name: "Alex Adler", Role: RoleAdmin, Subject: "demo-admin"},
	{Email: "vorsitz@kog.example", Name: "Dr. Vera Vogt", Role: RoleChair, Subject: "demo-vorsitz"},
	{Email: "mitglied@kog.example", Name: "Max Mertens", Role: RoleMember, Subject: "demo-mitglied"},
	{Email: "leser@kog.example", Name: "Lena Lorenz", Role: RoleReader, Subject: "demo-leser"},
}

// demoOrganisations is the committee as the seed article describes it:
// FITKO in the chair and 14 seats held by 13 organisations (KGSt has two).
var demoOrganisations = []Organisation{
	{Name: "Föderale IT-Kooperation (FITKO)", ShortName: "FITKO", Kind: OrgFederal, State: "Hessen", Website: "https://www.fitko.de", IsChair: true, Seats: 0},
	{Name: "Stadt Leipzig", ShortName: "Leipzig", Kind: OrgCity, State: "Sachsen", AGS: "14713000", Website: "https://www.leipzig.de", Seats: 1},
	{Name: "Landeshauptstadt Düsseldorf", ShortName: "Düsseldorf", Kind: OrgCity, State: "Nordrhein-Westfalen", AGS: "05111000", Website: "https://www.duesseldorf.de", Seats: 1},
	{Name: "Stadt Paderborn", ShortName: "Paderborn", Kind: OrgCity, State: "Nordrhein-Westfalen", AGS: "05774032", Website: "https://www.paderborn.de", Seats: 1},
	{Name: "Kreis Groß-Gerau", ShortName: "Groß-Gerau", Kind: OrgCounty, State: "Hessen", AGS: "06433000", Website: "https://www.kreisgg.de", RepresentedBy: "Deutscher Landkreistag", Seats: 1},
	{Name: "Landkreis Cochem-Zell", ShortName: "Cochem-Zell", Kind: OrgCounty, State: "Rheinland-Pfalz", AGS: "07135000", Website: "https://www.cochem-zell.de", RepresentedBy: "Deutscher Landkreistag", Seats: 1},
	{Name: "Landkreis Aschaffenburg", ShortName: "Aschaffenburg", Kind: OrgCounty, State: "Bayern", AGS: "09671000", Website: "https://www.landkreis-aschaffenburg.de", RepresentedBy: "Deutscher Landkreistag", Seats: 1},
	{Name: "Verbandsgemeindeverwaltung Kaiseresch", ShortName: "VG Kaiseresch", Kind: OrgVerbandsgemeinde, State: "Rheinland-Pfalz", Website: "https://www.kaiseresch.de", Seats: 1},
	{Name: "Hessischer Städtetag", ShortName: "HStT", Kind: OrgAssociation, State: "Hessen", Website: "https://www.hess-staedtetag.de", Seats: 1},
	{Name: "Deutscher Städte- und Gemeindebund", ShortName: "DStGB", Kind: OrgAssociation, Website: "https://www.dstgb.de", Seats: 1},
	{Name: "Vitako – Bundes-Arbeitsgemeinschaft der Kommunalen IT-Dienstleister", ShortName: "Vitako", Kind: OrgITProvider, Website: "https://www.vitako.de", Seats: 1},
	{Name: "Anstalt für Kommunale Datenverarbeitung in Bayern", ShortName: "AKDB", Kind: OrgITProvider, State: "Bayern", Website: "https://www.akdb.de", Seats: 1},
	{Name: "ekom21 – KGRZ Hessen", ShortName: "ekom21", Kind: OrgITProvider, State: "Hessen", Website: "https://www.ekom21.de", Seats: 1},
	{Name: "Kommunale Gemeinschaftsstelle für Verwaltungsmanagement", ShortName: "KGSt", Kind: OrgKGSt, Website: "https://www.kgst.de", Seats: 2},
}

// SeedDemo fills an empty database with the demo committee, invitations for
// the demo accounts and this year's meetings. Running it again changes
// nothing; it refuses a database that already holds data it did not put there.
func (s *Store) SeedDemo(ctx context.Context) (created int, err error) {
	return s.SeedDemoAt(ctx, time.Now())
}

// SeedDemoAt seeds as if today were now (tests pin the date).
func (s *Store) SeedDemoAt(ctx context.Context, now time.Time) (created int, err error) {
	created, err = s.seedCommittee(ctx)
	if err != nil {
		return created, err
	}
	n, err := s.seedMeetings(ctx, now)
	created += n
	if err != nil {
		return created, err
	}
	n, err = s.seedTopics(ctx, now)
	created += n
	if err != nil {
		return created, err
	}
	if err := s.seedMinutes(ctx); err != nil {
		return created, err
	}
	n, err = s.seedProfiles(ctx, now)
	return created + n, err
}

// seedProfiles adds three requirement profiles: an internal draft, one in
// consultation with feedback from municipalities, and one adopted and
// submitted with the IT-PLR's answer.
func (s *Store) seedProfiles(ctx context.Context, now time.Time) (int, error) {
	var n int64
	if err := s.r(ctx).Model(&Profile{}).Count(&n).Error; err != nil || n > 0 {
		return 0, err
	}
	var chair, member User
	if err := s.r(ctx).Where("email = ?", "vorsitz@kog.example").First(&chair).Error; err != nil {
		return 0, err
	}
	if err := s.r(ctx).Where("email = ?", "mitglied@kog.example").First(&member).Error; err != nil {
		return 0, err
	}
	chair.Role = RoleChair
	// 1: internal draft.
	if _, err := s.CreateProfile(ctx, &member, ProfileInput{Title: "Anbindung kommunaler Fachverfahren an FIT-Connect",
		Summary: "Hersteller kommunaler Fachverfahren binden FIT-Connect einheitlich an.", Problem: "Jede Kommune verhandelt die Anbindung einzeln.",
		Goals: "Eine Anbindung je Fachverfahren für alle Kommunen.", Tags: "FIT-Connect", Origins: "Landeshauptstadt Düsseldorf, Stadt Leipzig",
		Requirements: []Requirement{{Priority: "MUSS", Text: "Die FITKO veröffentlicht ein Referenz-Anbindungspaket für Fachverfahrenshersteller."},
			{Priority: "SOLL", Text: "Die Länder koordinieren die Tests mit ihren Kommunen."}}}, now); err != nil {
		return 0, err
	}
	// 2: in consultation, with feedback.
	p2, err := s.CreateProfile(ctx, &member, ProfileInput{Title: "EfA-Onlinedienste für Kommunen bereitstellen",
		Summary: "Länder stellen ihren Kommunen EfA-Onlinedienste nach einem einheitlichen Geschäftsmodell bereit.",
		Problem: "Kommunen können Onlinedienste aus dem FIT-Store nicht direkt abrufen; dazu sind nur Bund und Länder berechtigt.",
		Goals:   "Jede Kommune kann einen EfA-Dienst ohne eigene Vergabe nutzen.", Tags: "EfA, FIT-Store", Origins: "Stadt Leipzig, Vitako",
		Requirements: []Requirement{
			{Priority: "MUSS", Text: "Die Länder stellen EfA-Dienste ihren Kommunen zur Nachnutzung bereit.", Rationale: "Kommunen dürfen den FIT-Store nicht selbst nutzen."},
			{Priority: "SOLL", Text: "Für alle Länder gilt ein einheitliches Geschäftsmodell."},
			{Priority: "KANN", Text: "Die FITKO berät Länder bei der Ausgestaltung."}}}, now)
	if err != nil {
		return 0, err
	}
	v, _ := s.ProfileVersion(ctx, p2.ID, 1)
	in := ProfileInput{Title: v.Title, AddressedTo: v.AddressedTo, Summary: v.Summary, Problem: v.Problem, Goals: v.Goals, Tags: v.Tags, Origins: v.Origins, Requirements: v.Reqs()}
	in.Requirements[0].Text = "Die Länder stellen alle EfA-Dienste ihren Kommunen kostenfrei zur Nachnutzung bereit."
	if _, err := s.SaveProfileVersion(ctx, &member, p2.ID, in); err != nil {
		return 0, err
	}
	ends := now.AddDate(0, 0, 28)
	if err := s.MoveProfile(ctx, &chair, p2.ID, ProfileMove{To: ProfileConsultation, Ends: &ends}, now); err != nil {
		return 0, err
	}
	readers := []struct{ email, name, town, ags, kind, key, text string }{
		{"leser@kog.example", "Lena Lorenz", "Gemeinde Musterdorf", "07135001", FeedbackAgree, "R1", ""},
		{"digital@stadt-beispiel.example", "Stadt Beispiel", "Stadt Beispiel", "", FeedbackConcern, "R1", "Kostenfrei allein reicht nicht: Es braucht auch Betrieb und Support durch das Land."},
		{"it@landkreis-muster.example", "Landkreis Muster", "Landkreis Muster", "", FeedbackAddendum, "R2", "Bitte auch die Anbindung an kommunale Fachverfahren regeln."},
	}
	created := 3 // the profiles
	for _, r := range readers {
		var u User
		res := s.w(ctx).Where(User{Email: r.email}).Attrs(User{Name: r.name, Role: RoleReader}).FirstOrCreate(&u)
		if res.Error != nil {
			return 0, res.Error
		}
		created += int(res.RowsAffected)
		if err := s.GiveFeedback(ctx, &u, p2.ID, FeedbackInput{RequirementKey: r.key, Municipality: r.town, AGS: r.ags, Kind: r.kind, Text: r.text}, now); err != nil {
			return 0, err
		}
	}
	// 3: adopted, submitted, answered.
	p3, err := s.CreateProfile(ctx, &member, ProfileInput{Title: "Adressatengerechte Information der Kommunen",
		Summary: "Bund und Länder informieren Kommunen konkret über neue und geänderte Onlinedienste.",
		Problem: "Der Hinweis auf allgemeine Informationsplattformen reicht nicht.", Goals: "Umsetzungshinweise wie Ausführungsbestimmungen.",
		Tags: "Kommunikation", Origins: "Hessischer Städtetag",
		Requirements: []Requirement{{Priority: "MUSS", Text: "Zu jedem EfA-Dienst gibt es Umsetzungshinweise für Kommunen."},
			{Priority: "SOLL", Text: "Änderungen werden mindestens drei Monate vorher angekündigt."}}}, now)
	if err != nil {
		return 0, err
	}
	var res Resolution
	if err := s.r(ctx).Where("adopted = ?", true).Order("year, seq").First(&res).Error; err != nil {
		return 0, err
	}
	on := now.AddDate(0, 0, -20)
	answered := now.AddDate(0, 0, -5)
	for _, mv := range []ProfileMove{{To: ProfileConsultation, Ends: &ends, Public: true}, {To: ProfileAdopted, ResolutionID: &res.ID},
		{To: ProfileSubmitted, On: &on}, {To: ProfileAnswered, On: &answered, AnswerNumber: "2026/41",
			AnswerText: "Der IT-Planungsrat nimmt das Anforderungsprofil zustimmend zur Kenntnis und bittet die FITKO, die Umsetzungshinweise in den FIT-Store aufzunehmen."}} {
		if err := s.MoveProfile(ctx, &chair, p3.ID, mv, now); err != nil {
			return 0, err
		}
	}
	return created, nil
}

// seedMinutes protocols the held meetings: every TOP with discussion and
// result, a numbered resolution on the profiles, one Protokollnotiz, and
// each meeting's minutes approved by a resolution of the following one.
// The latest held meeting keeps draft minutes.
func (s *Store) seedMinutes(ctx context.Context) error {
	var n int64
	if err := s.r(ctx).Model(&Resolution{}).Count(&n).Error; err != nil || n > 0 {
		return err
	}
	var held []Meeting
	if err := s.r(ctx).Where("status = ?", StatusHeld).Order("starts_at").Find(&held).Error; err != nil {
		return err
	}
	var leipzig Organisation
	if err := s.r(ctx).Where("short_name = ?", "Leipzig").First(&leipzig).Error; err != nil {
		return err
	}
	for i, m := range held {
		items, err := s.Agenda(ctx, m.ID)
		if err != nil {
			return err
		}
		yes := m.QuorumPresent
		for _, it := range items {
			switch it.Title {
			case "Genehmigung des Protokolls der letzten Sitzung":
				if i == 0 {
					if err := s.RecordItem(ctx, it.ID, RecordInput{Discussion: "Es liegt kein Protokoll zur Genehmigung vor.", Result: ResultNoted}); err != nil {
						return err
					}
					continue
				}
				prev := held[i-1]
				r, err := s.RecordResolution(ctx, it.ID, ResolutionInput{Text: "1. Das Protokoll der Sitzung vom " +
					prev.StartsAt.In(berlin).Format("02.01.2006") + " wird genehmigt.", VotesYes: yes, Public: true}, MajoritySimple)
				if err != nil {
					return err
				}
				if err := s.SetMinutesStatus(ctx, prev.ID, MinutesVoting); err != nil {
					return err
				}
				if err := s.ApproveMinutes(ctx, prev.ID, r.ID, m.EndsAt); err != nil {
					return err
				}
				if err := s.SetFollowUp(ctx, r.ID, FollowDone, "Protokoll veröffentlicht"); err != nil {
					return err
				}
			case "Stand der Anforderungsprofile":
				if err := s.RecordItem(ctx, it.ID, RecordInput{Result: ResultAdopted, Discussion: "Die Geschäftsstelle berichtet über den Stand der " +
					"Anforderungsprofile. Die Mitglieder beraten die nächsten Schritte der Konsultation mit den Kommunen."}); err != nil {
					return err
				}
				r, err := s.RecordResolution(ctx, it.ID, ResolutionInput{Text: "1. Das Kommunalgremium nimmt den Bericht zur Kenntnis.\n" +
					"2. Die Geschäftsstelle wird gebeten, den Entwurf bis zur nächsten Sitzung in die Konsultation zu geben.",
					VotesYes: yes - 1, Abst: 1}, MajoritySimple)
				if err != nil {
					return err
				}
				if i == 1 {
					if _, err := s.AddMinuteNote(ctx, it.ID, &r.ID, leipzig.ID, "Die Stadt Leipzig enthält sich, da der Entwurf im eigenen Haus noch abgestimmt wird."); err != nil {
						return err
					}
				}
			default:
				result := ResultNoted
				if it.Outcome == KindAdvice {
					result = ResultDiscussed
				}
				if err := s.RecordItem(ctx, it.ID, RecordInput{Result: result, Discussion: "Der Vorsitz berichtet; Fragen der Mitglieder werden beantwortet."}); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (s *Store) seedCommittee(ctx context.Context) (created int, err error) {
	err = s.w(ctx).Transaction(func(tx *gorm.DB) error {
		var marker int64
		if err := tx.Model(&Setting{}).Where("key = ?", demoMarker).Count(&marker).Error; err != nil {
			return err
		}
		if marker == 0 {
			var orgs, users int64
			if err := tx.Model(&Organisation{}).Count(&orgs).Error; err != nil {
				return err
			}
			if err := tx.Model(&User{}).Count(&users).Error; err != nil {
				return err
			}
			if orgs+users > 0 {
				return ErrNotDemoDatabase
			}
		}
		for _, o := range demoOrganisations {
			o := o
			res := tx.Where(Organisation{Name: o.Name}).Attrs(o).FirstOrCreate(&o)
			if res.Error != nil {
				return res.Error
			}
			created += int(res.RowsAffected)
		}
		for _, a := range DemoAccounts {
			// Chair and member get their portal role from their seat below;
			// only the admin role is assigned directly.
			role := RoleReader
			if a.Role == RoleAdmin {
				role = RoleAdmin
			}
			u := User{Email: a.Email, Name: a.Name, Role: role}
			res := tx.Where(User{Email: a.Email}).Attrs(u).FirstOrCreate(&u)
			if res.Error != nil {
				return res.Error
			}
			created += int(res.RowsAffected)
		}
		n, err := seedSeats(tx)
		created += n
		if err != nil {
			return err
		}
		var marker2 int64
		if err := tx.Model(&Setting{}).Where("key = ?", demoMarker).Count(&marker2).Error; err != nil || marker2 > 0 {
			return err
		}
		return tx.Create(&Setting{Key: demoMarker, Value: "1"}).Error
	})
	return created, err
}

// IsEmpty reports whether the database holds no organisations and no users,
// which is when `make run` seeds the demo data by itself.
func (s *Store) IsEmpty(ctx context.Context) (bool, error) {
	var n int64
	if err := s.r(ctx).Model(&Organisation{}).Count(&n).Error; err != nil || n > 0 {
		return false, err
	}
	if err := s.r(ctx).Model(&User{}).Count(&n).Error; err != nil {
		return false, err
	}
	return n == 0, nil
}

// demoSeat is one demo term: who sits for which organisation (by short name)
// from when to when.
type demoSeat struct {
	org, name, email, position string
	role                       SeatRole
	start, end                 string
	deputyFor                  string // e-mail of the member a deputy stands in for
	endReason                  string
}

// demoSeats gives every demo organisation its representative, places the
// demo accounts (vorsitz@ for FITKO, mitglied@ for Stadt Leipzig), adds one
// deputy and one ended term, so the record shows history.
var demoSeats = []demoSeat{
	{org: "FITKO", name: "Dr. Vera Vogt", email: "vorsitz@kog.example", position: "Leitung Geschäftsstelle Kommunalgremium", role: SeatChair, start: "2020-08-27"},
	{org: "Leipzig", name: "Max Mertens", email: "mitglied@kog.example", position: "Chief Digital Officer", role: SeatMember, start: "2023-01-01"},
	{org: "Leipzig", name: "Sabine Sommer", email: "s.sommer@leipzig.example", position: "Referat Digitale Verwaltung", role: SeatDeputy, start: "2023-01-01", deputyFor: "mitglied@kog.example"},
	{org: "Düsseldorf", name: "Klaus Keller", email: "k.keller@duesseldorf.example", role: SeatMember, start: "2020-08-27", end: "2024-06-30", endReason: "Wechsel in eine andere Aufgabe"},
	{org: "Düsseldorf", name: "Petra Peters", email: "p.peters@duesseldorf.example", position: "Amt für Digitalisierung", role: SeatMember, start: "2024-07-01"},
	{org: "Paderborn", name: "Jan Jansen", email: "j.jansen@paderborn.example", role: SeatMember, start: "2020-08-27"},
	{org: "Groß-Gerau", name: "Miriam Maurer", email: "m.maurer@kreisgg.example", role: SeatMember, start: "2020-08-27"},
	{org: "Cochem-Zell", name: "Thomas Theis", email: "t.theis@cochem-zell.example", role: SeatMember, start: "2020-08-27"},
	{org: "Aschaffenburg", name: "Anja Albrecht", email: "a.albrecht@lra-ab.example", role: SeatMember, start: "2021-03-01"},
	{org: "VG Kaiseresch", name: "Bernd Becker", email: "b.becker@kaiseresch.example", role: SeatMember, start: "2020-08-27"},
	{org: "HStT", name: "Claudia Conrad", email: "c.conrad@hess-staedtetag.example", role: SeatMember, start: "2020-08-27"},
	{org: "DStGB", name: "Dirk Dietrich", email: "d.dietrich@dstgb.example", role: SeatMember, start: "2020-08-27"},
	{org: "Vitako", name: "Eva Engel", email: "e.engel@vitako.example", role: SeatMember, start: "2020-08-27"},
	{org: "AKDB", name: "Florian Fischer", email: "f.fischer@akdb.example", role: SeatMember, start: "2022-05-01"},
	{org: "ekom21", name: "Gabriele Graf", email: "g.graf@ekom21.example", role: SeatMember, start: "2020-08-27"},
	{org: "KGSt", name: "Holger Hahn", email: "h.hahn@kgst.example", role: SeatMember, start: "2020-08-27"},
	{org: "KGSt", name: "Ingrid Ihle", email: "i.ihle@kgst.example", role: SeatMember, start: "2020-08-27"},
}

// seedSeats creates the demo people, their invitations and their terms,
// skipping whatever exists already.
func seedSeats(tx *gorm.DB) (created int, err error) {
	termOf := map[string]uint{} // e-mail → membership ID, for deputies
	for _, d := range demoSeats {
		var org Organisation
		if err := tx.Where("short_name = ?", d.org).First(&org).Error; err != nil {
			return created, err
		}
		u := User{Email: d.email, Name: d.name, Role: RoleReader}
		res := tx.Where(User{Email: d.email}).Attrs(u).FirstOrCreate(&u)
		if res.Error != nil {
			return created, res.Error
		}
		created += int(res.RowsAffected)
		p := Person{Name: d.name, Email: d.email, Position: d.position, UserID: &u.ID}
		if res = tx.Where("email = ?", d.email).Attrs(p).FirstOrCreate(&p); res.Error != nil {
			return created, res.Error
		}
		created += int(res.RowsAffected)
		start, _ := time.Parse("2006-01-02", d.start)
		m := Membership{PersonID: p.ID, OrganisationID: org.ID, Role: d.role, Voting: d.role == SeatMember,
			StartDate: start, EndReason: d.endReason}
		if d.end != "" {
			end, _ := time.Parse("2006-01-02", d.end)
			m.EndDate = &end
		}
		if d.deputyFor != "" {
			id := termOf[d.deputyFor]
			m.DeputyForID = &id
		}
		res = tx.Where("person_id = ? AND organisation_id = ? AND start_date = ?", p.ID, org.ID, start).First(&m)
		if errors.Is(res.Error, gorm.ErrRecordNotFound) {
			if err := validateMembership(tx, &m); err != nil {
				return created, err
			}
			if err := tx.Create(&m).Error; err != nil {
				return created, err
			}
			created++
		} else if res.Error != nil {
			return created, res.Error
		}
		termOf[d.email] = m.ID
	}
	return created, nil
}

const demoVideoURL = "https://konferenz.fitko.example/kommunalgremium"

// seedMeetings creates this year's series (2nd Wednesday, 10:00–11:30), an
// in-person meeting in spring and one in autumn; meetings before now are
// held with attendance and quorum recorded, the next one is invited with
// several answers, later ones are planned. It runs only on a database
// without meetings, and outside the committee transaction: its steps are
// Store methods with transactions of their own.
func (s *Store) seedMeetings(ctx context.Context, now time.Time) (int, error) {
	var n int64
	if err := s.r(ctx).Model(&Meeting{}).Count(&n).Error; err != nil || n > 0 {
		return 0, err
	}
	year := now.In(berlin).Year()
	_, series, err := s.CreateSeries(ctx, SeriesInput{Title: "Monatliche Videokonferenz", Weekday: int(time.Wednesday),
		Ordinal: 2, StartTime: "10:00", EndTime: "11:30", VideoURL: demoVideoURL, Year: year, From: time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		return 0, err
	}
	created := len(series)
	if now.In(berlin).Month() == time.December {
		// Late in the year the demo also needs next year's dates, so there
		// is always an upcoming meeting to try things on.
		_, more, err := s.CreateSeries(ctx, SeriesInput{Title: "Monatliche Videokonferenz", Weekday: int(time.Wednesday),
			Ordinal: 2, StartTime: "10:00", EndTime: "11:30", VideoURL: demoVideoURL, Year: year + 1, From: time.Date(year+1, 1, 1, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			return created, err
		}
		created += len(more)
	}
	for _, in := range []MeetingInput{
		{Kind: MeetingInPerson, Title: "Präsenzsitzung Frühjahr", Date: strconv.Itoa(year) + "-05-20", Start: "10:00", End: "16:00",
			Location: "FITKO, Frankfurt am Main", Address: "Zum Gottschalkhof 3, 60594 Frankfurt am Main",
			Description: "Jahresplanung, Stand der Anforderungsprofile, Austausch mit der Geschäftsstelle des IT-Planungsrats."},
		{Kind: MeetingInPerson, Title: "Präsenzsitzung Herbst", Date: strconv.Itoa(year) + "-10-28", Start: "10:00", End: "16:00",
			Location: "Neues Rathaus Leipzig", Address: "Martin-Luther-Ring 4–6, 04109 Leipzig",
			Description: "Vorbereitung der Empfehlungen an den IT-Planungsrat, EfA-Nachnutzung in den Kommunen."},
	} {
		if _, err := s.CreateMeeting(ctx, in); err != nil {
			return created, err
		}
		created++
	}
	all, err := s.AllMeetings(ctx)
	if err != nil {
		return created, err
	}
	seats, err := s.SeatsOn(ctx, now)
	if err != nil {
		return created, err
	}
	nextDone := false
	for i, m := range all {
		switch {
		case m.EndsAt.Before(now):
			if err := s.SetMeetingStatus(ctx, m.ID, StatusInvited, m.StartsAt.AddDate(0, 0, -14)); err != nil {
				return created, err
			}
			if err := s.SetMeetingStatus(ctx, m.ID, StatusHeld, m.EndsAt); err != nil {
				return created, err
			}
			var entries []AttendanceEntry
			for j, st := range seats {
				p := PresenceAttended
				if (i+j)%5 == 0 {
					p = PresenceExcused // a few apologies each time
				}
				entries = append(entries, AttendanceEntry{PersonID: st.PersonID, Presence: p})
			}
			if _, err := s.RecordAttendance(ctx, m.ID, entries, m.EndsAt); err != nil {
				return created, err
			}
		case !nextDone:
			nextDone = true
			if err := s.SetMeetingStatus(ctx, m.ID, StatusInvited, now); err != nil {
				return created, err
			}
			for j, st := range seats {
				if j%3 == 2 || st.Role != SeatMember {
					continue // some have not answered yet
				}
				answer := AnswerAttend
				if j%4 == 3 {
					answer = AnswerExcused
				}
				if err := s.Register(ctx, m.ID, st.PersonID, answer, nil, now); err != nil {
					return created, err
				}
			}
		}
	}
	return created, nil
}

// demoTopic is a topic of the demo data and what the chair did with it.
type demoTopic struct {
	by, title, body, tags string
	kind                  TopicKind
	to                    TopicStatus
	reason                string
}

var demoTopics = []demoTopic{
	{by: "mitglied@kog.example", title: "EfA-Onlinedienste aus dem FIT-Store für Kommunen", kind: KindDecision, to: TopicAccepted, tags: "EfA, FIT-Store",
		body: "Kommunen können Onlinedienste aus dem **FIT-Store** nicht direkt abrufen; dazu sind nur Bund und Länder berechtigt.\n\nDas Gremium soll ein Anforderungsprofil beschließen, wie Länder ihren Kommunen EfA-Dienste nach einem einheitlichen Geschäftsmodell bereitstellen."},
	{by: "p.peters@duesseldorf.example", title: "Anbindung kommunaler Fachverfahren an FIT-Connect", kind: KindAdvice, to: TopicAccepted, tags: "FIT-Connect",
		body: "Erfahrungen aus Düsseldorf mit der Anbindung an FIT-Connect: Zustellpunkte, Zertifikate, Testumgebungen.\n\n- Was fehlt den Herstellern?\n- Welche Unterstützung brauchen kleinere Kommunen?"},
	{by: "e.engel@vitako.example", title: "Adressatengerechte Information der Kommunen durch Bund und Länder", kind: KindAdvice, to: TopicSubmitted, tags: "Kommunikation",
		body: "Der Hinweis auf allgemeine Informationsplattformen reicht nicht. Vorschlag: konkrete Umsetzungshinweise, vergleichbar mit Ausführungsbestimmungen."},
	{by: "b.becker@kaiseresch.example", title: "Austausch zu produktiv genutzten Onlinediensten", kind: KindInformation, to: TopicDeferred, tags: "Nachnutzung",
		reason: "Wird nach der Präsenzsitzung im Frühjahr wieder aufgerufen, wenn die Übersicht der Länder vorliegt."},
	{by: "d.dietrich@dstgb.example", title: "Gebührenmodell für EfA-Leistungen", kind: KindDecision, to: TopicRejected, tags: "EfA, Finanzierung",
		reason: "Die Finanzierung liegt beim IT-Planungsrat und der FITKO; das Gremium kann hierzu keinen Beschluss fassen. Bitte als Frage an den IT-PLR formulieren."},
	{by: "h.hahn@kgst.example", title: "Einheitliches Geschäftsmodell für EfA-Dienste", kind: KindAdvice, to: TopicMerged, tags: "EfA",
		body: "Deckt sich weitgehend mit dem Thema aus Leipzig."},
}

// seedTopics adds topics in every triage state, co-signatures, a comment
// thread, and agendas: published ones for the held meetings and for the
// next meeting. It runs only when there are no topics yet.
func (s *Store) seedTopics(ctx context.Context, now time.Time) (int, error) {
	var n int64
	if err := s.r(ctx).Model(&Topic{}).Count(&n).Error; err != nil || n > 0 {
		return 0, err
	}
	userBy := func(email string) (*User, error) {
		var u User
		return &u, s.r(ctx).Where("email = ?", email).First(&u).Error
	}
	chair, err := userBy("vorsitz@kog.example")
	if err != nil {
		return 0, err
	}
	next, err := s.NextMeeting(ctx, now)
	if err != nil {
		return 0, err
	}
	created := 0
	var first *Topic
	for _, d := range demoTopics {
		u, err := userBy(d.by)
		if err != nil {
			return created, err
		}
		body := d.body
		if body == "" {
			body = d.title + "."
		}
		t, _, err := s.SubmitTopic(ctx, u, TopicInput{Title: d.title, Description: body, Kind: d.kind, Urgency: "normal", Tags: d.tags}, now)
		if err != nil {
			return created, err
		}
		created++
		tr := Triage{To: d.to, Reason: d.reason}
		switch d.to {
		case TopicAccepted:
			tr.MeetingID = &next.ID
		case TopicDeferred:
			later := now.AddDate(0, 3, 0)
			tr.ResubmitOn = &later
		case TopicMerged:
			tr.MergedIntoID = &first.ID
		case TopicSubmitted:
			continue
		}
		if err := s.TriageTopic(ctx, chair, t.ID, tr, now); err != nil {
			return created, err
		}
		if first == nil {
			first = t
		}
	}
	for _, email := range []string{"p.peters@duesseldorf.example", "a.albrecht@lra-ab.example"} {
		u, _ := userBy(email)
		if err := s.CoSignTopic(ctx, u, first.ID, now); err != nil {
			return created, err
		}
	}
	if c, err := s.AddComment(ctx, chair, first.ID, nil, "Danke für den Vorschlag. Bitte bringen Sie bis zur Sitzung **zwei Beispiele** aus Ihren Ländern mit."); err == nil {
		member, _ := userBy("mitglied@kog.example")
		_, _ = s.AddComment(ctx, member, first.ID, &c.ID, "Machen wir – Sachsen und Bayern haben bereits Landesportale mit Rahmenverträgen.")
	}
	// The next meeting's agenda from the accepted topics, published.
	items := []AgendaItemInput{
		{Category: "A", Title: "Begrüßung und Feststellung der Beschlussfähigkeit", Outcome: KindInformation, DurationMin: 5, Public: true},
		{Category: "A", Title: "Genehmigung des Protokolls der letzten Sitzung", Outcome: KindDecision, DurationMin: 5},
		{Category: "B", TopicID: &first.ID, Outcome: KindDecision, DurationMin: 30},
		{Category: "H", Title: "Verschiedenes", Outcome: KindInformation, DurationMin: 10, Public: true},
	}
	if accepted, err := s.Topics(ctx, TopicFilter{Status: TopicAccepted, MeetingID: next.ID}); err == nil {
		for _, t := range accepted {
			if t.ID != first.ID {
				id := t.ID
				items = append(items, AgendaItemInput{Category: "B", TopicID: &id, Outcome: KindAdvice, DurationMin: 20})
			}
		}
	}
	for _, in := range items {
		if _, err := s.AddAgendaItem(ctx, next.ID, in, now); err != nil {
			return created, err
		}
		created++
	}
	if err := s.PublishAgenda(ctx, next.ID, now); err != nil {
		return created, err
	}
	// Held meetings got their agendas back then: written directly, as the
	// builder only edits open meetings.
	var held []Meeting
	if err := s.r(ctx).Where("status = ?", StatusHeld).Find(&held).Error; err != nil {
		return created, err
	}
	var fitko Organisation
	if err := s.r(ctx).Where("is_chair = ?", true).First(&fitko).Error; err != nil {
		return created, err
	}
	for _, m := range held {
		invited := m.StartsAt.AddDate(0, 0, -14)
		rows := []AgendaItem{
			{MeetingID: m.ID, Category: "A", Position: 1, Title: "Begrüßung und Feststellung der Beschlussfähigkeit", Outcome: KindInformation, Public: true, DurationMin: 5},
			{MeetingID: m.ID, Category: "A", Position: 2, Title: "Genehmigung des Protokolls der letzten Sitzung", Outcome: KindDecision, Public: true, DurationMin: 5},
			{MeetingID: m.ID, Category: "B", Position: 1, Title: "Bericht aus dem IT-Planungsrat", Outcome: KindInformation, Public: true, DurationMin: 20,
				RapporteurOrgID: &fitko.ID, RapporteurName: "Geschäftsstelle"},
			{MeetingID: m.ID, Category: "B", Position: 2, Title: "Stand der Anforderungsprofile", Outcome: KindAdvice, DurationMin: 30,
				RapporteurOrgID: &fitko.ID},
			{MeetingID: m.ID, Category: "H", Position: 1, Title: "Verschiedenes", Outcome: KindInformation, Public: true, DurationMin: 10},
		}
		if err := s.w(ctx).Create(&rows).Error; err != nil {
			return created, err
		}
		if err := s.w(ctx).Model(&m).Update("agenda_published_at", invited).Error; err != nil {
			return created, err
		}
		created += len(rows)
	}
	return created, nil
}
