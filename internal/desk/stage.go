package desk

import (
	"context"
	"fmt"
	"time"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/workflow"
)

// The workflow's rules applied to an MOU: moves by hand, meetings,
// outcomes and what a new revision does. Each reads the MOU in the write
// transaction, so the rule sees exactly the rows the write changes; the
// rules themselves are internal/workflow's.

// definition is the MOU's state and the workflow definition it follows,
// read in tx: the start of every workflow write.
func (s *Service) definition(ctx context.Context, tx Tx, mouID int64) (MOUState, *workflow.Definition, error) {
	st, err := tx.MOUState(ctx, mouID)
	if err != nil {
		return st, nil, err
	}
	def, err := s.stateDefinition(ctx, st)
	return st, def, err
}

// stateDefinition is the workflow definition an MOU in state st follows,
// as it applies to the MOU's parties: the bodies of an absent optional
// party neither meet nor approve (workflow.Definition.ForParties). Every
// rule decided in a write transaction reads its definition here.
func (s *Service) stateDefinition(ctx context.Context, st MOUState) (*workflow.Definition, error) {
	def, err := s.workflows.Lookup(ctx, st.Workflow, st.WorkflowVersion)
	if err != nil {
		return nil, err
	}
	return def.ForParties(st.Roles), nil
}

