package redline

import (
	"io"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/moudesk/moudesk/internal/testtool"
)

// readBench returns the shared bench file name (testtool.SharedBench).
func readBench(b *testing.B, name string) string {
	b.Helper()
	return string(testtool.SharedBench(b, name))
}

// BenchmarkRedline measures the whole redline of the 40-page bench pair,
// split and move detection included. Target (issue 16): no slower than
// BenchmarkGitWordDiff, git's whole word-diff process, in the same run.
func BenchmarkRedline(b *testing.B) {
	old, new := readBench(b, "mou-40p.md"), readBench(b, "mou-40p-v2.md")
	b.SetBytes(int64(len(old) + len(new)))
	b.ReportAllocs()
	for b.Loop() {
		r := Compare(Split(old), Split(new), Options{})
		if r.Summary.Moved != 1 {
			b.Fatal("lost the moved section")
		}
	}
}

// BenchmarkRedlineText adds writing the text output, as the CLI does.
func BenchmarkRedlineText(b *testing.B) {
	old, new := readBench(b, "mou-40p.md"), readBench(b, "mou-40p-v2.md")
	b.ReportAllocs()
	for b.Loop() {
		if err := Compare(Split(old), Split(new), Options{}).WriteText(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSplit(b *testing.B) {
	md := readBench(b, "mou-40p-v2.md")
	b.SetBytes(int64(len(md)))
	b.ReportAllocs()
	for b.Loop() {
		if len(Split(md).Sections) != 62 {
			b.Fatal("wrong section count")
		}
	}
}

// BenchmarkRedlineJSON is what `moudesk redline --format json` does once
// it has read its two files: split, compare, write the JSON.
func BenchmarkRedlineJSON(b *testing.B) {
	old, new := readBench(b, "mou-40p.md"), readBench(b, "mou-40p-v2.md")
	b.ReportAllocs()
	for b.Loop() {
		if err := Compare(Split(old), Split(new), Options{}).WriteJSON(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

// benchFiles writes the bench pair to a temporary folder, for the
// benchmarks that run a whole process on it, and returns the two paths.
func benchFiles(b *testing.B) (old, new string) {
	b.Helper()
	return testtool.WriteTemp(b, "mou-40p.md", testtool.SharedBench(b, "mou-40p.md")),
		testtool.WriteTemp(b, "mou-40p-v2.md", testtool.SharedBench(b, "mou-40p-v2.md"))
}

// BenchmarkGitWordDiff is the yardstick for BenchmarkRedline: git's whole
// word-diff process on the same pair, measured in the same run
// (`go test -bench 'Redline$|GitWordDiff' -benchmem`). Issue 16 asks that
// the in-process redline be no slower than this.
func BenchmarkGitWordDiff(b *testing.B) {
	git := testtool.Need(b, "git", "git")
	old, new := benchFiles(b)
	b.ReportAllocs()
	for b.Loop() {
		out, err := exec.Command(git, "diff", "--no-index", "--word-diff=porcelain", old, new).Output()
		// git diff --no-index exits 1 when the files differ.
		if ee, ok := err.(*exec.ExitError); err != nil && (!ok || ee.ExitCode() != 1) {
			b.Fatal(err)
		}
		if len(out) == 0 {
			b.Fatal("git found no difference")
		}
	}
}

// BenchmarkRedlineProcess is the whole `moudesk redline` process on the
// bench pair (text output), start-up included: a figure to report beside
// BenchmarkGitWordDiff, not a target. The binary is built once, outside
// the timed loop.
func BenchmarkRedlineProcess(b *testing.B) {
	goTool := testtool.Need(b, "go", "golang-go")
	old, new := benchFiles(b)
	bin := filepath.Join(b.TempDir(), "moudesk")
	if out, err := exec.Command(goTool, "build", "-o", bin, "github.com/moudesk/moudesk/cmd/moudesk").CombinedOutput(); err != nil {
		b.Fatalf("build moudesk: %v\n%s", err, out)
	}
	b.ReportAllocs()
	for b.Loop() {
		out, err := exec.Command(bin, "redline", old, new).Output()
		if ee, ok := err.(*exec.ExitError); err != nil && (!ok || ee.ExitCode() != 1) {
			b.Fatalf("moudesk redline: %v", err)
		}
		if len(out) == 0 {
			b.Fatal("moudesk redline printed nothing")
		}
	}
}
