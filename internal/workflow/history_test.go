package workflow

import (
	"fmt"
	"testing"
)

// mou is a test stand-in for the service layer: it keeps an MOU's state
// and changes it only through the package API, as the real store will.
type mou struct {
	t           *testing.T
	d           *Definition
	stage       string
	rev         int
	hash        string
	open        int // feedback items open
	approvals   []Approval
	signatories []string
	signed      []string
	history     []string
}

func newMOU(t *testing.T, d *Definition, signatories ...string) *mou {
	m := &mou{t: t, d: d, stage: d.Initial, signatories: signatories}
	m.revise(0)
	return m
}

func (m *mou) moveTo(next string) {
	m.history = append(m.history, m.stage+"→"+next)
	m.stage = next
}

// move is a manual transition (POST transitions {to}).
func (m *mou) move(to string) error {
	if err := m.d.Transition(m.stage, to); err != nil {
		return err
	}
	if err := m.d.CheckLeave(m.stage, to, m.open); err != nil {
		return err
	}
	m.moveTo(to)
	return nil
}

// revise makes a new revision that resolves `resolved` feedback items.
func (m *mou) revise(resolved int) {
	m.t.Helper()
	if err := m.d.CheckNewRevision(m.stage); err != nil {
		m.t.Fatalf("new revision in %s: %v", m.stage, err)
	}
	m.rev++
	m.hash = fmt.Sprintf("%064x", m.rev)
	m.open -= resolved
	if next, changed := m.d.AfterNewRevision(m.stage); changed {
		m.approvals = nil // stale
		m.moveTo(next)
	}
}

// meet records a meeting of body with feedback raised and an outcome.
func (m *mou) meet(body, outcome string, feedback int, votes ...Vote) error {
	m.open += feedback
	res, err := m.d.RecordOutcome(Meeting{
		Stage: m.stage, Body: body, Outcome: outcome, ContentHash: m.hash,
		Votes: votes, OpenFeedback: m.open, Approvals: m.approvals,
	})
	if err != nil {
		return err
	}
	if res.Approval != nil {
		m.approvals = append(m.approvals, *res.Approval)
	}
	if res.Moved {
		m.moveTo(res.Next)
	}
	return nil
}

func (m *mou) sign(who string) error {
	if err := m.d.CheckApproved(m.hash, m.approvals); err != nil {
		return err
	}
	if err := m.d.CheckSigner(m.stage, m.signatories, m.signed, who); err != nil {
		return err
	}
	m.signed = append(m.signed, who)
	if done, next := m.d.SignaturesComplete(m.stage, m.signatories, m.signed); done {
		m.moveTo(next)
	}
	return nil
}

func (m *mou) must(err error) {
	m.t.Helper()
	if err != nil {
		m.t.Fatalf("in stage %s: %v", m.stage, err)
	}
}

func (m *mou) refused(err error, want string) {
	m.t.Helper()
	if code(err) != want {
		m.t.Fatalf("in stage %s: error %v, want code %s", m.stage, err, want)
	}
}

func (m *mou) at(stage string) {
	m.t.Helper()
	if m.stage != stage {
		m.t.Fatalf("stage = %s, want %s (history %v)", m.stage, stage, m.history)
	}
}

// council5 is a five-member roll call.
func council5(ayes int) []Vote {
	votes := make([]Vote, 5)
	for i := range votes {
		votes[i] = Vote{Member: fmt.Sprintf("member %d", i+1), Vote: VoteNay}
		if i < ayes {
			votes[i].Vote = VoteAye
		}
	}
	return votes
}

