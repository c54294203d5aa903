package app

import (
	"errors"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"kogportal/models"
)

// MeetingsPage lists upcoming or past meetings.
type MeetingsPage struct {
	Page
	Meetings  []models.Meeting
	Past      bool
	PageNo    int
	HasPrev   bool
	HasNext   bool
	CanManage bool
	FeedURL   string // the viewer's personal calendar URL, if any
	CanFeed   bool
}

// MeetingPage is one meeting with the viewer's registration and, for the
// chair, everybody's answers.
type MeetingPage struct {
	Page
	Meeting        *models.Meeting
	ShowVideo      bool
	CanManage      bool
	CanRegister    bool
	HasSeat        bool
	Mine           *models.Registration
	MyDeputies     []models.Membership
	Registrations  []models.Registration
	NotAnswered    []models.Membership
	Attendance     []models.Attendance
	CanTransition  map[string]bool // keyed by target status
	RegisterErrors map[string]string
}

// MeetingForm is the chair's meeting editor.
type MeetingForm struct {
	Page
	In      meetingInput
	Errors  map[string]string
	Action  string
	Meeting *models.Meeting
}

type meetingInput struct {
	Kind        string `form:"kind"`
	Title       string `form:"title"`
	Date        string `form:"date"`
	Start       string `form:"start"`
	End         string `form:"end"`
	VideoURL    string `form:"video_url"`
	Location    string `form:"location"`
	Address     string `form:"address"`
	Description string `form:"description"`
	Deadline    string `form:"deadline"`
}

func (in meetingInput) model() models.MeetingInput {
	return models.MeetingInput{Kind: models.MeetingKind(in.Kind), Title: in.Title, Date: in.Date, Start: in.Start,
		End: in.End, VideoURL: in.VideoURL, Location: in.Location, Address: in.Address, Description: in.Description,
		Deadline: in.Deadline}
}

func inputOf(m *models.Meeting) meetingInput {
	s, e := m.StartsAt.In(berlin), m.EndsAt.In(berlin)
	in := meetingInput{Kind: string(m.Kind), Title: m.Title, Date: s.Format("2006-01-02"), Start: s.Format("15:04"),
		End: e.Format("15:04"), VideoURL: m.VideoURL, Location: m.Location, Address: m.Address, Description: m.Description}
	if m.SubmissionDeadline != nil {
		in.Deadline = m.SubmissionDeadline.In(berlin).Format("2006-01-02")
	}
	return in
}

const meetingsPerPage = 12

func (s *Server) meetings(c *fiber.Ctx) error {
	u := currentUser(c)
	if err := allow(c, models.CanViewMeetings(u)); err != nil {
		return err
	}
	past := c.Query("vergangen") == "1"
	pageNo := max(c.QueryInt("seite", 1), 1)
	ms, total, err := s.store.Meetings(c.UserContext(), s.now(), !past, meetingsPerPage, (pageNo-1)*meetingsPerPage)
	if err != nil {
		return err
	}
	title := "Kommende Sitzungen"
	if past {
		title = "Vergangene Sitzungen"
	}
	p := MeetingsPage{Page: s.page(c, title), Meetings: ms, Past: past, PageNo: pageNo, HasPrev: pageNo > 1,
		HasNext: int64(pageNo*meetingsPerPage) < total, CanManage: models.CanManageMeetings(u), CanFeed: models.CanSubscribeCalendar(u)}
	if p.CanFeed {
		token, err := s.store.CalendarToken(c.UserContext(), u.ID)
		if err != nil {
			return err
		}
		if token != "" {
			p.FeedURL = s.cfg.BaseURL + "/kalender/" + token + ".ics"
		}
	}
	return s.render(c, fiber.StatusOK, "meetings/index", p)
}

func (s *Server) meeting(c *fiber.Ctx) error {
	if err := allow(c, models.CanViewMeetings(currentUser(c))); err != nil {
		return err
	}
	m, err := s.meetingParam(c)
	if err != nil {
		return err
	}
	return s.renderMeeting(c, fiber.StatusOK, m, nil)
}

