package models

import (
	"context"
	"errors"

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

// SeedDemo fills an empty database with the demo committee and invitations
// for the demo accounts. Running it again changes nothing; it refuses a
// database that already holds data it did not put there.
func (s *Store) SeedDemo(ctx context.Context) (created int, err error) {
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
			u := User{Email: a.Email, Name: a.Name, Role: a.Role}
			res := tx.Where(User{Email: a.Email}).Attrs(u).FirstOrCreate(&u)
			if res.Error != nil {
				return res.Error
			}
			created += int(res.RowsAffected)
		}
		return setSetting(tx, demoMarker, "1")
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
