package models

import (
	"context"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
)

// OrgKind classifies an organisation; the German label is shown in the UI.
type OrgKind string

// The organisation kinds that sit in the committee.
const (
	OrgCity             OrgKind = "stadt"
	OrgCounty           OrgKind = "landkreis"
	OrgVerbandsgemeinde OrgKind = "verbandsgemeinde"
	OrgAssociation      OrgKind = "spitzenverband"
	OrgITProvider       OrgKind = "it_dienstleister"
	OrgKGSt             OrgKind = "kgst"
	OrgFederal          OrgKind = "bund"
	OrgState            OrgKind = "land"
	OrgOther            OrgKind = "sonstige"
)

// Label is the kind in German.
func (k OrgKind) Label() string {
	switch k {
	case OrgCity:
		return "Stadt"
	case OrgCounty:
		return "Landkreis"
	case OrgVerbandsgemeinde:
		return "Verbandsgemeinde"
	case OrgAssociation:
		return "Kommunaler Spitzenverband"
	case OrgITProvider:
		return "Kommunaler IT-Dienstleister"
	case OrgKGSt:
		return "KGSt"
	case OrgFederal:
		return "FITKO/Bund"
	case OrgState:
		return "Land"
	}
	return "Sonstige"
}

// Organisation is a body that holds seats in the committee, or chairs it.
type Organisation struct {
	ID        uint    `gorm:"primaryKey"`
	Name      string  `gorm:"size:255;not null;uniqueIndex"`
	ShortName string  `gorm:"size:64"`
	Kind      OrgKind `gorm:"size:32;not null"`
	State     string  `gorm:"size:64"`  // Bundesland
	AGS       string  `gorm:"size:12"`  // Amtlicher Gemeindeschlüssel / ARS
	Website   string  `gorm:"size:255"` // https URL
	// RepresentedBy notes an association that represents the seat, e.g. a
	// county represented by the Deutscher Landkreistag.
	RepresentedBy string `gorm:"size:255"`
	// Seats has no GORM default on purpose: with one, GORM would store the
	// column default 1 in place of a zero, and the chair (0 seats) would get
	// a seat. The column keeps its DEFAULT 1 from migration 0001.
	Seats     int  `gorm:"not null"`
	IsChair   bool `gorm:"not null;default:false"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Organisations lists the chair first, then members by name.
func (s *Store) Organisations(ctx context.Context) ([]Organisation, error) {
	var os []Organisation
	err := s.r(ctx).Order("is_chair DESC, lower(name)").Find(&os).Error
	return os, err
}

// Organisation loads one organisation.
func (s *Store) Organisation(ctx context.Context, id uint) (*Organisation, error) {
	var o Organisation
	if err := s.r(ctx).First(&o, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &o, nil
}

// CommitteeSeats counts the member seats (the chair holds none).
func CommitteeSeats(orgs []Organisation) int {
	n := 0
	for _, o := range orgs {
		if !o.IsChair {
			n += o.Seats
		}
	}
	return n
}

// OrgKinds lists the kinds in the order forms offer them.
var OrgKinds = []OrgKind{OrgCity, OrgCounty, OrgVerbandsgemeinde, OrgAssociation, OrgITProvider, OrgKGSt, OrgFederal, OrgState, OrgOther}

// States are the 16 Länder; an empty state means nationwide.
var States = []string{"Baden-Württemberg", "Bayern", "Berlin", "Brandenburg", "Bremen", "Hamburg", "Hessen",
	"Mecklenburg-Vorpommern", "Niedersachsen", "Nordrhein-Westfalen", "Rheinland-Pfalz", "Saarland", "Sachsen",
	"Sachsen-Anhalt", "Schleswig-Holstein", "Thüringen"}

// validate checks an organisation; messages are German per form field.
func (o *Organisation) validate() error {
	o.Name, o.ShortName = strings.TrimSpace(o.Name), strings.TrimSpace(o.ShortName)
	o.AGS, o.Website = strings.ReplaceAll(strings.TrimSpace(o.AGS), " ", ""), strings.TrimSpace(o.Website)
	o.RepresentedBy = strings.TrimSpace(o.RepresentedBy)
	v := &ValidationError{}
	if o.Name == "" {
		v.Add("name", "Bitte geben Sie den Namen der Organisation an.")
	}
	v.MaxLen("name", o.Name, 255).MaxLen("short_name", o.ShortName, 64).MaxLen("represented_by", o.RepresentedBy, 255).MaxLen("website", o.Website, 255)
	kindOK := false
	for _, k := range OrgKinds {
		kindOK = kindOK || k == o.Kind
	}
	if !kindOK {
		v.Add("kind", "Bitte wählen Sie die Art der Organisation.")
	}
	if o.State != "" && !slices.Contains(States, o.State) {
		v.Add("state", "Bitte wählen Sie ein Bundesland aus der Liste oder „bundesweit“.")
	}
	if o.AGS != "" && !agsPattern.MatchString(o.AGS) {
		v.Add("ags", "Der Gemeindeschlüssel hat 8 Ziffern (AGS) oder 12 Ziffern (ARS), z. B. 14713000.")
	}
	if o.Website != "" {
		if u, err := url.Parse(o.Website); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			v.Add("website", "Die Website muss eine vollständige Adresse sein, z. B. https://www.leipzig.de.")
		}
	}
	if o.Seats < 0 || o.Seats > 5 || (o.IsChair && o.Seats != 0) {
		v.Add("seats", "Eine Mitgliedsorganisation hat 0 bis 5 Sitze; der Vorsitz hat keinen Sitz.")
	}
	return v.Err()
}

var agsPattern = regexp.MustCompile(`^(\d{8}|\d{12})$`)

// SaveOrganisation creates (ID 0) or updates an organisation.
func (s *Store) SaveOrganisation(ctx context.Context, o *Organisation) error {
	if err := o.validate(); err != nil {
		return err
	}
	return s.w(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&Organisation{}).Where("lower(name) = ? AND id <> ?", strings.ToLower(o.Name), o.ID).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return (&ValidationError{}).Add("name", "Eine Organisation mit diesem Namen gibt es schon.")
		}
		if o.ID == 0 {
			return tx.Create(o).Error
		}
		res := tx.Model(o).Select("name", "short_name", "kind", "state", "ags", "website", "represented_by", "seats").Updates(o)
		if res.Error == nil && res.RowsAffected == 0 {
			return ErrNotFound
		}
		return res.Error
	})
}
