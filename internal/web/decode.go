package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/moudesk/moudesk"
)

// maxJSONBody is the largest JSON request body accepted.
const maxJSONBody = 1 << 20

// decodeJSON reads a JSON request body into v, refusing with the right
// status: 415 for another content type, 413 over the limit, 400 for
// malformed JSON, invalid UTF-8, NUL characters or unknown fields. Go's
// decoder would silently replace invalid UTF-8, so the raw bytes are
// checked first.
func decodeJSON(c *gin.Context, v any) error {
	mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || mt != "application/json" {
		return moudesk.Errorf(moudesk.KindUnsupported, "unsupported_media_type", "send the request body as application/json")
	}
	raw, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, maxJSONBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return moudesk.Errorf(moudesk.KindTooLarge, "too_large", "request body is larger than %d bytes", maxJSONBody)
		}
		return errInvalid("unreadable_body", "could not read the request body")
	}
	if !utf8.Valid(raw) {
		return errInvalid("invalid_utf8", "request body is not valid UTF-8")
	}
	if hasNULEscape(raw) {
		return errInvalid("nul_character", "text may not contain NUL characters")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errInvalid("invalid_json", "malformed JSON: %s", jsonProblem(err))
	}
	// Anything but white space after the value is refused: dec.More()
	// alone answers false before a stray "}" or "]", so "{}}" passed.
	if len(bytes.TrimSpace(raw[dec.InputOffset():])) > 0 {
		return errInvalid("invalid_json", "malformed JSON: more than one value in the body")
	}
	return nil
}

// hasNULEscape finds a \u0000 escape that is not itself escaped (a raw NUL
// byte is already invalid JSON).
func hasNULEscape(raw []byte) bool {
	for i := 0; i+6 <= len(raw); i++ {
		if raw[i] != '\\' {
			continue
		}
		if raw[i+1] == 'u' && bytes.Equal(raw[i+2:i+6], []byte("0000")) {
			return true
		}
		i++ // skip the escaped character so "\\u0000" is not mistaken
	}
	return false
}

// jsonProblem describes a decoding error without echoing internals.
func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return syn.Error()
	case errors.As(err, &typ):
		if typ.Field != "" {
			return "field " + typ.Field + " must be " + typ.Type.String()
		}
		return "a value has the wrong type"
	case errors.Is(err, io.EOF):
		return "empty body"
	default:
		return err.Error()
	}
}
