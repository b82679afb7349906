package load

import (
	"fmt"
	"sync"
	"time"
)

// section is a revision's section as the API shows it and as the checks
// compare it.
type section struct {
	Key     string `json:"key"`
	Heading string `json:"heading"`
	Body    string `json:"body"`
}

// savedRevision is what the tool knows an acknowledged revision must hold:
// its base's sections with one body replaced by the text the client sent.
type savedRevision struct {
	Base     int
	Key      string
	Body     string
	Sections []section
}

// meetingRecord is an acknowledged meeting and what was acknowledged on it.
type meetingRecord struct {
	MOU      int64
	ID       int64
	Feedback map[int64]feedbackRecord
	Outcome  string // "" until an outcome was acknowledged
}

type feedbackRecord struct {
	Section string
	Text    string
}

// Ledger records every write the server acknowledged, every write it
// refused, and every write whose fate is unknown (no answer), so the end
// checks can prove nothing acknowledged was lost and nothing refused was
// kept.
type Ledger struct {
	mu      sync.Mutex
	changed *sync.Cond // broadcast when latest moves
	// saves on the shared MOU
	first     int                    // the revision the run started from
	revisions map[int]*savedRevision // acknowledged, by number
	latest    int                    // highest acknowledged (or first)
	dups      []string               // a number acknowledged twice
	badBase   []string               // acknowledged with a number other than base+1
	refused   map[string]int         // body text → status of a save refused (409, 503…)
	unknown   map[string]bool        // body text of saves that got no answer
	meetings  map[int64]*meetingRecord
	wfUnknown int // workflow writes that got no answer
}

func newLedger(first int, sections []section) *Ledger {
	l := &Ledger{
		first:     first,
		revisions: map[int]*savedRevision{first: {Base: first - 1, Sections: sections}},
		latest:    first,
		refused:   map[string]int{},
		unknown:   map[string]bool{},
		meetings:  map[int64]*meetingRecord{},
	}
	l.changed = sync.NewCond(&l.mu)
	return l
}

// waitFor waits until the ledger knows revision n's content or max has
// passed: a client that lost a race learns the winner's number from the
// 409 and merges onto it once the winner's answer has been recorded.
func (l *Ledger) waitFor(n int, max time.Duration) {
	timer := time.AfterFunc(max, func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.changed.Broadcast()
	})
	defer timer.Stop()
	deadline := time.Now().Add(max)
	l.mu.Lock()
	defer l.mu.Unlock()
	for l.latest < n && time.Now().Before(deadline) {
		l.changed.Wait()
	}
}

// base is the newest revision the tool knows the content of: every save
// starts from it, so concurrent clients share a base and race.
func (l *Ledger) base() (int, []section) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.latest, l.revisions[l.latest].Sections
}

// ack records revision n acknowledged for a save on base that replaced
// key's body with body.
func (l *Ledger) ack(n, base int, baseSections []section, key, body string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.revisions[n]; ok {
		l.dups = append(l.dups, fmt.Sprintf("revision %d acknowledged twice", n))
		return
	}
	if n != base+1 {
		l.badBase = append(l.badBase, fmt.Sprintf("save on base %d acknowledged as revision %d", base, n))
	}
	secs := make([]section, len(baseSections))
	copy(secs, baseSections)
	for i := range secs {
		if secs[i].Key == key {
			secs[i].Body = body
		}
	}
	l.revisions[n] = &savedRevision{Base: base, Key: key, Body: body, Sections: secs}
	if n > l.latest {
		l.latest = n
		l.changed.Broadcast()
	}
}

// adopt records revision n as the server stored it, for a save whose
// answer never came (the server died) but which the checks found stored
// whole; later saves build on it.
func (l *Ledger) adopt(n int, sections []section) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.revisions[n] = &savedRevision{Base: n - 1, Sections: sections}
	if n > l.latest {
		l.latest = n
		l.changed.Broadcast()
	}
}

func (l *Ledger) refuse(body string, status int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.refused[body] = status
}

func (l *Ledger) lost(body string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.unknown[body] = true
}

func (l *Ledger) meeting(mouID, id int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.meetings[id] = &meetingRecord{MOU: mouID, ID: id, Feedback: map[int64]feedbackRecord{}}
}

func (l *Ledger) feedback(meeting, id int64, sec, text string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if m := l.meetings[meeting]; m != nil {
		m.Feedback[id] = feedbackRecord{Section: sec, Text: text}
	}
}

func (l *Ledger) outcome(meeting int64, outcome string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if m := l.meetings[meeting]; m != nil {
		m.Outcome = outcome
	}
}

func (l *Ledger) workflowUnknown() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.wfUnknown++
}

// Acknowledged counts the saves the server acknowledged during the run.
func (l *Ledger) Acknowledged() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.revisions) - 1
}
