package workflow

import (
	"errors"
	"strings"
	"testing"
)

// header is the top of every test definition; bodies declares a governing
// board and a joint committee.
const header = `name: mini
initial: draft
bodies:
  board: {title: School Board, party: district, roll_call: true}
  committee: {party: joint}
stages:
`

// miniStages is a valid process: draft → review → approval → signature →
// done, and back to draft on revise.
const miniStages = `  - name: draft
    kind: draft
    editable: true
    manual: [review]
  - name: review
    kind: review
    acts:
      - body: committee
        outcomes: {forward: approval, revise: draft}
  - name: approval
    kind: approval
    next: signature
    on_new_revision: draft
    acts:
      - body: board
        outcomes: {approve: "", reject: draft}
  - name: signature
    kind: signature
    next: done
  - name: done
    kind: terminal
`

func TestParseMini(t *testing.T) {
	d, err := Parse([]byte(header + miniStages))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if d.Title != "mini" {
		t.Errorf("title defaults to the name, got %q", d.Title)
	}
	if s, _ := d.Stage("review"); s.Title != "review" {
		t.Errorf("stage title defaults to the name, got %q", s.Title)
	}
	if b, _ := d.Body("committee"); b.Title != "committee" || b.Name != "committee" {
		t.Errorf("body = %+v", b)
	}
}

