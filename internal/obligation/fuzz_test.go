package obligation

import (
	"bytes"
	"os"
	"testing"
)

// FuzzValidateDataset feeds any bytes to the citations schema's check: it
// never panics, refuses with a *CSVError naming a row (or the file), and
// what it accepts comes back as a canonical CSV that checks again to the
// same table, byte for byte.
func FuzzValidateDataset(f *testing.F) {
	data, err := os.ReadFile("../../templates/datasets/citations.yaml")
	if err != nil {
		f.Fatal(err)
	}
	s, err := ParseSchema(data)
	if err != nil {
		f.Fatal(err)
	}
	check := Check{Start: date("2027-07-01"), End: date("2027-09-30"), Schools: []string{"Foothill High", "Hart Middle"}}
	head := "school,month,student_group,citations,arrests\n"
	for _, seed := range []string{
		head + "Foothill High,2027-07,all,0,0\n",
		head + "\"Hart Middle\",2027-08,\"Black, non-Hispanic\",3,1\r\n",
		"\uFEFF" + head + "foothill  high,2027-09,all,12,2\n\n",
		head + "Foothill High,2027-07,all,1,0\nFoothill High,2027-07,all,2,0\n",
		head + "Foothill High,2027-10,all,1,0\n",
		head + "Foothill High,2027-07,all,\"1\n2\",0\n",
		"school,month\n",
		"\"unterminated\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		table, err := s.Validate(in, check)
		if err != nil {
			if _, ok := err.(*CSVError); !ok {
				t.Fatalf("refusal %T %v is no *CSVError", err, err)
			}
			return
		}
		out := table.CSV()
		again, err := s.Validate(out, check)
		if err != nil {
			t.Fatalf("the canonical CSV of an accepted file is refused: %v\n%q", err, out)
		}
		if !bytes.Equal(again.CSV(), out) {
			t.Fatalf("canonical CSV not stable:\n%q\n%q", out, again.CSV())
		}
	})
}
