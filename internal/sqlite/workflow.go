package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/moudesk/moudesk/internal/desk"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/workflow"
)

// Limits on free text, so one request cannot store megabytes of minutes.
const (
	maxShortText = 500    // body, location, agenda item, section key, member
	maxText      = 20000  // feedback text, quote, note, reason, resolution
	maxMinutes   = 200000 // minutes of a meeting
	maxVotes     = 200    // members voting at one meeting
	dateLayout   = "2006-01-02"
)

func unprocessable(code, field, format string, args ...any) *moudesk.Error {
	return &moudesk.Error{Kind: moudesk.KindUnprocessable, Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

func invalidInput(code, field, format string, args ...any) *moudesk.Error {
	return &moudesk.Error{Kind: moudesk.KindInvalid, Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// checkText refuses text that is too long or, when required, blank.
func checkText(field, s string, max int, required bool) error {
	if required && strings.TrimSpace(s) == "" {
		return invalidInput("missing_field", field, "%s is required", field)
	}
	if len(s) > max {
		return invalidInput("too_long", field, "%s may be at most %d bytes", field, max)
	}
	if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
		return invalidInput("invalid_text", field, "%s must be UTF-8 text without NUL", field)
	}
	return nil
}

// mouState is the workflow-relevant part of an MOU row, read inside the
// write transaction so every rule sees what the write will change.
type mouState struct {
	workflow string
	stage    string
	current  int
}

func readMOUState(ctx context.Context, q queryer, mouID int64) (mouState, error) {
	var s mouState
	err := q.QueryRowContext(ctx, "SELECT workflow, stage, current_revision FROM mous WHERE id = ?", mouID).Scan(&s.workflow, &s.stage, &s.current)
	if errors.Is(err, sql.ErrNoRows) {
		return s, moudesk.ErrNotFound(fmt.Sprintf("MOU %d", mouID))
	}
	if err != nil {
		return s, fmt.Errorf("read MOU %d: %w", mouID, err)
	}
	return s, nil
}

// readMOUDefinition reads the MOU's state and the workflow definition it
// follows: the start of every workflow write.
func readMOUDefinition(ctx context.Context, q queryer, defs desk.Workflows, mouID int64) (mouState, *workflow.Definition, error) {
	st, err := readMOUState(ctx, q, mouID)
	if err != nil {
		return st, nil, err
	}
	def, err := defs.Lookup(st.workflow)
	return st, def, err
}

// openFeedback counts the MOU's open feedback items, which gate leaving a
// stage that requires feedback closed.
func openFeedback(ctx context.Context, q queryer, mouID int64) (int, error) {
	var n int
	if err := q.QueryRowContext(ctx, "SELECT count(*) FROM feedback WHERE mou_id = ? AND status = 'open'", mouID).Scan(&n); err != nil {
		return 0, fmt.Errorf("count open feedback of MOU %d: %w", mouID, err)
	}
	return n, nil
}

// setStage moves the MOU and records the move. The caller audits.
func (tx *Tx) setStage(ctx context.Context, actor moudesk.Actor, mouID int64, from, to, cause string, meetingID *int64, revision *int, note string) error {
	res, err := tx.ExecContext(ctx, "UPDATE mous SET stage = ? WHERE id = ? AND stage = ?", to, mouID, from)
	if err != nil {
		return storageError("update stage", err)
	}
	if k, _ := res.RowsAffected(); k != 1 {
		return moudesk.Errorf(moudesk.KindConflict, "stage_changed", "MOU %d left stage %q meanwhile", mouID, from)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO stage_changes (mou_id, from_stage, to_stage, cause, meeting_id, revision, note, actor, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, mouID, from, to, cause, meetingID, revision, note, actor.String(), tx.Now())
	if err != nil {
		return storageError("insert stage change", err)
	}
	return nil
}

// Transition moves an MOU by hand to stage to, when its definition lists
// the move under manual: and open feedback does not block it. Audited as
// mou.transition.
func (db *DB) Transition(ctx context.Context, actor moudesk.Actor, defs desk.Workflows, mouID int64, to, note string) (*desk.StageChange, error) {
	if err := checkText("to", to, maxShortText, true); err != nil {
		return nil, err
	}
	if err := checkText("note", note, maxText, false); err != nil {
		return nil, err
	}
	var out *desk.StageChange
	err := db.update(ctx, func(tx *Tx) error {
		st, def, err := readMOUDefinition(ctx, tx, defs, mouID)
		if err != nil {
			return err
		}
		if err := def.Transition(st.stage, to); err != nil {
			return err
		}
		open, err := openFeedback(ctx, tx, mouID)
		if err != nil {
			return err
		}
		if err := def.CheckLeave(st.stage, to, open); err != nil {
			return err
		}
		if err := tx.setStage(ctx, actor, mouID, st.stage, to, "manual", nil, nil, note); err != nil {
			return err
		}
		out = &desk.StageChange{From: st.stage, To: to, Cause: "manual", Note: note, Actor: actor.String(), CreatedAt: tx.now.UTC()}
		return tx.audit(ctx, actor, "mou.transition", fmt.Sprintf("mou:%d", mouID), map[string]any{"from": st.stage, "to": to, "note": note})
	})
	return out, err
}

// CreateMeeting schedules a meeting of a body that acts in the MOU's
// current stage, on the MOU's current revision. Audited as meeting.create.
func (db *DB) CreateMeeting(ctx context.Context, actor moudesk.Actor, defs desk.Workflows, mouID int64, n desk.NewMeeting) (*desk.Meeting, error) {
	if err := checkText("body", n.Body, maxShortText, true); err != nil {
		return nil, err
	}
	if _, err := time.Parse(dateLayout, n.Date); err != nil {
		return nil, invalidInput("invalid_date", "date", "date must be a day written YYYY-MM-DD")
	}
	if err := checkText("location", n.Location, maxShortText, false); err != nil {
		return nil, err
	}
	if err := checkText("agenda_item", n.AgendaItem, maxShortText, false); err != nil {
		return nil, err
	}
	if n.Revision < 1 {
		return nil, invalidInput("missing_field", "revision", "revision (the revision under review) is required")
	}
	var id int64
	err := db.update(ctx, func(tx *Tx) error {
		st, def, err := readMOUDefinition(ctx, tx, defs, mouID)
		if err != nil {
			return err
		}
		if n.Revision != st.current {
			return unprocessable("revision_not_current", "revision", "MOU %d is at revision %d; a meeting reviews the current revision, not %d", mouID, st.current, n.Revision)
		}
		if err := def.CheckActs(st.stage, n.Body); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO meetings (mou_id, body, stage, date, location, agenda_item, revision, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, mouID, n.Body, st.stage, n.Date, n.Location, n.AgendaItem, n.Revision, actor.Author(), tx.Now())
		if err != nil {
			return storageError("insert meeting", err)
		}
		if id, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("meeting id: %w", err)
		}
		return tx.audit(ctx, actor, "meeting.create", fmt.Sprintf("meeting:%d", id), map[string]any{
			"mou": mouID, "body": n.Body, "stage": st.stage, "date": n.Date, "revision": n.Revision})
	})
	if err != nil {
		return nil, err
	}
	return db.Meeting(ctx, id)
}

// meetingRow is a meeting's row read inside a transaction.
func readMeetingRow(ctx context.Context, q queryer, id int64) (*desk.Meeting, error) {
	var m desk.Meeting
	var created string
	err := q.QueryRowContext(ctx, `SELECT m.id, m.mou_id, m.body, m.stage, m.date, m.location, m.agenda_item, m.revision, r.content_hash, m.created_by, m.created_at
		FROM meetings m JOIN revisions r ON r.mou_id = m.mou_id AND r.revision = m.revision WHERE m.id = ?`, id).
		Scan(&m.ID, &m.MOUID, &m.Body, &m.Stage, &m.Date, &m.Location, &m.AgendaItem, &m.Revision, &m.ContentHash, &m.CreatedBy, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, moudesk.ErrNotFound(fmt.Sprintf("meeting %d", id))
	}
	if err != nil {
		return nil, fmt.Errorf("read meeting %d: %w", id, err)
	}
	m.CreatedAt = parseTime(created)
	return &m, nil
}

// CreateFeedback raises a point at a meeting about a section of the
// meeting's revision. Audited as feedback.create.
func (db *DB) CreateFeedback(ctx context.Context, actor moudesk.Actor, meetingID int64, section, text, quote string) (*desk.Feedback, error) {
	if err := checkText("section", section, maxShortText, true); err != nil {
		return nil, err
	}
	if err := checkText("text", text, maxText, true); err != nil {
		return nil, err
	}
	if err := checkText("quote", quote, maxText, false); err != nil {
		return nil, err
	}
	var id int64
	err := db.update(ctx, func(tx *Tx) error {
		m, err := readMeetingRow(ctx, tx, meetingID)
		if err != nil {
			return err
		}
		var one int
		err = tx.QueryRowContext(ctx, "SELECT 1 FROM revision_sections WHERE mou_id = ? AND revision = ? AND key = ?", m.MOUID, m.Revision, section).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return unprocessable("unknown_section", "section", "revision %d of MOU %d has no section %q", m.Revision, m.MOUID, section)
		}
		if err != nil {
			return fmt.Errorf("read section: %w", err)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO feedback (meeting_id, mou_id, section_key, text, quote, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, meetingID, m.MOUID, section, text, quote, actor.Author(), tx.Now())
		if err != nil {
			return storageError("insert feedback", err)
		}
		if id, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("feedback id: %w", err)
		}
		return tx.audit(ctx, actor, "feedback.create", fmt.Sprintf("feedback:%d", id), map[string]any{
			"mou": m.MOUID, "meeting": meetingID, "section": section})
	})
	if err != nil {
		return nil, err
	}
	return db.FeedbackItem(ctx, id)
}

// readOpenFeedback reads one feedback item that must still be open.
func readOpenFeedback(ctx context.Context, q queryer, id int64) (*desk.Feedback, error) {
	f, err := scanFeedback(q.QueryRowContext(ctx, "SELECT "+feedbackCols+" FROM feedback WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, moudesk.ErrNotFound(fmt.Sprintf("feedback %d", id))
	}
	if err != nil {
		return nil, fmt.Errorf("read feedback %d: %w", id, err)
	}
	if f.Status != desk.FeedbackOpen {
		return nil, moudesk.Errorf(moudesk.KindConflict, "feedback_closed", "feedback %d is already %s", id, f.Status)
	}
	return f, nil
}

// sectionHash is the body hash of a section in a revision, "" when the
// revision does not have the section.
func sectionHash(ctx context.Context, q queryer, mouID int64, revision int, key string) (string, error) {
	var h string
	err := q.QueryRowContext(ctx, "SELECT body_hash FROM revision_sections WHERE mou_id = ? AND revision = ? AND key = ?", mouID, revision, key).Scan(&h)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read section %s of revision %d: %w", key, revision, err)
	}
	return h, nil
}

// ResolveFeedback closes a feedback item with a later revision that
// changed its section (or removed it) relative to the meeting's revision.
// Audited as feedback.resolve.
func (db *DB) ResolveFeedback(ctx context.Context, actor moudesk.Actor, id int64, revision int) (*desk.Feedback, error) {
	if revision < 1 {
		return nil, invalidInput("missing_field", "revision", "revision (the revision that answers the feedback) is required")
	}
	err := db.update(ctx, func(tx *Tx) error {
		f, err := readOpenFeedback(ctx, tx, id)
		if err != nil {
			return err
		}
		m, err := readMeetingRow(ctx, tx, f.MeetingID)
		if err != nil {
			return err
		}
		var exists int
		err = tx.QueryRowContext(ctx, "SELECT 1 FROM revisions WHERE mou_id = ? AND revision = ?", f.MOUID, revision).Scan(&exists)
		if errors.Is(err, sql.ErrNoRows) {
			return unprocessable("unknown_revision", "revision", "MOU %d has no revision %d", f.MOUID, revision)
		}
		if err != nil {
			return fmt.Errorf("read revision: %w", err)
		}
		if revision <= m.Revision {
			return unprocessable("revision_not_later", "revision", "feedback raised on revision %d is resolved by a later revision, not %d", m.Revision, revision)
		}
		before, err := sectionHash(ctx, tx, f.MOUID, m.Revision, f.Section)
		if err != nil {
			return err
		}
		after, err := sectionHash(ctx, tx, f.MOUID, revision, f.Section)
		if err != nil {
			return err
		}
		if before == after {
			return unprocessable("section_unchanged", "revision", "revision %d did not change section %q from revision %d; decline the feedback with a reason instead", revision, f.Section, m.Revision)
		}
		_, err = tx.ExecContext(ctx, "UPDATE feedback SET status = 'resolved', resolved_revision = ?, closed_by = ?, closed_at = ? WHERE id = ? AND status = 'open'",
			revision, actor.Author(), tx.Now(), id)
		if err != nil {
			return storageError("resolve feedback", err)
		}
		return tx.audit(ctx, actor, "feedback.resolve", fmt.Sprintf("feedback:%d", id), map[string]any{
			"mou": f.MOUID, "section": f.Section, "revision": revision})
	})
	if err != nil {
		return nil, err
	}
	return db.FeedbackItem(ctx, id)
}

// DeclineFeedback closes a feedback item without a change, for a reason
// the summary shows. Audited as feedback.decline.
func (db *DB) DeclineFeedback(ctx context.Context, actor moudesk.Actor, id int64, reason string) (*desk.Feedback, error) {
	if err := checkText("reason", reason, maxText, true); err != nil {
		return nil, err
	}
	err := db.update(ctx, func(tx *Tx) error {
		f, err := readOpenFeedback(ctx, tx, id)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "UPDATE feedback SET status = 'declined', decline_reason = ?, closed_by = ?, closed_at = ? WHERE id = ? AND status = 'open'",
			reason, actor.Author(), tx.Now(), id)
		if err != nil {
			return storageError("decline feedback", err)
		}
		return tx.audit(ctx, actor, "feedback.decline", fmt.Sprintf("feedback:%d", id), map[string]any{
			"mou": f.MOUID, "section": f.Section, "reason": reason})
	})
	if err != nil {
		return nil, err
	}
	return db.FeedbackItem(ctx, id)
}

// liveApprovals are the MOU's approvals no revision has made stale.
func liveApprovals(ctx context.Context, q queryer, mouID int64) ([]workflow.Approval, error) {
	rows, err := q.QueryContext(ctx, "SELECT body, content_hash FROM approvals WHERE mou_id = ? AND stale_at IS NULL ORDER BY meeting_id", mouID)
	if err != nil {
		return nil, fmt.Errorf("read approvals of MOU %d: %w", mouID, err)
	}
	defer rows.Close()
	var out []workflow.Approval
	for rows.Next() {
		var a workflow.Approval
		if err := rows.Scan(&a.Body, &a.ContentHash); err != nil {
			return nil, fmt.Errorf("scan approval: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// RecordOutcome records what a body decided at a meeting, with its votes,
// and applies it through workflow.RecordOutcome: an approval is stored for
// the meeting revision's content hash, and the MOU moves when the outcome
// (or the last approval) says so. A meeting has one outcome; a second is
// 409 outcome_recorded. The caller checks who may record for the body.
// Audited as meeting.outcome.
func (db *DB) RecordOutcome(ctx context.Context, actor moudesk.Actor, defs desk.Workflows, meetingID int64, n desk.NewOutcome) (*desk.Meeting, error) {
	if err := checkText("outcome", n.Outcome, maxShortText, true); err != nil {
		return nil, err
	}
	if err := checkText("resolution", n.Resolution, maxText, false); err != nil {
		return nil, err
	}
	if err := checkText("minutes", n.Minutes, maxMinutes, false); err != nil {
		return nil, err
	}
	if len(n.Votes) > maxVotes {
		return nil, invalidInput("too_long", "votes", "at most %d votes may be recorded", maxVotes)
	}
	for i, v := range n.Votes {
		if err := checkText(fmt.Sprintf("votes[%d].member", i), v.Member, maxShortText, false); err != nil {
			return nil, err
		}
	}
	err := db.update(ctx, func(tx *Tx) error {
		m, err := readMeetingRow(ctx, tx, meetingID)
		if err != nil {
			return err
		}
		var one int
		err = tx.QueryRowContext(ctx, "SELECT 1 FROM meeting_outcomes WHERE meeting_id = ?", meetingID).Scan(&one)
		if err == nil {
			return moudesk.Errorf(moudesk.KindConflict, "outcome_recorded", "meeting %d already has its outcome", meetingID)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("read outcome: %w", err)
		}
		st, def, err := readMOUDefinition(ctx, tx, defs, m.MOUID)
		if err != nil {
			return err
		}
		open, err := openFeedback(ctx, tx, m.MOUID)
		if err != nil {
			return err
		}
		approvals, err := liveApprovals(ctx, tx, m.MOUID)
		if err != nil {
			return err
		}
		if def.Kind(st.stage) == workflow.KindApproval && n.Outcome == workflow.OutcomeApprove && m.Revision != st.current {
			return &workflow.RuleError{Code: workflow.CodeStaleApproval, Message: fmt.Sprintf(
				"meeting %d reviewed revision %d but the MOU is at revision %d; approve the current text at a new meeting", meetingID, m.Revision, st.current)}
		}
		res, err := def.RecordOutcome(workflow.Meeting{
			Stage: st.stage, Body: m.Body, Outcome: n.Outcome, ContentHash: m.ContentHash,
			Votes: n.Votes, OpenFeedback: open, Approvals: approvals,
		})
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO meeting_outcomes (meeting_id, outcome, resolution, minutes, from_stage, to_stage, recorded_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, meetingID, n.Outcome, n.Resolution, n.Minutes, st.stage, res.Next, actor.Author(), tx.Now())
		if err != nil {
			if isUnique(err) {
				return moudesk.Errorf(moudesk.KindConflict, "outcome_recorded", "meeting %d already has its outcome", meetingID)
			}
			return storageError("insert outcome", err)
		}
		for i, v := range n.Votes {
			_, err := tx.ExecContext(ctx, "INSERT INTO meeting_votes (meeting_id, position, member, vote) VALUES (?, ?, ?, ?)",
				meetingID, i+1, strings.TrimSpace(v.Member), v.Vote)
			if err != nil {
				return storageError("insert vote", err)
			}
		}
		if res.Approval != nil {
			_, err := tx.ExecContext(ctx, "INSERT INTO approvals (meeting_id, mou_id, body, content_hash, created_at) VALUES (?, ?, ?, ?, ?)",
				meetingID, m.MOUID, res.Approval.Body, res.Approval.ContentHash, tx.Now())
			if err != nil {
				return storageError("insert approval", err)
			}
		}
		if res.Moved {
			if err := tx.setStage(ctx, actor, m.MOUID, st.stage, res.Next, "outcome", &meetingID, nil, ""); err != nil {
				return err
			}
		}
		details := map[string]any{"mou": m.MOUID, "body": m.Body, "outcome": n.Outcome, "from": st.stage, "to": res.Next, "votes": len(n.Votes)}
		if res.Approval != nil {
			details["approved_hash"] = res.Approval.ContentHash
		}
		return tx.audit(ctx, actor, "meeting.outcome", fmt.Sprintf("meeting:%d", meetingID), details)
	})
	if err != nil {
		return nil, err
	}
	return db.Meeting(ctx, meetingID)
}

// AfterRevision applies the workflow to a revision just written inside tx:
// it refuses the revision (rolling the transaction back) in a stage that
// takes none, marks every live approval stale, since it was given to other
// content, and moves the MOU where the stage's on_new_revision says.
// Revision creation calls it in its own transaction; defs nil means the
// shipped definitions. Audited as mou.revised_in_review when it changed
// anything.
func (tx *Tx) AfterRevision(ctx context.Context, actor moudesk.Actor, defs desk.Workflows, mouID int64, revision int) error {
	st, def, err := readMOUDefinition(ctx, tx, defs, mouID)
	if err != nil {
		return err
	}
	if err := def.CheckNewRevision(st.stage); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, "UPDATE approvals SET stale_at = ? WHERE mou_id = ? AND stale_at IS NULL", tx.Now(), mouID)
	if err != nil {
		return storageError("mark approvals stale", err)
	}
	stale, _ := res.RowsAffected()
	next, moved := def.AfterNewRevision(st.stage)
	if moved && next != st.stage {
		if err := tx.setStage(ctx, actor, mouID, st.stage, next, "revision", nil, &revision, ""); err != nil {
			return err
		}
	} else {
		next = st.stage
	}
	if stale == 0 && next == st.stage {
		return nil
	}
	return tx.audit(ctx, actor, "mou.revised_in_review", fmt.Sprintf("mou:%d", mouID), map[string]any{
		"revision": revision, "from": st.stage, "to": next, "stale_approvals": stale})
}

const feedbackCols = `id, meeting_id, mou_id, section_key, text, quote, status, resolved_revision, decline_reason, created_by, created_at, closed_by, closed_at`

func scanFeedback(r rowScanner) (*desk.Feedback, error) {
	var f desk.Feedback
	var resolved sql.NullInt64
	var created string
	var closedBy, closedAt sql.NullString
	if err := r.Scan(&f.ID, &f.MeetingID, &f.MOUID, &f.Section, &f.Text, &f.Quote, &f.Status, &resolved, &f.DeclineReason,
		&f.CreatedBy, &created, &closedBy, &closedAt); err != nil {
		return nil, err
	}
	if resolved.Valid {
		n := int(resolved.Int64)
		f.ResolvedRevision = &n
	}
	f.CreatedAt = parseTime(created)
	f.ClosedBy = closedBy.String
	if closedAt.Valid {
		t := parseTime(closedAt.String)
		f.ClosedAt = &t
	}
	return &f, nil
}

// FeedbackItem returns one feedback item.
func (db *DB) FeedbackItem(ctx context.Context, id int64) (*desk.Feedback, error) {
	f, err := scanFeedback(db.read.QueryRowContext(ctx, "SELECT "+feedbackCols+" FROM feedback WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, moudesk.ErrNotFound(fmt.Sprintf("feedback %d", id))
	}
	if err != nil {
		return nil, fmt.Errorf("read feedback %d: %w", id, err)
	}
	return f, nil
}

func queryFeedback(ctx context.Context, q queryer, where string, args ...any) ([]desk.Feedback, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+feedbackCols+" FROM feedback WHERE "+where+" ORDER BY id", args...)
	if err != nil {
		return nil, fmt.Errorf("list feedback: %w", err)
	}
	return collect(rows, "feedback", scanFeedback)
}

// MOUFeedback lists an MOU's feedback, oldest first; status "" means all.
// It returns up to limit items (desk.NoLimit for all) with ids above after.
// feedback_mou (mou_id, status, id) serves a status, feedback_mou_id
// (mou_id, id) the whole list, each page without a sort.
func (db *DB) MOUFeedback(ctx context.Context, mouID int64, status string, after int64, limit int) ([]desk.Feedback, error) {
	q := "SELECT " + feedbackCols + " FROM feedback WHERE mou_id = ?"
	args := []any{mouID}
	switch status {
	case "":
	case desk.FeedbackOpen, desk.FeedbackResolved, desk.FeedbackDeclined:
		q += " AND status = ?"
		args = append(args, status)
	default:
		return nil, invalidInput("invalid_status", "status", "status must be open, resolved or declined")
	}
	rows, err := db.read.QueryContext(ctx, q+" AND id > ? ORDER BY id LIMIT ?", append(args, after, sqlLimit(limit))...)
	if err != nil {
		return nil, fmt.Errorf("list feedback of MOU %d: %w", mouID, err)
	}
	return collect(rows, "feedback", scanFeedback)
}

// readOutcome fills m.Outcome (with votes) when one was recorded.
func readOutcome(ctx context.Context, q queryer, m *desk.Meeting) error {
	var o desk.Outcome
	var created string
	err := q.QueryRowContext(ctx, `SELECT outcome, resolution, minutes, from_stage, to_stage, recorded_by, created_at FROM meeting_outcomes WHERE meeting_id = ?`, m.ID).
		Scan(&o.Outcome, &o.Resolution, &o.Minutes, &o.FromStage, &o.ToStage, &o.RecordedBy, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read outcome of meeting %d: %w", m.ID, err)
	}
	o.CreatedAt = parseTime(created)
	rows, err := q.QueryContext(ctx, "SELECT member, vote FROM meeting_votes WHERE meeting_id = ? ORDER BY position", m.ID)
	if err != nil {
		return fmt.Errorf("read votes of meeting %d: %w", m.ID, err)
	}
	defer rows.Close()
	o.Votes = []workflow.Vote{}
	for rows.Next() {
		var v workflow.Vote
		if err := rows.Scan(&v.Member, &v.Vote); err != nil {
			return fmt.Errorf("scan vote: %w", err)
		}
		o.Votes = append(o.Votes, v)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read votes of meeting %d: %w", m.ID, err)
	}
	m.Outcome = &o
	return nil
}

// Meeting returns one meeting with its outcome, votes and feedback.
func (db *DB) Meeting(ctx context.Context, id int64) (*desk.Meeting, error) {
	var m *desk.Meeting
	err := db.view(ctx, func(tx *sql.Tx) error {
		var err error
		if m, err = readMeetingRow(ctx, tx, id); err != nil {
			return err
		}
		if err := readOutcome(ctx, tx, m); err != nil {
			return err
		}
		m.Feedback, err = queryFeedback(ctx, tx, "meeting_id = ?", id)
		return err
	})
	return m, err
}

// Meetings lists an MOU's meetings in the order they were created, each
// with its outcome and feedback: up to limit of them (desk.NoLimit for
// all) with ids above after, read in one snapshot. meetings_mou (mou_id,
// id) serves each page without a sort.
func (db *DB) Meetings(ctx context.Context, mouID, after int64, limit int) ([]desk.Meeting, error) {
	out := []desk.Meeting{}
	err := db.view(ctx, func(tx *sql.Tx) error {
		if _, err := readMOUState(ctx, tx, mouID); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, "SELECT id FROM meetings WHERE mou_id = ? AND id > ? ORDER BY id LIMIT ?", mouID, after, sqlLimit(limit))
		if err != nil {
			return fmt.Errorf("list meetings of MOU %d: %w", mouID, err)
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return fmt.Errorf("scan meeting id: %w", err)
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("list meetings of MOU %d: %w", mouID, err)
		}
		for _, id := range ids {
			m, err := readMeetingRow(ctx, tx, id)
			if err != nil {
				return err
			}
			if err := readOutcome(ctx, tx, m); err != nil {
				return err
			}
			if m.Feedback, err = queryFeedback(ctx, tx, "meeting_id = ?", id); err != nil {
				return err
			}
			out = append(out, *m)
		}
		return nil
	})
	return out, err
}

// StageChanges lists an MOU's stage changes, oldest first.
func (db *DB) StageChanges(ctx context.Context, mouID int64) ([]desk.StageChange, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT from_stage, to_stage, cause, meeting_id, revision, note, actor, created_at
		FROM stage_changes WHERE mou_id = ? ORDER BY id`, mouID)
	if err != nil {
		return nil, fmt.Errorf("list stage changes of MOU %d: %w", mouID, err)
	}
	defer rows.Close()
	out := []desk.StageChange{}
	for rows.Next() {
		var c desk.StageChange
		var meeting, revision sql.NullInt64
		var created string
		if err := rows.Scan(&c.From, &c.To, &c.Cause, &meeting, &revision, &c.Note, &c.Actor, &created); err != nil {
			return nil, fmt.Errorf("scan stage change: %w", err)
		}
		if meeting.Valid {
			c.MeetingID = &meeting.Int64
		}
		if revision.Valid {
			n := int(revision.Int64)
			c.Revision = &n
		}
		c.CreatedAt = parseTime(created)
		out = append(out, c)
	}
	return out, rows.Err()
}

// Approvals lists an MOU's approvals, stale ones included, oldest first.
func (db *DB) Approvals(ctx context.Context, mouID int64) ([]workflow.Approval, error) {
	return allApprovals(ctx, db.read, mouID)
}

func allApprovals(ctx context.Context, q queryer, mouID int64) ([]workflow.Approval, error) {
	rows, err := q.QueryContext(ctx, "SELECT body, content_hash FROM approvals WHERE mou_id = ? ORDER BY meeting_id", mouID)
	if err != nil {
		return nil, fmt.Errorf("read approvals of MOU %d: %w", mouID, err)
	}
	defer rows.Close()
	out := []workflow.Approval{}
	for rows.Next() {
		var a workflow.Approval
		if err := rows.Scan(&a.Body, &a.ContentHash); err != nil {
			return nil, fmt.Errorf("scan approval: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// LiveApprovals lists the approvals no later revision has made stale;
// signing checks these against the revision signed.
func (db *DB) LiveApprovals(ctx context.Context, mouID int64) ([]workflow.Approval, error) {
	return liveApprovals(ctx, db.read, mouID)
}

// workflowTables are the tables workflow writes touch, plus the MOU row
// (its stage) and the audit log.
var workflowTables = []string{"meetings", "meeting_outcomes", "meeting_votes", "feedback", "approvals", "stage_changes", "audit_events"}

// WorkflowRowCounts counts the rows of every workflow table, so tests can
// prove a refused request wrote nothing.
func (db *DB) WorkflowRowCounts(ctx context.Context) (map[string]int, error) {
	return db.countRows(ctx, workflowTables)
}
