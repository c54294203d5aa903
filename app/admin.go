package app

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"kogportal/models"
)

// AdminUsersPage lists every account with its role and status.
type AdminUsersPage struct {
	Page
	Users  []models.User
	Roles  []models.Role
	Errors map[string]string
}

// AdminUserPage shows one account and its sign-in history.
type AdminUserPage struct {
	Page
	Target   *models.User
	History  []models.AuditEntry
	Sessions int64
	Roles    []models.Role
	CanEdit  bool
}

// AdminAuditPage is one page of the audit log.
type AdminAuditPage struct {
	Page
	Entries  []models.AuditEntry
	PageNo   int
	HasPrev  bool
	HasNext  bool
	Total    int64
	PageSize int
}

func (s *Server) adminUsers(c *fiber.Ctx) error {
	if err := allow(c, models.CanManageUsers(currentUser(c))); err != nil {
		return err
	}
	users, err := s.store.Users(c.UserContext())
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "admin/users", AdminUsersPage{Page: s.page(c, "Benutzerverwaltung"), Users: users, Roles: models.Roles})
}

func (s *Server) adminUser(c *fiber.Ctx) error {
	actor := currentUser(c)
	if err := allow(c, models.CanManageUsers(actor)); err != nil {
		return err
	}
	target, err := s.targetUser(c)
	if err != nil {
		return err
	}
	history, err := s.store.SignInHistory(c.UserContext(), target.ID, 50)
	if err != nil {
		return err
	}
	n, err := s.store.CountSessions(c.UserContext(), target.ID)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "admin/user", AdminUserPage{Page: s.page(c, "Konto: "+target.DisplayName()),
		Target: target, History: history, Sessions: n, Roles: models.Roles, CanEdit: models.CanDisableUser(actor, target)})
}

// roleForm is the body of POST /admin/benutzer/:id/rolle.
type roleForm struct {
	Role string `form:"role"`
}

func (s *Server) adminSetRole(c *fiber.Ctx) error {
	actor := currentUser(c)
	if err := allow(c, models.CanManageUsers(actor)); err != nil {
		return err
	}
	target, err := s.targetUser(c)
	if err != nil {
		return err
	}
	var f roleForm
	if err := c.BodyParser(&f); err != nil {
		return fiber.ErrBadRequest
	}
	role := models.Role(f.Role)
	if !role.Valid() {
		users, err := s.store.Users(c.UserContext())
		if err != nil {
			return err
		}
		return s.render(c, fiber.StatusUnprocessableEntity, "admin/users", AdminUsersPage{Page: s.page(c, "Benutzerverwaltung"),
			Users: users, Roles: models.Roles, Errors: map[string]string{"rolle-" + strconv.Itoa(int(target.ID)): "Bitte wählen Sie eine der angebotenen Rollen."}})
	}
	if err := s.store.SetUserRole(c.UserContext(), actor, target.ID, role, c.IP()); err != nil {
		return err
	}
	return s.redirectWithFlash(c, "/admin/benutzer", "Die Rolle von "+target.DisplayName()+" ist jetzt „"+role.Label()+"“.")
}

func (s *Server) adminDisable(c *fiber.Ctx) error { return s.adminSetDisabled(c, true) }
func (s *Server) adminEnable(c *fiber.Ctx) error  { return s.adminSetDisabled(c, false) }

func (s *Server) adminSetDisabled(c *fiber.Ctx, disabled bool) error {
	actor := currentUser(c)
	if err := allow(c, models.CanManageUsers(actor)); err != nil {
		return err
	}
	target, err := s.targetUser(c)
	if err != nil {
		return err
	}
	if err := s.store.SetUserDisabled(c.UserContext(), actor, target.ID, disabled, c.IP()); err != nil {
		return err
	}
	msg := "Das Konto von " + target.DisplayName() + " ist entsperrt."
	if disabled {
		msg = "Das Konto von " + target.DisplayName() + " ist gesperrt; alle seine Sitzungen wurden beendet."
	}
	return s.redirectWithFlash(c, "/admin/benutzer/"+strconv.Itoa(int(target.ID)), msg)
}

func (s *Server) adminAudit(c *fiber.Ctx) error {
	if err := allow(c, models.CanViewAudit(currentUser(c))); err != nil {
		return err
	}
	const size = 50
	pageNo := c.QueryInt("seite", 1)
	if pageNo < 1 {
		pageNo = 1
	}
	entries, total, err := s.store.AuditEntries(c.UserContext(), size, (pageNo-1)*size)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "admin/audit", AdminAuditPage{Page: s.page(c, "Protokoll sicherheitsrelevanter Ereignisse"),
		Entries: entries, PageNo: pageNo, HasPrev: pageNo > 1, HasNext: int64(pageNo*size) < total, Total: total, PageSize: size})
}

// targetUser loads the account named by :id.
func (s *Server) targetUser(c *fiber.Ctx) (*models.User, error) {
	id, err := c.ParamsInt("id")
	if err != nil || id <= 0 {
		return nil, models.ErrNotFound
	}
	return s.store.User(c.UserContext(), uint(id))
}
