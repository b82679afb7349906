package mou

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/clause"
)

// Template is an MOU document outline: which parties sign, the variables its
// preamble uses, the ordered sections with the clause that fills each, and
// the signature block. Templates live as Markdown with YAML front matter in
// templates/mou; the Markdown after the front matter is the Preamble (title
// line, parties paragraph, recitals) and may use {{placeholders}}.
type Template struct {
	Slug        string            `yaml:"slug" json:"slug"`
	Title       string            `yaml:"title" json:"title"`
	Description string            `yaml:"description" json:"description"`
	Parties     []PartyRole       `yaml:"parties" json:"parties"`
	Variables   []clause.Variable `yaml:"variables" json:"variables"`
	Sections    []TemplateSection `yaml:"sections" json:"sections"`
	Signatures  []SignatureLine   `yaml:"signatures" json:"signatures"`
	Preamble    string            `yaml:"-" json:"preamble"`
}

// PartyRole is a party's place in a template ("city", "district") and how
// the document names it ("City", "School District"); the actual party is
// chosen when an MOU is created.
type PartyRole struct {
	Role  string `yaml:"role" json:"role"`
	Label string `yaml:"label" json:"label"`
	// Optional parties may be left off an MOU (a second school board);
	// their signature lines and their bodies' acts then drop out.
	Optional bool `yaml:"optional,omitempty" json:"optional,omitempty"`
	// ActsAs names the role whose duties in the clause library this party
	// takes on, when the template calls it otherwise: a police service
	// acts as the "city" the clauses' obligations name, and a second
	// school district as a "district" (each district owes its own).
	ActsAs string `yaml:"acts_as,omitempty" json:"acts_as,omitempty"`
}

// TemplateSection is one numbered section of the MOU. Key is stable across
// revisions (feedback and redlines refer to it); Clause is the library slug
// whose body fills the section, or empty for a section the drafter writes,
// such as the list of changes in an amendment.
type TemplateSection struct {
	Key     string `yaml:"key" json:"key"`
	Heading string `yaml:"heading" json:"heading"`
	Clause  string `yaml:"clause,omitempty" json:"clause,omitempty"`
}

// ClauseSlugs lists the library clauses t's sections are filled from, in
// section order: what to load before assembling or asking for variables.
func (t *Template) ClauseSlugs() []string {
	var out []string
	for _, s := range t.Sections {
		if s.Clause != "" {
			out = append(out, s.Clause)
		}
	}
	return out
}

// ParseTemplate reads a template document: strict front matter (unknown or
// duplicate keys are errors) and the preamble after it. It checks everything
// that needs no outside knowledge — valid unique slugs and keys, declared
// parties, well-formed variables, and that every preamble placeholder is
// declared; LoadTemplates also checks that named clauses exist. Errors are
// *clause.Error, so the HTTP layer maps them like clause errors.
func ParseTemplate(data []byte) (*Template, error) {
	front, body, err := clause.SplitFrontMatter(data)
	if err != nil {
		return nil, err
	}
	var t Template
	if err := clause.DecodeFrontMatter(front, &t); err != nil {
		return nil, err
	}
	t.Preamble = body
	if err := t.validate(); err != nil {
		return nil, err
	}
	return &t, nil
}

