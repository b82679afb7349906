package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/desk"
	"github.com/moudesk/moudesk/internal/pdfsign"
)

// Verification limits: the largest PDF accepted and the time one file may
// take, so a hostile upload cannot hold a worker.
const (
	MaxVerifyBytes = 25 << 20
	verifyTimeout  = 10 * time.Second
)

// verifiedSignature is one signature as the verify answer shows it.
type verifiedSignature struct {
	Field           string    `json:"field"`
	Signer          string    `json:"signer"`
	Reason          string    `json:"reason,omitempty"`
	Time            time.Time `json:"time"`
	Valid           bool      `json:"valid"`
	Problem         string    `json:"problem,omitempty"`
	CoversWholeFile bool      `json:"covers_whole_file"`
	Certification   bool      `json:"certification"`
	Trusted         bool      `json:"trusted"` // chains to this server's CA
	// DocumentTimestamp marks a document timestamp (PAdES B-LTA): Signer
	// is its TSA and Time its time.
	DocumentTimestamp bool `json:"document_timestamp"`
	// TimeSource is "timestamp" when Time comes from an RFC 3161 token,
	// "claimed" when only the signer's clock says so.
	TimeSource         string             `json:"time_source"`
	Timestamp          *verifiedTimestamp `json:"timestamp,omitempty"`
	ChainEmbedded      bool               `json:"chain_embedded"`
	RevocationEmbedded bool               `json:"revocation_embedded"`
	Revocation         string             `json:"revocation"`
	ValidAtSigning     bool               `json:"valid_at_signing"`
	ValidNow           bool               `json:"valid_now"`
	NowProblem         string             `json:"now_problem,omitempty"`
}

// verifiedTimestamp is a signature's RFC 3161 timestamp.
type verifiedTimestamp struct {
	Time        time.Time `json:"time"`
	TSA         string    `json:"tsa"`
	CertExpires time.Time `json:"tsa_certificate_expires"`
	Problem     string    `json:"problem,omitempty"`
}

type verifyAnswer struct {
	SHA256     string              `json:"sha256"`
	Size       int                 `json:"size"`
	Revisions  int                 `json:"revisions"`
	Signatures []verifiedSignature `json:"signatures"`
	AllValid   bool                `json:"all_valid"`
	Match      *desk.VerifyMatch   `json:"match"`
	// TextMismatch is set when the file's footer names a revision of this
	// moudesk but the file is not it: a tampered or forged copy.
	TextMismatch *desk.TextMismatch `json:"text_mismatch,omitempty"`
}

// verify checks an uploaded PDF (multipart field "file"): every signature,
// and whether the file is, or begins with, a signing PDF of an MOU here,
// else whether its text is that of the revision its footer names.
// Public: anyone handed a copy may check it.
func (h *signHandlers) verify(c *gin.Context) error {
	data, release, err := h.verifyGate.receive(c)
	if err != nil {
		return err
	}
	defer release()
	ans, err := h.verifyPDF(c.Request.Context(), data)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, ans)
	return nil
}

// verifyPDF is verify's work, shared with the public verify page.
func (h *signHandlers) verifyPDF(ctx context.Context, data []byte) (*verifyAnswer, error) {
	vctx, cancel := context.WithTimeout(ctx, verifyTimeout)
	defer cancel()
	opts := pdfsign.VerifyOptions{Roots: h.desk.Roots()}
	// This moudesk's own CRL counts too: a certificate revoked here since
	// the file was made shows as revoked, before or after signing.
	if keys, err := h.desk.Keys(); err == nil {
		if crl, err := keys.CRL(time.Now()); err == nil && crl != nil {
			opts.CRLs = append(opts.CRLs, crl)
		}
	}
	rep, err := pdfsign.VerifyWith(vctx, data, opts)
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return nil, moudesk.Errorf(moudesk.KindUnprocessable, "verify_timeout", "the file took longer than %s to check", verifyTimeout)
	case errors.Is(err, pdfsign.ErrNotPDF):
		return nil, moudesk.Errorf(moudesk.KindUnprocessable, "not_pdf", "the file is not a readable PDF")
	case err != nil:
		return nil, err
	}
	sum := sha256.Sum256(data)
	ans := verifyAnswer{SHA256: hex.EncodeToString(sum[:]), Size: len(data), Revisions: rep.Revisions,
		Signatures: []verifiedSignature{}, AllValid: len(rep.Signatures) > 0}
	for _, s := range rep.Signatures {
		v := verifiedSignature{
			Field: s.Field, Signer: s.SignerName, Reason: s.Reason, Time: s.Time, Valid: s.Valid, Problem: s.Problem,
			CoversWholeFile: s.CoversWholeFile, Certification: s.Certification, Trusted: s.Trusted,
			DocumentTimestamp: s.DocumentTimestamp, TimeSource: s.TimeSource, ChainEmbedded: s.ChainEmbedded,
			RevocationEmbedded: s.RevocationEmbedded, Revocation: s.Revocation, ValidAtSigning: s.ValidAtSigning,
			ValidNow: s.ValidAt, NowProblem: s.AtProblem,
		}
		if ts := s.Timestamp; ts != nil {
			v.Timestamp = &verifiedTimestamp{Time: ts.Time, TSA: ts.TSA, CertExpires: ts.CertExpires, Problem: ts.Problem}
		}
		ans.Signatures = append(ans.Signatures, v)
		ans.AllValid = ans.AllValid && s.Valid
	}
	ans.Match, ans.TextMismatch, err = h.desk.MatchFile(vctx, data)
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return nil, moudesk.Errorf(moudesk.KindUnprocessable, "verify_timeout", "the file took longer than %s to check", verifyTimeout)
	case err != nil:
		return nil, err
	}
	return &ans, nil
}

// readUpload reads the multipart part named field, refusing another
// content type (415), a body over limit (413) and a missing part (400).
func readUpload(c *gin.Context, field string, limit int64) ([]byte, error) {
	mt, params, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return nil, moudesk.Errorf(moudesk.KindUnsupported, "unsupported_media_type", "send the PDF as multipart/form-data in the field %q", field)
	}
	// Room for the part headers and boundaries around the file.
	body := http.MaxBytesReader(c.Writer, c.Request.Body, limit+64<<10)
	mr := multipart.NewReader(body, params["boundary"])
	tooLarge := moudesk.Errorf(moudesk.KindTooLarge, "too_large", "the file is larger than %d MiB", limit>>20)
	for {
		part, err := mr.NextPart()
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe):
			return nil, tooLarge
		case errors.Is(err, io.EOF):
			return nil, &moudesk.Error{Kind: moudesk.KindInvalid, Code: "missing_file", Field: field, Message: "no file was sent in the field " + field}
		case isTimeout(err):
			return nil, errUploadTimeout
		case err != nil:
			return nil, errInvalid("invalid_multipart", "the multipart body is malformed")
		}
		if part.FormName() != field {
			continue
		}
		data, err := io.ReadAll(io.LimitReader(part, limit+1))
		switch {
		case errors.As(err, &mbe):
			return nil, tooLarge
		case isTimeout(err):
			return nil, errUploadTimeout
		case err != nil:
			return nil, errInvalid("invalid_multipart", "the multipart body is malformed")
		case int64(len(data)) > limit:
			return nil, tooLarge
		}
		return data, nil
	}
}
