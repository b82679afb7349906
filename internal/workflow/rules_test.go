package workflow

import (
	"errors"
	"slices"
	"testing"
)

func TestTransition(t *testing.T) {
	d := shipped(t)["default"]
	tests := []struct {
		name, from, to, want string // want is the rule code, "" when allowed
	}{
		{"OK/Submit", "draft", "liaison_review", ""},
		{"OK/WithdrawDraft", "draft", "withdrawn", ""},
		{"OK/WithdrawApproval", "approval", "withdrawn", ""},
		{"OK/WithdrawSignature", "signature", "withdrawn", ""},
		{"ErrStageSkipped/DraftToJoint", "draft", "joint_review", CodeStageSkipped},
		{"ErrStageSkipped/DraftToExecuted", "draft", "executed", CodeStageSkipped},
		{"ErrStageSkipped/ForwardByHand", "liaison_review", "joint_review", CodeStageSkipped},
		{"ErrStageSkipped/ReviseByHand", "joint_review", "draft", CodeStageSkipped},
		{"ErrStageSkipped/ApproveByHand", "approval", "signature", CodeStageSkipped},
		{"ErrStageSkipped/SignByHand", "signature", "executed", CodeStageSkipped},
		{"ErrStageSkipped/Stay", "draft", "draft", CodeStageSkipped},
		{"ErrTerminal/Executed", "executed", "draft", CodeTerminalStage},
		{"ErrTerminal/Withdrawn", "withdrawn", "draft", CodeTerminalStage},
		{"ErrUnknownStage/From", "limbo", "draft", CodeUnknownStage},
		{"ErrUnknownStage/To", "draft", "limbo", CodeUnknownStage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := code(d.Transition(tt.from, tt.to)); got != tt.want {
				t.Fatalf("Transition(%s, %s) code = %q, want %q", tt.from, tt.to, got, tt.want)
			}
		})
	}
}

func TestOutcome(t *testing.T) {
	defs := shipped(t)
	tests := []struct {
		name, def, stage, body, outcome string
		wantNext, wantCode              string
	}{
		{"OK/LiaisonForward", "default", "liaison_review", "liaison_committee", "forward", "joint_review", ""},
		{"OK/LiaisonRevise", "default", "liaison_review", "liaison_committee", "revise", "draft", ""},
		{"OK/JointForward", "default", "joint_review", "joint_meeting", "forward", "approval", ""},
		{"OK/CouncilApproveStays", "default", "approval", "city_council", "approve", "approval", ""},
		{"OK/BoardReject", "default", "approval", "school_board", "reject", "draft", ""},
		{"OK/AdvisoryForward", "advisory-board", "advisory_review", "advisory_team", "forward", "board_approval", ""},
		{"OK/BoardApproveStays", "advisory-board", "board_approval", "school_board", "approve", "board_approval", ""},
		{"ErrBodyNotActing/CouncilInLiaison", "default", "liaison_review", "city_council", "forward", "", CodeBodyNotActing},
		{"ErrBodyNotActing/CommitteeInApproval", "default", "approval", "liaison_committee", "approve", "", CodeBodyNotActing},
		{"ErrBodyNotActing/Draft", "default", "draft", "liaison_committee", "forward", "", CodeBodyNotActing},
		{"ErrBodyNotActing/CouncilInAdvisory", "advisory-board", "board_approval", "city_council", "approve", "", CodeBodyNotActing},
		{"ErrOutcomeNotAllowed/LiaisonApprove", "default", "liaison_review", "liaison_committee", "approve", "", CodeOutcomeNotAllowed},
		{"ErrOutcomeNotAllowed/CouncilForward", "default", "approval", "city_council", "forward", "", CodeOutcomeNotAllowed},
		{"ErrOutcomeNotAllowed/Unknown", "default", "joint_review", "joint_meeting", "table", "", CodeOutcomeNotAllowed},
		{"ErrTerminal", "default", "executed", "city_council", "approve", "", CodeTerminalStage},
		{"ErrUnknownStage", "default", "limbo", "city_council", "approve", "", CodeUnknownStage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			next, err := defs[tt.def].Outcome(tt.stage, tt.body, tt.outcome)
			if got := code(err); got != tt.wantCode || next != tt.wantNext {
				t.Fatalf("Outcome = %q, %v; want %q, code %q", next, err, tt.wantNext, tt.wantCode)
			}
		})
	}
}

