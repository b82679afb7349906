package mou

import (
	"errors"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/moudesk/moudesk/internal/clause"
)

func shippedClauses(t *testing.T) map[string]*clause.Clause {
	t.Helper()
	cs, err := clause.LoadFS(os.DirFS("../../clauses"))
	if err != nil {
		t.Fatal(err)
	}
	m := make(map[string]*clause.Clause, len(cs))
	for _, c := range cs {
		m[c.Slug] = c
	}
	return m
}

func shippedTemplates(t *testing.T) (map[string]*Template, map[string]*clause.Clause) {
	t.Helper()
	lib := shippedClauses(t)
	ts, err := LoadTemplates(os.DirFS("../../templates/mou"), func(s string) bool { return lib[s] != nil })
	if err != nil {
		t.Fatal(err)
	}
	return ts, lib
}

func TestLoadShippedTemplates(t *testing.T) {
	ts, lib := shippedTemplates(t)
	for _, slug := range []string{"sro-mou", "amendment"} {
		if ts[slug] == nil {
			t.Fatalf("template %q not loaded; have %v", slug, ts)
		}
	}
	sro := ts["sro-mou"]
	if len(sro.Parties) != 2 || sro.Parties[0].Role != "city" || sro.Parties[1].Role != "district" {
		t.Errorf("parties = %+v", sro.Parties)
	}
	wantSections := []string{"student-records-access", "de-escalation", "vacation-coverage", "school-year-dates", "complaints", "advisory-team"}
	used := map[string]bool{}
	for _, s := range sro.Sections {
		used[s.Clause] = true
	}
	for _, w := range wantSections {
		if !used[w] {
			t.Errorf("sro-mou does not use clause %q", w)
		}
	}
	titles := map[string]bool{}
	for _, s := range sro.Signatures {
		titles[s.Title] = true
	}
	for _, w := range []string{"City Manager", "Chief of Police", "Superintendent", "President, Board of Trustees"} {
		if !titles[w] {
			t.Errorf("sro-mou signature block lacks %q", w)
		}
	}
	if got := sro.SignatureOrders(); len(got) != 2 || got[0] != 1 || got[1] != 2 {
		t.Errorf("SignatureOrders = %v", got)
	}
	if !strings.HasPrefix(sro.Preamble, "# ") || !strings.Contains(sro.Preamble, "WHEREAS") || !strings.Contains(sro.Preamble, "NOW, THEREFORE") {
		t.Errorf("preamble lacks title, recitals or NOW, THEREFORE: %q", sro.Preamble)
	}
	if am := ts["amendment"]; !strings.Contains(am.Preamble, "Amendment No. {{amendment_number}}") {
		t.Errorf("amendment preamble = %q", am.Preamble)
	}

	// A variable name means one thing across the template and its clauses,
	// since an MOU asks for each name once.
	for _, tpl := range ts {
		for _, tv := range tpl.Variables {
			for _, s := range tpl.Sections {
				c := lib[s.Clause]
				if c == nil {
					continue
				}
				for _, cv := range c.Variables {
					if cv.Name == tv.Name && (cv.Type != tv.Type || cv.Label != tv.Label || cv.Default != tv.Default) {
						t.Errorf("%s: variable %q is %+v in the template but %+v in clause %s", tpl.Slug, tv.Name, tv, cv, c.Slug)
					}
				}
			}
		}
	}
}

func TestShippedPreamblesFill(t *testing.T) {
	ts, _ := shippedTemplates(t)
	values := map[string]map[string]string{
		"sro-mou":   {"city_name": "City of Pleasanton", "district_name": "Pleasanton Unified School District", "effective_date": "2021-11-16"},
		"amendment": {"city_name": "City of Pleasanton", "district_name": "Pleasanton Unified School District", "agreement_date": "2021-11-16", "amendment_effective_date": "2022-07-01", "amendment_number": "2"},
		"sro-mou-regional": WithPartyList(ts["sro-mou-regional"], map[string]string{
			"police_service": "Calgary Police Service", "district": "Calgary Board of Education", "district_2": "Calgary Catholic School District",
		}, map[string]string{"city_name": "City of Calgary", "police_service_name": "Calgary Police Service", "district_name": "Calgary Board of Education", "effective_date": "2022-09-01"}),
	}
	for slug, tpl := range ts {
		out, err := clause.Fill(tpl.Preamble, tpl.Variables, values[slug])
		if err != nil {
			t.Errorf("%s: %v", slug, err)
			continue
		}
		if strings.Contains(out, "{{") {
			t.Errorf("%s: unfilled placeholder: %q", slug, out)
		}
		if want := "by and between the Calgary Police Service, the Calgary Board of Education and the Calgary Catholic School District, each"; slug == "sro-mou-regional" && !strings.Contains(out, want) {
			t.Errorf("regional preamble lacks %q: %q", want, out)
		}
		if slug == "amendment" && !strings.HasPrefix(out, "# Amendment No. 2 to the") {
			t.Errorf("amendment title line = %q", strings.SplitN(out, "\n", 2)[0])
		}
	}
}

