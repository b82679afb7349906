package testtool

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchMOU returns two revisions of a generated School Resource Officer
// MOU, shaped like the 40-page bench pair the benchmarks read from
// ../shared/bench and about as long (95 KB, 34 pages as render.PDF lays it
// out), so that tests own their input and run in a fresh clone. The result
// is the same on every call and every machine.
//
// v1 is a "# Memorandum of Understanding" title with a preamble, sections
// "## 1." to "## 60." whose 24 headings repeat (§3, §27 and §51 are all
// "School-Year Dates", so Split's positional keys shift when one moves),
// and a "## Signatures" table: 62 sections after Split. The bodies mix
// paragraphs, bullet and numbered lists and a few tables, with accented
// names, "§" and curly quotes.
//
// v2 makes BenchEdits word and sentence edits scattered over the other
// sections (none adds, removes or renames a section) and moves
// "## 3. School-Year Dates", unedited, from after §2 to after §59.
func BenchMOU() (v1, v2 string) {
	rng := rand.New(rand.NewPCG(2025, 40))
	doc := newBenchDoc(rng)
	v1 = doc.markdown()
	doc.edit(rng)
	moved := doc.sections[2]
	rest := append(doc.sections[:2:2], doc.sections[3:]...)
	// After §59: rest[57] is §59 now that §3 is out.
	doc.sections = append(rest[:58:58], append([]benchSection{moved}, rest[58:]...)...)
	return v1, doc.markdown()
}

// WriteBenchMOU writes BenchMOU's pair as mou-40p.md and mou-40p-v2.md,
// the names of the shared bench pair, in a new temporary folder, and
// returns the folder.
func WriteBenchMOU(tb testing.TB) string {
	tb.Helper()
	dir := tb.TempDir()
	v1, v2 := BenchMOU()
	for name, md := range map[string]string{"mou-40p.md": v1, "mou-40p-v2.md": v2} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(md), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}

// BenchEdits is how many edits BenchMOU's v2 makes besides the move.
const BenchEdits = 50

// benchTitles repeat every 24 sections.
var benchTitles = []string{
	"Purpose", "Term of Agreement", "School-Year Dates", "Duties of the Officer",
	"School Discipline Remains with Administrators", "Student Records and Privacy", "Meaning of De-escalation",
	"Use of Force", "Interviews and Searches on Campus", "Notice to Parents and Guardians",
	"Training Before Assignment", "Complaints", "Data and Public Reports", "Selecting and Evaluating Officers",
	"Supervision", "Coverage During Absences", "Staff Development Days", "Funding and Cost Sharing",
	"Uniform, Vehicle and Equipment", "Indemnification", "Resolving Disputes", "Termination and Renewal",
	"Notices", "Community Advisory Committee",
}