// TestPleasantonHistory replays Pleasanton's path: liaison committee
// meetings, a joint City Council / Board of Trustees meeting that asked for
// student-records and de-escalation language, then approval by both
// governing bodies of the same text, signature and execution.
func TestPleasantonHistory(t *testing.T) {
	m := newMOU(t, shipped(t)["default"], "city-manager", "police-chief", "superintendent")
	m.at("draft")
	m.refused(m.move("joint_review"), CodeStageSkipped)
	m.must(m.move("liaison_review"))

	// Liaison meeting 1: two points raised, sent back.
	m.refused(m.meet("city_council", "forward", 0), CodeBodyNotActing)
	m.must(m.meet("liaison_committee", "revise", 2))
	m.at("draft")
	m.revise(2)
	m.must(m.move("liaison_review"))

	// Liaison meeting 2: forwarded by consensus, no roll call.
	m.must(m.meet("liaison_committee", "forward", 0))
	m.at("joint_review")

	// Joint meeting: student records access and de-escalation asked for;
	// it cannot forward with feedback open, so it revises.
	m.refused(m.meet("joint_meeting", "forward", 2), CodeFeedbackOpen)
	m.at("joint_review")
	m.must(m.meet("joint_meeting", "revise", 0))
	m.at("draft")
	m.revise(2)
	m.must(m.move("liaison_review"))

	// Liaison meeting 3 and the joint meeting forward the amended text.
	m.must(m.meet("liaison_committee", "forward", 0))
	m.must(m.meet("joint_meeting", "forward", 0))
	m.at("approval")

	// Signing before approval is refused.
	m.refused(m.sign("city-manager"), CodeStaleApproval)

	// City Council approves 5–0; a 2–3 "approve" is refused as disagreeing.
	m.refused(m.meet("city_council", "approve", 0, council5(2)...), CodeVotesDisagree)
	m.refused(m.meet("city_council", "approve", 0), CodeInvalidVote)
	m.must(m.meet("city_council", "approve", 0, council5(5)...))
	m.at("approval")
	m.refused(m.sign("city-manager"), CodeStaleApproval)
	m.must(m.meet("school_board", "approve", 0, council5(4)...))
	m.at("signature")
	approved := m.hash

	// Signatories sign in order.
	m.refused(m.sign("superintendent"), CodeSignatureOrder)
	m.must(m.sign("city-manager"))
	m.must(m.sign("police-chief"))
	m.must(m.sign("superintendent"))
	m.at("executed")
	if m.hash != approved || m.rev != 3 {
		t.Errorf("executed revision %d %s, approved %s", m.rev, m.hash, approved)
	}
	m.refused(m.move("withdrawn"), CodeTerminalStage)
	m.refused(m.d.CheckNewRevision(m.stage), CodeTerminalStage)

	want := []string{
		"draft→liaison_review", "liaison_review→draft", "draft→liaison_review",
		"liaison_review→joint_review", "joint_review→draft", "draft→liaison_review",
		"liaison_review→joint_review", "joint_review→approval", "approval→signature",
		"signature→executed",
	}
	if fmt.Sprint(m.history) != fmt.Sprint(want) {
		t.Errorf("history\n got %v\nwant %v", m.history, want)
	}
}

// TestApprovalGoesStale: a revision made after one body approved sends the
// MOU back to draft, and the old approval no longer counts.
func TestApprovalGoesStale(t *testing.T) {
	m := newMOU(t, shipped(t)["default"], "city-manager")
	m.must(m.move("liaison_review"))
	m.must(m.meet("liaison_committee", "forward", 0))
	m.must(m.meet("joint_meeting", "forward", 0))
	m.must(m.meet("city_council", "approve", 0, council5(3)...))
	old := m.approvals

	m.revise(0)
	m.at("draft")
	m.refused(m.d.CheckApproved(m.hash, old), CodeStaleApproval)
	if done, _ := m.d.ApprovalsComplete("approval", m.hash, append(old, Approval{"school_board", m.hash})); done {
		t.Fatal("an approval of old content completed the stage")
	}
}

// TestAdvisoryBoardHistory replays Duluth's shorter path: the advisory team
// asks for vacation coverage, school-year dates and a complaint process,
// then forwards; the school board alone approves.
func TestAdvisoryBoardHistory(t *testing.T) {
	m := newMOU(t, shipped(t)["advisory-board"], "chief", "superintendent")
	m.refused(m.move("board_approval"), CodeStageSkipped)
	m.must(m.move("advisory_review"))
	m.must(m.meet("advisory_team", "revise", 3))
	m.at("draft")
	m.revise(3)
	m.must(m.move("advisory_review"))
	m.must(m.meet("advisory_team", "forward", 0, Vote{"A", VoteAye}, Vote{"B", VoteAbstain}))
	m.at("board_approval")
	m.refused(m.meet("school_board", "approve", 1, council5(5)...), CodeFeedbackOpen)
	m.open = 0 // answered without a new revision (resolved as no change needed)
	m.must(m.meet("school_board", "approve", 0, council5(3)...))
	m.at("signature")
	m.must(m.sign("chief"))
	m.must(m.sign("superintendent"))
	m.at("executed")
	if next, err := m.d.Amend(m.stage); err != nil || next != "draft" {
		t.Fatalf("Amend = %q, %v", next, err)
	}
}

// TestRejectAndWithdraw: a rejected MOU goes back to draft; withdrawal is a
// manual move that works with feedback open.
func TestRejectAndWithdraw(t *testing.T) {
	m := newMOU(t, shipped(t)["default"], "city-manager")
	m.must(m.move("liaison_review"))
	m.must(m.meet("liaison_committee", "forward", 0))
	m.must(m.meet("joint_meeting", "forward", 0))
	m.refused(m.meet("school_board", "reject", 0, council5(3)...), CodeVotesDisagree)
	m.must(m.meet("school_board", "reject", 0, council5(2)...))
	m.at("draft")
	m.must(m.move("liaison_review"))
	m.open = 4
	m.must(m.move("withdrawn"))
	m.at("withdrawn")
}
