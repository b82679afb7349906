package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/desk"
	"github.com/moudesk/moudesk/internal/mou"
	"github.com/moudesk/moudesk/internal/workflow"
)

// Update runs fn in one write transaction for the service, which decides
// inside it; see desk.Tx.
func (db *DB) Update(ctx context.Context, fn func(desk.Tx) error) error {
	return db.update(ctx, func(tx *Tx) error { return fn(deskTx{tx}) })
}

// deskTx is a write transaction as the service sees it: reads and plain
// writes, no rules.
type deskTx struct{ tx *Tx }

func (t deskTx) Now() time.Time { return t.tx.now.UTC() }

func (t deskTx) MOUState(ctx context.Context, mouID int64) (desk.MOUState, error) {
	s := desk.MOUState{ID: mouID}
	var executed sql.NullInt64
	err := t.tx.QueryRowContext(ctx, `SELECT m.workflow, m.workflow_version, m.stage, m.current_revision, r.content_hash, m.executed_revision
		FROM mous m JOIN revisions r ON r.mou_id = m.id AND r.revision = m.current_revision WHERE m.id = ?`, mouID).
		Scan(&s.Workflow, &s.WorkflowVersion, &s.Stage, &s.Current, &s.ContentHash, &executed)
	if errors.Is(err, sql.ErrNoRows) {
		return s, moudesk.ErrNotFound(fmt.Sprintf("MOU %d", mouID))
	}
	if err != nil {
		return s, fmt.Errorf("read MOU %d: %w", mouID, err)
	}
	s.Executed = int(executed.Int64)
	rows, err := t.tx.QueryContext(ctx, "SELECT role FROM mou_parties WHERE mou_id = ? ORDER BY role", mouID)
	if err != nil {
		return s, fmt.Errorf("read MOU %d's parties: %w", mouID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var role string
		if err := rows.Scan(&role); err != nil {
			return s, fmt.Errorf("read MOU %d's parties: %w", mouID, err)
		}
		s.Roles = append(s.Roles, role)
	}
	return s, rows.Err()
}

func (t deskTx) LiveApprovals(ctx context.Context, mouID int64) ([]workflow.Approval, error) {
	return liveApprovals(ctx, t.tx, mouID)
}

func (t deskTx) ApprovalRecords(ctx context.Context, mouID int64) ([]desk.ApprovalRecord, error) {
	return readApprovalRecords(ctx, t.tx, mouID)
}

func (t deskTx) Signatories(ctx context.Context, mouID int64, revision int) ([]desk.Signatory, error) {
	return readSignatories(ctx, t.tx, mouID, revision)
}

func (t deskTx) LatestSigningDocument(ctx context.Context, mouID int64, revision int) (*desk.SigningDocument, error) {
	return latestSigningDocument(ctx, t.tx, mouID, revision)
}

func (t deskTx) SigningPrepared(ctx context.Context, mouID int64, revision int) (bool, error) {
	return hasSigningDocuments(ctx, t.tx, mouID, revision)
}

func (t deskTx) UserByEmail(ctx context.Context, email string) (*desk.User, error) {
	u, err := scanUser(t.tx.QueryRowContext(ctx, "SELECT "+userCols+userFrom+"WHERE u.email = ?", email))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, moudesk.ErrNotFound("user")
	}
	if err != nil {
		return nil, fmt.Errorf("read user: %w", err)
	}
	return u, nil
}

func (t deskTx) PutSignatory(ctx context.Context, actor moudesk.Actor, mouID int64, line int, l mou.SignatureLine, userID int64) error {
	return t.tx.putSignatory(ctx, actor, mouID, line, l, userID)
}

func (t deskTx) InsertSigningDocument(ctx context.Context, d desk.SigningDocument) error {
	return t.tx.insertDocument(ctx, d.MOUID, d.Revision, d.Seq, d.Kind, d.ContentHash, d.PDF)
}

