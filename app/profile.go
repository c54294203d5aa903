package app

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"kogportal/models"
)

// ProfilePage lets a signed-in person see and correct their own record.
type ProfilePage struct {
	Page
	Person *models.Person
	Errors map[string]string
}

type profileInput struct {
	Name      string `form:"name"`
	Phone     string `form:"phone"`
	Position  string `form:"position"`
	ShowEmail bool   `form:"show_email"`
	ShowPhone bool   `form:"show_phone"`
}

// ownPerson is the signed-in user's person record; accounts without one
// (readers from municipalities) have no profile to edit.
func (s *Server) ownPerson(c *fiber.Ctx) (*models.Person, error) {
	u := currentUser(c)
	if err := allow(c, models.IsSignedIn(u)); err != nil {
		return nil, err
	}
	p, err := s.store.PersonOfUser(c.UserContext(), u.ID)
	if errors.Is(err, models.ErrNotFound) {
		return nil, nil
	}
	if err == nil {
		err = allow(c, models.CanEditProfile(u, p))
	}
	return p, err
}

func (s *Server) profile(c *fiber.Ctx) error {
	p, err := s.ownPerson(c)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "profile/edit", ProfilePage{Page: s.page(c, "Mein Profil"), Person: p})
}

func (s *Server) saveProfile(c *fiber.Ctx) error {
	p, err := s.ownPerson(c)
	if err != nil {
		return err
	}
	if p == nil {
		return models.ErrNotFound
	}
	var in profileInput
	if err := c.BodyParser(&in); err != nil {
		return fiber.ErrBadRequest
	}
	err = s.store.UpdateProfile(c.UserContext(), p.ID, models.PersonProfile{Name: in.Name, Phone: in.Phone,
		Position: in.Position, ShowEmail: in.ShowEmail, ShowPhone: in.ShowPhone})
	if ve, ok := asValidation(err); ok {
		p.Name, p.Phone, p.Position, p.ShowEmail, p.ShowPhone = in.Name, in.Phone, in.Position, in.ShowEmail, in.ShowPhone
		return s.render(c, fiber.StatusUnprocessableEntity, "profile/edit", ProfilePage{Page: s.page(c, "Mein Profil"), Person: p, Errors: ve.Fields})
	} else if err != nil {
		return err
	}
	return s.redirectWithFlash(c, "/profil", "Ihr Profil ist gespeichert.")
}
