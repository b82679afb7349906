package postgres

// Copying an SQLite deployment to PostgreSQL (moudesk migrate-store).

import (
	"bytes"
	"compress/flate"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/moudesk/moudesk/internal/audit"
	"github.com/moudesk/moudesk/internal/desk"
	"github.com/moudesk/moudesk/internal/mou"
	"github.com/moudesk/moudesk/internal/sqlite"
)

// copyOrder is every table of the schema in an order in which each row's
// foreign keys point at rows already copied. A table the schema has and
// this list lacks stops the copy, so a new migration cannot leave a
// table behind unnoticed.
var copyOrder = []string{
	"parties", "users", "user_roles", "api_tokens", "invitations", "sessions",
	"audit_events",
	"clauses", "clause_versions", "clause_search",
	"section_bodies", "mous", "mou_parties", "revisions", "revision_lists", "revision_list_rows",
	"meetings", "meeting_outcomes", "meeting_votes", "feedback", "approvals", "stage_changes",
	"signatories", "signing_documents", "signatures", "completion_certificates",
	"recommendations", "recommendation_dispositions", "recommendation_sections",
	"workflow_definitions",
	"notifications", "notification_prefs",
	"meeting_schedules", "calendar_feeds", "webhooks", "webhook_deliveries", "webhook_attempts",
	"obligations", "obligation_dues", "reports", "obligation_waivers", "obligation_events",
	"monitoring_outcomes", "monitoring_votes", "obligation_status_updates",
}

// CopyReport is what a copy moved and checked.
type CopyReport struct {
	Rows      map[string]int // rows per table, equal on both sides
	Bodies    int            // section bodies whose hash was recomputed
	Revisions int            // revisions whose content hash was recomputed
	Documents int            // signing documents and certificates whose SHA-256 was recomputed
	Audit     audit.Head     // the audit chain's head, the same on both sides
}

// CopyFromSQLite copies the SQLite database at path into the empty
// PostgreSQL database at dsn in one transaction, then verifies the copy:
// every table's row count, every section body's and revision's content
// hash and every stored PDF's SHA-256 recomputed from what PostgreSQL
// holds, and the audit chain verified there and ending where the
// SQLite one ends. The SQLite file is migrated to this moudesk's schema
// first and otherwise only read; serve must not be running on it.
func CopyFromSQLite(ctx context.Context, path, dsn string) (*CopyReport, error) {
	src, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	defer src.Close()
	raw, err := sql.Open("sqlite3", "file:"+url.PathEscape(path)+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		return nil, fmt.Errorf("open %s read-only: %w", path, err)
	}
	defer raw.Close()
	dst, err := Open(ctx, dsn, Options{Conns: 2})
	if err != nil {
		return nil, err
	}
	defer dst.Close()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", Redact(dsn), err)
	}
	defer conn.Close(ctx)

	rep := &CopyReport{Rows: map[string]int{}}
	tables, err := serverTables(ctx, conn)
	if err != nil {
		return nil, err
	}
	for _, t := range tables {
		if !slices.Contains(copyOrder, t) {
			return nil, fmt.Errorf("table %s is not in the copy order: moudesk migrate-store needs updating for it", t)
		}
		var n int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM "`+t+`"`).Scan(&n); err != nil {
			return nil, fmt.Errorf("count %s: %w", t, err)
		}
		if n > 0 {
			return nil, fmt.Errorf("%s is not empty (%s holds %d rows): copy into a new database", Redact(dsn), t, n)
		}
	}

	tx, err := conn.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("begin copy: %w", err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", int64(writeLock)); err != nil {
		return nil, fmt.Errorf("take the write lock: %w", err)
	}
	for _, t := range copyOrder {
		if !slices.Contains(tables, t) {
			continue
		}
		n, err := copyTable(ctx, raw, tx, t)
		if err != nil {
			return nil, err
		}
		rep.Rows[t] = n
	}
	// Identity columns continue after the copied ids.
	rows, err := tx.Query(ctx, `SELECT table_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND column_name = 'id' AND is_identity = 'YES'`)
	if err != nil {
		return nil, fmt.Errorf("list identity columns: %w", err)
	}
	idTables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("list identity columns: %w", err)
	}
	for _, t := range idTables {
		if _, err := tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence('"`+t+`"', 'id'), max(id)) FROM "`+t+`" HAVING max(id) IS NOT NULL`); err != nil {
			return nil, fmt.Errorf("continue %s's ids: %w", t, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("commit copy: %w", err)
	}
	if err := verifyCopy(ctx, raw, conn, src, dst, rep); err != nil {
		return rep, fmt.Errorf("the copy does not verify: %w", err)
	}
	return rep, nil
}

