package desk

import (
	"context"
	"time"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/mou"

	"github.com/moudesk/moudesk/internal/workflow"
)

// PublicRecord is how an executed agreement was reached, as anyone may
// read it: every meeting of its bodies with the outcome and roll call,
// every approval with its resolution and the exact text it approved, and
// every signature of the executed revision. Minutes and resolutions are
// public acts of public bodies; who typed them in, feedback drafts and the
// signing ceremony's addresses are not on it.
type PublicRecord struct {
	Meetings   []PublicMeeting   `json:"meetings"`
	Approvals  []PublicApproval  `json:"approvals"`
	Signatures []PublicSignature `json:"signatures"`
}

// PublicMeeting is one meeting of a body on the agreement.
type PublicMeeting struct {
	Body        string          `json:"body"`
	BodyTitle   string          `json:"body_title"`
	Date        string          `json:"date"`
	AgendaItem  string          `json:"agenda_item,omitempty"`
	Location    string          `json:"location,omitempty"`
	Revision    int             `json:"revision"`
	ContentHash string          `json:"content_hash"`
	Outcome     string          `json:"outcome,omitempty"`
	Resolution  string          `json:"resolution,omitempty"`
	Minutes     string          `json:"minutes,omitempty"`
	Votes       []workflow.Vote `json:"votes"`
	Tally       workflow.Tally  `json:"tally"`
}

// PublicApproval is a governing body's approval of one exact text.
type PublicApproval struct {
	BodyTitle   string `json:"body_title"`
	Date        string `json:"date"`
	Resolution  string `json:"resolution,omitempty"`
	ContentHash string `json:"content_hash"`
	// Stale approvals were given to earlier text and did not carry over.
	Stale bool `json:"stale"`
}

// PublicSignature is one line of the executed revision's signature block
// as signed.
type PublicSignature struct {
	Name      string    `json:"name"`
	Title     string    `json:"title"`
	PartyName string    `json:"party_name"`
	SignedAt  time.Time `json:"signed_at"`
}

// PublicAgreement is everything an executed agreement's public page shows.
type PublicAgreement struct {
	MOU      *PublicMOU
	Revision *mou.Revision // the executed text
	Record   *PublicRecord
	Matrix   *Matrix // the recommendations matrix
}

// PublicAgreementOf is executed agreement id as its public page and API
// show it, the MOU read once (404 for anything not executed).
func (s *Service) PublicAgreementOf(ctx context.Context, id int64) (*PublicAgreement, error) {
	m, err := s.MOU(ctx, id)
	if err != nil || m.ExecutedRevision == nil {
		if err == nil || moudesk.IsKind(err, moudesk.KindNotFound) {
			return nil, ErrNotExecuted(id)
		}
		return nil, err
	}
	out := &PublicAgreement{}
	if out.MOU, out.Revision, err = s.publicExecuted(ctx, m); err != nil {
		return nil, err
	}
	if out.Record, err = s.publicRecord(ctx, m); err != nil {
		return nil, err
	}
	if out.Matrix, err = s.matrix(ctx, m, true); err != nil {
		return nil, err
	}
	return out, nil
}

// publicRecord is the record of executed agreement m.
func (s *Service) publicRecord(ctx context.Context, m *MOU) (*PublicRecord, error) {
	id := m.ID
	def, err := s.workflows.Lookup(ctx, m.Workflow, m.WorkflowVersion)
	if err != nil {
		return nil, err
	}
	meetings, err := s.store.Meetings(ctx, id, 0, NoLimit)
	if err != nil {
		return nil, err
	}
	approvals, err := s.store.ApprovalRecords(ctx, id)
	if err != nil {
		return nil, err
	}
	sigs, err := s.store.Signatures(ctx, id, *m.ExecutedRevision)
	if err != nil {
		return nil, err
	}
	out := &PublicRecord{Meetings: []PublicMeeting{}, Approvals: []PublicApproval{}, Signatures: []PublicSignature{}}
	for _, mt := range meetings {
		pm := PublicMeeting{Body: mt.Body, BodyTitle: BodyTitle(def, mt.Body), Date: mt.Date, AgendaItem: mt.AgendaItem,
			Location: mt.Location, Revision: mt.Revision, ContentHash: mt.ContentHash, Votes: []workflow.Vote{}}
		if o := mt.Outcome; o != nil {
			pm.Outcome, pm.Resolution, pm.Minutes = o.Outcome, o.Resolution, o.Minutes
			if o.Votes != nil {
				pm.Votes = o.Votes
			}
			// Stored votes were checked when recorded; a tally error cannot
			// happen, and the counts would only be zero.
			pm.Tally, _ = workflow.TallyVotes(o.Votes)
		}
		out.Meetings = append(out.Meetings, pm)
	}
	for _, a := range approvals {
		out.Approvals = append(out.Approvals, PublicApproval{BodyTitle: BodyTitle(def, a.Body), Date: a.Date,
			Resolution: a.Resolution, ContentHash: a.ContentHash, Stale: a.Stale})
	}
	for _, sg := range sigs {
		out.Signatures = append(out.Signatures, PublicSignature{Name: sg.Name, Title: sg.Title, PartyName: sg.PartyName, SignedAt: sg.SignedAt})
	}
	return out, nil
}