func (s *Server) renderMeeting(c *fiber.Ctx, status int, m *models.Meeting, regErrs map[string]string) error {
	ctx, u := c.UserContext(), currentUser(c)
	p := MeetingPage{Page: s.page(c, m.Display()), Meeting: m, ShowVideo: models.CanSeeVideoLink(u),
		CanManage: models.CanManageMeetings(u), CanRegister: models.CanRegister(u), RegisterErrors: regErrs,
		CanTransition: map[string]bool{
			string(models.StatusInvited): m.Status == models.StatusPlanned,
			string(models.StatusHeld):    m.Status == models.StatusInvited && !s.now().Before(m.StartsAt),
		}}
	if p.CanRegister {
		if person, err := s.store.PersonOfUser(ctx, u.ID); err == nil {
			seats, err := s.store.SeatsOn(ctx, m.StartsAt)
			if err != nil {
				return err
			}
			for _, st := range seats {
				if st.PersonID == person.ID {
					p.HasSeat = true
					if p.MyDeputies, err = s.store.DeputiesOf(ctx, st.ID, m.StartsAt); err != nil {
						return err
					}
				}
			}
			if p.Mine, err = s.store.Registration(ctx, m.ID, person.ID); err != nil {
				return err
			}
		} else if !errors.Is(err, models.ErrNotFound) {
			return err
		}
	}
	if p.CanManage {
		var err error
		if p.Registrations, err = s.store.Registrations(ctx, m.ID); err != nil {
			return err
		}
		seats, err := s.store.SeatsOn(ctx, m.StartsAt)
		if err != nil {
			return err
		}
		answered := map[uint]bool{}
		for _, r := range p.Registrations {
			answered[r.PersonID] = true
		}
		for _, st := range seats {
			if !answered[st.PersonID] && st.Role == models.SeatMember {
				p.NotAnswered = append(p.NotAnswered, st)
			}
		}
	}
	if models.CanSeeInternal(u) {
		var err error
		if p.Attendance, err = s.store.AttendanceList(ctx, m.ID); err != nil {
			return err
		}
	}
	return s.render(c, status, "meetings/show", p)
}

func (s *Server) newMeeting(c *fiber.Ctx) error {
	if err := allow(c, models.CanManageMeetings(currentUser(c))); err != nil {
		return err
	}
	in := meetingInput{Kind: string(models.MeetingInPerson), Start: "10:00", End: "16:00",
		Date: s.now().AddDate(0, 1, 0).In(berlin).Format("2006-01-02")}
	return s.render(c, fiber.StatusOK, "meetings/form", MeetingForm{Page: s.page(c, "Sitzung anlegen"), In: in, Action: "/sitzungen"})
}

func (s *Server) createMeeting(c *fiber.Ctx) error {
	if err := allow(c, models.CanManageMeetings(currentUser(c))); err != nil {
		return err
	}
	var in meetingInput
	if err := c.BodyParser(&in); err != nil {
		return fiber.ErrBadRequest
	}
	m, err := s.store.CreateMeeting(c.UserContext(), in.model())
	if ve, ok := asValidation(err); ok {
		return s.render(c, fiber.StatusUnprocessableEntity, "meetings/form", MeetingForm{Page: s.page(c, "Sitzung anlegen"), In: in, Errors: ve.Fields, Action: "/sitzungen"})
	} else if err != nil {
		return err
	}
	return s.redirectWithFlash(c, meetingPath(m.ID), "Die Sitzung ist angelegt.")
}

func (s *Server) editMeeting(c *fiber.Ctx) error {
	if err := allow(c, models.CanManageMeetings(currentUser(c))); err != nil {
		return err
	}
	m, err := s.meetingParam(c)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "meetings/form", MeetingForm{Page: s.page(c, "Sitzung bearbeiten"), In: inputOf(m), Action: meetingPath(m.ID), Meeting: m})
}

func (s *Server) updateMeeting(c *fiber.Ctx) error {
	if err := allow(c, models.CanManageMeetings(currentUser(c))); err != nil {
		return err
	}
	m, err := s.meetingParam(c)
	if err != nil {
		return err
	}
	var in meetingInput
	if err := c.BodyParser(&in); err != nil {
		return fiber.ErrBadRequest
	}
	_, err = s.store.UpdateMeeting(c.UserContext(), m.ID, in.model())
	if ve, ok := asValidation(err); ok {
		return s.render(c, fiber.StatusUnprocessableEntity, "meetings/form", MeetingForm{Page: s.page(c, "Sitzung bearbeiten"), In: in, Errors: ve.Fields, Action: meetingPath(m.ID), Meeting: m})
	} else if err != nil {
		return err
	}
	return s.redirectWithFlash(c, meetingPath(m.ID), "Die Sitzung ist geändert; Kalender erhalten die neue Fassung.")
}

