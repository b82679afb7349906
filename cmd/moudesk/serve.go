package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	iofs "io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/moudesk/moudesk/internal/desk"
	"github.com/moudesk/moudesk/internal/pdfsign"
	"github.com/moudesk/moudesk/internal/suppress"
	"github.com/moudesk/moudesk/internal/webhook"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/clauses"
	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/clause"
	"github.com/moudesk/moudesk/internal/demo"
	"github.com/moudesk/moudesk/internal/mou"
	"github.com/moudesk/moudesk/internal/sqlite"
	"github.com/moudesk/moudesk/internal/web"
	"github.com/moudesk/moudesk/templates"
)

func (e *env) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// open opens the database with its audit checkpoint, refusing a log that
// no longer reaches it, and loads the shipped clause library into it.
// closeDB anchors the last audit event and closes the database.
func (e *env) open(ctx context.Context, log *slog.Logger) (db *sqlite.DB, closeDB func(), err error) {
	anchor, err := e.openAnchor(true)
	if err != nil {
		return nil, nil, err
	}
	db, err = e.openStore(ctx, sqlite.Options{Anchor: anchor})
	if err != nil {
		return nil, nil, err
	}
	stopAnchor, err := e.startAnchor(ctx, db, anchor, func(err error) {
		log.Error("audit checkpoint not advanced", "checkpoint", anchor.Path(), "err", err)
	})
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	closeDB = func() { stopAnchor(); db.Close() }
	shipped, err := clause.LoadFS(clauses.FS)
	if err != nil {
		closeDB()
		return nil, nil, fmt.Errorf("shipped clause library: %w", err)
	}
	rep, err := db.SyncLibrary(ctx, shipped)
	if err != nil {
		closeDB()
		return nil, nil, fmt.Errorf("load clause library: %w", err)
	}
	if len(rep.Added)+len(rep.Updated) > 0 {
		log.Info("clause library loaded", "added", len(rep.Added), "updated", rep.Updated, "unchanged", rep.Unchanged)
	}
	for _, slug := range rep.Kept {
		log.Warn("shipped clause changed but was edited here; kept the local version", "clause", slug)
	}
	return db, closeDB, nil
}

