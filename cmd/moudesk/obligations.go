package main

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/desk"
	"github.com/moudesk/moudesk/internal/obligation"
)

const obligationsUsage = "usage: moudesk obligations list [--late] [--mou N]"

// obligations lists executed MOUs' obligations with their states, for
// the operator: every MOU's, or one's (--mou), or only those with a late
// period (--late, exit 0 either way).
func (e *env) obligations(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "list" {
		return exitError{code: 2, msg: obligationsUsage}
	}
	fs := e.flags("obligations list")
	late := fs.Bool("late", false, "only obligations with a period past its due day and no report")
	mouID := fs.Int64("mou", 0, "only this MOU's obligations")
	if pos, err := parse(fs, args[1:]); err != nil || len(pos) > 0 {
		return exitError{code: 2, msg: obligationsUsage}
	}
	// The operator holds the database and reads it whole, as moudesk
	// itself: the list is no act of any party.
	return e.withService(ctx, func(svc *desk.Service) error {
		var obs []desk.Obligation
		var err error
		if *mouID > 0 {
			obs, err = svc.ObligationsOf(ctx, moudesk.System, *mouID, *late)
		} else {
			obs, err = svc.ObligationsFor(ctx, moudesk.System, *late)
		}
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "ID\tMOU\tKEY\tPARTY\tEVERY\tSTATE\tLATE\tNEXT DUE")
		for _, o := range obs {
			fmt.Fprintf(w, "%d\t%d\t%s\t%s\t%s\t%s\t%d\t%s\n", o.ID, o.MOUID, o.Key, o.Party, o.Every, o.State, o.Late, nextDue(o))
		}
		return w.Flush()
	})
}

// nextDue names the earliest period still open ("2027-Q3 due 2027-10-30"),
// or "-".
func nextDue(o desk.Obligation) string {
	for _, d := range o.Dues {
		switch d.State {
		case obligation.StateLate, obligation.StateDue, obligation.StateUpcoming:
			return d.Label + " due " + d.DueOn
		}
	}
	return "-"
}

const reportUsage = "usage: moudesk report submit --obligation N [--due N] [--reason R] --email E --password-stdin FILE.csv|FILE.pdf"

// report submits a report from a file, as the user whose password is on
// standard input: a report is an act of the owing party's staff, so the
// operator cannot submit one for anyone whose password they do not know,
// and the same rules as the API apply (the service's SubmitReport).
func (e *env) report(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "submit" {
		return exitError{code: 2, msg: reportUsage}
	}
	fs := e.flags("report submit")
	oid := fs.Int64("obligation", 0, "the obligation's id (moudesk obligations list)")
	due := fs.Int("due", 0, "the period's number (default: the earliest open one that has begun)")
	reason := fs.String("reason", "", "why this report corrects the one before (required for a correction)")
	email := fs.String("email", "", "your e-mail address: the report is yours")
	pwStdin := fs.Bool("password-stdin", false, "read your password from the first line of standard input")
	pos, err := parse(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) != 1 || *oid < 1 {
		return exitError{code: 2, msg: reportUsage}
	}
	if !*pwStdin {
		return exitError{code: 2, msg: "--password-stdin is required: a report is submitted by a person of the owing party, who proves it with their password"}
	}
	data, err := readLimited(pos[0], desk.MaxReportBytes)
	if err != nil {
		return exitError{code: 2, msg: err.Error()}
	}
	pw, err := e.readPassword()
	if err != nil {
		return err
	}
	return e.withService(ctx, func(svc *desk.Service) error {
		me, err := e.consoleActor(ctx, svc, *email, pw, auth.ReportWrite)
		if err != nil {
			return err
		}
		mouID, err := svc.ObligationMOU(ctx, *oid)
		if err != nil {
			return err
		}
		r, err := svc.SubmitReport(ctx, me, desk.SubmitReportRequest{MOUID: mouID, ObligationID: *oid, Due: *due,
			Data: data, Filename: filepath.Base(pos[0]), Reason: *reason})
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "report %d: obligation %d, version %d, %d rows, sha256 %s\n", r.ID, *oid, r.Version, r.Rows, r.SHA256)
		return nil
	})
}

// consoleActor is the user whose password was given, acting for their
// party, if one of their roles grants a.
func (e *env) consoleActor(ctx context.Context, svc *desk.Service, email, pw string, a auth.Action) (moudesk.Actor, error) {
	me, err := svc.CheckPassword(ctx, email, pw)
	if err != nil {
		return moudesk.Actor{}, err
	}
	u, _, err := svc.UserByEmail(ctx, strings.TrimSpace(email))
	if err != nil {
		return moudesk.Actor{}, err
	}
	if !auth.Allowed(u.Roles, a) {
		return moudesk.Actor{}, moudesk.Errorf(moudesk.KindForbidden, "forbidden", "your roles do not allow %s", a)
	}
	me.Party, me.Admin = u.PartySlug, slices.Contains(u.Roles, auth.RoleAdmin)
	return me, nil
}
