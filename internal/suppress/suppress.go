// Package suppress holds the small-number rule for published student data:
// a count below the threshold (10 unless configured) could identify a
// student at a small school or in a small group, so public pages, public
// CSV and charts show it only as "<10". The rule is applied when data
// leaves for the public, never when it is stored: the owner's submitted
// file keeps every number, and a later threshold applies to it as well.
//
// Zero is suppressed too. Publishing "0" where other cells read "<10"
// tells a reader which groups had no incident at all, and with a known
// total that can narrow a "<10" down; a rule without exceptions is also
// one the page can state in a sentence.
package suppress

import (
	"fmt"
	"strconv"
	"strings"
)

// DefaultThreshold is the threshold unless one is configured: the common
// practice of US state education agencies and of Canadian school boards'
// published reports.
const DefaultThreshold = 10

// MaxThreshold bounds a configured threshold: above it almost every count
// of a school's month would vanish, which is a misconfiguration, not a
// policy.
const MaxThreshold = 1000

// Rule suppresses counts below Threshold. The zero Rule suppresses
// nothing; use New to get a checked one.
type Rule struct {
	Threshold int
}

// New returns the rule for threshold, refusing a negative one or one above
// MaxThreshold. Threshold 0 suppresses nothing; 1 suppresses only zero.
func New(threshold int) (Rule, error) {
	if threshold < 0 || threshold > MaxThreshold {
		return Rule{}, fmt.Errorf("suppression threshold %d: want 0 to %d", threshold, MaxThreshold)
	}
	return Rule{Threshold: threshold}, nil
}

// Default is the rule with DefaultThreshold.
func Default() Rule { return Rule{Threshold: DefaultThreshold} }

// Hidden reports whether count n must not be published. Negative counts
// never reach here (schemas refuse them); they are hidden anyway, so a bug
// upstream cannot publish something odd about a small group.
func (r Rule) Hidden(n int) bool {
	return n < r.Threshold
}

// Label is what stands in for a hidden count: "<10".
func (r Rule) Label() string {
	return "<" + strconv.Itoa(r.Threshold)
}

// Cell is count n as published: the number, or Label when hidden.
func (r Rule) Cell(n int) string {
	if r.Hidden(n) {
		return r.Label()
	}
	return strconv.Itoa(n)
}

// Text is the rule in a sentence, for the page that applies it.
func (r Rule) Text() string {
	if r.Threshold <= 0 {
		return "Counts are published as submitted; no small-number suppression is configured."
	}
	return fmt.Sprintf("To protect students' privacy, any count below %d (including zero) is shown as “%s”, in tables, charts and CSV downloads alike; charts draw such a count as a hollow marker in the shaded band and break the line there, so no hidden number can be read off the chart.", r.Threshold, r.Label())
}

// Records applies the rule to a CSV table for the public: every cell of a
// count column (count reports which, by column index; the header row,
// records[0], is kept as it is) that holds a whole number below the
// threshold becomes Label. A count cell that is not a whole number is
// replaced by Label too: a validated dataset has none, and an unexpected
// value must not leak. records is not changed.
func (r Rule) Records(records [][]string, count func(col int) bool) [][]string {
	out := make([][]string, len(records))
	for i, row := range records {
		out[i] = append([]string(nil), row...)
		if i == 0 {
			continue
		}
		for j, v := range row {
			if !count(j) {
				continue
			}
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				out[i][j] = r.Label()
				continue
			}
			out[i][j] = r.Cell(n)
		}
	}
	return out
}
