package mou

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/moudesk/moudesk/internal/clause"
	"github.com/moudesk/moudesk/internal/obligation"
	"github.com/moudesk/moudesk/internal/redline"
)

// Obligation is one duty of an MOU revision, reviewed and approved with
// its text: Party is the template role that owes it, What says what, Every
// how often (obligation.Intervals), By when each period's evidence is due
// ("30 days" after the period, or a date for a one-time duty), Evidence
// what kind (dataset, document, meeting), Dataset the schema of a dataset.
// Section is the key of the section whose clause declared it, empty for a
// duty the drafter added.
type Obligation struct {
	Key      string `json:"key"`
	Party    string `json:"party"`
	What     string `json:"what"`
	Every    string `json:"every"`
	By       string `json:"by"`
	Evidence string `json:"evidence"`
	Dataset  string `json:"dataset,omitempty"`
	Section  string `json:"section,omitempty"`
}

// MaxObligations bounds a revision's duties.
const MaxObligations = 100

// AssembleObligations turns the duties t's clauses declare into the MOU's,
// variables filled from values (resolved: ResolveValues), each owed by the
// template role it names or by every role that acts as it (ActsAs). A key
// taken by an earlier duty, or owed by a second role, gets the section key
// or role appended, so keys stay unique within the MOU.
func AssembleObligations(t *Template, lib map[string]LibraryClause, values map[string]string) ([]Obligation, error) {
	var out []Obligation
	used := map[string]bool{}
	for _, ts := range t.Sections {
		lc, ok := lib[ts.Clause]
		if ts.Clause == "" || !ok {
			continue
		}
		for _, d := range lc.Clause.Obligations {
			fill := func(s string) string { return fillRaw(s, values) }
			o := Obligation{Key: d.Key, What: fill(d.What), Every: fill(d.Every), By: fill(d.By),
				Evidence: d.Evidence, Dataset: d.Dataset, Section: ts.Key}
			for _, p := range t.Parties {
				if p.Role != d.Who && p.ActsAs != d.Who {
					continue
				}
				oo := o
				oo.Party = p.Role
				if p.Role != d.Who {
					oo.Key += "-" + strings.ReplaceAll(p.Role, "_", "-")
				}
				if used[oo.Key] {
					oo.Key += "-" + ts.Key
				}
				used[oo.Key] = true
				out = append(out, oo)
			}
		}
	}
	return out, nil
}

// fillRaw replaces {{name}} with the resolved value as it is: an
// obligation's fields are data, not Markdown, so nothing is escaped.
func fillRaw(s string, values map[string]string) string {
	return clause.ReplacePlaceholders(s, func(name string) string { return values[name] })
}

// CheckObligations validates a revision's duties against the MOU's party
// roles and the dataset schemas the server knows, and puts them in
// canonical form in place (texts trimmed). Errors are 422 naming
// obligations[i].<field>.
func CheckObligations(obs []Obligation, roles []string, datasets func(string) bool) error {
	if len(obs) > MaxObligations {
		return unprocessable("too_many_obligations", "obligations", "an MOU may have at most %d obligations", MaxObligations)
	}
	known := map[string]bool{}
	for _, r := range roles {
		known[r] = true
	}
	seen := map[string]int{}
	for i := range obs {
		o := &obs[i]
		field := fmt.Sprintf("obligations[%d]", i)
		if !clause.ValidSlug(o.Key) {
			return unprocessable("invalid_key", field+".key", "key %q must be a lowercase slug", clip(o.Key))
		}
		if j, dup := seen[o.Key]; dup {
			return unprocessable("duplicate_obligation", field+".key", "obligation %d repeats the key of obligation %d", i+1, j+1)
		}
		seen[o.Key] = i
		if !known[o.Party] {
			return unprocessable("unknown_party", field+".party", "party %q is not a party of this MOU (%s)", clip(o.Party), strings.Join(roles, ", "))
		}
		var err error
		if o.What, err = blockText(field+".what", o.What, true); err != nil {
			return err
		}
		o.Every, o.By = strings.TrimSpace(o.Every), strings.TrimSpace(o.By)
		if !obligation.ValidInterval(o.Every) {
			return unprocessable("invalid_interval", field+".every", "every %q is not one of %s", clip(o.Every), strings.Join(obligation.Intervals, ", "))
		}
		by, err := obligation.ParseBy(o.By)
		if err != nil {
			return unprocessable("invalid_due", field+".by", "by: %s", err.Error())
		}
		if !by.Date.IsZero() && o.Every != obligation.Once {
			return unprocessable("invalid_due", field+".by", "a fixed date fits only a one-time duty (every: once); write \"N days\" after each period")
		}
		if !obligation.ValidEvidence(o.Evidence) {
			return unprocessable("invalid_evidence", field+".evidence", "evidence %q is not one of dataset, document, meeting", clip(o.Evidence))
		}
		switch {
		case o.Evidence == obligation.EvidenceDataset && !datasets(o.Dataset):
			return unprocessable("unknown_dataset", field+".dataset", "there is no dataset schema %q", clip(o.Dataset))
		case o.Evidence != obligation.EvidenceDataset && o.Dataset != "":
			return unprocessable("invalid_dataset", field+".dataset", "only a dataset obligation names a dataset schema")
		}
		if o.Section != "" && !clause.ValidSlug(o.Section) {
			return unprocessable("invalid_key", field+".section", "section %q must be a section key", clip(o.Section))
		}
	}
	return nil
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}

