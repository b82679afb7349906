package desk

import (
	"context"
	"time"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/mou"
)

// Obligation is a scheduled duty of an executed MOU: the revision's
// mou.Obligation as executed, owed by Party (a slug; PartyRole its role on
// the MOU), with its dues over the term. State is the state of its most
// pressing due (late, then due, upcoming, met or waived), computed from the
// dues, the reports, the waivers and the clock when read: it is never
// stored, so it cannot go stale.
type Obligation struct {
	ID          int64     `json:"id"`
	MOUID       int64     `json:"mou_id"`
	Revision    int       `json:"revision"`
	Key         string    `json:"key"`
	PartyRole   string    `json:"party_role"`
	Party       string    `json:"party"`
	What        string    `json:"what"`
	Every       string    `json:"every"`
	By          string    `json:"by"`
	Evidence    string    `json:"evidence"`
	Dataset     string    `json:"dataset,omitempty"`
	Section     string    `json:"section,omitempty"`
	ScheduledAt time.Time `json:"scheduled_at"`
	State       string    `json:"state"`
	Late        int       `json:"late"` // dues late now
	Dues        []Due     `json:"dues"`
}

// Due is one period of an obligation. Start, End and DueOn are calendar
// days (yyyy-mm-dd, UTC); Label names the period ("2023-Q1"). Reports are
// every version submitted for it, oldest first: the last is the one in
// force, and a met due is SubmittedLate when its first report came after
// the due day.
type Due struct {
	ID            int64        `json:"id"`
	Seq           int          `json:"seq"`
	Label         string       `json:"label"`
	Start         string       `json:"start"`
	End           string       `json:"end"`
	DueOn         string       `json:"due_on"`
	State         string       `json:"state"`
	DueSoon       bool         `json:"due_soon,omitempty"`
	SubmittedLate bool         `json:"submitted_late,omitempty"`
	Reports       []ReportInfo `json:"reports"`
	Waiver        *Waiver      `json:"waiver,omitempty"`
}

// ReportInfo is one version of the evidence for a due, without its bytes.
// SHA256 is of the bytes as stored (a dataset's canonical CSV), and
// SourceSHA256 of the file as uploaded. A correction (Version > 1) says
// why in Reason.
type ReportInfo struct {
	ID           int64     `json:"id"`
	ObligationID int64     `json:"obligation_id"`
	DueID        int64     `json:"due_id"`
	Version      int       `json:"version"`
	Kind         string    `json:"kind"`
	SHA256       string    `json:"sha256,omitempty"`
	SourceSHA256 string    `json:"source_sha256,omitempty"`
	Size         int64     `json:"size"`
	Rows         int       `json:"rows,omitempty"`
	Filename     string    `json:"filename,omitempty"`
	MeetingID    *int64    `json:"meeting_id,omitempty"`
	Reason       string    `json:"reason,omitempty"`
	Party        string    `json:"party"`
	SubmittedBy  string    `json:"submitted_by"`
	SubmittedAt  time.Time `json:"submitted_at"`
}

// Report is a report with its stored bytes (none for a meeting).
type Report struct {
	ReportInfo
	Data []byte `json:"-"`
}

// Waiver releases a party from one due, with a reason, by one of its
// clerks or administrators.
type Waiver struct {
	Reason   string    `json:"reason"`
	Party    string    `json:"party"`
	WaivedBy string    `json:"waived_by"`
	WaivedAt time.Time `json:"waived_at"`
}

// ObligationEvent is a reminder recorded for the notifications to deliver:
// Kind due_soon (within obligation.DueSoon of the due day) or late (the due
// day passed with no evidence), once per due and kind, for Party.
type ObligationEvent struct {
	ID           int64      `json:"id"`
	DueID        int64      `json:"due_id"`
	ObligationID int64      `json:"obligation_id"`
	MOUID        int64      `json:"mou_id"`
	Kind         string     `json:"kind"`
	Party        string     `json:"party"`
	DueOn        string     `json:"due_on"`
	RecordedAt   time.Time  `json:"recorded_at"`
	DeliveredAt  *time.Time `json:"delivered_at,omitempty"`
}

// Event kinds.
const (
	EventDueSoon = "due_soon"
	EventLate    = "late"
)

// ObligationFilter selects obligations: of one MOU, of one party, or one
// by id (zero values select all).
type ObligationFilter struct {
	ID    int64
	MOUID int64
	Party string
}

// NewObligation is a duty to schedule at execution, with its periods.
type NewObligation struct {
	mou.Obligation
	Party string // the owning party's slug
	Dues  []NewDue
}

// NewDue is one period to schedule (days yyyy-mm-dd).
type NewDue struct {
	Seq               int
	Start, End, DueOn string
}

// NewReport is a report to store.
type NewReport struct {
	ObligationID, DueID int64
	Version             int
	Kind                string
	SHA256              string
	SourceSHA256        string
	Data                []byte
	Rows                int
	Filename            string
	MeetingID           *int64
	Reason              string
	Party               string
}

// ObligationReader is the store's read of obligations (part of Reader).
type ObligationReader interface {
	// Obligations lists the obligations f selects with their dues, each
	// due's report versions and waiver; States are left for the service.
	Obligations(ctx context.Context, f ObligationFilter) ([]Obligation, error)
	// Report is one report with its bytes; not found when there is none.
	Report(ctx context.Context, id int64) (*Report, error)
	// ObligationEvents lists recorded reminders by id above after, at most
	// limit (NoLimit for all); undelivered only when undelivered is true.
	ObligationEvents(ctx context.Context, after int64, limit int, undelivered bool) ([]ObligationEvent, error)
}

// ObligationTx is what obligations need of a write transaction (part of
// Tx).
type ObligationTx interface {
	// RevisionContent is revision n of the MOU; not found when none.
	RevisionContent(ctx context.Context, mouID int64, n int) (*mou.Revision, error)
	// InsertObligations schedules an executed MOU's duties.
	InsertObligations(ctx context.Context, mouID int64, revision int, obs []NewObligation) error
	// TxObligations is Obligations read in the transaction.
	TxObligations(ctx context.Context, f ObligationFilter) ([]Obligation, error)
	// InsertReport stores a report version and returns its id (409
	// report_exists when that version of the due is taken).
	InsertReport(ctx context.Context, actor moudesk.Actor, r NewReport) (int64, error)
	// InsertWaiver waives a due (409 already_waived when it is).
	InsertWaiver(ctx context.Context, actor moudesk.Actor, dueID int64, party, reason string) error
	// InsertObligationEvent records a reminder once and returns its id; 0
	// when it was recorded before.
	InsertObligationEvent(ctx context.Context, e ObligationEvent) (int64, error)
	// MarkEventDelivered records that a reminder was delivered (409
	// already_delivered when it was).
	MarkEventDelivered(ctx context.Context, id int64) error
}
