package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/moudesk/moudesk/internal/desk"
	"github.com/moudesk/moudesk/internal/mou"
)

// writePDF answers with the PDF, or 304 when the client already holds these
// bytes. The ETag is the hash of the bytes themselves, so it changes when
// anything drawn changes (the DRAFT mark leaving on execution, say).
func writePDF(c *gin.Context, doc *desk.PDF, filename string) {
	c.Header("ETag", doc.ETag)
	// Downloads need an account, so shared caches must not keep them.
	c.Header("Cache-Control", "private, no-cache")
	if etagMatches(c.GetHeader("If-None-Match"), doc.ETag) {
		c.Status(http.StatusNotModified)
		return
	}
	c.Header("Content-Disposition", `inline; filename="`+filename+`"`)
	c.Data(http.StatusOK, "application/pdf", doc.Bytes)
}

// writeRevisionPDF answers with revision rev of MOU id as rendered in doc,
// naming the content hash it shows.
func writeRevisionPDF(c *gin.Context, id int64, rev *mou.Revision, doc *desk.PDF) {
	c.Header("X-Content-Hash", rev.ContentHash)
	writePDF(c, doc, fmt.Sprintf("mou-%d-revision-%d.pdf", id, rev.Number))
}

// etagMatches applies If-None-Match's weak comparison (RFC 9110 13.1.2).
func etagMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == etag {
			return true
		}
	}
	return false
}

// pdfParams are the rendering choices a client may make.
type pdfParams struct{ paper string }

func readPDFParams(c *gin.Context) (pdfParams, error) {
	p := pdfParams{paper: strings.ToLower(c.DefaultQuery("paper", "letter"))}
	if p.paper != "letter" && p.paper != "a4" {
		return p, errInvalid("invalid_paper", "paper must be letter or a4")
	}
	return p, nil
}
