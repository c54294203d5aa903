package app

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"

	"kogportal/models"
)

// loginError ends a failed sign-in on a German page. Cause is logged, never
// shown: it may name the provider's internals.
type loginError struct {
	Status  int
	Message string
	Cause   error
}

func (e *loginError) Error() string {
	if e.Cause != nil {
		return e.Message + ": " + e.Cause.Error()
	}
	return e.Message
}

func (e *loginError) Unwrap() error { return e.Cause }

// ErrorPage is the data of views/errors/error.html.
type ErrorPage struct {
	Page
	Status  int
	Heading string
	Message string
	Fields  map[string]string
}

// errorTexts are the German heading and explanation per status.
var errorTexts = map[int][2]string{
	http.StatusBadRequest:            {"Ungültige Anfrage", "Die Anfrage konnte nicht verarbeitet werden. Bitte prüfen Sie Ihre Eingaben oder den Link."},
	http.StatusUnauthorized:          {"Anmeldung fehlgeschlagen", "Sie konnten nicht angemeldet werden."},
	http.StatusForbidden:             {"Keine Berechtigung", "Für diese Seite oder Aktion fehlt Ihnen die Berechtigung."},
	http.StatusNotFound:              {"Seite nicht gefunden", "Die gesuchte Seite gibt es nicht oder nicht mehr. Prüfen Sie die Adresse oder gehen Sie zur Startseite."},
	http.StatusMethodNotAllowed:      {"Aktion nicht erlaubt", "Diese Aktion ist auf dieser Seite nicht möglich."},
	http.StatusConflict:              {"Konflikt", "Die Änderung passt nicht zum aktuellen Stand. Bitte laden Sie die Seite neu."},
	http.StatusRequestEntityTooLarge: {"Datei oder Anfrage zu groß", "Die gesendeten Daten sind zu groß: Anhänge dürfen höchstens 8 MB haben, eine Anfrage insgesamt 10 MB."},
	http.StatusUnprocessableEntity:   {"Eingaben unvollständig", "Bitte korrigieren Sie die markierten Angaben."},
	http.StatusTooManyRequests:       {"Zu viele Anfragen", "Bitte warten Sie eine Minute und versuchen Sie es dann erneut."},
	http.StatusBadGateway:            {"Anmeldedienst nicht erreichbar", "Der Anmeldedienst antwortet gerade nicht. Bitte versuchen Sie es später erneut."},
	http.StatusServiceUnavailable:    {"Vorübergehend nicht verfügbar", "Das Portal ist gerade nicht verfügbar. Bitte versuchen Sie es später erneut."},
	http.StatusInternalServerError:   {"Ein Fehler ist aufgetreten", "Bei der Bearbeitung ist ein unerwarteter Fehler aufgetreten. Wir wurden benachrichtigt. Nennen Sie bei Rückfragen bitte die Vorgangsnummer."},
}

// handleError is the one place that maps errors to status codes and German
// pages. Unknown errors become a 500 whose details go to the log only.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	status := http.StatusInternalServerError
	page := ErrorPage{}
	var fe *fiber.Error
	var ve *models.ValidationError
	var le *loginError
	switch {
	case errors.As(err, &le):
		status, page.Message = le.Status, le.Message
	case errors.Is(err, models.ErrUnauthenticated):
		if c.Method() == fiber.MethodGet {
			return c.Redirect("/auth/login?next="+urlQueryEscape(c.OriginalURL()), fiber.StatusSeeOther)
		}
		status = http.StatusForbidden
	case errors.Is(err, models.ErrNotFound):
		status = http.StatusNotFound
	case errors.Is(err, models.ErrForbidden):
		status = http.StatusForbidden
	case errors.Is(err, models.ErrFileTooLarge):
		status = http.StatusRequestEntityTooLarge
	case errors.Is(err, models.ErrConflict):
		status = http.StatusConflict
	case errors.As(err, &ve):
		status, page.Fields = http.StatusUnprocessableEntity, ve.Fields
	case errors.As(err, &fe):
		status = fe.Code
		if status == http.StatusRequestEntityTooLarge || status == http.StatusMethodNotAllowed || status == http.StatusNotFound || status == http.StatusTooManyRequests {
			break
		}
		if status < 500 && fe.Message != "" && !strings.EqualFold(fe.Message, http.StatusText(status)) {
			page.Message = fe.Message // our own German fiber.NewError texts
		}
	}
	if _, ok := errorTexts[status]; !ok {
		if status < 500 {
			status = http.StatusBadRequest
		} else {
			status = http.StatusInternalServerError
		}
	}
	if status >= 500 || le != nil {
		s.log.Error("request failed", "err", err, "status", status, "path", c.Path(), "request_id", requestID(c))
	}
	texts := errorTexts[status]
	page.Status, page.Heading = status, texts[0]
	if page.Message == "" {
		page.Message = texts[1]
	}
	page.Page = s.page(c, page.Heading)
	c.Status(status)
	if strings.HasPrefix(c.Path(), "/static/") || strings.HasPrefix(c.Path(), "/healthz") || strings.HasPrefix(c.Path(), "/readyz") {
		return c.SendString(page.Heading)
	}
	if rerr := c.Render("errors/error", page, "layouts/base"); rerr != nil {
		s.log.Error("error page failed", "err", rerr, "request_id", requestID(c))
		c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
		return c.SendString(page.Heading + ". Vorgangsnummer: " + requestID(c))
	}
	return nil
}
