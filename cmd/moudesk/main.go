// Command moudesk is the whole product in one binary: the web service and
// the operator commands (users, tokens, backup, audit) plus the document
// tools (render, redline, sign, verify) that work on plain files.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/moudesk/moudesk/internal/postgres"
	"github.com/moudesk/moudesk/internal/sqlite"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	var ee exitError
	switch {
	case errors.As(err, &ee):
		if ee.msg != "" {
			fmt.Fprintln(os.Stderr, "moudesk:", ee.msg)
		}
		os.Exit(ee.code)
	case errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	case err != nil:
		fmt.Fprintln(os.Stderr, "moudesk:", err)
		os.Exit(1)
	}
}

// exitError carries a specific exit status (verify uses 1 and 2).
type exitError struct {
	code int
	msg  string
}

func (e exitError) Error() string { return fmt.Sprintf("exit %d: %s", e.code, e.msg) }

// env is what every subcommand gets: I/O and the environment, so tests can
// run the real commands in-process.
type env struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	db     string // --db, resolved
}

const usage = `usage: moudesk [--db PATH|postgres://…] <command> [flags]

commands:
  serve      start the web service (--addr, --public-url, --demo, --secure-cookies, --signing-*)
  migrate    apply database migrations and exit
  migrate-store  copy an SQLite database into an empty PostgreSQL one and verify it (--from FILE --to postgres://…)
  party add  create a party (--slug --name --kind --body)
  user       invite a person (prints their one-time link) | passwd (reset, --password-stdin) |
             add an operator or service account (--password-stdin)
  token      create (your own, --password-stdin) | revoke | list API tokens
  audit      verify the audit chain
  backup     write a consistent copy of the database (-o FILE)
  render     Markdown to PDF (IN.md -o OUT.pdf)
  redline    compare two Markdown files (A.md B.md --format text|json|html|pdf)
  export     Markdown to Word (IN.md -o OUT.docx; --old OLD.md for tracked changes)
  import     Word to sections as JSON (FILE.docx [-o OUT.json])
  sign       sign a PDF (IN.pdf -o OUT.pdf --name N)
  ca export  write the certificate readers must trust (-o ca.pem)
  ca revoke  revoke a certificate moudesk's CA issued (--serial N --reason R); ca crl writes the CRL
  ltv refresh  add validation data and a new document timestamp to a signed PDF (FILE.pdf [-o OUT.pdf])
  obligations list   executed MOUs' obligations and their states ([--late] [--mou N])
  report submit      submit a report for an obligation as yourself (--obligation N --email E --password-stdin FILE.csv|FILE.pdf)
  verify     check a PDF's signatures, and with a database which revision it is (FILE.pdf [--json] [--at DATE] [--trust ROOTS.pem])

The database is --db, else $MOUDESK_DB, else ./data/moudesk.db: a file path is an
SQLite file, a postgres:// URL a PostgreSQL database (signing keys then in
$MOUDESK_KEYS, else ./data/keys).
`

// run parses the global flags and dispatches to a subcommand.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	e := &env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	fs := flag.NewFlagSet("moudesk", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage) }
	fs.StringVar(&e.db, "db", defaultDB(getenv), "SQLite database file or postgres:// URL")
	if err := fs.Parse(args); err != nil {
		return err
	}
	rest := fs.Args()
	if len(rest) == 0 {
		fs.Usage()
		return exitError{code: 2}
	}
	cmd, rest := rest[0], rest[1:]
	switch cmd {
	case "serve":
		return e.serve(ctx, rest)
	case "migrate":
		return e.migrate(ctx, rest)
	case "migrate-store":
		return e.migrateStore(ctx, rest)
	case "party":
		return e.party(ctx, rest)
	case "user":
		return e.user(ctx, rest)
	case "token":
		return e.token(ctx, rest)
	case "audit":
		return e.audit(ctx, rest)
	case "backup":
		return e.backup(ctx, rest)
	case "ca":
		return e.ca(ctx, rest)
	case "export":
		return e.exportCmd(ctx, rest)
	case "import":
		return e.importCmd(ctx, rest)
	case "ltv":
		return e.ltvCmd(ctx, rest)
	case "obligations":
		return e.obligations(ctx, rest)
	case "report":
		return e.report(ctx, rest)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		if sub, ok := e.documentCommands()[cmd]; ok {
			return sub(ctx, rest)
		}
		fmt.Fprint(stderr, usage)
		return exitError{code: 2, msg: fmt.Sprintf("unknown command %q", cmd)}
	}
}

func defaultDB(getenv func(string) string) string {
	if v := getenv("MOUDESK_DB"); v != "" {
		return v
	}
	return "./data/moudesk.db"
}

// flags starts a subcommand's flag set; --db is accepted after the
// subcommand too, because operators type it there.
func (e *env) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("moudesk "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.StringVar(&e.db, "db", e.db, "SQLite database file or postgres:// URL")
	return fs
}

// parse parses flags that may stand before or after positional arguments
// ("render in.md -o out.pdf" and "render -o out.pdf in.md").
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// openStore opens the database --db names: a postgres:// URL is a
// PostgreSQL server (an unreachable one is an error at once), anything
// else an SQLite file.
func (e *env) openStore(ctx context.Context, opt sqlite.Options) (*sqlite.DB, error) {
	if postgres.IsURL(e.db) {
		return postgres.Open(ctx, e.db, postgres.Options{Options: opt})
	}
	return sqlite.Open(ctx, e.db, opt)
}

// dbName names the database in file names: the SQLite file's name, or
// postgres-<database> for a server.
func (e *env) dbName() string {
	if postgres.IsURL(e.db) {
		if u, err := url.Parse(e.db); err == nil {
			return "postgres-" + strings.Trim(u.Path, "/")
		}
		return "postgres"
	}
	return filepath.Base(e.db)
}
