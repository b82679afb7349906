package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/moudesk/moudesk/internal/desk"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/workflow"
)

// Limits on free text (moudesk.CheckText).
const (
	maxShortText = moudesk.MaxShortText
	maxText      = moudesk.MaxText
)

func unprocessable(code, field, format string, args ...any) *moudesk.Error {
	return &moudesk.Error{Kind: moudesk.KindUnprocessable, Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

func invalidInput(code, field, format string, args ...any) *moudesk.Error {
	return &moudesk.Error{Kind: moudesk.KindInvalid, Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// checkText refuses text the store will not keep (moudesk.CheckText).
func checkText(field, s string, max int, required bool) error {
	return moudesk.CheckText(field, s, max, required)
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

// readMeetingRow is a meeting's row read inside a transaction, where
// and when its latest schedule (016) says.
func readMeetingRow(ctx context.Context, q queryer, id int64) (*desk.Meeting, error) {
	var m desk.Meeting
	var created, updated string
	err := q.QueryRowContext(ctx, `SELECT m.id, m.mou_id, m.body, m.stage, coalesce(s.date, m.date), coalesce(s.location, m.location), m.agenda_item,
			m.revision, r.content_hash, m.created_by, m.created_at, coalesce(s.sequence, 0), coalesce(s.created_at, m.created_at)
		FROM meetings m JOIN revisions r ON r.mou_id = m.mou_id AND r.revision = m.revision
		LEFT JOIN meeting_schedules s ON s.meeting_id = m.id AND s.sequence = (SELECT max(sequence) FROM meeting_schedules WHERE meeting_id = m.id)
		WHERE m.id = ?`, id).
		Scan(&m.ID, &m.MOUID, &m.Body, &m.Stage, &m.Date, &m.Location, &m.AgendaItem, &m.Revision, &m.ContentHash, &m.CreatedBy, &created, &m.Sequence, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, moudesk.ErrNotFound(fmt.Sprintf("meeting %d", id))
	}
	if err != nil {
		return nil, fmt.Errorf("read meeting %d: %w", id, err)
	}
	m.CreatedAt, m.UpdatedAt = parseTime(created), parseTime(updated)
	return &m, nil
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

const feedbackCols = `id, meeting_id, mou_id, section_key, text, quote, status, resolved_revision, decline_reason, created_by, created_party, created_at, closed_by, closed_at`

func scanFeedback(r rowScanner) (*desk.Feedback, error) {
	var f desk.Feedback
	var resolved sql.NullInt64
	var created string
	var closedBy, closedAt sql.NullString
	if err := r.Scan(&f.ID, &f.MeetingID, &f.MOUID, &f.Section, &f.Text, &f.Quote, &f.Status, &resolved, &f.DeclineReason,
		&f.CreatedBy, &f.CreatedParty, &created, &closedBy, &closedAt); err != nil {
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

// readOutcome fills m.Outcome (with votes) when one was recorded, a
// review outcome or a monitoring one, and a monitoring meeting's status
// updates.
func readOutcome(ctx context.Context, q queryer, m *desk.Meeting) error {
	if err := readStatusUpdates(ctx, q, m); err != nil {
		return err
	}
	var o desk.Outcome
	var created string
	err := q.QueryRowContext(ctx, `SELECT outcome, resolution, minutes, from_stage, to_stage, recorded_by, created_at FROM meeting_outcomes WHERE meeting_id = ?`, m.ID).
		Scan(&o.Outcome, &o.Resolution, &o.Minutes, &o.FromStage, &o.ToStage, &o.RecordedBy, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return readMonitoringOutcome(ctx, q, m)
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
var workflowTables = []string{"meetings", "meeting_outcomes", "meeting_votes", "feedback", "approvals", "stage_changes", "audit_events", "notifications",
	"monitoring_outcomes", "monitoring_votes", "obligation_status_updates"}

// WorkflowRowCounts counts the rows of every workflow table, so tests can
// prove a refused request wrote nothing.
func (db *DB) WorkflowRowCounts(ctx context.Context) (map[string]int, error) {
	return db.countRows(ctx, workflowTables)
}
