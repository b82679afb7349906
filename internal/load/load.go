// Package load drives a running moudesk server with concurrent clients
// over a realistic mix of requests, measures throughput and latency per
// request kind, and then proves that every write the server acknowledged
// is stored exactly as sent, that nothing it refused was kept, and that the
// database and its audit chain are intact. cmd/moudesk-load is its command
// line; the crash test drives its writers against a server it kills.
package load

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Config is one run.
type Config struct {
	URL        string
	Identities Identities
	Clients    int            // concurrent clients; 0 means 32
	Duration   time.Duration  // how long clients send requests; 0 means 10s
	Mix        map[string]int // weight per kind (Kinds); nil means DefaultMix
	BenchDir   string         // holds mou-40p.md and mou-40p-v2.md (needed for redline and pdf)
	DB         string         // database file, for PRAGMA integrity_check; "" skips that check
	Moudesk    string         // moudesk binary for `audit verify`; "" verifies through the API
	Timeout    time.Duration  // per request; 0 means 30s
	Log        io.Writer      // progress notes; nil discards
}

// DefaultMix is a review day: mostly reading, some redlines and PDFs,
// drafters saving and clerks recording a meeting.
var DefaultMix = map[string]int{KindMOU: 10, KindRevision: 40, KindRedline: 15, KindPDF: 5, KindSave: 20, KindWorkflow: 10}

// ParseMix reads "revision=40,save=20" into weights.
func ParseMix(s string) (map[string]int, error) {
	out := map[string]int{}
	for _, part := range strings.Split(s, ",") {
		name, w, ok := strings.Cut(strings.TrimSpace(part), "=")
		n, err := strconv.Atoi(w)
		if !ok || err != nil || n < 0 {
			return nil, fmt.Errorf("mix %q: want kind=weight, e.g. revision=40,save=20", part)
		}
		known := false
		for _, k := range Kinds {
			known = known || k == name
		}
		if !known {
			return nil, fmt.Errorf("mix: unknown kind %q (kinds: %s)", name, strings.Join(Kinds, ", "))
		}
		out[name] = n
	}
	return out, nil
}

// Report is what a run measured and what its end checks found.
type Report struct {
	LoadBefore string // the machine's load average as the run started ("" where unknown)
	LoadAfter  string
	Elapsed    time.Duration
	Kinds      []KindSummary
	Groups     []KindSummary // reads and writes as a whole
	AckedSaves int
	Checks     []Check
}

// Check is one end check.
type Check struct {
	Name   string
	OK     bool
	Detail string
}

// OK reports whether every end check passed.
func (r *Report) OK() bool {
	for _, c := range r.Checks {
		if !c.OK {
			return false
		}
	}
	return len(r.Checks) > 0
}

// Print writes the figures and the checks.
func (r *Report) Print(w io.Writer) {
	PrintSummary(w, r.Kinds, r.Elapsed, r.Groups...)
	if r.LoadBefore != "" {
		fmt.Fprintf(w, "load average (1, 5, 15 min): %s before, %s after\n", r.LoadBefore, r.LoadAfter)
	}
	fmt.Fprintf(w, "acknowledged saves: %d (%.1f/s)\n", r.AckedSaves, float64(r.AckedSaves)/r.Elapsed.Seconds())
	for _, c := range r.Checks {
		mark := "ok  "
		if !c.OK {
			mark = "FAIL"
		}
		fmt.Fprintf(w, "check %s %s: %s\n", mark, c.Name, c.Detail)
	}
}

// Run sets up its MOUs, runs the clients for the duration, then checks.
// It returns an error only when the run could not take place; failed
// checks are in the report.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	rep, _, err := run(ctx, cfg)
	return rep, err
}

