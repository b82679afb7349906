package clause

import (
	"sort"
	"strings"
	"time"

	"github.com/moudesk/moudesk"
)

// placeholderRE matches {{name}}, allowing spaces inside the braces.
var placeholderRE = lazyRegexp(`\{\{\s*([a-z][a-z0-9_]{0,63})\s*\}\}`)

// Placeholders returns the variable names used in body, in order of first
// use, each once. Malformed "{{…}}" sequences are not names and are skipped
// (CheckPlaceholders reports them).
func Placeholders(body string) []string {
	var names []string
	seen := map[string]bool{}
	for _, m := range placeholderRE().FindAllStringSubmatch(body, -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			names = append(names, m[1])
		}
	}
	return names
}

// CheckPlaceholders reports the first placeholder in body that vars does not
// declare, or the first "{{" that does not open a well-formed placeholder —
// a typo such as "{{City Name}}" must not reach a signed document verbatim.
func CheckPlaceholders(body string, vars []Variable) error {
	stripped := placeholderRE().ReplaceAllString(body, "")
	if i := strings.Index(stripped, "{{"); i >= 0 {
		rest := stripped[i:]
		if j := strings.IndexAny(rest, "\n"); j >= 0 {
			rest = rest[:j]
		}
		return errorf(CodeInvalidPlaceholder, "body", "malformed placeholder near %q; write {{name}} with a lowercase name", truncate(rest))
	}
	declared := declaredSet(vars)
	for _, name := range Placeholders(body) {
		if !declared[name] {
			return errorf(CodeUndeclaredVariable, "variables."+name, "placeholder {{%s}} is used in the body but not declared in variables", name)
		}
	}
	return nil
}

func declaredSet(vars []Variable) map[string]bool {
	m := make(map[string]bool, len(vars))
	for _, v := range vars {
		m[v.Name] = true
	}
	return m
}

// Fill replaces every placeholder in body with its value: values[name]
// normalised for the variable's type, else the variable's default, else
// (for an optional variable) nothing. Dates are written out long-form
// ("August 20, 2025") because the result is contract prose. Values are
// Markdown-escaped so a value cannot add emphasis, links or HTML.
//
// Errors: a placeholder not declared in vars (undeclared_variable), a value
// key that vars does not declare (unknown_variable, naming all of them), a
// required variable with neither value nor default (missing_variable), or a
// value that fails its type (invalid_value).
func Fill(body string, vars []Variable, values map[string]string) (string, error) {
	if err := CheckPlaceholders(body, vars); err != nil {
		return "", err
	}
	byName := make(map[string]Variable, len(vars))
	for _, v := range vars {
		byName[v.Name] = v
	}
	var unknown []string
	for k := range values {
		if _, ok := byName[k]; !ok {
			unknown = append(unknown, truncate(k))
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return "", errorf(CodeUnknownVariable, "variables."+unknown[0], "unknown variable(s): %s", strings.Join(unknown, ", "))
	}
	resolved := make(map[string]string)
	for _, name := range Placeholders(body) {
		out, err := Resolve(byName[name], values[name])
		if err != nil {
			return "", err
		}
		resolved[name] = escapeMarkdown(Display(byName[name].Type, out))
	}
	return placeholderRE().ReplaceAllStringFunc(body, func(m string) string {
		return resolved[placeholderRE().FindStringSubmatch(m)[1]]
	}), nil
}

// Resolve returns the normalised value a variable takes: the given value if
// not blank, else its default, else "" for an optional variable. A required
// variable with neither is a missing_variable error.
func Resolve(v Variable, value string) (string, error) {
	value = moudesk.NormalizeText(value)
	if strings.TrimSpace(value) == "" {
		value = v.Default
	}
	if strings.TrimSpace(value) == "" {
		if v.Required {
			return "", errorf(CodeMissingVariable, "variables."+v.Name, "%s ({{%s}}) is required", v.labelOrName(), v.Name)
		}
		return "", nil
	}
	return v.Normalize(value)
}

// Display formats a normalised value for prose: dates long-form
// ("July 1, 2025"), everything else as normalised.
func Display(t VarType, normalized string) string {
	if t == TypeDate && normalized != "" {
		if d, err := time.Parse("2006-01-02", normalized); err == nil {
			return d.Format("January 2, 2006")
		}
	}
	return normalized
}

var markdownEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", `*`, `\*`, `_`, `\_`, `[`, `\[`, `]`, `\]`,
	`<`, `\<`, `>`, `\>`, `{`, `\{`, `}`, `\}`, `|`, `\|`,
)

// escapeMarkdown neutralises characters that would let a value change the
// rendered structure around it. "{" and "}" are escaped so a value can never
// form a new placeholder.
func escapeMarkdown(s string) string { return markdownEscaper.Replace(s) }

// ReplacePlaceholders replaces each {{name}} in s with value(name), as it
// is: for declared data such as an obligation's interval, which is no
// Markdown (Fill escapes values for prose).
func ReplacePlaceholders(s string, value func(name string) string) string {
	return placeholderRE().ReplaceAllStringFunc(s, func(m string) string {
		return value(placeholderRE().FindStringSubmatch(m)[1])
	})
}
