package web

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"
)

// writePublicPDF serves an immutable PDF anyone may fetch.
func writePublicPDF(c *gin.Context, pdf []byte, filename string) {
	sum := sha256.Sum256(pdf)
	etag := `"` + hex.EncodeToString(sum[:]) + `"`
	c.Header("X-Content-SHA256", hex.EncodeToString(sum[:]))
	c.Header("ETag", etag)
	c.Header("Cache-Control", "public, max-age=3600")
	if etagMatches(c.GetHeader("If-None-Match"), etag) {
		c.Status(http.StatusNotModified)
		return
	}
	c.Header("Content-Disposition", `inline; filename="`+filename+`"`)
	c.Data(http.StatusOK, "application/pdf", pdf)
}

// getSignedPDF serves the sealed PDF of an executed MOU to anyone; before
// the seal there is none (404).
func (h *signHandlers) getSignedPDF(c *gin.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	doc, err := h.desk.SignedPDF(c.Request.Context(), id)
	if err != nil {
		return err
	}
	writePublicPDF(c, doc.PDF, fmt.Sprintf("mou-%d-signed.pdf", id))
	return nil
}

// getCertificatePDF serves the certificate of completion of an executed
// MOU, made and sealed on first request and stored, so every later request
// gets the same bytes.
func (h *signHandlers) getCertificatePDF(c *gin.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	pdf, err := h.desk.CertificatePDF(c.Request.Context(), actor(c), id, h.publicURL(c))
	if err != nil {
		return err
	}
	writePublicPDF(c, pdf, fmt.Sprintf("mou-%d-certificate.pdf", id))
	return nil
}

// getCACert serves the certificate readers should trust to see moudesk's
// signatures as trusted.
func (h *signHandlers) getCACert(c *gin.Context) error {
	keys, err := h.desk.Keys()
	if err != nil {
		return err
	}
	c.Header("Content-Disposition", `attachment; filename="moudesk-ca.pem"`)
	c.Data(http.StatusOK, "application/x-pem-file", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: keys.RootCert().Raw}))
	return nil
}
