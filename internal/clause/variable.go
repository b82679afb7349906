package clause

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// VarType is the kind of value a variable holds; it decides how a value is
// checked and written into the text.
type VarType string

// The variable types a clause or template may declare.
const (
	TypeText    VarType = "text"    // free text on one line, e.g. a school's name
	TypeDate    VarType = "date"    // ISO calendar date yyyy-mm-dd
	TypeInteger VarType = "integer" // whole number, e.g. number of officers
	TypePercent VarType = "percent" // 0–100, decimals allowed, e.g. a cost share
	TypeMoney   VarType = "money"   // non-negative US-dollar amount
	TypeParty   VarType = "party"   // the legal name of a party
)

// Valid reports whether t is one of the declared types.
func (t VarType) Valid() bool {
	switch t {
	case TypeText, TypeDate, TypeInteger, TypePercent, TypeMoney, TypeParty:
		return true
	}
	return false
}

// Variable is one declared value a clause or template body refers to as
// {{name}}. Required defaults to true when the front matter omits it: a
// forgotten flag should make a drafter fill a value, not leave a blank in a
// signed contract.
type Variable struct {
	Name     string  `yaml:"name" json:"name"`
	Type     VarType `yaml:"type" json:"type"`
	Label    string  `yaml:"label" json:"label"`
	Default  string  `yaml:"default,omitempty" json:"default,omitempty"`
	Required bool    `yaml:"required" json:"required"`
}

// variableYAML is Variable as written in front matter: Required is a pointer
// so "absent" can mean true.
type variableYAML struct {
	Name     string  `yaml:"name"`
	Type     VarType `yaml:"type"`
	Label    string  `yaml:"label"`
	Default  *string `yaml:"default"`
	Required *bool   `yaml:"required"`
}

// UnmarshalYAML applies the "required defaults to true" rule.
func (v *Variable) UnmarshalYAML(unmarshal func(any) error) error {
	var raw variableYAML
	if err := unmarshal(&raw); err != nil {
		return err
	}
	*v = Variable{Name: raw.Name, Type: raw.Type, Label: raw.Label, Required: true}
	if raw.Default != nil {
		v.Default = *raw.Default
	}
	if raw.Required != nil {
		v.Required = *raw.Required
	}
	return nil
}

var nameRE = lazyRegexp(`^[a-z][a-z0-9_]{0,63}$`)

// ValidName reports whether s may name a variable: a lowercase letter, then
// up to 63 lowercase letters, digits or underscores.
func ValidName(s string) bool { return nameRE().MatchString(s) }

// ValidateVariables checks a declaration list: valid unique names, known
// types, a label, and a default (if any) that is a valid value of its type.
func ValidateVariables(vars []Variable) error {
	seen := make(map[string]bool, len(vars))
	for i, v := range vars {
		field := fmt.Sprintf("variables[%d]", i)
		if !ValidName(v.Name) {
			return errorf(CodeInvalidVariable, field+".name", "variable name %q must be a lowercase letter followed by lowercase letters, digits or underscores", truncate(v.Name))
		}
		field = "variables." + v.Name
		if seen[v.Name] {
			return errorf(CodeDuplicateVariable, field, "variable %q is declared more than once", v.Name)
		}
		seen[v.Name] = true
		if !v.Type.Valid() {
			return errorf(CodeInvalidVariable, field+".type", "variable %q has type %q; want one of text, date, integer, percent, money, party", v.Name, truncate(string(v.Type)))
		}
		if strings.TrimSpace(v.Label) == "" {
			return errorf(CodeInvalidVariable, field+".label", "variable %q needs a label", v.Name)
		}
		if v.Default != "" {
			if _, err := v.Normalize(v.Default); err != nil {
				return errorf(CodeInvalidVariable, field+".default", "default of %q is not valid: %s", v.Name, messageOf(err))
			}
		}
	}
	return nil
}

// Limits on values, in runes. A party's legal name or a line of text longer
// than this is a paste accident, not contract language.
const (
	maxTextRunes  = 500
	maxPartyRunes = 200
)

// Normalize checks value against the variable's type and returns its
// canonical form: dates "2025-08-20", integers without leading zeros,
// percents "12.5%", money "$125,000.00", text and party names trimmed.
// Surrounding white space is ignored; an empty value is an error (callers
// decide whether a default or "optional" applies before calling).
func (v Variable) Normalize(value string) (string, error) {
	s := strings.TrimSpace(value)
	if !utf8.ValidString(s) {
		return "", v.invalid("is not valid UTF-8")
	}
	if s == "" {
		return "", v.invalid("is empty")
	}
	switch v.Type {
	case TypeDate:
		return normalizeDate(v, s)
	case TypeInteger:
		return normalizeInteger(v, s)
	case TypePercent:
		return normalizePercent(v, s)
	case TypeMoney:
		return normalizeMoney(v, s)
	case TypeText:
		return normalizeLine(v, s, maxTextRunes)
	case TypeParty:
		return normalizeLine(v, s, maxPartyRunes)
	}
	return "", v.invalid(fmt.Sprintf("has unknown type %q", truncate(string(v.Type))))
}

