package clause

import "fmt"

// Error codes returned in (*Error).Code. They are part of the API contract:
// the HTTP layer maps them to statuses (invalid input → 400, a body that uses
// an undeclared variable or a value that fails its type → 422) and clients
// branch on them, so they never change meaning once shipped.
const (
	CodeInvalidFrontMatter = "invalid_front_matter"
	CodeInvalidSlug        = "invalid_slug"
	CodeInvalidField       = "invalid_field"
	CodeInvalidVariable    = "invalid_variable"
	CodeDuplicateVariable  = "duplicate_variable"
	CodeUndeclaredVariable = "undeclared_variable"
	CodeInvalidPlaceholder = "invalid_placeholder"
	CodeInvalidBody        = "invalid_body"
	CodeMissingVariable    = "missing_variable"
	CodeUnknownVariable    = "unknown_variable"
	CodeInvalidValue       = "invalid_value"
	CodeInvalidEncoding    = "invalid_encoding"
	CodeTooLarge           = "too_large"
	CodeDuplicateSlug      = "duplicate_slug"
	CodeFileNameMismatch   = "file_name_mismatch"
)

// Error is the one error type of the clause library. Field names what was
// wrong as a path a client can show next to an input ("slug",
// "variables.city_name", "body"); Message is safe to show to users because it
// only ever quotes the caller's own input.
type Error struct {
	Code    string
	Field   string
	Message string
	Err     error // underlying cause, if any; never shown to clients
}

func (e *Error) Error() string {
	if e.Field == "" {
		return e.Message
	}
	return e.Field + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Err }

func errorf(code, field, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}
