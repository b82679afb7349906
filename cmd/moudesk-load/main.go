// Command moudesk-load drives a running moudesk server with concurrent
// clients over a realistic mix (reads, redlines of the 40-page bench pair,
// PDFs, racing revision saves, review writes), prints throughput and
// latency per request kind, then checks that every acknowledged write is
// stored exactly as sent, that refused writes left no row, that the
// database passes PRAGMA integrity_check and that the audit chain
// verifies. It exits 1 when any check fails.
//
//	moudesk-load -url http://127.0.0.1:8080 -db data/moudesk.db -moudesk ./moudesk -setup \
//	    -bench ../shared/bench -clients 32 -duration 30s
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/moudesk/moudesk/internal/load"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	switch {
	case errors.Is(err, flag.ErrHelp):
	case errors.Is(err, errChecksFailed):
		os.Exit(1)
	case err != nil:
		fmt.Fprintln(os.Stderr, "moudesk-load:", err)
		os.Exit(2)
	}
}

var errChecksFailed = errors.New("end checks failed")

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("moudesk-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("url", "http://127.0.0.1:8080", "server to load; several instances of one deployment comma-separated (clients spread over them)")
	token := fs.String("token", os.Getenv("MOUDESK_LOAD_TOKEN"), "API token of a drafter (or admin)")
	email := fs.String("email", "", "sign in as this drafter instead of a token (password from $MOUDESK_LOAD_PASSWORD)")
	clerk := fs.String("clerk-token", os.Getenv("MOUDESK_LOAD_CLERK_TOKEN"), "API token of a clerk of the city party (for review writes)")
	city := fs.String("city", "", "slug of the city party")
	district := fs.String("district", "", "slug of the district party")
	setup := fs.Bool("setup", false, "create the parties, a drafter and a clerk with `moudesk` on -db first (instead of -token, -clerk-token, -city, -district)")
	clients := fs.Int("clients", 32, "concurrent clients")
	duration := fs.Duration("duration", 10*time.Second, "how long to send requests")
	mix := fs.String("mix", "", "weights per kind, e.g. revision=1 (kinds: mou, revision, redline, pdf, save, workflow; default mou=10,revision=40,redline=15,pdf=5,save=20,workflow=10)")
	bench := fs.String("bench", "../shared/bench", "folder with mou-40p.md and mou-40p-v2.md")
	db := fs.String("db", "", "the server's database file (or postgres:// URL), for PRAGMA integrity_check (opened read-only) and audit verify")
	moudesk := fs.String("moudesk", "", "moudesk binary, for --setup and `moudesk audit verify` on -db")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg := load.Config{
		URL: *url, Clients: *clients, Duration: *duration, BenchDir: *bench, DB: *db, Moudesk: *moudesk, Log: stderr,
		Identities: load.Identities{DrafterToken: *token, DrafterEmail: *email, DrafterPassword: os.Getenv("MOUDESK_LOAD_PASSWORD"),
			ClerkToken: *clerk, City: *city, District: *district},
	}
	if *mix != "" {
		m, err := load.ParseMix(*mix)
		if err != nil {
			return err
		}
		cfg.Mix = m
	}
	if *setup {
		if *moudesk == "" || *db == "" {
			return errors.New("-setup needs -moudesk and -db")
		}
		id, err := load.Provision(ctx, *moudesk, *db)
		if err != nil {
			return err
		}
		cfg.Identities = id
	}
	rep, err := load.Run(ctx, cfg)
	if err != nil {
		return err
	}
	rep.Print(stdout)
	if !rep.OK() {
		return errChecksFailed
	}
	return nil
}
