package web

import (
	"bytes"
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
	"github.com/moudesk/moudesk/internal/pdfsign"
	"github.com/moudesk/moudesk/internal/sqlite"
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
}

// VerifyMatch names the MOU revision a file's original text is.
type VerifyMatch struct {
	MOUID       int64  `json:"mou_id"`
	Title       string `json:"title"`
	Revision    int    `json:"revision"`
	ContentHash string `json:"content_hash"`
	Stage       string `json:"stage"`
	Executed    bool   `json:"executed"`
	// Step is the stored signing step the file is, or begins with
	// (rendered, certified, signature, seal), or "certificate" for a
	// certificate of completion; Exact when it is that file.
	Step  string `json:"step"`
	Exact bool   `json:"exact"`
	// Method is how the file was recognised: "bytes" when it is, or
	// extends by incremental updates, a PDF stored here; "text" when its
	// bytes differ (re-saved by another tool, or its signatures broken)
	// but its normalised words are those of the stored PDF (Step is then
	// the stored step or certificate compared, Exact false).
	Method string `json:"method"`
}

type verifyAnswer struct {
	SHA256     string              `json:"sha256"`
	Size       int                 `json:"size"`
	Revisions  int                 `json:"revisions"`
	Signatures []verifiedSignature `json:"signatures"`
	AllValid   bool                `json:"all_valid"`
	Match      *VerifyMatch        `json:"match"`
	// TextMismatch is set when the file's footer names a revision of this
	// moudesk but the file is not it: a tampered or forged copy.
	TextMismatch *TextMismatch `json:"text_mismatch,omitempty"`
}

// verify checks an uploaded PDF (multipart field "file"): every signature,
// and whether the file is, or begins with, a signing PDF of an MOU here,
// else whether its text is that of the revision its footer names.
// Public: anyone handed a copy may check it.
func (h *signHandlers) verify(c *gin.Context) error {
	release, err := h.verifySlot()
	if err != nil {
		return err
	}
	defer release()
	data, err := readUpload(c, "file", MaxVerifyBytes)
	if err != nil {
		return err
	}
	ans, err := h.verifyPDF(c.Request.Context(), data)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, ans)
	return nil
}

// verifySlot takes one of the bounded verification slots, or refuses with
// 503 busy when all are taken; the verify page takes one the same way.
func (h *signHandlers) verifySlot() (release func(), err error) {
	select {
	case h.verifySlots <- struct{}{}:
		return func() { <-h.verifySlots }, nil
	default:
		return nil, &moudesk.Error{Kind: moudesk.KindUnavailable, Code: "busy", Message: "too many files are being checked right now; try again shortly"}
	}
}

// verifyPDF is verify's work, shared with the public verify page.
func (h *signHandlers) verifyPDF(ctx context.Context, data []byte) (*verifyAnswer, error) {
	vctx, cancel := context.WithTimeout(ctx, verifyTimeout)
	defer cancel()
	rep, err := pdfsign.Verify(vctx, data, h.cfg.Keys.Roots())
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
		ans.Signatures = append(ans.Signatures, verifiedSignature{
			Field: s.Field, Signer: s.SignerName, Reason: s.Reason, Time: s.Time, Valid: s.Valid, Problem: s.Problem,
			CoversWholeFile: s.CoversWholeFile, Certification: s.Certification, Trusted: s.Trusted,
		})
		ans.AllValid = ans.AllValid && s.Valid
	}
	ans.Match, ans.TextMismatch, err = matchFile(vctx, h.db, data, h.storedWords)
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return nil, moudesk.Errorf(moudesk.KindUnprocessable, "verify_timeout", "the file took longer than %s to check", verifyTimeout)
	case err != nil:
		return nil, err
	}
	return &ans, nil
}

// MatchFile traces a PDF to a revision recorded in db: by its bytes when
// it is, or extends by incremental updates, a stored signing PDF or
// certificate; else by its text (see verify_text.go), which also reports a
// copy that names a revision but is not it. The verify endpoint and page
// and `moudesk verify` with a database share it.
func MatchFile(ctx context.Context, db *sqlite.DB, data []byte) (*VerifyMatch, *TextMismatch, error) {
	return matchFile(ctx, db, data, extractWords)
}

func matchFile(ctx context.Context, db *sqlite.DB, data []byte, stored wordReader) (*VerifyMatch, *TextMismatch, error) {
	m, err := matchBytes(ctx, db, data)
	if err != nil || m != nil {
		return m, nil, err
	}
	return matchText(ctx, db, data, stored)
}

// matchBytes looks each revision of data (the bytes up to each %%EOF)
// up among the stored signing PDFs; the longest stored prefix wins.
// Incremental updates only append, so a copy signed further elsewhere
// still begins with the bytes moudesk stored.
func matchBytes(ctx context.Context, db *sqlite.DB, data []byte) (*VerifyMatch, error) {
	var sums []string
	for _, end := range revisionEnds(data, 100) {
		s := sha256.Sum256(data[:end])
		sums = append(sums, hex.EncodeToString(s[:]))
	}
	docs, err := db.DocumentsBySHA256(ctx, sums)
	if err != nil {
		return nil, err
	}
	if len(docs) == 0 && len(sums) > 0 {
		// Not a signing step: perhaps a certificate of completion, which
		// is matched only whole.
		whole := sha256.Sum256(data)
		cert, err := db.CertificateBySHA256(ctx, hex.EncodeToString(whole[:]))
		if moudesk.IsKind(err, moudesk.KindNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		docs = append(docs, *cert)
	}
	if len(docs) == 0 {
		return nil, nil
	}
	best := docs[0]
	for _, d := range docs[1:] {
		if d.Size > best.Size {
			best = d
		}
	}
	m, err := db.MOU(ctx, best.MOUID)
	if err != nil {
		return nil, err
	}
	sealed, err := db.SealedDocument(ctx, best.MOUID)
	executed := err == nil && sealed.Revision == best.Revision
	if err != nil && !moudesk.IsKind(err, moudesk.KindNotFound) {
		return nil, err
	}
	return &VerifyMatch{MOUID: m.ID, Title: m.Title, Revision: best.Revision, ContentHash: best.ContentHash, Stage: m.Stage,
		Executed: executed, Step: best.Kind, Exact: best.Size == len(data), Method: "bytes"}, nil
}

// revisionEnds are the offsets just past each "%%EOF" marker (and its end
// of line) in data, at most limit of them, the last ones kept.
func revisionEnds(data []byte, limit int) []int {
	var ends []int
	marker := []byte("%%EOF")
	for off := 0; ; {
		i := bytes.Index(data[off:], marker)
		if i < 0 {
			break
		}
		end := off + i + len(marker)
		if end < len(data) && data[end] == '\r' {
			end++
		}
		if end < len(data) && data[end] == '\n' {
			end++
		}
		ends = append(ends, end)
		off = end
	}
	if len(ends) > limit {
		ends = ends[len(ends)-limit:]
	}
	return ends
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
		case err != nil:
			return nil, errInvalid("invalid_multipart", "the multipart body is malformed")
		case int64(len(data)) > limit:
			return nil, tooLarge
		}
		return data, nil
	}
}
