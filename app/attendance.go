package app

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"kogportal/models"
)

// AttendancePage is the chair's attendance form and the quorum result.
type AttendancePage struct {
	Page
	Meeting      *models.Meeting
	Rows         []attendanceRow
	Guests       []models.Membership
	GuestPresent map[uint]bool
	Rule         models.QuorumRule
	Errors       map[string]string
	Presence     []models.Presence
}

// attendanceRow is one seat with its deputies, the member's answer and
// what was recorded so far.
type attendanceRow struct {
	Seat       models.Membership
	Deputies   []models.Membership
	Answer     *models.Registration
	Recorded   models.Presence
	RecordedBy uint
}

func (s *Server) attendance(c *fiber.Ctx) error {
	if err := allow(c, models.CanManageMeetings(currentUser(c))); err != nil {
		return err
	}
	m, err := s.meetingParam(c)
	if err != nil {
		return err
	}
	p, err := s.attendancePage(c, m)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "meetings/attendance", p)
}

func (s *Server) attendancePage(c *fiber.Ctx, m *models.Meeting) (*AttendancePage, error) {
	ctx := c.UserContext()
	seats, err := s.store.SeatsOn(ctx, m.StartsAt)
	if err != nil {
		return nil, err
	}
	regs, err := s.store.Registrations(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	recorded, err := s.store.AttendanceList(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	rule, err := s.store.QuorumRule(ctx)
	if err != nil {
		return nil, err
	}
	byPerson := map[uint]models.Attendance{}
	for _, a := range recorded {
		byPerson[a.PersonID] = a
	}
	p := &AttendancePage{Page: s.page(c, "Anwesenheit: "+m.Display()), Meeting: m, Rule: rule,
		Presence: []models.Presence{models.PresenceAttended, models.PresenceExcused, models.PresenceRepresented}}
	for _, st := range seats {
		row := attendanceRow{Seat: st, Recorded: byPerson[st.PersonID].Presence}
		if rb := byPerson[st.PersonID].RepresentedByID; rb != nil {
			row.RecordedBy = *rb
		}
		for i := range regs {
			if regs[i].PersonID == st.PersonID {
				row.Answer = &regs[i]
			}
		}
		if row.Recorded == "" && row.Answer != nil {
			row.Recorded = map[models.Answer]models.Presence{models.AnswerAttend: models.PresenceAttended,
				models.AnswerExcused: models.PresenceExcused, models.AnswerRepresented: models.PresenceRepresented}[row.Answer.Answer]
			if row.Answer.SubstituteID != nil {
				row.RecordedBy = *row.Answer.SubstituteID
			}
		}
		if row.Deputies, err = s.store.DeputiesOf(ctx, st.ID, m.StartsAt); err != nil {
			return nil, err
		}
		p.Rows = append(p.Rows, row)
	}
	if p.Guests, err = s.guestsOn(c, m); err != nil {
		return nil, err
	}
	p.GuestPresent = map[uint]bool{}
	for _, a := range recorded {
		if a.Presence == models.PresenceGuest {
			p.GuestPresent[a.PersonID] = true
		}
	}
	return p, nil
}

// guestsOn lists the guest terms active on the meeting's day.
func (s *Server) guestsOn(c *fiber.Ctx, m *models.Meeting) ([]models.Membership, error) {
	current, err := s.store.CurrentMemberships(c.UserContext(), m.StartsAt)
	if err != nil {
		return nil, err
	}
	var guests []models.Membership
	for _, t := range current {
		if t.Role == models.SeatGuest {
			guests = append(guests, t)
		}
	}
	return guests, nil
}

// recordAttendance saves the list and the quorum snapshot.
func (s *Server) recordAttendance(c *fiber.Ctx) error {
	if err := allow(c, models.CanManageMeetings(currentUser(c))); err != nil {
		return err
	}
	m, err := s.meetingParam(c)
	if err != nil {
		return err
	}
	seats, err := s.store.SeatsOn(c.UserContext(), m.StartsAt)
	if err != nil {
		return err
	}
	var entries []models.AttendanceEntry
	for _, st := range seats {
		id := strconv.FormatUint(uint64(st.PersonID), 10)
		pr := models.Presence(c.FormValue("presence_" + id))
		if pr == "" {
			continue
		}
		e := models.AttendanceEntry{PersonID: st.PersonID, Presence: pr}
		if dep, err := strconv.ParseUint(c.FormValue("deputy_"+id), 10, 64); err == nil && dep > 0 && pr == models.PresenceRepresented {
			v := uint(dep)
			e.RepresentedByID = &v
		}
		entries = append(entries, e)
	}
	guests, err := s.guestsOn(c, m)
	if err != nil {
		return err
	}
	for _, g := range guests {
		if c.FormValue("guest_"+strconv.FormatUint(uint64(g.PersonID), 10)) == "true" {
			entries = append(entries, models.AttendanceEntry{PersonID: g.PersonID, Presence: models.PresenceGuest})
		}
	}
	recorded, err := s.store.RecordAttendance(c.UserContext(), m.ID, entries, s.now())
	if ve, ok := asValidation(err); ok {
		p, perr := s.attendancePage(c, m)
		if perr != nil {
			return perr
		}
		p.Errors = ve.Fields
		return s.render(c, fiber.StatusUnprocessableEntity, "meetings/attendance", p)
	} else if err != nil {
		return err
	}
	m = recorded
	msg := "Anwesenheit gespeichert. Beschlussfähigkeit festgestellt."
	if !m.QuorumReached {
		msg = "Anwesenheit gespeichert. Das Gremium ist nicht beschlussfähig."
	}
	return s.redirectWithFlash(c, meetingPath(m.ID), msg)
}

type quorumInput struct {
	Num       int  `form:"num"`
	Den       int  `form:"den"`
	Strict    bool `form:"strict"`
	MeetingID uint `form:"meeting_id"`
}

// setQuorumRule changes the rule used for future attendance records.
func (s *Server) setQuorumRule(c *fiber.Ctx) error {
	if err := allow(c, models.CanManageMeetings(currentUser(c))); err != nil {
		return err
	}
	var in quorumInput
	if err := c.BodyParser(&in); err != nil {
		return fiber.ErrBadRequest
	}
	q := models.QuorumRule{Num: in.Num, Den: in.Den, Strict: in.Strict}
	back := "/sitzungen"
	if in.MeetingID > 0 {
		back = meetingPath(in.MeetingID) + "/anwesenheit"
	}
	err := s.store.SetQuorumRule(c.UserContext(), q)
	if ve, ok := asValidation(err); ok && in.MeetingID > 0 {
		m, merr := s.store.Meeting(c.UserContext(), in.MeetingID)
		if merr != nil {
			return merr
		}
		p, perr := s.attendancePage(c, m)
		if perr != nil {
			return perr
		}
		p.Errors = ve.Fields
		return s.render(c, fiber.StatusUnprocessableEntity, "meetings/attendance", p)
	} else if err != nil {
		return err
	}
	return s.redirectWithFlash(c, back, "Beschlussfähig ist das Gremium jetzt, wenn "+q.Describe()+" sind.")
}
