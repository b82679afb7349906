package load

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os/exec"
	"sort"
	"strings"
	"sync"

	"github.com/moudesk/moudesk/internal/postgres"
	"github.com/moudesk/moudesk/internal/sqlite"
)

// endChecks proves the run lost nothing: the shared MOU's revisions, the
// review writes, the database file and the audit chain.
func endChecks(ctx context.Context, cfg Config, st *runState) []Check {
	checks := checkRevisions(ctx, st)
	if st.clerk != nil {
		checks = append(checks, checkRevisionEvents(ctx, st), checkReviews(ctx, st))
	}
	if postgres.IsURL(cfg.DB) {
		checks = append(checks, Check{Name: "integrity_check", OK: true, Detail: "not run: a PostgreSQL server keeps its own pages"})
	} else if cfg.DB != "" {
		checks = append(checks, checkIntegrity(ctx, cfg.DB))
	} else {
		checks = append(checks, Check{Name: "integrity_check", OK: true, Detail: "not run: no -db given"})
	}
	checks = append(checks, checkAudit(ctx, cfg, st))
	return checks
}

// checkRevisions reads every revision of the shared MOU and compares each
// with what the ledger says its save sent.
func checkRevisions(ctx context.Context, st *runState) []Check {
	l := st.ledger
	l.mu.Lock()
	defer l.mu.Unlock()
	var list struct{ Revisions []listedRevision }
	var err error
	if list.Revisions, err = listRevisions(ctx, st.drafter, st.saveMOU); err != nil {
		return []Check{{Name: "revisions", Detail: err.Error()}}
	}
	var problems []string
	problems = append(problems, l.dups...)
	problems = append(problems, l.badBase...)
	stored := map[int]bool{}
	for i, r := range list.Revisions {
		stored[r.Number] = true
		if r.Number != i+1 {
			problems = append(problems, fmt.Sprintf("revision numbers not contiguous: position %d holds %d", i+1, r.Number))
			break
		}
	}
	for n := range l.revisions {
		if !stored[n] {
			problems = append(problems, fmt.Sprintf("acknowledged revision %d is missing", n))
		}
	}
	// Read every revision, a few at a time.
	got := make(map[int][]section, len(list.Revisions))
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	var readErr error
	for _, r := range list.Revisions {
		wg.Add(1)
		sem <- struct{}{}
		go func(n int) {
			defer wg.Done()
			defer func() { <-sem }()
			secs, err := revisionSections(ctx, st.drafter, st.saveMOU, n)
			mu.Lock()
			defer mu.Unlock()
			if err != nil && readErr == nil {
				readErr = err
			}
			got[n] = secs
		}(r.Number)
	}
	wg.Wait()
	if readErr != nil {
		return []Check{{Name: "revisions", Detail: "read back: " + readErr.Error()}}
	}
	unacked, fromUnknown := 0, 0
	for _, r := range list.Revisions {
		n := r.Number
		want, ok := l.revisions[n]
		if ok {
			if d := diffSections(want.Sections, got[n]); d != "" {
				problems = append(problems, fmt.Sprintf("revision %d differs from what was sent: %s", n, d))
			}
			continue
		}
		// Not acknowledged: allowed only for a save that got no answer,
		// and then whole: its base with exactly that one body replaced.
		unacked++
		if body, ok := oneChange(got[n-1], got[n]); ok && l.unknown[body] {
			fromUnknown++
			continue
		}
		problems = append(problems, fmt.Sprintf("revision %d was never acknowledged and is not one whole unanswered save", n))
	}
	out := []Check{{
		Name: "revisions",
		OK:   len(problems) == 0,
		Detail: fmt.Sprintf("%d stored, numbers 1..%d contiguous, %d acknowledged saves match what was sent, %d unanswered saves stored whole",
			len(list.Revisions), len(list.Revisions), len(l.revisions)-1, fromUnknown),
	}}
	if len(problems) > 0 {
		out[0].Detail = summarize(problems)
	}
	// Refused saves: their text is in no revision.
	kept := 0
	var example string
	for _, secs := range got {
		for _, s := range secs {
			if st, ok := l.refused[s.Body]; ok {
				kept++
				example = fmt.Sprintf("a save refused with %s is stored", statusClass(st))
			}
		}
	}
	byStatus := map[int]int{}
	for _, st := range l.refused {
		byStatus[st]++
	}
	out = append(out, Check{Name: "refused saves left no row", OK: kept == 0,
		Detail: fmt.Sprintf("%s refused, none stored", statusText(byStatus, 0))})
	if kept > 0 {
		out[1].Detail = fmt.Sprintf("%d refused saves stored, e.g. %s", kept, example)
	}
	return out
}

