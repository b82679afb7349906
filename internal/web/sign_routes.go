package web

import (
	"net/http"
	"runtime"

	"github.com/moudesk/moudesk/internal/auth"
)

// signRoutes registers signatories, the signing ceremony, the signed PDF,
// the certificate of completion and public verification. The signed PDF
// and certificate are public once the MOU is executed (they are 404 until
// then); verification is public always.
func (s *Server) signRoutes() *signHandlers {
	h := &signHandlers{Server: s, verifyGate: newVerifyGate(2 * runtime.GOMAXPROCS(0))}
	s.handle(http.MethodGet, "/api/v1/mous/:id/signatories", auth.MOURead, h.getSignatories)
	s.handle(http.MethodPut, "/api/v1/mous/:id/signatories", auth.SignatoryWrite, h.putSignatories)
	s.handle(http.MethodGet, "/api/v1/mous/:id/signing", auth.MOURead, h.getSigning)
	s.handle(http.MethodGet, "/api/v1/mous/:id/signing.pdf", auth.MOURead, h.getSigningPDF)
	s.handle(http.MethodPost, "/api/v1/mous/:id/signatures", auth.SignatureWrite, h.postSignature)
	s.handle(http.MethodGet, "/api/v1/mous/:id/signed.pdf", auth.Public, h.getSignedPDF)
	s.handle(http.MethodGet, "/api/v1/mous/:id/certificate.pdf", auth.Public, h.getCertificatePDF)
	s.handle(http.MethodGet, "/api/v1/ca.pem", auth.Public, h.getCACert)
	s.handle(http.MethodGet, "/ca/crl", auth.Public, h.getCRL)
	s.handleUpload(http.MethodPost, "/api/v1/verify", auth.Public, h.verify)
	return h
}
