package app

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
	"github.com/gofiber/fiber/v2/middleware/limiter"
	"net/http"

	"kogportal/static"
)

// routes is the map of the portal: every URL is registered here and nowhere
// else, and the route × role matrix test walks exactly this list.
func (s *Server) routes() {
	a := s.app

	// Technical endpoints: no session needed.
	a.Get("/healthz", s.healthz)
	a.Get("/readyz", s.readyz)
	a.Use("/static", filesystem.New(filesystem.Config{Root: http.FS(static.FS), MaxAge: 3600}))

	a.Use(s.loadSession, s.checkCSRF)

	// Sign-in. Login and callback are rate limited per client IP (behind a
	// trusted proxy: X-Real-IP), as each call costs a provider round trip.
	limit := limiter.New(limiter.Config{Max: s.loginRateLimit, Expiration: time.Minute,
		LimitReached: func(c *fiber.Ctx) error { return fiber.ErrTooManyRequests }})
	a.Get("/auth/login", limit, s.login)
	a.Get("/auth/callback", limit, s.callback)
	a.Post("/auth/logout", s.logout)
	a.Post("/auth/sitzung", s.extendSession)

	a.Get("/", s.home)
	a.Get("/impressum", s.legalPage("impressum", "Impressum"))
	a.Get("/datenschutz", s.legalPage("datenschutz", "Datenschutzerklärung"))
	a.Get("/barrierefreiheit", s.legalPage("barrierefreiheit", "Erklärung zur Barrierefreiheit"))

	a.Get("/gremium", s.committee)
	a.Get("/organisationen/neu", s.newOrganisation)
	a.Post("/organisationen", s.saveOrganisation)
	a.Get("/organisationen/:id", s.organisation)
	a.Get("/organisationen/:id/bearbeiten", s.editOrganisation)
	a.Post("/organisationen/:id", s.saveOrganisation)
	a.Get("/personen/neu", s.newPerson)
	a.Post("/personen", s.invitePerson)
	a.Get("/personen/:id", s.person)
	a.Post("/personen/:id/mitgliedschaften", s.startMembership)
	a.Post("/mitgliedschaften/:id/beenden", s.endMembership)
	a.Get("/sitzungen", s.meetings)
	a.Get("/sitzungen/neu", s.newMeeting)
	a.Post("/sitzungen", s.createMeeting)
	a.Get("/sitzungen/:id", s.meeting)
	a.Get("/sitzungen/:id/kalender.ics", s.meetingICS)
	a.Get("/sitzungen/:id/bearbeiten", s.editMeeting)
	a.Post("/sitzungen/:id", s.updateMeeting)
	a.Post("/sitzungen/:id/status", s.meetingStatus)
	a.Post("/sitzungen/:id/absagen", s.cancelMeeting)
	a.Post("/sitzungen/:id/anmeldung", s.register)
	a.Get("/sitzungen/:id/anwesenheit", s.attendance)
	a.Post("/sitzungen/:id/anwesenheit", s.recordAttendance)
	a.Get("/sitzungen/:id/tagesordnung", s.agenda)
	a.Post("/sitzungen/:id/tagesordnung", s.addAgendaItem)
	a.Post("/sitzungen/:id/tagesordnung/veroeffentlichen", s.publishAgenda)
	a.Get("/sitzungen/:id/einladung.pdf", s.invitationPDFHandler)
	a.Post("/tagesordnung/:id", s.agendaItemAction("update"))
	a.Post("/tagesordnung/:id/hoch", s.agendaItemAction("up"))
	a.Post("/tagesordnung/:id/runter", s.agendaItemAction("down"))
	a.Post("/tagesordnung/:id/entfernen", s.agendaItemAction("remove"))
	a.Post("/tagesordnung/:id/wiedervorlage", s.agendaItemAction("carry"))
	a.Get("/sitzungen/:id/protokoll", s.minutes)
	a.Get("/sitzungen/:id/protokoll.pdf", s.minutesPDFHandler)
	a.Post("/sitzungen/:id/protokoll/status", s.minutesStatus)
	a.Post("/sitzungen/:id/protokoll/genehmigen", s.approveMinutes)
	a.Post("/sitzungen/:id/protokoll/berichtigung", s.correctMinutes)
	a.Post("/sitzungen/:id/protokoll/kommentare", s.commentMinutes)
	a.Post("/tagesordnung/:id/protokoll", s.recordItem)
	a.Post("/tagesordnung/:id/beschluss", s.recordResolution)
	a.Post("/tagesordnung/:id/protokollnotiz", s.addMinuteNote)
	a.Get("/beschluesse", s.resolutions)
	a.Get("/beschluesse.csv", s.resolutionsCSV)
	a.Post("/beschluesse/:id/umsetzung", s.setFollowUp)
	a.Get("/sitzungsreihen/neu", s.newSeries)
	a.Post("/sitzungsreihen", s.createSeries)
	a.Post("/beschlussfaehigkeit", s.setQuorumRule)
	// Calendar apps poll; they get their own budget so that a municipal
	// office behind one address can still sign in.
	feedLimit := limiter.New(limiter.Config{Max: 10 * s.loginRateLimit, Expiration: time.Minute,
		KeyGenerator: func(c *fiber.Ctx) string { return "kalender|" + c.IP() },
		LimitReached: func(c *fiber.Ctx) error { return fiber.ErrTooManyRequests }})
	a.Get("/kalender/:token.ics", feedLimit, s.calendarFeed)
	a.Post("/kalender/abo", s.renewCalendarFeed)
	a.Post("/kalender/abo/widerrufen", s.revokeCalendarFeed)

	a.Get("/themen", s.topics)
	a.Get("/themen/neu", s.newTopic)
	a.Post("/themen", s.submitTopic)
	a.Get("/meine-themen", s.myTopics)
	a.Get("/themen/:id", s.topic)
	a.Post("/themen/:id/mitzeichnen", s.coSign)
	a.Post("/themen/:id/status", s.triage)
	a.Post("/themen/:id/kommentare", s.addComment)
	a.Post("/themen/:id/anhaenge", s.uploadAttachment)
	a.Post("/kommentare/:id", s.editComment)
	a.Post("/kommentare/:id/loeschen", s.deleteComment)
	a.Get("/anhaenge/:id", s.download)

	a.Get("/anforderungsprofile", s.requirementProfiles)
	a.Get("/anforderungsprofile/feed.atom", s.profileFeed)
	a.Get("/anforderungsprofile/neu", s.newProfile)
	a.Post("/anforderungsprofile", s.createProfile)
	a.Get("/anforderungsprofile/:id", s.requirementProfile)
	a.Get("/anforderungsprofile/:id/bearbeiten", s.editProfile)
	a.Post("/anforderungsprofile/:id", s.saveRequirementProfile)
	a.Get("/anforderungsprofile/:id/versionen/:n", s.requirementProfile)
	a.Get("/anforderungsprofile/:id/versionen/:n/export.md", s.profileExportMarkdown)
	a.Get("/anforderungsprofile/:id/versionen/:n/export.pdf", s.profileExportPDF)
	a.Get("/anforderungsprofile/:id/vergleich", s.compareProfile)
	a.Post("/anforderungsprofile/:id/status", s.moveProfile)
	a.Post("/anforderungsprofile/:id/rueckmeldung", s.giveFeedback)
	a.Post("/anforderungsprofile/:id/kommentare", s.commentProfile)
	a.Get("/anforderungsprofile/:id/synopse", s.synopsis)
	a.Get("/anforderungsprofile/:id/synopse.csv", s.synopsisCSV)

	a.Get("/profil", s.profile)
	a.Post("/profil", s.saveProfile)

	a.Get("/admin/benutzer", s.adminUsers)
	a.Get("/admin/benutzer/:id", s.adminUser)
	a.Post("/admin/benutzer/:id/rolle", s.adminSetRole)
	a.Post("/admin/benutzer/:id/sperren", s.adminDisable)
	a.Post("/admin/benutzer/:id/entsperren", s.adminEnable)
	a.Get("/admin/audit", s.adminAudit)

	a.Use(func(c *fiber.Ctx) error { return fiber.ErrNotFound })
}