func serverTables(ctx context.Context, conn *pgx.Conn) ([]string, error) {
	rows, err := conn.Query(ctx, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'schema_migrations' ORDER BY table_name`)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// copyTable copies every row of table, in the order of its first column,
// with its user triggers off: they refuse changes to records (none are
// made) and check the order rows are appended in, which a copy of
// finished history does not follow.
func copyTable(ctx context.Context, raw *sql.DB, tx pgx.Tx, table string) (int, error) {
	rows, err := tx.Query(ctx, `SELECT column_name, data_type FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = $1 AND is_generated = 'NEVER' ORDER BY ordinal_position`, table)
	if err != nil {
		return 0, fmt.Errorf("columns of %s: %w", table, err)
	}
	var cols []string
	bytea := map[int]bool{}
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			return 0, fmt.Errorf("columns of %s: %w", table, err)
		}
		bytea[len(cols)] = typ == "bytea"
		cols = append(cols, name)
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("columns of %s: %w", table, err)
	}
	quoted := make([]string, len(cols))
	params := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = `"` + c + `"`
		params[i] = fmt.Sprintf("$%d", i+1)
	}
	if _, err := tx.Exec(ctx, `ALTER TABLE "`+table+`" DISABLE TRIGGER USER`); err != nil {
		return 0, fmt.Errorf("copy %s: %w", table, err)
	}
	in, err := raw.QueryContext(ctx, "SELECT "+strings.Join(quoted, ", ")+` FROM "`+table+`" ORDER BY 1`)
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", table, err)
	}
	defer in.Close()
	insert := `INSERT INTO "` + table + `" (` + strings.Join(quoted, ", ") + ") VALUES (" + strings.Join(params, ", ") + ")"
	batch := &pgx.Batch{}
	n := 0
	flush := func() error {
		if batch.Len() == 0 {
			return nil
		}
		err := tx.SendBatch(ctx, batch).Close()
		batch = &pgx.Batch{}
		if err != nil {
			return fmt.Errorf("copy %s: %w", table, err)
		}
		return nil
	}
	for in.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := in.Scan(ptrs...); err != nil {
			return 0, fmt.Errorf("read %s: %w", table, err)
		}
		for i, v := range vals {
			switch v := v.(type) {
			case string:
				if bytea[i] {
					vals[i] = []byte(v)
				}
			case []byte:
				if !bytea[i] {
					vals[i] = string(v)
				}
			}
		}
		batch.Queue(insert, vals...)
		n++
		if batch.Len() >= 500 {
			if err := flush(); err != nil {
				return 0, err
			}
		}
	}
	if err := in.Err(); err != nil {
		return 0, fmt.Errorf("read %s: %w", table, err)
	}
	if err := flush(); err != nil {
		return 0, err
	}
	if _, err := tx.Exec(ctx, `ALTER TABLE "`+table+`" ENABLE TRIGGER USER`); err != nil {
		return 0, fmt.Errorf("copy %s: %w", table, err)
	}
	return n, nil
}

// verifyCopy checks the copy from what PostgreSQL holds.
func verifyCopy(ctx context.Context, raw *sql.DB, conn *pgx.Conn, src, dst *sqlite.DB, rep *CopyReport) error {
	for t, n := range rep.Rows {
		var s, d int
		if err := raw.QueryRowContext(ctx, `SELECT count(*) FROM "`+t+`"`).Scan(&s); err != nil {
			return fmt.Errorf("count %s in SQLite: %w", t, err)
		}
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM "`+t+`"`).Scan(&d); err != nil {
			return fmt.Errorf("count %s in PostgreSQL: %w", t, err)
		}
		if s != n || d != n {
			return fmt.Errorf("%s: %d rows in SQLite, %d copied, %d in PostgreSQL", t, s, n, d)
		}
	}
	// Section bodies: each text's SHA-256 is its key.
	rows, err := conn.Query(ctx, "SELECT hash, deflated, body FROM section_bodies")
	if err != nil {
		return fmt.Errorf("read section bodies: %w", err)
	}
	for rows.Next() {
		var hash string
		var deflated int
		var body []byte
		if err := rows.Scan(&hash, &deflated, &body); err != nil {
			return fmt.Errorf("read section bodies: %w", err)
		}
		if deflated == 1 {
			if body, err = io.ReadAll(flate.NewReader(bytes.NewReader(body))); err != nil {
				return fmt.Errorf("section body %s: inflate: %w", hash, err)
			}
		}
		if got := mou.Hash(string(body)); got != hash {
			return fmt.Errorf("section body %s hashes to %s", hash, got)
		}
		rep.Bodies++
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read section bodies: %w", err)
	}
	// Revisions: the canonical text read back through the store hashes
	// to the content hash stored with it, which is SQLite's.
	mous, err := dst.MOUs(ctx, "", 0, desk.NoLimit)
	if err != nil {
		return err
	}
	for _, m := range mous {
		infos, err := dst.Revisions(ctx, m.ID, 0, desk.NoLimit)
		if err != nil {
			return err
		}
		for _, info := range infos {
			r, err := dst.Revision(ctx, m.ID, info.Number)
			if err != nil {
				return err
			}
			if got := mou.ContentHash(&r.Content); got != r.ContentHash {
				return fmt.Errorf("MOU %d revision %d reads back hashing to %s, not its content hash %s", m.ID, r.Number, got, r.ContentHash)
			}
			s, err := src.Revision(ctx, m.ID, info.Number)
			if err != nil {
				return err
			}
			if s.ContentHash != r.ContentHash {
				return fmt.Errorf("MOU %d revision %d: content hash %s in SQLite, %s in PostgreSQL", m.ID, r.Number, s.ContentHash, r.ContentHash)
			}
			rep.Revisions++
		}
	}
	// Stored PDFs: their SHA-256 recomputed.
	for _, t := range []string{"signing_documents", "completion_certificates"} {
		rows, err := conn.Query(ctx, `SELECT sha256, pdf FROM "`+t+`"`)
		if err != nil {
			return fmt.Errorf("read %s: %w", t, err)
		}
		for rows.Next() {
			var sum string
			var pdf []byte
			if err := rows.Scan(&sum, &pdf); err != nil {
				return fmt.Errorf("read %s: %w", t, err)
			}
			got := sha256.Sum256(pdf)
			if hex.EncodeToString(got[:]) != sum {
				return fmt.Errorf("%s: a PDF with SHA-256 %s reads back as %x", t, sum, got)
			}
			rep.Documents++
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read %s: %w", t, err)
		}
	}
	// The audit chain verifies on PostgreSQL and ends where SQLite's does.
	if _, err := dst.VerifyAudit(ctx); err != nil {
		return fmt.Errorf("audit chain on PostgreSQL: %w", err)
	}
	sh, err := src.AuditHead(ctx)
	if err != nil {
		return err
	}
	dh, err := dst.AuditHead(ctx)
	if err != nil {
		return err
	}
	if sh != dh {
		return errors.New("the audit chain's head differs between SQLite and PostgreSQL")
	}
	rep.Audit = dh
	return nil
}
