package render

import (
	"bytes"
	"fmt"
)

// HTML renders Markdown to an HTML fragment. Raw HTML in the input is
// omitted (goldmark's safe mode) and dangerous link targets such as
// javascript: are emptied, so the output can be embedded in a page.
func HTML(md []byte) ([]byte, error) {
	if len(md) > MaxInput {
		return nil, fmt.Errorf("render: markdown is %d bytes, over the %d byte limit", len(md), MaxInput)
	}
	var buf bytes.Buffer
	if err := newMarkdown().Convert(md, &buf); err != nil {
		return nil, fmt.Errorf("render: markdown to html: %w", err)
	}
	return buf.Bytes(), nil
}
