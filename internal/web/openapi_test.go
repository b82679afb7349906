package web

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/moudesk/moudesk/api"
	"github.com/moudesk/moudesk/internal/audit"
	"github.com/moudesk/moudesk/internal/clause"
	"github.com/moudesk/moudesk/internal/desk"
	"github.com/moudesk/moudesk/internal/mou"
	"github.com/moudesk/moudesk/internal/redline"
	"github.com/moudesk/moudesk/internal/teststore"
	"github.com/moudesk/moudesk/internal/workflow"
)

// The API contract (api/openapi.yaml) against the server: every /api/v1
// route, /healthz and every download is documented with its method, every
// documented operation is a route, and every JSON answer a test server
// gives is checked against the document (validateAPI, which the test
// servers' helpers wrap around the handler).

// apiContract is the loaded document with a matcher for its paths.
type apiContract struct {
	doc   *openapi3.T
	paths []apiPath
	// passed holds the answers already found valid, by answerKey: the
	// route walks send the same refusal hundreds of times, and checking
	// a body compiles its schema each time.
	passed sync.Map
}

// apiPath is one documented path as a pattern: {name} matches a segment.
type apiPath struct {
	template string
	re       *regexp.Regexp
	names    []string
	static   int // characters outside parameters: the more, the more specific
	item     *openapi3.PathItem
}

// loadedContract parses and validates the document once per test binary:
// every response of the suite is checked against it.
var loadedContract = sync.OnceValues(func() (*apiContract, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(api.YAML())
	if err != nil {
		return nil, fmt.Errorf("load api/openapi.yaml: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("api/openapi.yaml is not a valid OpenAPI document: %w", err)
	}
	c := &apiContract{doc: doc}
	param := regexp.MustCompile(`\{([^}/]+)\}`)
	for template, item := range doc.Paths.Map() {
		var names []string
		pattern, last := "^", 0
		for _, m := range param.FindAllStringSubmatchIndex(template, -1) {
			pattern += regexp.QuoteMeta(template[last:m[0]]) + `([^/]+)`
			names = append(names, template[m[2]:m[3]])
			last = m[1]
		}
		pattern += regexp.QuoteMeta(template[last:]) + "$"
		c.paths = append(c.paths, apiPath{template: template, re: regexp.MustCompile(pattern), names: names,
			static: len(param.ReplaceAllString(template, "")), item: item})
	}
	// The most specific path first: /api/v1/mous/import before
	// /api/v1/mous/{id}.
	slices.SortFunc(c.paths, func(a, b apiPath) int { return b.static - a.static })
	return c, nil
})

func contract(t testing.TB) *apiContract {
	t.Helper()
	c, err := loadedContract()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// route is the documented operation for method and path, nil when the
// document has none.
func (c *apiContract) route(method, path string) (*routers.Route, map[string]string) {
	for _, p := range c.paths {
		m := p.re.FindStringSubmatch(path)
		if m == nil {
			continue
		}
		op := p.item.GetOperation(method)
		if op == nil {
			return nil, nil
		}
		params := map[string]string{}
		for i, name := range p.names {
			params[name] = m[i+1]
		}
		return &routers.Route{Spec: c.doc, Path: p.template, PathItem: p.item, Method: method, Operation: op}, params
	}
	return nil, nil
}

// isJSON says whether a Content-Type is JSON.
func isJSON(contentType string) bool {
	return strings.HasPrefix(contentType, "application/json")
}

// validateAPI wraps h so that every JSON answer is checked against the
// document: a JSON answer to an operation the document lacks, or one that
// does not match its schema (status, headers, body), fails t. Other
// answers (pages, PDFs) pass through unread.
func validateAPI(t testing.TB, h http.Handler) http.Handler {
	c := contract(t)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &teeWriter{ResponseWriter: w}
		h.ServeHTTP(rec, r)
		if !rec.json || r.Method == http.MethodHead {
			return
		}
		key := answerKey(r, rec.status, w.Header(), rec.body.Bytes())
		if _, ok := c.passed.Load(key); ok {
			return
		}
		if err := c.check(r, rec.status, w.Header(), rec.body.Bytes()); err == nil {
			c.passed.Store(key, true)
		} else {
			t.Errorf("%s %s answered %d, which the OpenAPI document (api/openapi.yaml) does not allow: %v\nbody: %s",
				r.Method, r.URL.RequestURI(), rec.status, err, clipBody(rec.body.Bytes()))
		}
	})
}