func (t deskTx) InsertSignature(ctx context.Context, s desk.Signature) error {
	for _, f := range []struct{ name, v string }{{"typed_name", s.TypedName}, {"consent_text", s.ConsentText}, {"user_agent", s.UserAgent}} {
		if err := checkText(f.name, f.v, maxText, false); err != nil {
			return err
		}
	}
	_, err := t.tx.ExecContext(ctx, `INSERT INTO signatures (mou_id, revision, line, content_hash, user_id, name, title, party_name, typed_name,
		consent_text, client_addr, user_agent, document_seq, signed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.MOUID, s.Revision, s.Line, s.ContentHash, s.UserID, s.Name, s.Title, s.PartyName, s.TypedName,
		s.ConsentText, s.ClientAddr, s.UserAgent, s.DocumentSeq, t.tx.Now())
	if isUnique(err) {
		return moudesk.Errorf(moudesk.KindConflict, "already_signed", "line %d of MOU %d is already signed", s.Line, s.MOUID)
	}
	if err != nil {
		return storageError("insert signature", err)
	}
	return nil
}

func (t deskTx) MarkExecuted(ctx context.Context, mouID int64, revision int) error {
	res, err := t.tx.ExecContext(ctx, "UPDATE mous SET executed_revision = ?, executed_at = ? WHERE id = ? AND executed_revision IS NULL", revision, t.tx.Now(), mouID)
	if err != nil {
		return storageError("mark executed", err)
	}
	if k, _ := res.RowsAffected(); k != 1 {
		return moudesk.Errorf(moudesk.KindConflict, "already_executed", "MOU %d was executed already", mouID)
	}
	return nil
}

func (t deskTx) SetStage(ctx context.Context, actor moudesk.Actor, m desk.StageMove) error {
	return t.tx.setStage(ctx, actor, m.MOUID, m.From, m.To, m.Cause, m.MeetingID, m.Revision, m.Note)
}

func (t deskTx) Audit(ctx context.Context, actor moudesk.Actor, action, object string, details any) error {
	return t.tx.audit(ctx, actor, action, object, details)
}

func (t deskTx) OpenFeedback(ctx context.Context, mouID int64) (int, error) {
	return openFeedback(ctx, t.tx, mouID)
}

func (t deskTx) Feedback(ctx context.Context, id int64) (*desk.Feedback, error) {
	f, err := scanFeedback(t.tx.QueryRowContext(ctx, "SELECT "+feedbackCols+" FROM feedback WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, moudesk.ErrNotFound(fmt.Sprintf("feedback %d", id))
	}
	if err != nil {
		return nil, fmt.Errorf("read feedback %d: %w", id, err)
	}
	return f, nil
}

func (t deskTx) SectionHash(ctx context.Context, mouID int64, revision int, key string) (string, error) {
	return sectionHash(ctx, t.tx, mouID, revision, key)
}

func (t deskTx) InsertFeedback(ctx context.Context, actor moudesk.Actor, f desk.NewFeedback) (int64, error) {
	id, err := insertID(ctx, t.tx, `INSERT INTO feedback (meeting_id, mou_id, section_key, text, quote, created_by, created_party, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, f.MeetingID, f.MOUID, f.Section, f.Text, f.Quote, actor.Author(), actor.Party, t.tx.Now())
	if err != nil {
		return 0, storageError("insert feedback", err)
	}
	return id, nil
}

func (t deskTx) CloseFeedback(ctx context.Context, actor moudesk.Actor, id int64, c desk.FeedbackClose) error {
	var resolved any
	if c.Revision > 0 {
		resolved = c.Revision
	}
	res, err := t.tx.ExecContext(ctx, `UPDATE feedback SET status = ?, resolved_revision = ?, decline_reason = ?, closed_by = ?, closed_at = ?
		WHERE id = ? AND status = 'open'`, c.Status, resolved, c.Reason, actor.Author(), t.tx.Now(), id)
	if err != nil {
		return storageError("close feedback", err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return moudesk.Errorf(moudesk.KindConflict, "feedback_closed", "feedback %d is no longer open", id)
	}
	return nil
}

func (t deskTx) LastOutcome(ctx context.Context, mouID int64) (*workflow.LastOutcome, error) {
	var (
		cause                string
		stage, body, outcome sql.NullString
		revision             sql.NullInt64
	)
	err := t.tx.QueryRowContext(ctx, `SELECT c.cause, mt.stage, mt.body, o.outcome, mt.revision
		FROM stage_changes c
		LEFT JOIN meetings mt ON mt.id = c.meeting_id
		LEFT JOIN meeting_outcomes o ON o.meeting_id = c.meeting_id
		WHERE c.mou_id = ? ORDER BY c.id DESC LIMIT 1`, mouID).
		Scan(&cause, &stage, &body, &outcome, &revision)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read MOU %d's last stage change: %w", mouID, err)
	}
	if cause != "outcome" || !body.Valid || !outcome.Valid {
		return nil, nil
	}
	return &workflow.LastOutcome{Stage: stage.String, Body: body.String, Outcome: outcome.String, Revision: int(revision.Int64)}, nil
}

func (t deskTx) Meeting(ctx context.Context, id int64) (*desk.Meeting, error) {
	return readMeetingRow(ctx, t.tx, id)
}

func (t deskTx) HasOutcome(ctx context.Context, meetingID int64) (bool, error) {
	var one int
	err := t.tx.QueryRowContext(ctx, `SELECT 1 FROM meeting_outcomes WHERE meeting_id = ?
		UNION ALL SELECT 1 FROM monitoring_outcomes WHERE meeting_id = ? LIMIT 1`, meetingID, meetingID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read outcome of meeting %d: %w", meetingID, err)
	}
	return true, nil
}

func (t deskTx) InsertMeeting(ctx context.Context, actor moudesk.Actor, mouID int64, stage string, n desk.NewMeeting) (int64, error) {
	id, err := insertID(ctx, t.tx, `INSERT INTO meetings (mou_id, body, stage, date, location, agenda_item, revision, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, mouID, n.Body, stage, n.Date, n.Location, n.AgendaItem, n.Revision, actor.Author(), t.tx.Now())
	if err != nil {
		return 0, storageError("insert meeting", err)
	}
	return id, nil
}

func (t deskTx) InsertOutcome(ctx context.Context, actor moudesk.Actor, meetingID int64, n desk.NewOutcome, from, to string) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO meeting_outcomes (meeting_id, outcome, resolution, minutes, from_stage, to_stage, recorded_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, meetingID, n.Outcome, n.Resolution, n.Minutes, from, to, actor.Author(), t.tx.Now())
	if isUnique(err) {
		return moudesk.Errorf(moudesk.KindConflict, "outcome_recorded", "meeting %d already has its outcome", meetingID)
	}
	if err != nil {
		return storageError("insert outcome", err)
	}
	for i, v := range n.Votes {
		_, err := t.tx.ExecContext(ctx, "INSERT INTO meeting_votes (meeting_id, position, member, vote) VALUES (?, ?, ?, ?)",
			meetingID, i+1, strings.TrimSpace(v.Member), v.Vote)
		if err != nil {
			return storageError("insert vote", err)
		}
	}
	return nil
}

func (t deskTx) InsertApproval(ctx context.Context, meetingID, mouID int64, a workflow.Approval) error {
	_, err := t.tx.ExecContext(ctx, "INSERT INTO approvals (meeting_id, mou_id, body, content_hash, created_at) VALUES (?, ?, ?, ?, ?)",
		meetingID, mouID, a.Body, a.ContentHash, t.tx.Now())
	if err != nil {
		return storageError("insert approval", err)
	}
	return nil
}

func (t deskTx) MarkApprovalsStale(ctx context.Context, mouID int64) (int64, error) {
	res, err := t.tx.ExecContext(ctx, "UPDATE approvals SET stale_at = ? WHERE mou_id = ? AND stale_at IS NULL", t.tx.Now(), mouID)
	if err != nil {
		return 0, storageError("mark approvals stale", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}
