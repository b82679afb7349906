package mou

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/clause"
)

// LibraryClause is one version of a library clause as assembly uses it.
type LibraryClause struct {
	Clause  *clause.Clause
	Version int
}

// ClauseRef names one immutable clause version.
type ClauseRef struct {
	Slug    string
	Version int
}

// Variables returns the variables an MOU from t declares: the template's
// own, then each section clause's in section order. A name declared by
// several clauses is one variable (the library test checks they agree);
// the first declaration wins.
func Variables(t *Template, lib map[string]LibraryClause) []clause.Variable {
	seen := map[string]bool{}
	var out []clause.Variable
	add := func(vs []clause.Variable) {
		for _, v := range vs {
			if !seen[v.Name] {
				seen[v.Name] = true
				out = append(out, v)
			}
		}
	}
	add(t.Variables)
	for _, s := range t.Sections {
		if lc, ok := lib[s.Clause]; ok && s.Clause != "" {
			add(lc.Clause.Variables)
		}
	}
	return out
}

// PartyDefaults gives party-typed variables named "<role>_name" (city_name,
// district_name) the legal name of the party chosen for that role, unless
// the caller set a value.
func PartyDefaults(vars []clause.Variable, partyNames map[string]string, values map[string]string) map[string]string {
	out := make(map[string]string, len(values)+len(partyNames))
	for k, v := range values {
		out[k] = v
	}
	for _, v := range vars {
		if v.Type != clause.TypeParty || strings.TrimSpace(out[v.Name]) != "" {
			continue
		}
		if role, ok := strings.CutSuffix(v.Name, "_name"); ok && partyNames[role] != "" {
			out[v.Name] = partyNames[role]
		}
	}
	return out
}

