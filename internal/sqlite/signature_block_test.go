package sqlite

import (
	"context"
	"reflect"
	"testing"

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
