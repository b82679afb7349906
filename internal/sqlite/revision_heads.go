package sqlite

import "sync"

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
