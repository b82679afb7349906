package sqlite

// What the store remembers in memory: facts that only ever grow or never
// change, so remembering them cannot serve a stale answer.

import (
	"sync"

	"github.com/moudesk/moudesk/internal/clause"
	"github.com/moudesk/moudesk/internal/mou"
)

// revisionHeads remembers, per MOU, the newest revision number this
// process committed. It is only ever a lower bound of the stored current
// revision (set after a commit; another process or a restart can only make
// the store newer), so "base below the head" proves a save stale, while
// anything else is left to the transaction to decide.
type revisionHeads struct {
	mu    sync.Mutex
	heads map[int64]int
}

func (h *revisionHeads) get(mouID int64) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.heads[mouID]
}

func (h *revisionHeads) set(mouID int64, n int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.heads == nil {
		h.heads = map[int64]int{}
	}
	if n > h.heads[mouID] {
		h.heads[mouID] = n
	}
}

// clauseVersions keeps every clause version read so far. Versions never
// change once written, so an entry is never stale, and the library is a
// few hundred versions at most.
type clauseVersions struct {
	mu sync.Mutex
	m  map[mou.ClauseRef]*clause.Clause
}

// lookup returns the cached clauses of refs and the refs not cached.
func (cv *clauseVersions) lookup(refs []mou.ClauseRef) (map[mou.ClauseRef]*clause.Clause, []mou.ClauseRef) {
	cv.mu.Lock()
	defer cv.mu.Unlock()
	out := make(map[mou.ClauseRef]*clause.Clause, len(refs))
	var missing []mou.ClauseRef
	for _, r := range refs {
		if c, ok := cv.m[r]; ok {
			out[r] = c
		} else {
			missing = append(missing, r)
		}
	}
	return out, missing
}

func (cv *clauseVersions) store(r mou.ClauseRef, c *clause.Clause) {
	cv.mu.Lock()
	defer cv.mu.Unlock()
	if cv.m == nil {
		cv.m = map[mou.ClauseRef]*clause.Clause{}
	}
	cv.m[r] = c
}
