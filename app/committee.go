package app

import (
	"github.com/gofiber/fiber/v2"

	"kogportal/models"
)

// RosterRow is one organisation on the committee page with its current
// representatives.
type RosterRow struct {
	Organisation models.Organisation
	Seats        []models.Membership // chair and members
	Deputies     []models.Membership
	Guests       []models.Membership
}

// Contact holds the contact details a viewer may see of one person; empty
// fields are hidden (no consent, or the viewer is not in the committee).
type Contact struct {
	Email string
	Phone string
}

// CommitteePage shows who sits for whom.
type CommitteePage struct {
	Page
	Rows      []RosterRow
	Seats     int
	Contacts  map[uint]Contact
	CanManage bool
}

func (s *Server) committee(c *fiber.Ctx) error {
	viewer := currentUser(c)
	if err := allow(c, models.CanViewCommittee(viewer)); err != nil {
		return err
	}
	orgs, err := s.store.Organisations(c.UserContext())
	if err != nil {
		return err
	}
	current, err := s.store.CurrentMemberships(c.UserContext(), s.now())
	if err != nil {
		return err
	}
	rows := make([]RosterRow, len(orgs))
	index := map[uint]*RosterRow{}
	for i := range orgs {
		rows[i].Organisation = orgs[i]
		index[orgs[i].ID] = &rows[i]
	}
	for _, m := range current {
		r := index[m.OrganisationID]
		switch m.Role {
		case models.SeatDeputy:
			r.Deputies = append(r.Deputies, m)
		case models.SeatGuest:
			r.Guests = append(r.Guests, m)
		default:
			r.Seats = append(r.Seats, m)
		}
	}
	return s.render(c, fiber.StatusOK, "committee/index", CommitteePage{Page: s.page(c, "Das Kommunalgremium"),
		Rows: rows, Seats: models.CommitteeSeats(orgs), Contacts: contactsFor(viewer, current),
		CanManage: models.CanManageCommittee(viewer)})
}

// contactsFor collects what viewer may see of each person's contact data.
func contactsFor(viewer *models.User, ms []models.Membership) map[uint]Contact {
	out := map[uint]Contact{}
	for _, m := range ms {
		if m.Person != nil {
			out[m.PersonID] = contactOf(viewer, m.Person)
		}
	}
	return out
}

func contactOf(viewer *models.User, p *models.Person) Contact {
	var ct Contact
	if models.CanSeeEmail(viewer, p) {
		ct.Email = p.Email
	}
	if models.CanSeePhone(viewer, p) {
		ct.Phone = p.Phone
	}
	return ct
}
