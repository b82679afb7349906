package docx

import (
	"bytes"
	"io"
	"testing"

	"github.com/moudesk/moudesk/internal/testtool"
)

// BenchmarkExport writes the bench MOU (about 95 KB of Markdown, 34 pages
// in the PDF, 40-odd in Word) as a Word document.
func BenchmarkExport(b *testing.B) {
	d := benchDocument(b, false)
	b.ReportAllocs()
	for b.Loop() {
		if err := Write(io.Discard, d); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkImport reads the bench MOU's export back into sections.
func BenchmarkImport(b *testing.B) {
	data := exportBytes(b, benchDocument(b, false))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Import(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkImportWithoutMetadata reads it with the export's recorded
// Markdown removed, so every section's Markdown is rebuilt: what a
// document Word re-saved costs.
func BenchmarkImportWithoutMetadata(b *testing.B) {
	data := dropPart(b, exportBytes(b, benchDocument(b, false)), "customXml/item1.xml")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Import(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRedline writes the bench pair's tracked changes.
func BenchmarkRedline(b *testing.B) {
	rl := &Redline{Old: benchDocument(b, false), New: benchDocument(b, true), Author: "bench"}
	b.ReportAllocs()
	for b.Loop() {
		var buf bytes.Buffer
		if err := WriteRedline(&buf, rl); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSharedExport and BenchmarkSharedImport measure the shared
// 40-page bench MOU (../shared/bench/mou-40p.md), which docs/benchmarks.md's
// other figures are measured on; they skip without it.
func BenchmarkSharedExport(b *testing.B) {
	d := FromMarkdown(string(testtool.SharedBench(b, "mou-40p.md")))
	b.ReportAllocs()
	for b.Loop() {
		if err := Write(io.Discard, d); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSharedImport(b *testing.B) {
	data := exportBytes(b, FromMarkdown(string(testtool.SharedBench(b, "mou-40p.md"))))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Import(data); err != nil {
			b.Fatal(err)
		}
	}
}
