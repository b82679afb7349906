package clause

import (
	"fmt"
	"strings"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/obligation"
)

// Obligation is a duty a clause creates, as its front matter declares it:
//
//	obligations:
//	  - key: citation-data
//	    who: city                       # the party role that owes it
//	    what: Citations and arrests of students by school, month and group
//	    every: "{{reporting_interval}}" # monthly, quarterly, semiannually, annually, once
//	    by: 30 days                     # after each period ends; or a date for "once"
//	    evidence: dataset               # dataset, document or meeting
//	    dataset: citations              # the schema, for a dataset
//
// Every, By and What may use the clause's variables; assembling an MOU
// fills them (mou.AssembleObligations).
type Obligation struct {
	Key      string `yaml:"key" json:"key"`
	Who      string `yaml:"who" json:"who"`
	What     string `yaml:"what" json:"what"`
	Every    string `yaml:"every" json:"every"`
	By       string `yaml:"by" json:"by"`
	Evidence string `yaml:"evidence" json:"evidence"`
	Dataset  string `yaml:"dataset,omitempty" json:"dataset,omitempty"`
}

// MaxObligations bounds a clause's declared duties.
const MaxObligations = 20

// validateObligations checks a clause's declared duties: unique slug keys,
// a party role, a one-line what, an interval and due rule that are valid
// or use only declared variables, and a known evidence kind (a dataset
// names its schema; whether that schema exists is checked when an MOU is
// assembled, against the schemas the server ships).
func validateObligations(obs []Obligation, vars []Variable) error {
	if len(obs) > MaxObligations {
		return errorf(CodeInvalidField, "obligations", "a clause may declare at most %d obligations", MaxObligations)
	}
	seen := map[string]bool{}
	for i, o := range obs {
		field := fmt.Sprintf("obligations[%d]", i)
		if !ValidSlug(o.Key) || seen[o.Key] {
			return errorf(CodeInvalidField, field+".key", "key %q must be a slug not used by another obligation of the clause", truncate(o.Key))
		}
		seen[o.Key] = true
		if !moudesk.ValidRole(o.Who) {
			return errorf(CodeInvalidField, field+".who", "who must name a party role such as city or district")
		}
		if strings.TrimSpace(o.What) == "" || len(o.What) > 300 || strings.ContainsAny(o.What, "\r\n") {
			return errorf(CodeInvalidField, field+".what", "what must be one line of at most 300 bytes")
		}
		for _, f := range []struct{ name, value string }{{"what", o.What}, {"every", o.Every}, {"by", o.By}} {
			if err := CheckPlaceholders(f.value, vars); err != nil {
				if ce, ok := err.(*Error); ok {
					ce.Field = field + "." + f.name
					return ce
				}
				return err
			}
		}
		if len(Placeholders(o.Every)) == 0 && !obligation.ValidInterval(o.Every) {
			return errorf(CodeInvalidField, field+".every", "every %q is not one of %s", truncate(o.Every), strings.Join(obligation.Intervals, ", "))
		}
		if len(Placeholders(o.By)) == 0 {
			if _, err := obligation.ParseBy(o.By); err != nil {
				return errorf(CodeInvalidField, field+".by", "by: %s", err.Error())
			}
		}
		if !obligation.ValidEvidence(o.Evidence) {
			return errorf(CodeInvalidField, field+".evidence", "evidence %q is not one of dataset, document, meeting", truncate(o.Evidence))
		}
		if (o.Evidence == obligation.EvidenceDataset) != (o.Dataset != "") {
			return errorf(CodeInvalidField, field+".dataset", "a dataset obligation names its schema in dataset, and only a dataset obligation does")
		}
	}
	return nil
}