func TestCheckLeave(t *testing.T) {
	d := shipped(t)["default"]
	tests := []struct {
		name, from, to string
		open           int
		want           string
	}{
		{"OK/NoFeedbackRule", "liaison_review", "joint_review", 3, ""},
		{"OK/AllClosed", "joint_review", "approval", 0, ""},
		{"OK/ReviseWithOpen", "joint_review", "draft", 2, ""},
		{"OK/WithdrawWithOpen", "joint_review", "withdrawn", 2, ""},
		{"OK/Stay", "approval", "approval", 2, ""},
		{"ErrFeedbackOpen/Joint", "joint_review", "approval", 1, CodeFeedbackOpen},
		{"ErrFeedbackOpen/Approval", "approval", "signature", 4, CodeFeedbackOpen},
		{"ErrUnknownStage", "joint_review", "limbo", 0, CodeUnknownStage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := code(d.CheckLeave(tt.from, tt.to, tt.open)); got != tt.want {
				t.Fatalf("CheckLeave code = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNewRevision(t *testing.T) {
	d := shipped(t)["default"]
	tests := []struct {
		stage, wantCode, wantNext string
		wantChanged               bool
	}{
		{"draft", "", "draft", false},
		{"liaison_review", "", "draft", true},
		{"joint_review", "", "draft", true},
		{"approval", "", "draft", true},
		{"signature", "", "draft", true},
		{"executed", CodeTerminalStage, "executed", false},
		{"withdrawn", CodeTerminalStage, "withdrawn", false},
		{"limbo", CodeUnknownStage, "limbo", false},
	}
	for _, tt := range tests {
		t.Run(tt.stage, func(t *testing.T) {
			if got := code(d.CheckNewRevision(tt.stage)); got != tt.wantCode {
				t.Errorf("CheckNewRevision code = %q, want %q", got, tt.wantCode)
			}
			next, changed := d.AfterNewRevision(tt.stage)
			if next != tt.wantNext || changed != tt.wantChanged {
				t.Errorf("AfterNewRevision = %q, %v; want %q, %v", next, changed, tt.wantNext, tt.wantChanged)
			}
		})
	}
	// A stage that is neither editable nor sends new revisions anywhere
	// refuses them.
	mini, err := Parse([]byte(header + miniStages))
	if err != nil {
		t.Fatal(err)
	}
	if got := code(mini.CheckNewRevision("review")); got != CodeNotEditable {
		t.Errorf("mini review: code = %q, want not_editable", got)
	}
}

func TestAmend(t *testing.T) {
	d := shipped(t)["default"]
	if next, err := d.Amend("executed"); err != nil || next != "draft" {
		t.Errorf("Amend(executed) = %q, %v", next, err)
	}
	for _, s := range []string{"withdrawn", "approval"} {
		if _, err := d.Amend(s); code(err) != CodeNotAmendable {
			t.Errorf("Amend(%s) error = %v, want not_amendable", s, err)
		}
	}
}

func TestApprovals(t *testing.T) {
	d := shipped(t)["default"]
	const h1, h2 = "aaaaaaaaaaaaaaaaaaaa1", "bbbbbbbbbbbbbbbbbbbb2"
	tests := []struct {
		name      string
		hash      string
		approvals []Approval
		wantDone  bool
		wantCode  string // of CheckApproved
	}{
		{"None", h1, nil, false, CodeStaleApproval},
		{"OnlyCouncil", h1, []Approval{{"city_council", h1}}, false, CodeStaleApproval},
		{"BothSameHash", h1, []Approval{{"city_council", h1}, {"school_board", h1}}, true, ""},
		{"BothPlusOld", h2, []Approval{{"city_council", h1}, {"city_council", h2}, {"school_board", h2}}, true, ""},
		{"DifferentHashes", h2, []Approval{{"city_council", h1}, {"school_board", h2}}, false, CodeStaleApproval},
		{"WrongBodies", h1, []Approval{{"liaison_committee", h1}, {"joint_meeting", h1}}, false, CodeStaleApproval},
		{"EmptyHash", "", []Approval{{"city_council", ""}, {"school_board", ""}}, false, CodeStaleApproval},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			done, next := d.ApprovalsComplete("approval", tt.hash, tt.approvals)
			if done != tt.wantDone || (done && next != "signature") || (!done && next != "") {
				t.Errorf("ApprovalsComplete = %v, %q", done, next)
			}
			if got := code(d.CheckApproved(tt.hash, tt.approvals)); got != tt.wantCode {
				t.Errorf("CheckApproved code = %q, want %q", got, tt.wantCode)
			}
		})
	}
	if done, _ := d.ApprovalsComplete("joint_review", h1, []Approval{{"city_council", h1}, {"school_board", h1}}); done {
		t.Error("a review stage completed by approvals")
	}
}

func TestSigning(t *testing.T) {
	d := shipped(t)["default"]
	order := []string{"city-manager", "police-chief", "superintendent"}
	tests := []struct {
		name, stage string
		signed      []string
		signer      string
		want        string
	}{
		{"OK/First", "signature", nil, "city-manager", ""},
		{"OK/Second", "signature", []string{"city-manager"}, "police-chief", ""},
		{"ErrSignatureOrder/Early", "signature", []string{"city-manager"}, "superintendent", CodeSignatureOrder},
		{"ErrSignatureOrder/Twice", "signature", []string{"city-manager"}, "city-manager", CodeSignatureOrder},
		{"ErrNotSignatory", "signature", nil, "mayor", CodeNotSignatory},
		{"ErrWrongStage", "approval", nil, "city-manager", CodeWrongStage},
		{"ErrTerminal", "executed", nil, "city-manager", CodeTerminalStage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := code(d.CheckSigner(tt.stage, order, tt.signed, tt.signer)); got != tt.want {
				t.Fatalf("CheckSigner code = %q, want %q", got, tt.want)
			}
		})
	}
	if done, _ := d.SignaturesComplete("signature", order, order[:2]); done {
		t.Error("complete with one signature missing")
	}
	if done, next := d.SignaturesComplete("signature", order, slices.Clone(order)); !done || next != "executed" {
		t.Errorf("SignaturesComplete = %v, %q", done, next)
	}
	if done, _ := d.SignaturesComplete("signature", nil, nil); done {
		t.Error("complete with no signatories")
	}
	if done, _ := d.SignaturesComplete("approval", order, order); done {
		t.Error("approval stage completed by signatures")
	}
}

func TestExecute(t *testing.T) {
	for name, d := range shipped(t) {
		if next, err := d.Execute("signature"); err != nil || next != "executed" {
			t.Errorf("%s: Execute(signature) = %q, %v", name, next, err)
		}
		if _, err := d.Execute("draft"); code(err) != CodeWrongStage {
			t.Errorf("%s: Execute(draft) error = %v, want wrong_stage", name, err)
		}
		if _, err := d.Execute("executed"); code(err) != CodeTerminalStage {
			t.Errorf("%s: Execute(executed) error = %v, want terminal_stage", name, err)
		}
	}
}

func TestCheckActs(t *testing.T) {
	def := shipped(t)["default"]
	if err := def.CheckActs("liaison_review", "liaison_committee"); err != nil {
		t.Fatalf("committee in liaison review: %v", err)
	}
	for _, tc := range []struct{ name, stage, body, code string }{
		{"ErrBodyNotActing", "liaison_review", "city_council", CodeBodyNotActing},
		{"ErrBodyNotActing/Draft", "draft", "liaison_committee", CodeBodyNotActing},
		{"ErrUnknownStage", "limbo", "city_council", CodeUnknownStage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := def.CheckActs(tc.stage, tc.body)
			var re *RuleError
			if !errors.As(err, &re) || re.Code != tc.code {
				t.Fatalf("CheckActs(%q, %q) = %v, want %s", tc.stage, tc.body, err, tc.code)
			}
		})
	}
}