const minimalTemplate = `---
slug: mini
title: Mini
description: test
parties:
  - role: city
    label: City
  - role: district
    label: School District
variables:
  - name: city_name
    type: party
    label: City
sections:
  - key: duties
    heading: Duties
    clause: sro-duties
signatures:
  - party: city
    title: City Manager
    order: 1
  - party: district
    title: Superintendent
    order: 1
---

# Agreement with {{city_name}}
`

func TestParseTemplate(t *testing.T) {
	if _, err := ParseTemplate([]byte(minimalTemplate)); err != nil {
		t.Fatalf("minimal template: %v", err)
	}
	cases := []struct {
		name, from, to, code string
	}{
		{"ErrUnknownField", "description:", "descripton:", clause.CodeInvalidFrontMatter},
		{"ErrUnknownSectionField", "    clause: sro-duties", "    clause: sro-duties\n    klause: x", clause.CodeInvalidFrontMatter},
		{"ErrBadSlug", "slug: mini", "slug: Mini Template", clause.CodeInvalidSlug},
		{"ErrBadKey", "key: duties", "key: Duties!", clause.CodeInvalidSlug},
		{"ErrDuplicateKey", "    clause: sro-duties\n", "    clause: sro-duties\n  - key: duties\n    heading: Again\n", clause.CodeInvalidField},
		{"ErrBadClauseSlug", "clause: sro-duties", "clause: ../etc/passwd", clause.CodeInvalidSlug},
		{"ErrUndeclaredPreamble", "{{city_name}}", "{{district_name}}", clause.CodeUndeclaredVariable},
		{"ErrSignatureUnknownParty", "  - party: district", "  - party: county", clause.CodeInvalidField},
		{"ErrSignatureOrderZero", "order: 1\n---", "order: 0\n---", clause.CodeInvalidField},
		{"ErrPartyWithoutSignature", "  - party: district\n    title: Superintendent", "  - party: city\n    title: Superintendent", clause.CodeInvalidField},
		{"ErrDuplicateRole", "role: district", "role: city", clause.CodeInvalidField},
		{"ErrBadVariableType", "type: party", "type: person", clause.CodeInvalidVariable},
		{"ErrEmptyPreamble", "# Agreement with {{city_name}}\n", "", clause.CodeInvalidBody},
		{"ErrNoSections", "sections:\n  - key: duties\n    heading: Duties\n    clause: sro-duties\n", "sections: []\n", clause.CodeInvalidField},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := strings.Replace(minimalTemplate, tc.from, tc.to, 1)
			if in == minimalTemplate {
				t.Fatalf("test case did not change the template (%q not found)", tc.from)
			}
			_, err := ParseTemplate([]byte(in))
			var e *clause.Error
			if !errors.As(err, &e) || e.Code != tc.code {
				t.Fatalf("error = %v; want code %q", err, tc.code)
			}
		})
	}
}

func TestLoadTemplates(t *testing.T) {
	exists := func(s string) bool { return s == "sro-duties" }
	t.Run("OK", func(t *testing.T) {
		ts, err := LoadTemplates(fstest.MapFS{"mini.md": {Data: []byte(minimalTemplate)}}, exists)
		if err != nil || ts["mini"] == nil {
			t.Fatalf("LoadTemplates = %v, %v", ts, err)
		}
	})
	t.Run("ErrMissingClause", func(t *testing.T) {
		_, err := LoadTemplates(fstest.MapFS{"mini.md": {Data: []byte(minimalTemplate)}}, func(string) bool { return false })
		if err == nil || !strings.Contains(err.Error(), "mini.md") || !strings.Contains(err.Error(), "sro-duties") {
			t.Fatalf("error = %v; want one naming the file and the clause", err)
		}
	})
	t.Run("ErrFileNameMismatch", func(t *testing.T) {
		_, err := LoadTemplates(fstest.MapFS{"other.md": {Data: []byte(minimalTemplate)}}, exists)
		var e *clause.Error
		if !errors.As(err, &e) || e.Code != clause.CodeFileNameMismatch || !strings.Contains(err.Error(), "other.md") {
			t.Fatalf("error = %v", err)
		}
	})
}
