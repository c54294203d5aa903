package app

import (
	"github.com/gofiber/fiber/v2"

	"kogportal/models"
)

// CommitteePage lists the chair and the member organisations.
type CommitteePage struct {
	Page
	Organisations []models.Organisation
	Seats         int
}

// OrganisationPage shows one organisation.
type OrganisationPage struct {
	Page
	Organisation *models.Organisation
}

func (s *Server) committee(c *fiber.Ctx) error {
	if err := allow(c, models.CanViewCommittee(currentUser(c))); err != nil {
		return err
	}
	orgs, err := s.store.Organisations(c.UserContext())
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "committee/index", CommitteePage{Page: s.page(c, "Das Kommunalgremium"),
		Organisations: orgs, Seats: models.CommitteeSeats(orgs)})
}

func (s *Server) organisation(c *fiber.Ctx) error {
	if err := allow(c, models.CanViewCommittee(currentUser(c))); err != nil {
		return err
	}
	id, err := c.ParamsInt("id")
	if err != nil || id <= 0 {
		return models.ErrNotFound
	}
	org, err := s.store.Organisation(c.UserContext(), uint(id))
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "organisations/show", OrganisationPage{Page: s.page(c, org.Name), Organisation: org})
}
