package sqlite

import (
	"context"
	"testing"
)

// TestSigningRowsAreAppendOnly: a stored signing step or certificate can
// be neither changed nor deleted, so every step of a signed MOU stays
// provable.
func TestSigningRowsAreAppendOnly(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	m := newTestMOU(t, db, 2)
	exec := func(q string, args ...any) error {
		_, err := db.write.ExecContext(ctx, q, args...)
		return err
	}
	if err := exec(`INSERT INTO signing_documents (mou_id, revision, seq, kind, content_hash, sha256, pdf, created_at) VALUES (?, 1, 0, 'rendered', 'h', 's', x'25504446', 't')`, m.ID); err != nil {
		t.Fatal(err)
	}
	if err := exec(`INSERT INTO completion_certificates (mou_id, revision, sha256, pdf, created_at) VALUES (?, 1, 's', x'25504446', 't')`, m.ID); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"UPDATE signing_documents SET pdf = x'00'", "DELETE FROM signing_documents",
		"UPDATE completion_certificates SET pdf = x'00'", "DELETE FROM completion_certificates",
	} {
		if err := exec(q); err == nil {
			t.Errorf("%s succeeded", q)
		}
	}
}
