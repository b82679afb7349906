package workflow

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// oversightDoc is the mini process with a roll-call board and the joint
// committee monitoring the executed agreement.
var oversightDoc = withOversight("[committee, board]") + strings.Replace(miniStages, "manual: [review]", "manual: [review, withdrawn]", 1) + `    amend_to: draft
  - name: withdrawn
    kind: terminal
`

func TestRecordMonitoring(t *testing.T) {
	d, err := Parse([]byte(oversightDoc))
	if err != nil {
		t.Fatal(err)
	}
	aye := []Vote{{Member: "A", Vote: VoteAye}, {Member: "B", Vote: VoteAye}, {Member: "C", Vote: VoteNay}}
	nay := []Vote{{Member: "A", Vote: VoteNay}, {Member: "B", Vote: VoteAye}, {Member: "C", Vote: VoteNay}}
	for _, tc := range []struct {
		name                  string
		stage, body, outcome  string
		votes                 []Vote
		wantCode, wantAmendTo string
	}{
		{"ContinueByConsensus", "done", "committee", OutcomeContinue, nil, "", ""},
		{"AmendByConsensus", "done", "committee", OutcomeAmend, nil, "", "draft"},
		{"AmendByRollCall", "done", "board", OutcomeAmend, aye, "", "draft"},
		{"RollCallNeedsVotes", "done", "board", OutcomeContinue, nil, CodeInvalidVote, ""},
		{"FailedMotion", "done", "board", OutcomeAmend, nay, CodeVotesDisagree, ""},
		{"ReviewOutcomeRefused", "done", "committee", OutcomeForward, nil, CodeOutcomeNotAllowed, ""},
		{"UnknownOutcome", "done", "committee", "noted", nil, CodeOutcomeNotAllowed, ""},
		{"WithdrawnIsNotInForce", "withdrawn", "committee", OutcomeContinue, nil, CodeWrongStage, ""},
		{"BeforeExecution", "review", "committee", OutcomeContinue, nil, CodeWrongStage, ""},
		{"UnknownStage", "archived", "committee", OutcomeContinue, nil, CodeUnknownStage, ""},
		{"UnknownBody", "done", "council", OutcomeContinue, nil, CodeBodyNotActing, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := d.RecordMonitoring(tc.stage, tc.body, tc.outcome, tc.votes)
			if tc.wantCode == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if res.AmendTo != tc.wantAmendTo {
					t.Errorf("AmendTo %q, want %q", res.AmendTo, tc.wantAmendTo)
				}
				return
			}
			var re *RuleError
			if !errors.As(err, &re) || re.Code != tc.wantCode {
				t.Fatalf("err = %v, want %s", err, tc.wantCode)
			}
		})
	}
}

func TestMonitorsAndInForce(t *testing.T) {
	d, err := Parse([]byte(oversightDoc))
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Monitors("done"); !slices.Equal(got, []string{"committee", "board"}) {
		t.Errorf("Monitors(done) = %v", got)
	}
	for _, s := range []string{"draft", "review", "withdrawn", "nowhere"} {
		if got := d.Monitors(s); len(got) != 0 {
			t.Errorf("Monitors(%s) = %v, want none", s, got)
		}
		if d.InForce(s) {
			t.Errorf("InForce(%s)", s)
		}
	}
	if !d.InForce("done") {
		t.Error("an executed agreement is not in force")
	}
	// The board's party (district) absent: it monitors no more.
	if got := d.ForParties([]string{"city"}).Monitors("done"); !slices.Equal(got, []string{"committee"}) {
		t.Errorf("Monitors without the district = %v", got)
	}
	// A definition without oversight: no body monitors, and the refusal
	// says so.
	plain, err := Parse([]byte(header + miniStages + "    amend_to: draft\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := plain.CheckMonitoring("done", "committee"); err == nil || !strings.Contains(err.Error(), "names no oversight body") {
		t.Errorf("CheckMonitoring without oversight = %v", err)
	}
}

func TestOversightRefused(t *testing.T) {
	for _, tc := range []struct{ name, doc, want string }{
		{"UnknownBody", withOversight("[panel]") + miniStages + "    amend_to: draft\n", `oversight: unknown body "panel"`},
		{"Twice", withOversight("[board, board]") + miniStages + "    amend_to: draft\n", `oversight: body "board" is named twice`},
		{"NothingInForce", withOversight("[board]") + miniStages, "no stage is an agreement in force"},
		{"UnknownField", withOversight("[board]\n  every: month") + miniStages, `unknown field "every"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.doc))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

// TestShippedOversight: the seed processes' monitoring bodies, Duluth's
// advisory team and Calgary's special oversight board.
func TestShippedOversight(t *testing.T) {
	defs := shipped(t)
	for name, want := range map[string][]string{
		"advisory-board":        {"advisory_team"},
		"roundtable-commission": {"oversight_board"},
		"default":               {"liaison_committee"},
	} {
		if got := defs[name].Monitors("executed"); !slices.Equal(got, want) {
			t.Errorf("%s monitors %v, want %v", name, got, want)
		}
	}
	if b, _ := defs["roundtable-commission"].Body("oversight_board"); b.Title != "Special Oversight Board" || b.Party != PartyJoint {
		t.Errorf("oversight board %+v", b)
	}
}

// withOversight is header with an oversight: section naming bodies.
func withOversight(bodies string) string {
	return strings.Replace(header, "stages:\n", "oversight:\n  bodies: "+bodies+"\nstages:\n", 1)
}

func TestCheckStatusUpdate(t *testing.T) {
	d, err := Parse([]byte(oversightDoc))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, stage string
		decided     bool
		status      string
		wantCode    string
	}{
		{"OnTrack", "done", false, StatusOnTrack, ""},
		{"Complete", "done", false, StatusComplete, ""},
		{"UnknownStatus", "done", false, "late", CodeInvalidStatus},
		{"Empty", "done", false, "", CodeInvalidStatus},
		{"ReviewMeeting", "review", false, StatusAtRisk, CodeWrongStage},
		{"WithdrawnMeeting", "withdrawn", false, StatusAtRisk, CodeWrongStage},
		{"AfterOutcome", "done", true, StatusOffTrack, CodeWrongStage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := d.CheckStatusUpdate(tc.stage, tc.decided, tc.status)
			if tc.wantCode == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var re *RuleError
			if !errors.As(err, &re) || re.Code != tc.wantCode {
				t.Fatalf("err = %v, want %s", err, tc.wantCode)
			}
		})
	}
}
