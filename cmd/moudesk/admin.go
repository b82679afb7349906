package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/moudesk/moudesk/internal/desk"
	"github.com/moudesk/moudesk/internal/webhook"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/sqlite"
)

// withDB opens the database for an operator command (no library sync)
// and anchors the audit events the command wrote.
func (e *env) withDB(ctx context.Context, fn func(*sqlite.DB) error) error {
	db, err := e.openStore(ctx, sqlite.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	if err := fn(db); err != nil {
		return err
	}
	e.anchorAfter(ctx, db)
	return nil
}

// operator is the actor for commands run at the console: whoever holds
// the server's shell, named by the credential "console" in the audit.
var operator = moudesk.Actor{Addr: "console", Credential: moudesk.Credential{Kind: moudesk.CredConsole}}

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

// withService opens the database and the service on it, for operator
// commands whose rules the service holds (tokens, invitations, passwords).
func (e *env) withService(ctx context.Context, fn func(*desk.Service) error) error {
	return e.withDB(ctx, func(db *sqlite.DB) error {
		svc, err := newService(db, nil, nil, webhook.Policy{})
		if err != nil {
			return err
		}
		return fn(svc)
	})
}

// readPassword reads the first line of standard input: passwords are
// never taken on the command line, where ps and shell history see them.
func (e *env) readPassword() (string, error) {
	line, err := bufio.NewReader(e.stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", errors.New("read password from standard input: nothing there")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

const userUsage = `usage:
  moudesk user invite --email E --name N --role R[,R…] [--party SLUG] [--title T] [--public-url URL]
  moudesk user passwd --email E --password-stdin
  moudesk user add    --email E --name N --role R[,R…] [--party SLUG] [--title T] --password-stdin`

func (e *env) user(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return exitError{code: 2, msg: userUsage}
	}
	switch args[0] {
	case "invite":
		return e.userInvite(ctx, args[1:])
	case "passwd":
		return e.userPasswd(ctx, args[1:])
	case "add":
		return e.userAdd(ctx, args[1:])
	}
	return exitError{code: 2, msg: userUsage}
}

// accountFlags are the flags that describe a new account.
type accountFlags struct{ email, name, roles, party, title *string }

func newAccountFlags(fs *flag.FlagSet) accountFlags {
	return accountFlags{
		email: fs.String("email", "", "e-mail address (the login)"),
		name:  fs.String("name", "", "full name"),
		roles: fs.String("role", "", "roles: admin, drafter, reviewer, clerk, signatory (comma-separated)"),
		party: fs.String("party", "", "slug of the party the user acts for"),
		title: fs.String("title", "", "job title, e.g. Superintendent"),
	}
}

func (a accountFlags) newUser() (desk.NewUser, error) {
	rs, err := auth.ParseRoles(*a.roles)
	if err != nil {
		return desk.NewUser{}, err
	}
	return desk.NewUser{Email: *a.email, Name: *a.name, Title: *a.title, PartySlug: *a.party, Roles: rs}, nil
}

// userInvite creates an account without a password and prints the
// one-time link its owner sets their password with.
func (e *env) userInvite(ctx context.Context, args []string) error {
	fs := e.flags("user invite")
	af := newAccountFlags(fs)
	publicURL := fs.String("public-url", firstNonEmpty(e.getenv("MOUDESK_PUBLIC_URL"), "http://"+firstNonEmpty(e.getenv("MOUDESK_ADDR"), "127.0.0.1:8080")),
		"URL people reach the server at, for the link")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	nu, err := af.newUser()
	if err != nil {
		return err
	}
	return e.withService(ctx, func(svc *desk.Service) error {
		u, link, err := svc.InviteUser(ctx, operator, nu)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "user %s invited (id %d); send them this link, which works once, until %s:\n",
			u.Email, u.ID, link.ExpiresAt.Format("2006-01-02 15:04 MST"))
		fmt.Fprintln(e.stdout, desk.InvitationURL(*publicURL, link.Token))
		return nil
	})
}

// userPasswd is the operator's recovery of an account whose owner cannot
// sign in: it sets a temporary password, signs out every session of the
// account, and its owner must choose a new password at next sign-in.
func (e *env) userPasswd(ctx context.Context, args []string) error {
	fs := e.flags("user passwd")
	email := fs.String("email", "", "the account's e-mail address")
	pwStdin := fs.Bool("password-stdin", false, "read the temporary password from the first line of standard input")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if !*pwStdin {
		return exitError{code: 2, msg: "--password-stdin is required: passwords are never taken on the command line"}
	}
	pw, err := e.readPassword()
	if err != nil {
		return err
	}
	return e.withService(ctx, func(svc *desk.Service) error {
		u, err := svc.ResetPassword(ctx, operator, auth.DefaultHasher(), *email, pw)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "password of %s reset; all its sessions are signed out, and it must set a new password at next sign-in\n", u.Email)
		return nil
	})
}

// userAdd creates an account with a password the operator gives: for the
// operator's own account and for service accounts (an integration, a load
// test) that the operator runs themself. People are invited instead, so
// nobody but them knows their password; a signatory's signature is
// personal, so a signatory cannot be added this way.
func (e *env) userAdd(ctx context.Context, args []string) error {
	fs := e.flags("user add")
	af := newAccountFlags(fs)
	pwStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if !*pwStdin {
		return exitError{code: 2, msg: "--password-stdin is required: passwords are never taken on the command line"}
	}
	nu, err := af.newUser()
	if err != nil {
		return err
	}
	if slices.Contains(nu.Roles, auth.RoleSignatory) {
		return exitError{code: 2, msg: "a signatory sets their own password: use moudesk user invite"}
	}
	pw, err := e.readPassword()
	if err != nil {
		return err
	}
	hash, err := auth.HashPassword(pw)
	if err != nil {
		return err
	}
	nu.PasswordHash = hash
	return e.withService(ctx, func(svc *desk.Service) error {
		u, err := svc.CreateUser(ctx, operator, nu)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "user %s created (id %d)\n", u.Email, u.ID)
		return nil
	})
}

func (e *env) token(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return exitError{code: 2, msg: "usage: moudesk token create --email E --label L --password-stdin | revoke --id N | list"}
	}
	switch args[0] {
	case "create":
		// A token acts for the user who creates it. At the console that
		// user proves it with their password; the operator cannot make a
		// token for an account whose password they do not know.
		fs := e.flags("token create")
		email := fs.String("email", "", "your e-mail address: the token acts as you")
		label := fs.String("label", "", "what the token is for")
		pwStdin := fs.Bool("password-stdin", false, "read your password from the first line of standard input")
		if _, err := parse(fs, args[1:]); err != nil {
			return err
		}
		if !*pwStdin {
			return exitError{code: 2, msg: "--password-stdin is required: a token acts for the user who creates it, who proves it with their password"}
		}
		pw, err := e.readPassword()
		if err != nil {
			return err
		}
		return e.withService(ctx, func(svc *desk.Service) error {
			me, err := svc.CheckPassword(ctx, *email, pw)
			if err != nil {
				return err
			}
			_, plain, err := svc.CreateToken(ctx, me, strings.TrimSpace(*label))
			if err != nil {
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
