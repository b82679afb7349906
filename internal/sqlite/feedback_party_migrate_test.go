package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"
)

// TestMigrateFeedbackParty: feedback raised before migration 014 takes
// the party its raiser belongs to, so the rule that only that party may
// decline it holds for old rows too; feedback of an address no account
// holds has none.
func TestMigrateFeedbackParty(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "moudesk.db")
	old := openBefore(t, path, "_feedback_party.sql")
	inTx(t, old, func(tx *sql.Tx) error {
		now := formatTime(time.Now())
		for _, q := range []string{
			"INSERT INTO parties (id, slug, name, kind, body, created_at) VALUES (1, 'pusd', 'Pleasanton Unified School District', 'district', 'Board of Trustees', '" + now + "')",
			"INSERT INTO users (id, email, name, party_id, password_hash, created_at) VALUES (1, 'trustee@pusd.example', 'A Trustee', 1, 'x', '" + now + "')",
			"INSERT INTO section_bodies (hash, deflated, body) VALUES ('p', 0, 'The parties agree.')",
			"INSERT INTO mous (id, title, template, current_revision, created_at) VALUES (1, 'Example MOU', 'sro-mou', 1, '" + now + "')",
			"INSERT INTO revisions (mou_id, revision, title, preamble_hash, variables, content_hash, author, created_at) VALUES (1, 1, 'Example MOU', 'p', '{}', 'h', 'system', '" + now + "')",
			"INSERT INTO meetings (id, mou_id, body, stage, date, revision, created_by, created_at) VALUES (1, 1, 'liaison_committee', 'liaison_review', '2021-06-08', 1, 'system', '" + now + "')",
			"INSERT INTO feedback (id, meeting_id, mou_id, section_key, text, created_by, created_at) VALUES (1, 1, 1, 'term', 'Say three years.', 'TRUSTEE@pusd.example', '" + now + "')",
			"INSERT INTO feedback (id, meeting_id, mou_id, section_key, text, created_by, created_at) VALUES (2, 1, 1, 'term', 'Gone.', 'left@elsewhere.example', '" + now + "')",
		} {
			if _, err := tx.Exec(q); err != nil {
				return err
			}
		}
		return nil
	})
	old.Close()

	db, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for id, want := range map[int64]string{1: "pusd", 2: ""} {
		f, err := db.FeedbackItem(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if f.CreatedParty != want {
			t.Errorf("feedback %d: created_party %q after the migration, want %q", id, f.CreatedParty, want)
		}
	}
}
