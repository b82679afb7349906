package web

import (
	"context"
	"net/http"

	"github.com/moudesk/moudesk/internal/desk"

	"github.com/gin-gonic/gin"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/mou"
)

// signHandlers serves signatories, the signing ceremony, signed PDFs,
// certificates and verification.
type signHandlers struct {
	*Server
	// verifySlots bounds the public verifications running at once: each
	// may take seconds of CPU on a hostile file, and anyone may send one.
	verifySlots chan struct{}
}

// signatureLines is the signature block of the MOU's template.
func (s *Server) signatureLines(m *desk.MOU) ([]mou.SignatureLine, error) {
	t, ok := s.desk.Template(m.Template)
	if !ok {
		return nil, moudesk.Errorf(moudesk.KindUnprocessable, "unknown_template", "MOU %d uses template %q, which this server does not load", m.ID, m.Template)
	}
	return t.Signatures, nil
}

// signatoryLines lists every line of the MOU's signature block, each with
// its assigned signatory when there is one (UserID 0 when not).
func (s *Server) signatoryLines(ctx context.Context, m *desk.MOU) ([]desk.Signatory, error) {
	lines, err := s.signatureLines(m)
	if err != nil {
		return nil, err
	}
	assigned, err := s.desk.Signatories(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	byLine := make(map[int]desk.Signatory, len(assigned))
	for _, a := range assigned {
		byLine[a.Line] = a
	}
	out := make([]desk.Signatory, len(lines))
	for i, l := range lines {
		sg, ok := byLine[i+1]
		if !ok || sg.Party != l.Party || sg.Title != l.Title || sg.Order != l.Order {
			// Unassigned, or assigned to a line the template has since
			// changed: show the template's line without a signatory.
			sg = desk.Signatory{Line: i + 1, Party: l.Party, Title: l.Title, Order: l.Order}
			for _, p := range m.Parties {
				if p.Role == l.Party {
					sg.PartySlug, sg.PartyName = p.Slug, p.Name
				}
			}
		}
		out[i] = sg
	}
	return out, nil
}

func (h *signHandlers) getSignatories(c *gin.Context) error {
	m, err := h.mouParam(c)
	if err != nil {
		return err
	}
	lines, err := h.signatoryLines(c.Request.Context(), m)
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
	m, err := h.mouParam(c)
	if err != nil {
		return err
	}
	out, err := h.assign(c, m, req.Signatories)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"signatories": out})
	return nil
}

// assign is putSignatories' work, shared with the signing page.
func (h *signHandlers) assign(c *gin.Context, m *desk.MOU, as []desk.Assignment) ([]desk.Signatory, error) {
	lines, err := h.signatureLines(m)
	if err != nil {
		return nil, err
	}
	if _, err := h.desk.AssignSignatories(c.Request.Context(), actor(c), m.ID, lines, as); err != nil {
		return nil, err
	}
	return h.signatoryLines(c.Request.Context(), m)
}

// mouParam reads the MOU the :id path parameter names.
func (s *Server) mouParam(c *gin.Context) (*desk.MOU, error) {
	id, err := idParam(c)
	if err != nil {
		return nil, err
	}
	return s.desk.MOU(c.Request.Context(), id)
}
