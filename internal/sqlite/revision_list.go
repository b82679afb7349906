package sqlite

// A revision's ordered section list, stored as a delta from the previous
// revision with a full snapshot at least every snapshotEvery revisions
// (migration 008_revision_deltas.sql has the tables and the reasons).

import (
	"context"
	"fmt"

	"github.com/moudesk/moudesk/internal/mou"
)

// snapshotEvery bounds a chain: revision n is stored whole when n is at
// least snapshotEvery revisions after its base's snapshot, so reading any
// revision reads one snapshot and at most snapshotEvery-1 deltas. A
// one-section edit of a 60-section MOU stores one row (50 to 100 bytes)
// and its share of the next snapshot, 60/snapshotEvery rows: 32 keeps that
// share near two rows while the longest chain still reads fewer than 100
// rows.
const snapshotEvery = 32

// listEntry is one section of a stored list: a revision_list_rows row.
type listEntry struct {
	key, heading  string
	bodyID        int64
	hash          string // the body's hash
	clause        string
	clauseVersion int
}

// storedList is a revision's section list as stored: its sections in
// order and the snapshot its chain starts from.
type storedList struct {
	snapshot int
	entries  []listEntry
}

// listQuery reads the chain of revision ?2 of MOU ?1: for each revision
// from its snapshot up to it, its length and its rows (position 0 when it
// has none: a save that changed no section, or only shortened the list),
// with each row's body hash, which a save compares its sections with and
// a read looks texts up by.
const listQuery = `SELECT l.revision, l.sections, coalesce(e.position, 0), coalesce(e.key, ''), coalesce(e.heading, ''),
	coalesce(e.body_id, 0), coalesce(b.hash, ''), coalesce(e.clause_slug, ''), coalesce(e.clause_version, 0)
	FROM revision_lists l LEFT JOIN revision_list_rows e ON e.mou_id = l.mou_id AND e.revision = l.revision
	LEFT JOIN section_bodies b ON b.id = e.body_id
	WHERE l.mou_id = ?1 AND l.revision BETWEEN (SELECT snapshot FROM revision_lists WHERE mou_id = ?1 AND revision = ?2) AND ?2
	ORDER BY l.revision, e.position`

// readList reconstructs the section list of revision n: the snapshot's
// rows, then each delta's in order, each cut or extended to its length.
func readList(ctx context.Context, q queryer, mouID int64, n int) (*storedList, error) {
	rows, err := q.QueryContext(ctx, listQuery, mouID, n)
	if err != nil {
		return nil, fmt.Errorf("read section list of revision %d of MOU %d: %w", n, mouID, err)
	}
	defer rows.Close()
	list := &storedList{}
	last := 0
	for rows.Next() {
		var rev, length, pos int
		var e listEntry
		if err := rows.Scan(&rev, &length, &pos, &e.key, &e.heading, &e.bodyID, &e.hash, &e.clause, &e.clauseVersion); err != nil {
			return nil, fmt.Errorf("scan section list of revision %d of MOU %d: %w", n, mouID, err)
		}
		if rev != last {
			if last == 0 {
				list.snapshot = rev
			}
			last = rev
			list.entries = resize(list.entries, length)
		}
		if pos == 0 {
			continue
		}
		if pos > len(list.entries) {
			return nil, fmt.Errorf("section list of revision %d of MOU %d: revision %d has position %d beyond its %d sections", n, mouID, rev, pos, len(list.entries))
		}
		list.entries[pos-1] = e
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read section list of revision %d of MOU %d: %w", n, mouID, err)
	}
	if last != n {
		return nil, fmt.Errorf("section list of revision %d of MOU %d: no stored list", n, mouID)
	}
	for i, e := range list.entries {
		if e.bodyID == 0 {
			return nil, fmt.Errorf("section list of revision %d of MOU %d: no section at position %d", n, mouID, i+1)
		}
	}
	return list, nil
}

// resize cuts entries to n or extends it with empty entries that a later
// row must fill.
func resize(entries []listEntry, n int) []listEntry {
	if n <= len(entries) {
		return entries[:n]
	}
	return append(entries, make([]listEntry, n-len(entries))...)
}

// same reports whether e stores section s, whose body hashes to hash.
func (e *listEntry) same(s *mou.Section, hash string) bool {
	return e.key == s.Key && e.heading == s.Heading && e.hash == hash && e.clause == s.Clause && e.clauseVersion == s.ClauseVersion
}

// writeList stores the section list of revision number of mouID, whose
// previous revision's list is base (nil for a first revision): the
// positions that differ from base, or every position when the chain is
// long enough or the change big enough that a snapshot is due.
func (tx *Tx) writeList(ctx context.Context, bodies *bodyStore, mouID int64, number int, secs []mou.Section, base *storedList) error {
	hashes := make([]string, len(secs))
	var changed []int
	for i := range secs {
		hashes[i] = mou.Hash(secs[i].Body)
		if base == nil || i >= len(base.entries) || !base.entries[i].same(&secs[i], hashes[i]) {
			changed = append(changed, i)
		}
	}
	// A change to more than half the sections (an insertion near the top
	// shifts every position below it) is stored whole: a snapshot costs
	// hardly more and starts a fresh chain.
	snapshot := number
	if base != nil && number-base.snapshot < snapshotEvery && 2*len(changed) <= len(secs) {
		snapshot = base.snapshot
	}
	if snapshot == number {
		changed = make([]int, len(secs))
		for i := range changed {
			changed[i] = i
		}
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO revision_lists (mou_id, revision, snapshot, sections) VALUES (?, ?, ?, ?)",
		mouID, number, snapshot, len(secs)); err != nil {
		return storageError("insert revision list", err)
	}
	if len(changed) == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO revision_list_rows (mou_id, revision, position, key, heading, body_id, clause_slug, clause_version)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return storageError("prepare section insert", err)
	}
	defer stmt.Close()
	for _, i := range changed {
		s := &secs[i]
		id, err := bodies.put(s.Body, hashes[i])
		if err != nil {
			return err
		}
		var slug, version any
		if s.Clause != "" {
			slug, version = s.Clause, s.ClauseVersion
		}
		if _, err := stmt.ExecContext(ctx, mouID, number, i+1, s.Key, s.Heading, id, slug, version); err != nil {
			return storageError("insert revision section", err)
		}
	}
	return nil
}
