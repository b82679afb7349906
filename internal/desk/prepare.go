package desk

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/mou"
	"github.com/moudesk/moudesk/internal/pdfsign"
	"github.com/moudesk/moudesk/internal/render"
	"github.com/moudesk/moudesk/internal/workflow"
)

// Names of the signature fields moudesk itself fills. PDF field names may
// not contain '.', which separates the parts of qualified names.
const (
	certificationField = "moudesk certification"
	sealField          = "moudesk seal"
)

// SignatoryField is the name of line's signature field in a signing PDF.
func SignatoryField(line int) string { return fmt.Sprintf("Signatory %d", line) }

// DateField is the name of the read-only text field beside "Date:" of
// line, filled with the signing date by the update that signs the line.
func DateField(line int) string { return fmt.Sprintf("Signatory %d date", line) }

// SigningDate is how a signing date is printed: ISO, as every date of an
// MOU's text is (clause variables of type date).
func SigningDate(t time.Time) string { return t.UTC().Format("2006-01-02") }

// lineHeading is the bold line above a signature: the party's name, after
// the kind's label ("ATTEST:") for attest and approved-as-to-form lines.
func lineHeading(kind, party string) string {
	if label := mou.KindLabel(kind); label != "" {
		return label + " " + party
	}
	return party
}

func sha256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// SigningView is what a signatory sees before signing: the exact PDF (by
// URL and SHA-256), the approved content hash, and who signs when.
type SigningView struct {
	MOUID       int64            `json:"mou_id"`
	Stage       string           `json:"stage"`
	Revision    int              `json:"revision"`
	ContentHash string           `json:"content_hash"`
	Document    SigningDocument  `json:"document"`
	PDFURL      string           `json:"pdf_url"`
	Approvals   []ApprovalRecord `json:"approvals"`
	Signatories []Signatory      `json:"signatories"`
	// Next are the lines that may sign now: unsigned lines of the lowest
	// unsigned order.
	Next        []int  `json:"next"`
	ConsentText string `json:"consent_text"`
}

