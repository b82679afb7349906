package workflow

import "testing"

// roll builds votes from "member=value" pairs.
func roll(pairs ...string) []Vote {
	votes := make([]Vote, 0, len(pairs))
	for _, p := range pairs {
		for i := 0; i < len(p); i++ {
			if p[i] == '=' {
				votes = append(votes, Vote{Member: p[:i], Vote: p[i+1:]})
				break
			}
		}
	}
	return votes
}

func TestCheckVotes(t *testing.T) {
	council := Body{Name: "city_council", Title: "City Council", Party: PartyCity, RollCall: true}
	committee := Body{Name: "liaison_committee", Party: PartyJoint}
	tests := []struct {
		name    string
		body    Body
		outcome string
		votes   []Vote
		want    string
	}{
		{"OK/ApproveMajority", council, "approve", roll("a=aye", "b=aye", "c=nay", "d=abstain", "e=absent"), ""},
		{"OK/ApproveOneAye", council, "approve", roll("a=aye", "b=abstain"), ""},
		{"OK/ForwardConsensus", committee, "forward", nil, ""},
		{"OK/ReviseConsensus", committee, "revise", nil, ""},
		{"OK/ReviseCarried", committee, "revise", roll("a=aye", "b=aye", "c=nay"), ""},
		{"OK/RejectMoreNays", council, "reject", roll("a=aye", "b=nay", "c=nay"), ""},
		{"OK/RejectTie", council, "reject", roll("a=aye", "b=nay"), ""},
		{"OK/RejectAllAbstain", council, "reject", roll("a=abstain", "b=absent"), ""},
		{"ErrVotesDisagree/ApproveTie", council, "approve", roll("a=aye", "b=nay"), CodeVotesDisagree},
		{"ErrVotesDisagree/ApproveLost", council, "approve", roll("a=aye", "b=nay", "c=nay"), CodeVotesDisagree},
		{"ErrVotesDisagree/ApproveNoAyes", council, "approve", roll("a=abstain"), CodeVotesDisagree},
		{"ErrVotesDisagree/ForwardLost", committee, "forward", roll("a=nay"), CodeVotesDisagree},
		{"ErrVotesDisagree/RejectCarried", council, "reject", roll("a=aye", "b=aye", "c=nay"), CodeVotesDisagree},
		{"ErrInvalidVote/RollCallMissing", council, "approve", nil, CodeInvalidVote},
		{"ErrInvalidVote/EmptyMember", council, "approve", roll("=aye", "b=aye"), CodeInvalidVote},
		{"ErrInvalidVote/BlankMember", council, "approve", roll("  =aye"), CodeInvalidVote},
		{"ErrInvalidVote/Duplicate", council, "approve", roll("Ann Lee=aye", " ann lee =nay"), CodeInvalidVote},
		{"ErrInvalidVote/BadValue", council, "approve", roll("a=yes"), CodeInvalidVote},
		{"ErrInvalidVote/CaseValue", council, "approve", roll("a=Aye"), CodeInvalidVote},
		{"ErrOutcomeNotAllowed", council, "table", roll("a=aye"), CodeOutcomeNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := code(CheckVotes(tt.body, tt.outcome, tt.votes)); got != tt.want {
				t.Fatalf("CheckVotes code = %q, want %q (%v)", got, tt.want, CheckVotes(tt.body, tt.outcome, tt.votes))
			}
		})
	}
}

func TestTallyVotes(t *testing.T) {
	got, err := TallyVotes(roll("a=aye", "b=aye", "c=nay", "d=abstain", "e=absent", "f=absent"))
	if err != nil {
		t.Fatal(err)
	}
	if want := (Tally{Aye: 2, Nay: 1, Abstain: 1, Absent: 2}); got != want {
		t.Fatalf("TallyVotes = %+v, want %+v", got, want)
	}
}
