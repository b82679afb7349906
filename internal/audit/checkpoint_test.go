package audit

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// rehash rewrites event i's actor and chains every event after it again,
// as someone with SQL access and this package's code could: the log then
// verifies on its own.
func rehash(t *testing.T, events []Event, i int) []Event {
	t.Helper()
	out := append([]Event(nil), events...)
	prev := GenesisHash
	if i > 0 {
		prev = out[i-1].Hash
	}
	out[i].Actor = "user:1 someone@else.gov"
	for j := i; j < len(out); j++ {
		e, err := Chain(prev, out[j])
		if err != nil {
			t.Fatal(err)
		}
		out[j], prev = e, e.Hash
	}
	return out
}

func TestVerifyTo(t *testing.T) {
	events := buildChain(t, 10)
	anchor := Head{Seq: 8, Hash: events[7].Hash}
	for _, tc := range []struct {
		name    string
		events  []Event
		wantSeq int64 // 0: verifies
		reason  string
	}{
		{"Whole", events, 0, ""},
		{"NewerThanAnchor", append(events, buildChain(t, 11)[10]), 0, ""},
		{"TailDeleted", events[:5], 6, "events 6 to 8 were deleted"},
		{"AllDeleted", nil, 1, "events 1 to 8 were deleted"},
		{"TailAfterAnchorDeleted", events[:8], 0, ""},
		{"RewrittenAndRehashed", rehash(t, events, 2), 8, "rewritten"},
		{"MiddleDeleted", append(append([]Event(nil), events[:3]...), events[4:]...), 4, "removed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checked, err := VerifyTo(walk(tc.events), anchor)
			if tc.wantSeq == 0 {
				if err != nil {
					t.Fatalf("VerifyTo = %d, %v", checked, err)
				}
				return
			}
			var be *BrokenError
			if !errors.As(err, &be) || be.Seq != tc.wantSeq || !strings.Contains(be.Reason, tc.reason) {
				t.Fatalf("VerifyTo = %d, %v; want broken at %d (%q)", checked, err, tc.wantSeq, tc.reason)
			}
			if checked != tc.wantSeq-1 {
				t.Errorf("checked = %d, want %d (the last good event)", checked, tc.wantSeq-1)
			}
		})
	}
	// Without the anchor, a rehashed log and a cut one both verify: what
	// the anchor is for.
	for _, evs := range [][]Event{rehash(t, events, 2), events[:5]} {
		if _, err := Verify(walk(evs)); err != nil {
			t.Fatalf("Verify without an anchor: %v", err)
		}
	}
}

func TestCheckpointFile(t *testing.T) {
	dir := t.TempDir()
	keyPath := filepath.Join(dir, "keys", "audit-checkpoint.key")
	if _, err := LoadCheckpointKey(keyPath, false); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing key without create = %v, want not exist", err)
	}
	key, err := LoadCheckpointKey(keyPath, true)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := LoadCheckpointKey(keyPath, true); err != nil || string(again) != string(key) {
		t.Fatalf("the key changed on the second load: %v", err)
	}
	if fi, err := os.Stat(keyPath); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, %v; want 0600", fi.Mode(), err)
	}
	path := filepath.Join(dir, "keys", "db.audit-checkpoint")
	cp := Checkpoint{Head: Head{Seq: 42, Hash: strings.Repeat("ab", 32)}, Time: time.Date(2026, 5, 1, 9, 0, 0, 123, time.UTC)}
	if err := WriteCheckpoint(path, key, cp); err != nil {
		t.Fatal(err)
	}
	got, err := ReadCheckpoint(path, key)
	if err != nil || got != cp {
		t.Fatalf("read back %+v, %v; want %+v", got, err, cp)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("checkpoint mode %v, %v; want 0600", fi.Mode(), err)
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 2 {
		t.Errorf("temporary files left behind: %v", entries)
	}

	// A checkpoint moved back by hand, or written with another key, is
	// refused, not believed.
	data, _ := os.ReadFile(path)
	var f map[string]any
	json.Unmarshal(data, &f)
	f["seq"] = 40
	forged, _ := json.Marshal(f)
	os.WriteFile(path, forged, 0o600)
	if _, err := ReadCheckpoint(path, key); !errors.Is(err, ErrCheckpointInvalid) {
		t.Fatalf("edited checkpoint = %v, want ErrCheckpointInvalid", err)
	}
	other := make([]byte, len(key))
	if err := WriteCheckpoint(path, other, cp); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadCheckpoint(path, key); !errors.Is(err, ErrCheckpointInvalid) {
		t.Fatalf("checkpoint under another key = %v, want ErrCheckpointInvalid", err)
	}
}

