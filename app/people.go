package app

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"kogportal/models"
)

// PersonPage shows a person's terms; contact details and position only as
// far as the viewer may see them.
type PersonPage struct {
	Page
	Person       *models.Person
	Contact      Contact
	ShowPosition bool
	CanManage    bool
	CanEdit      bool
	// Form data for starting or ending a term (chair and admin).
	Organisations []models.Organisation
	Members       []models.Membership
	SeatRoles     []models.SeatRole
	Today         string
	Errors        map[string]string
}

// InvitePage is the form to bring a new person into the committee.
type InvitePage struct {
	Page
	In            inviteInput
	Errors        map[string]string
	Organisations []models.Organisation
	Members       []models.Membership
	SeatRoles     []models.SeatRole
}

// termInput is the part of a form that describes one term.
type termInput struct {
	OrganisationID uint   `form:"organisation_id"`
	Role           string `form:"role"`
	Voting         bool   `form:"voting"`
	DeputyForID    uint   `form:"deputy_for_id"`
	Start          string `form:"start"`
}

type inviteInput struct {
	Name     string `form:"name"`
	Email    string `form:"email"`
	Position string `form:"position"`
	termInput
}

type endInput struct {
	End    string `form:"end"`
	Reason string `form:"reason"`
}

// parseDay reads an <input type="date"> value, or a typed German date
// (browsers without a date picker send what the person typed).
func parseDay(v string) (time.Time, bool) {
	for _, layout := range []string{"2006-01-02", "02.01.2006", "2.1.2006"} {
		if t, err := time.Parse(layout, strings.TrimSpace(v)); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// membership turns the form into a term; a bad date is a field error.
func (in termInput) membership(personID uint) (*models.Membership, *models.ValidationError) {
	v := &models.ValidationError{}
	start, ok := parseDay(in.Start)
	if !ok {
		v.Add("start", "Bitte geben Sie den Beginn als Datum an (TT.MM.JJJJ).")
	}
	// Only members vote; the box is ticked by default, so it is ignored for
	// the other roles instead of refusing the form.
	role := models.SeatRole(in.Role)
	m := &models.Membership{PersonID: personID, OrganisationID: in.OrganisationID, Role: role,
		Voting: in.Voting && role == models.SeatMember, StartDate: start}
	if in.DeputyForID != 0 {
		id := in.DeputyForID
		m.DeputyForID = &id
	}
	return m, v
}

func (s *Server) person(c *fiber.Ctx) error {
	viewer := currentUser(c)
	if err := allow(c, models.CanViewCommittee(viewer)); err != nil {
		return err
	}
	p, err := s.personParam(c)
	if err != nil {
		return err
	}
	return s.renderPerson(c, fiber.StatusOK, p, nil)
}

func (s *Server) renderPerson(c *fiber.Ctx, status int, p *models.Person, errs map[string]string) error {
	viewer := currentUser(c)
	page := PersonPage{Page: s.page(c, p.Name), Person: p, Contact: contactOf(viewer, p),
		ShowPosition: models.CanSeeInternal(viewer), CanManage: models.CanManageCommittee(viewer),
		CanEdit: models.CanEditProfile(viewer, p), SeatRoles: models.SeatRoles,
		Today: models.Day(s.now()).Format("2006-01-02"), Errors: errs}
	if page.CanManage {
		var err error
		if page.Organisations, page.Members, err = s.termChoices(c); err != nil {
			return err
		}
	}
	return s.render(c, status, "people/show", page)
}

// termChoices are the organisations and current members a term form offers.
func (s *Server) termChoices(c *fiber.Ctx) ([]models.Organisation, []models.Membership, error) {
	orgs, err := s.store.Organisations(c.UserContext())
	if err != nil {
		return nil, nil, err
	}
	current, err := s.store.CurrentMemberships(c.UserContext(), s.now())
	if err != nil {
		return nil, nil, err
	}
	var members []models.Membership
	for _, m := range current {
		if m.Role == models.SeatMember {
			members = append(members, m)
		}
	}
	return orgs, members, nil
}

func (s *Server) newPerson(c *fiber.Ctx) error {
	if err := allow(c, models.CanManageCommittee(currentUser(c))); err != nil {
		return err
	}
	in := inviteInput{termInput: termInput{Role: string(models.SeatMember), Voting: true,
		Start: models.Day(s.now()).Format("2006-01-02")}}
	return s.invitePage(c, fiber.StatusOK, in, nil)
}

func (s *Server) invitePerson(c *fiber.Ctx) error {
	if err := allow(c, models.CanManageCommittee(currentUser(c))); err != nil {
		return err
	}
	var in inviteInput
	if err := c.BodyParser(&in); err != nil {
		return fiber.ErrBadRequest
	}
	m, v := in.membership(0)
	var p *models.Person
	err := v.Err()
	if err == nil {
		p, err = s.store.InvitePerson(c.UserContext(), models.Invitation{Name: in.Name, Email: in.Email, Position: in.Position,
			OrganisationID: m.OrganisationID, Role: m.Role, Voting: m.Voting, DeputyForID: m.DeputyForID, StartDate: m.StartDate})
	}
	if ve, ok := asValidation(err); ok {
		return s.invitePage(c, fiber.StatusUnprocessableEntity, in, ve.Fields)
	} else if err != nil {
		return err
	}
	return s.redirectWithFlash(c, "/personen/"+strconv.Itoa(int(p.ID)),
		p.Name+" ist eingeladen. Bei der ersten Anmeldung mit "+p.Email+" wird das Konto verknüpft.")
}

func (s *Server) invitePage(c *fiber.Ctx, status int, in inviteInput, errs map[string]string) error {
	orgs, members, err := s.termChoices(c)
	if err != nil {
		return err
	}
	return s.render(c, status, "people/invite", InvitePage{Page: s.page(c, "Person einladen"), In: in, Errors: errs,
		Organisations: orgs, Members: members, SeatRoles: models.SeatRoles})
}

func (s *Server) startMembership(c *fiber.Ctx) error {
	if err := allow(c, models.CanManageCommittee(currentUser(c))); err != nil {
		return err
	}
	p, err := s.personParam(c)
	if err != nil {
		return err
	}
	var in termInput
	if err := c.BodyParser(&in); err != nil {
		return fiber.ErrBadRequest
	}
	m, v := in.membership(p.ID)
	err = v.Err()
	if err == nil {
		err = s.store.StartMembership(c.UserContext(), m)
	}
	if ve, ok := asValidation(err); ok {
		return s.renderPerson(c, fiber.StatusUnprocessableEntity, p, ve.Fields)
	} else if err != nil {
		return err
	}
	return s.redirectWithFlash(c, "/personen/"+strconv.Itoa(int(p.ID)), "Die Mitgliedschaft ist eingetragen.")
}

func (s *Server) endMembership(c *fiber.Ctx) error {
	if err := allow(c, models.CanManageCommittee(currentUser(c))); err != nil {
		return err
	}
	id, err := c.ParamsInt("id")
	if err != nil || id <= 0 {
		return models.ErrNotFound
	}
	m, err := s.store.Membership(c.UserContext(), uint(id))
	if err != nil {
		return err
	}
	var in endInput
	if err := c.BodyParser(&in); err != nil {
		return fiber.ErrBadRequest
	}
	end, ok := parseDay(in.End)
	if !ok {
		err = (&models.ValidationError{}).Add("end", "Bitte geben Sie das Ende als Datum an (TT.MM.JJJJ).")
	} else {
		err = s.store.EndMembership(c.UserContext(), m.ID, end, in.Reason)
	}
	if ve, ok := asValidation(err); ok {
		p, perr := s.store.Person(c.UserContext(), m.PersonID)
		if perr != nil {
			return perr
		}
		return s.renderPerson(c, fiber.StatusUnprocessableEntity, p, ve.Fields)
	} else if err != nil {
		return err
	}
	return s.redirectWithFlash(c, "/personen/"+strconv.Itoa(int(m.PersonID)),
		"Die Mitgliedschaft für "+m.Organisation.Name+" endet am "+end.Format("02.01.2006")+".")
}

func (s *Server) personParam(c *fiber.Ctx) (*models.Person, error) {
	id, err := c.ParamsInt("id")
	if err != nil || id <= 0 {
		return nil, models.ErrNotFound
	}
	return s.store.Person(c.UserContext(), uint(id))
}
