package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/mou"
)

// TestRevisionSignatureBlock: a revision stored without a block (as every
// revision before migration 012) reads back without one and its stored
// hash is its text's; a block is stored with the revision, read back as
// given, carried by a save that does not change it, and shared, not
// copied, between revisions that hold the same block.
func TestRevisionSignatureBlock(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	m := newTestMOU(t, db, 3)
	legacy, err := db.Revision(ctx, m.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	if legacy.Signatures != nil || legacy.ContentHash != mou.Hash(mou.Canonical(legacy.Title, legacy.Preamble, legacy.Sections)) {
		t.Fatalf("revision without a block: block %+v, hash %s", legacy.Signatures, legacy.ContentHash)
	}
	block := []mou.SignatureLine{
		{Kind: mou.KindSignatory, Party: "city", Name: "Emily Larson", Title: "Mayor", Order: 1},
		{Kind: mou.KindSignatory, Party: "district", Title: "Superintendent", Order: 1},
		{Kind: mou.KindAttest, Party: "city", Title: "City Clerk", Order: 2},
	}
	withBlock := func(base *mou.Revision) (*mou.Content, error) {
		next := base.Content
		next.Signatures = block
		return &next, nil
	}
	info, err := db.CreateRevision(ctx, moudesk.System, m.ID, 1, "block", withBlock, nil)
	if err != nil {
		t.Fatal(err)
	}
	bodies := func() int {
		var n int
		if err := db.read.QueryRowContext(ctx, "SELECT count(*) FROM section_bodies").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := bodies()
	if _, err := db.CreateRevision(ctx, moudesk.System, m.ID, 2, "text", editOne("section-1", "New text.\n"), nil); err != nil {
		t.Fatal(err)
	}
	if got := bodies(); got != before+1 {
		t.Errorf("a text edit stored %d bodies, want 1 (the block is shared)", got-before)
	}
	for n, hash := range map[int]string{2: info.ContentHash, 3: ""} {
		rev, err := db.Revision(ctx, m.ID, n)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(rev.Signatures, block) || rev.ContentHash != mou.Hash(rev.Markdown()) || (hash != "" && rev.ContentHash != hash) {
			t.Errorf("revision %d: block %+v, hash %s", n, rev.Signatures, rev.ContentHash)
		}
	}
}

// TestMigrateSignatureBlocks: a revision written before migration 012 (no
// signatures_hash column) reads back after it without a block, with its
// stored content hash still its text's, and the next save may add one.
func TestMigrateSignatureBlocks(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "moudesk.db")
	old := openBefore(t, path, "_signature_blocks.sql")
	c := mou.Content{Title: "Example MOU", Preamble: "The parties agree.\n", Variables: map[string]string{},
		Sections: []mou.Section{{Key: "term", Heading: "Term", Body: "Three years.\n"}}}
	stored := mou.Hash(mou.Canonical(c.Title, c.Preamble, c.Sections))
	inTx(t, old, func(tx *sql.Tx) error {
		now := formatTime(time.Now())
		put := func(body string) (int64, error) {
			res, err := tx.Exec("INSERT INTO section_bodies (hash, deflated, body) VALUES (?, 0, ?)", mou.Hash(body), body)
			if err != nil {
				return 0, err
			}
			return res.LastInsertId()
		}
		if _, err := tx.Exec("INSERT INTO mous (id, title, template, current_revision, created_at) VALUES (1, 'Example MOU', 'sro-mou', 1, ?)", now); err != nil {
			return err
		}
		if _, err := put(c.Preamble); err != nil {
			return err
		}
		body, err := put(c.Sections[0].Body)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO revisions (mou_id, revision, title, preamble_hash, variables, content_hash, author, created_at)
			VALUES (1, 1, ?, ?, '{}', ?, 'system', ?)`, c.Title, mou.Hash(c.Preamble), stored, now); err != nil {
			return err
		}
		if _, err := tx.Exec("INSERT INTO revision_lists (mou_id, revision, snapshot, sections) VALUES (1, 1, 1, 1)"); err != nil {
			return err
		}
		_, err = tx.Exec("INSERT INTO revision_list_rows (mou_id, revision, position, key, heading, body_id) VALUES (1, 1, 1, 'term', 'Term', ?)", body)
		return err
	})
	old.Close()

	db, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rev, err := db.Revision(ctx, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	if rev.Signatures != nil || rev.ContentHash != stored || mou.ContentHash(&rev.Content) != stored {
		t.Fatalf("after the migration: block %+v, stored hash %s, recomputed %s, want %s", rev.Signatures, rev.ContentHash, mou.ContentHash(&rev.Content), stored)
	}
	block := []mou.SignatureLine{{Kind: mou.KindSignatory, Party: "city", Title: "Mayor", Order: 1}}
	info, err := db.CreateRevision(ctx, moudesk.System, 1, 1, "block", func(base *mou.Revision) (*mou.Content, error) {
		next := base.Content
		next.Signatures = block
		return &next, nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if info.ContentHash == stored {
		t.Fatal("adding a block kept the hash")
	}
}
