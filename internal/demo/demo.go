// Package demo loads a sample city / school-district setup into an empty
// moudesk so a newcomer sees every page with real content: two parties, a
// user for each role, an SRO MOU under review with its meetings and
// feedback, and an executed agreement with an amendment under review. People and parties are written with
// the store (as `moudesk party add` and `moudesk user add` do; the API has
// no route for them); everything else goes through the server's own JSON
// API as those people, signed in with their passwords, so every rule
// applies exactly as for a real user.
package demo

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"text/tabwriter"

	"github.com/moudesk/moudesk/internal/desk"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/sqlite"
)

// Config is what Load needs: the store, the server's handler, how to hash
// the demo passwords, and where to print the sign-in table.
type Config struct {
	DB      *sqlite.DB
	Handler http.Handler
	Hasher  auth.Hasher
	Out     io.Writer
}

// Result says what Load did.
type Result struct {
	// AlreadyLoaded is true when the database held the demo already and
	// nothing was written.
	AlreadyLoaded bool
	Accounts      []Account
	Story         Story
}

// Account is one demo user; Password is set only on the load that
// created it, since only a hash is stored.
type Account struct {
	Email    string
	Name     string
	Title    string
	Party    string
	Role     auth.Role
	Password string
}

// ErrNotEmpty means the database holds parties, users or MOUs that the
// demo did not create; the demo never mixes its sample data into them.
var ErrNotEmpty = errors.New("the database already holds data that is not the demo's; use --demo only with a new database")

// ErrPartial means an earlier demo load stopped part-way.
var ErrPartial = errors.New("an earlier demo load stopped part-way; start again with a new database")

// markerAction is the audit event that records a completed load; its
// presence makes a second load a no-op.
const (
	markerAction = "demo.loaded"
	markerObject = "demo"
)

// bootstrapAdmin is the account moudesk serve creates on an empty
// database; it alone does not count as data.
const bootstrapAdmin = "admin@moudesk.local"

// Load loads the demo once. On a database that already holds it, it
// reports so and writes nothing; on one holding anything else it refuses
// with ErrNotEmpty.
func Load(ctx context.Context, cfg Config) (*Result, error) {
	st, err := state(ctx, cfg.DB)
	if err != nil {
		return nil, err
	}
	switch st {
	case stateLoaded:
		fmt.Fprintln(cfg.Out, "demo: already loaded in this database; its passwords were printed when it was loaded")
		return &Result{AlreadyLoaded: true, Accounts: accounts()}, nil
	case stateForeign:
		return nil, ErrNotEmpty
	case statePartial:
		return nil, ErrPartial
	}
	accts := accounts()
	if err := addPeople(ctx, cfg, accts); err != nil {
		return nil, err
	}
	var c cast
	for _, a := range accts {
		cl, err := signIn(ctx, cfg.Handler, a.Email, a.Password)
		if err != nil {
			return nil, err
		}
		switch {
		case a.Role == auth.RoleDrafter && a.Party == policeSlug:
			c.policeDrafter = cl
		case a.Role == auth.RoleDrafter:
			c.drafter = cl
		case a.Role == auth.RoleReviewer:
			c.reviewer = cl
		case a.Role == auth.RoleClerk && a.Party == citySlug:
			c.cityClerk = cl
		case a.Role == auth.RoleClerk && a.Party == districtSlug:
			c.districtClerk = cl
		case a.Role == auth.RoleClerk && a.Party == policeSlug:
			c.policeClerk = cl
		case a.Role == auth.RoleClerk && a.Party == district2Slug:
			c.district2Clerk = cl
		case a.Role == auth.RoleSignatory:
			c.signers = append(c.signers, signer{client: cl, name: a.Name, password: a.Password})
		}
	}
	story, err := tell(ctx, c)
	if err != nil {
		return nil, err
	}
	if err := cfg.DB.Audit(ctx, moudesk.System, markerAction, markerObject, story); err != nil {
		return nil, fmt.Errorf("demo: record the load: %w", err)
	}
	printAccounts(cfg.Out, accts, story)
	return &Result{Accounts: accts, Story: story}, nil
}