func (v Variable) invalid(what string) *Error {
	return errorf(CodeInvalidValue, "variables."+v.Name, "%s %s", v.labelOrName(), what)
}

func (v Variable) labelOrName() string {
	if v.Label != "" {
		return v.Label
	}
	return v.Name
}

func normalizeDate(v Variable, s string) (string, error) {
	if len(s) != len("2006-01-02") {
		return "", v.invalid("must be a date written yyyy-mm-dd")
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return "", v.invalid("must be a real calendar date written yyyy-mm-dd")
	}
	return t.Format("2006-01-02"), nil
}

var integerRE = lazyRegexp(`^[+-]?[0-9]{1,18}$`)

func normalizeInteger(v Variable, s string) (string, error) {
	if !integerRE().MatchString(s) {
		return "", v.invalid("must be a whole number")
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return "", v.invalid("must be a whole number")
	}
	return strconv.FormatInt(n, 10), nil
}

var percentRE = lazyRegexp(`^([0-9]{1,3})(?:\.([0-9]{1,4}))?\s*%?$`)

func normalizePercent(v Variable, s string) (string, error) {
	m := percentRE().FindStringSubmatch(s)
	if m == nil {
		return "", v.invalid("must be a percentage from 0 to 100, such as 50 or 12.5%")
	}
	whole, _ := strconv.Atoi(m[1]) // at most three digits: cannot fail
	frac := strings.TrimRight(m[2], "0")
	if whole > 100 || (whole == 100 && frac != "") {
		return "", v.invalid("must be a percentage from 0 to 100")
	}
	out := strconv.Itoa(whole)
	if frac != "" {
		out += "." + frac
	}
	return out + "%", nil
}

// Money: optional "$", digits either plain or grouped by commas in threes,
// optional cents. At most 13 integer digits (under ten trillion dollars).
var moneyRE = lazyRegexp(`^\$?\s*([0-9]{1,13}|[0-9]{1,3}(?:,[0-9]{3}){1,4})(?:\.([0-9]{1,2}))?$`)

func normalizeMoney(v Variable, s string) (string, error) {
	m := moneyRE().FindStringSubmatch(s)
	if m == nil {
		if strings.HasPrefix(s, "-") || strings.HasPrefix(s, "$-") {
			return "", v.invalid("must not be negative")
		}
		return "", v.invalid("must be a dollar amount such as 125000, 125,000.00 or $125,000")
	}
	digits := strings.TrimLeft(strings.ReplaceAll(m[1], ",", ""), "0")
	if digits == "" {
		digits = "0"
	}
	cents := m[2]
	for len(cents) < 2 {
		cents += "0"
	}
	return "$" + groupThousands(digits) + "." + cents, nil
}

func groupThousands(digits string) string {
	var b strings.Builder
	for i, r := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// normalizeLine accepts one line of printable text. Line breaks are refused
// because values are set inside sentences: a newline in a value could start a
// new heading or list item and change the document's structure.
func normalizeLine(v Variable, s string, maxRunes int) (string, error) {
	if n := utf8.RuneCountInString(s); n > maxRunes {
		return "", v.invalid(fmt.Sprintf("is %d characters long; the limit is %d", n, maxRunes))
	}
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029':
			return "", v.invalid("must be on one line")
		case r == '\t':
			// a tab is harmless white space; it is kept as typed
		case unicode.IsControl(r):
			return "", v.invalid("contains a control character")
		case isBidiControl(r):
			// Direction overrides can make a signed text read differently
			// from what was approved.
			return "", v.invalid("contains a text-direction control character")
		}
	}
	return s, nil
}

func isBidiControl(r rune) bool {
	return (r >= '\u202A' && r <= '\u202E') || (r >= '\u2066' && r <= '\u2069') || r == '\u200E' || r == '\u200F' || r == '\u061C'
}

// truncate shortens hostile input quoted back in error messages.
func truncate(s string) string {
	const max = 64
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max]) + "…"
}

func messageOf(err error) string {
	if e, ok := err.(*Error); ok {
		return e.Message
	}
	return err.Error()
}

func itoa(n int) string { return strconv.Itoa(n) }
