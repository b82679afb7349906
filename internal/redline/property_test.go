package redline

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

// vocabulary mixes plain, accented and numeric words with punctuation so
// random edits hit every token class.
var vocabulary = strings.Fields(`the SRO shall District City Department student students parent
	guardian records FERPA 20 U.S.C. § 1232g 49076 (90) days’ José Peña Zoë Ødegaard — “MOU” de-escalation
	force training complaints notice, notice. school year; officer: 14 15 2025-26 e-mail naïve café`)

var titles = []string{"Purpose", "Term of Agreement", "Use of Force", "Training", "Notices",
	"Student Records", "Complaints", "Funding", "Purpose", "Training"} // repeats on purpose

type randDoc struct {
	sections []randSection
}

type randSection struct {
	title string
	paras [][]string // words per paragraph
}

func randomWords(rng *rand.Rand, n int) []string {
	w := make([]string, n)
	for i := range w {
		w[i] = vocabulary[rng.Intn(len(vocabulary))]
	}
	return w
}

func randomDoc(rng *rand.Rand) randDoc {
	var d randDoc
	for i := rng.Intn(12) + 1; i > 0; i-- {
		d.sections = append(d.sections, randomSection(rng))
	}
	return d
}

func randomSection(rng *rand.Rand) randSection {
	s := randSection{title: titles[rng.Intn(len(titles))]}
	for i := rng.Intn(4) + 1; i > 0; i-- {
		s.paras = append(s.paras, randomWords(rng, rng.Intn(40)+1))
	}
	return s
}

func (d randDoc) markdown(rng *rand.Rand) string {
	var b strings.Builder
	if rng.Intn(3) == 0 {
		b.WriteString("Preamble " + strings.Join(randomWords(rng, 5), " ") + "\n\n")
	}
	for i, s := range d.sections {
		fmt.Fprintf(&b, "## %d. %s\n\n", i+1, s.title)
		for _, p := range s.paras {
			b.WriteString(strings.Join(p, " "))
			b.WriteString("\n\n")
		}
	}
	out := b.String()
	if rng.Intn(4) == 0 {
		out = strings.TrimRight(out, "\n") // no final newline
	}
	return out
}

// edit returns a copy of d with a few random edits: words inserted, deleted
// or replaced, sections added, removed or moved.
func (d randDoc) edit(rng *rand.Rand) randDoc {
	e := randDoc{sections: make([]randSection, len(d.sections))}
	for i, s := range d.sections {
		c := randSection{title: s.title}
		for _, p := range s.paras {
			c.paras = append(c.paras, append([]string(nil), p...))
		}
		e.sections[i] = c
	}
	for n := rng.Intn(6); n > 0; n-- {
		if len(e.sections) == 0 {
			e.sections = append(e.sections, randomSection(rng))
			continue
		}
		si := rng.Intn(len(e.sections))
		s := &e.sections[si]
		pi := rng.Intn(len(s.paras))
		p := s.paras[pi]
		wi := rng.Intn(len(p))
		switch rng.Intn(7) {
		case 0: // insert words
			s.paras[pi] = append(p[:wi:wi], append(randomWords(rng, rng.Intn(4)+1), p[wi:]...)...)
		case 1: // delete a word
			if len(p) > 1 {
				s.paras[pi] = append(p[:wi:wi], p[wi+1:]...)
			}
		case 2: // replace a word
			p[wi] = vocabulary[rng.Intn(len(vocabulary))]
		case 3: // add a section
			at := rng.Intn(len(e.sections) + 1)
			e.sections = append(e.sections[:at:at], append([]randSection{randomSection(rng)}, e.sections[at:]...)...)
		case 4: // remove a section
			e.sections = append(e.sections[:si:si], e.sections[si+1:]...)
		case 5: // move a section
			m := e.sections[si]
			rest := append(e.sections[:si:si], e.sections[si+1:]...)
			at := rng.Intn(len(rest) + 1)
			e.sections = append(rest[:at:at], append([]randSection{m}, rest[at:]...)...)
		case 6: // rename a section
			s.title = "Renamed " + s.title
		}
	}
	return e
}

func TestCompareRandomDocuments(t *testing.T) {
	for seed := int64(1); seed <= 300; seed++ {
		rng := rand.New(rand.NewSource(seed))
		d := randomDoc(rng)
		oldMD := d.markdown(rng)
		newMD := d.edit(rng).markdown(rng)
		name := fmt.Sprintf("seed %d", seed)
		old, new := Split(oldMD), Split(newMD)
		r := Compare(old, new, Options{})
		checkResult(t, name, oldMD, newMD, r)
		if (oldMD == newMD) == r.HasChanges() {
			t.Errorf("%s: texts equal %v but HasChanges %v", name, oldMD == newMD, r.HasChanges())
		}
		same := Compare(old, old, Options{})
		checkResult(t, name+" (A,A)", oldMD, oldMD, same)
		if same.HasChanges() {
			t.Errorf("%s: Compare(A, A) has changes", name)
		}
		// Every section of each document appears exactly once.
		var olds, news int
		for _, c := range r.Sections {
			if c.Status != StatusAdded {
				olds++
			}
			if c.Status != StatusRemoved {
				news++
			}
		}
		if olds != len(old.Sections) || news != len(new.Sections) {
			t.Errorf("%s: sections cover %d old of %d, %d new of %d", name, olds, len(old.Sections), news, len(new.Sections))
		}
		if t.Failed() {
			t.Fatalf("%s failed; old:\n%s\nnew:\n%s", name, oldMD, newMD)
		}
	}
}

// A section moved unedited among sections with distinct headings is
// reported as moved, with its old number.
func TestCompareRandomMoves(t *testing.T) {
	for seed := int64(1); seed <= 100; seed++ {
		rng := rand.New(rand.NewSource(seed))
		var d randDoc
		for i := 0; i < 8; i++ {
			s := randomSection(rng)
			s.title = fmt.Sprintf("Topic %c", 'A'+i)
			d.sections = append(d.sections, s)
		}
		from, to := rng.Intn(8), rng.Intn(8)
		if from == to || from == to+1 || to == from+1 {
			continue // an adjacent swap is ambiguous: either section moved
		}
		var b strings.Builder
		for _, s := range d.sections {
			fmt.Fprintf(&b, "## %s\n\n%s\n\n", s.title, strings.Join(s.paras[0], " "))
		}
		oldMD := b.String()
		m := d.sections[from]
		rest := append(d.sections[:from:from], d.sections[from+1:]...)
		d.sections = append(rest[:to:to], append([]randSection{m}, rest[to:]...)...)
		b.Reset()
		for _, s := range d.sections {
			fmt.Fprintf(&b, "## %s\n\n%s\n\n", s.title, strings.Join(s.paras[0], " "))
		}
		r := Compare(Split(oldMD), Split(b.String()), Options{})
		checkResult(t, fmt.Sprintf("seed %d", seed), oldMD, b.String(), r)
		if r.Summary.Moved != 1 || r.Summary.Modified+r.Summary.Added+r.Summary.Removed != 0 {
			t.Errorf("seed %d: moving %s from %d to %d gave %+v", seed, m.title, from, to, r.Summary)
		}
	}
}
