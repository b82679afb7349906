// Package publish turns a submitted dataset into what the public sees:
// its table with small-number suppression applied to every count, and
// time-series charts of the counts (one chart per count column and school,
// one line per student group or other row label, over the months). It
// decides what may be published; internal/chart only draws.
//
// Nothing here adds numbers up. A total of cells that are shown one by one
// could reveal a suppressed cell beside them (a school's 17 citations
// with one group's 14 shown gives the other group's 3), so charts plot
// the submitted cells as they are, each suppressed on its own.
package publish

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/moudesk/moudesk/internal/chart"
	"github.com/moudesk/moudesk/internal/suppress"
)

// Column types publish reads; they are the dataset schemas' types
// (internal/obligation), named again here so this package needs none of
// obligation's parsing.
const (
	TypeText   = "text"
	TypeSchool = "school"
	TypeMonth  = "month"
	TypeDate   = "date"
	TypeCount  = "count"
	TypeNumber = "number"
)

// Column is one column of a dataset.
type Column struct {
	Name  string
	Type  string
	Label string
}

// Dataset is a dataset's columns and rows as stored (every count raw).
// Rows of several reports (one per period) may be given together; a row
// repeating an earlier one's school, month and label replaces it, since
// a later period's file restating a month is the newer word on it.
type Dataset struct {
	ID      string // unique on the page; prefixes the chart ids
	Title   string
	Columns []Column
	Rows    [][]string
}

// Published is what the public sees of a dataset.
type Published struct {
	Header []string       `json:"header"` // column labels
	Rows   [][]string     `json:"rows"`   // cells, counts suppressed
	Counts []bool         `json:"counts"` // which columns are counts (for the table's alignment)
	Charts []*chart.Chart `json:"-"`      // drawn on pages; the rows carry the same numbers
}

// Publish applies rule to d's counts and draws its charts. A dataset
// without a month column, or with more row labels than a chart has
// colours, gets its table only.
func Publish(d Dataset, rule suppress.Rule) (*Published, error) {
	p := &Published{Header: make([]string, len(d.Columns)), Counts: make([]bool, len(d.Columns))}
	for i, c := range d.Columns {
		p.Header[i] = c.Label
		if p.Header[i] == "" {
			p.Header[i] = c.Name
		}
		p.Counts[i] = c.Type == TypeCount
	}
	for ri, row := range d.Rows {
		if len(row) != len(d.Columns) {
			return nil, fmt.Errorf("dataset %s: row %d has %d cells for %d columns", d.ID, ri+1, len(row), len(d.Columns))
		}
		out := make([]string, len(row))
		for j, v := range row {
			out[j] = v
			if p.Counts[j] {
				out[j] = countCell(rule, v)
			}
		}
		p.Rows = append(p.Rows, out)
	}
	charts, err := charts(d, rule)
	if err != nil {
		return nil, err
	}
	p.Charts = charts
	return p, nil
}

// countCell is a count as published: the number when at or above the
// threshold, else the rule's label; anything that is not a whole number
// is withheld too (validated data has none).
func countCell(rule suppress.Rule, v string) string {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return rule.Label()
	}
	return rule.Cell(n)
}

// roles are the columns a chart is built from.
type roles struct {
	month  int   // the time axis
	school int   // one chart per school; -1 when the dataset has none
	labels []int // text columns naming a line (student group, topic…)
	counts []int
}

func rolesOf(cols []Column) (roles, bool) {
	r := roles{month: -1, school: -1}
	for i, c := range cols {
		switch c.Type {
		case TypeMonth:
			if r.month < 0 {
				r.month = i
			}
		case TypeSchool:
			if r.school < 0 {
				r.school = i
			} else {
				r.labels = append(r.labels, i)
			}
		case TypeText:
			r.labels = append(r.labels, i)
		case TypeCount:
			r.counts = append(r.counts, i)
		}
	}
	return r, r.month >= 0 && len(r.counts) > 0
}

func charts(d Dataset, rule suppress.Rule) ([]*chart.Chart, error) {
	r, ok := rolesOf(d.Columns)
	if !ok || len(d.Rows) == 0 {
		return nil, nil
	}
	// Facets (schools) and months in order of first appearance and
	// calendar order respectively; lines in order of first appearance.
	var facets, months []string
	lines := map[string][]string{} // facet → line labels
	type cell struct{ facet, line, month string }
	values := map[cell][]string{} // → the row's cells
	for _, row := range d.Rows {
		facet := ""
		if r.school >= 0 {
			facet = row[r.school]
		}
		if !slices.Contains(facets, facet) {
			facets = append(facets, facet)
		}
		month := row[r.month]
		if !slices.Contains(months, month) {
			months = append(months, month)
		}
		parts := make([]string, 0, len(r.labels))
		for _, i := range r.labels {
			parts = append(parts, row[i])
		}
		line := strings.Join(parts, " · ")
		if !slices.Contains(lines[facet], line) {
			lines[facet] = append(lines[facet], line)
		}
		values[cell{facet, line, month}] = row
	}
	slices.Sort(months)
	if len(months) > chart.MaxPeriods {
		months = months[len(months)-chart.MaxPeriods:] // the latest five years
	}
	var out []*chart.Chart
	for _, ci := range r.counts {
		col := d.Columns[ci]
		label := col.Label
		if label == "" {
			label = col.Name
		}
		for fi, facet := range facets {
			ls := lines[facet]
			if len(ls) > chart.MaxSeries {
				continue // too many lines to tell apart; the table has them
			}
			c := chart.Chart{
				ID:      fmt.Sprintf("%s-%s-%d", d.ID, col.Name, fi+1),
				Title:   label,
				Unit:    strings.ToLower(label),
				Periods: months,
			}
			if facet != "" {
				c.Title = label + " — " + facet
			}
			c.Desc = fmt.Sprintf("%s, by month", c.Title)
			if rule.Threshold > 0 {
				c.HiddenLabel, c.Threshold = rule.Label(), rule.Threshold
			}
			for _, line := range ls {
				name := line
				if name == "" {
					name = label
				}
				s := chart.Series{Name: name, Points: make([]chart.Point, len(months))}
				for mi, m := range months {
					row, ok := values[cell{facet, line, m}]
					if !ok {
						s.Points[mi] = chart.Point{Missing: true}
						continue
					}
					n, err := strconv.Atoi(strings.TrimSpace(row[ci]))
					if err != nil || rule.Hidden(n) {
						s.Points[mi] = chart.Point{Hidden: true}
						continue
					}
					s.Points[mi] = chart.Point{Value: n}
				}
				c.Series = append(c.Series, s)
			}
			made, err := chart.New(c)
			if err != nil {
				return nil, fmt.Errorf("dataset %s: %w", d.ID, err)
			}
			out = append(out, made)
		}
	}
	return out, nil
}
