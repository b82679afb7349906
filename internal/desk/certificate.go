package desk

import (
	"context"
	"fmt"
	"strings"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/audit"
	"github.com/moudesk/moudesk/internal/mou"
	"github.com/moudesk/moudesk/internal/pdfsign"
	"github.com/moudesk/moudesk/internal/render"
)

// SignedPDF is the sealed PDF of an executed MOU; not found before the seal.
func (s *Service) SignedPDF(ctx context.Context, mouID int64) (*SigningDocument, error) {
	return s.store.SealedDocument(ctx, mouID)
}

// CertificatePDF is the certificate of completion of an executed MOU,
// made and sealed on first request and stored, so every later request gets
// the same bytes: the first one stored wins a race.
func (s *Service) CertificatePDF(ctx context.Context, actor moudesk.Actor, mouID int64, publicURL string) ([]byte, error) {
	doc, err := s.store.SealedDocument(ctx, mouID)
	if err != nil {
		return nil, err
	}
	pdf, err := s.store.Certificate(ctx, mouID, doc.Revision)
	if !moudesk.IsKind(err, moudesk.KindNotFound) {
		return pdf, err
	}
	made, err := s.makeCertificate(ctx, doc, publicURL)
	if err != nil {
		return nil, err
	}
	return s.store.SaveCertificate(ctx, actor, mouID, doc.Revision, made)
}

// makeCertificate renders and seals the certificate of completion of the
// sealed document doc.
func (s *Service) makeCertificate(ctx context.Context, doc *SigningDocument, publicURL string) ([]byte, error) {
	keys, err := s.Keys()
	if err != nil {
		return nil, err
	}
	m, err := s.store.MOU(ctx, doc.MOUID)
	if err != nil {
		return nil, err
	}
	rev, err := s.Revision(ctx, doc.MOUID, doc.Revision)
	if err != nil {
		return nil, err
	}
	meetings, err := s.store.Meetings(ctx, doc.MOUID, 0, NoLimit)
	if err != nil {
		return nil, err
	}
	approvals, err := s.store.ApprovalRecords(ctx, doc.MOUID)
	if err != nil {
		return nil, err
	}
	sigs, err := s.store.Signatures(ctx, doc.MOUID, doc.Revision)
	if err != nil {
		return nil, err
	}
	def, err := s.workflows.Lookup(ctx, m.Workflow, m.WorkflowVersion)
	if err != nil {
		return nil, err
	}
	// Read last: the head then covers every record printed above it.
	head, err := s.store.AuditHead(ctx)
	if err != nil {
		return nil, err
	}
	md := certificateMarkdown(certificateData{
		mou: m, rev: rev, sealed: doc, meetings: meetings, approvals: approvals, signatures: sigs, auditHead: head,
		bodyTitle: func(b string) string { return BodyTitle(def, b) }, publicURL: publicURL,
	})
	now := s.now()
	res, err := render.PDF([]byte(md), render.Options{
		Title: "Certificate of completion", HeaderNote: fmt.Sprintf("MOU %d · revision %d", m.ID, rev.Number),
		DocumentID: "certificate\x00" + doc.SHA256, Time: now,
		FooterNote: FooterLine(m, rev, publicURL),
	})
	if err != nil {
		return nil, fmt.Errorf("render certificate of MOU %d: %w", m.ID, err)
	}
	seal, err := keys.SignerFor(pdfsign.SealName, "moudesk", "", now)
	if err != nil {
		return nil, fmt.Errorf("seal key: %w", err)
	}
	out, err := pdfsign.Sign(res.PDF, seal, pdfsign.Request{
		Field: sealField, Certify: true, Name: "moudesk", Time: now,
		Reason: fmt.Sprintf("Certificate of completion of MOU %d revision %d; signed.pdf sha256 %s", m.ID, rev.Number, doc.SHA256),
	})
	if err != nil {
		return nil, fmt.Errorf("seal certificate of MOU %d: %w", m.ID, err)
	}
	return out, nil
}

type certificateData struct {
	mou        *MOU
	rev        *mou.Revision
	sealed     *SigningDocument
	meetings   []Meeting
	approvals  []ApprovalRecord
	signatures []Signature
	bodyTitle  func(string) string
	publicURL  string
	auditHead  audit.Head
}

