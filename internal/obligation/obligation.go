// Package obligation holds the rules of what an executed MOU obliges its
// parties to do after signing: how often a duty recurs (Interval), when
// each period's evidence is due (By), the periods a term is cut into
// (Schedule), the state a due period is in on a given day (StateOf), and
// the declared schemas datasets are checked against (Schema). It is pure:
// no storage, no HTTP, no clock of its own.
package obligation

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Intervals a duty may recur at. Months, quarters and half-years are
// calendar ones (data is kept by calendar month, and a quarter's citation
// counts are compared across MOUs); years run from the effective date, the
// service year an SRO agreement is written for.
const (
	Monthly      = "monthly"
	Quarterly    = "quarterly"
	Semiannually = "semiannually"
	Annually     = "annually"
	Once         = "once"
)

// Intervals lists the intervals in a fixed order, for messages.
var Intervals = []string{Monthly, Quarterly, Semiannually, Annually, Once}

// ValidInterval reports whether s is one of Intervals.
func ValidInterval(s string) bool {
	for _, i := range Intervals {
		if s == i {
			return true
		}
	}
	return false
}

// Evidence kinds: what a party submits to meet a duty.
const (
	EvidenceDataset  = "dataset"  // a CSV file with a declared schema
	EvidenceDocument = "document" // a PDF
	EvidenceMeeting  = "meeting"  // a meeting of the MOU held in the period
)

// ValidEvidence reports whether s is an evidence kind.
func ValidEvidence(s string) bool {
	return s == EvidenceDataset || s == EvidenceDocument || s == EvidenceMeeting
}

// By is when a period's evidence is due: Days after the period ends, or,
// for a one-time duty, on a fixed Date (Date non-zero).
type By struct {
	Days int
	Date time.Time
}

// MaxDueDays bounds the grace after a period: a year is the longest any
// reporting clause we know of allows.
const MaxDueDays = 366

