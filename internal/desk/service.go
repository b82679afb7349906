// Package desk holds moudesk's use cases: every act on an MOU, each taking
// a plain context and the acting principal, checked and written once, so
// the JSON API, the pages and the command line share one set of rules.
// It knows the database only as the Store interface and HTTP not at all.
package desk

import (
	"context"
	"crypto/x509"
	"errors"
	"maps"
	"slices"
	"time"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/cache"
	"github.com/moudesk/moudesk/internal/clause"
	"github.com/moudesk/moudesk/internal/mou"
	"github.com/moudesk/moudesk/internal/obligation"
	"github.com/moudesk/moudesk/internal/pdfsign"
	"github.com/moudesk/moudesk/internal/webhook"
	"github.com/moudesk/moudesk/internal/workflow"
	"github.com/moudesk/moudesk/templates"
)

// Bounds of the cache of stored PDFs' words for text matching: a 40-page
// MOU is about 12,000 words, some 250 KB here; the executed MOUs the public
// checks copies of are few.
const (
	storedTextCacheSize  = 64
	storedTextCacheBytes = 16 << 20
)

// Config is what the service is built from, wired by cmd/moudesk.
type Config struct {
	Store Store
	// Workflows are the definitions shipped in the binary (LoadWorkflows):
	// New stores each as a version of its name, and from then on the
	// stored versions are what MOUs follow (WorkflowRegistry).
	Workflows Workflows
	Templates map[string]*mou.Template // MOU document templates by slug
	// Keys sign MOUs and seals; nil refuses signing (503 signing_unavailable).
	Keys *pdfsign.Keys
	Now  func() time.Time
	// Throttle counts wrong passwords: sign-in's per account and per
	// address, and the signing ceremony's and password change's apart,
	// per account and address together (auth.Throttle); nil means 5 a
	// minute.
	Throttle *auth.Throttle
	// Webhooks is which URLs webhooks may call (webhook.Policy); the zero
	// value allows public addresses only.
	Webhooks webhook.Policy
	// Datasets are the schemas obligations' datasets are checked against;
	// nil loads the shipped ones (templates/datasets).
	Datasets map[string]*obligation.Schema
}

// Service is the application: the store, the keys, the templates and the
// workflow definitions, and one cache of each kind. Reads are the store's
// own (they change nothing); every write is a method of Service.
type Service struct {
	Reader
	store     Store
	workflows *WorkflowRegistry
	templates map[string]*mou.Template
	keys      *pdfsign.Keys
	now       func() time.Time
	throttle  *auth.Throttle
	// webhookPolicy decides which URLs a webhook may be registered for.
	webhookPolicy webhook.Policy
	// storedText holds the words of stored signing PDFs and certificates
	// for verification by text.
	storedText *cache.LRU[storedTextKey, []string]
	// pdfs is the one cache of rendered PDFs (revisions, redlines,
	// packets), shared by the API and the pages.
	pdfs *cache.LRU[string, *PDF]
	// scopes holds each MOU's parties and template, which never change
	// after creation (scopeOf).
	scopes *cache.LRU[int64, *MOU]
	// revisions holds revisions as read from the store: they never change.
	revisions *cache.LRU[revisionKey, *mou.Revision]
	// redlines holds rendered redlines (JSON, HTML, text) by revisions.
	redlines *cache.LRU[redlineKey, []byte]
	// datasets are the dataset schemas by name.
	datasets map[string]*obligation.Schema
}

