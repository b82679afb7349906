package web

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"

	"github.com/moudesk/moudesk/internal/desk"

	"github.com/gin-gonic/gin"
	"golang.org/x/text/unicode/norm"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/pdfsign"
)

// ConsentText is the statement a signatory agrees to when the client sends
// none of its own; whatever text is agreed to is stored verbatim.
const ConsentText = "I agree to sign this document electronically. My electronic signature has the same effect as my handwritten signature, and I have reviewed the exact document shown, identified by its SHA-256."

// signingView is what a signatory sees before signing: the exact PDF (by
// URL and SHA-256), the approved content hash, and who signs when.
type signingView struct {
	MOUID       int64                 `json:"mou_id"`
	Stage       string                `json:"stage"`
	Revision    int                   `json:"revision"`
	ContentHash string                `json:"content_hash"`
	Document    desk.SigningDocument  `json:"document"`
	PDFURL      string                `json:"pdf_url"`
	Approvals   []desk.ApprovalRecord `json:"approvals"`
	Signatories []desk.Signatory      `json:"signatories"`
	// Next are the lines that may sign now: unsigned lines of the lowest
	// unsigned order.
	Next        []int  `json:"next"`
	ConsentText string `json:"consent_text"`
}

// getSigning shows the ceremony's document, preparing it on first use.
func (h *signHandlers) getSigning(c *gin.Context) error {
	m, err := h.mouParam(c)
	if err != nil {
		return err
	}
	v, err := h.signing(c, m)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"signing": v})
	return nil
}

// signing is getSigning's work, shared with the signing page.
func (h *signHandlers) signing(c *gin.Context, m *desk.MOU) (*signingView, error) {
	doc, err := h.ensurePrepared(c, m)
	if err != nil {
		return nil, err
	}
	lines, err := h.signatoryLines(c.Request.Context(), m)
	if err != nil {
		return nil, err
	}
	approvals, err := h.liveApprovalRecords(c.Request.Context(), m.ID, doc.ContentHash)
	if err != nil {
		return nil, err
	}
	return &signingView{
		MOUID: m.ID, Stage: m.Stage, Revision: doc.Revision, ContentHash: doc.ContentHash, Document: *doc,
		PDFURL: fmt.Sprintf("/api/v1/mous/%d/signing.pdf", m.ID), Approvals: approvals, Signatories: lines,
		Next: nextLines(lines), ConsentText: ConsentText,
	}, nil
}

// nextLines are the unsigned lines of the lowest order still unsigned.
func nextLines(lines []desk.Signatory) []int {
	low := math.MaxInt
	for _, l := range lines {
		if l.SignedAt == nil {
			low = min(low, l.Order)
		}
	}
	next := []int{}
	for _, l := range lines {
		if l.SignedAt == nil && l.Order == low {
			next = append(next, l.Line)
		}
	}
	return next
}

// getSigningPDF serves the newest signing PDF of the current revision,
// with its SHA-256 in X-Content-SHA256.
func (h *signHandlers) getSigningPDF(c *gin.Context) error {
	m, err := h.mouParam(c)
	if err != nil {
		return err
	}
	doc, err := h.desk.LatestSigningDocument(c.Request.Context(), m.ID, m.CurrentRevision)
	if moudesk.IsKind(err, moudesk.KindNotFound) {
		doc, err = h.ensurePrepared(c, m)
	}
	if err != nil {
		return err
	}
	c.Header("X-Content-SHA256", doc.SHA256)
	c.Header("X-Content-Hash", doc.ContentHash)
	writePDF(c, &desk.PDF{Bytes: doc.PDF, ETag: `"` + doc.SHA256 + `"`}, fmt.Sprintf("mou-%d-revision-%d-signing.pdf", m.ID, doc.Revision))
	return nil
}

type signatureRequest struct {
	TypedName   string `json:"typed_name"`
	Consent     bool   `json:"consent"`
	ConsentText string `json:"consent_text"`
	Password    string `json:"password"`
	// ContentHash and DocumentSHA256, when sent, pin what the signatory
	// saw: a different approved text is 422, a newer signing PDF 409.
	ContentHash    string `json:"content_hash"`
	DocumentSHA256 string `json:"document_sha256"`
}