// benchSentences are the clauses the bodies are drawn from.
var benchSentences = []string{
	"The officer assigned under this MOU shall remain an employee of the Police Department at all times.",
	"School administrators, not the officer, decide all matters of student discipline under the District’s code of conduct.",
	"The officer shall not take part in enforcing dress codes, attendance rules or other school policies that are not crimes.",
	"Before interviewing a student as a suspect, the officer shall make a reasonable effort to reach the student’s parent or guardian.",
	"The officer may see education records only as FERPA, 20 U.S.C. § 1232g, and state law allow.",
	"“De-escalation” means using time, distance, communication and calm to lower the intensity of an encounter.",
	"The officer shall use only the force that is objectively reasonable and shall stop once the threat has ended.",
	"Each use of force on school grounds shall be reported to the principal and the Chief within twenty-four (24) hours.",
	"The City shall pay seventy percent (70%) and the District thirty percent (30%) of the officer’s salary and benefits.",
	"Either party may end this MOU on ninety (90) days’ written notice to the other party.",
	"The term begins on the first teacher work day of the 2025-26 school year and ends on the last day of the school year.",
	"The Department shall send a qualified substitute whenever the assigned officer is away for more than one school day.",
	"Complaints about an officer may be made by any student, parent, guardian or staff member, in person or by e-mail.",
	"The Community Advisory Committee shall meet at least twice each school year and publish its minutes.",
	"The parties shall publish, each semester, counts of arrests, citations and referrals on campus, broken down by race, gender and disability.",
	"Officers shall complete forty (40) hours of training in adolescent development, implicit bias and trauma-informed practice before assignment.",
	"Information the officer learns at school shall not be shared with immigration authorities without a judicial warrant.",
	"The principal and the officer shall meet weekly to review incidents and upcoming events.",
	"Nothing in this MOU creates rights in any person who is not a party to it.",
	"Each party shall defend and indemnify the other against claims arising from its own negligent acts.",
	"Disputes shall first go to the Chief of Police and the Superintendent, who shall confer in good faith within fifteen (15) days.",
	"The officer shall attend site events such as back-to-school night, orientation and graduation when asked.",
	"Officers shall wear the standard Department uniform and drive a marked vehicle unless the principal agrees otherwise.",
	"Weapons shall never be displayed to intimidate students or staff.",
	"Notices under this MOU shall be delivered by hand or by certified mail to the addresses below.",
	"The District shall give the officer a private office with a locking file cabinet at each assigned school.",
	"José Peña, Zoë Nakamura and Søren Ødegaard serve as the first members named by the parties.",
	"Students with disabilities shall be served in line with their individualized education programs and section 504 plans.",
	"The officer shall not be used as a substitute for counselors, nurses or other student support staff.",
	"This MOU shall be reviewed in public by the City Council and the Board of Education every year.",
	"A student who is questioned shall be told, in plain words, that answering is voluntary.",
	"Body-worn cameras shall be used as Department policy requires and footage kept for at least one year.",
	"The Superintendent may ask the Chief to reassign an officer for good cause, and the Chief shall answer in writing.",
	"Training shall include the District’s restorative practices and its behavior-intervention plan.",
	"All reports under this MOU shall leave out the names of students.",
	"The parties shall keep the officer’s schedule on file and share it with each principal every August.",
}

// benchWords replace words in v2's edits.
var benchWords = []string{"annual", "written", "prompt", "each", "all", "assigned", "quarterly", "certified", "public", "prior"}

type benchBlock struct {
	kind  byte       // 'p' paragraph, '-' bullets, '1' numbered list, '|' table
	items [][]string // sentences per paragraph or item; table rows as cells
}

type benchSection struct {
	heading string
	blocks  []benchBlock
}

type benchDoc struct{ sections []benchSection }

func newBenchDoc(rng *rand.Rand) *benchDoc {
	sentences := func(lo, hi int) []string {
		s := make([]string, lo+rng.IntN(hi-lo+1))
		for i := range s {
			s[i] = benchSentences[rng.IntN(len(benchSentences))]
		}
		return s
	}
	// list is a list block of kind ('-' or '1') of lo to hi items, each of
	// one to most sentences.
	list := func(kind byte, lo, hi, most int) benchBlock {
		b := benchBlock{kind: kind}
		for range lo + rng.IntN(hi-lo+1) {
			b.items = append(b.items, sentences(1, most))
		}
		return b
	}
	var d benchDoc
	for i := 1; i <= 60; i++ {
		s := benchSection{heading: fmt.Sprintf("%d. %s", i, benchTitles[(i-1)%len(benchTitles)])}
		s.blocks = append(s.blocks, benchBlock{'p', [][]string{sentences(3, 6)}})
		if rng.IntN(2) == 0 {
			s.blocks = append(s.blocks, list('-', 3, 6, 1))
		}
		s.blocks = append(s.blocks, benchBlock{'p', [][]string{sentences(1, 3)}})
		if rng.IntN(3) == 0 {
			s.blocks = append(s.blocks, list('1', 2, 4, 2))
		}
		if i%15 == 3 {
			s.blocks = append(s.blocks, benchBlock{'|', [][]string{
				{"Period", "City share", "District share"},
				{"August – December", "70%", "30%"},
				{"January – June", "70%", "30%"},
				{"Summer session", "100%", "0%"},
			}})
		}
		s.blocks = append(s.blocks, benchBlock{'p', [][]string{sentences(3, 6)}})
		d.sections = append(d.sections, s)
	}
	d.sections = append(d.sections, benchSection{heading: "Signatures", blocks: []benchBlock{{'|', [][]string{
		{"Party", "Name", "Title", "Date"},
		{"City of Riverside Heights", "", "City Manager", ""},
		{"Riverside Heights Unified School District", "", "Superintendent", ""},
	}}}})
	return &d
}

