package workflow

import (
	"os"
	"testing"
)

func BenchmarkParseDefault(b *testing.B) {
	data, err := os.ReadFile("../../templates/workflows/default.yaml")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRecordApproval measures the rule check behind every recorded
// approval: the call that completes the approval stage.
func BenchmarkRecordApproval(b *testing.B) {
	d := shipped(b)["default"]
	const hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	m := Meeting{
		Stage: "approval", Body: "school_board", Outcome: OutcomeApprove, ContentHash: hash,
		Votes: council5(4), Approvals: []Approval{{"city_council", hash}},
	}
	b.ReportAllocs()
	for b.Loop() {
		res, err := d.RecordOutcome(m)
		if err != nil || res.Next != "signature" {
			b.Fatal(res, err)
		}
	}
}
