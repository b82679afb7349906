package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/moudesk/moudesk/internal/testtool"
)

// BenchmarkRenderVsPandoc runs the whole `moudesk render` process on the
// bench MOU beside pandoc with WeasyPrint on the same file, alternately in
// one run so that load on the machine falls on both alike, and reports the
// median of each, their ratio (issue 16's target: moudesk at most 1/40 of
// pandoc, a ratio of 0.025 or less) and the one-minute load average:
//
//	go test -run '^$' -bench RenderVsPandoc -benchtime 10x ./cmd/moudesk
//
// Each iteration runs both once; pandoc takes seconds, so keep -benchtime
// small.
func BenchmarkRenderVsPandoc(b *testing.B) {
	src := testtool.WriteTemp(b, "mou-40p.md", testtool.SharedBench(b, "mou-40p.md")) // skips without the shared bench
	pandoc, err := exec.LookPath("pandoc")
	if err != nil {
		b.Skip("pandoc is not installed (apt-get install --no-install-recommends pandoc weasyprint)")
	}
	if _, err := exec.LookPath("weasyprint"); err != nil {
		b.Skip("weasyprint is not installed (apt-get install --no-install-recommends pandoc weasyprint)")
	}
	bin := builtCLI(b)
	dir := b.TempDir()
	env := append(os.Environ(), "MOUDESK_DB="+filepath.Join(dir, "moudesk.db"))
	run := func(path string, args ...string) time.Duration {
		cmd := exec.Command(path, args...)
		cmd.Env = env
		start := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%s: %v\n%s", filepath.Base(path), err, out)
		}
		return time.Since(start)
	}
	ours := func() time.Duration { return run(bin, "render", src, "-o", filepath.Join(dir, "m.pdf")) }
	theirs := func() time.Duration {
		return run(pandoc, src, "-o", filepath.Join(dir, "p.pdf"), "--pdf-engine=weasyprint")
	}
	// One of each first, outside the figures: page cache, fontconfig's cache.
	ours()
	theirs()
	var m, p []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%2 == 0 {
			m = append(m, ours())
			p = append(p, theirs())
		} else {
			p = append(p, theirs())
			m = append(m, ours())
		}
	}
	b.StopTimer()
	mm, pm := median(m), median(p)
	b.ReportMetric(float64(mm)/1e6, "moudesk-ms")
	b.ReportMetric(float64(pm)/1e6, "pandoc-ms")
	b.ReportMetric(float64(mm)/float64(pm), "ratio")
	if load, err := loadAverage(); err == nil {
		b.ReportMetric(load, "load1")
	}
}
