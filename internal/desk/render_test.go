package desk

import "testing"

// TestPDFCacheBounds fills the service's PDF cache past both its bounds.
func TestPDFCacheBounds(t *testing.T) {
	s := &Service{}
	s.pdfs = newPDFCache(3, 100)
	doc := func(n int) *PDF { return &PDF{Bytes: make([]byte, n)} }
	pc := s.pdfs
	pc.Put("a", doc(40))
	pc.Put("b", doc(40))
	if _, ok := pc.Get("a"); !ok { // a is now most recent
		t.Fatal("a missing")
	}
	pc.Put("c", doc(40)) // 120 bytes > 100: b, the least recent, goes
	if _, ok := pc.Get("b"); ok {
		t.Error("b kept over the byte bound")
	}
	pc.Put("huge", doc(101))
	if _, ok := pc.Get("huge"); ok {
		t.Error("entry larger than the whole cache kept")
	}
	pc.Put("d", doc(1))
	pc.Put("e", doc(1))
	if items, bytes := pc.Len(); items > 3 || bytes > 100 {
		t.Errorf("cache holds %d entries, %d bytes", items, bytes)
	}
	if _, ok := pc.Get("a"); ok {
		t.Error("a kept over the entry bound")
	}
}
