package render

import (
	"os"
	"testing"
)

const benchMOU = "../../../shared/bench/mou-40p.md"

func TestScratch(t *testing.T) {
	md, err := os.ReadFile(benchMOU)
	if err != nil {
		t.Skip(err)
	}
	res, err := PDF(md, Options{Title: "Memorandum of Understanding — Riverton", HeaderNote: "Revision 3 · 1a2b3c4d", Draft: true, FooterNote: "moudesk · mou-7 rev 3 · 1a2b3c4d5e6f · verify at https://example.org/verify",
		Signatures: []SignatureBlock{{"City of Riverton", "José Peña", "Chief of Police"}, {"Riverton Unified School District", "Zoë Adams", "Superintendent"}}})
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile("/tmp/out.pdf", res.PDF, 0o644)
	t.Log(res.Pages, res.Warnings, res.Signatures)
}
