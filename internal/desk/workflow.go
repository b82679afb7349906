package desk

import (
	"fmt"
	"io/fs"
	"time"

	"github.com/moudesk/moudesk/internal/workflow"
)

// Workflows are the definitions shipped in the binary, keyed by name (as
// stored in mous.workflow). cmd/moudesk loads them (LoadWorkflows) and
// hands them to the service, which stores each as a version of its
// definition (New); from then on the stored versions are what MOUs follow
// (WorkflowRegistry).
type Workflows map[string]ShippedWorkflow

// ShippedWorkflow is one shipped definition: its YAML, stored byte for
// byte, and what it parses to.
type ShippedWorkflow struct {
	Source     string
	Definition *workflow.Definition
}

// LoadWorkflows reads every definition in fsys (one YAML file each) and
// validates it.
func LoadWorkflows(fsys fs.FS) (Workflows, error) {
	defs, err := workflow.LoadFS(fsys)
	if err != nil {
		return nil, fmt.Errorf("load workflows: %w", err)
	}
	out := make(Workflows, len(defs))
	for name, d := range defs {
		src, err := fs.ReadFile(fsys, name+".yaml")
		if err != nil {
			return nil, fmt.Errorf("load workflows: %w", err)
		}
		out[name] = ShippedWorkflow{Source: string(src), Definition: d}
	}
	return out, nil
}

// Feedback statuses.
const (
	FeedbackOpen     = "open"
	FeedbackResolved = "resolved"
	FeedbackDeclined = "declined"
)

// Meeting is one meeting of a body on one revision of an MOU.
type Meeting struct {
	ID          int64     `json:"id"`
	MOUID       int64     `json:"mou_id"`
	Body        string    `json:"body"`
	Stage       string    `json:"stage"`
	Date        string    `json:"date"`
	Location    string    `json:"location"`
	AgendaItem  string    `json:"agenda_item"`
	Revision    int       `json:"revision"`
	ContentHash string    `json:"content_hash"`
	CreatedBy   string    `json:"created_by"`
	CreatedAt   time.Time `json:"created_at"`
	// Sequence counts the times the meeting moved (RescheduleMeeting);
	// UpdatedAt is when it last did, CreatedAt when it never has.
	Sequence  int        `json:"sequence"`
	UpdatedAt time.Time  `json:"updated_at"`
	Outcome   *Outcome   `json:"outcome"`
	Feedback  []Feedback `json:"feedback,omitempty"`
	// StatusUpdates are a monitoring meeting's statuses of obligations
	// (oversight.go); review meetings have none.
	StatusUpdates []StatusUpdate `json:"status_updates,omitempty"`
}

// Outcome is what a body decided at a meeting, with its roll call.
type Outcome struct {
	Outcome    string          `json:"outcome"`
	Resolution string          `json:"resolution"`
	Minutes    string          `json:"minutes"`
	FromStage  string          `json:"from_stage"`
	ToStage    string          `json:"to_stage"`
	RecordedBy string          `json:"recorded_by"`
	CreatedAt  time.Time       `json:"created_at"`
	Votes      []workflow.Vote `json:"votes"`
	// Amendment is the MOU an "amend" outcome of a monitoring meeting
	// started; nil for every other outcome.
	Amendment *int64 `json:"amendment,omitempty"`
}

// Feedback is one point raised at a meeting about one section.
type Feedback struct {
	ID               int64      `json:"id"`
	MeetingID        int64      `json:"meeting_id"`
	MOUID            int64      `json:"mou_id"`
	Section          string     `json:"section"`
	Text             string     `json:"text"`
	Quote            string     `json:"quote,omitempty"`
	Status           string     `json:"status"`
	ResolvedRevision *int       `json:"resolved_revision,omitempty"`
	DeclineReason    string     `json:"decline_reason,omitempty"`
	CreatedBy        string     `json:"created_by"`
	CreatedParty     string     `json:"created_party,omitempty"` // the party the raiser acted for
	CreatedAt        time.Time  `json:"created_at"`
	ClosedBy         string     `json:"closed_by,omitempty"`
	ClosedAt         *time.Time `json:"closed_at,omitempty"`
}

// StageChange is one move of an MOU between stages.
type StageChange struct {
	From      string    `json:"from"`
	To        string    `json:"to"`
	Cause     string    `json:"cause"` // manual, outcome or revision
	MeetingID *int64    `json:"meeting_id,omitempty"`
	Revision  *int      `json:"revision,omitempty"`
	Note      string    `json:"note,omitempty"`
	Actor     string    `json:"actor"`
	CreatedAt time.Time `json:"created_at"`
}

// NewMeeting is what creating a meeting takes.
type NewMeeting struct {
	Body       string
	Date       string // YYYY-MM-DD
	Location   string
	AgendaItem string
	Revision   int // must be the MOU's current revision
}

// MeetingMove is a new date and place of a meeting not yet held.
type MeetingMove struct {
	Date     string // YYYY-MM-DD
	Location string
	Note     string // why it moved, kept in the schedule's history
}

// NewOutcome is what recording a meeting's outcome takes.
type NewOutcome struct {
	Outcome    string
	Votes      []workflow.Vote
	Resolution string
	Minutes    string
}