// ObligationsKey is the redline key of the obligations list; like
// SignaturesKey it is no slug, so no section key can be it.
const ObligationsKey = "obligation_list"

// ObligationsMarkdown is the canonical Markdown of a revision's duties,
// appended after the signature block (empty for none, so revisions stored
// before obligations keep their content hashes):
//
//	"## Obligations\n\n"
//	for each duty i (1-based):
//	  i + ". " + key + " for " + party + ", " + every + ", by " + by + "\n"
//	  "   What: " + what + "\n"
//	  "   Evidence: " + evidence [+ " " + dataset] + "\n"
//	  "   Section: " + section + "\n"   — omitted for a drafter's own duty
//	"\n"
func ObligationsMarkdown(obs []Obligation) string {
	if len(obs) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("## Obligations\n\n")
	for i, o := range obs {
		b.WriteString(strconv.Itoa(i + 1))
		b.WriteString(". " + oneLine(o.Key) + " for " + oneLine(o.Party) + ", " + oneLine(o.Every) + ", by " + oneLine(o.By) + "\n")
		b.WriteString("   What: " + oneLine(o.What) + "\n")
		b.WriteString("   Evidence: " + oneLine(o.Evidence))
		if o.Dataset != "" {
			b.WriteString(" " + oneLine(o.Dataset))
		}
		b.WriteString("\n")
		if o.Section != "" {
			b.WriteString("   Section: " + oneLine(o.Section) + "\n")
		}
	}
	b.WriteString("\n")
	return b.String()
}

func obligationsPart(obs []Obligation) (redline.Section, bool) {
	text := ObligationsMarkdown(obs)
	if text == "" {
		return redline.Section{}, false
	}
	return redline.Section{Key: ObligationsKey, Heading: "Obligations", Text: text}, true
}

// RevalueObligations gives the duties the library declared their values
// under new variable values, as Revalue does the text: a duty still equal
// to its clause's declaration filled with the old values is filled again
// with the new ones; a duty the drafter changed or added is kept as
// written. lib must hold every ref of Refs(sections).
func RevalueObligations(obs []Obligation, t *Template, sections []Section, lib map[ClauseRef]*clause.Clause, old, values map[string]string) []Obligation {
	if len(obs) == 0 {
		return obs
	}
	bySlug := map[string]LibraryClause{}
	for _, s := range sections {
		if c, ok := lib[ClauseRef{s.Clause, s.ClauseVersion}]; ok && s.Clause != "" {
			bySlug[s.Clause] = LibraryClause{Clause: c, Version: s.ClauseVersion}
		}
	}
	before, err1 := AssembleObligations(t, bySlug, old)
	after, err2 := AssembleObligations(t, bySlug, values)
	if err1 != nil || err2 != nil {
		return obs
	}
	was, now := map[string]Obligation{}, map[string]Obligation{}
	for _, o := range before {
		was[o.Key] = o
	}
	for _, o := range after {
		now[o.Key] = o
	}
	out := make([]Obligation, len(obs))
	for i, o := range obs {
		out[i] = o
		if w, ok := was[o.Key]; ok && w == o {
			if n, ok := now[o.Key]; ok {
				out[i] = n
			}
		}
	}
	return out
}

// ScheduleMarkdown is the revision's duties as the PDF prints them, after
// the text and before the signatures: a "Schedule of Obligations" table,
// so that what the parties sign shows every duty its hash covers. Party
// roles print as labels gives them ("City"), else as the role. Empty for
// none.
func ScheduleMarkdown(obs []Obligation, labels map[string]string) string {
	if len(obs) == 0 {
		return ""
	}
	cell := func(s string) string {
		return strings.NewReplacer("|", `\|`, "\\", `\\`, "<", `\<`, "*", `\*`, "_", `\_`, "`", "\\`", "[", `\[`).Replace(oneLine(s))
	}
	var b strings.Builder
	b.WriteString("## Schedule of Obligations\n\n")
	b.WriteString("| Duty | Owed by | What | How often | Due | Evidence |\n|---|---|---|---|---|---|\n")
	for _, o := range obs {
		who := labels[o.Party]
		if who == "" {
			who = o.Party
		}
		due := o.By
		if by, err := obligation.ParseBy(o.By); err == nil && by.Date.IsZero() {
			due = o.By + " after each period"
			if o.Every == obligation.Once {
				due = o.By + " after the effective date"
			}
		}
		ev := o.Evidence
		if o.Dataset != "" {
			ev += " (" + o.Dataset + ")"
		}
		b.WriteString("| " + cell(o.Key) + " | " + cell(who) + " | " + cell(o.What) + " | " + cell(o.Every) + " | " + cell(due) + " | " + cell(ev) + " |\n")
	}
	return b.String()
}