type loadState int

const (
	stateEmpty loadState = iota
	stateLoaded
	statePartial
	stateForeign
)

// state tells an empty database from one holding the demo, part of it, or
// someone's real data.
func state(ctx context.Context, db *sqlite.DB) (loadState, error) {
	events, err := db.AuditEvents(ctx, desk.AuditFilter{Object: markerObject, Limit: 10})
	if err != nil {
		return 0, err
	}
	for _, ev := range events {
		if ev.Action == markerAction {
			return stateLoaded, nil
		}
	}
	demoPeople := map[string]bool{}
	for _, a := range accounts() {
		demoPeople[a.Email] = true
	}
	demoParties := map[string]bool{}
	for _, p := range parties() {
		demoParties[p.Slug] = true
	}
	ours, foreign := 0, 0
	stored, err := db.Parties(ctx)
	if err != nil {
		return 0, err
	}
	for _, p := range stored {
		if demoParties[p.Slug] {
			ours++
		} else {
			foreign++
		}
	}
	users, err := db.Users(ctx)
	if err != nil {
		return 0, err
	}
	for _, u := range users {
		switch {
		case demoPeople[u.Email]:
			ours++
		case u.Email != bootstrapAdmin:
			foreign++
		}
	}
	mous, err := db.MOUs(ctx, "", 0, desk.NoLimit)
	if err != nil {
		return 0, err
	}
	switch {
	case foreign > 0 || (len(mous) > 0 && ours == 0):
		return stateForeign, nil
	case ours > 0 || len(mous) > 0:
		return statePartial, nil
	}
	return stateEmpty, nil
}

// addPeople creates the two parties and the demo accounts with fresh
// random passwords, as an operator would with moudesk party/user add.
func addPeople(ctx context.Context, cfg Config, accts []Account) error {
	for _, p := range parties() {
		if _, err := cfg.DB.CreateParty(ctx, moudesk.System, p); err != nil {
			return fmt.Errorf("demo: add party %s: %w", p.Slug, err)
		}
	}
	for i := range accts {
		pw, err := password()
		if err != nil {
			return err
		}
		hash, err := cfg.Hasher.Hash(pw)
		if err != nil {
			return fmt.Errorf("demo: hash password: %w", err)
		}
		a := &accts[i]
		a.Password = pw
		_, err = cfg.DB.CreateUser(ctx, moudesk.System, desk.NewUser{Email: a.Email, Name: a.Name, Title: a.Title,
			PartySlug: a.Party, Roles: []auth.Role{a.Role}, PasswordHash: hash})
		if err != nil {
			return fmt.Errorf("demo: add user %s: %w", a.Email, err)
		}
	}
	return nil
}

// password is 16 random bytes, URL-safe: long enough for the policy and
// easy to paste.
func password() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("demo: generate password: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

func printAccounts(w io.Writer, accts []Account, story Story) {
	fmt.Fprintln(w, "demo: loaded. Sign in as any of these (passwords are shown only now):")
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  ROLE\tE-MAIL\tPASSWORD\tNAME\tTITLE")
	for _, a := range accts {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", a.Role, a.Email, a.Password, a.Name, a.Title)
	}
	tw.Flush()
	fmt.Fprintf(w, "demo: MOU %d %q is in %s after %d meetings.\n", story.UnderReview, story.UnderReviewTitle, story.UnderReviewStage, story.Meetings)
	fmt.Fprintf(w, "demo: MOU %d %q is %s; its Amendment No. 1 (MOU %d) is in %s.\n",
		story.Executed, story.ExecutedTitle, story.ExecutedStage, story.Amendment, story.AmendmentStage)
	for _, p := range story.Processes {
		fmt.Fprintf(w, "demo: MOU %d %q follows %s and is in %s.\n", p.ID, p.Title, p.Workflow, p.Stage)
	}
	fmt.Fprintln(w, strings.Repeat("-", 60))
}