// daysRE is compiled on first use, not in the package init every moudesk
// command pays for (issue 16's start-up).
var daysRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([0-9]{1,3}) days?$`) })

// ParseBy reads "30 days" (after each period ends) or a date yyyy-mm-dd.
func ParseBy(s string) (By, error) {
	s = strings.TrimSpace(s)
	if m := daysRE().FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[1])
		if n > MaxDueDays {
			return By{}, fmt.Errorf("%d days is more than %d", n, MaxDueDays)
		}
		return By{Days: n}, nil
	}
	d, err := time.Parse(DateLayout, s)
	if err != nil {
		return By{}, fmt.Errorf("%q is neither \"N days\" (after each period ends) nor a date yyyy-mm-dd", s)
	}
	return By{Date: d}, nil
}

// DateLayout is how every date here is written and read: a calendar day,
// taken in UTC.
const DateLayout = "2006-01-02"

// Period is one due of a duty: the calendar days Start..End (both
// inclusive) it covers, and the day its evidence is due. Seq counts a
// duty's periods from 1.
type Period struct {
	Seq        int       `json:"seq"`
	Start, End time.Time `json:"-"`
	Due        time.Time `json:"-"`
}

// Label names the period for people: "2023-Q1", "2023-04", "2023-H2",
// "2022-08-01 to 2023-07-31".
func (p Period) Label(every string) string {
	switch every {
	case Monthly:
		return p.Start.Format("2006-01")
	case Quarterly:
		return fmt.Sprintf("%d-Q%d", p.Start.Year(), (int(p.Start.Month())-1)/3+1)
	case Semiannually:
		return fmt.Sprintf("%d-H%d", p.Start.Year(), (int(p.Start.Month())-1)/6+1)
	}
	return p.Start.Format(DateLayout) + " to " + p.End.Format(DateLayout)
}

// MaxPeriods bounds a schedule: fifty years of months.
const MaxPeriods = 600

// Schedule cuts the term effective..expiration (both inclusive) into the
// duty's periods, the first and last clipped to the term, each due by.Days
// after it ends. A one-time duty has one period from the effective date,
// due on by.Date, or by.Days after the effective date.
func Schedule(every string, by By, effective, expiration time.Time) ([]Period, error) {
	effective, expiration = day(effective), day(expiration)
	if expiration.Before(effective) {
		return nil, fmt.Errorf("the term ends (%s) before it starts (%s)", expiration.Format(DateLayout), effective.Format(DateLayout))
	}
	if every == Once {
		due := by.Date
		if due.IsZero() {
			due = effective.AddDate(0, 0, by.Days)
		}
		end := due
		if end.Before(effective) {
			end = effective
		}
		return []Period{{Seq: 1, Start: effective, End: end, Due: day(due)}}, nil
	}
	if !by.Date.IsZero() {
		return nil, fmt.Errorf("a fixed due date fits only a one-time duty (every: once), not %s", every)
	}
	var out []Period
	for start := periodStart(every, effective); !start.After(expiration); {
		next := nextStart(every, start)
		p := Period{Seq: len(out) + 1, Start: start, End: next.AddDate(0, 0, -1)}
		if p.Start.Before(effective) {
			p.Start = effective
		}
		if p.End.After(expiration) {
			p.End = expiration
		}
		p.Due = p.End.AddDate(0, 0, by.Days)
		out = append(out, p)
		if len(out) > MaxPeriods {
			return nil, fmt.Errorf("the term holds more than %d %s periods", MaxPeriods, every)
		}
		start = next
	}
	return out, nil
}

// periodStart is the start of the calendar period holding d (for years,
// the effective date itself).
func periodStart(every string, d time.Time) time.Time {
	switch every {
	case Monthly:
		return time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, time.UTC)
	case Quarterly:
		return time.Date(d.Year(), (d.Month()-1)/3*3+1, 1, 0, 0, 0, 0, time.UTC)
	case Semiannually:
		return time.Date(d.Year(), (d.Month()-1)/6*6+1, 1, 0, 0, 0, 0, time.UTC)
	}
	return d
}

func nextStart(every string, start time.Time) time.Time {
	switch every {
	case Monthly:
		return start.AddDate(0, 1, 0)
	case Quarterly:
		return start.AddDate(0, 3, 0)
	case Semiannually:
		return start.AddDate(0, 6, 0)
	}
	return start.AddDate(1, 0, 0)
}

// day is t's calendar day in UTC, at midnight.
func day(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// States of a due period.
const (
	StateUpcoming = "upcoming" // the period has not ended
	StateDue      = "due"      // the period has ended; the due day has not passed
	StateLate     = "late"     // the due day has passed with no evidence
	StateMet      = "met"      // evidence was submitted (on time or not: see SubmittedLate)
	StateWaived   = "waived"   // the owning party waived it, with a reason
)

// DueSoon is how long before its due day a period counts as due soon, the
// reminder the notifications deliver.
const DueSoon = 7 * 24 * time.Hour

// StateOf is the state of period p at now: waived wins, then met (the
// first submission time, nil for none), then the calendar. A due day is a
// whole UTC day: evidence is on time until it ends.
func StateOf(p Period, met *time.Time, waived bool, now time.Time) string {
	switch {
	case waived:
		return StateWaived
	case met != nil:
		return StateMet
	case now.Before(p.End.AddDate(0, 0, 1)):
		return StateUpcoming
	case now.Before(p.Due.AddDate(0, 0, 1)):
		return StateDue
	}
	return StateLate
}

// SubmittedLate reports whether evidence first submitted at met came after
// p's due day.
func SubmittedLate(p Period, met time.Time) bool {
	return !met.Before(p.Due.AddDate(0, 0, 1))
}

// IsDueSoon reports whether an open period (due, or upcoming) is within
// DueSoon of its due day's end at now.
func IsDueSoon(p Period, now time.Time) bool {
	end := p.Due.AddDate(0, 0, 1)
	return now.Before(end) && !now.Before(end.Add(-DueSoon))
}
