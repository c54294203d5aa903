package app

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"kogportal/models"
)

// OrganisationPage shows one organisation with its current and past terms.
type OrganisationPage struct {
	Page
	Organisation *models.Organisation
	Current      []models.Membership
	History      []models.Membership
	Contacts     map[uint]Contact
	CanManage    bool
}

// OrganisationForm is the create/edit form, shown again with Errors on 422.
type OrganisationForm struct {
	Page
	Org    models.Organisation
	Errors map[string]string
	Kinds  []models.OrgKind
	States []string
	Action string
}

// orgInput is the form body; it never goes into the model directly.
type orgInput struct {
	Name          string `form:"name"`
	ShortName     string `form:"short_name"`
	Kind          string `form:"kind"`
	State         string `form:"state"`
	AGS           string `form:"ags"`
	Website       string `form:"website"`
	RepresentedBy string `form:"represented_by"`
	Seats         int    `form:"seats"`
}

func (s *Server) organisation(c *fiber.Ctx) error {
	viewer := currentUser(c)
	if err := allow(c, models.CanViewCommittee(viewer)); err != nil {
		return err
	}
	org, err := s.orgParam(c)
	if err != nil {
		return err
	}
	ms, err := s.store.MembershipsOfOrganisation(c.UserContext(), org.ID)
	if err != nil {
		return err
	}
	p := OrganisationPage{Page: s.page(c, org.Name), Organisation: org, Contacts: contactsFor(viewer, ms),
		CanManage: models.CanManageCommittee(viewer)}
	for _, m := range ms {
		if m.ActiveOn(s.now()) {
			p.Current = append(p.Current, m)
		} else {
			p.History = append(p.History, m)
		}
	}
	return s.render(c, fiber.StatusOK, "organisations/show", p)
}

func (s *Server) newOrganisation(c *fiber.Ctx) error {
	if err := allow(c, models.CanManageCommittee(currentUser(c))); err != nil {
		return err
	}
	return s.orgForm(c, fiber.StatusOK, models.Organisation{Kind: models.OrgCity, Seats: 1}, nil)
}

func (s *Server) editOrganisation(c *fiber.Ctx) error {
	if err := allow(c, models.CanManageCommittee(currentUser(c))); err != nil {
		return err
	}
	org, err := s.orgParam(c)
	if err != nil {
		return err
	}
	return s.orgForm(c, fiber.StatusOK, *org, nil)
}

// saveOrganisation handles both POST /organisationen and POST /organisationen/:id.
func (s *Server) saveOrganisation(c *fiber.Ctx) error {
	if err := allow(c, models.CanManageCommittee(currentUser(c))); err != nil {
		return err
	}
	org := models.Organisation{}
	if c.Params("id") != "" {
		existing, err := s.orgParam(c)
		if err != nil {
			return err
		}
		org = *existing
	}
	var in orgInput
	if err := c.BodyParser(&in); err != nil {
		return fiber.ErrBadRequest
	}
	org.Name, org.ShortName, org.Kind, org.State = in.Name, in.ShortName, models.OrgKind(in.Kind), in.State
	org.AGS, org.Website, org.RepresentedBy, org.Seats = in.AGS, in.Website, in.RepresentedBy, in.Seats
	if err := s.store.SaveOrganisation(c.UserContext(), &org); err != nil {
		if ve, ok := asValidation(err); ok {
			return s.orgForm(c, fiber.StatusUnprocessableEntity, org, ve.Fields)
		}
		return err
	}
	return s.redirectWithFlash(c, "/organisationen/"+strconv.Itoa(int(org.ID)), "Die Organisation „"+org.Name+"“ ist gespeichert.")
}

func (s *Server) orgForm(c *fiber.Ctx, status int, org models.Organisation, errs map[string]string) error {
	title, action := "Organisation anlegen", "/organisationen"
	if org.ID != 0 {
		title, action = "Organisation bearbeiten", "/organisationen/"+strconv.Itoa(int(org.ID))
	}
	return s.render(c, status, "organisations/form", OrganisationForm{Page: s.page(c, title), Org: org, Errors: errs,
		Kinds: models.OrgKinds, States: models.States, Action: action})
}

func (s *Server) orgParam(c *fiber.Ctx) (*models.Organisation, error) {
	id, err := c.ParamsInt("id")
	if err != nil || id <= 0 {
		return nil, models.ErrNotFound
	}
	return s.store.Organisation(c.UserContext(), uint(id))
}
