package workflow

import (
	"slices"
	"testing"
)

// Pleasanton's path: the joint meeting sent the MOU back ("the MOU has been
// amended") and both bodies approved the amended text; no second joint
// meeting was held.
func TestResumeAfterRevision(t *testing.T) {
	d := shipped(t)["default"]
	joint := &LastOutcome{Stage: "joint_review", Body: "joint_meeting", Outcome: OutcomeRevise, Revision: 4}
	if err := d.Transition("draft", "approval"); code(err) != CodeStageSkipped {
		t.Fatalf("draft → approval by hand without an outcome = %v, want stage_skipped", err)
	}
	cases := []struct {
		name          string
		last          *LastOutcome
		current, open int
		to, want      string
	}{
		{"Amended", joint, 5, 0, "approval", ""},
		{"NotYetRevised", joint, 4, 0, "approval", CodeNotRevised},
		{"FeedbackOpen", joint, 5, 2, "approval", CodeFeedbackOpen},
		{"OtherTarget", joint, 5, 0, "signature", CodeStageSkipped},
		{"LiaisonRevise", &LastOutcome{Stage: "liaison_review", Body: "liaison_committee", Outcome: OutcomeRevise, Revision: 2}, 3, 0, "approval", CodeStageSkipped},
		{"NoOutcome", nil, 5, 0, "approval", CodeStageSkipped},
		{"ManualStillAllowed", joint, 4, 3, "liaison_review", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := d.Resume("draft", c.to, c.last, c.current, c.open)
			if code(err) != c.want {
				t.Fatalf("Resume = %v, want %q", err, c.want)
			}
		})
	}
}

func TestForParties(t *testing.T) {
	d := shipped(t)["roundtable-commission"]
	if got := d.PartyRoles(); !slices.Equal(got, []string{"district", "district_2", "police_service"}) {
		t.Fatalf("PartyRoles = %v", got)
	}
	all := []string{"police_service", "district", "district_2"}
	if d.ForParties(all) != d {
		t.Fatal("ForParties with every party present must share the definition")
	}
	two := d.ForParties([]string{"police_service", "district"})
	if got := two.RequiredApprovals("approval"); !slices.Equal(got, []string{"police_commission", "school_board"}) {
		t.Fatalf("approvals without the second district = %v", got)
	}
	if got := d.RequiredApprovals("approval"); len(got) != 3 {
		t.Fatalf("ForParties changed the shared definition: %v", got)
	}
	if err := two.CheckActs("approval", "school_board_2"); code(err) != CodeBodyNotActing {
		t.Fatalf("absent party's board acting = %v, want body_not_acting", err)
	}
	if err := d.CheckParties(all, all[:2]); err != nil {
		t.Fatalf("CheckParties with an optional party absent: %v", err)
	}
	// The shipped two-party template has no police_service role.
	if err := d.CheckParties([]string{"city", "district"}, []string{"city", "district"}); code(err) != CodeMissingParty {
		t.Fatalf("CheckParties on a template without the commission's party = %v, want missing_party", err)
	}
	// A review stage whose only body belongs to an absent party would have
	// no one to meet in it.
	wg := shipped(t)["working-group"]
	if err := wg.CheckParties([]string{"city", "district"}, []string{"district"}); code(err) != CodeMissingParty {
		t.Fatalf("working group without the city = %v, want missing_party", err)
	}
}
