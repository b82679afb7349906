package desk

import (
	"context"
	"fmt"
	"time"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/workflow"
)

// Oversight of an agreement in force: the body the workflow's oversight:
// section names holds monitoring meetings on the executed revision
// (CreateMeeting), gives each obligation a status at them
// (AddStatusUpdate), raises feedback on sections as at any meeting, and
// records an outcome (RecordOutcome): continue, or amend, which starts an
// amendment in the same transaction. Recommendations a monitoring meeting
// makes are recorded on the amendment it starts: the executed agreement's
// recommendations matrix is closed with its text (mou_closed), and the
// amendment is where they get their dispositions. The rules are
// internal/workflow's (oversight.go).

// StatusUpdate is a monitoring body's status of one obligation at one
// meeting.
type StatusUpdate struct {
	ID           int64     `json:"id"`
	MeetingID    int64     `json:"meeting_id"`
	ObligationID int64     `json:"obligation_id"`
	Status       string    `json:"status"`
	Note         string    `json:"note,omitempty"`
	Party        string    `json:"party,omitempty"`
	CreatedBy    string    `json:"created_by,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
}

// NewStatusUpdate is what recording a status update takes.
type NewStatusUpdate struct {
	Obligation int64  `json:"obligation"`
	Status     string `json:"status"`
	Note       string `json:"note"`
}

// OversightTx is what oversight needs of a write transaction (part of Tx).
type OversightTx interface {
	// ObligationMOU is the MOU obligation id belongs to; not found when
	// there is none.
	ObligationMOU(ctx context.Context, id int64) (int64, error)
	// InsertStatusUpdate stores a status update of the meeting by actor
	// for party (409 status_recorded when the meeting has one for the
	// obligation) and returns its id.
	InsertStatusUpdate(ctx context.Context, actor moudesk.Actor, meetingID int64, party string, u NewStatusUpdate) (int64, error)
	// InsertMonitoringOutcome stores a monitoring meeting's outcome and
	// votes, with the amendment an "amend" started (409 outcome_recorded
	// when the meeting has an outcome).
	InsertMonitoringOutcome(ctx context.Context, actor moudesk.Actor, meetingID, mouID int64, n NewOutcome, amendment *int64) error
	// StartAmendment is the store's CreateAmendment inside this
	// transaction; it returns the new MOU's id.
	StartAmendment(ctx context.Context, actor moudesk.Actor, parentID int64, decide func(AgreementState) (string, error)) (int64, error)
}

// MaxStatusNote bounds a status update's note: a paragraph or two of
// minutes, not a report (reports are files).
const MaxStatusNote = moudesk.MaxText

// AddStatusUpdate records a monitoring body's status of one obligation at
// one of its meetings, for the caller's own party: a clerk who may record
// the body's outcome (403 wrong_party otherwise). Refused, writing
// nothing: a meeting that is not a monitoring meeting or whose outcome is
// recorded (422 wrong_stage), an unknown status (422 invalid_status), an
// obligation of another MOU (422 unknown_obligation), a second update of
// the same obligation at the meeting (409 status_recorded). Audited as
// obligation.status.
func (s *Service) AddStatusUpdate(ctx context.Context, p *auth.Principal, actor moudesk.Actor, meetingID int64, u NewStatusUpdate) (*StatusUpdate, error) {
	if u.Obligation < 1 {
		return nil, fieldError("missing_field", "obligation", "obligation (the id of one of the MOU's obligations) is required")
	}
	if err := checkField("status", u.Status, moudesk.MaxShortText, true); err != nil {
		return nil, err
	}
	if err := checkField("note", u.Note, MaxStatusNote, false); err != nil {
		return nil, err
	}
	mt, err := s.store.Meeting(ctx, meetingID)
	if err != nil {
		return nil, err
	}
	m, err := s.actingMOU(ctx, actor, mt.MOUID)
	if err != nil {
		return nil, err
	}
	def, err := s.Workflow(ctx, m.Workflow, m.WorkflowVersion)
	if err != nil {
		return nil, err
	}
	if !actor.IsSystem() && !MayRecord(p, def, mt.Body, m) {
		return nil, moudesk.Errorf(moudesk.KindForbidden, "wrong_party", "only a clerk acting for the party of %s may record its status updates", BodyTitle(def, mt.Body))
	}
	var id int64
	err = s.store.Update(ctx, func(tx Tx) error {
		mt, err := tx.Meeting(ctx, meetingID)
		if err != nil {
			return err
		}
		_, def, err := s.definition(ctx, tx, mt.MOUID)
		if err != nil {
			return err
		}
		decided, err := tx.HasOutcome(ctx, meetingID)
		if err != nil {
			return err
		}
		if err := def.CheckStatusUpdate(mt.Stage, decided, u.Status); err != nil {
			return err
		}
		owner, err := tx.ObligationMOU(ctx, u.Obligation)
		if err != nil && !moudesk.IsKind(err, moudesk.KindNotFound) {
			return err
		}
		if err != nil || owner != mt.MOUID {
			return fieldError("unknown_obligation", "obligation", "MOU %d has no obligation %d", mt.MOUID, u.Obligation)
		}
		if id, err = tx.InsertStatusUpdate(ctx, actor, meetingID, actor.Party, u); err != nil {
			return err
		}
		return tx.Audit(ctx, actor, "obligation.status", fmt.Sprintf("meeting:%d", meetingID), map[string]any{
			"mou": mt.MOUID, "obligation": u.Obligation, "status": u.Status})
	})
	if err != nil {
		return nil, err
	}
	out, err := s.store.Meeting(ctx, meetingID)
	if err != nil {
		return nil, err
	}
	for _, su := range out.StatusUpdates {
		if su.ID == id {
			return &su, nil
		}
	}
	return nil, fmt.Errorf("status update %d of meeting %d not found after insert", id, meetingID)
}

// recordMonitoring records the outcome of a monitoring meeting, in tx:
// workflow.RecordMonitoring decides; an "amend" starts the amendment (as
// CreateAmendment would, refused the same ways) and the outcome names it.
// The executed MOU itself does not move. Audited as meeting.outcome.
func (s *Service) recordMonitoring(ctx context.Context, tx Tx, actor moudesk.Actor, m *Meeting, stage string, def *workflow.Definition, n NewOutcome) error {
	res, err := def.RecordMonitoring(stage, m.Body, n.Outcome, n.Votes)
	if err != nil {
		return err
	}
	var amendment *int64
	if res.AmendTo != "" {
		id, err := tx.StartAmendment(ctx, actor, m.MOUID, s.decideAmendment(ctx))
		if err != nil {
			return err
		}
		amendment = &id
		parent, err := s.scopeOf(ctx, m.MOUID)
		if err != nil {
			return err
		}
		if err := s.notifyAmendment(ctx, tx, actor, parent, id); err != nil {
			return err
		}
	}
	if err := tx.InsertMonitoringOutcome(ctx, actor, m.ID, m.MOUID, n, amendment); err != nil {
		return err
	}
	details := map[string]any{"mou": m.MOUID, "body": m.Body, "outcome": n.Outcome, "from": stage, "to": stage, "votes": len(n.Votes), "monitoring": true}
	if amendment != nil {
		details["amendment"] = *amendment
	}
	return tx.Audit(ctx, actor, "meeting.outcome", fmt.Sprintf("meeting:%d", m.ID), details)
}
