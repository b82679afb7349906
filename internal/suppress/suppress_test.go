package suppress

import (
	"reflect"
	"strings"
	"testing"
)

func TestCell(t *testing.T) {
	for _, tc := range []struct {
		name      string
		threshold int
		n         int
		want      string
	}{
		{"ThreeHidden", 10, 3, "<10"},
		{"NineHidden", 10, 9, "<10"},
		{"ZeroHidden", 10, 0, "<10"},
		{"NegativeHidden", 10, -1, "<10"},
		{"TenShown", 10, 10, "10"},
		{"LargeShown", 10, 1234, "1234"},
		{"OtherThreshold", 5, 4, "<5"},
		{"OtherThresholdShown", 5, 5, "5"},
		{"NoSuppression", 0, 0, "0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := New(tc.threshold)
			if err != nil {
				t.Fatal(err)
			}
			if got := r.Cell(tc.n); got != tc.want {
				t.Errorf("Cell(%d) with threshold %d = %q, want %q", tc.n, tc.threshold, got, tc.want)
			}
			if got := r.Hidden(tc.n); got != strings.HasPrefix(tc.want, "<") {
				t.Errorf("Hidden(%d) = %v, disagrees with Cell %q", tc.n, got, tc.want)
			}
		})
	}
}

func TestNewRefusesOutOfRange(t *testing.T) {
	for _, n := range []int{-1, MaxThreshold + 1} {
		if _, err := New(n); err == nil {
			t.Errorf("New(%d) accepted", n)
		}
	}
	if Default().Threshold != 10 {
		t.Errorf("default threshold %d, want 10", Default().Threshold)
	}
}

func TestText(t *testing.T) {
	if got := Default().Text(); !strings.Contains(got, "below 10") || !strings.Contains(got, "“<10”") {
		t.Errorf("Text() = %q, does not state the rule", got)
	}
	if got := (Rule{}).Text(); !strings.Contains(got, "no small-number suppression") {
		t.Errorf("Text() without threshold = %q", got)
	}
}

func TestRecords(t *testing.T) {
	in := [][]string{
		{"school", "quarter", "group", "citations"},
		{"Denfeld High", "2025-Q1", "Black", "3"},
		{"Denfeld High", "2025-Q1", "White", "14"},
		{"East High", "2025-Q1", "Black", "0"},
		{"East High", "2025-Q1", "White", " 10 "},
		{"East High", "2025-Q1", "Other", "n/a"},
	}
	keep := make([][]string, len(in))
	for i := range in {
		keep[i] = append([]string(nil), in[i]...)
	}
	got := Default().Records(in, func(col int) bool { return col == 3 })
	want := [][]string{
		{"school", "quarter", "group", "citations"},
		{"Denfeld High", "2025-Q1", "Black", "<10"},
		{"Denfeld High", "2025-Q1", "White", "14"},
		{"East High", "2025-Q1", "Black", "<10"},
		{"East High", "2025-Q1", "White", "10"},
		{"East High", "2025-Q1", "Other", "<10"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Records =\n%q\nwant\n%q", got, want)
	}
	if !reflect.DeepEqual(in, keep) {
		t.Errorf("Records changed its input: %q", in)
	}
}
