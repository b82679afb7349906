package clause

import (
	"errors"
	"strings"
	"testing"
)

const goodClause = `---
slug: vacation-coverage
title: Vacation and Absence Coverage
category: Staffing
summary: Who covers a school when its officer is away.
variables:
  - name: notice_days
    type: integer
    label: Days of notice
    default: "14"
  - name: city_name
    type: party
    label: City
    required: false
---

1. The {{city_name}} gives {{ notice_days }} days' notice.
`

// wantCode fails the test unless err is a *Error with the given code.
func wantCode(t *testing.T, err error, code string) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error = %v (%T); want *clause.Error with code %q", err, err, code)
	}
	if e.Code != code {
		t.Fatalf("code = %q (%v); want %q", e.Code, e, code)
	}
	return e
}

func TestParse(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		c, err := Parse([]byte(goodClause))
		if err != nil {
			t.Fatal(err)
		}
		if c.Slug != "vacation-coverage" || c.Title != "Vacation and Absence Coverage" || c.Category != "Staffing" {
			t.Errorf("fields = %+v", c)
		}
		if len(c.Variables) != 2 || !c.Variables[0].Required || c.Variables[1].Required {
			t.Errorf("required flags wrong: %+v", c.Variables)
		}
		if c.Variables[0].Default != "14" {
			t.Errorf("default = %q", c.Variables[0].Default)
		}
		if want := "1. The {{city_name}} gives {{ notice_days }} days' notice.\n"; c.Body != want {
			t.Errorf("body = %q; want %q", c.Body, want)
		}
		if err := c.Validate(); err != nil {
			t.Errorf("Validate: %v", err)
		}
	})
	t.Run("CRLFAndBOM", func(t *testing.T) {
		in := "\uFEFF" + strings.ReplaceAll(goodClause, "\n", "\r\n")
		c, err := Parse([]byte(in))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(c.Body, "\r") || !strings.HasSuffix(c.Body, "notice.\n") {
			t.Errorf("body not normalised: %q", c.Body)
		}
	})
	t.Run("UnquotedIntegerDefault", func(t *testing.T) {
		in := strings.Replace(goodClause, `default: "14"`, `default: 14`, 1)
		c, err := Parse([]byte(in))
		if err != nil {
			t.Fatal(err)
		}
		if c.Variables[0].Default != "14" {
			t.Errorf("default = %q", c.Variables[0].Default)
		}
	})
	bad := []struct {
		name, in, code string
	}{
		{"ErrNoFrontMatter", "just text\n", CodeInvalidFrontMatter},
		{"ErrUnclosed", "---\nslug: a\ntitle: b\n", CodeInvalidFrontMatter},
		{"ErrEmptyFrontMatter", "---\n---\nbody\n", CodeInvalidFrontMatter},
		{"ErrUnknownField", strings.Replace(goodClause, "category:", "categroy:", 1), CodeInvalidFrontMatter},
		{"ErrUnknownVariableField", strings.Replace(goodClause, "required: false", "requird: false", 1), CodeInvalidFrontMatter},
		{"ErrDuplicateKey", strings.Replace(goodClause, "category: Staffing", "category: Staffing\ncategory: Again", 1), CodeInvalidFrontMatter},
		{"ErrYAMLSyntax", "---\nslug: [unclosed\n---\nbody\n", CodeInvalidFrontMatter},
		{"ErrWrongShape", "---\n- a\n- b\n---\nbody\n", CodeInvalidFrontMatter},
		{"ErrInvalidUTF8", "---\nslug: a\xff\n---\nbody\n", CodeInvalidEncoding},
		{"ErrNUL", "---\nslug: a\n---\nbo\x00dy\n", CodeInvalidEncoding},
		{"ErrTooLarge", "---\nslug: a\n---\n" + strings.Repeat("x", MaxDocumentSize), CodeTooLarge},
		{"ErrAnchorBomb", "---\na: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n---\nbody\n", CodeInvalidFrontMatter},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.in))
			wantCode(t, err, tc.code)
		})
	}
}