// edit makes BenchEdits edits, none in §3 (which v2 moves unedited).
func (d *benchDoc) edit(rng *rand.Rand) {
	for range BenchEdits {
		si := rng.IntN(60)
		if si == 2 {
			si = 3
		}
		s := &d.sections[si]
		b := &s.blocks[rng.IntN(len(s.blocks))]
		if b.kind == '|' {
			b = &s.blocks[0]
		}
		ii := rng.IntN(len(b.items))
		item := append([]string(nil), b.items[ii]...)
		k := rng.IntN(len(item))
		words := strings.Fields(item[k])
		w := rng.IntN(len(words) - 1) // never the last word, which carries the full stop
		switch rng.IntN(5) {
		case 0: // replace a word
			r := benchWords[rng.IntN(len(benchWords))]
			if r == words[w] {
				r = "such"
			}
			words[w] = r
		case 1: // delete up to three words, keeping at least four
			if n := min(1+rng.IntN(3), len(words)-1-w, len(words)-4); n > 0 {
				words = append(words[:w:w], words[w+n:]...)
			} else {
				words[w] = "such"
			}
		case 2: // insert a word
			words = append(words[:w:w], append([]string{benchWords[rng.IntN(len(benchWords))]}, words[w:]...)...)
		case 3: // insert a sentence
			item = append(item[:k+1:k+1], append([]string{benchSentences[rng.IntN(len(benchSentences))]}, item[k+1:]...)...)
		case 4: // delete a sentence, or replace a lone one
			if len(item) > 1 {
				item = append(item[:k:k], item[k+1:]...)
				words = nil
			} else {
				item[k] = benchSentences[(rng.IntN(len(benchSentences)))]
				words = nil
			}
		}
		if words != nil {
			item[k] = strings.Join(words, " ")
		}
		b.items[ii] = item
	}
}

func (d *benchDoc) markdown() string {
	var b strings.Builder
	b.WriteString("# Memorandum of Understanding\n\n")
	b.WriteString("**Between the City of Riverside Heights Police Department and the Riverside Heights Unified School District**\n\n")
	b.WriteString("This Memorandum of Understanding (“MOU”) is made by the City of Riverside Heights (“City”) and the Riverside Heights Unified School District (“District”), together the “Parties”.\n\n")
	for _, s := range d.sections {
		fmt.Fprintf(&b, "## %s\n\n", s.heading)
		for _, bl := range s.blocks {
			for i, it := range bl.items {
				switch bl.kind {
				case 'p':
					b.WriteString(strings.Join(it, " "))
				case '-':
					b.WriteString("- " + strings.Join(it, " "))
				case '1':
					fmt.Fprintf(&b, "%d. %s", i+1, strings.Join(it, " "))
				case '|':
					b.WriteString("| " + strings.Join(it, " | ") + " |")
					if i == 0 {
						b.WriteString("\n|" + strings.Repeat("---|", len(it)))
					}
				}
				b.WriteString("\n")
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

// sharedBench is the folder of the 40-page bench pair beside the checkout
// (../shared/bench seen from the repository's root), relative to a package
// two levels below it, where go test runs.
const sharedBench = "../../../shared/bench/"

// SharedBench returns the shared bench file name (mou-40p.md,
// mou-40p-v2.md), which docs/benchmarks.md's figures are measured on. Only
// benchmarks read it; without the folder beside the checkout b is skipped.
func SharedBench(b *testing.B, name string) []byte {
	b.Helper()
	data, err := os.ReadFile(sharedBench + name)
	if err != nil {
		b.Skipf("benchmarks measure the shared bench pair, not beside this checkout: %v", err)
	}
	return data
}