// Signing shows the ceremony's document, preparing it on first use.
func (s *Service) Signing(ctx context.Context, actor moudesk.Actor, mouID int64, publicURL string) (*SigningView, error) {
	m, err := s.VisibleMOU(ctx, actor, mouID)
	if err != nil {
		return nil, err
	}
	doc, err := s.SigningPDF(ctx, actor, m, publicURL)
	if err != nil {
		return nil, err
	}
	lines, err := s.SignatoryLines(ctx, m)
	if err != nil {
		return nil, err
	}
	all, err := s.store.ApprovalRecords(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	return &SigningView{
		MOUID: m.ID, Stage: m.Stage, Revision: doc.Revision, ContentHash: doc.ContentHash, Document: *doc,
		PDFURL: fmt.Sprintf("/api/v1/mous/%d/signing.pdf", m.ID), Approvals: liveApprovalRecords(all, doc.ContentHash),
		Signatories: lines, Next: NextLines(lines), ConsentText: ConsentText,
	}, nil
}

// NextLines are the unsigned lines of the lowest order still unsigned.
func NextLines(lines []Signatory) []int {
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

// SigningPDF is the newest signing PDF of the MOU's current revision,
// prepared first when there is none yet (see prepareTx). Preparation runs
// on the first request that needs it, not in the transaction that moved
// the MOU into signature, so a failure here never costs the clerk the vote
// that was recorded; the next request simply tries again.
func (s *Service) SigningPDF(ctx context.Context, actor moudesk.Actor, m *MOU, publicURL string) (*SigningDocument, error) {
	if err := CanSee(actor, m); err != nil {
		return nil, err
	}
	doc, err := s.store.LatestSigningDocument(ctx, m.ID, m.CurrentRevision)
	if err == nil || !moudesk.IsKind(err, moudesk.KindNotFound) {
		return doc, err
	}
	// Preparing writes (the signing PDF, an audit event) and fixes the
	// signature lines: only a party to the MOU does it, never a reader
	// such as an admin of another party.
	if canAct(actor, m) != nil {
		return nil, moudesk.Errorf(moudesk.KindConflict, "not_prepared", "the signing PDF of MOU %d is made when one of its parties first opens it", m.ID)
	}
	err = s.withPreparation(ctx, m, publicURL, func(tx Tx, made *preparation) error {
		st, err := tx.MOUState(ctx, m.ID)
		if err != nil {
			return err
		}
		def, err := s.stateDefinition(ctx, st)
		if err != nil {
			return err
		}
		lines, err := s.signatoryLinesTx(ctx, tx, m, st.Current)
		if err != nil {
			return err
		}
		doc, err = s.prepareTx(ctx, tx, actor, m, st, def, lines, made)
		return err
	})
	if err != nil {
		return nil, err
	}
	return doc, nil
}

// prepareTx returns the newest signing document of the current revision,
// storing made as its first steps when there is none: the approved
// revision rendered with its footer and the signatories' names, one empty
// field per line in its block, one invisible field for the seal, and
// moudesk's certification signature (DocMDP P=2) whose reason cites the
// approvals; stored as the rendered (seq 0) and certified (seq 1) steps.
// Either way it checks, in the caller's transaction, that the MOU is in a
// signature stage and its current text approved by every body required;
// preparing also needs every line assigned (422 signatories_missing).
// Without a preparation made for exactly this text, these lines and these
// approvals it returns a *needPreparation, which withPreparation answers.
// Audited as signing.prepare.
func (s *Service) prepareTx(ctx context.Context, tx Tx, actor moudesk.Actor, m *MOU, st MOUState, def *workflow.Definition, lines []Signatory, made *preparation) (*SigningDocument, error) {
	if def.Kind(st.Stage) != workflow.KindSignature {
		return nil, &workflow.RuleError{Code: workflow.CodeWrongStage, Message: fmt.Sprintf("MOU %d is in stage %q; signing happens in a signature stage", m.ID, st.Stage)}
	}
	approvals, err := tx.LiveApprovals(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	if err := def.CheckApproved(st.ContentHash, approvals); err != nil {
		return nil, err
	}
	doc, err := tx.LatestSigningDocument(ctx, m.ID, st.Current)
	if err == nil || !moudesk.IsKind(err, moudesk.KindNotFound) {
		return doc, err
	}
	for _, l := range lines {
		if l.UserID == 0 {
			return nil, moudesk.Errorf(moudesk.KindUnprocessable, "signatories_missing",
				"line %d (%s, %s) of MOU %d has no signatory; assign one with PUT /api/v1/mous/%d/signatories", l.Line, l.Title, l.PartyName, m.ID, m.ID)
		}
	}
	records, err := tx.ApprovalRecords(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	need := needPreparation{def: def, revision: st.Current, contentHash: st.ContentHash,
		lines: lines, approvals: liveApprovalRecords(records, st.ContentHash), now: tx.Now()}
	if made == nil || !made.matches(need) {
		return nil, &need
	}
	for i, d := range []SigningDocument{
		{Kind: DocRendered, PDF: made.rendered},
		{Kind: DocCertified, PDF: made.certified},
	} {
		d.MOUID, d.Revision, d.Seq, d.ContentHash = m.ID, st.Current, i, st.ContentHash
		if err := tx.InsertSigningDocument(ctx, d); err != nil {
			return nil, err
		}
	}
	sum := sha256Hex(made.certified)
	if err := tx.Audit(ctx, actor, "signing.prepare", fmt.Sprintf("mou:%d", m.ID), map[string]any{
		"revision": st.Current, "content_hash": st.ContentHash, "sha256": sum}); err != nil {
		return nil, err
	}
	return &SigningDocument{MOUID: m.ID, Revision: st.Current, Seq: 1, Kind: DocCertified, ContentHash: st.ContentHash,
		SHA256: sum, Size: len(made.certified), CreatedAt: tx.Now(), PDF: made.certified}, nil
}

// needPreparation is what a transaction found when the signing PDF was
// still to be made: what to render and certify it from.
type needPreparation struct {
	def         *workflow.Definition
	revision    int
	contentHash string
	lines       []Signatory
	approvals   []ApprovalRecord
	now         time.Time
}

func (n *needPreparation) Error() string {
	return fmt.Sprintf("revision %d is not prepared for signing", n.revision)
}

// preparation is a signing PDF rendered and certified outside the writer,
// for the state in need.
type preparation struct {
	need                needPreparation
	rendered, certified []byte
}

// matches reports whether the preparation was made for the state a
// transaction found now: the same text, lines and approvals.
func (p *preparation) matches(now needPreparation) bool {
	return p.need.revision == now.revision && p.need.contentHash == now.contentHash &&
		reflect.DeepEqual(p.need.lines, now.lines) && reflect.DeepEqual(p.need.approvals, now.approvals)
}

// maxPrepareTries bounds how often a preparation is made again because
// the lines or approvals changed while it was made.
const maxPrepareTries = 3

// withPreparation runs fn in a write transaction, and again with the
// signing PDF made when fn reports (by prepareTx) that none is stored yet.
// Rendering and certifying take tens of milliseconds and a time-stamp from
// the TSA: done between the transactions, they hold up no other write.
func (s *Service) withPreparation(ctx context.Context, m *MOU, publicURL string, fn func(tx Tx, made *preparation) error) error {
	var made *preparation
	for try := 1; ; try++ {
		err := s.store.Update(ctx, func(tx Tx) error { return fn(tx, made) })
		var need *needPreparation
		if !errors.As(err, &need) {
			return err
		}
		if try > maxPrepareTries {
			return moudesk.Errorf(moudesk.KindConflict, "document_changed", "the signature lines of MOU %d keep changing; try again", m.ID)
		}
		if made, err = s.makePreparation(ctx, m, need, publicURL); err != nil {
			return err
		}
	}
}

// makePreparation renders and certifies the signing PDF need asks for.
func (s *Service) makePreparation(ctx context.Context, m *MOU, need *needPreparation, publicURL string) (*preparation, error) {
	keys, err := s.Keys()
	if err != nil {
		return nil, err
	}
	rev, err := s.Revision(ctx, m.ID, need.revision)
	if err != nil {
		return nil, err
	}
	rendered, certified, err := s.renderForSigning(keys, m, rev, need.def, need.lines, need.approvals, publicURL, need.now)
	if err != nil {
		return nil, err
	}
	return &preparation{need: *need, rendered: rendered, certified: certified}, nil
}

// renderForSigning renders the approved revision for signing and certifies
// it: the rendered and the certified PDF.
func (s *Service) renderForSigning(keys *pdfsign.Keys, m *MOU, rev *mou.Revision, def *workflow.Definition, lines []Signatory, approvals []ApprovalRecord, publicURL string, now time.Time) (rendered, certified []byte, err error) {
	opt := s.RevisionOptions(m, rev, "letter")
	opt.Draft = false
	opt.FooterNote = FooterLine(m, rev, publicURL)
	opt.Signatures = opt.Signatures[:0]
	for _, l := range lines {
		opt.Signatures = append(opt.Signatures, render.SignatureBlock{Party: lineHeading(l.Kind, l.PartyName), Name: l.PrintedName(), Title: l.Title})
	}
	res, err := render.PDF([]byte(s.printMarkdown(m, rev)), opt)
	if err != nil {
		return nil, nil, fmt.Errorf("render MOU %d revision %d for signing: %w", m.ID, rev.Number, err)
	}
	if len(res.Signatures) != len(lines) {
		return nil, nil, fmt.Errorf("render MOU %d: %d signature blocks placed for %d lines", m.ID, len(res.Signatures), len(lines))
	}
	seal, err := keys.SignerFor(pdfsign.SealName, "moudesk", "", now)
	if err != nil {
		return nil, nil, fmt.Errorf("seal key: %w", err)
	}
	fields := make([]pdfsign.Field, 0, len(lines)+1)
	dates := make([]pdfsign.Field, 0, len(lines))
	for i, l := range lines {
		at := res.Signatures[i]
		fields = append(fields, pdfsign.Field{Name: SignatoryField(l.Line), Page: at.Page, Rect: at.Rect})
		dates = append(dates, pdfsign.Field{Name: DateField(l.Line), Page: at.Page, Rect: at.DateRect})
	}
	fields = append(fields, pdfsign.Field{Name: sealField, Page: res.Pages})
	certified, err = pdfsign.Sign(res.PDF, seal, pdfsign.Request{
		Field: certificationField, Certify: true, Name: "moudesk", Time: now,
		Reason:        certificationReason(def, rev, approvals),
		NewFields:     fields,
		NewTextFields: dates,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("certify MOU %d revision %d: %w", m.ID, rev.Number, err)
	}
	return res.PDF, certified, nil
}

// FooterLine is what every page of a signing PDF carries, so a reader of a
// paper copy can find and check the original.
func FooterLine(m *MOU, rev *mou.Revision, publicURL string) string {
	return fmt.Sprintf("moudesk · %d rev %d · %s · verify at %s/verify", m.ID, rev.Number, moudesk.ShortHash(rev.ContentHash, moudesk.ShortHashLen), publicURL)
}

// liveApprovalRecords are the approvals of contentHash no revision made
// stale.
func liveApprovalRecords(all []ApprovalRecord, contentHash string) []ApprovalRecord {
	var out []ApprovalRecord
	for _, a := range all {
		if !a.Stale && a.ContentHash == contentHash {
			out = append(out, a)
		}
	}
	return out
}

// certificationReason names what the certification rests on: each
// approving body, its meeting date and resolution, and the content hash.
func certificationReason(def *workflow.Definition, rev *mou.Revision, approvals []ApprovalRecord) string {
	parts := make([]string, 0, len(approvals))
	for _, a := range approvals {
		p := fmt.Sprintf("%s on %s", BodyTitle(def, a.Body), a.Date)
		if a.Resolution != "" {
			p += " (resolution " + a.Resolution + ")"
		}
		parts = append(parts, p)
	}
	return fmt.Sprintf("Revision %d as approved by %s; content_hash %s", rev.Number, strings.Join(parts, " and "), rev.ContentHash)
}

// signatureBlock is the signature block of revision n of the MOU: the one
// the revision stores, or, for a revision stored before revisions had
// blocks, its template's, as such revisions were always signed.
func (s *Service) signatureBlock(ctx context.Context, m *MOU, n int) ([]mou.SignatureLine, error) {
	rev, err := s.Revision(ctx, m.ID, n)
	if err != nil {
		return nil, err
	}
	if rev.Signatures != nil {
		return rev.Signatures, nil
	}
	t, ok := s.templates[m.Template]
	if !ok {
		return nil, moudesk.Errorf(moudesk.KindUnprocessable, "unknown_template", "MOU %d uses template %q, which this server does not load", m.ID, m.Template)
	}
	return mou.BlockFromTemplate(t), nil
}

// SignatoryLines lists every line of the signature block of the MOU's
// current revision, each with its assigned signatory when there is one
// (UserID 0 when not).
func (s *Service) SignatoryLines(ctx context.Context, m *MOU) ([]Signatory, error) {
	block, err := s.signatureBlock(ctx, m, m.CurrentRevision)
	if err != nil {
		return nil, err
	}
	assigned, err := s.store.Signatories(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	return mergeLines(m, block, assigned), nil
}

// signatoryLinesTx is SignatoryLines for revision n inside a transaction.
func (s *Service) signatoryLinesTx(ctx context.Context, tx Tx, m *MOU, n int) ([]Signatory, error) {
	block, err := s.signatureBlock(ctx, m, n)
	if err != nil {
		return nil, err
	}
	assigned, err := tx.Signatories(ctx, m.ID, n)
	if err != nil {
		return nil, err
	}
	return mergeLines(m, block, assigned), nil
}

// mergeLines puts the assigned signatories on the block's lines. An
// assignment stands only for the line it was made for: when a later
// revision changed that line (its kind, party, name, title or order), the
// line shows without a signatory until someone is assigned again, since
// whoever was chosen for the old line may not be the one to sign the new.
func mergeLines(m *MOU, block []mou.SignatureLine, assigned []Signatory) []Signatory {
	byLine := make(map[int]Signatory, len(assigned))
	for _, a := range assigned {
		byLine[a.Line] = a
	}
	out := make([]Signatory, len(block))
	for i, l := range block {
		sg, ok := byLine[i+1]
		if !ok || sg.Kind != l.LineKind() || sg.Party != l.Party || sg.LineName != l.Name || sg.Title != l.Title || sg.Order != l.Order {
			sg = Signatory{Line: i + 1, Kind: l.LineKind(), Party: l.Party, LineName: l.Name, Title: l.Title, Order: l.Order}
			for _, p := range m.Parties {
				if p.Role == l.Party {
					sg.PartySlug, sg.PartyName = p.Slug, p.Name
				}
			}
		}
		out[i] = sg
	}
	return out
}

// AssignSignatories puts people on lines of the signature block of the
// MOU's current revision and returns every line as SignatoryLines does.
// A revision saved meanwhile makes it 409 stale_revision: the lines named
// may no longer be the ones the caller saw.
func (s *Service) AssignSignatories(ctx context.Context, actor moudesk.Actor, mouID int64, as []Assignment) ([]Signatory, error) {
	m, err := s.actingMOU(ctx, actor, mouID)
	if err != nil {
		return nil, err
	}
	lines, err := s.signatureBlock(ctx, m, m.CurrentRevision)
	if err != nil {
		return nil, err
	}
	if err := checkAssignments(lines, as); err != nil {
		return nil, err
	}
	err = s.store.Update(ctx, func(tx Tx) error {
		st, err := tx.MOUState(ctx, m.ID)
		if err != nil {
			return err
		}
		if st.Current != m.CurrentRevision {
			return moudesk.Errorf(moudesk.KindConflict, "stale_revision",
				"MOU %d is now at revision %d, whose signature block may differ; assign its lines again", m.ID, st.Current)
		}
		// The signing PDF fixes the lines' fields and names.
		if prepared, err := tx.SigningPrepared(ctx, m.ID, st.Current); err != nil {
			return err
		} else if prepared {
			return moudesk.Errorf(moudesk.KindConflict, "signatories_locked",
				"revision %d of MOU %d is already prepared for signing with its signatories; they can change only with a new revision", st.Current, m.ID)
		}
		details := make([]map[string]any, 0, len(as))
		for i, a := range as {
			l := lines[a.Line-1]
			u, err := assignee(ctx, tx, m, l, a, fmt.Sprintf("signatories[%d]", i))
			if err != nil {
				return err
			}
			if err := tx.PutSignatory(ctx, actor, m.ID, a.Line, l, u.ID); err != nil {
				return err
			}
			details = append(details, map[string]any{"line": a.Line, "title": l.Title, "user": u.ID})
		}
		if err := tx.Audit(ctx, actor, "mou.signatories", fmt.Sprintf("mou:%d", m.ID), map[string]any{"assigned": details}); err != nil {
			return err
		}
		// Assigned in a signature stage, a line whose turn it is learns so.
		return s.notifyTurn(ctx, tx, actor, m.ID)
	})
	if err != nil {
		return nil, err
	}
	return s.SignatoryLines(ctx, m)
}

// checkAssignments refuses a request that names no line, a line the block
// does not have, a line twice, or an e-mail the store would not keep.
func checkAssignments(lines []mou.SignatureLine, as []Assignment) error {
	if len(as) == 0 {
		return &moudesk.Error{Kind: moudesk.KindInvalid, Code: "missing_field", Field: "signatories",
			Message: "name at least one line and the e-mail of its signatory"}
	}
	seen := map[int]bool{}
	for i, a := range as {
		field := fmt.Sprintf("signatories[%d]", i)
		if a.Line < 1 || a.Line > len(lines) {
			return &moudesk.Error{Kind: moudesk.KindUnprocessable, Code: "unknown_line", Field: field + ".line",
				Message: fmt.Sprintf("the signature block has lines 1 to %d, not %d", len(lines), a.Line)}
		}
		if seen[a.Line] {
			return &moudesk.Error{Kind: moudesk.KindInvalid, Code: "duplicate_line", Field: field + ".line",
				Message: fmt.Sprintf("line %d is named twice", a.Line)}
		}
		seen[a.Line] = true
		if err := moudesk.CheckText(field+".email", a.Email, moudesk.MaxShortText, true); err != nil {
			return err
		}
	}
	return nil
}

// assignee is the active signatory of the line's party that a names: a
// line signs for one party, and only that party's signatories may sign it.
func assignee(ctx context.Context, tx Tx, m *MOU, l mou.SignatureLine, a Assignment, field string) (*User, error) {
	email := strings.TrimSpace(a.Email)
	u, err := tx.UserByEmail(ctx, email)
	if moudesk.IsKind(err, moudesk.KindNotFound) || (err == nil && u.Disabled) {
		return nil, &moudesk.Error{Kind: moudesk.KindUnprocessable, Code: "unknown_user", Field: field + ".email",
			Message: fmt.Sprintf("no active user %q", email)}
	}
	if err != nil {
		return nil, err
	}
	if !slices.Contains(u.Roles, auth.RoleSignatory) {
		return nil, &moudesk.Error{Kind: moudesk.KindUnprocessable, Code: "not_signatory_role", Field: field + ".email",
			Message: fmt.Sprintf("%s does not hold the signatory role", email)}
	}
	party := ""
	for _, p := range m.Parties {
		if p.Role == l.Party {
			party = p.Slug
		}
	}
	if party == "" {
		return nil, &moudesk.Error{Kind: moudesk.KindUnprocessable, Code: "unknown_party", Field: field + ".line",
			Message: fmt.Sprintf("MOU %d has no party in role %q", m.ID, l.Party)}
	}
	if u.PartySlug != party {
		return nil, &moudesk.Error{Kind: moudesk.KindUnprocessable, Code: "wrong_party", Field: field + ".email",
			Message: fmt.Sprintf("line %d (%s) signs for %s; %s acts for %q", a.Line, l.Title, party, email, u.PartySlug)}
	}
	// A line that prints a person's name is that person's to sign: the
	// PDF would show one name under another's signature.
	if l.Name != "" && !sameName(l.Name, u.Name) {
		return nil, &moudesk.Error{Kind: moudesk.KindUnprocessable, Code: "name_mismatch", Field: field + ".email",
			Message: fmt.Sprintf("line %d (%s) names %s, but %s is %s; assign %s's account, or save a revision whose line names no one", a.Line, l.Title, l.Name, email, u.Name, l.Name)}
	}
	return u, nil
}