// Transition moves an MOU by hand to stage to, when its definition lists
// the move under manual: (or the outcome that sent it back to draft allows
// it once the text is revised, after_revision) and open feedback does not
// block it. Audited as mou.transition.
func (s *Service) Transition(ctx context.Context, actor moudesk.Actor, mouID int64, to, note string) (*StageChange, error) {
	if err := moudesk.CheckText("to", to, moudesk.MaxShortText, true); err != nil {
		return nil, err
	}
	if err := moudesk.CheckText("note", note, moudesk.MaxText, false); err != nil {
		return nil, err
	}
	if _, err := s.actingMOU(ctx, actor, mouID); err != nil {
		return nil, err
	}
	var out *StageChange
	err := s.store.Update(ctx, func(tx Tx) error {
		st, def, err := s.definition(ctx, tx, mouID)
		if err != nil {
			return err
		}
		open, err := tx.OpenFeedback(ctx, mouID)
		if err != nil {
			return err
		}
		last, err := tx.LastOutcome(ctx, mouID)
		if err != nil {
			return err
		}
		// A move the definition allows by hand, or one an outcome's
		// after_revision allows once the text is revised.
		if err := def.Resume(st.Stage, to, last, st.Current, open); err != nil {
			return err
		}
		if err := def.CheckLeave(st.Stage, to, open); err != nil {
			return err
		}
		if err := tx.SetStage(ctx, actor, StageMove{MOUID: mouID, From: st.Stage, To: to, Cause: "manual", Note: note}); err != nil {
			return err
		}
		out = &StageChange{From: st.Stage, To: to, Cause: "manual", Note: note, Actor: actor.String(), CreatedAt: tx.Now()}
		if err := tx.Audit(ctx, actor, "mou.transition", fmt.Sprintf("mou:%d", mouID), map[string]any{"from": st.Stage, "to": to, "note": note}); err != nil {
			return err
		}
		return s.notifyTurn(ctx, tx, actor, mouID)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// CreateMeeting schedules a meeting of a body that acts in the MOU's
// current stage, on the MOU's current revision. Audited as meeting.create.
func (s *Service) CreateMeeting(ctx context.Context, actor moudesk.Actor, mouID int64, n NewMeeting) (*Meeting, error) {
	if err := moudesk.CheckText("body", n.Body, moudesk.MaxShortText, true); err != nil {
		return nil, err
	}
	if _, err := time.Parse(moudesk.DateLayout, n.Date); err != nil {
		return nil, &moudesk.Error{Kind: moudesk.KindInvalid, Code: "invalid_date", Field: "date", Message: "date must be a day written YYYY-MM-DD"}
	}
	if err := moudesk.CheckText("location", n.Location, moudesk.MaxShortText, false); err != nil {
		return nil, err
	}
	if err := moudesk.CheckText("agenda_item", n.AgendaItem, moudesk.MaxShortText, false); err != nil {
		return nil, err
	}
	if n.Revision < 1 {
		return nil, &moudesk.Error{Kind: moudesk.KindInvalid, Code: "missing_field", Field: "revision", Message: "revision (the revision under review) is required"}
	}
	m, err := s.actingMOU(ctx, actor, mouID)
	if err != nil {
		return nil, err
	}
	var id int64
	err = s.store.Update(ctx, func(tx Tx) error {
		st, def, err := s.definition(ctx, tx, mouID)
		if err != nil {
			return err
		}
		if n.Revision != st.Current {
			return &moudesk.Error{Kind: moudesk.KindUnprocessable, Code: "revision_not_current", Field: "revision",
				Message: fmt.Sprintf("MOU %d is at revision %d; a meeting reviews the current revision, not %d", mouID, st.Current, n.Revision)}
		}
		// An agreement in force meets only its monitoring bodies; every
		// other stage, the bodies that act in it.
		check := def.CheckActs
		if def.InForce(st.Stage) {
			check = def.CheckMonitoring
		}
		if err := check(st.Stage, n.Body); err != nil {
			return err
		}
		if err := actsForBody(actor, def, n.Body, m); err != nil {
			return err
		}
		if id, err = tx.InsertMeeting(ctx, actor, mouID, st.Stage, n); err != nil {
			return err
		}
		if err := tx.Audit(ctx, actor, "meeting.create", fmt.Sprintf("meeting:%d", id), map[string]any{
			"mou": mouID, "body": n.Body, "stage": st.Stage, "date": n.Date, "revision": n.Revision}); err != nil {
			return err
		}
		return s.notifyMeeting(ctx, tx, actor, def, mouID, id, n)
	})
	if err != nil {
		return nil, err
	}
	return s.store.Meeting(ctx, id)
}

// recordOutcome records what a body decided at a meeting, with its votes,
// and applies it through workflow.RecordOutcome: an approval is stored for
// the meeting revision's content hash, and the MOU moves when the outcome
// (or the last approval) says so. A meeting has one outcome; a second is
// 409 outcome_recorded. Audited as meeting.outcome.
func (s *Service) recordOutcome(ctx context.Context, actor moudesk.Actor, meetingID int64, n NewOutcome) error {
	if err := moudesk.CheckText("outcome", n.Outcome, moudesk.MaxShortText, true); err != nil {
		return err
	}
	if err := moudesk.CheckText("resolution", n.Resolution, moudesk.MaxText, false); err != nil {
		return err
	}
	if err := moudesk.CheckText("minutes", n.Minutes, moudesk.MaxMinutes, false); err != nil {
		return err
	}
	if len(n.Votes) > moudesk.MaxVotes {
		return &moudesk.Error{Kind: moudesk.KindInvalid, Code: "too_long", Field: "votes", Message: fmt.Sprintf("at most %d votes may be recorded", moudesk.MaxVotes)}
	}
	for i, v := range n.Votes {
		if err := moudesk.CheckText(fmt.Sprintf("votes[%d].member", i), v.Member, moudesk.MaxShortText, false); err != nil {
			return err
		}
	}
	return s.store.Update(ctx, func(tx Tx) error {
		m, err := tx.Meeting(ctx, meetingID)
		if err != nil {
			return err
		}
		if done, err := tx.HasOutcome(ctx, meetingID); err != nil {
			return err
		} else if done {
			return moudesk.Errorf(moudesk.KindConflict, "outcome_recorded", "meeting %d already has its outcome", meetingID)
		}
		st, def, err := s.definition(ctx, tx, m.MOUID)
		if err != nil {
			return err
		}
		if def.InForce(m.Stage) {
			return s.recordMonitoring(ctx, tx, actor, m, st.Stage, def, n)
		}
		open, err := tx.OpenFeedback(ctx, m.MOUID)
		if err != nil {
			return err
		}
		approvals, err := tx.LiveApprovals(ctx, m.MOUID)
		if err != nil {
			return err
		}
		if def.Kind(st.Stage) == workflow.KindApproval && n.Outcome == workflow.OutcomeApprove && m.Revision != st.Current {
			return &workflow.RuleError{Code: workflow.CodeStaleApproval, Message: fmt.Sprintf(
				"meeting %d reviewed revision %d but the MOU is at revision %d; approve the current text at a new meeting", meetingID, m.Revision, st.Current)}
		}
		res, err := def.RecordOutcome(workflow.Meeting{
			Stage: st.Stage, Body: m.Body, Outcome: n.Outcome, ContentHash: m.ContentHash,
			Votes: n.Votes, OpenFeedback: open, Approvals: approvals,
		})
		if err != nil {
			return err
		}
		if err := tx.InsertOutcome(ctx, actor, meetingID, n, st.Stage, res.Next); err != nil {
			return err
		}
		if res.Approval != nil {
			if err := tx.InsertApproval(ctx, meetingID, m.MOUID, *res.Approval); err != nil {
				return err
			}
		}
		if res.Moved {
			if err := tx.SetStage(ctx, actor, StageMove{MOUID: m.MOUID, From: st.Stage, To: res.Next, Cause: "outcome", MeetingID: &meetingID}); err != nil {
				return err
			}
		}
		details := map[string]any{"mou": m.MOUID, "body": m.Body, "outcome": n.Outcome, "from": st.Stage, "to": res.Next, "votes": len(n.Votes)}
		if res.Approval != nil {
			details["approved_hash"] = res.Approval.ContentHash
		}
		if err := tx.Audit(ctx, actor, "meeting.outcome", fmt.Sprintf("meeting:%d", meetingID), details); err != nil {
			return err
		}
		if !res.Moved {
			return nil
		}
		return s.notifyTurn(ctx, tx, actor, m.MOUID)
	})
}

// afterRevision applies the workflow to revision, just written in tx: it
// refuses the revision (rolling the transaction back) in a stage that
// takes none, marks every live approval stale, since it was given to other
// content, and moves the MOU where the stage's on_new_revision says.
// Audited as mou.revised_in_review when it changed anything.
func (s *Service) afterRevision(ctx context.Context, actor moudesk.Actor, mouID int64) func(Tx, int) error {
	return func(tx Tx, revision int) error {
		st, def, err := s.definition(ctx, tx, mouID)
		if err != nil {
			return err
		}
		if err := def.CheckNewRevision(st.Stage); err != nil {
			return err
		}
		live, err := tx.LiveApprovals(ctx, mouID)
		if err != nil {
			return err
		}
		stale, err := tx.MarkApprovalsStale(ctx, mouID)
		if err != nil {
			return err
		}
		if stale > 0 {
			if err := s.notifyStale(ctx, tx, actor, def, mouID, revision, live); err != nil {
				return err
			}
		}
		next, moved := def.AfterNewRevision(st.Stage)
		if moved && next != st.Stage {
			if err := tx.SetStage(ctx, actor, StageMove{MOUID: mouID, From: st.Stage, To: next, Cause: "revision", Revision: &revision}); err != nil {
				return err
			}
		} else {
			next = st.Stage
		}
		if stale == 0 && next == st.Stage {
			return nil
		}
		return tx.Audit(ctx, actor, "mou.revised_in_review", fmt.Sprintf("mou:%d", mouID), map[string]any{
			"revision": revision, "from": st.Stage, "to": next, "stale_approvals": stale})
	}
}
