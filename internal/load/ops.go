package load

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"
)

// Request kinds, as the mix names them and the report prints them.
const (
	KindMOU      = "mou"      // GET an MOU
	KindRevision = "revision" // GET one of the recentRevisions newest revisions as JSON
	KindRedline  = "redline"  // GET the bench pair's redline as HTML
	KindPDF      = "pdf"      // GET a bench revision as PDF
	KindSave     = "save"     // POST a revision on the shared base
	KindWorkflow = "workflow" // one step of a review: transition, meeting, feedback or outcome
)

// The review steps, as the report prints them (the mix weighs them
// together as KindWorkflow).
const (
	kindTransition = "transition"
	kindMeeting    = "meeting"
	kindFeedback   = "feedback"
	kindOutcome    = "outcome"
)

// recentRevisions is how far back the revision kind reads.
const recentRevisions = 8

// Kinds lists every kind the mix may weigh.
var Kinds = []string{KindMOU, KindRevision, KindRedline, KindPDF, KindSave, KindWorkflow}

// worker is one simulated client: it loops over the mix until the run
// ends, sequentially, as one person or integration would.
type worker struct {
	id      int
	r       *runState
	rng     *rand.Rand
	seq     int
	wf      *review // this worker's own review cycle, when the mix has one
	pickers []string
}

// runState is what every worker shares.
type runState struct {
	drafter  *Client
	clerk    *Client
	ledger   *Ledger
	saveMOU  int64
	benchMOU int64
	keys     []string // section keys of the shared MOU
}

// loop starts requests until the deadline; one in flight then finishes,
// so every save's fate is known rather than cut off.
func (w *worker) loop(ctx context.Context, deadline time.Time) {
	for ctx.Err() == nil && time.Now().Before(deadline) {
		kind := w.pickers[w.rng.IntN(len(w.pickers))]
		w.step(ctx, kind)
	}
}

func (w *worker) step(ctx context.Context, kind string) {
	r := w.r
	switch kind {
	case KindMOU:
		_, _ = r.drafter.do(ctx, KindMOU, http.MethodGet, fmt.Sprintf("/api/v1/mous/%d", r.saveMOU), nil)
	case KindRevision:
		// People read the revision under review and the few before it,
		// not a random one of thousands the racing saves leave behind.
		latest, _ := r.ledger.base()
		n := latest - w.rng.IntN(min(latest, recentRevisions))
		_, _ = r.drafter.do(ctx, KindRevision, http.MethodGet, fmt.Sprintf("/api/v1/mous/%d/revisions/%d", r.saveMOU, n), nil)
	case KindRedline:
		_, _ = r.drafter.do(ctx, KindRedline, http.MethodGet, fmt.Sprintf("/api/v1/mous/%d/redline?from=2&to=3&format=html", r.benchMOU), nil)
	case KindPDF:
		n := 2 + w.rng.IntN(2)
		_, _ = r.drafter.do(ctx, KindPDF, http.MethodGet, fmt.Sprintf("/api/v1/mous/%d/revisions/%d?format=pdf", r.benchMOU, n), nil)
	case KindSave:
		w.save(ctx)
	case KindWorkflow:
		w.wf.step(ctx, w)
	}
}

// save edits one section of the newest revision the tool knows, which all
// workers share, so saves race and most lose with 409.
func (w *worker) save(ctx context.Context) {
	r := w.r
	base, secs := r.ledger.base()
	w.seq++
	key := secs[w.rng.IntN(len(secs))].Key
	body := fmt.Sprintf("Load client %d, save %d, nonce %016x: the Parties agree that this section reads exactly as sent.\n", w.id, w.seq, w.rng.Uint64())
	res, err := r.drafter.do(ctx, KindSave, http.MethodPost, fmt.Sprintf("/api/v1/mous/%d/revisions", r.saveMOU), map[string]any{
		"base": base, "message": fmt.Sprintf("load client %d save %d", w.id, w.seq),
		"edits": []map[string]any{{"op": "update", "key": key, "body": body}},
	})
	switch {
	case err != nil:
		// No answer: the save may or may not have committed. The checks
		// accept either, but never half of it.
		r.ledger.lost(body)
	case res.status == http.StatusCreated:
		var out struct {
			Revision int `json:"revision"`
		}
		if json.Unmarshal(res.body, &out) != nil || out.Revision < 1 {
			r.ledger.lost(body)
			return
		}
		r.ledger.ack(out.Revision, base, secs, key, body)
	default:
		r.ledger.refuse(body, res.status)
		if res.status == http.StatusConflict {
			// Someone else won this base: merge onto the winner's
			// revision once its answer reaches the ledger.
			if latest := latestRevision(res.body); latest > base {
				r.ledger.waitFor(latest, time.Second)
			}
		}
	}
}

