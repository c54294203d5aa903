package models

import (
	"errors"
	"strconv"
	"strings"
)

// Sentinel errors returned by Store methods and policy checks. Handlers return
// them unchanged; only app/errors.go maps them to a status and a German page.
var (
	// ErrNotFound: the record does not exist or the user may not know it does.
	ErrNotFound = errors.New("nicht gefunden")
	// ErrForbidden: the user is known but lacks the permission.
	ErrForbidden = errors.New("keine Berechtigung")
	// ErrUnauthenticated: the action needs a signed-in user.
	ErrUnauthenticated = errors.New("Anmeldung erforderlich")
	// ErrConflict: the change collides with the current state.
	ErrConflict = errors.New("Konflikt mit dem aktuellen Stand")
	// ErrSessionExpired: the session cookie is unknown, expired or revoked.
	ErrSessionExpired = errors.New("Sitzung abgelaufen")
)

// ValidationError carries German messages per form field; it becomes a 422
// with the form shown again.
type ValidationError struct {
	Fields map[string]string
}

// Error joins the field messages.
func (e *ValidationError) Error() string {
	parts := make([]string, 0, len(e.Fields))
	for _, m := range e.Fields {
		parts = append(parts, m)
	}
	return strings.Join(parts, "; ")
}

// Add records a message for a field and returns the error for chaining.
func (e *ValidationError) Add(field, msg string) *ValidationError {
	if e.Fields == nil {
		e.Fields = map[string]string{}
	}
	if _, ok := e.Fields[field]; !ok {
		e.Fields[field] = msg
	}
	return e
}

// Err returns nil when no field failed, so callers can `return v.Err()`.
func (e *ValidationError) Err() error {
	if e == nil || len(e.Fields) == 0 {
		return nil
	}
	return e
}

// MaxLen adds a German message when s has more than max characters: the
// columns have fixed sizes, and PostgreSQL refuses longer values.
func (e *ValidationError) MaxLen(field, s string, max int) *ValidationError {
	if len([]rune(s)) > max {
		e.Add(field, "Dieses Feld darf höchstens "+strconv.Itoa(max)+" Zeichen haben.")
	}
	return e
}
