package app

import (
	"mime"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"kogportal/models"
)

// uploadField is the form field of an attachment.
const uploadField = "anhang"

// storeUpload saves the request's attachment, if any, to the file store.
// The type is checked by content there; nothing is recorded yet.
func (s *Server) storeUpload(c *fiber.Ctx) (*models.StoredFile, error) {
	fh, err := c.FormFile(uploadField)
	if err != nil || fh == nil || fh.Size == 0 && fh.Filename == "" {
		return nil, nil // no file sent
	}
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	stored, err := s.files.Save(f, fh.Filename)
	if err != nil {
		return nil, err
	}
	return &stored, nil
}

// discardUpload removes a stored file whose record could not be written.
func (s *Server) discardUpload(stored *models.StoredFile) {
	if stored != nil {
		_ = s.files.Remove(stored.StoredName)
	}
}

// recordUpload links a stored file to a topic.
func (s *Server) recordUpload(c *fiber.Ctx, topicID uint, stored *models.StoredFile) error {
	a := &models.Attachment{TopicID: &topicID, StoredName: stored.StoredName, FileName: stored.FileName,
		MIME: stored.MIME, Size: stored.Size, UploaderID: currentUser(c).ID}
	if err := s.store.AddAttachment(c.UserContext(), a); err != nil {
		s.discardUpload(stored)
		return err
	}
	return nil
}

// uploadAttachment adds a document to a topic.
func (s *Server) uploadAttachment(c *fiber.Ctx) error {
	t, err := s.visibleTopic(c)
	if err != nil {
		return err
	}
	if err := allow(c, models.CanUploadAttachment(currentUser(c), t)); err != nil {
		return err
	}
	stored, err := s.storeUpload(c)
	if ve, ok := asValidation(err); ok {
		return s.renderTopic(c, fiber.StatusUnprocessableEntity, t, ve.Fields)
	} else if err != nil {
		return err
	}
	if stored == nil {
		return s.renderTopic(c, fiber.StatusUnprocessableEntity, t, map[string]string{"file": "Bitte wählen Sie eine Datei."})
	}
	if err := s.recordUpload(c, t.ID, stored); err != nil {
		return err
	}
	return s.redirectWithFlash(c, topicPath(t.ID)+"#anhaenge", "„"+stored.FileName+"“ ist angehängt.")
}

// download serves an attachment after checking that the viewer may see the
// topic it belongs to; the file never lies under static/.
func (s *Server) download(c *fiber.Ctx) error {
	id, err := c.ParamsInt("id")
	if err != nil || id <= 0 {
		return models.ErrNotFound
	}
	a, err := s.store.Attachment(c.UserContext(), uint(id))
	if err != nil {
		return err
	}
	if a.Topic == nil || !models.CanSeeAttachment(currentUser(c), a.Topic) {
		if currentUser(c) == nil {
			return models.ErrUnauthenticated
		}
		return models.ErrNotFound
	}
	f, err := s.files.Open(a.StoredName)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, a.MIME)
	c.Set(fiber.HeaderContentDisposition, mime.FormatMediaType("attachment", map[string]string{"filename": a.FileName}))
	c.Set(fiber.HeaderContentLength, strconv.FormatInt(a.Size, 10))
	c.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	return c.SendStream(f, int(a.Size))
}
