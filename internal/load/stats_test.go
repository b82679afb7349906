package load

import (
	"strings"
	"testing"
	"time"
)

// TestGroupSummary: a group's percentiles are those of all its requests
// together, not the largest of its kinds'.
func TestGroupSummary(t *testing.T) {
	s := newStats()
	for i := 1; i <= 99; i++ {
		s.record(KindSave, time.Millisecond, 201)
	}
	s.record(kindMeeting, time.Second, 201)
	s.record(KindRevision, 2*time.Millisecond, 200)
	s.record(KindRevision, 0, 0)
	g := s.GroupSummary(time.Second)
	if len(g) != 2 || g[0].Kind != "reads" || g[1].Kind != "writes" {
		t.Fatalf("groups = %+v; want reads, writes", g)
	}
	w := g[1]
	if w.Requests != 100 || w.P99 != time.Millisecond || w.Max != time.Second || w.Statuses[201] != 100 {
		t.Errorf("writes = %+v; want 100 requests, p99 1ms, max 1s", w)
	}
	if r := g[0]; r.Requests != 1 || r.NetErrors != 1 {
		t.Errorf("reads = %+v; want 1 request and 1 network error", r)
	}
	var out strings.Builder
	PrintSummary(&out, s.Summary(time.Second), time.Second, g...)
	if !strings.Contains(out.String(), "\nwrites ") {
		t.Errorf("the summary does not print the groups:\n%s", out.String())
	}
}
