package audit

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

// buildChain returns n chained events as a store would hold them.
func buildChain(t *testing.T, n int) []Event {
	t.Helper()
	events := make([]Event, 0, n)
	prev := GenesisHash
	for i := 1; i <= n; i++ {
		e, err := Chain(prev, Event{
			Seq:     int64(i),
			Time:    t0.Add(time.Duration(i) * 1500 * time.Microsecond),
			Actor:   fmt.Sprintf("user:%d u%d@city.gov", i%7, i%7),
			Action:  []string{"login.success", "clause.version.create", "mou.create", "access.denied"}[i%4],
			Object:  fmt.Sprintf("mou:%d", i%5),
			Details: json.RawMessage(fmt.Sprintf(`{"i":%d,"note":"event %d","tags":["a","b"]}`, i, i)),
		})
		if err != nil {
			t.Fatalf("chain event %d: %v", i, err)
		}
		events = append(events, e)
		prev = e.Hash
	}
	return events
}

// walk turns a slice into the iterator Verify takes.
func walk(events []Event) func() (Event, bool, error) {
	i := 0
	return func() (Event, bool, error) {
		if i >= len(events) {
			return Event{}, false, nil
		}
		i++
		return events[i-1], true, nil
	}
}

func wantBroken(t *testing.T, events []Event, seq int64) {
	t.Helper()
	checked, err := Verify(walk(events))
	var be *BrokenError
	if !errors.As(err, &be) {
		t.Fatalf("Verify = %d, %v; want a *BrokenError at seq %d", checked, err, seq)
	}
	if be.Seq != seq {
		t.Fatalf("BrokenError at seq %d (%s), want seq %d", be.Seq, be.Reason, seq)
	}
	if checked != seq-1 {
		t.Fatalf("checked = %d, want %d (every event before the break)", checked, seq-1)
	}
}

func TestVerifyOK(t *testing.T) {
	events := buildChain(t, 100)
	checked, err := Verify(walk(events))
	if err != nil || checked != 100 {
		t.Fatalf("Verify = %d, %v; want 100, nil", checked, err)
	}
	if n, err := Verify(walk(nil)); n != 0 || err != nil {
		t.Fatalf("Verify(empty) = %d, %v", n, err)
	}
}

// TestVerifyDetectsEveryFieldChange changes each field of each event in
// turn and checks that Verify names exactly that event.
func TestVerifyDetectsEveryFieldChange(t *testing.T) {
	events := buildChain(t, 100)
	edits := map[string]func(*Event){
		"Actor":    func(e *Event) { e.Actor += "x" },
		"Action":   func(e *Event) { e.Action = "audit.erase" },
		"Object":   func(e *Event) { e.Object = "mou:999" },
		"Details":  func(e *Event) { e.Details = json.RawMessage(`{"i":0}`) },
		"Time":     func(e *Event) { e.Time = e.Time.Add(time.Microsecond) },
		"Seq":      func(e *Event) { e.Seq += 1000 },
		"PrevHash": func(e *Event) { e.PrevHash = GenesisHash[:63] + "1" },
		"Hash":     func(e *Event) { e.Hash = GenesisHash },
	}
	for name, edit := range edits {
		t.Run(name, func(t *testing.T) {
			for i := range events {
				tampered := slices.Clone(events)
				edit(&tampered[i])
				wantBroken(t, tampered, int64(i+1))
			}
		})
	}
}

func TestVerifyRemovedEvent(t *testing.T) {
	events := buildChain(t, 100)
	for _, i := range []int{0, 1, 49, 98} {
		t.Run(fmt.Sprint("seq", i+1), func(t *testing.T) {
			removed := slices.Delete(slices.Clone(events), i, i+1)
			wantBroken(t, removed, int64(i+1))
		})
	}
}

func TestVerifyRenumberedAfterRemoval(t *testing.T) {
	// Deleting event 50 and renumbering the rest to hide the gap still
	// breaks the prev link at 50.
	events := buildChain(t, 100)
	removed := slices.Delete(slices.Clone(events), 49, 50)
	for i := 49; i < len(removed); i++ {
		removed[i].Seq--
	}
	wantBroken(t, removed, 50)
}

func TestVerifySwappedEvents(t *testing.T) {
	events := buildChain(t, 100)
	swapped := slices.Clone(events)
	swapped[29], swapped[30] = swapped[30], swapped[29]
	wantBroken(t, swapped, 30)
}

func TestVerifyReorderedDetailsKeysStillOK(t *testing.T) {
	// A store may give back details with keys in another order (e.g. a
	// JSON column type); the meaning is unchanged and so is the hash.
	events := buildChain(t, 10)
	events[4].Details = json.RawMessage(`{ "tags": ["a","b"], "note": "event 5", "i": 5 }`)
	if checked, err := Verify(walk(events)); err != nil || checked != 10 {
		t.Fatalf("Verify = %d, %v", checked, err)
	}
}

func TestVerifyInvalidStoredDetails(t *testing.T) {
	events := buildChain(t, 10)
	events[6].Details = json.RawMessage(`{"i":7,`)
	wantBroken(t, events, 7)
}

func TestVerifyReadError(t *testing.T) {
	events := buildChain(t, 5)
	boom := errors.New("disk on fire")
	next := walk(events)
	calls := 0
	checked, err := Verify(func() (Event, bool, error) {
		calls++
		if calls == 4 {
			return Event{}, false, boom
		}
		return next()
	})
	if !errors.Is(err, boom) || checked != 3 {
		t.Fatalf("Verify = %d, %v; want 3 and the read error", checked, err)
	}
	var be *BrokenError
	if errors.As(err, &be) {
		t.Fatal("a read error is not a broken chain")
	}
}

func BenchmarkChain(b *testing.B) {
	e := Event{Seq: 2, Time: t0, Actor: "user:12 ada@city.gov", Action: "clause.version.create",
		Object: "clause:de-escalation", Details: json.RawMessage(`{"version":3,"message":"Define de-escalation","sections":["4","7"]}`)}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Chain(GenesisHash[:63]+"1", e); err != nil {
			b.Fatal(err)
		}
	}
}
