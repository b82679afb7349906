// Package clause is moudesk's clause library: a clause is a reusable piece of
// contract Markdown with YAML front matter declaring its slug, title,
// category, a summary for drafters and the variables its body uses as
// {{name}} placeholders. The package parses, validates and fills clauses; it
// knows nothing of storage or HTTP.
package clause

import (
	"strings"
)

// Clause is one parsed clause file.
type Clause struct {
	Slug      string     `yaml:"slug" json:"slug"`
	Title     string     `yaml:"title" json:"title"`
	Category  string     `yaml:"category" json:"category"`
	Summary   string     `yaml:"summary" json:"summary"`
	Variables []Variable `yaml:"variables" json:"variables"`
	// Obligations are the duties the clause creates once an MOU is
	// executed (see Obligation); most clauses create none.
	Obligations []Obligation `yaml:"obligations,omitempty" json:"obligations,omitempty"`
	Body        string       `yaml:"-" json:"body"`
}

// Parse reads a clause document: front matter between "---" lines, decoded
// strictly (unknown or duplicate keys are errors), then the Markdown body in
// canonical form (see CanonicalBody). Parse checks syntax only; call Validate
// for the library's rules.
func Parse(data []byte) (*Clause, error) {
	front, body, err := SplitFrontMatter(data)
	if err != nil {
		return nil, err
	}
	var c Clause
	if err := DecodeFrontMatter(front, &c); err != nil {
		return nil, err
	}
	c.Body = body
	return &c, nil
}

var slugRE = lazyRegexp(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)

// MaxSlugLen bounds slugs, which appear in URLs and file names.
const MaxSlugLen = 64

// ValidSlug reports whether s is a slug: lowercase letters and digits in
// words joined by single hyphens, at most MaxSlugLen bytes.
func ValidSlug(s string) bool {
	return len(s) <= MaxSlugLen && slugRE().MatchString(s)
}

// Validate checks the rules every library clause obeys: a valid slug, a
// title and category on one line, well-formed unique variables with valid
// defaults, a non-empty body without a top-level heading (the MOU supplies
// the section heading), and every {{placeholder}} declared.
func (c *Clause) Validate() error {
	if !ValidSlug(c.Slug) {
		return errorf(CodeInvalidSlug, "slug", "slug %q must be lowercase letters and digits joined by single hyphens (at most %d characters)", truncate(c.Slug), MaxSlugLen)
	}
	for _, f := range []struct{ name, value string }{
		{"title", c.Title}, {"category", c.Category},
	} {
		if strings.TrimSpace(f.value) == "" {
			return errorf(CodeInvalidField, f.name, "%s is required", f.name)
		}
		if strings.ContainsAny(f.value, "\n\r") || len(f.value) > 200 {
			return errorf(CodeInvalidField, f.name, "%s must be one line of at most 200 bytes", f.name)
		}
	}
	if len(c.Summary) > 1000 {
		return errorf(CodeInvalidField, "summary", "summary must be at most 1000 bytes")
	}
	if err := ValidateVariables(c.Variables); err != nil {
		return err
	}
	if err := validateObligations(c.Obligations, c.Variables); err != nil {
		return err
	}
	return ValidateBody(c.Body, c.Variables)
}

// ValidateBody checks a clause or template body against its declarations:
// no "# " top-level heading, no malformed "{{", and no undeclared
// placeholder. An empty body is an error.
func ValidateBody(body string, vars []Variable) error {
	if strings.TrimSpace(body) == "" {
		return errorf(CodeInvalidBody, "body", "body is empty")
	}
	for i, line := range strings.Split(body, "\n") {
		if strings.HasPrefix(strings.TrimLeft(line, " "), "# ") || strings.TrimSpace(line) == "#" {
			return errorf(CodeInvalidBody, "body", "line %d is a top-level heading; the MOU supplies the section heading, so use ## or lower", i+1)
		}
	}
	return CheckPlaceholders(body, vars)
}