// latestRevision reads details.latest_revision from a 409 stale_revision
// answer without decoding the redline that follows it.
func latestRevision(body []byte) int {
	const key = `"latest_revision":`
	head := body[:min(len(body), 256)]
	i := bytes.Index(head, []byte(key))
	if i < 0 {
		return 0
	}
	n := 0
	for _, c := range head[i+len(key):] {
		if c < '0' || c > '9' {
			break
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// review is one worker's review cycle on its own MOU: to liaison review, a
// meeting, two feedback items, an outcome sending it back to draft.
type review struct {
	mou     int64
	next    int
	meeting int64
}

const (
	stepTransition = iota
	stepMeeting
	stepFeedback1
	stepFeedback2
	stepOutcome
	stepResync
)

func (rv *review) step(ctx context.Context, w *worker) {
	r := w.r
	w.seq++
	var (
		res  response
		err  error
		want = http.StatusCreated
	)
	switch rv.next {
	case stepTransition:
		want = http.StatusOK
		res, err = r.clerk.do(ctx, kindTransition, http.MethodPost, fmt.Sprintf("/api/v1/mous/%d/transitions", rv.mou),
			map[string]string{"to": "liaison_review", "note": "load review"})
	case stepMeeting:
		res, err = r.clerk.do(ctx, kindMeeting, http.MethodPost, fmt.Sprintf("/api/v1/mous/%d/meetings", rv.mou), map[string]any{
			"body": "liaison_committee", "date": "2025-05-01", "location": "Council Chambers", "agenda_item": fmt.Sprintf("%d.%d", w.id, w.seq), "revision": 1})
		if err == nil && res.status == want {
			var out struct {
				Meeting struct {
					ID int64 `json:"id"`
				} `json:"meeting"`
			}
			if json.Unmarshal(res.body, &out) == nil && out.Meeting.ID > 0 {
				rv.meeting = out.Meeting.ID
				r.ledger.meeting(rv.mou, rv.meeting)
			}
		}
	case stepFeedback1, stepFeedback2:
		sec := r.keys[w.rng.IntN(len(r.keys))]
		text := fmt.Sprintf("Load client %d asks, item %d: clarify this section (%016x).", w.id, w.seq, w.rng.Uint64())
		res, err = r.clerk.do(ctx, kindFeedback, http.MethodPost, fmt.Sprintf("/api/v1/meetings/%d/feedback", rv.meeting), map[string]string{"section": sec, "text": text})
		if err == nil && res.status == want {
			var out struct {
				Feedback struct {
					ID int64 `json:"id"`
				} `json:"feedback"`
			}
			if json.Unmarshal(res.body, &out) == nil && out.Feedback.ID > 0 {
				r.ledger.feedback(rv.meeting, out.Feedback.ID, sec, text)
			}
		}
	case stepOutcome:
		res, err = r.clerk.do(ctx, kindOutcome, http.MethodPost, fmt.Sprintf("/api/v1/meetings/%d/outcome", rv.meeting), map[string]any{
			"outcome": "revise", "votes": []any{}, "minutes": fmt.Sprintf("Sent back for revision (load client %d).", w.id), "resolution": ""})
		if err == nil && res.status == want {
			r.ledger.outcome(rv.meeting, "revise")
		}
	case stepResync:
		rv.resync(ctx, r)
		return
	}
	switch {
	case err != nil:
		if ctx.Err() == nil {
			r.ledger.workflowUnknown()
			rv.next = stepResync
		}
	case res.status != want:
		rv.next = stepResync
	default:
		rv.next = (rv.next + 1) % stepResync
	}
}

// resync reads the MOU's stage after a failed step and restarts the cycle
// from there.
func (rv *review) resync(ctx context.Context, r *runState) {
	var out struct {
		MOU struct {
			Stage string `json:"stage"`
		} `json:"mou"`
	}
	// Unmeasured (kind ""), so the whole answer is read.
	if err := r.clerk.must(ctx, http.MethodGet, fmt.Sprintf("/api/v1/mous/%d", rv.mou), nil, http.StatusOK, &out); err != nil {
		return
	}
	if out.MOU.Stage == "liaison_review" {
		rv.next = stepMeeting
	} else {
		rv.next = stepTransition
	}
}
