package clause_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/moudesk/moudesk/clauses"
	"github.com/moudesk/moudesk/internal/clause"
)

// The shipped library is part of the product: these tests keep it loadable,
// complete and internally consistent.

func loadLibrary(t *testing.T) []*clause.Clause {
	t.Helper()
	cs, err := clause.LoadFS(clauses.FS)
	if err != nil {
		t.Fatalf("LoadFS(clauses.FS): %v", err)
	}
	return cs
}

func TestLibraryLoads(t *testing.T) {
	cs := loadLibrary(t)
	if len(cs) < 18 {
		t.Fatalf("library has %d clauses; want at least 18", len(cs))
	}
	for i := 1; i < len(cs); i++ {
		if cs[i-1].Slug >= cs[i].Slug {
			t.Errorf("not sorted by slug: %q before %q", cs[i-1].Slug, cs[i].Slug)
		}
	}
}

func TestLibraryHasRequiredClauses(t *testing.T) {
	bySlug := map[string]*clause.Clause{}
	for _, c := range loadLibrary(t) {
		bySlug[c.Slug] = c
	}
	for _, slug := range []string{
		"purpose-and-recitals", "term", "school-year-dates", "sro-duties",
		"school-discipline-limits", "student-records-access", "information-sharing",
		"de-escalation", "use-of-force", "questioning-and-searches", "training",
		"complaints", "data-and-reporting", "selection-and-evaluation", "supervision",
		"vacation-coverage", "teacher-work-days", "funding",
		"indemnification-and-insurance", "termination-and-renewal", "notices", "advisory-team",
	} {
		if bySlug[slug] == nil {
			t.Errorf("clause %q is missing", slug)
		}
	}
	if c := bySlug["de-escalation"]; c != nil && !strings.Contains(c.Title, "De-escalation") {
		t.Errorf("de-escalation title = %q", c.Title)
	}
}

var wordRE = regexp.MustCompile(`[\p{L}\p{N}][\p{L}\p{N}’'\-]*`)

func TestLibraryBodiesAreSubstantive(t *testing.T) {
	for _, c := range loadLibrary(t) {
		n := len(wordRE.FindAllString(c.Body, -1))
		if n < 80 || n > 300 {
			t.Errorf("%s: body has %d words; want 80–300", c.Slug, n)
		}
		if strings.TrimSpace(c.Summary) == "" {
			t.Errorf("%s: no summary", c.Slug)
		}
	}
}

// TestLibraryVariablesAgree makes sure a variable name means the same thing
// in every clause, because an MOU collects its clauses' variables into one
// form and a name can take only one value.
func TestLibraryVariablesAgree(t *testing.T) {
	first := map[string]clause.Variable{}
	where := map[string]string{}
	for _, c := range loadLibrary(t) {
		for _, v := range c.Variables {
			if p, ok := first[v.Name]; ok {
				if p.Type != v.Type || p.Label != v.Label || p.Default != v.Default || p.Required != v.Required {
					t.Errorf("variable %q differs between %s (%+v) and %s (%+v)", v.Name, where[v.Name], p, c.Slug, v)
				}
				continue
			}
			first[v.Name], where[v.Name] = v, c.Slug
		}
	}
}

// TestDeEscalationIsTheClauseAboutDeEscalation checks that the word is most
// frequent in the de-escalation clause, so full-text search ranks it first.
func TestDeEscalationIsTheClauseAboutDeEscalation(t *testing.T) {
	best, bestN := "", 0
	counts := map[string]int{}
	for _, c := range loadLibrary(t) {
		n := strings.Count(strings.ToLower(c.Title+" "+c.Body), "de-escalation")
		counts[c.Slug] = n
		if n > bestN {
			best, bestN = c.Slug, n
		}
	}
	if best != "de-escalation" {
		t.Errorf("most mentions of de-escalation in %q (%d); counts %v", best, bestN, counts)
	}
	for slug, n := range counts {
		if slug != "de-escalation" && n*3 > bestN {
			t.Errorf("%s mentions de-escalation %d times, close to the de-escalation clause's %d", slug, n, bestN)
		}
	}
}

func TestLibraryFillsWithDefaults(t *testing.T) {
	for _, c := range loadLibrary(t) {
		values := map[string]string{}
		for _, v := range c.Variables {
			if v.Default != "" {
				continue
			}
			switch v.Type {
			case clause.TypeDate:
				values[v.Name] = "2025-08-20"
			case clause.TypeMoney:
				values[v.Name] = "417000"
			case clause.TypeInteger:
				values[v.Name] = "2"
			case clause.TypePercent:
				values[v.Name] = "50"
			default:
				values[v.Name] = "Sample " + v.Label
			}
		}
		out, err := clause.Fill(c.Body, c.Variables, values)
		if err != nil {
			t.Errorf("%s: Fill: %v", c.Slug, err)
			continue
		}
		if strings.Contains(out, "{{") {
			t.Errorf("%s: unfilled placeholder in %q", c.Slug, out)
		}
	}
}
