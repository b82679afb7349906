package workflow

import (
	"errors"
	"fmt"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// decodeStrict decodes one YAML document into v, refusing unknown fields,
// duplicate keys, several documents, and tags, anchors and aliases. A
// workflow definition needs none of those features, and refusing them
// shuts out alias bombs and decoder paths that have panicked on fuzzed
// input (go-yaml v1.19.2 dereferences nil on "stages: !tag 0").
func decodeStrict(data []byte, v any) (err error) {
	if err := checkNesting(data); err != nil {
		return err
	}
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		return errors.New(yaml.FormatError(err, false, true))
	}
	if len(file.Docs) != 1 {
		return fmt.Errorf("want exactly one YAML document, found %d", len(file.Docs))
	}
	body := file.Docs[0].Body
	if body == nil {
		return errors.New("empty document")
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
			err = fmt.Errorf("YAML decoder failed on this input: %v", r)
		}
	}()
	if err := yaml.NodeToValue(body, v, yaml.Strict()); err != nil {
		return errors.New(yaml.FormatError(err, false, true))
	}
	return nil
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
	pos := ""
	if tk := n.GetToken(); tk != nil && tk.Position != nil {
		pos = fmt.Sprintf(" (line %d, column %d)", tk.Position.Line, tk.Position.Column)
	}
	p.err = fmt.Errorf("YAML %s are not allowed in a workflow definition%s", what, pos)
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
					return fmt.Errorf("line %d is indented more than %d spaces", line, maxIndentSpaces)
				}
				continue
			case (c == '-' || c == '?') && i+1 < len(data) && data[i+1] == ' ':
				if markers++; markers > maxLineMarkers {
					return fmt.Errorf("line %d opens more than %d nested entries", line, maxLineMarkers)
				}
				i++ // the space after the marker
				continue
			}
			atLineStart = false
		}
		switch c {
		case '[', '{':
			if depth++; depth > maxFlowDepth {
				return fmt.Errorf("line %d nests brackets more than %d deep", line, maxFlowDepth)
			}
		case ']', '}':
			if depth > 0 {
				depth--
			}
		}
	}
	return nil
}
