package workflow

import (
	"strings"
)

// Vote values.
const (
	VoteAye     = "aye"
	VoteNay     = "nay"
	VoteAbstain = "abstain"
	VoteAbsent  = "absent"
)

// Vote is one member's recorded vote on the motion a body carried.
type Vote struct {
	Member string `json:"member"`
	Vote   string `json:"vote"` // aye, nay, abstain or absent
}

// Tally counts votes by value.
type Tally struct {
	Aye, Nay, Abstain, Absent int
}

// TallyVotes counts votes, refusing an empty or repeated member (compared
// without case or surrounding space) and any value but aye, nay, abstain or
// absent.
func TallyVotes(votes []Vote) (Tally, error) {
	var t Tally
	seen := make(map[string]bool, len(votes))
	for i, v := range votes {
		member := strings.ToLower(strings.TrimSpace(v.Member))
		if member == "" {
			return Tally{}, ruleErr(CodeInvalidVote, "vote #%d has no member", i+1)
		}
		if seen[member] {
			return Tally{}, ruleErr(CodeInvalidVote, "%q votes more than once", strings.TrimSpace(v.Member))
		}
		seen[member] = true
		switch v.Vote {
		case VoteAye:
			t.Aye++
		case VoteNay:
			t.Nay++
		case VoteAbstain:
			t.Abstain++
		case VoteAbsent:
			t.Absent++
		default:
			return Tally{}, ruleErr(CodeInvalidVote, "%q voted %q (want aye, nay, abstain or absent)", strings.TrimSpace(v.Member), v.Vote)
		}
	}
	return t, nil
}

// CheckVotes checks that votes agree with the outcome a body recorded.
//
// The outcome is read as the result of the motion before the body:
// "forward", "revise" and "approve" (and a monitoring meeting's "continue"
// and "amend") are motions that carried, so they need
// more ayes than nays; "reject" records that the motion to approve (or
// forward) failed, so it needs nays ≥ ayes — a tie fails a motion.
// Abstentions and absences count toward neither side.
//
// A body with roll_call (a governing body: council, board) must record at
// least one vote. Other bodies (committees, joint meetings, advisory teams)
// often decide by consensus and may record none; if they do record votes,
// the votes must still agree.
func CheckVotes(body Body, outcome string, votes []Vote) error {
	switch outcome {
	case OutcomeForward, OutcomeRevise, OutcomeApprove, OutcomeReject, OutcomeContinue, OutcomeAmend:
	default:
		return ruleErr(CodeOutcomeNotAllowed, "unknown outcome %q (want forward, revise, approve or reject)", outcome)
	}
	t, err := TallyVotes(votes)
	if err != nil {
		return err
	}
	if len(votes) == 0 {
		if body.RollCall {
			return ruleErr(CodeInvalidVote, "%s records a roll call; no votes were given", bodyLabel(body))
		}
		return nil
	}
	if outcome == OutcomeReject {
		if t.Nay < t.Aye {
			return ruleErr(CodeVotesDisagree, "%s recorded %q but the motion carried %d–%d", bodyLabel(body), outcome, t.Aye, t.Nay)
		}
		return nil
	}
	if t.Aye <= t.Nay {
		return ruleErr(CodeVotesDisagree, "%s recorded %q but the motion failed %d–%d", bodyLabel(body), outcome, t.Aye, t.Nay)
	}
	return nil
}

func bodyLabel(b Body) string {
	if b.Title != "" {
		return b.Title
	}
	if b.Name != "" {
		return b.Name
	}
	return "the body"
}
