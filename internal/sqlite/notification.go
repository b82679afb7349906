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
)

// The outbox (migration 015): notifications, one row per recipient per
// event, and each user's mail preferences. The service decides who is told
// what and when; these only store and claim.

const notificationCols = `n.id, n.user_id, n.kind, n.mou_id, n.subject, n.body, n.link, n.created_at, n.read_at, n.mail_state, n.attempts,
	n.next_attempt_at, n.last_error, n.sent_at, n.digest_key, n.idem_key`

func scanNotification(r rowScanner, extra ...any) (*desk.Notification, error) {
	var (
		n                  desk.Notification
		mouID              sql.NullInt64
		created            string
		read, next, sentAt sql.NullString
	)
	dest := append([]any{&n.ID, &n.UserID, &n.Kind, &mouID, &n.Subject, &n.Text, &n.Link, &created, &read, &n.Mail, &n.Attempts,
		&next, &n.LastError, &sentAt, &n.DigestKey, &n.Key}, extra...)
	if err := r.Scan(dest...); err != nil {
		return nil, err
	}
	n.MOUID = mouID.Int64
	n.CreatedAt = parseTime(created)
	n.ReadAt, n.NextAttemptAt, n.SentAt = nullTime(read), nullTime(next), nullTime(sentAt)
	n.Read = n.ReadAt != nil
	return &n, nil
}

func nullTime(s sql.NullString) *time.Time {
	if !s.Valid {
		return nil
	}
	t := parseTime(s.String)
	return &t
}

func (t deskTx) Recipients(ctx context.Context, q desk.RecipientQuery) ([]desk.Recipient, error) {
	var where []string
	var args []any
	if len(q.UserIDs) > 0 {
		where = append(where, "u.id IN ("+placeholders(len(q.UserIDs))+")")
		for _, id := range q.UserIDs {
			args = append(args, id)
		}
	}
	if len(q.Parties) > 0 {
		cond := "p.slug IN (" + placeholders(len(q.Parties)) + ")"
		for _, s := range q.Parties {
			args = append(args, s)
		}
		if len(q.Roles) > 0 {
			cond += " AND EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role IN (" + placeholders(len(q.Roles)) + "))"
			for _, r := range q.Roles {
				args = append(args, string(r))
			}
		}
		where = append(where, "("+cond+")")
	}
	if len(where) == 0 {
		return []desk.Recipient{}, nil
	}
	rows, err := t.tx.QueryContext(ctx, `SELECT u.id, u.email, u.name FROM users u LEFT JOIN parties p ON p.id = u.party_id
		WHERE u.disabled = 0 AND u.password_hash != '' AND (`+strings.Join(where, " OR ")+`) ORDER BY u.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("read recipients: %w", err)
	}
	out, err := collect(rows, "recipients", func(r rowScanner) (*desk.Recipient, error) {
		var rc desk.Recipient
		return &rc, r.Scan(&rc.UserID, &rc.Email, &rc.Name)
	})
	if err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Prefs, err = readPrefs(ctx, t.tx, out[i].UserID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

func readPrefs(ctx context.Context, q queryer, userID int64) (map[string]string, error) {
	rows, err := q.QueryContext(ctx, "SELECT kind, delivery FROM notification_prefs WHERE user_id = ?", userID)
	if err != nil {
		return nil, fmt.Errorf("read notification preferences of user %d: %w", userID, err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, fmt.Errorf("read notification preferences of user %d: %w", userID, err)
		}
		out[k] = v
	}
	return out, rows.Err()
}

func (t deskTx) InsertNotification(ctx context.Context, n desk.NewNotification) (bool, error) {
	var mouID, next any
	if n.MOUID != 0 {
		mouID = n.MOUID
	}
	if n.NextAttemptAt != nil {
		next = formatTime(*n.NextAttemptAt)
	}
	res, err := t.tx.ExecContext(ctx, `INSERT INTO notifications (user_id, kind, mou_id, subject, body, link, created_at, mail_state, next_attempt_at, idem_key)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (idem_key) DO NOTHING`,
		n.UserID, n.Kind, mouID, n.Subject, n.Text, n.Link, t.tx.Now(), n.Mail, next, n.Key)
	if err != nil {
		return false, storageError("insert notification", err)
	}
	k, _ := res.RowsAffected()
	return k == 1, nil
}

// Notifications lists a user's notifications, newest first.
func (db *DB) Notifications(ctx context.Context, userID int64, unread bool, after int64, limit int) ([]desk.Notification, error) {
	q := "SELECT " + notificationCols + " FROM notifications n WHERE n.user_id = ?"
	args := []any{userID}
	if unread {
		q += " AND n.read_at IS NULL"
	}
	if after > 0 {
		q += " AND n.id < ?"
		args = append(args, after)
	}
	q += " ORDER BY n.id DESC"
	if limit != desk.NoLimit {
		q += " LIMIT ?"
		args = append(args, limit)
	}
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list notifications: %w", err)
	}
	return collect(rows, "notifications", func(r rowScanner) (*desk.Notification, error) { return scanNotification(r) })
}

// UnreadNotifications counts a user's unread notifications.
func (db *DB) UnreadNotifications(ctx context.Context, userID int64) (int, error) {
	var n int
	if err := db.read.QueryRowContext(ctx, "SELECT count(*) FROM notifications WHERE user_id = ? AND read_at IS NULL", userID).Scan(&n); err != nil {
		return 0, fmt.Errorf("count unread notifications: %w", err)
	}
	return n, nil
}

// Notification is one notification; not found when there is none.
func (db *DB) Notification(ctx context.Context, id int64) (*desk.Notification, error) {
	n, err := scanNotification(db.read.QueryRowContext(ctx, "SELECT "+notificationCols+" FROM notifications n WHERE n.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, moudesk.ErrNotFound(fmt.Sprintf("notification %d", id))
	}
	if err != nil {
		return nil, fmt.Errorf("read notification %d: %w", id, err)
	}
	return n, nil
}

// MarkNotificationsRead marks the user's unread notifications ids (all
// when empty) read.
func (db *DB) MarkNotificationsRead(ctx context.Context, userID int64, ids []int64, now time.Time) (int64, error) {
	q := "UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL"
	args := []any{formatTime(now), userID}
	if len(ids) > 0 {
		q += " AND id IN (" + placeholders(len(ids)) + ")"
		for _, id := range ids {
			args = append(args, id)
		}
	}
	var n int64
	err := db.update(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return storageError("mark notifications read", err)
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return n, err
}

// NotificationPrefs are the user's stored preferences by kind.
func (db *DB) NotificationPrefs(ctx context.Context, userID int64) (map[string]string, error) {
	return readPrefs(ctx, db.read, userID)
}

// SetNotificationPrefs stores the user's preferences for the kinds named,
// audited as notification.prefs.
func (db *DB) SetNotificationPrefs(ctx context.Context, actor moudesk.Actor, userID int64, prefs map[string]string) error {
	return db.update(ctx, func(tx *Tx) error {
		for k, v := range prefs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO notification_prefs (user_id, kind, delivery) VALUES (?, ?, ?)
				ON CONFLICT (user_id, kind) DO UPDATE SET delivery = excluded.delivery`, userID, k, v); err != nil {
				return storageError("set notification preference", err)
			}
		}
		return tx.audit(ctx, actor, "notification.prefs", fmt.Sprintf("user:%d", userID), prefs)
	})
}

