package web

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/moudesk/moudesk"
)

type verifyPage struct {
	Answer *verifyAnswer
	Errors map[string]string
}

func (p *pageHandlers) verifyForm(c *gin.Context) error {
	return p.renderPage(c, http.StatusOK, "verify", "Verify a PDF", "verify", verifyPage{Errors: map[string]string{}})
}

// verifyPrintedAddress answers the address every signing PDF's footer and
// certificate print ("verify at <public URL>/verify"). Paper copies outlive
// page layouts, so that short address stays and sends readers on for good.
func (s *Server) verifyPrintedAddress(c *gin.Context) error {
	c.Redirect(http.StatusMovedPermanently, "/public/verify")
	return nil
}

// verifyPost checks an uploaded PDF with the same code and the same
// admission (verifyGate) as POST /api/v1/verify and says in plain words
// what it is; a refusal, busy included, is shown on the form.
func (p *pageHandlers) verifyPost(c *gin.Context) error {
	out := verifyPage{Errors: map[string]string{}}
	data, release, err := p.sg.verifyGate.receive(c)
	if err == nil {
		defer release()
		out.Answer, err = p.sg.verifyPDF(c.Request.Context(), data)
	}
	if err != nil {
		e, safe := clientError(err)
		if !safe || e.Kind == moudesk.KindInternal {
			return err
		}
		if d, ok := e.Data.(moudesk.RetryAfter); ok {
			c.Header("Retry-After", strconv.Itoa(int(d)))
		}
		out.Errors["file"] = e.Message
		return p.renderPage(c, statusOf[e.Kind], "verify", "Verify a PDF", "verify", out)
	}
	return p.renderPage(c, http.StatusOK, "verify", "Verify a PDF", "verify", out)
}