func TestParseRefused(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want string // a substring naming the problem
	}{
		{"Empty", "", "empty document"},
		{"NotYAML", "name: [unclosed", "parse workflow definition"},
		{"NotAMapping", "- just\n- a list\n", "parse workflow definition"},
		{"OnlyComment", "# nothing here\n", "parse workflow definition"},
		{"TwoDocuments", header + miniStages + "---\n" + header + miniStages, "exactly one YAML document, found 2"},
		{"Tag", "stages: !0000000000000 000000", "YAML tags are not allowed"},
		{"Anchor", header + strings.Replace(miniStages, "manual: [review]", "manual: &m [review]", 1), "YAML anchors are not allowed"},
		{"DeepFlow", "name: " + strings.Repeat("[", 40), "nests brackets more than 16 deep"},
		{"DeepBlock", "stages:\n" + strings.Repeat("- ", 20) + "x\n", "opens more than 8 nested entries"},
		{"DeepIndent", "stages:\n" + strings.Repeat(" ", 70) + "- x\n", "indented more than 64 spaces"},
		{"Alias", "a: &a [x]\nb: *a\n", "YAML anchors are not allowed"},
		{"UnknownTopField", "colour: red\n" + header + miniStages, `unknown field "colour"`},
		{"UnknownStageField", header + strings.Replace(miniStages, "    kind: draft\n", "    kind: draft\n    colour: red\n", 1), `unknown field "colour"`},
		{"UnknownBodyField", strings.Replace(header, "party: joint", "party: joint, chair: Ann", 1) + miniStages, `unknown field "chair"`},
		{"NameInsideBody", strings.Replace(header, "party: joint", "party: joint, name: x", 1) + miniStages, `unknown field "name"`},
		{"DuplicateKey", header + strings.Replace(miniStages, "{forward: approval,", "{forward: approval, forward: draft,", 1), `mapping key "forward" already defined`},
		{"MissingName", strings.Replace(header, "name: mini\n", "", 1) + miniStages, "name is missing"},
		{"BadName", strings.Replace(header, "name: mini", "name: Mini Process", 1) + miniStages, `name "Mini Process" must be lowercase`},
		{"NoStages", header, "no stages are defined"},
		{"MissingInitial", strings.Replace(header, "initial: draft\n", "", 1) + miniStages, "initial stage is missing"},
		{"UnknownInitial", strings.Replace(header, "initial: draft", "initial: drafting", 1) + miniStages, `initial stage "drafting" does not exist`},
		{"TerminalInitial", strings.Replace(header, "initial: draft", "initial: done", 1) + miniStages, `initial stage "done" is terminal`},
		{"UnknownTarget", header + strings.Replace(miniStages, "forward: approval", "forward: aproval", 1), `stage "review": body "committee" outcome "forward" leads to unknown stage "aproval"`},
		{"UnknownManualTarget", header + strings.Replace(miniStages, "manual: [review]", "manual: [review, archive]", 1), `stage "draft": manual move leads to unknown stage "archive"`},
		{"ManualToSelf", header + strings.Replace(miniStages, "manual: [review]", "manual: [review, draft]", 1), `stage "draft": manual move leads back to the same stage`},
		{"ManualTwice", header + strings.Replace(miniStages, "manual: [review]", "manual: [review, review]", 1), `manual move to "review" is listed twice`},
		{"UnreachableStage", header + miniStages + "  - name: orphan\n    kind: review\n    acts:\n      - body: committee\n        outcomes: {forward: done}\n", `stage "orphan" is not reachable from the initial stage "draft"`},
		{"NoTerminal", header + `  - name: draft
    kind: draft
    manual: [review]
  - name: review
    kind: review
    acts:
      - body: committee
        outcomes: {revise: draft}
`, "no terminal stage"},
		{"NoPathToTerminal", header + strings.Replace(miniStages, "revise: draft}", "revise: draft, reject: trap}", 1) + `  - name: trap
    kind: review
    acts:
      - body: committee
        outcomes: {forward: trap2}
  - name: trap2
    kind: review
    acts:
      - body: committee
        outcomes: {forward: trap}
`, `stage "trap" has no path to a terminal stage`},
		{"DuplicateStage", header + miniStages + "  - name: review\n    kind: terminal\n", `stage "review" is defined twice`},
		{"StageWithoutName", header + miniStages + "  - kind: terminal\n", "stage #6 has no name"},
		{"UnknownBody", header + strings.Replace(miniStages, "body: committee", "body: mayor", 1), `stage "review": unknown body "mayor"`},
		{"BodyActsTwice", header + strings.Replace(miniStages, "        outcomes: {forward: approval, revise: draft}\n", "        outcomes: {forward: approval, revise: draft}\n      - body: committee\n        outcomes: {revise: draft}\n", 1), `body "committee" acts twice`},
		{"BadOutcome", header + strings.Replace(miniStages, "revise: draft}", "veto: draft}", 1), `unknown outcome "veto"`},
		{"NoOutcomes", header + strings.Replace(miniStages, "{forward: approval, revise: draft}", "{}", 1), `body "committee" has no outcomes`},
		{"OutcomeLeadsNowhere", header + strings.Replace(miniStages, "revise: draft}", `revise: ""}`, 1), `outcome "revise" leads nowhere`},
		{"ReviseNotToDraft", header + strings.Replace(miniStages, "revise: draft}", "revise: done}", 1), `outcome "revise" must return to a draft stage, not "done"`},
		{"ApproveOutsideApproval", header + strings.Replace(miniStages, "forward: approval,", "approve: approval,", 1), `outcome "approve" belongs in an approval stage`},
		{"ApproveWithTarget", header + strings.Replace(miniStages, `approve: ""`, "approve: signature", 1), `outcome "approve" must lead to ""`},
		{"ForwardInApproval", header + strings.Replace(miniStages, `{approve: "", reject: draft}`, `{approve: "", forward: signature}`, 1), `outcome "forward" would skip the approval rule`},
		{"ApprovalWithoutNext", header + strings.Replace(miniStages, "    next: signature\n", "", 1), `stage "approval": an approval stage needs next`},
		{"ApprovalWithoutApprover", header + strings.Replace(miniStages, `{approve: "", reject: draft}`, `{reject: draft}`, 1), "needs at least one body that may approve"},
		{"SignatureWithoutNext", header + strings.Replace(miniStages, "    next: done\n", "", 1), "a signature stage needs next"},
		{"SignatureWithActs", header + strings.Replace(miniStages, "    next: done\n", "    next: done\n    acts:\n      - body: board\n        outcomes: {revise: draft}\n", 1), "a signature stage has no acting bodies"},
		{"ReviewWithoutActs", header + strings.Replace(miniStages, "    acts:\n      - body: committee\n        outcomes: {forward: approval, revise: draft}\n", "    manual: [approval]\n", 1), "a review stage needs at least one acting body"},
		{"DraftWithActs", header + strings.Replace(miniStages, "    manual: [review]\n", "    manual: [review]\n    acts:\n      - body: committee\n        outcomes: {forward: review}\n", 1), "a draft stage has no acting bodies"},
		{"NextOnReview", header + strings.Replace(miniStages, "    kind: review\n", "    kind: review\n    next: approval\n", 1), "next is only for approval and signature stages"},
		{"UnknownKind", header + strings.Replace(miniStages, "kind: review", "kind: vote", 1), `stage "review": unknown kind "vote"`},
		{"MissingKind", header + strings.Replace(miniStages, "    kind: review\n", "", 1), `stage "review": kind is missing`},
		{"EditableReview", header + strings.Replace(miniStages, "    kind: review\n", "    kind: review\n    editable: true\n", 1), `stage "review": only a draft stage can be editable`},
		{"TerminalWithMoves", header + strings.Replace(miniStages, "    kind: terminal\n", "    kind: terminal\n    manual: [draft]\n", 1), `stage "done": a terminal stage allows no`},
		{"AmendOnReview", header + strings.Replace(miniStages, "    kind: review\n", "    kind: review\n    amend_to: draft\n", 1), "amend_to is only for terminal stages"},
		{"AmendNotToDraft", header + strings.Replace(miniStages, "    kind: terminal\n", "    kind: terminal\n    amend_to: review\n", 1), `amend_to must lead to a draft stage, not "review"`},
		{"OnNewRevisionNotDraft", header + strings.Replace(miniStages, "on_new_revision: draft", "on_new_revision: review", 1), `on_new_revision must lead to a draft stage, not "review"`},
		{"OnNewRevisionUnknown", header + strings.Replace(miniStages, "on_new_revision: draft", "on_new_revision: drafts", 1), `on_new_revision leads to unknown stage "drafts"`},
		{"OnNewRevisionEditable", header + strings.Replace(miniStages, "    editable: true\n", "    editable: true\n    on_new_revision: draft\n", 1), "an editable stage keeps new revisions"},
		// Any role name is a party (county, police_service…); a name that is
		// not one is refused.
		{"BadParty", strings.Replace(header, "party: district", "party: Police Service", 1) + miniStages, `body "board": party "Police Service" must be a role name`},
		{"AfterRevisionUnknownOutcome", header + strings.Replace(miniStages, "        outcomes: {forward: approval, revise: draft}\n", "        outcomes: {forward: approval, revise: draft}\n        after_revision: {reject: approval}\n", 1), `after_revision "reject" names an outcome the body may not record here`},
		{"AfterRevisionToDraft", header + strings.Replace(miniStages, "        outcomes: {forward: approval, revise: draft}\n", "        outcomes: {forward: approval, revise: draft}\n        after_revision: {revise: draft}\n", 1), `must lead to a review, approval or signature stage`},
		{"AfterRevisionNotBack", header + strings.Replace(miniStages, "        outcomes: {forward: approval, revise: draft}\n", "        outcomes: {forward: approval, revise: draft}\n        after_revision: {forward: approval}\n", 1), `needs the outcome to return to a draft stage`},
		{"MissingParty", strings.Replace(header, "{party: joint}", "{title: Committee}", 1) + miniStages, `body "committee": party is missing`},
		{"BadBodyName", strings.Replace(header, "  committee:", "  Committee:", 1) + strings.ReplaceAll(miniStages, "body: committee", "body: Committee"), `body "Committee": name must be lowercase`},
		{"BadStageName", header + strings.ReplaceAll(miniStages, "review", "Review"), `stage "Review": name must be lowercase`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Parse([]byte(tt.doc))
			if err == nil {
				t.Fatalf("Parse accepted the definition: %+v", d)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v\nwant it to contain %q", err, tt.want)
			}
		})
	}
}

func TestParseListsEveryProblem(t *testing.T) {
	doc := header + strings.NewReplacer("forward: approval", "forward: nowhere", "kind: review", "kind: vote").Replace(miniStages)
	_, err := Parse([]byte(doc))
	var de *DefinitionError
	if !errors.As(err, &de) {
		t.Fatalf("error %v is not a *DefinitionError", err)
	}
	if de.Definition != "mini" || len(de.Problems) != 2 {
		t.Fatalf("problems = %q, want 2 for definition mini", de.Problems)
	}
}

func TestParseTooLarge(t *testing.T) {
	big := header + miniStages + "# " + strings.Repeat("x", maxDefinitionSize) + "\n"
	if _, err := Parse([]byte(big)); err == nil || !strings.Contains(err.Error(), "byte limit") {
		t.Fatalf("error = %v", err)
	}
}