// diffSections names the first difference between two section lists.
func diffSections(want, got []section) string {
	if len(want) != len(got) {
		return fmt.Sprintf("%d sections, want %d", len(got), len(want))
	}
	for i := range want {
		if want[i] != got[i] {
			return fmt.Sprintf("section %d (%s) differs", i+1, want[i].Key)
		}
	}
	return ""
}

// oneChange returns the new body when b is a with exactly one body changed.
func oneChange(a, b []section) (string, bool) {
	if len(a) != len(b) {
		return "", false
	}
	body, changes := "", 0
	for i := range a {
		if a[i].Key != b[i].Key || a[i].Heading != b[i].Heading {
			return "", false
		}
		if a[i].Body != b[i].Body {
			changes++
			body = b[i].Body
		}
	}
	return body, changes == 1
}

// checkRevisionEvents proves no revision is half-present: each stored
// revision after the first has exactly one revision.create audit event,
// written in the same transaction, and no event names a revision that is
// not stored.
func checkRevisionEvents(ctx context.Context, st *runState) Check {
	var list struct{ Revisions []listedRevision }
	var err error
	if list.Revisions, err = listRevisions(ctx, st.drafter, st.saveMOU); err != nil {
		return Check{Name: "revision audit events", Detail: err.Error()}
	}
	hashes := map[int]string{}
	for _, r := range list.Revisions {
		hashes[r.Number] = r.Hash
	}
	events := map[int]int{}
	var problems []string
	var after int64
	for {
		var page struct {
			Events []struct {
				Seq     int64  `json:"seq"`
				Action  string `json:"action"`
				Details struct {
					Revision int    `json:"revision"`
					Hash     string `json:"content_hash"`
				} `json:"details"`
			} `json:"events"`
		}
		if err := st.clerk.must(ctx, http.MethodGet, fmt.Sprintf("/api/v1/audit?mou=%d&after=%d&limit=500", st.saveMOU, after), nil, http.StatusOK, &page); err != nil {
			return Check{Name: "revision audit events", Detail: err.Error()}
		}
		if len(page.Events) == 0 {
			break
		}
		for _, ev := range page.Events {
			after = ev.Seq
			if ev.Action != "revision.create" {
				continue
			}
			n := ev.Details.Revision
			events[n]++
			if h, ok := hashes[n]; !ok || h != ev.Details.Hash {
				problems = append(problems, fmt.Sprintf("audit event %d records revision %d, which is not stored with that hash", ev.Seq, n))
			}
		}
	}
	for n := range hashes {
		if n > 1 && events[n] != 1 {
			problems = append(problems, fmt.Sprintf("revision %d has %d revision.create events, want 1", n, events[n]))
		}
	}
	c := Check{Name: "revision audit events", OK: len(problems) == 0,
		Detail: fmt.Sprintf("each of %d saved revisions has its one revision.create event", len(hashes)-1)}
	if len(problems) > 0 {
		c.Detail = summarize(problems)
	}
	return c
}

// checkReviews reads back every acknowledged meeting: its feedback items
// with the text sent and its outcome.
func checkReviews(ctx context.Context, st *runState) Check {
	l := st.ledger
	l.mu.Lock()
	defer l.mu.Unlock()
	var problems []string
	feedback, outcomes := 0, 0
	for id, m := range l.meetings {
		var out struct {
			Meeting struct {
				Outcome *struct {
					Outcome string `json:"outcome"`
				} `json:"outcome"`
				Feedback []struct {
					ID      int64  `json:"id"`
					Section string `json:"section"`
					Text    string `json:"text"`
				} `json:"feedback"`
			} `json:"meeting"`
		}
		if err := st.clerk.must(ctx, http.MethodGet, fmt.Sprintf("/api/v1/meetings/%d", id), nil, http.StatusOK, &out); err != nil {
			problems = append(problems, fmt.Sprintf("acknowledged meeting %d: %v", id, err))
			continue
		}
		stored := map[int64]feedbackRecord{}
		for _, f := range out.Meeting.Feedback {
			stored[f.ID] = feedbackRecord{Section: f.Section, Text: f.Text}
		}
		for fid, want := range m.Feedback {
			feedback++
			if got, ok := stored[fid]; !ok || got != want {
				problems = append(problems, fmt.Sprintf("acknowledged feedback %d on meeting %d is missing or altered", fid, id))
			}
		}
		if m.Outcome != "" {
			outcomes++
			if out.Meeting.Outcome == nil || out.Meeting.Outcome.Outcome != m.Outcome {
				problems = append(problems, fmt.Sprintf("acknowledged outcome of meeting %d is missing", id))
			}
		}
	}
	c := Check{Name: "review writes", OK: len(problems) == 0,
		Detail: fmt.Sprintf("%d meetings, %d feedback items, %d outcomes acknowledged and stored as sent", len(l.meetings), feedback, outcomes)}
	if len(problems) > 0 {
		c.Detail = summarize(problems)
	}
	return c
}

