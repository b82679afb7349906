package clause_test

import (
	"testing"

	"github.com/moudesk/moudesk/clauses"
	"github.com/moudesk/moudesk/internal/clause"
)

// BenchmarkLoadFS measures loading and validating the whole shipped library,
// which the server does once at start.
func BenchmarkLoadFS(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := clause.LoadFS(clauses.FS); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFill measures filling one typical clause, done for every section
// each time a revision is assembled.
func BenchmarkFill(b *testing.B) {
	data, err := clauses.FS.ReadFile("funding.md")
	if err != nil {
		b.Fatal(err)
	}
	c, err := clause.Parse(data)
	if err != nil {
		b.Fatal(err)
	}
	values := map[string]string{"annual_cost": "417000", "district_share": "50"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := clause.Fill(c.Body, c.Variables, values); err != nil {
			b.Fatal(err)
		}
	}
}
