package obligation

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// BenchmarkValidateDataset checks a year of monthly citation counts for
// 40 schools and 20 student groups (9,600 rows, about 450 KB): a large
// district's annual file.
func BenchmarkValidateDataset(b *testing.B) {
	data, err := os.ReadFile("../../templates/datasets/citations.yaml")
	if err != nil {
		b.Fatal(err)
	}
	s, err := ParseSchema(data)
	if err != nil {
		b.Fatal(err)
	}
	var schools []string
	for i := range 40 {
		schools = append(schools, fmt.Sprintf("School Number %02d", i))
	}
	var csv strings.Builder
	csv.WriteString("school,month,student_group,citations,arrests\n")
	for m := 1; m <= 12; m++ {
		for _, sc := range schools {
			for g := range 20 {
				fmt.Fprintf(&csv, "%s,2027-%02d,group %d,%d,%d\n", sc, m, g, (m*g)%17, g%3)
			}
		}
	}
	in := []byte(csv.String())
	check := Check{Start: date("2027-01-01"), End: date("2027-12-31"), Schools: schools}
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		t, err := s.Validate(in, check)
		if err != nil || len(t.Rows) != 9600 {
			b.Fatal(err)
		}
	}
}