// answerKey is what makes one answer the same as another for the check:
// the operation asked for, the status, the headers the document describes
// and the body.
func answerKey(r *http.Request, status int, header http.Header, body []byte) [sha256.Size]byte {
	h := sha256.New()
	fmt.Fprintf(h, "%s %s\x00%d\x00", r.Method, r.URL.Path, status)
	for _, name := range []string{"Content-Type", "Retry-After", "X-Content-Hash", "ETag", "Set-Cookie"} {
		fmt.Fprintf(h, "%s: %q\x00", name, header.Values(name))
	}
	h.Write(body)
	return [sha256.Size]byte(h.Sum(nil))
}

// check validates one JSON answer.
func (c *apiContract) check(r *http.Request, status int, header http.Header, body []byte) error {
	route, params := c.route(r.Method, r.URL.Path)
	if route == nil {
		// The router's own 404 and 405 for a path or method it does not
		// have are no operation; anything else on the API must be one.
		if strings.HasPrefix(r.URL.Path, "/api/") && status != http.StatusNotFound && status != http.StatusMethodNotAllowed {
			return fmt.Errorf("%s %s is not in the document", r.Method, r.URL.Path)
		}
		// A JSON error from a page route or an unknown path: the error
		// shape still holds.
		var v struct {
			Error *struct {
				Code    *string `json:"code"`
				Message *string `json:"message"`
			} `json:"error"`
		}
		if err := json.Unmarshal(body, &v); err != nil || v.Error == nil || v.Error.Code == nil || v.Error.Message == nil {
			return fmt.Errorf("a JSON answer off the API is not the error shape")
		}
		return nil
	}
	// The request's own body is not needed to check the answer.
	req := r.Clone(r.Context())
	req.Body = http.NoBody
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}},
		Status:  status,
		Header:  header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	in.SetBodyBytes(body)
	return openapi3filter.ValidateResponse(context.Background(), in)
}

func clipBody(b []byte) string {
	if len(b) > 600 {
		return string(b[:600]) + "…"
	}
	return string(b)
}

// teeWriter passes an answer through and keeps a copy of it when it is
// JSON (decided when the header is written).
type teeWriter struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
	json        bool
	body        bytes.Buffer
}

