package publish

import (
	"strings"
	"testing"

	"github.com/moudesk/moudesk/internal/chart"
	"github.com/moudesk/moudesk/internal/suppress"
)

var citations = []Column{
	{Name: "school", Type: TypeSchool, Label: "School"},
	{Name: "month", Type: TypeMonth, Label: "Month"},
	{Name: "student_group", Type: TypeText, Label: "Student group"},
	{Name: "citations", Type: TypeCount, Label: "Citations issued"},
	{Name: "arrests", Type: TypeCount, Label: "Arrests"},
}

func TestPublish(t *testing.T) {
	d := Dataset{ID: "ob1", Title: "Citations", Columns: citations, Rows: [][]string{
		{"Denfeld High", "2025-02", "Black", "3", "0"},
		{"Denfeld High", "2025-01", "Black", "12", "1"},
		{"Denfeld High", "2025-01", "White", "25", "2"},
		{"East High", "2025-01", "Black", "10", "0"},
		{"Denfeld High", "2025-02", "White", "x", "0"},
	}}
	p, err := Publish(d, suppress.Default())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(p.Header, "|") != "School|Month|Student group|Citations issued|Arrests" {
		t.Errorf("header %q", p.Header)
	}
	want := []string{
		"Denfeld High 2025-02 Black <10 <10",
		"Denfeld High 2025-01 Black 12 <10",
		"Denfeld High 2025-01 White 25 <10",
		"East High 2025-01 Black 10 <10",
		"Denfeld High 2025-02 White <10 <10",
	}
	for i, row := range p.Rows {
		if got := strings.Join(row, " "); got != want[i] {
			t.Errorf("row %d = %q, want %q", i, got, want[i])
		}
	}
	// Two count columns × two schools.
	if len(p.Charts) != 4 {
		t.Fatalf("%d charts, want 4", len(p.Charts))
	}
	c := p.Charts[0]
	if c.Title != "Citations issued — Denfeld High" || strings.Join(c.Periods, ",") != "2025-01,2025-02" {
		t.Errorf("chart %q over %v", c.Title, c.Periods)
	}
	rows := c.Rows()
	got := []string{}
	for _, r := range rows {
		got = append(got, r.Name+": "+strings.Join(r.Cells, " "))
	}
	if strings.Join(got, "; ") != "Black: 12 <10; White: 25 <10" {
		t.Errorf("chart rows %q", got)
	}
	// The hidden 3 is nowhere in the chart.
	if svg := string(c.SVG()); strings.Contains(svg, ": 3 ") || strings.Contains(svg, `data-value="3"`) {
		t.Errorf("chart reveals the suppressed 3")
	}
	if e := p.Charts[2]; e.Title != "Arrests — Denfeld High" || e.Rows()[0].Cells[0] != "<10" {
		t.Errorf("arrests chart %q %v", e.Title, e.Rows())
	}
	if e := p.Charts[1]; e.Rows()[0].Cells[1] != "—" {
		t.Errorf("East High has no February row, want a gap: %v", e.Rows())
	}
}

func TestPublishWithoutMonthsHasNoChart(t *testing.T) {
	d := Dataset{ID: "tr", Columns: []Column{
		{Name: "officer", Type: TypeText, Label: "Officer"},
		{Name: "topic", Type: TypeText, Label: "Topic"},
		{Name: "date", Type: TypeDate, Label: "Date"},
		{Name: "hours", Type: TypeNumber, Label: "Hours"},
	}, Rows: [][]string{{"Officer A", "Implicit bias", "2025-02-03", "4"}}}
	p, err := Publish(d, suppress.Default())
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Charts) != 0 || p.Rows[0][3] != "4" {
		t.Errorf("training: %d charts, rows %v (hours are not counts of people)", len(p.Charts), p.Rows)
	}
}

func TestPublishTooManyLines(t *testing.T) {
	d := Dataset{ID: "x", Columns: citations}
	for i := range chart.MaxSeries + 1 {
		d.Rows = append(d.Rows, []string{"A", "2025-01", string(rune('a' + i)), "20", "20"})
	}
	p, err := Publish(d, suppress.Default())
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Charts) != 0 || len(p.Rows) != chart.MaxSeries+1 {
		t.Errorf("%d charts, %d rows: want the table only", len(p.Charts), len(p.Rows))
	}
}

func TestPublishRefusesRaggedRow(t *testing.T) {
	if _, err := Publish(Dataset{ID: "x", Columns: citations, Rows: [][]string{{"A"}}}, suppress.Default()); err == nil {
		t.Error("accepted a row with too few cells")
	}
}