// New builds the service.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil {
		return nil, errors.New("desk: no store")
	}
	if len(cfg.Workflows) == 0 {
		return nil, errors.New("desk: no workflow definitions")
	}
	if _, ok := cfg.Workflows["default"]; !ok {
		return nil, errors.New("desk: the workflow definitions lack \"default\"")
	}
	for _, t := range cfg.Templates {
		if err := checkTemplateHTML(t); err != nil {
			return nil, err
		}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	// Storing the shipped definitions is part of building the service, as
	// loading them is: no request can come before it, so no request
	// context exists to carry.
	if err := syncShipped(context.Background(), cfg.Store, cfg.Workflows); err != nil {
		return nil, err
	}
	if cfg.Throttle == nil {
		cfg.Throttle = auth.NewThrottle(5, time.Minute, cfg.Now)
	}
	if cfg.Datasets == nil {
		var err error
		if cfg.Datasets, err = obligation.LoadSchemas(templates.FS, "datasets"); err != nil {
			return nil, err
		}
	}
	return &Service{datasets: cfg.Datasets, throttle: cfg.Throttle, webhookPolicy: cfg.Webhooks, Reader: cfg.Store, store: cfg.Store, workflows: newWorkflowRegistry(cfg.Store),
		templates: cfg.Templates, keys: cfg.Keys, now: cfg.Now,
		storedText: cache.New[storedTextKey](storedTextCacheSize, storedTextCacheBytes, wordsSize),
		pdfs:       newPDFCache(pdfCacheEntries, pdfCacheBytes),
		revisions:  newRevisionCache(),
		scopes:     cache.New[int64](4096, 4<<20, func(m *MOU) int { return 128 * (1 + len(m.Parties)) }),
		redlines:   newRedlineCache()}, nil
}

// Workflows is the registry of stored workflow definitions.
func (s *Service) Workflows() *WorkflowRegistry { return s.workflows }

// Workflow is the version of the definition named that an MOU follows
// (MOU.Workflow, MOU.WorkflowVersion); 422 unknown_workflow or
// invalid_workflow when it cannot be used (WorkflowRegistry.Lookup).
func (s *Service) Workflow(ctx context.Context, name string, version int) (*workflow.Definition, error) {
	return s.workflows.Lookup(ctx, name, version)
}

// Template is the MOU template with slug, if loaded.
func (s *Service) Template(slug string) (*mou.Template, bool) {
	t, ok := s.templates[slug]
	return t, ok
}

// Templates lists the loaded MOU templates by slug.
// TemplateInfo is a template as GET /api/v1/templates shows it:
// Variables are every variable an MOU from it asks for, the template's own
// and those of the library clauses it is assembled from (latest
// versions), so a client can fill them all before creating one.
type TemplateInfo struct {
	*mou.Template
	Variables []clause.Variable `json:"variables"`
}

// TemplateInfos are the loaded templates with all their variables.
func (s *Service) TemplateInfos(ctx context.Context) ([]TemplateInfo, error) {
	out := []TemplateInfo{}
	for _, t := range s.Templates() {
		lib, err := s.store.LatestClauses(ctx, t.ClauseSlugs())
		if err != nil {
			return nil, err
		}
		out = append(out, TemplateInfo{Template: t, Variables: mou.Variables(t, lib)})
	}
	return out, nil
}

func (s *Service) Templates() []*mou.Template {
	out := make([]*mou.Template, 0, len(s.templates))
	for _, slug := range slices.Sorted(maps.Keys(s.templates)) {
		out = append(out, s.templates[slug])
	}
	return out
}

// Keys are the signing keys, or 503 signing_unavailable when none are
// configured.
func (s *Service) Keys() (*pdfsign.Keys, error) {
	if s.keys == nil {
		return nil, &moudesk.Error{Kind: moudesk.KindUnavailable, Code: "signing_unavailable", Message: "this server has no signing keys configured"}
	}
	return s.keys, nil
}

// Roots is the certificate pool signatures are verified against; nil when
// no keys are configured.
func (s *Service) Roots() *x509.CertPool {
	if s.keys == nil {
		return nil
	}
	return s.keys.Roots()
}

// Throttle counts wrong passwords; web's sign-in uses the service's.
func (s *Service) Throttle() *auth.Throttle { return s.throttle }

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.now() }
