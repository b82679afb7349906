package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/moudesk/moudesk/internal/desk"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/audit"
)

// genesisHash is the prev_hash of the first event.
const genesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// audit appends one event to the hash chain inside tx, so the event exists
// exactly when the change it records does. The single writer connection
// serialises appends, which keeps seq contiguous and the chain linear.
func (tx *Tx) audit(ctx context.Context, actor moudesk.Actor, action, object string, details any) error {
	raw, err := auditDetails(actor, details)
	if err != nil {
		return err
	}
	var seq int64
	prev := genesisHash
	err = tx.QueryRowContext(ctx, "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1").Scan(&seq, &prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("read audit chain head: %w", err)
	}
	ev, err := audit.Chain(prev, audit.Event{
		Seq:     seq + 1,
		Time:    tx.now.UTC().Truncate(time.Microsecond),
		Actor:   actor.String(),
		Action:  action,
		Object:  object,
		Details: raw,
	})
	if err != nil {
		return fmt.Errorf("chain audit event: %w", err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO audit_events (seq, time, actor, action, object, details, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		ev.Seq, formatTime(ev.Time), ev.Actor, ev.Action, ev.Object, string(ev.Details), ev.PrevHash, ev.Hash)
	if err != nil {
		return storageError("append audit event", err)
	}
	return nil
}

// auditDetails encodes an event's details with the actor's credential
// added as "credential" ("session:12", "token:7"), so the hash chain covers
// which session or token an act came through. Events written before
// credentials were recorded keep their stored details, and so their
// hashes.
func auditDetails(actor moudesk.Actor, details any) ([]byte, error) {
	raw, err := json.Marshal(details)
	if err != nil {
		return nil, fmt.Errorf("encode audit details: %w", err)
	}
	if details == nil {
		raw = []byte("{}")
	}
	cred := actor.Credential.String()
	if cred == "" {
		return raw, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("audit details are not a JSON object: %w", err)
	}
	if m == nil {
		m = map[string]json.RawMessage{}
	}
	if _, taken := m["credential"]; taken {
		return nil, fmt.Errorf("audit details may not set \"credential\": it is the actor's")
	}
	c, _ := json.Marshal(cred)
	m["credential"] = c
	return json.Marshal(m)
}

// Audit records an event on its own, for things that change no other row:
// a failed login, a denied request.
func (db *DB) Audit(ctx context.Context, actor moudesk.Actor, action, object string, details any) error {
	return db.update(ctx, func(tx *Tx) error { return tx.audit(ctx, actor, action, object, details) })
}

// AuditEvents lists events in seq order: up to f.Limit of them
// (desk.NoLimit for all) with seq above f.After. The object filter is two
// ranges of audit_events_object (object, seq), the object itself and the
// objects under it ("mou:3:…" is every object from "mou:3:" up to but not
// including "mou:3;", ';' following ':'), so a page of one MOU's events
// reads only that MOU's index entries instead of walking the whole log.
func (db *DB) AuditEvents(ctx context.Context, f desk.AuditFilter) ([]audit.Event, error) {
	q := "SELECT seq, time, actor, action, object, details, prev_hash, hash FROM audit_events WHERE seq > ?"
	args := []any{f.After}
	if f.Object != "" {
		q += " AND (object = ? OR (object >= ? AND object < ?))"
		args = append(args, f.Object, f.Object+":", f.Object+";")
	}
	q += " ORDER BY seq LIMIT ?"
	args = append(args, sqlLimit(f.Limit))
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list audit events: %w", err)
	}
	defer rows.Close()
	var out []audit.Event
	for rows.Next() {
		ev, err := scanEvent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
	return out, rows.Err()
}

func scanEvent(rows *sql.Rows) (audit.Event, error) {
	var ev audit.Event
	var t, details string
	if err := rows.Scan(&ev.Seq, &t, &ev.Actor, &ev.Action, &ev.Object, &details, &ev.PrevHash, &ev.Hash); err != nil {
		return ev, fmt.Errorf("scan audit event: %w", err)
	}
	ev.Time = parseTime(t)
	ev.Details = json.RawMessage(details)
	return ev, nil
}

// Anchor keeps the audit chain's head outside the database (an
// *audit.Anchor): told after every commit, so it can advance its
// checkpoint, and read by VerifyAudit, which holds the chain to it.
type Anchor interface {
	Notify()
	Checkpoint() (audit.Checkpoint, bool, error)
}

// AuditHead is the newest event's sequence number and hash; the zero Head
// when the log is empty.
func (db *DB) AuditHead(ctx context.Context) (audit.Head, error) {
	head, _, err := db.AuditHeadAt(ctx, 0)
	return head, err
}

// AuditHeadAt returns, from one read snapshot, the newest event's head and
// the hash of the event at seq ("" when there is none): what an anchor
// needs to see that the log still reaches its checkpoint.
func (db *DB) AuditHeadAt(ctx context.Context, seq int64) (head audit.Head, hashAt string, err error) {
	err = db.view(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1").Scan(&head.Seq, &head.Hash)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("read audit chain head: %w", err)
		}
		if seq < 1 {
			return nil
		}
		err = tx.QueryRowContext(ctx, "SELECT hash FROM audit_events WHERE seq = ?", seq).Scan(&hashAt)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("read audit event %d: %w", seq, err)
		}
		return nil
	})
	return head, hashAt, err
}

// VerifyAudit walks the whole chain in one read snapshot and returns how
// many events it checked, or an *audit.BrokenError naming the first bad
// one. With an anchor (Options.Anchor) the chain must also reach the head
// its checkpoint holds, so a deleted tail is found too.
func (db *DB) VerifyAudit(ctx context.Context) (int64, error) {
	var anchor audit.Head
	if db.anchor != nil {
		cp, ok, err := db.anchor.Checkpoint()
		if err != nil {
			return 0, err
		}
		if ok {
			anchor = cp.Head
		}
	}
	return db.VerifyAuditTo(ctx, anchor)
}

// VerifyAuditTo is VerifyAudit holding the chain to anchor (see
// audit.VerifyTo); the zero Head anchors nothing.
func (db *DB) VerifyAuditTo(ctx context.Context, anchor audit.Head) (int64, error) {
	var checked int64
	err := db.view(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, "SELECT seq, time, actor, action, object, details, prev_hash, hash FROM audit_events ORDER BY seq")
		if err != nil {
			return fmt.Errorf("read audit chain: %w", err)
		}
		defer rows.Close()
		var scanErr error
		checked, err = audit.VerifyTo(func() (audit.Event, bool, error) {
			if !rows.Next() {
				return audit.Event{}, false, rows.Err()
			}
			ev, err := scanEvent(rows)
			if err != nil {
				scanErr = err
				return audit.Event{}, false, err
			}
			return ev, true, nil
		}, anchor)
		if scanErr != nil {
			return scanErr
		}
		return err
	})
	return checked, err
}
