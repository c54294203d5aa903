package app

import (
	"github.com/gofiber/fiber/v2"

	"kogportal/models"
)

// HomePage is the start page: the same committee overview for everyone, and
// a block per role with what that role can do next.
type HomePage struct {
	Page
	Organisations []models.Organisation
	Seats         int
	// Members see the next meeting with its join link and their answer.
	Next      *models.Meeting
	Mine      *models.Registration
	JoinNow   bool
	ShowVideo bool
}

func (s *Server) home(c *fiber.Ctx) error {
	orgs, err := s.store.Organisations(c.UserContext())
	if err != nil {
		return err
	}
	next, mine, err := s.nextMeetingFor(c)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "home/index", HomePage{Page: s.page(c, "Startseite"),
		Organisations: orgs, Seats: models.CommitteeSeats(orgs), Next: next, Mine: mine,
		JoinNow: soon(next, s.now()), ShowVideo: models.CanSeeVideoLink(currentUser(c))})
}

// legalPage serves the fixed pages every public German site needs
// (Impressum, Datenschutz, Barrierefreiheit); their text names what the
// operator has to fill in.
func (s *Server) legalPage(name, title string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		return s.render(c, fiber.StatusOK, "pages/"+name, s.page(c, title))
	}
}