// meetingStatus moves a meeting to "eingeladen" or "durchgeführt".
func (s *Server) meetingStatus(c *fiber.Ctx) error {
	if err := allow(c, models.CanManageMeetings(currentUser(c))); err != nil {
		return err
	}
	m, err := s.meetingParam(c)
	if err != nil {
		return err
	}
	to := models.MeetingStatus(c.FormValue("status"))
	if to != models.StatusInvited && to != models.StatusHeld {
		return (&models.ValidationError{}).Add("status", "Bitte wählen Sie „eingeladen“ oder „durchgeführt“.")
	}
	err = s.store.SetMeetingStatus(c.UserContext(), m.ID, to, s.now())
	if ve, ok := asValidation(err); ok {
		return s.renderMeeting(c, fiber.StatusUnprocessableEntity, m, ve.Fields)
	} else if err != nil {
		return err
	}
	return s.redirectWithFlash(c, meetingPath(m.ID), "Die Sitzung ist jetzt „"+to.Label()+"“.")
}

func (s *Server) cancelMeeting(c *fiber.Ctx) error {
	if err := allow(c, models.CanManageMeetings(currentUser(c))); err != nil {
		return err
	}
	m, err := s.meetingParam(c)
	if err != nil {
		return err
	}
	err = s.store.CancelMeeting(c.UserContext(), m.ID, c.FormValue("reason"), s.now())
	if ve, ok := asValidation(err); ok {
		return s.renderMeeting(c, fiber.StatusUnprocessableEntity, m, ve.Fields)
	} else if err != nil {
		return err
	}
	return s.redirectWithFlash(c, meetingPath(m.ID), "Die Sitzung ist abgesagt.")
}

// register records the signed-in member's answer.
func (s *Server) register(c *fiber.Ctx) error {
	u := currentUser(c)
	if err := allow(c, models.CanRegister(u)); err != nil {
		return err
	}
	m, err := s.meetingParam(c)
	if err != nil {
		return err
	}
	person, err := s.store.PersonOfUser(c.UserContext(), u.ID)
	if errors.Is(err, models.ErrNotFound) {
		return models.ErrForbidden
	} else if err != nil {
		return err
	}
	var sub *uint
	if id, err := strconv.ParseUint(c.FormValue("substitute_id"), 10, 64); err == nil && id > 0 {
		v := uint(id)
		sub = &v
	}
	err = s.store.Register(c.UserContext(), m.ID, person.ID, models.Answer(c.FormValue("answer")), sub, s.now())
	if ve, ok := asValidation(err); ok {
		return s.renderMeeting(c, fiber.StatusUnprocessableEntity, m, ve.Fields)
	} else if err != nil {
		return err
	}
	return s.redirectWithFlash(c, meetingPath(m.ID), "Ihre Antwort ist gespeichert: "+models.Answer(c.FormValue("answer")).Label()+".")
}

func (s *Server) meetingParam(c *fiber.Ctx) (*models.Meeting, error) {
	id, err := c.ParamsInt("id")
	if err != nil || id <= 0 {
		return nil, models.ErrNotFound
	}
	return s.store.Meeting(c.UserContext(), uint(id))
}

func meetingPath(id uint) string { return "/sitzungen/" + strconv.FormatUint(uint64(id), 10) }

// nextMeetingFor is the start page's "next meeting" block for members.
func (s *Server) nextMeetingFor(c *fiber.Ctx) (*models.Meeting, *models.Registration, error) {
	u := currentUser(c)
	if !models.CanSeeInternal(u) {
		return nil, nil, nil
	}
	m, err := s.store.NextMeeting(c.UserContext(), s.now())
	if errors.Is(err, models.ErrNotFound) {
		return nil, nil, nil
	} else if err != nil {
		return nil, nil, err
	}
	person, err := s.store.PersonOfUser(c.UserContext(), u.ID)
	if errors.Is(err, models.ErrNotFound) {
		return m, nil, nil
	} else if err != nil {
		return nil, nil, err
	}
	r, err := s.store.Registration(c.UserContext(), m.ID, person.ID)
	return m, r, err
}

// soon reports whether a meeting starts within the next 30 minutes or runs:
// then the start page shows the join button prominently.
func soon(m *models.Meeting, now time.Time) bool {
	return m != nil && now.After(m.StartsAt.Add(-30*time.Minute)) && now.Before(m.EndsAt)
}
