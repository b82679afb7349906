package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/desk"
	"github.com/moudesk/moudesk/internal/workflow"
)

// Oversight rows (migration 019): monitoring outcomes with their votes and
// the status updates of obligations given at monitoring meetings.

func (t deskTx) ObligationMOU(ctx context.Context, id int64) (int64, error) {
	var mouID int64
	err := t.tx.QueryRowContext(ctx, "SELECT mou_id FROM obligations WHERE id = ?", id).Scan(&mouID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, moudesk.ErrNotFound(fmt.Sprintf("obligation %d", id))
	}
	if err != nil {
		return 0, fmt.Errorf("read obligation %d: %w", id, err)
	}
	return mouID, nil
}

func (t deskTx) InsertStatusUpdate(ctx context.Context, actor moudesk.Actor, meetingID int64, party string, u desk.NewStatusUpdate) (int64, error) {
	id, err := insertID(ctx, t.tx, `INSERT INTO obligation_status_updates (meeting_id, obligation_id, status, note, party, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, meetingID, u.Obligation, u.Status, u.Note, party, actor.Author(), t.tx.Now())
	if isUnique(err) {
		return 0, moudesk.Errorf(moudesk.KindConflict, "status_recorded", "meeting %d already gave obligation %d a status", meetingID, u.Obligation)
	}
	if err != nil {
		return 0, storageError("insert status update", err)
	}
	return id, nil
}

func (t deskTx) InsertMonitoringOutcome(ctx context.Context, actor moudesk.Actor, meetingID, mouID int64, n desk.NewOutcome, amendment *int64) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO monitoring_outcomes (meeting_id, mou_id, outcome, resolution, minutes, amendment_id, recorded_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, meetingID, mouID, n.Outcome, n.Resolution, n.Minutes, amendment, actor.Author(), t.tx.Now())
	if isUnique(err) {
		return moudesk.Errorf(moudesk.KindConflict, "outcome_recorded", "meeting %d already has its outcome", meetingID)
	}
	if err != nil {
		return storageError("insert monitoring outcome", err)
	}
	for i, v := range n.Votes {
		if _, err := t.tx.ExecContext(ctx, "INSERT INTO monitoring_votes (meeting_id, position, member, vote) VALUES (?, ?, ?, ?)",
			meetingID, i+1, strings.TrimSpace(v.Member), v.Vote); err != nil {
			return storageError("insert vote", err)
		}
	}
	return nil
}

// readMonitoringOutcome fills m.Outcome from monitoring_outcomes when the
// meeting was a monitoring one with its outcome recorded: from and to are
// the meeting's stage, since the agreement does not move.
func readMonitoringOutcome(ctx context.Context, q queryer, m *desk.Meeting) error {
	var o desk.Outcome
	var created string
	var amendment sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT outcome, resolution, minutes, amendment_id, recorded_by, created_at FROM monitoring_outcomes WHERE meeting_id = ?`, m.ID).
		Scan(&o.Outcome, &o.Resolution, &o.Minutes, &amendment, &o.RecordedBy, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read monitoring outcome of meeting %d: %w", m.ID, err)
	}
	o.CreatedAt = parseTime(created)
	o.FromStage, o.ToStage = m.Stage, m.Stage
	if amendment.Valid {
		o.Amendment = &amendment.Int64
	}
	rows, err := q.QueryContext(ctx, "SELECT member, vote FROM monitoring_votes WHERE meeting_id = ? ORDER BY position", m.ID)
	if err != nil {
		return fmt.Errorf("read votes of meeting %d: %w", m.ID, err)
	}
	o.Votes, err = collect(rows, "votes", func(r rowScanner) (*workflow.Vote, error) {
		var v workflow.Vote
		return &v, r.Scan(&v.Member, &v.Vote)
	})
	if err != nil {
		return err
	}
	m.Outcome = &o
	return nil
}

// readStatusUpdates fills m.StatusUpdates, in the order they were given.
func readStatusUpdates(ctx context.Context, q queryer, m *desk.Meeting) error {
	rows, err := q.QueryContext(ctx, `SELECT id, meeting_id, obligation_id, status, note, party, created_by, created_at
		FROM obligation_status_updates WHERE meeting_id = ? ORDER BY id`, m.ID)
	if err != nil {
		return fmt.Errorf("read status updates of meeting %d: %w", m.ID, err)
	}
	ups, err := collect(rows, "status updates", func(r rowScanner) (*desk.StatusUpdate, error) {
		var u desk.StatusUpdate
		var created string
		if err := r.Scan(&u.ID, &u.MeetingID, &u.ObligationID, &u.Status, &u.Note, &u.Party, &u.CreatedBy, &created); err != nil {
			return nil, err
		}
		u.CreatedAt = parseTime(created)
		return &u, nil
	})
	if err != nil {
		return err
	}
	if len(ups) > 0 {
		m.StatusUpdates = ups
	}
	return nil
}
