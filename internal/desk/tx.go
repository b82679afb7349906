package desk

import (
	"context"
	"time"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/mou"
	"github.com/moudesk/moudesk/internal/workflow"
)

// Updater runs a use case's decisions and writes in one write transaction
// of the store: committed when fn returns nil, rolled back otherwise, so a
// refused request leaves every row as it was. The store applies no rule
// inside it; the service does, on what the transaction reads.
type Updater interface {
	Update(ctx context.Context, fn func(Tx) error) error
}

// Tx is one write transaction: the reads a rule needs, which see exactly
// the rows the write will change, and plain writes of what the service
// decided. Every write carries the transaction's time.
type Tx interface {
	Now() time.Time

	// MOUState is the workflow-relevant part of an MOU; not found when
	// there is none.
	MOUState(ctx context.Context, mouID int64) (MOUState, error)
	// LiveApprovals are the MOU's approvals no revision made stale.
	LiveApprovals(ctx context.Context, mouID int64) ([]workflow.Approval, error)
	// ApprovalRecords are all of the MOU's approvals with their meetings,
	// stale ones marked.
	ApprovalRecords(ctx context.Context, mouID int64) ([]ApprovalRecord, error)
	// Signatories are the assigned lines, each marked with when it signed
	// revision.
	Signatories(ctx context.Context, mouID int64, revision int) ([]Signatory, error)
	// LatestSigningDocument is the newest step of revision's signing with
	// its bytes; not found when the revision was never prepared.
	LatestSigningDocument(ctx context.Context, mouID int64, revision int) (*SigningDocument, error)

	// SigningPrepared reports whether revision of the MOU was prepared
	// for signing.
	SigningPrepared(ctx context.Context, mouID int64, revision int) (bool, error)
	// UserByEmail is the account with that e-mail address, disabled or
	// not; not found when there is none.
	UserByEmail(ctx context.Context, email string) (*User, error)

	// InsertSigningDocument stores one step of signing (d.Seq unique per
	// revision: 409 document_changed when taken).
	InsertSigningDocument(ctx context.Context, d SigningDocument) error
	// InsertSignature stores the record of a signature ceremony (409
	// already_signed when the line signed this revision).
	InsertSignature(ctx context.Context, s Signature) error
	// PutSignatory assigns line l of the MOU's signature block to the
	// user, replacing the line's earlier assignment.
	PutSignatory(ctx context.Context, actor moudesk.Actor, mouID int64, line int, l mou.SignatureLine, userID int64) error
	// MarkExecuted records revision as the MOU's executed one (409
	// already_executed when one is recorded).
	MarkExecuted(ctx context.Context, mouID int64, revision int) error
	// SetStage moves the MOU from stage from to stage to and records the
	// move with its cause (409 stage_changed when it is no longer in from).
	SetStage(ctx context.Context, actor moudesk.Actor, ch StageMove) error
	// OpenFeedback counts the MOU's open feedback items.
	OpenFeedback(ctx context.Context, mouID int64) (int, error)
	// Feedback is one feedback item; not found when there is none.
	Feedback(ctx context.Context, id int64) (*Feedback, error)
	// SectionHash is the body hash of section key in revision of the MOU,
	// "" when that revision has no such section (or there is no such
	// revision).
	SectionHash(ctx context.Context, mouID int64, revision int, key string) (string, error)
	// InsertFeedback stores a feedback item, open, and returns its id.
	InsertFeedback(ctx context.Context, actor moudesk.Actor, f NewFeedback) (int64, error)
	// CloseFeedback closes an open feedback item as c says (409
	// feedback_closed when it is no longer open).
	CloseFeedback(ctx context.Context, actor moudesk.Actor, id int64, c FeedbackClose) error
	// LastOutcome is the meeting outcome that made the MOU's latest stage
	// change, when that change was an outcome's; nil otherwise.
	LastOutcome(ctx context.Context, mouID int64) (*workflow.LastOutcome, error)
	// Meeting is a meeting with its revision's content hash, without its
	// outcome; not found when there is none.
	Meeting(ctx context.Context, id int64) (*Meeting, error)
	// HasOutcome reports whether the meeting's outcome is recorded.
	HasOutcome(ctx context.Context, meetingID int64) (bool, error)
	// InsertMeeting stores a meeting of the MOU in stage and returns its id.
	InsertMeeting(ctx context.Context, actor moudesk.Actor, mouID int64, stage string, n NewMeeting) (int64, error)
	// InsertSchedule appends a meeting's next schedule (its new date and
	// place) and returns its sequence number, 1 for the first move.
	InsertSchedule(ctx context.Context, actor moudesk.Actor, meetingID int64, mv MeetingMove) (int, error)
	// AdvanceWebhook moves a webhook's audit cursor from from to to, and
	// reports false (moving nothing) when it is no longer at from.
	AdvanceWebhook(ctx context.Context, id, from, to int64) (bool, error)
	// InsertWebhookDelivery stores a pending delivery first due at due; one
	// that is stored already (same webhook and event) is left as it is.
	InsertWebhookDelivery(ctx context.Context, d WebhookDelivery, due time.Time) error
	// RecordWebhookAttempt appends an attempt to a delivery and sets its
	// state and, when pending, its next attempt's time.
	RecordWebhookAttempt(ctx context.Context, deliveryID int64, a WebhookAttempt, state string, next time.Time) error
	// InsertOutcome stores a meeting's outcome and votes (409
	// outcome_recorded when it has one).
	InsertOutcome(ctx context.Context, actor moudesk.Actor, meetingID int64, n NewOutcome, from, to string) error
	// InsertApproval stores a body's approval of a content hash.
	InsertApproval(ctx context.Context, meetingID, mouID int64, a workflow.Approval) error
	// MarkApprovalsStale marks every live approval of the MOU stale and
	// says how many it marked.
	MarkApprovalsStale(ctx context.Context, mouID int64) (int64, error)
	// Audit appends an event to the hash chain.
	Audit(ctx context.Context, actor moudesk.Actor, action, object string, details any) error

	RecommendationTx
	NotificationTx
	ObligationTx
	OversightTx
}

// MOUState is what the workflow's rules read of an MOU.
type MOUState struct {
	ID              int64
	Workflow        string
	WorkflowVersion int // the version of Workflow the MOU follows
	Stage           string
	Current         int    // current revision
	ContentHash     string // of the current revision
	Executed        int    // executed revision; 0 before execution
	// Roles are the party roles on the MOU: the bodies of a template's
	// optional party that is absent neither meet nor approve.
	Roles []string
}

// StageMove is one move of an MOU between stages.
type StageMove struct {
	MOUID     int64
	From, To  string
	Cause     string // manual, outcome, revision, signature
	MeetingID *int64
	Revision  *int
	Note      string
}

// AgreementState is what starting an amendment reads of an agreement and
// its amendments, in the write transaction.
type AgreementState struct {
	ID               int64
	Workflow, Stage  string
	WorkflowVersion  int    // an amendment follows its agreement's version
	AmendsMOUID      *int64 // set when the MOU is itself an amendment
	ExecutedRevision *int
	Amendments       []AmendmentState
}

// AmendmentState is an earlier amendment with the workflow that decides
// whether it is still open.
type AmendmentState struct {
	Amendment
	Workflow        string
	WorkflowVersion int
}
