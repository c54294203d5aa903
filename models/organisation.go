package models

import (
	"context"
	"time"
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
	Seats         int    `gorm:"not null;default:1"`
	IsChair       bool   `gorm:"not null;default:false"`
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Organisations lists the chair first, then members by name.
func (s *Store) Organisations(ctx context.Context) ([]Organisation, error) {
	var os []Organisation
	err := s.r(ctx).Order("is_chair DESC, name").Find(&os).Error
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
