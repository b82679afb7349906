package mou

import "strings"

// PartyNamesVariable is a template variable moudesk fills itself, when the
// template declares it and the drafter gives no value: the MOU's parties
// in template order, as a preamble lists them ("the A, the B and the C").
// It lets a template with an optional party name exactly the parties an
// MOU has.
const PartyNamesVariable = "party_names"

// PartyList joins the names of the parties present (role → name) in t's
// order, each with "the", the last two joined by "and".
func PartyList(t *Template, names map[string]string) string {
	var out []string
	for _, p := range t.Parties {
		if n := strings.TrimSpace(names[p.Role]); n != "" {
			if !strings.HasPrefix(strings.ToLower(n), "the ") {
				n = "the " + n
			}
			out = append(out, n)
		}
	}
	switch len(out) {
	case 0:
		return ""
	case 1:
		return out[0]
	}
	return strings.Join(out[:len(out)-1], ", ") + " and " + out[len(out)-1]
}

// WithPartyList sets PartyNamesVariable in values when t declares it and
// values leave it empty; values is not changed.
func WithPartyList(t *Template, names map[string]string, values map[string]string) map[string]string {
	declared := false
	for _, v := range t.Variables {
		if v.Name == PartyNamesVariable {
			declared = true
		}
	}
	if !declared || strings.TrimSpace(values[PartyNamesVariable]) != "" {
		return values
	}
	out := make(map[string]string, len(values)+1)
	for k, v := range values {
		out[k] = v
	}
	out[PartyNamesVariable] = PartyList(t, names)
	return out
}
