// Package web is moudesk's HTTP face: the JSON API under /api/v1 and the
// pages, both on one Gin engine. Handlers return errors; one adapter turns
// them into the docs/design.md error shape, so no handler can forget to stop
// after writing an error.
package web

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/moudesk/moudesk/api"
	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/desk"
	"github.com/moudesk/moudesk/internal/suppress"
)

// Config is everything the web layer needs, wired by cmd/moudesk.
type Config struct {
	Service       *desk.Service
	Logger        *slog.Logger
	SecureCookies bool // always mark the session cookie Secure (behind a TLS proxy)
	SessionIdle   time.Duration
	SessionMax    time.Duration
	Now           func() time.Time
	Hasher        auth.Hasher // password hashing cost; tests use a cheap one
	// PublicURL is where the public reaches this server (no trailing
	// slash), printed in executed PDFs' footers; "" means the request's host.
	PublicURL string
	// SuppressBelow is the small-number threshold of public pages and
	// public CSV (suppress.Rule); 0 means suppress.DefaultThreshold.
	// There is no way to turn suppression off: published counts are of
	// students.
	SuppressBelow int
}

// Server holds the dependencies every handler uses.
type Server struct {
	cfg      Config
	desk     *desk.Service
	log      *slog.Logger
	engine   *gin.Engine
	throttle *auth.Throttle
	// rules maps "METHOD /path" to the action each route requires; the
	// route-walk test fails if a registered route has none.
	rules map[string]auth.Action
	// uploads holds the "METHOD /path" of routes that take a file and bound
	// its size themselves, so limitFormBody leaves their multipart bodies be.
	uploads map[string]bool
	pages   *pageEngine // the HTML pages' templates, parsed once
	apiDoc  []byte      // the OpenAPI document as JSON, converted once
}

// New builds the server and its routes.
func New(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.SuppressBelow <= 0 {
		cfg.SuppressBelow = suppress.DefaultThreshold
	}
	if cfg.SessionIdle == 0 {
		cfg.SessionIdle = 8 * time.Hour
	}
	if cfg.SessionMax == 0 {
		cfg.SessionMax = 7 * 24 * time.Hour
	}
	if cfg.Hasher == (auth.Hasher{}) {
		cfg.Hasher = auth.DefaultHasher()
	}
	// The page templates are embedded in the binary and parsed by a test, so
	// a parse error here is a build mistake, not something input can cause.
	pages, err := newPageEngine()
	if err != nil {
		panic(err)
	}
	// The OpenAPI document is embedded too, and the tests load it.
	apiDoc, err := api.JSON()
	if err != nil {
		panic(err)
	}
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.HandleMethodNotAllowed = true
	e.ContextWithFallback = true
	// No proxy is trusted unless configured: the client address is the
	// socket's, so throttling cannot be dodged with a forged header.
	_ = e.SetTrustedProxies(nil)
	s := &Server{
		cfg:      cfg,
		desk:     cfg.Service,
		log:      cfg.Logger,
		engine:   e,
		throttle: cfg.Service.Throttle(),
		rules:    map[string]auth.Action{},
		uploads:  map[string]bool{},
		pages:    pages,
		apiDoc:   apiDoc,
	}
	s.routes()
	return s
}

// Handler is the server as a plain http.Handler.
func (s *Server) Handler() http.Handler { return s.engine }

// HTTPServer wraps the handler with the timeouts a public service needs.
func (s *Server) HTTPServer(addr string) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           s.engine,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
}