// memLog is a Source over a slice, changed by the test as SQL would.
type memLog struct {
	mu     sync.Mutex
	events []Event
}

func (m *memLog) AuditHeadAt(_ context.Context, seq int64) (Head, string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var head Head
	if n := len(m.events); n > 0 {
		head = Head{Seq: m.events[n-1].Seq, Hash: m.events[n-1].Hash}
	}
	for _, e := range m.events {
		if e.Seq == seq {
			return head, e.Hash, nil
		}
	}
	return head, "", nil
}

func (m *memLog) set(events []Event) {
	m.mu.Lock()
	m.events = events
	m.mu.Unlock()
}

func TestAnchorMovesOnlyForwardAlongTheChain(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	key, err := LoadCheckpointKey(filepath.Join(dir, "k"), true)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "cp")
	a, err := OpenAnchor(path, key)
	if err != nil {
		t.Fatal(err)
	}
	events := buildChain(t, 12)
	log := &memLog{}
	if err := a.Check(ctx, log); err != nil {
		t.Fatalf("check without a checkpoint: %v", err)
	}
	if err := a.Advance(ctx, log); err != nil {
		t.Fatalf("advance on an empty log: %v", err)
	}
	if _, ok, _ := a.Checkpoint(); ok {
		t.Fatal("an empty log was anchored")
	}
	log.set(events[:6])
	if err := a.Advance(ctx, log); err != nil {
		t.Fatal(err)
	}
	head := func() int64 {
		cp, ok, err := a.Checkpoint()
		if err != nil || !ok {
			t.Fatalf("checkpoint: %v %v", ok, err)
		}
		return cp.Seq
	}
	if head() != 6 {
		t.Fatalf("anchored %d, want 6", head())
	}

	// Cut to 4, then grown again past 6 on a different chain: the
	// checkpoint keeps 6 and says so, at Check and at Advance.
	log.set(events[:4])
	for _, err := range []error{a.Check(ctx, log), a.Advance(ctx, log)} {
		var be *BrokenError
		if !errors.As(err, &be) || be.Seq != 5 || !strings.Contains(be.Reason, "events 5 to 6 were deleted") {
			t.Fatalf("cut log: %v; want broken at 5", err)
		}
	}
	forked := rehash(t, events, 4)
	log.set(forked)
	for _, err := range []error{a.Check(ctx, log), a.Advance(ctx, log)} {
		var be *BrokenError
		if !errors.As(err, &be) || be.Seq != 6 || !strings.Contains(be.Reason, "rewritten") {
			t.Fatalf("rewritten log: %v; want broken at 6", err)
		}
	}
	if head() != 6 {
		t.Fatalf("a broken log moved the checkpoint to %d", head())
	}

	// Run follows Notify, and anchors once more when stopped.
	log.set(events[:9])
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	var reported []error
	go func() {
		defer close(done)
		a.Run(runCtx, log, time.Hour, func(err error) { reported = append(reported, err) })
	}()
	a.Notify()
	deadline := time.Now().Add(5 * time.Second)
	for head() != 9 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if head() != 9 {
		t.Fatalf("Notify did not advance the checkpoint: at %d", head())
	}
	log.set(events)
	stop()
	<-done
	if head() != 12 || len(reported) != 0 {
		t.Fatalf("after stop: anchored %d, reported %v; want 12 and nothing", head(), reported)
	}
}

func TestFindHeads(t *testing.T) {
	h := Head{Seq: 1234, Hash: strings.Repeat("0f", 32)}
	// As pdftotext gives a certificate: the code span's backticks gone,
	// the line broken anywhere between words.
	text := "the audit log ended at event\n1234 with hash\n" + h.Hash + ". Every record"
	if got := FindHeads(text); len(got) != 1 || got[0] != h {
		t.Fatalf("FindHeads = %v, want %v", got, h)
	}
	if got := FindHeads(h.Markdown()); len(got) != 1 || got[0] != h {
		t.Fatalf("FindHeads(Markdown) = %v", got)
	}
}