// postSignature is the signing ceremony's act: the caller signs their own
// line of the signature block. Refused with nothing written: not a
// signatory of this MOU or acting for another party (403), wrong password
// (403), no consent, a typed name that is not theirs, a stage that is not
// signature, a stale or unapproved revision, or out of turn (422).
func (h *signHandlers) postSignature(c *gin.Context) error {
	var req signatureRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	m, err := h.mouParam(c)
	if err != nil {
		return err
	}
	res, err := h.sign(c, m, req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, res)
	return nil
}

// sign is postSignature's work, shared with the signing page.
func (h *signHandlers) sign(c *gin.Context, m *desk.MOU, req signatureRequest) (*desk.SignatureResult, error) {
	ctx := c.Request.Context()
	p := principal(c)
	lines, err := h.signatoryLines(ctx, m)
	if err != nil {
		return nil, err
	}
	mine := slices.IndexFunc(lines, func(l desk.Signatory) bool { return l.UserID == p.UserID && l.SignedAt == nil })
	if mine < 0 {
		if slices.ContainsFunc(lines, func(l desk.Signatory) bool { return l.UserID == p.UserID }) {
			return nil, moudesk.Errorf(moudesk.KindUnprocessable, "signature_order", "you have already signed MOU %d", m.ID)
		}
		return nil, moudesk.Errorf(moudesk.KindForbidden, "not_signatory", "you are not a signatory of MOU %d", m.ID)
	}
	for i, l := range lines { // the lowest order first, when one person holds two lines
		if l.UserID == p.UserID && l.SignedAt == nil && l.Order < lines[mine].Order {
			mine = i
		}
	}
	line := lines[mine]
	if !auth.CanSignAs(p, line.UserID, line.PartySlug) {
		return nil, moudesk.Errorf(moudesk.KindForbidden, "wrong_party", "line %d signs for %s, not for your party", line.Line, line.PartyName)
	}
	if !req.Consent {
		return nil, &moudesk.Error{Kind: moudesk.KindUnprocessable, Code: "consent_required", Field: "consent", Message: "signing electronically needs your explicit consent (consent: true)"}
	}
	if !sameName(req.TypedName, p.Name) {
		return nil, &moudesk.Error{Kind: moudesk.KindUnprocessable, Code: "name_mismatch", Field: "typed_name", Message: "type your name exactly as your account shows it: " + p.Name}
	}
	if err := h.recheckPassword(c, p, req.Password); err != nil {
		return nil, err
	}
	consent := req.ConsentText
	if consent == "" {
		consent = ConsentText
	}
	// Signatories of equal order may sign at the same moment; the store
	// accepts one step at a time, so the other is signed again on the new
	// document, unless the caller pinned the document they reviewed.
	for attempt := 1; ; attempt++ {
		res, err := h.signOnce(c, m, req, line.Line, consent)
		if err != nil && isCode(err, "document_changed") && req.DocumentSHA256 == "" && attempt < 3 {
			if m, err = h.desk.MOU(ctx, m.ID); err != nil {
				return nil, err
			}
			continue
		}
		return res, err
	}
}

// signOnce signs line on the newest signing document and stores it.
func (h *signHandlers) signOnce(c *gin.Context, m *desk.MOU, req signatureRequest, lineNo int, consent string) (*desk.SignatureResult, error) {
	doc, err := h.ensurePrepared(c, m)
	if err != nil {
		return nil, err
	}
	if req.ContentHash != "" && req.ContentHash != doc.ContentHash {
		return nil, &moudesk.Error{Kind: moudesk.KindUnprocessable, Code: "stale_revision", Field: "content_hash",
			Message: fmt.Sprintf("the approved text of MOU %d is %s, not %s", m.ID, doc.ContentHash, req.ContentHash)}
	}
	if req.DocumentSHA256 != "" && req.DocumentSHA256 != doc.SHA256 {
		return nil, moudesk.Errorf(moudesk.KindConflict, "document_changed", "the signing PDF changed since you loaded it; review the current one (SHA-256 %s)", doc.SHA256)
	}
	lines, err := h.signatoryLines(c.Request.Context(), m)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(lines, func(l desk.Signatory) bool { return l.Line == lineNo })
	if i < 0 {
		return nil, moudesk.Errorf(moudesk.KindConflict, "document_changed", "line %d of MOU %d changed meanwhile", lineNo, m.ID)
	}
	line := lines[i]
	signed, sealed, err := h.signLine(c, m, doc, line, lines)
	if err != nil {
		return nil, err
	}
	return h.desk.RecordSignature(c.Request.Context(), actor(c), desk.NewSignature{
		MOUID: m.ID, Revision: doc.Revision, ContentHash: doc.ContentHash, Line: line.Line, UserID: line.UserID,
		Name: line.Name, Title: line.Title, PartyName: line.PartyName, TypedName: req.TypedName, ConsentText: consent,
		ClientAddr: c.ClientIP(), UserAgent: c.Request.UserAgent(), PrevSeq: doc.Seq, Signed: signed, Sealed: sealed,
	})
}