// run is Run, also returning the shared state the checks read, so tests
// can show the checks catch a loss.
func run(ctx context.Context, cfg Config) (*Report, *runState, error) {
	if cfg.Clients <= 0 {
		cfg.Clients = 32
	}
	if cfg.Duration <= 0 {
		cfg.Duration = 10 * time.Second
	}
	if cfg.Mix == nil {
		cfg.Mix = DefaultMix
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	stats := newStats()
	hc := newHTTPClient(cfg.Clients, cfg.Timeout)
	st := &runState{}
	id := cfg.Identities
	// Several instances of one deployment: clients are spread over them,
	// and the setup and checks go through the first.
	urls := strings.Split(cfg.URL, ",")
	var err error
	switch {
	case id.DrafterToken != "":
		st.drafter = WithToken(hc, urls[0], id.DrafterToken, stats)
	case id.DrafterEmail != "":
		if st.drafter, err = Login(ctx, hc, urls[0], id.DrafterEmail, id.DrafterPassword, stats); err != nil {
			return nil, nil, err
		}
	default:
		return nil, nil, errors.New("no drafter: give a token or an email and password")
	}
	if id.City == "" || id.District == "" {
		return nil, nil, errors.New("name the city and district party slugs the MOUs are made between")
	}
	if id.ClerkToken != "" {
		st.clerk = WithToken(hc, urls[0], id.ClerkToken, stats)
	} else if cfg.Mix[KindWorkflow] > 0 {
		return nil, nil, errors.New("the workflow kind needs a clerk token (clerk of the city party)")
	}

	vars, err := variables()
	if err != nil {
		return nil, nil, err
	}
	fmt.Fprintln(cfg.Log, "setting up: shared MOU for saves")
	if st.saveMOU, err = createMOU(ctx, st.drafter, id, "Load test MOU (shared saves)", vars); err != nil {
		return nil, nil, fmt.Errorf("create the shared MOU: %w", err)
	}
	secs, err := revisionSections(ctx, st.drafter, st.saveMOU, 1)
	if err != nil {
		return nil, nil, err
	}
	for _, s := range secs {
		st.keys = append(st.keys, s.Key)
	}
	st.ledger = newLedger(1, secs)
	if cfg.Mix[KindRedline]+cfg.Mix[KindPDF] > 0 {
		fmt.Fprintln(cfg.Log, "setting up: the 40-page bench MOU")
		if cfg.BenchDir == "" {
			return nil, nil, errors.New("redline and pdf kinds need the bench folder (mou-40p.md, mou-40p-v2.md)")
		}
		if st.benchMOU, err = createBenchMOU(ctx, st.drafter, id, vars, cfg.BenchDir); err != nil {
			return nil, nil, fmt.Errorf("create the bench MOU: %w", err)
		}
	}
	var pickers []string
	for _, k := range Kinds {
		for range cfg.Mix[k] {
			pickers = append(pickers, k)
		}
	}
	if len(pickers) == 0 {
		return nil, nil, errors.New("the mix weighs nothing")
	}
	// One run state per instance, sharing the ledger and the MOUs; a
	// session or token is the database's, so good on every instance.
	states := []*runState{st}
	for _, u := range urls[1:] {
		s := *st
		d := *st.drafter
		d.base = strings.TrimRight(u, "/")
		s.drafter = &d
		if st.clerk != nil {
			c := *st.clerk
			c.base = d.base
			s.clerk = &c
		}
		states = append(states, &s)
	}
	workers := make([]*worker, cfg.Clients)
	for i := range workers {
		w := &worker{id: i + 1, r: states[i%len(states)], rng: rand.New(rand.NewPCG(uint64(i+1), uint64(time.Now().UnixNano()))), pickers: pickers}
		if cfg.Mix[KindWorkflow] > 0 {
			m, err := createMOU(ctx, st.drafter, id, fmt.Sprintf("Load review MOU %d", i+1), vars)
			if err != nil {
				return nil, nil, fmt.Errorf("create review MOU: %w", err)
			}
			w.wf = &review{mou: m}
		}
		workers[i] = w
	}

	fmt.Fprintf(cfg.Log, "running %d clients for %s\n", cfg.Clients, cfg.Duration)
	loadBefore := loadAverage()
	start := time.Now()
	deadline := start.Add(cfg.Duration)
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.loop(ctx, deadline)
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	rep := &Report{LoadBefore: loadBefore, LoadAfter: loadAverage(), Elapsed: elapsed, Kinds: stats.Summary(elapsed), Groups: stats.GroupSummary(elapsed), AckedSaves: st.ledger.Acknowledged()}
	fmt.Fprintln(cfg.Log, "checking")
	rep.Checks = endChecks(ctx, cfg, st)
	sort.SliceStable(rep.Checks, func(i, j int) bool { return !rep.Checks[i].OK && rep.Checks[j].OK })
	return rep, st, nil
}

// loadAverage is the machine's 1, 5 and 15 minute load averages, which
// every figure should be read beside; "" where /proc is not there.
func loadAverage() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(raw))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

// statusClass is for messages: "409", "503"…
func statusClass(n int) string { return strconv.Itoa(n) + " " + http.StatusText(n) }
