package web

import (
	"net/http"

	"github.com/moudesk/moudesk/internal/desk"

	"github.com/gin-gonic/gin"
)

// signHandlers serves signatories, the signing ceremony, signed PDFs,
// certificates and verification.
type signHandlers struct {
	*Server
	// verifyGate admits public verifications: each check may take
	// seconds of CPU on a hostile file, and anyone may send one.
	verifyGate *verifyGate
}

func (h *signHandlers) getSignatories(c *gin.Context) error {
	m, err := h.mouParam(c)
	if err != nil {
		return err
	}
	lines, err := h.desk.SignatoryLines(c.Request.Context(), m)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"signatories": lines})
	return nil
}

type signatoriesRequest struct {
	Signatories []desk.Assignment `json:"signatories"`
}

// putSignatories assigns users to lines of the signature block:
// {"signatories":[{"line":1,"email":"chief@city.example"}]}.
func (h *signHandlers) putSignatories(c *gin.Context) error {
	var req signatoriesRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	id, err := idParam(c)
	if err != nil {
		return err
	}
	out, err := h.desk.AssignSignatories(c.Request.Context(), actor(c), id, req.Signatories)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"signatories": out})
	return nil
}

// mouParam reads the MOU the :id path parameter names.
func (s *Server) mouParam(c *gin.Context) (*desk.MOU, error) {
	id, err := idParam(c)
	if err != nil {
		return nil, err
	}
	return s.desk.MOU(c.Request.Context(), id)
}
