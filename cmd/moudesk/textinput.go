package main

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/moudesk/moudesk"
)

// readText reads a Markdown file a document command takes. Text that is
// not UTF-8, or holds a NUL, is refused with exit 2 and one line naming
// the file and the byte offset: decoding it anyway would turn the bad
// bytes into U+FFFD, and a redline's ops would no longer rebuild the file.
// Good text is normalised once here (moudesk.NormalizeText, and a leading
// byte-order mark dropped), so a CRLF or NFD copy reads as the original.
func readText(path string, limit int64) (string, error) {
	data, err := readLimited(path, limit)
	if err != nil {
		return "", err
	}
	if off, what := badText(data); off >= 0 {
		return "", exitError{code: 2, msg: fmt.Sprintf("%s: %s at byte offset %d; moudesk reads UTF-8 text only", path, what, off)}
	}
	return moudesk.NormalizeText(strings.TrimPrefix(string(data), "\uFEFF")), nil
}

// badText returns the offset of the first byte that makes data unfit as
// text, and what is wrong there, or -1.
func badText(data []byte) (int, string) {
	if utf8.Valid(data) && bytes.IndexByte(data, 0) < 0 {
		return -1, ""
	}
	for i := 0; i < len(data); {
		c := data[i]
		if c == 0 {
			return i, "NUL byte"
		}
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n == 1 {
			return i, fmt.Sprintf("invalid UTF-8 (byte 0x%02x)", c)
		}
		i += n
	}
	return -1, ""
}