// certificateMarkdown is the certificate's text. Everything a user typed
// is escaped, so it prints literally.
func certificateMarkdown(d certificateData) string {
	var b strings.Builder
	e := mdEscape
	fmt.Fprintf(&b, "# Certificate of completion\n\n")
	fmt.Fprintf(&b, "**%s** (MOU %d), revision %d, was approved and signed as recorded below.\n\n", e(d.rev.Title), d.mou.ID, d.rev.Number)
	fmt.Fprintf(&b, "- content\\_hash (SHA-256 of the approved text): `%s`\n", d.rev.ContentHash)
	fmt.Fprintf(&b, "- SHA-256 of signed.pdf: `%s` (%d bytes, sealed %s)\n", d.sealed.SHA256, d.sealed.Size, d.sealed.CreatedAt.UTC().Format("2006-01-02 15:04:05 UTC"))
	fmt.Fprintf(&b, "- Signed PDF: %s\n", e(fmt.Sprintf("%s/api/v1/mous/%d/signed.pdf", d.publicURL, d.mou.ID)))
	fmt.Fprintf(&b, "- Check any copy at %s\n\n", e(d.publicURL+"/verify"))
	for _, p := range d.mou.Parties {
		fmt.Fprintf(&b, "Party (%s): %s, acting through its %s.\n\n", e(p.Role), e(p.Name), e(p.Body))
	}
	b.WriteString("## Meetings, outcomes and votes\n\n")
	if len(d.meetings) == 0 {
		b.WriteString("No meetings were recorded.\n\n")
	}
	for _, m := range d.meetings {
		fmt.Fprintf(&b, "### %s, %s\n\n", e(d.bodyTitle(m.Body)), e(m.Date))
		fmt.Fprintf(&b, "Meeting %d in stage %s reviewed revision %d (`%s`)", m.ID, e(m.Stage), m.Revision, moudesk.ShortHash(m.ContentHash, moudesk.ShortHashLen))
		if m.AgendaItem != "" {
			fmt.Fprintf(&b, ", agenda item %s", e(m.AgendaItem))
		}
		if m.Location != "" {
			fmt.Fprintf(&b, ", at %s", e(m.Location))
		}
		b.WriteString(".\n\n")
		if m.Outcome == nil {
			b.WriteString("No outcome recorded.\n\n")
			continue
		}
		o := m.Outcome
		fmt.Fprintf(&b, "Outcome: **%s** (%s to %s), recorded by %s", e(o.Outcome), e(o.FromStage), e(o.ToStage), e(o.RecordedBy))
		if o.Resolution != "" {
			fmt.Fprintf(&b, "; resolution %s", e(o.Resolution))
		}
		b.WriteString(".\n\n")
		if len(o.Votes) > 0 {
			votes := make([]string, len(o.Votes))
			for i, v := range o.Votes {
				votes[i] = e(v.Member) + ": " + e(v.Vote)
			}
			fmt.Fprintf(&b, "Votes: %s.\n\n", strings.Join(votes, "; "))
		}
	}
	b.WriteString("## Approvals\n\n")
	for _, a := range d.approvals {
		state := "in force"
		if a.Stale {
			state = "made stale by a later revision"
		}
		res := ""
		if a.Resolution != "" {
			res = ", resolution " + e(a.Resolution)
		}
		fmt.Fprintf(&b, "- %s, %s%s: approved `%s` (%s)\n", e(d.bodyTitle(a.Body)), e(a.Date), res, a.ContentHash, state)
	}
	b.WriteString("\n## Signatures\n\n")
	for i, s := range d.signatures {
		fmt.Fprintf(&b, "### %d. %s\n\n", i+1, e(s.Name))
		fmt.Fprintf(&b, "- Title: %s, for %s (signature line %d)\n", e(s.Title), e(s.PartyName), s.Line)
		fmt.Fprintf(&b, "- Signed: %s\n", s.SignedAt.UTC().Format("2006-01-02 15:04:05 UTC"))
		fmt.Fprintf(&b, "- Client address: %s; user agent: %s\n", e(s.ClientAddr), e(s.UserAgent))
		fmt.Fprintf(&b, "- Typed name: %s\n", e(s.TypedName))
		fmt.Fprintf(&b, "- Signed content\\_hash: `%s`\n", s.ContentHash)
		fmt.Fprintf(&b, "- Consent, as agreed: “%s”\n\n", e(s.ConsentText))
	}
	fmt.Fprintf(&b, "The signed PDF carries %d signatures and moudesk's certification and seal; each covers every byte before it.\n", len(d.signatures))
	b.WriteString("\n## Audit log\n\n")
	fmt.Fprintf(&b, "When this certificate was made, moudesk's audit log ended at %s. Every record above is in the log up to that event; "+
		"`moudesk audit verify --certificate` checks that the log still holds it, so a log cut short or rewritten since shows.\n", d.auditHead.Markdown())
	return b.String()
}
