package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/desk"
)

const webhookCols = `w.id, p.slug, w.url, w.events, w.secret, w.audit_seq, w.created_by, w.created_at, w.disabled_at`

const webhookFrom = ` FROM webhooks w JOIN parties p ON p.id = w.party_id `

func scanWebhook(r rowScanner) (*desk.Webhook, error) {
	var w desk.Webhook
	var events, created string
	var disabled sql.NullString
	if err := r.Scan(&w.ID, &w.Party, &w.URL, &events, &w.Secret, &w.AuditSeq, &w.CreatedBy, &created, &disabled); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(events), &w.Events); err != nil {
		return nil, fmt.Errorf("stored events of webhook %d: %w", w.ID, err)
	}
	w.CreatedAt = parseTime(created)
	if disabled.Valid {
		t := parseTime(disabled.String)
		w.DisabledAt = &t
	}
	return &w, nil
}

func (db *DB) queryWebhooks(ctx context.Context, where string, args ...any) ([]desk.Webhook, error) {
	rows, err := db.read.QueryContext(ctx, "SELECT "+webhookCols+webhookFrom+where+" ORDER BY w.id", args...)
	if err != nil {
		return nil, fmt.Errorf("list webhooks: %w", err)
	}
	defer rows.Close()
	out := []desk.Webhook{}
	for rows.Next() {
		w, err := scanWebhook(rows)
		if err != nil {
			return nil, fmt.Errorf("scan webhook: %w", err)
		}
		out = append(out, *w)
	}
	return out, rows.Err()
}

// Webhooks lists a party's webhooks, oldest first.
func (db *DB) Webhooks(ctx context.Context, party string) ([]desk.Webhook, error) {
	return db.queryWebhooks(ctx, "WHERE p.slug = ?", party)
}

// LiveWebhooks lists the webhooks not disabled.
func (db *DB) LiveWebhooks(ctx context.Context) ([]desk.Webhook, error) {
	return db.queryWebhooks(ctx, "WHERE w.disabled_at IS NULL")
}

