package app

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"
)

// healthz says the process is up; it touches nothing else.
func (s *Server) healthz(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok"})
}

// readyz says whether the portal can serve: database reachable and the
// schema at the newest migration. Load balancers route on it.
func (s *Server) readyz(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		s.log.Error("readyz: database", "err", err)
		return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "error", "database": "unreachable"})
	}
	current, err := s.store.MigrationsCurrent(ctx)
	if err != nil || !current {
		return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "error", "database": "ok", "migrations": "pending"})
	}
	return c.JSON(fiber.Map{"status": "ok", "database": "ok", "migrations": "current"})
}
