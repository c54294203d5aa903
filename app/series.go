package app

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"kogportal/models"
)

// SeriesForm is the chair's editor for a recurring video conference.
type SeriesForm struct {
	Page
	In       seriesInput
	Errors   map[string]string
	Weekdays []string
}

type seriesInput struct {
	Title     string `form:"title"`
	Weekday   int    `form:"weekday"`
	Ordinal   int    `form:"ordinal"`
	StartTime string `form:"start"`
	EndTime   string `form:"end"`
	VideoURL  string `form:"video_url"`
	Year      int    `form:"year"`
}

func (s *Server) newSeries(c *fiber.Ctx) error {
	if err := allow(c, models.CanManageMeetings(currentUser(c))); err != nil {
		return err
	}
	in := seriesInput{Title: "Monatliche Videokonferenz", Weekday: 3, Ordinal: 2, StartTime: "10:00", EndTime: "11:30",
		Year: s.now().In(berlin).Year() + 1}
	return s.render(c, fiber.StatusOK, "meetings/series", SeriesForm{Page: s.page(c, "Sitzungsreihe anlegen"), In: in, Weekdays: models.Weekdays})
}

func (s *Server) createSeries(c *fiber.Ctx) error {
	if err := allow(c, models.CanManageMeetings(currentUser(c))); err != nil {
		return err
	}
	var in seriesInput
	if err := c.BodyParser(&in); err != nil {
		return fiber.ErrBadRequest
	}
	_, meetings, err := s.store.CreateSeries(c.UserContext(), models.SeriesInput{Title: in.Title, Weekday: in.Weekday,
		Ordinal: in.Ordinal, StartTime: in.StartTime, EndTime: in.EndTime, VideoURL: in.VideoURL, Year: in.Year, From: s.now()})
	if ve, ok := asValidation(err); ok {
		// The dates come from the rule; a bad time shows at "Beginn".
		if msg, ok := ve.Fields["date"]; ok {
			delete(ve.Fields, "date")
			ve.Add("start", msg)
		}
		return s.render(c, fiber.StatusUnprocessableEntity, "meetings/series", SeriesForm{Page: s.page(c, "Sitzungsreihe anlegen"),
			In: in, Errors: ve.Fields, Weekdays: models.Weekdays})
	} else if err != nil {
		return err
	}
	return s.redirectWithFlash(c, "/sitzungen", strconv.Itoa(len(meetings))+" Videokonferenzen für "+strconv.Itoa(in.Year)+" sind angelegt.")
}
