package obligation

import (
	"testing"
	"time"
)

func date(s string) time.Time {
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestSchedule(t *testing.T) {
	for _, c := range []struct {
		name, every, by, from, to string
		n                         int
		first, last               [3]string // start, end, due
	}{
		{"QuarterlyFromMidQuarter", Quarterly, "30 days", "2021-11-16", "2024-06-30", 11,
			[3]string{"2021-11-16", "2021-12-31", "2022-01-30"}, [3]string{"2024-04-01", "2024-06-30", "2024-07-30"}},
		{"Monthly", Monthly, "15 days", "2022-08-01", "2022-12-31", 5,
			[3]string{"2022-08-01", "2022-08-31", "2022-09-15"}, [3]string{"2022-12-01", "2022-12-31", "2023-01-15"}},
		{"SemiannuallyClipped", Semiannually, "0 days", "2022-09-01", "2023-08-31", 3,
			[3]string{"2022-09-01", "2022-12-31", "2022-12-31"}, [3]string{"2023-07-01", "2023-08-31", "2023-08-31"}},
		{"AnnuallyFromEffective", Annually, "90 days", "2022-08-01", "2025-06-30", 3,
			[3]string{"2022-08-01", "2023-07-31", "2023-10-29"}, [3]string{"2024-08-01", "2025-06-30", "2025-09-28"}},
		{"OnceByDate", Once, "2022-10-01", "2022-08-01", "2025-06-30", 1,
			[3]string{"2022-08-01", "2022-10-01", "2022-10-01"}, [3]string{"2022-08-01", "2022-10-01", "2022-10-01"}},
		{"OnceByDays", Once, "30 days", "2022-08-01", "2025-06-30", 1,
			[3]string{"2022-08-01", "2022-08-31", "2022-08-31"}, [3]string{"2022-08-01", "2022-08-31", "2022-08-31"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			by, err := ParseBy(c.by)
			if err != nil {
				t.Fatal(err)
			}
			ps, err := Schedule(c.every, by, date(c.from), date(c.to))
			if err != nil {
				t.Fatal(err)
			}
			if len(ps) != c.n {
				t.Fatalf("%d periods, want %d", len(ps), c.n)
			}
			for i, want := range [][3]string{c.first, c.last} {
				p := ps[0]
				if i == 1 {
					p = ps[len(ps)-1]
				}
				got := [3]string{p.Start.Format(DateLayout), p.End.Format(DateLayout), p.Due.Format(DateLayout)}
				if got != want {
					t.Errorf("period %d: %v, want %v", p.Seq, got, want)
				}
			}
		})
	}
	t.Run("ErrFixedDateRecurring", func(t *testing.T) {
		if _, err := Schedule(Quarterly, By{Date: date("2022-10-01")}, date("2022-08-01"), date("2023-06-30")); err == nil {
			t.Error("a recurring duty with a fixed date was scheduled")
		}
	})
	t.Run("ErrTermBackwards", func(t *testing.T) {
		if _, err := Schedule(Monthly, By{}, date("2023-08-01"), date("2022-06-30")); err == nil {
			t.Error("a term that ends before it starts was scheduled")
		}
	})
}

func TestParseBy(t *testing.T) {
	for in, ok := range map[string]bool{"30 days": true, "1 day": true, "0 days": true, "2025-09-30": true,
		"367 days": false, "thirty days": false, "2025-02-30": false, "": false, "30": false} {
		if _, err := ParseBy(in); (err == nil) != ok {
			t.Errorf("ParseBy(%q): %v", in, err)
		}
	}
}

func TestStateOf(t *testing.T) {
	p := Period{Seq: 1, Start: date("2027-07-01"), End: date("2027-09-30"), Due: date("2027-10-30")}
	at := func(s string) time.Time { return date(s).Add(12 * time.Hour) }
	met := at("2027-10-31")
	for _, c := range []struct {
		now    string
		met    *time.Time
		waived bool
		want   string
	}{
		{"2027-09-30", nil, false, StateUpcoming},
		{"2027-10-01", nil, false, StateDue},
		{"2027-10-30", nil, false, StateDue},
		{"2027-10-31", nil, false, StateLate},
		{"2027-10-31", &met, false, StateMet},
		{"2027-10-31", nil, true, StateWaived},
	} {
		if got := StateOf(p, c.met, c.waived, at(c.now)); got != c.want {
			t.Errorf("%s (met %v, waived %v): %s, want %s", c.now, c.met != nil, c.waived, got, c.want)
		}
	}
	if !SubmittedLate(p, met) || SubmittedLate(p, at("2027-10-30")) {
		t.Error("SubmittedLate wrong around the due day")
	}
	if !IsDueSoon(p, at("2027-10-24")) || IsDueSoon(p, at("2027-10-22")) || IsDueSoon(p, at("2027-10-31")) {
		t.Error("IsDueSoon wrong around the week before the due day")
	}
}
