package desk

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/pdfsign"
	"github.com/moudesk/moudesk/internal/workflow"
)

// ConsentText is the statement a signatory agrees to when the client sends
// none of its own; whatever text is agreed to is stored verbatim.
const ConsentText = "I agree to sign this document electronically. My electronic signature has the same effect as my handwritten signature, and I have reviewed the exact document shown, identified by its SHA-256."

// Kinds of signing documents, in the order they are made.
const (
	DocRendered  = "rendered"
	DocCertified = "certified"
	DocSignature = "signature"
	DocSeal      = "seal"
	DocRefresh   = "refresh" // a new document timestamp on the sealed PDF (RefreshLTV)
)

// SignRequest is a signatory's act of signing, as the ceremony collects it.
type SignRequest struct {
	TypedName   string `json:"typed_name"`
	Consent     bool   `json:"consent"`
	ConsentText string `json:"consent_text"`
	Password    string `json:"password"`
	// ContentHash and DocumentSHA256, when sent, pin what the signatory
	// saw: a different approved text is 422, a newer signing PDF 409.
	ContentHash    string `json:"content_hash"`
	DocumentSHA256 string `json:"document_sha256"`
}

// Client is where a request came from, as the ceremony's record keeps it.
type Client struct {
	Addr      string
	UserAgent string
	// PublicURL is where the public reaches this server (no trailing
	// slash), printed in the footer of every signing PDF.
	PublicURL string
}

// Sign is the signing ceremony's act: the caller signs their own line of
// the signature block of the MOU's current revision, and when theirs is
// the last line moudesk seals the PDF and the MOU is executed. Every check
// runs in a write transaction, on the rows the signature changes: the
// caller's line and party (403 not_signatory, wrong_party), consent and
// typed name (422), the password (403, checked before the transaction
// since hashing is slow, reported in this order), the signature stage and
// the approvals of the current text (422), the pinned text and document
// (422 stale_revision, 409 document_changed) and the signing order (422
// signature_order). A refusal writes nothing.
//
// The signature itself is made between two transactions, not inside one:
// making it takes a time-stamp from the TSA (and sealing a second one and
// the revocation data), network round trips that every other write of the
// server would otherwise wait for. The first transaction decides the step
// (and prepares the signing PDF the first time); the second checks again
// and records the signature only if the document is still the one signed.
// Signatories of equal order who sign at once therefore both sign: the
// one who loses the race signs again on top of the other's signature,
// without being asked to. Audited as signature.create (and
// signing.prepare, mou.executed).
func (s *Service) Sign(ctx context.Context, p *auth.Principal, client Client, mouID int64, req SignRequest) (*SignatureResult, error) {
	if p == nil {
		return nil, moudesk.Errorf(moudesk.KindForbidden, "not_signatory", "sign in to sign")
	}
	keys, err := s.Keys()
	if err != nil {
		return nil, err
	}
	actor := ActorOf(p, client.Addr)
	m, err := s.actingMOU(ctx, actor, mouID)
	if err != nil {
		return nil, err
	}
	// The password is checked first, outside the writer, and its verdict
	// given in its place among the checks below.
	pwOK, pwErr := s.recheckPassword(ctx, p.Email, client.Addr, req.Password)
	if pwErr != nil && moudesk.IsKind(pwErr, moudesk.KindInternal) {
		return nil, pwErr
	}
	if pwErr == nil && !pwOK {
		pwErr = &moudesk.Error{Kind: moudesk.KindForbidden, Code: "wrong_password", Field: "password", Message: "the password is not right"}
	}
	a := signAttempt{s: s, p: p, actor: actor, m: m, client: client, req: req, pwErr: pwErr}
	for try := 1; ; try++ {
		var step *signingStep
		if err := s.withPreparation(ctx, m, client.PublicURL, func(tx Tx, made *preparation) error {
			step, err = a.step(ctx, tx, made)
			return err
		}); err != nil {
			return nil, err
		}
		made, err := makeSignature(ctx, keys, step)
		if err != nil {
			return nil, err
		}
		var out *SignatureResult
		err = s.store.Update(ctx, func(tx Tx) error {
			out, err = a.record(ctx, tx, step, made)
			return err
		})
		if errors.Is(err, errStepMoved) && try < maxSignTries {
			continue
		}
		if errors.Is(err, errStepMoved) {
			return nil, moudesk.Errorf(moudesk.KindConflict, "document_changed", "other signatures of MOU %d keep arriving; sign again", m.ID)
		}
		if err != nil {
			return nil, err
		}
		return out, nil
	}
}

