package redline

import (
	"io"
	"testing"

	"github.com/moudesk/moudesk/internal/testtool"
)

// readBench returns the shared bench file name (testtool.SharedBench).
func readBench(b *testing.B, name string) string {
	b.Helper()
	return string(testtool.SharedBench(b, name))
}

// BenchmarkRedline measures the whole redline of the 40-page bench pair,
// split included. Target: at most 10 ms/op on the 2-core project machine.
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