// ClaimMail claims due notifications for sending; see desk.MailQueue.
func (db *DB) ClaimMail(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]desk.OutgoingNotice, error) {
	at := formatTime(now)
	// Most passes find nothing due: a read answers them without taking
	// the writer.
	var due int
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM notifications
		WHERE mail_state IN ('pending', 'sending', 'digest') AND next_attempt_at <= ? LIMIT 1) due`, at).Scan(&due)
	if err != nil {
		return nil, fmt.Errorf("look for due mail: %w", err)
	}
	if due == 0 {
		return nil, nil
	}
	var out []desk.OutgoingNotice
	err = db.update(ctx, func(tx *Tx) error {
		out = nil
		day := now.UTC().Format("20060102")
		if _, err := tx.ExecContext(ctx, `UPDATE notifications SET mail_state = 'pending', digest_key = 'digest.u' || user_id || '.' || ?
			WHERE mail_state = 'digest' AND next_attempt_at <= ?`, day, at); err != nil {
			return storageError("gather digests", err)
		}
		rows, err := tx.QueryContext(ctx, "SELECT "+notificationCols+`, u.email, u.name FROM notifications n JOIN users u ON u.id = n.user_id
			WHERE n.mail_state IN ('pending', 'sending') AND n.next_attempt_at <= ? ORDER BY n.id LIMIT ?`, at, limit)
		if err != nil {
			return fmt.Errorf("read due mail: %w", err)
		}
		claimed, err := collect(rows, "due mail", func(r rowScanner) (*desk.OutgoingNotice, error) {
			var o desk.OutgoingNotice
			n, err := scanNotification(r, &o.Email, &o.Name)
			if err != nil {
				return nil, err
			}
			o.Notification = *n
			return &o, nil
		})
		if err != nil {
			return err
		}
		until := formatTime(now.Add(lease))
		for i := range claimed {
			o := &claimed[i]
			o.Attempts++
			o.Mail = desk.MailSending
			if _, err := tx.ExecContext(ctx, "UPDATE notifications SET mail_state = 'sending', attempts = ?, next_attempt_at = ? WHERE id = ?",
				o.Attempts, until, o.ID); err != nil {
				return storageError("claim mail", err)
			}
		}
		out = claimed
		return nil
	})
	return out, err
}

// FinishMail records the outcome of a send; see desk.MailQueue.
func (db *DB) FinishMail(ctx context.Context, claims []desk.MailClaim, r desk.MailResult) error {
	return db.update(ctx, func(tx *Tx) error {
		for _, c := range claims {
			var err error
			switch r.State {
			case desk.MailSent:
				_, err = tx.ExecContext(ctx, `UPDATE notifications SET mail_state = 'sent', sent_at = ?, next_attempt_at = NULL, last_error = ''
					WHERE id = ? AND mail_state = 'sending' AND attempts = ?`, formatTime(r.At), c.ID, c.Attempt)
			case desk.MailPending:
				// A row released unsent keeps the error of its last attempt.
				_, err = tx.ExecContext(ctx, `UPDATE notifications SET mail_state = 'pending', next_attempt_at = ?,
					last_error = CASE WHEN ? = '' THEN last_error ELSE ? END
					WHERE id = ? AND mail_state = 'sending' AND attempts = ?`, formatTime(r.Next), r.Error, r.Error, c.ID, c.Attempt)
			case desk.MailFailed:
				_, err = tx.ExecContext(ctx, `UPDATE notifications SET mail_state = 'failed', next_attempt_at = NULL, last_error = ?
					WHERE id = ? AND mail_state = 'sending' AND attempts = ?`, r.Error, c.ID, c.Attempt)
			default:
				return fmt.Errorf("mail state %q cannot end a send", r.State)
			}
			if err != nil {
				return storageError("record mail", err)
			}
		}
		return nil
	})
}
