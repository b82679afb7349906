package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/moudesk/moudesk/internal/testtool"
)

const (
	longMOUPages   = 640
	maxRenderPeak  = 64 << 20
	renderRSSUsage = "go test -run TestRenderPeakRSS640Pages ./cmd/moudesk"
)

// TestRenderPeakRSS640Pages renders a MOU of at least 640 pages (the
// bench MOU's text repeated) with the real moudesk binary, built without
// -race, and holds the process's peak resident memory (ru_maxrss, read by
// the process that started it) to 64 MiB (issue 16). Peak memory used to
// grow 0.074 MiB a page and pass 64 MiB near 360 pages. It takes several
// seconds on a busy machine, so -short skips it; .ci/run runs it.
func TestRenderPeakRSS640Pages(t *testing.T) {
	if args := os.Getenv(rssHelperEnv); args != "" {
		rssHelper(t, args)
		return
	}
	if testing.Short() {
		t.Skip("renders 640 pages; run without -short: " + renderRSSUsage)
	}
	pdfinfo := testtool.Need(t, "pdfinfo", "poppler-utils")
	bin := builtCLI(t)
	dir := t.TempDir()
	v1, _ := testtool.BenchMOU()

	// One copy first, to know how many make 640 pages (one spare: copies
	// after the first share their first and last pages).
	one := filepath.Join(dir, "one.md")
	if err := os.WriteFile(one, []byte(v1), 0o644); err != nil {
		t.Fatal(err)
	}
	onePDF := filepath.Join(dir, "one.pdf")
	_, onePeak := renderPeak(t, bin, one, onePDF)
	per := pdfPages(t, pdfinfo, onePDF)
	copies := (longMOUPages+per-1)/per + 1

	long := filepath.Join(dir, "long.md")
	md := strings.Repeat(v1+"\n", copies)
	if err := os.WriteFile(long, []byte(md), 0o644); err != nil {
		t.Fatal(err)
	}
	longPDF := filepath.Join(dir, "long.pdf")
	took, peak := renderPeak(t, bin, long, longPDF)
	pages := pdfPages(t, pdfinfo, longPDF)
	if pages < longMOUPages {
		t.Fatalf("%d copies of the bench MOU rendered %d pages, want at least %d", copies, pages, longMOUPages)
	}
	t.Logf("%d pages (%d KB of Markdown): peak RSS %.1f MiB, CPU %v; %d pages: %.1f MiB",
		pages, len(md)>>10, float64(peak)/(1<<20), took, per, float64(onePeak)/(1<<20))
	if peak > maxRenderPeak {
		t.Errorf("moudesk render of %d pages peaked at %.1f MiB resident, want at most %d MiB",
			pages, float64(peak)/(1<<20), maxRenderPeak>>20)
	}
}

// renderPeak runs moudesk render and returns its CPU time and its peak
// resident set size in bytes, through a fresh copy of this test binary
// (see rssHelper): Go starts a child with vfork, and Linux then counts the
// parent's peak memory at the exec in the child's ru_maxrss, so a child of
// this test process, grown by building and rendering, could report the
// test's peak instead of its own.
func renderPeak(t *testing.T, bin, in, out string) (cpu time.Duration, peak int64) {
	t.Helper()
	helper := exec.Command(os.Args[0], "-test.run=^TestRenderPeakRSS640Pages$")
	helper.Env = append(os.Environ(), rssHelperEnv+"="+strings.Join([]string{bin, in, out}, "\n"),
		"MOUDESK_DB="+filepath.Join(t.TempDir(), "moudesk.db"))
	b, err := helper.CombinedOutput()
	m := rssLine.FindSubmatch(b)
	if err != nil || m == nil {
		t.Fatalf("moudesk render %s: %v\n%s", filepath.Base(in), err, b)
	}
	kib, _ := strconv.ParseInt(string(m[1]), 10, 64)
	ns, _ := strconv.ParseInt(string(m[2]), 10, 64)
	self, _ := strconv.ParseInt(string(m[3]), 10, 64)
	if kib <= self {
		t.Skipf("the measuring process's own peak (%d MiB; a -race build?) hides moudesk render's; run without -race: %s", self>>10, renderRSSUsage)
	}
	return time.Duration(ns), kib << 10
}

const rssHelperEnv = "MOUDESK_RENDER_RSS_CHILD"

var rssLine = regexp.MustCompile(`(?m)^rss-child maxrss=(\d+) cpu=(\d+) self=(\d+)$`)

// rssHelper is the fresh test process renderPeak starts: it runs moudesk
// render and prints the child's ru_maxrss (KiB) and CPU time (ns).
func rssHelper(t *testing.T, args string) {
	a := strings.Split(args, "\n")
	self := peakRSS(t, os.Getpid()) // what vfork will lend the child
	cmd := exec.Command(a[0], "render", a[1], "-o", a[2])
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("moudesk render: %v\n%s", err, b)
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		t.Fatal("no rusage for a child process on this system")
	}
	cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	fmt.Printf("rss-child maxrss=%d cpu=%d self=%d\n", ru.Maxrss, cpu.Nanoseconds(), self>>10)
}

var pagesLine = regexp.MustCompile(`(?m)^Pages:\s+(\d+)$`)

func pdfPages(t *testing.T, pdfinfo, path string) int {
	t.Helper()
	b, err := exec.Command(pdfinfo, path).CombinedOutput()
	m := pagesLine.FindSubmatch(b)
	if err != nil || m == nil {
		t.Fatalf("pdfinfo %s: %v\n%s", path, err, b)
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}
