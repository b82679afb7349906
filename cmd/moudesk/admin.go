package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/moudesk/moudesk/internal/desk"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/audit"
	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/sqlite"
)

// withDB opens the database for an operator command (no library sync).
func (e *env) withDB(ctx context.Context, fn func(*sqlite.DB) error) error {
	db, err := sqlite.Open(ctx, e.db, sqlite.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	return fn(db)
}

// operator is the actor for commands run at the console.
var operator = moudesk.Actor{Addr: "console"}

func (e *env) party(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "add" {
		return exitError{code: 2, msg: "usage: moudesk party add --slug S --name N --kind city|district|agency --body \"City Council\""}
	}
	fs := e.flags("party add")
	slug := fs.String("slug", "", "short id, e.g. pleasanton")
	name := fs.String("name", "", "full name")
	kind := fs.String("kind", "", "city, district or agency")
	body := fs.String("body", "", "governing body, e.g. \"City Council\"")
	if _, err := parse(fs, args[1:]); err != nil {
		return err
	}
	return e.withDB(ctx, func(db *sqlite.DB) error {
		p, err := db.CreateParty(ctx, operator, desk.Party{Slug: *slug, Name: *name, Kind: *kind, Body: *body})
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "party %s created\n", p.Slug)
		return nil
	})
}

func (e *env) user(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "add" {
		return exitError{code: 2, msg: "usage: moudesk user add --email E --name N --role R[,R…] [--party SLUG] [--title T] --password-stdin"}
	}
	fs := e.flags("user add")
	email := fs.String("email", "", "e-mail address (the login)")
	name := fs.String("name", "", "full name")
	roles := fs.String("role", "", "roles: admin, drafter, reviewer, clerk, signatory (comma-separated)")
	party := fs.String("party", "", "slug of the party the user acts for")
	title := fs.String("title", "", "job title, e.g. Superintendent")
	pwStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	if _, err := parse(fs, args[1:]); err != nil {
		return err
	}
	if !*pwStdin {
		return exitError{code: 2, msg: "--password-stdin is required: passwords are never taken on the command line"}
	}
	rs, err := auth.ParseRoles(*roles)
	if err != nil {
		return err
	}
	line, err := bufio.NewReader(e.stdin).ReadString('\n')
	if err != nil && line == "" {
		return errors.New("read password from standard input: nothing there")
	}
	hash, err := auth.HashPassword(strings.TrimRight(line, "\r\n"))
	if err != nil {
		return err
	}
	return e.withDB(ctx, func(db *sqlite.DB) error {
		u, err := db.CreateUser(ctx, operator, desk.NewUser{Email: *email, Name: *name, Title: *title, PartySlug: *party, Roles: rs, PasswordHash: hash})
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "user %s created (id %d)\n", u.Email, u.ID)
		return nil
	})
}

func (e *env) token(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return exitError{code: 2, msg: "usage: moudesk token create --email E [--label L] | revoke --id N | list"}
	}
	switch args[0] {
	case "create":
		fs := e.flags("token create")
		email := fs.String("email", "", "user the token acts as")
		label := fs.String("label", "", "what the token is for")
		if _, err := parse(fs, args[1:]); err != nil {
			return err
		}
		plain, hash, err := auth.NewToken()
		if err != nil {
			return err
		}
		return e.withDB(ctx, func(db *sqlite.DB) error {
			if _, err := db.CreateToken(ctx, operator, *email, *label, hash); err != nil {
				return err
			}
			fmt.Fprintln(e.stdout, plain)
			return nil
		})
	case "revoke":
		fs := e.flags("token revoke")
		id := fs.Int64("id", 0, "token id (from token list)")
		if _, err := parse(fs, args[1:]); err != nil {
			return err
		}
		return e.withDB(ctx, func(db *sqlite.DB) error {
			if err := db.RevokeToken(ctx, operator, *id); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "token %d revoked\n", *id)
			return nil
		})
	case "list":
		fs := e.flags("token list")
		if _, err := parse(fs, args[1:]); err != nil {
			return err
		}
		return e.withDB(ctx, func(db *sqlite.DB) error {
			ts, err := db.Tokens(ctx)
			if err != nil {
				return err
			}
			for _, t := range ts {
				state := "active"
				if t.RevokedAt != nil {
					state = "revoked " + t.RevokedAt.Format("2006-01-02")
				}
				fmt.Fprintf(e.stdout, "%d\t%s\t%s\t%s\n", t.ID, t.UserEmail, strconv.Quote(t.Label), state)
			}
			return nil
		})
	}
	return exitError{code: 2, msg: fmt.Sprintf("unknown token command %q", args[0])}
}

func (e *env) audit(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "verify" {
		return exitError{code: 2, msg: "usage: moudesk audit verify"}
	}
	fs := e.flags("audit verify")
	if _, err := parse(fs, args[1:]); err != nil {
		return err
	}
	return e.withDB(ctx, func(db *sqlite.DB) error {
		n, err := db.VerifyAudit(ctx)
		var broken *audit.BrokenError
		if errors.As(err, &broken) {
			return exitError{code: 1, msg: fmt.Sprintf("audit chain broken at event %d: %s (%d events before it verified)", broken.Seq, broken.Reason, n)}
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "audit chain ok: %d events verified\n", n)
		return nil
	})
}

func (e *env) backup(ctx context.Context, args []string) error {
	fs := e.flags("backup")
	out := fs.String("o", "", "file to write the backup to (must not exist)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return exitError{code: 2, msg: "usage: moudesk backup -o FILE"}
	}
	return e.withDB(ctx, func(db *sqlite.DB) error {
		if err := db.Backup(ctx, *out); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "backup written to %s\n", *out)
		return nil
	})
}