func TestValidate(t *testing.T) {
	base := func() *Clause {
		c, err := Parse([]byte(goodClause))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	cases := []struct {
		name   string
		change func(c *Clause)
		code   string
		field  string
	}{
		{"ErrSlugUpper", func(c *Clause) { c.Slug = "Vacation" }, CodeInvalidSlug, "slug"},
		{"ErrSlugDoubleHyphen", func(c *Clause) { c.Slug = "a--b" }, CodeInvalidSlug, "slug"},
		{"ErrSlugTrailingHyphen", func(c *Clause) { c.Slug = "a-" }, CodeInvalidSlug, "slug"},
		{"ErrSlugPath", func(c *Clause) { c.Slug = "../etc" }, CodeInvalidSlug, "slug"},
		{"ErrNoTitle", func(c *Clause) { c.Title = "  " }, CodeInvalidField, "title"},
		{"ErrNoCategory", func(c *Clause) { c.Category = "" }, CodeInvalidField, "category"},
		{"ErrMultilineTitle", func(c *Clause) { c.Title = "a\nb" }, CodeInvalidField, "title"},
		{"ErrBadVarName", func(c *Clause) { c.Variables[0].Name = "Notice" }, CodeInvalidVariable, "variables[0].name"},
		{"ErrBadVarType", func(c *Clause) { c.Variables[0].Type = "number" }, CodeInvalidVariable, "variables.notice_days.type"},
		{"ErrNoLabel", func(c *Clause) { c.Variables[0].Label = "" }, CodeInvalidVariable, "variables.notice_days.label"},
		{"ErrDuplicateVar", func(c *Clause) { c.Variables[1].Name = "notice_days" }, CodeDuplicateVariable, "variables.notice_days"},
		{"ErrBadDefault", func(c *Clause) { c.Variables[0].Default = "fourteen" }, CodeInvalidVariable, "variables.notice_days.default"},
		{"ErrUndeclared", func(c *Clause) { c.Body += "Paid by {{district_name}}.\n" }, CodeUndeclaredVariable, "variables.district_name"},
		{"ErrMalformedPlaceholder", func(c *Clause) { c.Body += "{{City Name}}\n" }, CodeInvalidPlaceholder, "body"},
		{"ErrUnclosedPlaceholder", func(c *Clause) { c.Body += "{{city_name\n" }, CodeInvalidPlaceholder, "body"},
		{"ErrTopHeading", func(c *Clause) { c.Body = "# Vacation\n\n" + c.Body }, CodeInvalidBody, "body"},
		{"ErrEmptyBody", func(c *Clause) { c.Body = "\n" }, CodeInvalidBody, "body"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := base()
			tc.change(c)
			e := wantCode(t, c.Validate(), tc.code)
			if e.Field != tc.field {
				t.Errorf("field = %q; want %q", e.Field, tc.field)
			}
		})
	}
	t.Run("OKSubheading", func(t *testing.T) {
		c := base()
		c.Body = "## Coverage\n\n" + c.Body
		if err := c.Validate(); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("UndeclaredNamesVariable", func(t *testing.T) {
		c := base()
		c.Body += "{{school_year_start}}\n"
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "school_year_start") {
			t.Fatalf("error %v does not name the variable", err)
		}
	})
}

func TestValidSlug(t *testing.T) {
	for s, want := range map[string]bool{
		"de-escalation": true, "school-year-dates": true, "a1": true, "2024-terms": true,
		"": false, "-a": false, "a_b": false, "A": false, "a b": false, "é": false,
		strings.Repeat("a", MaxSlugLen): true, strings.Repeat("a", MaxSlugLen+1): false,
	} {
		if got := ValidSlug(s); got != want {
			t.Errorf("ValidSlug(%q) = %v; want %v", s, got, want)
		}
	}
}

func TestPlaceholders(t *testing.T) {
	got := Placeholders("{{b}} and {{ a }} then {{b}}, {{Bad}} and {{c_1}}")
	want := []string{"b", "a", "c_1"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("Placeholders = %v; want %v", got, want)
	}
	if got := Placeholders("no placeholders"); len(got) != 0 {
		t.Errorf("Placeholders = %v; want none", got)
	}
}
