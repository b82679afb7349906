package cache

import (
	"bytes"
	"testing"
)

// TestLRUBounds checks both bounds and the recency order: the least
// recently used entry goes first, and an entry larger than the byte bound
// is never kept.
func TestLRUBounds(t *testing.T) {
	c := New[int](3, 10, ByteLen)
	c.Put(1, []byte("aaa"))
	c.Put(2, []byte("bbb"))
	c.Put(3, []byte("ccc"))
	if _, ok := c.Get(1); !ok { // 1 is now the most recent
		t.Fatal("entry 1 missing")
	}
	c.Put(4, []byte("d")) // count bound: 2 goes
	if _, ok := c.Get(2); ok {
		t.Error("least recently used entry 2 kept past the count bound")
	}
	c.Put(5, []byte("eeeee")) // bytes 3+3+1+5 > 10: 3, the oldest, goes
	for k, want := range map[int]bool{1: true, 3: false, 4: true, 5: true} {
		if _, ok := c.Get(k); ok != want {
			t.Errorf("entry %d present = %v, want %v", k, ok, want)
		}
	}
	c.Put(6, bytes.Repeat([]byte("x"), 11))
	if _, ok := c.Get(6); ok {
		t.Error("entry larger than the byte bound was kept")
	}
	if c.bytes > 10 || c.order.Len() > 3 {
		t.Errorf("cache holds %d bytes in %d entries", c.bytes, c.order.Len())
	}
}
