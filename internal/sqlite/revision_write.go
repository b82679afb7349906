package sqlite

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/mou"
)

// insertRevision writes revision number of mouID: its row, the bodies no
// revision stored before, and its section list as a delta from revision
// number-1 (or whole: revision_list.go). It returns the content hash,
// which covers the text exactly as before the list was stored as deltas.
func (tx *Tx) insertRevision(ctx context.Context, actor moudesk.Actor, mouID int64, number int, c *mou.Content, message string) (string, error) {
	vars, err := json.Marshal(c.Variables)
	if err != nil {
		return "", fmt.Errorf("encode variables: %w", err)
	}
	if c.Variables == nil {
		vars = []byte("{}")
	}
	var base *storedList
	if number > 1 {
		if base, err = readList(ctx, tx, mouID, number-1); err != nil {
			return "", err
		}
	}
	bodies, err := tx.bodyStore(ctx)
	if err != nil {
		return "", err
	}
	defer bodies.Close()
	_, preHash, err := bodies.putHashed(c.Preamble)
	if err != nil {
		return "", err
	}
	sigHash, err := putBlock(bodies, c.Signatures)
	if err != nil {
		return "", err
	}
	obsHash, err := putJSON(bodies, "obligations", c.Obligations, c.Obligations == nil)
	if err != nil {
		return "", err
	}
	hash := mou.ContentHash(c)
	var authorID any
	if actor.UserID != 0 {
		authorID = actor.UserID
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO revisions (mou_id, revision, title, preamble_hash, variables, content_hash, author, author_id, message, created_at, signatures_hash, obligations_hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, mouID, number, c.Title, preHash, string(vars), hash, actor.Author(), authorID, message, tx.Now(), sigHash, obsHash)
	if err != nil {
		return "", storageError("insert revision", err)
	}
	if err := tx.writeList(ctx, bodies, mouID, number, c.Sections, base); err != nil {
		return "", err
	}
	return hash, nil
}

// putBlock stores a revision's signature block as JSON among the bodies
// and returns its hash, or nil for a revision without one (migration 012).
func putBlock(bodies *bodyStore, block []mou.SignatureLine) (any, error) {
	if block == nil {
		return nil, nil
	}
	data, err := json.Marshal(block)
	if err != nil {
		return nil, fmt.Errorf("encode signature block: %w", err)
	}
	_, h, err := bodies.putHashed(string(data))
	if err != nil {
		return nil, err
	}
	return h, nil
}

// putJSON stores v as JSON among the bodies and returns its hash, or nil
// when none is true (a revision without that part).
func putJSON(bodies *bodyStore, what string, v any, none bool) (any, error) {
	if none {
		return nil, nil
	}
	data, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", what, err)
	}
	_, h, err := bodies.putHashed(string(data))
	if err != nil {
		return nil, err
	}
	return h, nil
}
