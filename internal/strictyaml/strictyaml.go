// Package strictyaml decodes the small YAML documents moudesk accepts from
// users (clause and template front matter, workflow definitions) with the
// same defences everywhere: one document, no tags, anchors or aliases,
// bounded nesting, unknown fields and duplicate keys refused, and a panic in
// the third-party decoder turned into an error.
package strictyaml

import (
	"errors"
	"fmt"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// Error is a refused document: Line is 1-based, or 0 when the error has no
// position; Message is one line without the source excerpt go-yaml adds,
// which would echo large inputs back to the caller.
type Error struct {
	Line    int
	Message string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Message)
	}
	return e.Message
}

// Decode decodes one YAML document into v, refusing unknown fields,
// duplicate keys, several documents, and tags, anchors and aliases. None of
// our documents needs those features, and refusing them shuts out alias
// bombs and decoder paths that have panicked on fuzzed input (go-yaml
// v1.19.2 dereferences nil on "stages: !tag 0" and on a key holding only a
// tag).
func Decode(data []byte, v any) (err error) {
	if err := checkNesting(data); err != nil {
		return err
	}
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		return yamlError(err)
	}
	if len(file.Docs) != 1 {
		return &Error{Message: fmt.Sprintf("want exactly one YAML document, found %d", len(file.Docs))}
	}
	body := file.Docs[0].Body
	if body == nil {
		return &Error{Message: "empty document"}
	}
	var plain plainYAML
	ast.Walk(&plain, body)
	if plain.err != nil {
		return plain.err
	}
	// The decoder is third-party code fed with untrusted bytes; a panic in
	// it must surface as a refused definition, never crash the server.
	defer func() {
		if r := recover(); r != nil {
			err = &Error{Message: fmt.Sprintf("YAML decoder failed on this input: %v", r)}
		}
	}()
	if err := yaml.NodeToValue(body, v, yaml.Strict()); err != nil {
		return yamlError(err)
	}
	return nil
}

// yamlError keeps go-yaml's message and position, one line long.
func yamlError(err error) error {
	var ye yaml.Error
	if errors.As(err, &ye) {
		e := &Error{Message: ye.GetMessage()}
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			e.Line = tk.Position.Line
		}
		return e
	}
	msg := err.Error()
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	return &Error{Message: msg}
}

// plainYAML is an ast.Visitor that records the first tag, anchor or alias.
type plainYAML struct{ err error }

func (p *plainYAML) Visit(n ast.Node) ast.Visitor {
	if p.err != nil {
		return nil
	}
	var what string
	switch n.(type) {
	case *ast.TagNode:
		what = "tags"
	case *ast.AnchorNode:
		what = "anchors"
	case *ast.AliasNode:
		what = "aliases"
	default:
		return p
	}
	e := &Error{Message: "YAML " + what + " are not allowed here"}
	if tk := n.GetToken(); tk != nil && tk.Position != nil {
		e.Line = tk.Position.Line
	}
	p.err = e
	return nil
}

// Limits on how deeply a definition may nest. go-yaml's parser takes time
// that grows quadratically with nesting (64 KiB of "- - - …" takes seconds),
// and the deepest real definition nests five levels with lines indented
// ten spaces, so these bounds only ever refuse hostile or broken input.
const (
	maxFlowDepth    = 16 // open [ and { at once
	maxLineMarkers  = 8  // "- " or "? " markers opening one line
	maxIndentSpaces = 64 // leading spaces on one line
)

// checkNesting refuses input nested beyond the limits above before the
// parser sees it. Brackets inside quoted titles count too; a title would
// need more than maxFlowDepth unclosed ones to be refused.
func checkNesting(data []byte) error {
	depth, line := 0, 1
	atLineStart := true
	indent, markers := 0, 0
	for i := 0; i < len(data); i++ {
		c := data[i]
		if c == '\n' {
			line++
			atLineStart, indent, markers = true, 0, 0
			continue
		}
		if atLineStart {
			switch {
			case c == ' ':
				if indent++; indent > maxIndentSpaces {
					return &Error{Line: line, Message: fmt.Sprintf("indented more than %d spaces", maxIndentSpaces)}
				}
				continue
			case (c == '-' || c == '?') && i+1 < len(data) && data[i+1] == ' ':
				if markers++; markers > maxLineMarkers {
					return &Error{Line: line, Message: fmt.Sprintf("opens more than %d nested entries", maxLineMarkers)}
				}
				i++ // the space after the marker
				continue
			}
			atLineStart = false
		}
		switch c {
		case '[', '{':
			if depth++; depth > maxFlowDepth {
				return &Error{Line: line, Message: fmt.Sprintf("nests brackets more than %d deep", maxFlowDepth)}
			}
		case ']', '}':
			if depth > 0 {
				depth--
			}
		}
	}
	return nil
}
