// Package api holds moudesk's API contract: the OpenAPI 3.1 document of
// the JSON API, written as YAML (openapi.yaml) so people can read and
// review it, and served as JSON at GET /api/v1/openapi.json.
package api

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"

	"github.com/goccy/go-yaml"
)

//go:embed openapi.yaml
var source []byte

// YAML is the document as written.
func YAML() []byte { return bytes.Clone(source) }

// JSON is the document as JSON, in the order it is written. It fails only
// when openapi.yaml is not valid YAML, which the tests catch.
func JSON() ([]byte, error) {
	out, err := yaml.YAMLToJSON(source)
	if err != nil {
		return nil, fmt.Errorf("api: openapi.yaml: %w", err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, out); err != nil {
		return nil, fmt.Errorf("api: openapi.yaml as JSON: %w", err)
	}
	return compact.Bytes(), nil
}
