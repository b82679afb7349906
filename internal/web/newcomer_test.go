package web_test

import (
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/moudesk/moudesk/internal/clause"
)

// TestTemplatesListEveryVariable: the template list names every variable
// an MOU from the template needs, its clauses' too, and creating an MOU
// without them reports all the missing ones at once, writing nothing.
func TestTemplatesListEveryVariable(t *testing.T) {
	e := newWFEnv(t)
	var list struct {
		Templates []struct {
			Slug      string            `json:"slug"`
			Variables []clause.Variable `json:"variables"`
		} `json:"templates"`
	}
	e.call(e.drafter, "GET", "/api/v1/templates", nil, http.StatusOK, &list)
	var required []string
	for _, tm := range list.Templates {
		if tm.Slug != "sro-mou" {
			continue
		}
		for _, v := range tm.Variables {
			if v.Required && v.Default == "" && v.Type != clause.TypeParty {
				required = append(required, v.Name)
			}
		}
	}
	if len(required) < 10 {
		t.Fatalf("sro-mou lists %d required variables without a default: %v", len(required), required)
	}

	before := e.rows()
	var out struct {
		Error struct {
			Code, Field string
			Details     struct {
				Missing []struct{ Field, Message string } `json:"missing"`
			} `json:"details"`
		} `json:"error"`
	}
	e.call(e.drafter, "POST", "/api/v1/mous", map[string]any{"title": "Bare", "template": "sro-mou",
		"parties": map[string]string{"city": "pleasanton", "district": "pusd"}}, http.StatusUnprocessableEntity, &out)
	var got []string
	for _, m := range out.Error.Details.Missing {
		got = append(got, strings.TrimPrefix(m.Field, "variables."))
	}
	slices.Sort(got)
	slices.Sort(required)
	if out.Error.Code != "missing_variable" || !slices.Equal(got, required) || out.Error.Field != out.Error.Details.Missing[0].Field {
		t.Fatalf("error %+v\nmissing %v\nwant    %v", out.Error, got, required)
	}
	if after := e.rows(); !maps.Equal(before, after) {
		t.Fatalf("a refused create wrote rows: %v → %v", before, after)
	}
	// Filling exactly the listed variables is enough.
	vars := map[string]string{}
	for k, v := range wfVariables(t) {
		if slices.Contains(required, k) {
			vars[k] = v
		}
	}
	e.call(e.drafter, "POST", "/api/v1/mous", map[string]any{"title": "Filled", "template": "sro-mou",
		"parties": map[string]string{"city": "pleasanton", "district": "pusd"}, "variables": vars}, http.StatusCreated, nil)
}
