package web

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/moudesk/moudesk/internal/desk"
)

// getSigning shows the ceremony's document, preparing it on first use.
func (h *signHandlers) getSigning(c *gin.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	v, err := h.desk.Signing(c.Request.Context(), actor(c), id, h.publicURL(c))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"signing": v})
	return nil
}

// getSigningPDF serves the newest signing PDF of the current revision,
// with its SHA-256 in X-Content-SHA256.
func (h *signHandlers) getSigningPDF(c *gin.Context) error {
	m, err := h.mouParam(c)
	if err != nil {
		return err
	}
	doc, err := h.desk.SigningPDF(c.Request.Context(), actor(c), m, h.publicURL(c))
	if err != nil {
		return err
	}
	c.Header("X-Content-SHA256", doc.SHA256)
	c.Header("X-Content-Hash", doc.ContentHash)
	writePDF(c, &desk.PDF{Bytes: doc.PDF, ETag: `"` + doc.SHA256 + `"`}, fmt.Sprintf("mou-%d-revision-%d-signing.pdf", m.ID, doc.Revision))
	return nil
}

// postSignature is the signing ceremony's act: the caller signs their own
// line of the signature block (desk.Service.Sign says what is refused).
func (h *signHandlers) postSignature(c *gin.Context) error {
	var req desk.SignRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	id, err := idParam(c)
	if err != nil {
		return err
	}
	res, err := h.desk.Sign(c.Request.Context(), principal(c), h.client(c), id, req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, res)
	return nil
}

// client is where the request came from, for the ceremony's record.
func (s *Server) client(c *gin.Context) desk.Client {
	return desk.Client{Addr: c.ClientIP(), UserAgent: c.Request.UserAgent(), PublicURL: s.publicURL(c)}
}
