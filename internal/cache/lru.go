// Package cache holds the bounded in-memory caches moudesk keeps of
// renderings of immutable things.
package cache

import (
	"container/list"
	"sync"
)

// LRU is a small least-recently-used cache bounded by entry count and by
// bytes. moudesk caches only renderings of immutable things (revisions,
// redlines between revisions, PDFs of content hashes), so an entry is
// never stale; it only ages out.
type LRU[K comparable, V any] struct {
	mu       sync.Mutex
	maxItems int
	maxBytes int
	size     func(V) int
	bytes    int
	order    *list.List // front = most recently used; values are *lruEntry[K, V]
	items    map[K]*list.Element
	flights  map[K]*flight[V] // computations under way, by key
}

type lruEntry[K comparable, V any] struct {
	key K
	val V
}

func New[K comparable, V any](maxItems, maxBytes int, size func(V) int) *LRU[K, V] {
	return &LRU[K, V]{maxItems: maxItems, maxBytes: maxBytes, size: size, order: list.New(), items: map[K]*list.Element{}}
}

func (c *LRU[K, V]) Get(k K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[k]
	if !ok {
		var zero V
		return zero, false
	}
	c.order.MoveToFront(el)
	return el.Value.(*lruEntry[K, V]).val, true
}

// put stores v unless it alone is larger than the byte bound, then drops
// the least recently used entries until both bounds hold.
func (c *LRU[K, V]) Put(k K, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.size(v)
	if el, ok := c.items[k]; ok {
		c.order.MoveToFront(el)
		return
	}
	if n > c.maxBytes {
		return
	}
	c.items[k] = c.order.PushFront(&lruEntry[K, V]{key: k, val: v})
	c.bytes += n
	for c.order.Len() > c.maxItems || c.bytes > c.maxBytes {
		last := c.order.Back()
		e := last.Value.(*lruEntry[K, V])
		c.order.Remove(last)
		delete(c.items, e.key)
		c.bytes -= c.size(e.val)
	}
}

func ByteLen(b []byte) int { return len(b) }

// cached returns k's value, computing it on a miss. Concurrent misses on
// one key wait for a single computation instead of each repeating it: when
// a save loses a race, every other loser asks for the same redline at the
// same moment. Only a success is shared; a waiter whose leader failed (its
// client went away, say) computes for itself.
func (c *LRU[K, V]) Cached(k K, compute func() (V, error)) (V, error) {
	if v, ok := c.Get(k); ok {
		return v, nil
	}
	c.mu.Lock()
	if c.flights == nil {
		c.flights = map[K]*flight[V]{}
	}
	if f, ok := c.flights[k]; ok {
		c.mu.Unlock()
		<-f.done
		if f.err == nil {
			return f.val, nil
		}
		return compute()
	}
	f := &flight[V]{done: make(chan struct{})}
	c.flights[k] = f
	c.mu.Unlock()
	f.val, f.err = compute()
	if f.err == nil {
		c.Put(k, f.val)
	}
	c.mu.Lock()
	delete(c.flights, k)
	c.mu.Unlock()
	close(f.done)
	return f.val, f.err
}

// flight is one computation other callers may wait for.
type flight[V any] struct {
	done chan struct{}
	val  V
	err  error
}

// Len is how many entries and bytes the cache holds.
func (c *LRU[K, V]) Len() (items, bytes int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len(), c.bytes
}
