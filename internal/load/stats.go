package load

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"sync"
	"time"
)

// Stats collects every request's latency and outcome by kind. Latencies
// are kept whole (a float per request) so percentiles are exact; a minute
// at a few thousand requests a second is a few megabytes.
type Stats struct {
	mu    sync.Mutex
	kinds map[string]*kindStats
}

type kindStats struct {
	lat      []time.Duration
	statuses map[int]int
	neterrs  int
}

func newStats() *Stats { return &Stats{kinds: map[string]*kindStats{}} }

// record notes one request of kind; status 0 means no HTTP answer at all
// (connection refused, reset, timeout).
func (s *Stats) record(kind string, d time.Duration, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := s.kinds[kind]
	if k == nil {
		k = &kindStats{statuses: map[int]int{}}
		s.kinds[kind] = k
	}
	if status == 0 {
		k.neterrs++
		return
	}
	k.lat = append(k.lat, d)
	k.statuses[status]++
}

// KindSummary is one request kind's figures over the run.
type KindSummary struct {
	Kind      string
	Requests  int
	PerSecond float64
	P50       time.Duration
	P95       time.Duration
	P99       time.Duration
	Max       time.Duration
	Statuses  map[int]int
	NetErrors int
}

// Summary returns every kind's figures for a run that lasted elapsed.
func (s *Stats) Summary(elapsed time.Duration) []KindSummary {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]KindSummary, 0, len(s.kinds))
	for name, k := range s.kinds {
		out = append(out, kindSummary(name, elapsed, k))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Kind < out[j].Kind })
	return out
}

// Groups of kinds whose figures are also given together: targets are set
// for reads and for writes as a whole, and a group's p99 is not the
// largest of its kinds' p99s.
var groups = []struct {
	name  string
	kinds []string
}{
	{"reads", []string{KindMOU, KindRevision, KindRedline, KindPDF}},
	{"writes", []string{KindSave, kindTransition, kindMeeting, kindFeedback, kindOutcome}},
}

// GroupSummary returns the figures of each group with requests in the run.
func (s *Stats) GroupSummary(elapsed time.Duration) []KindSummary {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []KindSummary
	for _, g := range groups {
		all := &kindStats{statuses: map[int]int{}}
		for _, name := range g.kinds {
			if k := s.kinds[name]; k != nil {
				all.lat = append(all.lat, k.lat...)
				for st, n := range k.statuses {
					all.statuses[st] += n
				}
				all.neterrs += k.neterrs
			}
		}
		if len(all.lat)+all.neterrs > 0 {
			out = append(out, kindSummary(g.name, elapsed, all))
		}
	}
	return out
}

func kindSummary(name string, elapsed time.Duration, k *kindStats) KindSummary {
	lat := slices.Clone(k.lat)
	slices.Sort(lat)
	ks := KindSummary{Kind: name, Requests: len(lat), Statuses: maps.Clone(k.statuses), NetErrors: k.neterrs}
	if elapsed > 0 {
		ks.PerSecond = float64(len(lat)) / elapsed.Seconds()
	}
	if len(lat) > 0 {
		ks.P50, ks.P95, ks.P99, ks.Max = pct(lat, 50), pct(lat, 95), pct(lat, 99), lat[len(lat)-1]
	}
	return ks
}

// pct is the nearest-rank percentile of sorted latencies.
func pct(sorted []time.Duration, p int) time.Duration {
	i := (len(sorted)*p + 99) / 100
	if i < 1 {
		i = 1
	}
	return sorted[i-1]
}

// PrintSummary writes the per-kind table, the totals and then each
// group's figures (GroupSummary) when given.
func PrintSummary(w io.Writer, sum []KindSummary, elapsed time.Duration, groups ...KindSummary) {
	fmt.Fprintf(w, "%-11s %9s %9s %9s %9s %9s %9s  %s\n", "kind", "requests", "req/s", "p50", "p95", "p99", "max", "statuses")
	total := 0
	for _, k := range sum {
		total += k.Requests
		printKind(w, k)
	}
	fmt.Fprintf(w, "%-11s %9d %9.1f  over %.1fs\n", "total", total, float64(total)/elapsed.Seconds(), elapsed.Seconds())
	for _, g := range groups {
		printKind(w, g)
	}
}

func printKind(w io.Writer, k KindSummary) {
	fmt.Fprintf(w, "%-11s %9d %9.1f %9s %9s %9s %9s  %s\n", k.Kind, k.Requests, k.PerSecond,
		ms(k.P50), ms(k.P95), ms(k.P99), ms(k.Max), statusText(k.Statuses, k.NetErrors))
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d.Microseconds())/1000) }

func statusText(st map[int]int, neterrs int) string {
	codes := make([]int, 0, len(st))
	for c := range st {
		codes = append(codes, c)
	}
	sort.Ints(codes)
	out := ""
	for _, c := range codes {
		if out != "" {
			out += " "
		}
		out += fmt.Sprintf("%d×%d", c, st[c])
	}
	if neterrs > 0 {
		out += fmt.Sprintf(" neterr×%d", neterrs)
	}
	return out
}