func (t *Template) validate() error {
	if !clause.ValidSlug(t.Slug) {
		return invalid(clause.CodeInvalidSlug, "slug", "template slug %q must be lowercase letters and digits joined by single hyphens", t.Slug)
	}
	if strings.TrimSpace(t.Title) == "" || strings.ContainsAny(t.Title, "\r\n") {
		return invalid(clause.CodeInvalidField, "title", "title is required and must be one line")
	}
	roles := map[string]bool{}
	for i, p := range t.Parties {
		field := fmt.Sprintf("parties[%d]", i)
		if !moudesk.ValidRole(p.Role) {
			return invalid(clause.CodeInvalidField, field+".role", "party role %q must be lowercase letters, digits or '_'", p.Role)
		}
		if roles[p.Role] {
			return invalid(clause.CodeInvalidField, field+".role", "party role %q is declared twice", p.Role)
		}
		roles[p.Role] = true
		if strings.TrimSpace(p.Label) == "" {
			return invalid(clause.CodeInvalidField, field+".label", "party %q needs a label", p.Role)
		}
		if p.ActsAs != "" && !moudesk.ValidRole(p.ActsAs) {
			return invalid(clause.CodeInvalidField, field+".acts_as", "acts_as %q must be a role name", p.ActsAs)
		}
	}
	required := 0
	for _, p := range t.Parties {
		if !p.Optional {
			required++
		}
	}
	if required < 2 {
		return invalid(clause.CodeInvalidField, "parties", "a template needs at least two parties that are not optional")
	}
	if err := clause.ValidateVariables(t.Variables); err != nil {
		return err
	}
	if len(t.Sections) == 0 {
		return invalid(clause.CodeInvalidField, "sections", "a template needs at least one section")
	}
	keys := map[string]bool{}
	for i, s := range t.Sections {
		field := fmt.Sprintf("sections[%d]", i)
		if !clause.ValidSlug(s.Key) {
			return invalid(clause.CodeInvalidSlug, field+".key", "section key %q must be a lowercase slug", s.Key)
		}
		if keys[s.Key] {
			return invalid(clause.CodeInvalidField, field+".key", "section key %q is used twice", s.Key)
		}
		keys[s.Key] = true
		if strings.TrimSpace(s.Heading) == "" || strings.ContainsAny(s.Heading, "\r\n") {
			return invalid(clause.CodeInvalidField, field+".heading", "section %q needs a one-line heading", s.Key)
		}
		if s.Clause != "" && !clause.ValidSlug(s.Clause) {
			return invalid(clause.CodeInvalidSlug, field+".clause", "section %q names clause %q, which is not a valid slug", s.Key, s.Clause)
		}
	}
	if len(t.Signatures) == 0 {
		return invalid(clause.CodeInvalidField, "signatures", "a template needs a signature block")
	}
	lines := map[string]bool{}
	signed := map[string]bool{}
	for i, sig := range t.Signatures {
		field := fmt.Sprintf("signatures[%d]", i)
		if !roles[sig.Party] {
			return invalid(clause.CodeInvalidField, field+".party", "signature party %q is not one of the template's parties", sig.Party)
		}
		if strings.TrimSpace(sig.Title) == "" {
			return invalid(clause.CodeInvalidField, field+".title", "signature line needs a title")
		}
		if sig.Order < 1 {
			return invalid(clause.CodeInvalidField, field+".order", "signing order must be 1 or more")
		}
		if k := sig.LineKind(); k != KindSignatory && KindLabel(k) == "" {
			return invalid(clause.CodeInvalidField, field+".kind", "signature kind %q is not one of signatory, attest, approved_as_to_form", k)
		}
		id := sig.Party + "\x00" + sig.Title
		if lines[id] {
			return invalid(clause.CodeInvalidField, field, "signature line %q for %q appears twice", sig.Title, sig.Party)
		}
		lines[id] = true
		signed[sig.Party] = true
	}
	for _, p := range t.Parties {
		if !signed[p.Role] {
			return invalid(clause.CodeInvalidField, "signatures", "party %q has no signature line", p.Role)
		}
	}
	if strings.TrimSpace(t.Preamble) == "" {
		return invalid(clause.CodeInvalidBody, "preamble", "the preamble after the front matter is empty")
	}
	if err := clause.CheckPlaceholders(t.Preamble, t.Variables); err != nil {
		return err
	}
	return nil
}

// SignatureOrders returns the template's distinct signing orders ascending,
// i.e. the rounds of signing.
func (t *Template) SignatureOrders() []int {
	seen := map[int]bool{}
	var out []int
	for _, s := range t.Signatures {
		if !seen[s.Order] {
			seen[s.Order] = true
			out = append(out, s.Order)
		}
	}
	sort.Ints(out)
	return out
}

func invalid(code, field, format string, args ...any) error {
	return &clause.Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// LoadTemplates parses every *.md file at the root of fsys (the shipped ones
// are under templates.FS "mou"), keyed by slug. Each file's name must be its
// slug plus ".md", and every clause a section names must satisfy
// clauseExists — typically a lookup in the loaded clause library, so a
// template can never point at a clause that is not there. Errors name the
// file.
func LoadTemplates(fsys fs.FS, clauseExists func(slug string) bool) (map[string]*Template, error) {
	names, err := fs.Glob(fsys, "*.md")
	if err != nil {
		return nil, fmt.Errorf("list templates: %w", err)
	}
	out := make(map[string]*Template, len(names))
	for _, name := range names {
		t, err := loadTemplate(fsys, name, clauseExists)
		if err != nil {
			return nil, fmt.Errorf("template file %s: %w", name, err)
		}
		out[t.Slug] = t
	}
	return out, nil
}

func loadTemplate(fsys fs.FS, name string, clauseExists func(string) bool) (*Template, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, err
	}
	t, err := ParseTemplate(data)
	if err != nil {
		return nil, err
	}
	if want := strings.TrimSuffix(path.Base(name), ".md"); t.Slug != want {
		return nil, invalid(clause.CodeFileNameMismatch, "slug", "slug %q does not match file name; want %q", t.Slug, want)
	}
	for i, s := range t.Sections {
		if s.Clause != "" && !clauseExists(s.Clause) {
			return nil, invalid(clause.CodeInvalidField, fmt.Sprintf("sections[%d].clause", i), "section %q names clause %q, which is not in the library", s.Key, s.Clause)
		}
	}
	return t, nil
}
