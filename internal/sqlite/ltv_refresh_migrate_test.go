package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// schemaOf is the stored SQL of the indexes and triggers of table, by name.
func schemaOf(t *testing.T, q interface {
	Query(string, ...any) (*sql.Rows, error)
}, table string) map[string]string {
	t.Helper()
	rows, err := q.Query("SELECT name, sql FROM sqlite_master WHERE tbl_name = ? AND type IN ('index', 'trigger') AND sql IS NOT NULL", table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var name, s string
		if err := rows.Scan(&name, &s); err != nil {
			t.Fatal(err)
		}
		out[name] = s
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestMigrateLTVRefresh: signing documents stored before migration 013
// keep their kinds, bytes and the signature that references them; the
// index and append-only triggers come back exactly; a 'refresh' document
// may be stored after it and is then the signed PDF; UPDATE and DELETE
// are still refused.
func TestMigrateLTVRefresh(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "moudesk.db")
	old := openBefore(t, path, "_ltv_refresh.sql")
	kinds := []string{DocRendered, DocCertified, DocSignature, DocSeal}
	inTx(t, old, func(tx *sql.Tx) error {
		now := formatTime(time.Now())
		for _, q := range []string{
			"INSERT INTO users (id, email, name, password_hash, created_at) VALUES (1, 'chief@city.example', 'David Swing', 'x', '" + now + "')",
			"INSERT INTO section_bodies (hash, deflated, body) VALUES ('p', 0, 'The parties agree.')",
			"INSERT INTO mous (id, title, template, current_revision, created_at) VALUES (1, 'Example MOU', 'sro-mou', 1, '" + now + "')",
			"INSERT INTO revisions (mou_id, revision, title, preamble_hash, variables, content_hash, author, created_at) VALUES (1, 1, 'Example MOU', 'p', '{}', 'h', 'system', '" + now + "')",
		} {
			if _, err := tx.Exec(q); err != nil {
				return err
			}
		}
		for seq, kind := range kinds {
			pdf := []byte("%PDF-1.7 step " + kind)
			if _, err := tx.Exec("INSERT INTO signing_documents (mou_id, revision, seq, kind, content_hash, sha256, pdf, created_at) VALUES (1, 1, ?, ?, 'h', ?, ?, ?)",
				seq, kind, sha256Hex(pdf), pdf, now); err != nil {
				return err
			}
		}
		_, err := tx.Exec(`INSERT INTO signatures (mou_id, revision, line, content_hash, user_id, name, title, party_name, typed_name, consent_text, client_addr, user_agent, document_seq, signed_at)
			VALUES (1, 1, 1, 'h', 1, 'David Swing', 'Chief', 'City', 'David Swing', 'I agree', '127.0.0.1', 'test', 2, ?)`, now)
		return err
	})
	before := schemaOf(t, old, "signing_documents")
	old.Close()

	db, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if after := schemaOf(t, db.write, "signing_documents"); !reflect.DeepEqual(after, before) || len(after) != 3 {
		t.Fatalf("index and triggers after the migration:\n%v\nbefore:\n%v", after, before)
	}
	docs, err := db.SigningDocuments(ctx, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != len(kinds) {
		t.Fatalf("%d documents after the migration, want %d", len(docs), len(kinds))
	}
	for i, d := range docs {
		if d.Seq != i || d.Kind != kinds[i] || d.SHA256 != sha256Hex([]byte("%PDF-1.7 step "+kinds[i])) {
			t.Errorf("document %d after the migration: %+v", i, d)
		}
	}
	var violations int
	if err := db.write.QueryRow("SELECT count(*) FROM pragma_foreign_key_check").Scan(&violations); err != nil || violations != 0 {
		t.Fatalf("%d foreign key violations (%v)", violations, err)
	}

	sealed, err := db.SealedDocument(ctx, 1)
	if err != nil || sealed.Kind != DocSeal {
		t.Fatalf("sealed document before a refresh: %+v, %v", sealed, err)
	}
	refreshed := []byte("%PDF-1.7 step refresh")
	if _, err := db.write.Exec("INSERT INTO signing_documents (mou_id, revision, seq, kind, content_hash, sha256, pdf, created_at) VALUES (1, 1, 4, 'refresh', 'h', ?, ?, ?)",
		sha256Hex(refreshed), refreshed, formatTime(time.Now())); err != nil {
		t.Fatal(err)
	}
	if sealed, err = db.SealedDocument(ctx, 1); err != nil || sealed.Kind != DocRefresh || string(sealed.PDF) != string(refreshed) {
		t.Fatalf("signed PDF after a refresh: %+v, %v", sealed, err)
	}
	if _, err := db.write.Exec("INSERT INTO signing_documents (mou_id, revision, seq, kind, content_hash, sha256, pdf, created_at) VALUES (1, 1, 5, 'bogus', 'h', 'x', x'00', 'now')"); err == nil {
		t.Fatal("a document of an unknown kind was stored")
	}
	for _, q := range []string{
		"UPDATE signing_documents SET kind = 'seal' WHERE seq = 4",
		"UPDATE signing_documents SET pdf = x'00' WHERE seq = 0",
		"DELETE FROM signing_documents WHERE seq = 4",
	} {
		if _, err := db.write.Exec(q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v, want append-only refusal", q, err)
		}
	}
}
