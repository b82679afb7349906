package web

import (
	"context"
	"fmt"
	"strings"

	"github.com/moudesk/moudesk/internal/desk"

	"github.com/gin-gonic/gin"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/mou"
	"github.com/moudesk/moudesk/internal/pdfsign"
	"github.com/moudesk/moudesk/internal/render"
	"github.com/moudesk/moudesk/internal/workflow"
)

// Field names in the signing PDF. PDF field names may not contain '.',
// which separates the parts of qualified names.
const (
	certificationField = "moudesk certification"
	sealField          = "moudesk seal"
)

func signatoryField(line int) string { return fmt.Sprintf("Signatory %d", line) }

// publicURL is the base URL printed in footers and certificates.
func (s *Server) publicURL(c *gin.Context) string {
	if s.cfg.PublicURL != "" {
		return strings.TrimRight(s.cfg.PublicURL, "/")
	}
	scheme := "http"
	if c.Request.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + c.Request.Host
}

// footerLine is what every page of a signing PDF carries, so a reader of a
// paper copy can find and check the original.
func footerLine(m *desk.MOU, rev *mou.Revision, publicURL string) string {
	return fmt.Sprintf("moudesk · %d rev %d · %s · verify at %s/verify", m.ID, rev.Number, moudesk.ShortHash(rev.ContentHash, moudesk.ShortHashLen), publicURL)
}

// ensurePrepared returns the newest signing PDF of the MOU's current
// revision, preparing it first when the MOU is in a signature stage and it
// does not exist yet: the approved revision rendered with its footer and
// the signatories' names, one empty field per signatory in their blocks,
// one invisible field for the seal, and moudesk's certification signature
// (DocMDP P=2) whose reason cites the approvals. Preparation runs on the
// first request that needs it, outside the transaction that moved the MOU
// into signature, so a failure here never costs the clerk the vote that
// was recorded; the next request simply tries again.
func (s *Server) ensurePrepared(c *gin.Context, m *desk.MOU) (*desk.SigningDocument, error) {
	ctx := c.Request.Context()
	doc, err := s.desk.LatestSigningDocument(ctx, m.ID, m.CurrentRevision)
	if err == nil || !moudesk.IsKind(err, moudesk.KindNotFound) {
		return doc, err
	}
	def, err := s.desk.Workflow(m.Workflow)
	if err != nil {
		return nil, err
	}
	if def.Kind(m.Stage) != workflow.KindSignature {
		return nil, &workflow.RuleError{Code: workflow.CodeWrongStage, Message: fmt.Sprintf("MOU %d is in stage %q; signing happens in a signature stage", m.ID, m.Stage)}
	}
	keys, err := s.desk.Keys()
	if err != nil {
		return nil, err
	}
	rev, err := s.desk.Revision(ctx, m.ID, m.CurrentRevision)
	if err != nil {
		return nil, err
	}
	approvals, err := s.liveApprovalRecords(ctx, m.ID, rev.ContentHash)
	if err != nil {
		return nil, err
	}
	if len(approvals) == 0 {
		return nil, &workflow.RuleError{Code: workflow.CodeStaleApproval, Message: fmt.Sprintf("revision %d of MOU %d has no approval", rev.Number, m.ID)}
	}
	lines, err := s.signatoryLines(ctx, m)
	if err != nil {
		return nil, err
	}
	opt := s.desk.RevisionOptions(m, rev, "letter")
	opt.Draft = false
	opt.FooterNote = footerLine(m, rev, s.publicURL(c))
	opt.Signatures = opt.Signatures[:0]
	for _, l := range lines {
		if l.UserID == 0 {
			return nil, moudesk.Errorf(moudesk.KindUnprocessable, "signatories_missing",
				"line %d (%s, %s) of MOU %d has no signatory; assign one with PUT /api/v1/mous/%d/signatories", l.Line, l.Title, l.PartyName, m.ID, m.ID)
		}
		opt.Signatures = append(opt.Signatures, render.SignatureBlock{Party: l.PartyName, Name: l.Name, Title: l.Title})
	}
	res, err := render.PDF([]byte(rev.Markdown()), opt)
	if err != nil {
		return nil, fmt.Errorf("render MOU %d revision %d for signing: %w", m.ID, rev.Number, err)
	}
	if len(res.Signatures) != len(lines) {
		return nil, fmt.Errorf("render MOU %d: %d signature blocks placed for %d lines", m.ID, len(res.Signatures), len(lines))
	}
	now := s.cfg.Now()
	seal, err := keys.SignerFor(pdfsign.SealName, "moudesk", "", now)
	if err != nil {
		return nil, fmt.Errorf("seal key: %w", err)
	}
	fields := make([]pdfsign.Field, 0, len(lines)+1)
	for i, l := range lines {
		fields = append(fields, pdfsign.Field{Name: signatoryField(l.Line), Page: res.Signatures[i].Page, Rect: res.Signatures[i].Rect})
	}
	fields = append(fields, pdfsign.Field{Name: sealField, Page: res.Pages})
	certified, err := pdfsign.Sign(res.PDF, seal, pdfsign.Request{
		Field: certificationField, Certify: true, Name: "moudesk", Time: now,
		Reason:    certificationReason(def, rev, approvals),
		NewFields: fields,
	})
	if err != nil {
		return nil, fmt.Errorf("certify MOU %d revision %d: %w", m.ID, rev.Number, err)
	}
	err = s.desk.SavePrepared(ctx, actor(c), m.ID, rev.Number, rev.ContentHash, len(lines), res.PDF, certified)
	if err != nil && !isCode(err, "already_prepared") {
		return nil, err
	}
	return s.desk.LatestSigningDocument(ctx, m.ID, rev.Number)
}

func isCode(err error, code string) bool {
	e, ok := moudesk.AsError(err)
	return ok && e.Code == code
}

// liveApprovalRecords are the approvals of contentHash no revision made
// stale.
func (s *Server) liveApprovalRecords(ctx context.Context, mouID int64, contentHash string) ([]desk.ApprovalRecord, error) {
	all, err := s.desk.ApprovalRecords(ctx, mouID)
	if err != nil {
		return nil, err
	}
	var out []desk.ApprovalRecord
	for _, a := range all {
		if !a.Stale && a.ContentHash == contentHash {
			out = append(out, a)
		}
	}
	return out, nil
}

// certificationReason names what the certification rests on: each
// approving body, its meeting date and resolution, and the content hash.
func certificationReason(def *workflow.Definition, rev *mou.Revision, approvals []desk.ApprovalRecord) string {
	parts := make([]string, 0, len(approvals))
	for _, a := range approvals {
		p := fmt.Sprintf("%s on %s", desk.BodyTitle(def, a.Body), a.Date)
		if a.Resolution != "" {
			p += " (resolution " + a.Resolution + ")"
		}
		parts = append(parts, p)
	}
	return fmt.Sprintf("Revision %d as approved by %s; content_hash %s", rev.Number, strings.Join(parts, " and "), rev.ContentHash)
}