func (e *env) serve(ctx context.Context, args []string) error {
	fs := e.flags("serve")
	addr := fs.String("addr", firstNonEmpty(e.getenv("MOUDESK_ADDR"), "127.0.0.1:8080"), "listen address")
	secure := fs.Bool("secure-cookies", e.getenv("MOUDESK_SECURE_COOKIES") == "true", "mark session cookies Secure (when behind a TLS proxy)")
	publicURL := fs.String("public-url", e.getenv("MOUDESK_PUBLIC_URL"), "URL the public reaches this server at, printed on signed PDFs (default http://ADDR)")
	kf := e.keyFlags(fs)
	tf := e.tsaFlags(fs)
	withDemo := fs.Bool("demo", false, "load the demo (two parties, a user per role, MOUs with history) into a new database; prints the passwords")
	pprofAddr := fs.String("pprof", "", "serve Go's pprof profiles on this address (e.g. 127.0.0.1:6060); off by default")
	remindEvery := fs.Duration("obligation-reminders-interval", time.Hour, "how often to record due-soon and late reminders of executed MOUs' obligations for the notifications (0: never)")
	ltvEvery := fs.Duration("ltv-refresh-interval", 24*time.Hour, "how often to give executed MOUs a new document timestamp when their last one's TSA certificate expires soon (0: never)")
	hooksPrivate := fs.Bool("webhooks-allow-private", e.getenv("MOUDESK_WEBHOOKS_ALLOW_PRIVATE") == "true", "let webhooks call loopback and private addresses (tests, development); off in production, where a webhook could reach internal hosts")
	hooksEvery := fs.Duration("webhooks-interval", 10*time.Second, "how often the webhook worker looks for events and retries due (0: no deliveries)")
	ltvWithin := fs.Duration("ltv-refresh-within", 90*24*time.Hour, "refresh an executed MOU whose newest document timestamp's TSA certificate expires within this")
	mf := e.mailFlags(fs)
	suppressBelow := fs.Int("suppress-below", suppress.DefaultThreshold, "on public pages and public CSV, show counts of students below this as \"<N\" (1 to 1000)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *suppressBelow < 1 || *suppressBelow > suppress.MaxThreshold {
		return exitError{code: 2, msg: fmt.Sprintf("--suppress-below %d: want 1 to %d; published student counts are always suppressed below some threshold", *suppressBelow, suppress.MaxThreshold)}
	}
	mailCfg, mailOn, err := e.mailConfig(mf)
	if err != nil {
		return err
	}
	log := e.logger()
	db, closeDB, err := e.open(ctx, log)
	if err != nil {
		return err
	}
	defer closeDB()
	// Templates may name only clauses the library holds; the library was
	// just synced, so the database is the list to check against.
	mouFS, err := iofs.Sub(templates.FS, "mou")
	if err != nil {
		return fmt.Errorf("MOU templates: %w", err)
	}
	tmpls, err := mou.LoadTemplates(mouFS, func(slug string) bool {
		_, err := db.ClauseVersion(ctx, slug, 0)
		return err == nil
	})
	if err != nil {
		return fmt.Errorf("load MOU templates: %w", err)
	}
	keys, err := e.loadKeys(kf)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	if *publicURL == "" {
		*publicURL = "http://" + ln.Addr().String()
	}
	// Certificates issued from now on name the public CRL, and so does the
	// built-in TSA's when it is first issued.
	if keys.Authority != nil {
		keys.Authority.CRLURL = strings.TrimRight(*publicURL, "/") + "/ca/crl"
	}
	if err := e.attachTSA(keys, tf); err != nil {
		ln.Close()
		return err
	}
	policy := webhook.Policy{AllowPrivate: *hooksPrivate, Self: selfAddrs(ln.Addr().String(), *publicURL)}
	svc, err := newService(db, tmpls, keys, policy)
	if err != nil {
		ln.Close()
		return err
	}
	srv := web.New(web.Config{Service: svc, Logger: log, SecureCookies: *secure, PublicURL: *publicURL, SuppressBelow: *suppressBelow})
	// The demo goes before the first admin: its own administrator makes
	// the bootstrap one unnecessary, and it refuses a database with data.
	if *withDemo {
		if _, err := demo.Load(ctx, demo.Config{DB: db, Handler: srv.Handler(), Hasher: auth.DefaultHasher(), Out: e.stdout}); err != nil {
			ln.Close()
			return fmt.Errorf("--demo: %w", err)
		}
	}
	if err := e.firstAdmin(ctx, db, log); err != nil {
		ln.Close()
		return err
	}
	stopLTV := startLTVRefresh(ctx, svc, keys, *ltvEvery, *ltvWithin, log)
	defer stopLTV()
	stopMail, err := startMail(ctx, svc, mailCfg, mailOn, *mf.interval, *publicURL, log)
	if err != nil {
		ln.Close()
		return err
	}
	defer stopMail()
	stopHooks := startWebhooks(ctx, svc, webhook.NewSender(policy), *publicURL, *hooksEvery, log)
	defer stopHooks()
	stopReminders := startObligationReminders(ctx, svc, *remindEvery, log)
	defer stopReminders()
	hs := srv.HTTPServer(*addr)
	log.Info("moudesk listening", "addr", "http://"+ln.Addr().String(), "db", db.Path())
	if *pprofAddr != "" {
		stopProfiles, err := serveProfiles(*pprofAddr, log)
		if err != nil {
			ln.Close()
			return err
		}
		defer stopProfiles()
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing in-flight requests")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	log.Info("stopped cleanly")
	return nil
}

// firstAdmin creates the first administrator on an empty database, with
// the password from MOUDESK_ADMIN_PASSWORD or a random one logged once,
// which must be replaced at first sign-in.
func (e *env) firstAdmin(ctx context.Context, db *sqlite.DB, log *slog.Logger) error {
	n, err := db.CountUsers(ctx)
	if err != nil || n > 0 {
		return err
	}
	pw := e.getenv("MOUDESK_ADMIN_PASSWORD")
	printed := pw == ""
	if printed {
		var b [18]byte
		if _, err := rand.Read(b[:]); err != nil {
			return fmt.Errorf("generate admin password: %w", err)
		}
		pw = base64.RawURLEncoding.EncodeToString(b[:])
	}
	hash, err := auth.HashPassword(pw)
	if err != nil {
		return fmt.Errorf("MOUDESK_ADMIN_PASSWORD: %w", err)
	}
	const email = "admin@moudesk.local"
	// Whoever reads the log or the environment knows this password, so
	// it only lets the administrator in to choose their own.
	if _, err := db.CreateUser(ctx, moudesk.System, desk.NewUser{Email: email, Name: "Administrator", Roles: []auth.Role{auth.RoleAdmin},
		PasswordHash: hash, MustChangePassword: true}); err != nil {
		if me, ok := moudesk.AsError(err); ok && me.Code == "already_exists" {
			// Another instance on the same database made it meanwhile.
			log.Info("the first administrator was created by another instance", "email", email)
			return nil
		}
		return fmt.Errorf("create first admin: %w", err)
	}
	if printed {
		log.Warn("created the first administrator; this one-time password is shown only now — sign in and set your own (nothing else is allowed until you do)", "email", email, "password", pw)
	} else {
		log.Info("created the first administrator from MOUDESK_ADMIN_PASSWORD; sign in and set your own password (nothing else is allowed until you do)", "email", email)
	}
	return nil
}

func (e *env) migrate(ctx context.Context, args []string) error {
	fs := e.flags("migrate")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	db, err := e.openStore(ctx, sqlite.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "database %s is at schema version %d\n", db.Path(), v)
	return nil
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// service builds the application on db with the shipped workflow
// definitions, the given MOU templates and signing keys (either may be
// nil where a command needs neither) and the webhook URL policy.
func newService(db *sqlite.DB, tmpls map[string]*mou.Template, keys *pdfsign.Keys, hooks webhook.Policy) (*desk.Service, error) {
	wfFS, err := iofs.Sub(templates.FS, "workflows")
	if err != nil {
		return nil, fmt.Errorf("workflow definitions: %w", err)
	}
	defs, err := desk.LoadWorkflows(wfFS)
	if err != nil {
		return nil, err
	}
	return desk.New(desk.Config{Store: db, Workflows: defs, Templates: tmpls, Keys: keys, Webhooks: hooks})
}

// selfAddrs are the host:port addresses this server answers at, which
// no webhook may call: the listen address and the public URL's.
func selfAddrs(listen, publicURL string) []string {
	out := []string{listen}
	if u, err := url.Parse(publicURL); err == nil && u.Hostname() != "" {
		port := u.Port()
		if port == "" {
			port = map[string]string{"https": "443"}[u.Scheme]
			if port == "" {
				port = "80"
			}
		}
		out = append(out, net.JoinHostPort(u.Hostname(), port))
	}
	return out
}

// startWebhooks runs the webhook delivery worker every interval: events
// past each webhook's cursor become deliveries, and each due delivery
// gets one attempt. Off (said once) with interval 0. The returned func
// stops it and waits, so no attempt outlives the database.
func startWebhooks(ctx context.Context, svc *desk.Service, sender desk.WebhookSender, base string, interval time.Duration, log *slog.Logger) (stop func()) {
	if interval <= 0 {
		log.Info("webhook deliveries off: --webhooks-interval is 0")
		return func() {}
	}
	return every(ctx, 0, interval, func(ctx context.Context) {
		n, failed, err := svc.DeliverWebhooks(ctx, sender, base, time.Now())
		if n > 0 {
			log.Info("webhook deliveries", "attempts", n, "failed", failed)
		}
		if err != nil && ctx.Err() == nil {
			log.Error("webhook deliveries", "err", err)
		}
	})
}

// every runs job first after first, then interval after each run ends,
// until ctx is done. The returned func stops it and waits for a run in
// progress, so no job outlives the database the server closes next.
func every(ctx context.Context, first, interval time.Duration, job func(context.Context)) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		wait := time.NewTimer(first)
		defer wait.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-wait.C:
			}
			job(ctx)
			wait.Reset(interval)
		}
	}()
	return func() { cancel(); <-done }
}

