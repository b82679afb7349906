package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"strings"
	"time"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/render"
	"github.com/moudesk/moudesk/templates"
)

// pageEngine holds one parsed template set per page: the layout, the
// partials and that page's own file. Sets are separate because every page
// defines "content"; one shared namespace (gin's LoadHTMLGlob) would let
// the last page parsed win.
type pageEngine struct {
	sets map[string]*template.Template
	// assetVersion changes whenever a static file does, so browsers may
	// cache /static for a long time and still see new CSS and JS.
	assetVersion string
}

// newPageEngine parses every page under templates/web/pages once.
func newPageEngine() (*pageEngine, error) {
	web, err := fs.Sub(templates.FS, "web")
	if err != nil {
		return nil, fmt.Errorf("page templates: %w", err)
	}
	pages, err := fs.Glob(web, "pages/*.html")
	if err != nil {
		return nil, fmt.Errorf("page templates: %w", err)
	}
	e := &pageEngine{sets: map[string]*template.Template{}}
	for _, p := range pages {
		t, err := template.New("layout.html").Funcs(pageFuncs).ParseFS(web, "layout.html", "partials/*.html", p)
		if err != nil {
			return nil, fmt.Errorf("parse page %s: %w", p, err)
		}
		e.sets[strings.TrimSuffix(path.Base(p), ".html")] = t
	}
	h := sha256.New()
	err = fs.WalkDir(web, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(web, p)
		h.Write([]byte(p))
		h.Write(b)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("static assets: %w", err)
	}
	e.assetVersion = hex.EncodeToString(h.Sum(nil))[:12]
	return e, nil
}

// render executes page name into a buffer, so a template error becomes a
// clean 500 instead of half a page.
func (e *pageEngine) render(name string, v any) ([]byte, error) {
	t, ok := e.sets[name]
	if !ok {
		return nil, fmt.Errorf("no page template %q", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		return nil, fmt.Errorf("render page %s: %w", name, err)
	}
	return buf.Bytes(), nil
}

// pageFuncs are the helpers templates may call. markdown is the only one
// that returns template.HTML, and it renders through goldmark with raw HTML
// dropped and unsafe links emptied.
var pageFuncs = template.FuncMap{
	"markdown": markdownHTML,
	"when":     func(t time.Time) string { return t.Local().Format("2 Jan 2006, 15:04") },
	"day":      func(t time.Time) string { return t.Local().Format("2 Jan 2006") },
	"short":    func(h string) string { return moudesk.ShortHash(h, moudesk.ShortHashLen) },
	// isodate writes a stored yyyy-mm-dd day the way people read it.
	"isodate": func(d string) string {
		if t, err := time.Parse("2006-01-02", d); err == nil {
			return t.Format("2 January 2006")
		}
		return d
	},
	"add": func(a, b int) int { return a + b },
	// duerule says when each period's evidence is due: "30 days" after
	// the period, or by a date.
	"duerule": func(s string) string {
		if strings.HasSuffix(s, " days") || strings.HasSuffix(s, " day") {
			return s + " after each period ends"
		}
		return "by " + s
	},
	// statuslabel is a monitoring body's obligation status in words.
	"statuslabel": func(s string) string {
		if l, ok := map[string]string{"on_track": "On track", "at_risk": "At risk", "off_track": "Off track", "complete": "Complete"}[s]; ok {
			return l
		}
		return s
	},
	"can": func(p *auth.Principal, a string) bool {
		return p.Can(auth.Action(a))
	},
	"roles": func(rs []auth.Role) string { return strings.ReplaceAll(auth.FormatRoles(rs), ",", ", ") },
	"field": func(errs map[string]string, name string) string { return errs[name] },
	"errid": func(name string) string { return "err-" + strings.NewReplacer(".", "-", "_", "-").Replace(name) },
	"inputid": func(name string) string {
		return "f-" + strings.NewReplacer(".", "-", "_", "-").Replace(name)
	},
	"kinds": func() []string { return []string{"city", "district", "agency"} },
	"list4": func() []string { return []string{"aye", "nay", "abstain", "absent"} },
	"dict": func(kv ...any) map[string]any {
		m := make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			if k, ok := kv[i].(string); ok {
				m[k] = kv[i+1]
			}
		}
		return m
	},
}

// markdownHTML renders user Markdown for display. It is safe to embed:
// render.HTML drops raw HTML and empties javascript: and similar links. On
// error the text is shown escaped rather than not at all.
func markdownHTML(md string) template.HTML {
	out, err := render.HTML([]byte(md))
	if err != nil {
		return template.HTML("<pre>" + template.HTMLEscapeString(md) + "</pre>")
	}
	return template.HTML(out) //nolint:gosec // sanitized by render.HTML (no raw HTML, safe links)
}
