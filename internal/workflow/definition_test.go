package workflow

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// shipped loads the definitions under templates/workflows, failing the test
// if any is refused.
func shipped(t testing.TB) map[string]*Definition {
	t.Helper()
	defs, err := LoadFS(os.DirFS("../../templates/workflows"))
	if err != nil {
		t.Fatalf("load shipped workflows: %v", err)
	}
	return defs
}

func TestLoadShipped(t *testing.T) {
	defs := shipped(t)
	want := map[string][]string{
		"default":               {"draft", "liaison_review", "joint_review", "approval", "signature", "executed", "withdrawn"},
		"advisory-board":        {"draft", "advisory_review", "board_approval", "signature", "executed", "withdrawn"},
		"working-group":         {"draft", "working_group_review", "approval", "signature", "executed", "withdrawn"},
		"roundtable-commission": {"draft", "roundtable_review", "approval", "signature", "executed", "withdrawn"},
	}
	if len(defs) != len(want) {
		t.Fatalf("loaded %d definitions, want %d", len(defs), len(want))
	}
	for name, stages := range want {
		d, ok := defs[name]
		if !ok {
			t.Fatalf("definition %q missing", name)
		}
		if got := d.StageNames(); !slices.Equal(got, stages) {
			t.Errorf("%s stages = %v, want %v", name, got, stages)
		}
		if d.Initial != "draft" {
			t.Errorf("%s initial = %q", name, d.Initial)
		}
		// Withdrawal is possible by hand from every stage that is not final.
		for _, s := range d.Stages {
			err := d.Transition(s.Name, "withdrawn")
			if s.Kind == KindTerminal {
				if code(err) != CodeTerminalStage {
					t.Errorf("%s: %s → withdrawn: %v, want terminal_stage", name, s.Name, err)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s: %s → withdrawn: %v", name, s.Name, err)
			}
		}
	}
	d := defs["default"]
	if b, _ := d.Body("city_council"); b.Party != PartyCity || !b.RollCall || b.Name != "city_council" {
		t.Errorf("city_council = %+v", b)
	}
	if b, _ := d.Body("liaison_committee"); b.Party != PartyJoint || b.RollCall {
		t.Errorf("liaison_committee = %+v", b)
	}
	if got := d.RequiredApprovals("approval"); !slices.Equal(got, []string{"city_council", "school_board"}) {
		t.Errorf("required approvals = %v", got)
	}
}

func TestStageReturnsCopy(t *testing.T) {
	d := shipped(t)["default"]
	s, ok := d.Stage("approval")
	if !ok {
		t.Fatal("approval stage missing")
	}
	s.Manual[0] = "executed"
	s.Acts[0].Outcomes["approve"] = "executed"
	if err := d.Transition("approval", "executed"); code(err) != CodeStageSkipped {
		t.Errorf("mutating a returned stage changed the definition: %v", err)
	}
	if _, ok := d.Stage("nowhere"); ok {
		t.Error("unknown stage found")
	}
}

func TestLoadFSErrors(t *testing.T) {
	good, err := os.ReadFile("../../templates/workflows/default.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		fsys fstest.MapFS
		want string
	}{
		{"Empty", fstest.MapFS{}, "no *.yaml file"},
		{"NameMismatch", fstest.MapFS{"other.yaml": {Data: good}}, `name "default" does not match the file name "other"`},
		{"BadFile", fstest.MapFS{"default.yaml": {Data: good}, "broken.yaml": {Data: []byte("name: [")}}, "broken.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadFS(tt.fsys)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("LoadFS error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
	// Files outside the root are not definitions.
	defs, err := LoadFS(fstest.MapFS{"default.yaml": {Data: good}, "sub/x.yaml": {Data: []byte("junk")}, "README.md": {Data: []byte("x")}})
	if err != nil || len(defs) != 1 {
		t.Fatalf("LoadFS = %v, %v", defs, err)
	}
}

// code returns the rule code of err, or "" when err is not a *RuleError.
func code(err error) string {
	var re *RuleError
	if errors.As(err, &re) {
		return re.Code
	}
	return ""
}
