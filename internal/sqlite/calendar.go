package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/desk"
)

// InsertSchedule appends the meeting's next schedule (016): its new date
// and place, numbered one above the last.
func (t deskTx) InsertSchedule(ctx context.Context, actor moudesk.Actor, meetingID int64, mv desk.MeetingMove) (int, error) {
	var seq int
	if err := t.tx.QueryRowContext(ctx, "SELECT coalesce(max(sequence), 0) + 1 FROM meeting_schedules WHERE meeting_id = ?", meetingID).Scan(&seq); err != nil {
		return 0, fmt.Errorf("read schedule of meeting %d: %w", meetingID, err)
	}
	_, err := t.tx.ExecContext(ctx, `INSERT INTO meeting_schedules (meeting_id, sequence, date, location, note, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, meetingID, seq, mv.Date, mv.Location, mv.Note, actor.Author(), t.tx.Now())
	if err != nil {
		return 0, storageError("insert meeting schedule", err)
	}
	return seq, nil
}

// CalendarMeetings lists the meetings of the MOUs the scope names, newest
// first, each with its outcome (no feedback: a calendar does not show
// it), at most limit of them.
func (db *DB) CalendarMeetings(ctx context.Context, scope desk.CalendarScope, limit int) ([]desk.Meeting, error) {
	q := "SELECT m.id FROM meetings m JOIN mous u ON u.id = m.mou_id WHERE 1 = 1"
	var args []any
	if scope.Party != "" {
		q += " AND m.mou_id IN (SELECT mp.mou_id FROM mou_parties mp JOIN parties p ON p.id = mp.party_id WHERE p.slug = ?)"
		args = append(args, scope.Party)
	}
	if scope.MOUID != 0 {
		q += " AND m.mou_id = ?"
		args = append(args, scope.MOUID)
	}
	if scope.ExecutedOnly {
		q += " AND u.executed_revision IS NOT NULL"
	}
	q += " ORDER BY m.id DESC LIMIT ?"
	args = append(args, sqlLimit(limit))
	out := []desk.Meeting{}
	err := db.view(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("list calendar meetings: %w", err)
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
			return fmt.Errorf("list calendar meetings: %w", err)
		}
		for _, id := range ids {
			m, err := readMeetingRow(ctx, tx, id)
			if err != nil {
				return err
			}
			if err := readOutcome(ctx, tx, m); err != nil {
				return err
			}
			out = append(out, *m)
		}
		return nil
	})
	return out, err
}

const feedCols = "id, user_id, label, created_at, revoked_at"

func scanFeed(r rowScanner) (*desk.CalendarFeed, error) {
	var f desk.CalendarFeed
	var created string
	var revoked sql.NullString
	if err := r.Scan(&f.ID, &f.UserID, &f.Label, &created, &revoked); err != nil {
		return nil, err
	}
	f.CreatedAt = parseTime(created)
	if revoked.Valid {
		t := parseTime(revoked.String)
		f.RevokedAt = &t
	}
	return &f, nil
}

// CreateCalendarFeed stores a feed URL's token hash for user userID.
func (db *DB) CreateCalendarFeed(ctx context.Context, actor moudesk.Actor, userID int64, label, tokenHash string) (*desk.CalendarFeed, error) {
	if err := checkText("label", label, maxShortText, false); err != nil {
		return nil, err
	}
	var f *desk.CalendarFeed
	err := db.update(ctx, func(tx *Tx) error {
		id, err := insertID(ctx, tx, "INSERT INTO calendar_feeds (user_id, token_hash, label, created_at) VALUES (?, ?, ?, ?)", userID, tokenHash, label, tx.Now())
		if err != nil {
			return storageError("insert calendar feed", err)
		}
		f = &desk.CalendarFeed{ID: id, UserID: userID, Label: label, CreatedAt: tx.now.UTC()}
		return tx.audit(ctx, actor, "calendar_feed.create", fmt.Sprintf("calendar_feed:%d", id), map[string]any{"label": label})
	})
	return f, err
}

// CalendarFeeds lists user userID's feed URLs, revoked ones too, oldest
// first.
func (db *DB) CalendarFeeds(ctx context.Context, userID int64) ([]desk.CalendarFeed, error) {
	rows, err := db.read.QueryContext(ctx, "SELECT "+feedCols+" FROM calendar_feeds WHERE user_id = ? ORDER BY id", userID)
	if err != nil {
		return nil, fmt.Errorf("list calendar feeds: %w", err)
	}
	defer rows.Close()
	out := []desk.CalendarFeed{}
	for rows.Next() {
		f, err := scanFeed(rows)
		if err != nil {
			return nil, fmt.Errorf("scan calendar feed: %w", err)
		}
		out = append(out, *f)
	}
	return out, rows.Err()
}

// RevokeCalendarFeed ends user userID's feed URL id; another user's feed
// is not found. Revoking twice is not an error.
func (db *DB) RevokeCalendarFeed(ctx context.Context, actor moudesk.Actor, userID, id int64) error {
	return db.update(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE calendar_feeds SET revoked_at = coalesce(revoked_at, ?) WHERE id = ? AND user_id = ?", tx.Now(), id, userID)
		if err != nil {
			return storageError("revoke calendar feed", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return moudesk.ErrNotFound(fmt.Sprintf("calendar feed %d", id))
		}
		return tx.audit(ctx, actor, "calendar_feed.revoke", fmt.Sprintf("calendar_feed:%d", id), nil)
	})
}

// CalendarFeedUser is the user a live feed token reads for: unknown,
// revoked or of a disabled user → not found (a feed URL is not a sign-in,
// and a calendar client shows any failure the same way).
func (db *DB) CalendarFeedUser(ctx context.Context, tokenHash string) (*desk.User, error) {
	var revoked sql.NullString
	u, err := scanUser(db.read.QueryRowContext(ctx, "SELECT "+userCols+", f.revoked_at"+userFrom+
		"JOIN calendar_feeds f ON f.user_id = u.id WHERE f.token_hash = ?", tokenHash), &revoked)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (revoked.Valid || u.Disabled)) {
		return nil, moudesk.ErrNotFound("calendar feed")
	}
	if err != nil {
		return nil, fmt.Errorf("read calendar feed: %w", err)
	}
	return u, nil
}