// ResolveValues checks values against the declared variables and returns
// the normalised value of every variable that has one (given or default).
// A key no variable declares is unknown_variable; required variables with
// no value are one missing_variable naming the first in declaration order
// and listing all of them (missingVariables).
func ResolveValues(vars []clause.Variable, values map[string]string) (map[string]string, error) {
	byName := make(map[string]clause.Variable, len(vars))
	for _, v := range vars {
		byName[v.Name] = v
	}
	var unknown []string
	for k := range values {
		if _, ok := byName[k]; !ok {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, &clause.Error{Code: clause.CodeUnknownVariable, Field: "variables." + unknown[0],
			Message: fmt.Sprintf("this MOU declares no variable named %s", strings.Join(unknown, ", "))}
	}
	out := make(map[string]string, len(vars))
	var missing []*clause.Error
	for _, v := range vars {
		val, err := clause.Resolve(v, values[v.Name])
		var ce *clause.Error
		if errors.As(err, &ce) && ce.Code == clause.CodeMissingVariable {
			missing = append(missing, ce)
			continue
		}
		if err != nil {
			return nil, err
		}
		if val != "" {
			out[v.Name] = val
		}
	}
	if len(missing) > 0 {
		return nil, missingVariables(missing)
	}
	return out, nil
}

// MissingVariable is one required variable a request left without a
// value, as the error's details list it.
type MissingVariable struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// missingVariables reports every required variable left without a value
// at once (422 missing_variable naming the first, with all of them in the
// details), so a form or a script fills them in one round, not one per
// request. The first variable's *clause.Error stays in the chain for
// callers that mark a form field.
func missingVariables(missing []*clause.Error) error {
	list := make([]MissingVariable, len(missing))
	names := make([]string, len(missing))
	for i, m := range missing {
		list[i] = MissingVariable{Field: m.Field, Message: m.Message}
		names[i] = strings.TrimPrefix(m.Field, "variables.")
	}
	msg := missing[0].Message
	if len(missing) > 1 {
		msg = fmt.Sprintf("%d required variables have no value: %s", len(missing), strings.Join(names, ", "))
	}
	return &moudesk.Error{Kind: moudesk.KindUnprocessable, Code: clause.CodeMissingVariable, Field: missing[0].Field,
		Message: msg, Data: map[string]any{"missing": list}, Cause: missing[0]}
}

// FillClause is a library clause's text with the MOU's values filled in,
// in canonical body form: the text a section holds while it does not
// deviate from the library.
func FillClause(c *clause.Clause, values map[string]string) (string, error) {
	sub := make(map[string]string, len(c.Variables))
	for _, v := range c.Variables {
		if val, ok := values[v.Name]; ok {
			sub[v.Name] = val
		}
	}
	out, err := clause.Fill(c.Body, c.Variables, sub)
	if err != nil {
		return "", err
	}
	return clause.CanonicalBody(out), nil
}

// FillPreamble fills the template's preamble and splits off its leading
// "# " title line, which the MOU's own title replaces. The title line's text
// is returned so it can serve as the default title.
func FillPreamble(t *Template, values map[string]string) (title, preamble string, err error) {
	sub := make(map[string]string, len(t.Variables))
	for _, v := range t.Variables {
		if val, ok := values[v.Name]; ok {
			sub[v.Name] = val
		}
	}
	text, err := clause.Fill(t.Preamble, t.Variables, sub)
	if err != nil {
		return "", "", err
	}
	text = clause.CanonicalBody(text)
	if first, rest, _ := strings.Cut(text, "\n"); strings.HasPrefix(first, "# ") {
		return strings.TrimSpace(strings.TrimPrefix(first, "# ")), clause.CanonicalBody(rest), nil
	}
	return "", text, nil
}

// Assemble builds revision 1 of an MOU from template t: each section takes
// the latest library version of its clause (lib, keyed by slug) filled with
// values; a section with no clause starts empty for the drafter to write.
// values must already include party defaults (see PartyDefaults). An empty
// title takes the template preamble's title line. The signature block starts
// as the template's (BlockFromTemplate), stored with the revision from then
// on.
func Assemble(t *Template, lib map[string]LibraryClause, title string, values map[string]string) (*Content, error) {
	resolved, err := ResolveValues(Variables(t, lib), values)
	if err != nil {
		return nil, err
	}
	defTitle, preamble, err := FillPreamble(t, resolved)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(title) == "" {
		title = defTitle
	}
	if err := checkTitle(title); err != nil {
		return nil, err
	}
	c := &Content{Title: oneLine(title), Preamble: preamble, Variables: resolved, Sections: make([]Section, 0, len(t.Sections))}
	for _, ts := range t.Sections {
		s := Section{Key: ts.Key, Heading: ts.Heading}
		if ts.Clause != "" {
			lc, ok := lib[ts.Clause]
			if !ok {
				return nil, fmt.Errorf("assemble section %s: clause %s not loaded", ts.Key, ts.Clause)
			}
			body, err := FillClause(lc.Clause, resolved)
			if err != nil {
				return nil, err
			}
			s.Body, s.Clause, s.ClauseVersion = body, ts.Clause, lc.Version
		}
		c.Sections = append(c.Sections, s)
	}
	c.Signatures = BlockFromTemplate(t)
	if c.Obligations, err = AssembleObligations(t, lib, resolved); err != nil {
		return nil, err
	}
	return c, nil
}

// Refs lists the distinct library clause versions the sections came from.
func Refs(sections []Section) []ClauseRef {
	seen := map[ClauseRef]bool{}
	var out []ClauseRef
	for _, s := range sections {
		r := ClauseRef{s.Clause, s.ClauseVersion}
		if s.Clause != "" && !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	return out
}

// MarkDeviations sets Deviation on every section whose body differs from
// its library clause version filled with values. lib must hold every ref
// of Refs(sections); a clause that can no longer be filled (a variable has
// no value) counts as deviating.
func MarkDeviations(sections []Section, lib map[ClauseRef]*clause.Clause, values map[string]string) {
	for i := range sections {
		s := &sections[i]
		s.Deviation = false
		if s.Clause == "" {
			continue
		}
		c, ok := lib[ClauseRef{s.Clause, s.ClauseVersion}]
		if !ok {
			s.Deviation = true
			continue
		}
		text, err := FillClause(c, values)
		s.Deviation = err != nil || text != clause.CanonicalBody(s.Body)
	}
}

// Revalue gives c new variable values: given keys replace the old values (a
// blank value clears one, so its default applies). Sections and preamble
// whose text still equals the library text under the old values are filled
// again with the new ones; text the drafter changed is kept as written, and
// the deviation view shows where it now differs. lib must hold every ref of
// Refs(c.Sections).
func Revalue(c *Content, t *Template, lib map[ClauseRef]*clause.Clause, given map[string]string) error {
	seen := map[string]bool{}
	var vars []clause.Variable
	add := func(vs []clause.Variable) {
		for _, v := range vs {
			if !seen[v.Name] {
				seen[v.Name] = true
				vars = append(vars, v)
			}
		}
	}
	add(t.Variables)
	for _, s := range c.Sections {
		if cl, ok := lib[ClauseRef{s.Clause, s.ClauseVersion}]; ok && s.Clause != "" {
			add(cl.Variables)
		}
	}
	merged := make(map[string]string, len(c.Variables)+len(given))
	for k, v := range c.Variables {
		merged[k] = v
	}
	for k, v := range given {
		if strings.TrimSpace(v) == "" {
			delete(merged, k)
		} else {
			merged[k] = v
		}
	}
	for k := range merged {
		if !seen[k] {
			if _, isNew := given[k]; !isNew {
				delete(merged, k) // an old value for a section since removed
			}
		}
	}
	resolved, err := ResolveValues(vars, merged)
	if err != nil {
		return err
	}
	old := append([]Section(nil), c.Sections...)
	MarkDeviations(old, lib, c.Variables)
	for i, s := range old {
		if s.Clause == "" || s.Deviation {
			continue
		}
		body, err := FillClause(lib[ClauseRef{s.Clause, s.ClauseVersion}], resolved)
		if err != nil {
			return err
		}
		c.Sections[i].Body = body
	}
	if _, oldPre, err := FillPreamble(t, c.Variables); err == nil && oldPre == clause.CanonicalBody(c.Preamble) {
		_, pre, err := FillPreamble(t, resolved)
		if err != nil {
			return err
		}
		c.Preamble = pre
	}
	c.Variables = resolved
	return nil
}