// Webhook is one webhook.
func (db *DB) Webhook(ctx context.Context, id int64) (*desk.Webhook, error) {
	w, err := scanWebhook(db.read.QueryRowContext(ctx, "SELECT "+webhookCols+webhookFrom+"WHERE w.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, moudesk.ErrNotFound(fmt.Sprintf("webhook %d", id))
	}
	if err != nil {
		return nil, fmt.Errorf("read webhook %d: %w", id, err)
	}
	return w, nil
}

// CreateWebhook stores w with its cursor at the audit log's head, so it
// hears of acts from its registration on; audited as webhook.create
// (without the secret).
func (db *DB) CreateWebhook(ctx context.Context, actor moudesk.Actor, w desk.Webhook) (*desk.Webhook, error) {
	events, err := json.Marshal(w.Events)
	if err != nil {
		return nil, fmt.Errorf("webhook events: %w", err)
	}
	var id int64
	err = db.update(ctx, func(tx *Tx) error {
		var err error
		id, err = insertID(ctx, tx, `INSERT INTO webhooks (party_id, url, events, secret, audit_seq, created_by, created_at)
			VALUES ((SELECT id FROM parties WHERE slug = ?), ?, ?, ?, (SELECT coalesce(max(seq), 0) FROM audit_events), ?, ?)`,
			w.Party, w.URL, string(events), w.Secret, actor.Author(), tx.Now())
		if err != nil {
			return storageError("insert webhook", err)
		}
		return tx.audit(ctx, actor, "webhook.create", fmt.Sprintf("webhook:%d", id), map[string]any{"url": w.URL, "events": w.Events, "party": w.Party})
	})
	if err != nil {
		return nil, err
	}
	return db.Webhook(ctx, id)
}

// DisableWebhook disables webhook id; twice is not an error.
func (db *DB) DisableWebhook(ctx context.Context, actor moudesk.Actor, id int64) error {
	return db.update(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE webhooks SET disabled_at = coalesce(disabled_at, ?) WHERE id = ?", tx.Now(), id)
		if err != nil {
			return storageError("disable webhook", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return moudesk.ErrNotFound(fmt.Sprintf("webhook %d", id))
		}
		return tx.audit(ctx, actor, "webhook.disable", fmt.Sprintf("webhook:%d", id), nil)
	})
}

const deliveryCols = `d.id, d.webhook_id, d.audit_seq, d.event, d.mou_id, d.body, d.state, d.attempts, d.next_attempt_at, d.created_at, d.delivered_at`

func scanDelivery(r rowScanner, extra ...any) (*desk.WebhookDelivery, error) {
	var d desk.WebhookDelivery
	var body, next, created string
	var delivered sql.NullString
	dest := append([]any{&d.ID, &d.WebhookID, &d.EventID, &d.Event, &d.MOUID, &body, &d.State, &d.Attempts, &next, &created, &delivered}, extra...)
	if err := r.Scan(dest...); err != nil {
		return nil, err
	}
	d.Body = json.RawMessage(body)
	d.CreatedAt = parseTime(created)
	if d.State == desk.DeliveryPending {
		t := parseTime(next)
		d.NextAttemptAt = &t
	}
	if delivered.Valid {
		t := parseTime(delivered.String)
		d.DeliveredAt = &t
	}
	d.AttemptLog = []desk.WebhookAttempt{}
	return &d, nil
}

// WebhookDeliveries lists a webhook's deliveries, newest first, with
// their attempts, read in one snapshot.
func (db *DB) WebhookDeliveries(ctx context.Context, webhookID int64, limit int) ([]desk.WebhookDelivery, error) {
	out := []desk.WebhookDelivery{}
	err := db.view(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, "SELECT "+deliveryCols+" FROM webhook_deliveries d WHERE d.webhook_id = ? ORDER BY d.id DESC LIMIT ?", webhookID, sqlLimit(limit))
		if err != nil {
			return fmt.Errorf("list deliveries: %w", err)
		}
		for rows.Next() {
			d, err := scanDelivery(rows)
			if err != nil {
				rows.Close()
				return fmt.Errorf("scan delivery: %w", err)
			}
			out = append(out, *d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("list deliveries: %w", err)
		}
		for i := range out {
			if out[i].AttemptLog, err = attempts(ctx, tx, out[i].ID); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

func attempts(ctx context.Context, q queryer, deliveryID int64) ([]desk.WebhookAttempt, error) {
	rows, err := q.QueryContext(ctx, `SELECT attempt, started_at, status_code, response, error, duration_ms
		FROM webhook_attempts WHERE delivery_id = ? ORDER BY attempt`, deliveryID)
	if err != nil {
		return nil, fmt.Errorf("list attempts: %w", err)
	}
	defer rows.Close()
	out := []desk.WebhookAttempt{}
	for rows.Next() {
		var a desk.WebhookAttempt
		var started string
		var status sql.NullInt64
		if err := rows.Scan(&a.Attempt, &started, &status, &a.Response, &a.Error, &a.DurationMS); err != nil {
			return nil, fmt.Errorf("scan attempt: %w", err)
		}
		a.StartedAt = parseTime(started)
		if status.Valid {
			n := int(status.Int64)
			a.StatusCode = &n
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// DueWebhookDeliveries are the pending deliveries of live webhooks due at
// now, oldest first.
func (db *DB) DueWebhookDeliveries(ctx context.Context, now time.Time, limit int) ([]desk.DueDelivery, error) {
	rows, err := db.read.QueryContext(ctx, "SELECT "+deliveryCols+`, w.url, w.secret
		FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
		WHERE d.state = 'pending' AND d.next_attempt_at <= ? AND w.disabled_at IS NULL
		ORDER BY d.next_attempt_at, d.id LIMIT ?`, now.UTC().Format(timeFormat), sqlLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("list due deliveries: %w", err)
	}
	defer rows.Close()
	var out []desk.DueDelivery
	for rows.Next() {
		var dd desk.DueDelivery
		d, err := scanDelivery(rows, &dd.URL, &dd.Secret)
		if err != nil {
			return nil, fmt.Errorf("scan due delivery: %w", err)
		}
		dd.WebhookDelivery = *d
		out = append(out, dd)
	}
	return out, rows.Err()
}

func (t deskTx) AdvanceWebhook(ctx context.Context, id, from, to int64) (bool, error) {
	res, err := t.tx.ExecContext(ctx, "UPDATE webhooks SET audit_seq = ? WHERE id = ? AND audit_seq = ?", to, id, from)
	if err != nil {
		return false, storageError("advance webhook", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

func (t deskTx) InsertWebhookDelivery(ctx context.Context, d desk.WebhookDelivery, due time.Time) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO webhook_deliveries (webhook_id, audit_seq, event, mou_id, body, next_attempt_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (webhook_id, audit_seq) DO NOTHING`,
		d.WebhookID, d.EventID, d.Event, d.MOUID, string(d.Body), due.UTC().Format(timeFormat), t.tx.Now())
	if err != nil {
		return storageError("insert webhook delivery", err)
	}
	return nil
}

func (t deskTx) RecordWebhookAttempt(ctx context.Context, deliveryID int64, a desk.WebhookAttempt, state string, next time.Time) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO webhook_attempts (delivery_id, attempt, started_at, status_code, response, error, duration_ms)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, deliveryID, a.Attempt, a.StartedAt.UTC().Format(timeFormat), a.StatusCode, a.Response, a.Error, a.DurationMS)
	if err != nil {
		return storageError("insert webhook attempt", err)
	}
	var delivered any
	if state == desk.DeliveryDelivered {
		delivered = a.StartedAt.UTC().Format(timeFormat)
	}
	nextAt := ""
	if !next.IsZero() {
		nextAt = next.UTC().Format(timeFormat)
	}
	res, err := t.tx.ExecContext(ctx, `UPDATE webhook_deliveries SET state = ?, attempts = ?, next_attempt_at = ?, delivered_at = ?
		WHERE id = ? AND state = 'pending' AND attempts = ?`, state, a.Attempt, nextAt, delivered, deliveryID, a.Attempt-1)
	if err != nil {
		return storageError("update webhook delivery", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return moudesk.Errorf(moudesk.KindConflict, "delivery_changed", "delivery %d was attempted meanwhile", deliveryID)
	}
	return nil
}

// webhookTables are the tables of webhooks and their deliveries.
var webhookTables = []string{"webhooks", "webhook_deliveries", "webhook_attempts", "audit_events"}

// WebhookRowCounts counts the rows of webhookTables, for tests that show
// a refused registration wrote nothing (not even an audit event).
func (db *DB) WebhookRowCounts(ctx context.Context) (map[string]int, error) {
	return db.countRows(ctx, webhookTables)
}