// sameName compares a typed name with the account's, ignoring case,
// Unicode normalization form and runs of spaces.
func sameName(typed, account string) bool {
	clean := func(s string) string { return strings.Join(strings.Fields(norm.NFC.String(s)), " ") }
	return clean(typed) != "" && strings.EqualFold(clean(typed), clean(account))
}

// recheckPassword asks for the signatory's password again, with the same
// throttle as sign-in, so a session left open cannot sign.
func (h *signHandlers) recheckPassword(c *gin.Context, p *auth.Principal, password string) error {
	addr := c.ClientIP()
	if ok, wait := h.throttle.Allow(p.Email, addr); !ok {
		secs := int(math.Ceil(wait.Seconds()))
		return &moudesk.Error{Kind: moudesk.KindTooMany, Code: "too_many_attempts", Message: "too many wrong passwords; wait and try again", Data: retryAfter(secs)}
	}
	_, hash, err := h.desk.UserByEmail(c.Request.Context(), p.Email)
	if err != nil {
		return err
	}
	ok, err := auth.VerifyPassword(hash, password)
	if err != nil && !errors.Is(err, auth.ErrMalformedHash) {
		return err
	}
	if !ok {
		h.throttle.Fail(p.Email, addr)
		return &moudesk.Error{Kind: moudesk.KindForbidden, Code: "wrong_password", Field: "password", Message: "the password is not right"}
	}
	h.throttle.Succeed(p.Email, addr)
	return nil
}

// signLine appends the signatory's signature to doc, filling their field
// with its visible appearance, and, when every other line has signed,
// moudesk's seal in the last field. The certificate is issued to the
// signatory's own name and party, so readers show who signed.
func (h *signHandlers) signLine(c *gin.Context, m *desk.MOU, doc *desk.SigningDocument, line desk.Signatory, lines []desk.Signatory) (signed, sealed []byte, err error) {
	keys, err := h.desk.Keys()
	if err != nil {
		return nil, nil, err
	}
	now := h.cfg.Now()
	signer, err := keys.SignerFor(line.Name, line.PartyName, line.Email, now)
	if err != nil {
		return nil, nil, fmt.Errorf("signing key for %s: %w", line.Email, err)
	}
	signed, err = pdfsign.Sign(doc.PDF, signer, pdfsign.Request{
		Field: signatoryField(line.Line), Name: line.Name, Time: now,
		Reason:     fmt.Sprintf("Signed as %s for %s; content_hash %s", line.Title, line.PartyName, doc.ContentHash),
		Appearance: []string{line.Name, line.Title, line.PartyName, now.UTC().Format("2006-01-02 15:04 UTC"), "Digitally signed"},
	})
	if err != nil {
		return nil, nil, fmt.Errorf("sign MOU %d line %d: %w", m.ID, line.Line, err)
	}
	for _, l := range lines {
		if l.Line != line.Line && l.SignedAt == nil {
			return signed, nil, nil
		}
	}
	seal, err := keys.SignerFor(pdfsign.SealName, "moudesk", "", now)
	if err != nil {
		return nil, nil, fmt.Errorf("seal key: %w", err)
	}
	sealed, err = pdfsign.Sign(signed, seal, pdfsign.Request{
		Field: sealField, Name: "moudesk", Time: now,
		Reason: fmt.Sprintf("Executed: all %d signatories signed revision %d; content_hash %s", len(lines), doc.Revision, doc.ContentHash),
	})
	if err != nil {
		return nil, nil, fmt.Errorf("seal MOU %d: %w", m.ID, err)
	}
	return signed, sealed, nil
}
