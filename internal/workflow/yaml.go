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