// maxSignTries bounds how often a signature is made again because another
// one was recorded first; each try waits for nothing but the TSA.
const maxSignTries = 5

// errStepMoved says another signature was recorded between deciding a
// step and recording it.
var errStepMoved = errors.New("the signing document moved on")

// signAttempt is one caller's request to sign, checked in each transaction.
type signAttempt struct {
	s      *Service
	p      *auth.Principal
	actor  moudesk.Actor
	m      *MOU
	client Client
	req    SignRequest
	pwErr  error
}

// signingStep is what a signature is made on, as decided in a transaction.
type signingStep struct {
	st   MOUState
	def  *workflow.Definition
	line Signatory
	// lines counts the signature block's lines, for the seal's reason.
	lines int
	doc   *SigningDocument
	last  bool // the line is the last unsigned: moudesk seals after it
	now   time.Time
}

// madeSignature is the signed PDF, and the sealed one after the last line.
type madeSignature struct {
	signed, sealed []byte
}

// step applies every check of signing in tx, storing the signing PDF made
// if it was never prepared (see prepareTx), and says what is to be signed.
func (a *signAttempt) step(ctx context.Context, tx Tx, made *preparation) (*signingStep, error) {
	s, m, req := a.s, a.m, a.req
	st, err := tx.MOUState(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	lines, err := s.signatoryLinesTx(ctx, tx, m, st.Current)
	if err != nil {
		return nil, err
	}
	line, err := callerLine(a.p, m.ID, lines)
	if err != nil {
		return nil, err
	}
	if !req.Consent {
		return nil, &moudesk.Error{Kind: moudesk.KindUnprocessable, Code: "consent_required", Field: "consent", Message: "signing electronically needs your explicit consent (consent: true)"}
	}
	if !sameName(req.TypedName, a.p.Name) {
		return nil, &moudesk.Error{Kind: moudesk.KindUnprocessable, Code: "name_mismatch", Field: "typed_name", Message: "type your name exactly as your account shows it: " + a.p.Name}
	}
	if a.pwErr != nil {
		return nil, a.pwErr
	}
	def, err := s.stateDefinition(ctx, st)
	if err != nil {
		return nil, err
	}
	doc, err := s.prepareTx(ctx, tx, a.actor, m, st, def, lines, made)
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
	last, err := signingTurn(def, st.Stage, lines, line)
	if err != nil {
		return nil, err
	}
	return &signingStep{st: st, def: def, line: line, lines: len(lines), doc: doc, last: last, now: tx.Now()}, nil
}

// makeSignature signs the step's document, and seals it after the last
// line, with the time-stamps and revocation data long-term validation
// needs: the network calls that stay outside every transaction.
func makeSignature(ctx context.Context, keys *pdfsign.Keys, step *signingStep) (madeSignature, error) {
	signed, err := signLine(keys, step.doc, step.line, step.now)
	if err != nil {
		return madeSignature{}, err
	}
	if !step.last {
		return madeSignature{signed: signed}, nil
	}
	sealed, err := sealDocument(keys, signed, step.lines, step.doc, step.now)
	if err != nil {
		return madeSignature{}, err
	}
	if sealed, err = finishLTV(ctx, keys, sealed, step.now); err != nil {
		return madeSignature{}, err
	}
	return madeSignature{signed: signed, sealed: sealed}, nil
}

// record checks the signature again in tx and stores it, with the seal and
// the execution after the last line, unless another signature was
// recorded on the document since the step was decided (errStepMoved).
func (a *signAttempt) record(ctx context.Context, tx Tx, step *signingStep, made madeSignature) (*SignatureResult, error) {
	now, err := a.step(ctx, tx, nil)
	if err != nil {
		return nil, err
	}
	if now.doc.Seq != step.doc.Seq || now.line.Line != step.line.Line || now.last != step.last || now.st.Stage != step.st.Stage {
		return nil, errStepMoved
	}
	m, doc, line := a.m, step.doc, step.line
	consent := a.req.ConsentText
	if consent == "" {
		consent = ConsentText
	}
	sig := Signature{MOUID: m.ID, Revision: doc.Revision, Line: line.Line, ContentHash: doc.ContentHash, UserID: line.UserID,
		Name: line.Name, Title: line.Title, PartyName: line.PartyName, TypedName: a.req.TypedName, ConsentText: consent,
		ClientAddr: a.client.Addr, UserAgent: a.client.UserAgent, DocumentSeq: doc.Seq + 1, SignedAt: step.now}
	if err := tx.InsertSigningDocument(ctx, SigningDocument{MOUID: m.ID, Revision: doc.Revision, Seq: sig.DocumentSeq,
		Kind: DocSignature, ContentHash: doc.ContentHash, PDF: made.signed}); err != nil {
		return nil, err
	}
	if err := tx.InsertSignature(ctx, sig); err != nil {
		return nil, err
	}
	if err := tx.Audit(ctx, a.actor, "signature.create", fmt.Sprintf("mou:%d", m.ID), map[string]any{
		"revision": sig.Revision, "line": sig.Line, "content_hash": sig.ContentHash, "sha256": sha256Hex(made.signed),
		"addr": a.client.Addr, "user_agent": a.client.UserAgent}); err != nil {
		return nil, err
	}
	out := &SignatureResult{Signature: sig, Stage: step.st.Stage}
	if !step.last {
		// The next lines' signatories learn their turn came with the
		// signature that brought it.
		if err := a.s.notifyTurn(ctx, tx, a.actor, m.ID); err != nil {
			return nil, err
		}
		return out, nil
	}
	if err := tx.InsertSigningDocument(ctx, SigningDocument{MOUID: m.ID, Revision: doc.Revision, Seq: sig.DocumentSeq + 1,
		Kind: DocSeal, ContentHash: doc.ContentHash, PDF: made.sealed}); err != nil {
		return nil, err
	}
	next, err := execute(ctx, tx, a.actor, step.def, step.st, a.m)
	if err != nil {
		return nil, err
	}
	out.Executed, out.Stage = true, next
	return out, nil
}

// callerLine is the caller's unsigned line of the lowest order (one person
// may hold two lines), refused when they hold none or act for another
// party than the line's.
func callerLine(p *auth.Principal, mouID int64, lines []Signatory) (Signatory, error) {
	mine := -1
	for i, l := range lines {
		if l.UserID == p.UserID && l.SignedAt == nil && (mine < 0 || l.Order < lines[mine].Order) {
			mine = i
		}
	}
	if mine < 0 {
		if slices.ContainsFunc(lines, func(l Signatory) bool { return l.UserID == p.UserID }) {
			return Signatory{}, moudesk.Errorf(moudesk.KindUnprocessable, "signature_order", "you have already signed MOU %d", mouID)
		}
		return Signatory{}, moudesk.Errorf(moudesk.KindForbidden, "not_signatory", "you are not a signatory of MOU %d", mouID)
	}
	line := lines[mine]
	if !auth.CanSignAs(p, line.UserID, line.PartySlug) {
		return Signatory{}, moudesk.Errorf(moudesk.KindForbidden, "wrong_party", "line %d signs for %s, not for your party", line.Line, line.PartyName)
	}
	return line, nil
}

// signingTurn applies the workflow's signing order to line: every line of
// a lower order must have signed (equal orders sign in any order among
// themselves). It reports whether line is the last one unsigned, which is
// when moudesk seals.
func signingTurn(def *workflow.Definition, stage string, lines []Signatory, line Signatory) (last bool, err error) {
	var all, before, signed []string
	for _, l := range lines {
		all = append(all, lineKey(l.Line))
		if l.Order < line.Order {
			before = append(before, lineKey(l.Line))
		}
		if l.SignedAt != nil {
			signed = append(signed, lineKey(l.Line))
		}
	}
	// The workflow's rule is strictly sequential; giving it only the lines
	// of lower order, then this one, lets equal orders sign in any order.
	if err := def.CheckSigner(stage, append(before, lineKey(line.Line)), signed, lineKey(line.Line)); err != nil {
		return false, err
	}
	done, _ := def.SignaturesComplete(stage, all, append(signed, lineKey(line.Line)))
	return done, nil
}

// lineKey names a signature line for the workflow's signer rules.
func lineKey(line int) string { return "line " + strconv.Itoa(line) }

// execute records the signed revision as executed and moves the MOU out
// of its signature stage to the stage the definition names, once the last
// signature is stored, in the same transaction: the only way into the
// executed stage. The stage, the revision and its approvals were checked
// by prepareTx in this transaction. Audited as mou.executed; it returns
// the stage the MOU moved to.
func execute(ctx context.Context, tx Tx, actor moudesk.Actor, def *workflow.Definition, st MOUState, m *MOU) (string, error) {
	next, err := def.Execute(st.Stage)
	if err != nil {
		return "", err
	}
	if err := tx.MarkExecuted(ctx, st.ID, st.Current); err != nil {
		return "", err
	}
	// The executed revision's duties start now, in the same transaction:
	// an executed MOU never lacks its schedule.
	if err := scheduleObligations(ctx, tx, m, st.Current); err != nil {
		return "", err
	}
	revision := st.Current
	if err := tx.SetStage(ctx, actor, StageMove{MOUID: st.ID, From: st.Stage, To: next, Cause: "signature", Revision: &revision}); err != nil {
		return "", err
	}
	return next, tx.Audit(ctx, actor, "mou.executed", fmt.Sprintf("mou:%d", st.ID), map[string]any{
		"revision": revision, "content_hash": st.ContentHash, "from": st.Stage, "to": next})
}

// sameName compares a typed name with the account's, ignoring case,
// Unicode normalization form and runs of spaces.
func sameName(typed, account string) bool {
	clean := func(s string) string { return strings.Join(strings.Fields(norm.NFC.String(s)), " ") }
	return clean(typed) != "" && strings.EqualFold(clean(typed), clean(account))
}

// recheckPassword asks a signed-in user for their password again: the
// signatory at the signing ceremony, so a session left open cannot sign,
// and anyone changing their password. It reports whether password is the
// account's; the error is 429 too_many_attempts or a failure to check.
// Wrong passwords are throttled per account and address apart from
// sign-in's counts (Throttle.AllowRecheck): failed sign-ins by anyone
// else, from anywhere, cannot lock a signed-in user out of signing or of
// changing their password.
func (s *Service) recheckPassword(ctx context.Context, email, addr, password string) (bool, error) {
	if ok, wait := s.throttle.AllowRecheck(email, addr); !ok {
		secs := int(math.Ceil(wait.Seconds()))
		return false, &moudesk.Error{Kind: moudesk.KindTooMany, Code: "too_many_attempts", Message: "too many wrong passwords; wait and try again", Data: moudesk.RetryAfter(secs)}
	}
	_, hash, err := s.store.UserByEmail(ctx, email)
	if err != nil {
		return false, err
	}
	ok, err := auth.VerifyPassword(hash, password)
	if err != nil && !errors.Is(err, auth.ErrMalformedHash) {
		return false, fmt.Errorf("check password of %s: %w", email, err)
	}
	if !ok {
		s.throttle.FailRecheck(email, addr)
		return false, nil
	}
	s.throttle.SucceedRecheck(email, addr)
	return true, nil
}

// signLine appends the signatory's signature to doc, filling their field
// with its visible appearance and their line's date field with the signing
// date. The certificate is issued to the
// signatory's own name and party, so readers show who signed.
func signLine(keys *pdfsign.Keys, doc *SigningDocument, line Signatory, now time.Time) ([]byte, error) {
	signer, err := keys.SignerFor(line.Name, line.PartyName, line.Email, now)
	if err != nil {
		return nil, fmt.Errorf("signing key for %s: %w", line.Email, err)
	}
	signed, err := pdfsign.Sign(doc.PDF, signer, pdfsign.Request{
		Field: SignatoryField(line.Line), Name: line.Name, Time: now,
		Reason:     fmt.Sprintf("Signed as %s for %s; content_hash %s", line.Title, line.PartyName, doc.ContentHash),
		Appearance: []string{line.Name, line.Title, line.PartyName, now.UTC().Format("2006-01-02 15:04 UTC"), "Digitally signed"},
		// The date beside the line, in the update this signature covers.
		// A document certified before it had date fields has none to fill.
		Fill: []pdfsign.FieldValue{{Name: DateField(line.Line), Value: SigningDate(now), IfPresent: true}},
	})
	if err != nil {
		return nil, fmt.Errorf("sign MOU %d line %d: %w", doc.MOUID, line.Line, err)
	}
	return signed, nil
}

// sealDocument adds moudesk's seal in the last field, after the last
// signature.
func sealDocument(keys *pdfsign.Keys, signed []byte, lines int, doc *SigningDocument, now time.Time) ([]byte, error) {
	seal, err := keys.SignerFor(pdfsign.SealName, "moudesk", "", now)
	if err != nil {
		return nil, fmt.Errorf("seal key: %w", err)
	}
	sealed, err := pdfsign.Sign(signed, seal, pdfsign.Request{
		Field: sealField, Name: "moudesk", Time: now,
		Reason: fmt.Sprintf("Executed: all %d signatories signed revision %d; content_hash %s", lines, doc.Revision, doc.ContentHash),
	})
	if err != nil {
		return nil, fmt.Errorf("seal MOU %d: %w", doc.MOUID, err)
	}
	return sealed, nil
}