func (w *teeWriter) WriteHeader(status int) {
	if !w.wroteHeader {
		w.wroteHeader = true
		w.status = status
		w.json = isJSON(w.Header().Get("Content-Type"))
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *teeWriter) Write(b []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if w.json {
		w.body.Write(b)
	}
	return w.ResponseWriter.Write(b)
}

func (w *teeWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *teeWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if h, ok := w.ResponseWriter.(http.Hijacker); ok {
		return h.Hijack()
	}
	return nil, nil, fmt.Errorf("hijack not supported")
}

// ValidateAPI lets the external web_test package check its answers too.
var ValidateAPI = validateAPI

// ginPath is a gin route path in the document's form: :id and *file
// become {id} and {file}.
func ginPath(p string) string {
	return regexp.MustCompile(`[:*]([A-Za-z0-9_]+)`).ReplaceAllString(p, `{$1}`)
}

// documented says whether a registered route must be in the document: the
// JSON API, the health check and every file download.
func documented(path string) bool {
	return strings.HasPrefix(path, "/api/") || path == "/healthz" ||
		strings.HasSuffix(path, ".pdf") || strings.HasSuffix(path, ".docx") || strings.HasSuffix(path, ".ics")
}

// TestOpenAPIRoutes: every registered API route is documented with its
// method, and every documented operation is a registered route.
func TestOpenAPIRoutes(t *testing.T) {
	c := contract(t)
	db := teststore.Open(t)
	srv := New(Config{Service: teststore.Service(t, db), Hasher: testHasher, PublicURL: testPublicURL})
	registered := map[string]bool{}
	for _, rt := range srv.Routes() {
		key := rt.Method + " " + ginPath(rt.Path)
		registered[key] = true
		if !documented(rt.Path) {
			continue
		}
		item := c.doc.Paths.Value(ginPath(rt.Path))
		if item == nil || item.GetOperation(rt.Method) == nil {
			t.Errorf("route %s is not in api/openapi.yaml: document it", key)
		}
	}
	for template, item := range c.doc.Paths.Map() {
		for method := range item.Operations() {
			if !registered[method+" "+template] {
				t.Errorf("api/openapi.yaml documents %s %s, which the server does not have", method, template)
			}
		}
	}
}

// TestOpenAPIDocument: the served document is the one in the repository,
// a valid OpenAPI 3.1 document with the shapes the brief asks of it.
func TestOpenAPIDocument(t *testing.T) {
	c := contract(t)
	if !c.doc.IsOpenAPI31OrLater() {
		t.Errorf("openapi = %q, want 3.1", c.doc.OpenAPI)
	}
	_, url, _ := startTestServer(t)
	res, err := http.Get(url + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	got, _ := io.ReadAll(res.Body)
	want, err := api.JSON()
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK || !isJSON(res.Header.Get("Content-Type")) || !bytes.Equal(got, want) {
		t.Fatalf("GET /api/v1/openapi.json = %d %s, %d bytes; want 200 JSON, the %d bytes of api/openapi.yaml as JSON",
			res.StatusCode, res.Header.Get("Content-Type"), len(got), len(want))
	}
	served, err := openapi3.NewLoader().LoadFromData(got)
	if err != nil {
		t.Fatalf("the served document does not load: %v", err)
	}
	if err := served.Validate(context.Background()); err != nil {
		t.Fatalf("the served document is not valid: %v", err)
	}
	for _, name := range []string{"Error", "MOU", "Revision", "Meeting", "Feedback", "Outcome", "Approval",
		"Signatory", "Clause", "Template", "Variable", "Cursor", "User", "Party"} {
		if c.doc.Components.Schemas[name] == nil {
			t.Errorf("components.schemas has no %s", name)
		}
	}
	// Every operation has a name of its own and answers its errors in the
	// one error shape.
	ids := map[string]string{}
	for path, item := range c.doc.Paths.Map() {
		for method, op := range item.Operations() {
			where := method + " " + path
			if op.OperationID == "" {
				t.Errorf("%s has no operationId", where)
			} else if other, dup := ids[op.OperationID]; dup {
				t.Errorf("%s and %s share the operationId %s", where, other, op.OperationID)
			}
			ids[op.OperationID] = where
			if d := op.Responses.Default(); d == nil || d.Ref != "#/components/responses/Error" {
				t.Errorf("%s has no default response of the error shape (default: {$ref: '#/components/responses/Error'})", where)
			}
		}
	}
	for _, name := range []string{"bearer", "session", "csrf"} {
		if c.doc.Components.SecuritySchemes[name] == nil {
			t.Errorf("components.securitySchemes has no %s", name)
		}
	}
	if s := c.doc.Components.SecuritySchemes["csrf"]; s != nil && (s.Value.In != "header" || s.Value.Name != "X-CSRF-Token") {
		t.Errorf("the csrf scheme is %s %q, want the X-CSRF-Token header", s.Value.In, s.Value.Name)
	}
}

// TestOpenAPICatchesMismatch: the check refuses an answer with a renamed
// field, an error without its code, an undocumented status and an API
// path the document lacks, so a green suite means something.
func TestOpenAPICatchesMismatch(t *testing.T) {
	c := contract(t)
	mou := `{"id":1,"title":"SRO","template":"sro-mou","workflow":"default","workflow_version":1,"stage":"draft",` +
		`"current_revision":1,"parties":[],"created_at":"2026-01-02T03:04:05Z"}`
	get := func(path string) *http.Request {
		r, _ := http.NewRequest(http.MethodGet, "http://x"+path, nil)
		return r
	}
	jsonHeader := http.Header{"Content-Type": {"application/json; charset=utf-8"}}
	if err := c.check(get("/api/v1/mous/1"), 200, jsonHeader, []byte(`{"mou":`+mou+`,"amendments":[]}`)); err != nil {
		t.Fatalf("a right answer is refused: %v", err)
	}
	for name, tc := range map[string]struct {
		path   string
		status int
		body   string
	}{
		"renamed field":                     {"/api/v1/mous/1", 200, `{"mou":` + strings.Replace(mou, `"title"`, `"name"`, 1) + `,"amendments":[]}`},
		"wrong type":                        {"/api/v1/mous/1", 200, `{"mou":` + strings.Replace(mou, `"id":1`, `"id":"1"`, 1) + `,"amendments":[]}`},
		"error without code":                {"/api/v1/mous/1", 404, `{"error":{"message":"not found"}}`},
		"error with extra":                  {"/api/v1/mous/1", 404, `{"error":{"code":"not_found","message":"not found","hint":"x"}}`},
		"undocumented path":                 {"/api/v1/nothing", 200, `{}`},
		"unknown path, not the error shape": {"/api/v1/nothing", 404, `{"message":"not found"}`},
	} {
		if err := c.check(get(tc.path), tc.status, jsonHeader, []byte(tc.body)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestOpenAPISchemasFollowGoTypes: each component that stands for a Go
// type has exactly the type's JSON fields, and requires exactly those
// without omitempty, so a field added, renamed or made optional in Go
// fails here even when no test's answer happens to show it.
func TestOpenAPISchemasFollowGoTypes(t *testing.T) {
	c := contract(t)
	for name, v := range map[string]any{
		"User": desk.User{}, "Party": desk.Party{}, "APIToken": desk.APIToken{},
		"Variable": clause.Variable{}, "ClauseHit": desk.ClauseHit{}, "Clause": desk.ClauseVersion{}, "VersionInfo": desk.VersionInfo{},
		"Template": desk.TemplateInfo{}, "PartyRole": mou.PartyRole{}, "TemplateSection": mou.TemplateSection{}, "SignatureLine": mou.SignatureLine{},
		"MOU": desk.MOU{}, "MOUParty": desk.MOUParty{},
		"Amendment": desk.Amendment{}, "AmendsInfo": desk.AmendsInfo{},
		"RevisionInfo": mou.RevisionInfo{}, "Revision": mou.Revision{}, "Section": mou.Section{},
		"Redline": redline.Result{}, "RedlineOp": redline.Op{}, "Deviation": desk.Deviation{},
		"StageChange": desk.StageChange{}, "Meeting": desk.Meeting{}, "Outcome": desk.Outcome{}, "Vote": workflow.Vote{},
		"Feedback": desk.Feedback{}, "Approval": desk.ApprovalRecord{},
		"RecommendationSource": desk.RecommendationSource{}, "Disposition": desk.Disposition{},
		"Recommendation": desk.Recommendation{}, "Matrix": desk.Matrix{},
		"Signatory": desk.Signatory{}, "SigningView": desk.SigningView{}, "Signature": desk.Signature{},
		"Verification": verifyAnswer{}, "PublicMOU": desk.PublicMOU{}, "PublicRecord": desk.PublicRecord{},
		"WorkflowVersion": desk.WorkflowVersion{}, "WorkflowSummary": desk.WorkflowSummary{}, "WorkflowDetail": desk.WorkflowDetail{},
		"AuditEvent": audit.Event{}, "Notification": desk.Notification{},
		"StatusUpdate": desk.StatusUpdate{}, "Accountability": desk.Accountability{},
	} {
		ref := c.doc.Components.Schemas[name]
		if ref == nil || ref.Value == nil {
			t.Errorf("components.schemas has no %s", name)
			continue
		}
		props, required := jsonFields(reflect.TypeOf(v))
		var documented []string
		for p := range ref.Value.Properties {
			documented = append(documented, p)
		}
		slices.Sort(documented)
		want := slices.Clone(ref.Value.Required)
		slices.Sort(want)
		if !slices.Equal(documented, props) {
			t.Errorf("%s documents the properties %v; %T has %v", name, documented, v, props)
		}
		if !slices.Equal(want, required) {
			t.Errorf("%s requires %v; %T always sends %v", name, want, v, required)
		}
	}
}

// jsonFields are the names encoding/json writes for a struct type, sorted,
// and those it always writes (no omitempty or omitzero). Embedded structs
// contribute their fields unless the outer type has one of the same name.
func jsonFields(typ reflect.Type) (all, always []string) {
	seen := map[string]bool{}
	var walk func(reflect.Type, int)
	type field struct {
		name  string
		omit  bool
		depth int
	}
	var fields []field
	walk = func(typ reflect.Type, depth int) {
		for typ.Kind() == reflect.Pointer {
			typ = typ.Elem()
		}
		for i := range typ.NumField() {
			f := typ.Field(i)
			tag := f.Tag.Get("json")
			if f.Anonymous && tag == "" {
				walk(f.Type, depth+1)
				continue
			}
			if !f.IsExported() || tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			if name == "" {
				name = f.Name
			}
			fields = append(fields, field{name, strings.Contains(opts, "omitempty") || strings.Contains(opts, "omitzero"), depth})
		}
	}
	walk(typ, 0)
	// The shallowest field of a name wins, as in encoding/json.
	slices.SortStableFunc(fields, func(a, b field) int { return a.depth - b.depth })
	for _, f := range fields {
		if seen[f.name] {
			continue
		}
		seen[f.name] = true
		all = append(all, f.name)
		if !f.omit {
			always = append(always, f.name)
		}
	}
	slices.Sort(all)
	slices.Sort(always)
	return all, always
}
