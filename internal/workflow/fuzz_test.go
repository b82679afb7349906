package workflow

import (
	"os"
	"strings"
	"testing"
)

// FuzzParse checks that no input makes Parse panic, and that whatever it
// accepts keeps the promises the rest of the package relies on: every
// stage is known by name, every outcome leads to a real stage, and the
// rules answer for every pair of stages without panicking.
func FuzzParse(f *testing.F) {
	for _, file := range []string{"default.yaml", "advisory-board.yaml"} {
		data, err := os.ReadFile("../../templates/workflows/" + file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(header + miniStages))
	f.Add([]byte(header + strings.Replace(miniStages, "forward: approval", "forward: nowhere", 1)))
	f.Add([]byte("stages: [null]\nbodies: {x: null}\n"))
	f.Add([]byte("a: &a [*a, *a]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Parse(data)
		if err != nil {
			if d != nil {
				t.Fatal("Parse returned a definition with an error")
			}
			return
		}
		names := d.StageNames()
		if len(names) == 0 {
			t.Fatal("accepted a definition without stages")
		}
		if _, ok := d.Stage(d.Initial); !ok {
			t.Fatalf("initial stage %q not found", d.Initial)
		}
		for _, from := range names {
			s, ok := d.Stage(from)
			if !ok {
				t.Fatalf("stage %q not found", from)
			}
			for _, to := range names {
				_ = d.Transition(from, to)
				_ = d.CheckLeave(from, to, 1)
			}
			for _, a := range s.Acts {
				for o := range a.Outcomes {
					next, err := d.Outcome(from, a.Body, o)
					if err != nil {
						t.Fatalf("Outcome(%s, %s, %s): %v", from, a.Body, o, err)
					}
					if _, ok := d.Stage(next); !ok {
						t.Fatalf("outcome %s in %s leads to unknown %q", o, from, next)
					}
				}
			}
			_, _ = d.AfterNewRevision(from)
			_ = d.CheckNewRevision(from)
			_, _ = d.ApprovalsComplete(from, "h", nil)
		}
	})
}
