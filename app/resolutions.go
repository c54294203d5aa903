package app

import (
	"bytes"
	"encoding/csv"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"kogportal/models"
)

// ResolutionsPage is the Beschlussregister.
type ResolutionsPage struct {
	Page
	Resolutions []models.Resolution
	Years       []int
	Year        int
	FollowUp    string
	FollowUps   []models.FollowUp
	CanEdit     bool
	Query       string // the filter as query string, for the CSV link
}

// registerFilter reads year and follow-up state through allowlists.
func registerFilter(c *fiber.Ctx, u *models.User) models.ResolutionFilter {
	f := models.ResolutionFilter{Internal: models.CanSeeInternal(u)}
	if y, err := strconv.Atoi(c.Query("jahr")); err == nil && y >= 2000 && y <= 2100 {
		f.Year = y
	}
	for _, st := range models.FollowUps {
		if string(st) == c.Query("umsetzung") {
			f.FollowUp = st
		}
	}
	return f
}

func (s *Server) resolutions(c *fiber.Ctx) error {
	u := currentUser(c)
	f := registerFilter(c, u)
	rs, err := s.store.Resolutions(c.UserContext(), f)
	if err != nil {
		return err
	}
	years, err := s.store.ResolutionYears(c.UserContext(), f.Internal)
	if err != nil {
		return err
	}
	q := ""
	if f.Year != 0 {
		q = "jahr=" + strconv.Itoa(f.Year)
	}
	if f.FollowUp != "" {
		if q != "" {
			q += "&"
		}
		q += "umsetzung=" + string(f.FollowUp)
	}
	return s.render(c, fiber.StatusOK, "resolutions/index", ResolutionsPage{Page: s.page(c, "Beschlussregister"), Resolutions: rs,
		Years: years, Year: f.Year, FollowUp: string(f.FollowUp), FollowUps: models.FollowUps, CanEdit: models.CanSetFollowUp(u), Query: q})
}

// resolutionsCSV exports the register as the viewer may see it, with a BOM
// and semicolons so that German spreadsheet programs open it directly.
func (s *Server) resolutionsCSV(c *fiber.Ctx) error {
	u := currentUser(c)
	rs, err := s.store.Resolutions(c.UserContext(), registerFilter(c, u))
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	buf.WriteString("\uFEFF")
	w := csv.NewWriter(&buf)
	w.Comma = ';'
	_ = w.Write([]string{"Beschlussnr.", "Sitzung", "Datum", "TOP", "Beschlusstext", "Ja", "Nein", "Enthaltung", "einstimmig", "Ergebnis", "Protokollnotizen", "Umsetzung", "Vermerk"})
	for _, r := range rs {
		notes := ""
		for i, n := range r.Notes {
			if i > 0 {
				notes += " | "
			}
			if n.Organisation != nil {
				notes += n.Organisation.Name + ": "
			}
			notes += n.Text
		}
		meeting, date, top := "", "", ""
		if r.Meeting != nil {
			meeting, date = r.Meeting.Display(), r.Meeting.StartsAt.In(berlin).Format("02.01.2006")
		}
		if r.AgendaItem != nil {
			top = r.AgendaItem.Title
		}
		result := "angenommen"
		if !r.Adopted {
			result = "abgelehnt"
		}
		_ = w.Write([]string{r.Number(), csvSafe(meeting), date, csvSafe(top), csvSafe(r.Text), strconv.Itoa(r.VotesYes), strconv.Itoa(r.VotesNo),
			strconv.Itoa(r.VotesAbstain), map[bool]string{true: "ja", false: "nein"}[r.Unanimous], result, csvSafe(notes),
			r.FollowUp.Label(), csvSafe(r.FollowUpNote)})
	}
	w.Flush()
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="beschlussregister.csv"`)
	return c.Send(buf.Bytes())
}

// csvSafe defuses formula injection: a cell starting with = + - @ is
// prefixed with an apostrophe, as spreadsheet programs would run it.
func csvSafe(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r') {
		return "'" + s
	}
	return s
}

// setFollowUp records the implementation state of a resolution.
func (s *Server) setFollowUp(c *fiber.Ctx) error {
	if err := allow(c, models.CanSetFollowUp(currentUser(c))); err != nil {
		return err
	}
	id, err := c.ParamsInt("id")
	if err != nil || id <= 0 {
		return models.ErrNotFound
	}
	if err := s.store.SetFollowUp(c.UserContext(), uint(id), models.FollowUp(c.FormValue("follow_up")), c.FormValue("note")); err != nil {
		return err
	}
	return s.redirectWithFlash(c, "/beschluesse#beschluss-"+strconv.Itoa(id), "Der Umsetzungsstand ist gespeichert.")
}