// ltvFirstRun is how long after start the LTV refresh first runs: after
// the server is up, not in the way of its start.
const ltvFirstRun = 30 * time.Second

// startLTVRefresh runs svc.RefreshLTV shortly after start and then every
// interval, logging what it refreshed and what failed; the server goes on
// either way. Off (said once) without a TSA or with interval 0. The
// returned func stops it and waits, so it never outlives the database.
func startLTVRefresh(ctx context.Context, svc *desk.Service, keys *pdfsign.Keys, interval, within time.Duration, log *slog.Logger) (stop func()) {
	switch {
	case keys == nil || keys.TSA == nil:
		log.Info("LTV refresh off: no TSA to make document timestamps")
		return func() {}
	case interval <= 0:
		log.Info("LTV refresh off: --ltv-refresh-interval is 0")
		return func() {}
	}
	return every(ctx, ltvFirstRun, interval, func(ctx context.Context) {
		n, err := svc.RefreshLTV(ctx, time.Now(), within)
		if n > 0 {
			log.Info("LTV refreshed", "mous", n, "within", within)
		}
		if err != nil && ctx.Err() == nil {
			log.Error("LTV refresh", "err", err, "refreshed", n)
		}
	})
}

// startObligationReminders records obligations' due-soon and late
// reminders (desk.RecordObligationEvents) shortly after start and then
// every interval; a failure is logged and the next run tries again. Each
// reminder is recorded once, so the interval only bounds how late one is
// noticed. The returned func stops it and waits.
func startObligationReminders(ctx context.Context, svc *desk.Service, interval time.Duration, log *slog.Logger) (stop func()) {
	if interval <= 0 {
		log.Info("obligation reminders off: --obligation-reminders-interval is 0")
		return func() {}
	}
	return every(ctx, ltvFirstRun, interval, func(ctx context.Context) {
		n, err := svc.RecordObligationEvents(ctx)
		if n > 0 {
			log.Info("obligation reminders recorded", "events", n)
		}
		if err != nil && ctx.Err() == nil {
			log.Error("obligation reminders", "err", err)
		}
	})
}
