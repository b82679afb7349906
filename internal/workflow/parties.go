package workflow

import (
	"maps"
	"slices"
)

// PartyRoles lists the party roles the definition's bodies belong to,
// sorted, without PartyJoint.
func (d *Definition) PartyRoles() []string {
	seen := map[string]bool{}
	for _, b := range d.Bodies {
		if b.Party != PartyJoint {
			seen[b.Party] = true
		}
	}
	return slices.Sorted(maps.Keys(seen))
}

// CheckParties refuses a definition for an MOU whose template has the
// party roles known (required or optional) and whose MOU has the roles
// present: every body must belong to a role of the template (a body of
// no party could never meet), and with the absent optional parties'
// bodies left out every review stage must keep a body that meets and
// every approval stage a body that approves.
func (d *Definition) CheckParties(known, present []string) error {
	for _, name := range slices.Sorted(maps.Keys(d.Bodies)) {
		b := d.Bodies[name]
		if b.Party != PartyJoint && !slices.Contains(known, b.Party) {
			return ruleErr(CodeMissingParty, "workflow %q: %s belongs to party role %q, which this MOU's template does not have", d.Name, bodyLabel(b), b.Party)
		}
	}
	f := d.ForParties(present)
	for _, s := range f.Stages {
		switch {
		case s.Kind == KindReview && len(s.Acts) == 0:
			return ruleErr(CodeMissingParty, "workflow %q: no body of this MOU's parties meets in stage %q", d.Name, s.Name)
		case s.Kind == KindApproval && len(f.RequiredApprovals(s.Name)) == 0:
			return ruleErr(CodeMissingParty, "workflow %q: no body of this MOU's parties approves in stage %q", d.Name, s.Name)
		}
	}
	return nil
}

// ForParties is the definition as it applies to an MOU with the party
// roles present: bodies of an absent (optional) party neither meet nor
// approve. It returns d itself when every body's party is present, so the
// common case shares the one parsed definition.
func (d *Definition) ForParties(present []string) *Definition {
	absent := func(b string) bool {
		p := d.Bodies[b].Party
		return p != PartyJoint && !slices.Contains(present, p)
	}
	drop := false
	for name := range d.Bodies {
		if absent(name) {
			drop = true
			break
		}
	}
	if !drop {
		return d
	}
	c := *d
	c.Bodies = make(map[string]Body, len(d.Bodies))
	for name, b := range d.Bodies {
		if !absent(name) {
			c.Bodies[name] = b
		}
	}
	c.Oversight.Bodies = slices.DeleteFunc(slices.Clone(d.Oversight.Bodies), absent)
	c.Stages = make([]Stage, len(d.Stages))
	for i, s := range d.Stages {
		s.Acts = slices.DeleteFunc(slices.Clone(s.Acts), func(a Acting) bool { return absent(a.Body) })
		c.Stages[i] = s
	}
	return &c
}
