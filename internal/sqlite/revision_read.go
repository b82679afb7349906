package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/mou"
)

// readRevision reads revision n of an MOU: its row with the preamble, its
// section list (one snapshot and at most snapshotEvery-1 deltas), then the
// bodies the list names, each once.
func readRevision(ctx context.Context, q queryer, cache *bodyTexts, mouID int64, n int) (*mou.Revision, error) {
	r := &mou.Revision{MOUID: mouID, Number: n}
	var vars, created string
	var preamble, block, obs []byte
	var deflated bool
	var blockDeflated, obsDeflated sql.NullBool
	err := q.QueryRowContext(ctx, `SELECT r.title, b.body, b.deflated, r.variables, r.content_hash, r.author, r.message, r.created_at, sb.body, sb.deflated, ob.body, ob.deflated
		FROM revisions r JOIN section_bodies b ON b.hash = r.preamble_hash LEFT JOIN section_bodies sb ON sb.hash = r.signatures_hash
		LEFT JOIN section_bodies ob ON ob.hash = r.obligations_hash
		WHERE r.mou_id = ? AND r.revision = ?`, mouID, n).
		Scan(&r.Title, &preamble, &deflated, &vars, &r.ContentHash, &r.Author, &r.Message, &created, &block, &blockDeflated, &obs, &obsDeflated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, moudesk.ErrNotFound(fmt.Sprintf("revision %d of MOU %d", n, mouID))
	}
	if err != nil {
		return nil, fmt.Errorf("read revision %d of MOU %d: %w", n, mouID, err)
	}
	if r.Preamble, err = bodyText(preamble, deflated); err != nil {
		return nil, err
	}
	r.CreatedAt = parseTime(created)
	if err := json.Unmarshal([]byte(vars), &r.Variables); err != nil {
		return nil, fmt.Errorf("decode variables of revision %d of MOU %d: %w", n, mouID, err)
	}
	if blockDeflated.Valid {
		text, err := bodyText(block, blockDeflated.Bool)
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(text), &r.Signatures); err != nil {
			return nil, fmt.Errorf("decode signature block of revision %d of MOU %d: %w", n, mouID, err)
		}
	}
	if obsDeflated.Valid {
		text, err := bodyText(obs, obsDeflated.Bool)
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(text), &r.Obligations); err != nil {
			return nil, fmt.Errorf("decode obligations of revision %d of MOU %d: %w", n, mouID, err)
		}
	}
	list, err := readList(ctx, q, mouID, n)
	if err != nil {
		return nil, err
	}
	texts, err := readBodies(ctx, q, cache, list.entries)
	if err != nil {
		return nil, fmt.Errorf("read sections of revision %d of MOU %d: %w", n, mouID, err)
	}
	r.Sections = make([]mou.Section, len(list.entries))
	for i, e := range list.entries {
		r.Sections[i] = mou.Section{Key: e.key, Heading: e.heading, Body: texts[e.hash], Clause: e.clause, ClauseVersion: e.clauseVersion}
	}
	return r, nil
}

// readBodies returns the text of every body entries name, by hash: from
// cache, and the others in one query whatever their number (their ids
// go in as one JSON array), inflated once each.
func readBodies(ctx context.Context, q queryer, cache *bodyTexts, entries []listEntry) (map[string]string, error) {
	texts := make(map[string]string, len(entries))
	var ids strings.Builder
	missing := 0
	for _, e := range entries {
		if _, ok := texts[e.hash]; ok {
			continue
		}
		if text, ok := cache.Get(e.hash); ok {
			texts[e.hash] = text
			continue
		}
		texts[e.hash] = ""
		if missing == 0 {
			ids.WriteByte('[')
		} else {
			ids.WriteByte(',')
		}
		ids.WriteString(strconv.FormatInt(e.bodyID, 10))
		missing++
	}
	if missing == 0 {
		return texts, nil
	}
	ids.WriteByte(']')
	rows, err := q.QueryContext(ctx, "SELECT b.hash, b.deflated, b.body FROM json_each(?) j JOIN section_bodies b ON b.id = j.value", ids.String())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	found := 0
	for rows.Next() {
		var hash string
		var deflated bool
		var data sql.RawBytes
		if err := rows.Scan(&hash, &deflated, &data); err != nil {
			return nil, err
		}
		text, err := bodyText(data, deflated)
		if err != nil {
			return nil, err
		}
		texts[hash] = text
		cache.Put(hash, text)
		found++
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if found != missing {
		return nil, fmt.Errorf("%d of %d section bodies missing", missing-found, missing)
	}
	return texts, nil
}

// Revisions lists an MOU's revisions oldest first: up to limit of them
// (desk.NoLimit for all) numbered above after (0 for the first page). The
// primary key (mou_id, revision) serves each page without a sort, so a
// page costs the same in an MOU of ten revisions or of thousands.
func (db *DB) Revisions(ctx context.Context, mouID int64, after, limit int) ([]mou.RevisionInfo, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT revision, content_hash, author, message, created_at FROM revisions
		WHERE mou_id = ? AND revision > ? ORDER BY revision LIMIT ?`, mouID, after, sqlLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("list revisions of MOU %d: %w", mouID, err)
	}
	defer rows.Close()
	out := []mou.RevisionInfo{}
	for rows.Next() {
		var ri mou.RevisionInfo
		var created string
		if err := rows.Scan(&ri.Number, &ri.ContentHash, &ri.Author, &ri.Message, &created); err != nil {
			return nil, fmt.Errorf("scan revision: %w", err)
		}
		ri.CreatedAt = parseTime(created)
		out = append(out, ri)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list revisions of MOU %d: %w", mouID, err)
	}
	if len(out) == 0 {
		// Past the last page, or no such MOU: only the second is an error.
		var one int
		err := db.read.QueryRowContext(ctx, "SELECT 1 FROM mous WHERE id = ?", mouID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, moudesk.ErrNotFound(fmt.Sprintf("MOU %d", mouID))
		}
		if err != nil {
			return nil, fmt.Errorf("read MOU %d: %w", mouID, err)
		}
	}
	return out, nil
}
