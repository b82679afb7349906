package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkStartup measures what every command pays before it starts: the
// whole run of `moudesk help` beside the whole run of an empty Go program,
// both built here without -race and run alternately, so that load on the
// machine falls on both alike. It reports the median of each, their ratio
// (the goal is at most 2) and the one-minute load average at the end:
//
//	go test -run '^$' -bench Startup -benchtime 200x ./cmd/moudesk
func BenchmarkStartup(b *testing.B) {
	bin := builtCLI(b)
	empty := buildEmpty(b)
	run := func(path string, args ...string) time.Duration {
		cmd := exec.Command(path, args...)
		start := time.Now()
		if err := cmd.Run(); err != nil {
			b.Fatalf("%s: %v", path, err)
		}
		return time.Since(start)
	}
	var help, base []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%2 == 0 {
			help = append(help, run(bin, "help"))
			base = append(base, run(empty))
		} else {
			base = append(base, run(empty))
			help = append(help, run(bin, "help"))
		}
	}
	b.StopTimer()
	h, e := median(help), median(base)
	b.ReportMetric(float64(h)/1e6, "help-ms")
	b.ReportMetric(float64(e)/1e6, "empty-ms")
	b.ReportMetric(float64(h)/float64(e), "ratio")
	if load, err := loadAverage(); err == nil {
		b.ReportMetric(load, "load1")
	}
}

// TestStartupLinksNoEagerExtensions keeps goldmark/extension out of the
// binary: Go runs the init of every linked package before main, and that
// one's (the autolink patterns above all) was the largest of every
// command's start-up. internal/gfm holds the extensions moudesk uses, with
// patterns compiled on first use.
func TestStartupLinksNoEagerExtensions(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/moudesk/moudesk/cmd/moudesk").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if pkg == "github.com/yuin/goldmark/extension" {
			t.Errorf("cmd/moudesk links %s; use github.com/moudesk/moudesk/internal/gfm (same extensions, no init-time work)", pkg)
		}
	}
}

// buildEmpty builds `func main() {}`, the floor any Go program pays.
func buildEmpty(tb testing.TB) string {
	tb.Helper()
	dir := tb.TempDir()
	src := filepath.Join(dir, "main.go")
	if err := os.WriteFile(src, []byte("package main\n\nfunc main() {}\n"), 0o644); err != nil {
		tb.Fatal(err)
	}
	bin := filepath.Join(dir, "empty")
	if out, err := exec.Command("go", "build", "-o", bin, src).CombinedOutput(); err != nil {
		tb.Fatalf("build the empty program: %v\n%s", err, out)
	}
	return bin
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

// loadAverage is the one-minute load average, which start-up times mean
// little without on a shared machine.
func loadAverage() (float64, error) {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0, err
	}
	return strconv.ParseFloat(strings.Fields(string(b))[0], 64)
}
