package redline

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand"
	"testing"
)

// encodingJSON is the reference WriteJSON must match byte for byte.
func encodingJSON(t testing.TB, r *Result) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := json.NewEncoder(&b).Encode(r); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func checkJSON(t *testing.T, name string, r *Result) {
	t.Helper()
	var got bytes.Buffer
	if err := r.WriteJSON(&got); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if want := encodingJSON(t, r); !bytes.Equal(got.Bytes(), want) {
		i := 0
		for i < min(got.Len(), len(want)) && got.Bytes()[i] == want[i] {
			i++
		}
		t.Fatalf("%s: WriteJSON differs from encoding/json at byte %d of %d/%d:\ngot  …%q\nwant …%q",
			name, i, got.Len(), len(want), window(got.Bytes(), i), window(want, i))
	}
}

func window(b []byte, i int) []byte { return b[max(0, i-30):min(len(b), i+30)] }

func TestWriteJSONMatchesEncodingJSON(t *testing.T) {
	for _, p := range docPairs(t) {
		checkJSON(t, p.name, Compare(Split(p.old), Split(p.new), Options{}))
		checkJSON(t, p.name+" (A,A)", Compare(Split(p.old), Split(p.old), Options{}))
	}
	for seed := int64(1); seed <= 100; seed++ {
		rng := rand.New(rand.NewSource(seed))
		d := randomDoc(rng)
		oldMD, newMD := d.markdown(rng), d.edit(rng).markdown(rng)
		checkJSON(t, fmt.Sprintf("seed %d", seed), Compare(Split(oldMD), Split(newMD), Options{}))
	}
	// Every escape encoding/json makes, every omitempty field set, and the
	// nil slices it writes as null.
	var all []byte
	for b := 0; b < 256; b++ {
		all = append(all, byte(b))
	}
	odd := string(all) + "<b>&amp;</b> \u2028\u2029 \xe2\x80 \xf0\x9f\x98\x80 \u00e9 \\ \" \x7f"
	checkJSON(t, "escapes", &Result{
		Ops: []Op{{Op: OpEqual, Text: odd}, {Op: OpInsert, Text: ""}, {Op: OpDelete, Text: "x", Move: 2, Label: odd}},
		Sections: []SectionChange{{Key: odd, Heading: "H", Number: "1", OldHeading: "O", OldNumber: "2",
			Status: StatusMoved, Modified: true, MovedFrom: "3", MovedAfter: "§2 Term", Move: 1, WordsInserted: -1,
			WordsDeleted: 1 << 40, Ops: []Op{}}, {Key: "k"}},
		Summary: Summary{Added: 1, Removed: 2, Moved: 3, Renamed: 4, Modified: 5, Unchanged: 6, MovedParagraphs: 9,
			WordsInserted: 7, WordsDeleted: 8, Changed: []string{odd, ""}},
		Moves: []Move{{ID: 1, Kind: MoveSection, From: odd, To: "§4", FromKey: "a", ToKey: odd, Words: 3}, {}},
	})
	checkJSON(t, "zero", &Result{})
}

// FuzzWriteJSON holds WriteJSON to encoding/json on arbitrary texts and
// on the redline of arbitrary documents.
func FuzzWriteJSON(f *testing.F) {
	f.Add("## 1. A\n\nThe SRO <shall> act.\n", "## 1. A\n\nThe officer & \u2028 act.\n")
	f.Add("\x00\xff\"\\", "\t\r\n\b\f")
	f.Fuzz(func(t *testing.T, old, new string) {
		checkJSON(t, "texts", &Result{Ops: []Op{{Op: OpDelete, Text: old}, {Op: OpInsert, Text: new}},
			Summary: Summary{Changed: []string{old, new}}})
		checkJSON(t, "redline", Compare(Split(old), Split(new), Options{}))
	})
}