// checkIntegrity runs PRAGMA integrity_check on a read-only connection to
// the file itself: what is on disk is what must be sound.
func checkIntegrity(ctx context.Context, path string) Check {
	res, err := sqlite.IntegrityCheck(ctx, path)
	if err != nil {
		return Check{Name: "integrity_check", Detail: err.Error()}
	}
	return Check{Name: "integrity_check", OK: res == "ok", Detail: res}
}

// checkAudit runs `moudesk audit verify` on the database when the binary
// and the file are given, else asks the server's audit verify endpoint.
func checkAudit(ctx context.Context, cfg Config, st *runState) Check {
	if cfg.Moudesk != "" && cfg.DB != "" {
		cmd := exec.CommandContext(ctx, cfg.Moudesk, "--db", cfg.DB, "audit", "verify")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		msg := strings.TrimSpace(out.String())
		if err != nil {
			return Check{Name: "moudesk audit verify", Detail: fmt.Sprintf("%v: %s", err, msg)}
		}
		return Check{Name: "moudesk audit verify", OK: true, Detail: msg}
	}
	if st.clerk == nil {
		return Check{Name: "audit verify", Detail: "not run: give -moudesk and -db, or a clerk token for GET /api/v1/audit/verify"}
	}
	var out struct {
		OK      bool   `json:"ok"`
		Checked int64  `json:"checked"`
		Broken  int64  `json:"broken_seq"`
		Reason  string `json:"reason"`
	}
	if err := st.clerk.must(ctx, http.MethodGet, "/api/v1/audit/verify", nil, http.StatusOK, &out); err != nil {
		return Check{Name: "audit verify (API)", Detail: err.Error()}
	}
	if !out.OK {
		return Check{Name: "audit verify (API)", Detail: fmt.Sprintf("chain broken at event %d: %s", out.Broken, out.Reason)}
	}
	return Check{Name: "audit verify (API)", OK: true, Detail: fmt.Sprintf("%d events verified", out.Checked)}
}

// summarize keeps a failure message readable: the first few problems and
// how many more.
func summarize(problems []string) string {
	sort.Strings(problems)
	if len(problems) > 5 {
		return strings.Join(problems[:5], "; ") + fmt.Sprintf("; and %d more", len(problems)-5)
	}
	return strings.Join(problems, "; ")
}

// listedRevision is one revision as GET /api/v1/mous/{id}/revisions lists it.
type listedRevision struct {
	Number int    `json:"revision"`
	Hash   string `json:"content_hash"`
}

// listRevisions reads every revision of MOU id, oldest first, a page at a
// time: a run saves thousands of revisions, more than one page holds.
func listRevisions(ctx context.Context, c *Client, id int64) ([]listedRevision, error) {
	var out []listedRevision
	cursor := ""
	for {
		var page struct {
			Revisions []listedRevision `json:"revisions"`
			Next      string           `json:"next_cursor"`
		}
		path := fmt.Sprintf("/api/v1/mous/%d/revisions?limit=500", id)
		if cursor != "" {
			path += "&cursor=" + url.QueryEscape(cursor)
		}
		if err := c.must(ctx, http.MethodGet, path, nil, http.StatusOK, &page); err != nil {
			return nil, err
		}
		out = append(out, page.Revisions...)
		if page.Next == "" {
			return out, nil
		}
		cursor = page.Next
	}
}
