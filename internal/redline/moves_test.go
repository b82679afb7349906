package redline

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

// A numbered item moved from one section to another is a move with both
// ends labelled by where the text now is and where it came from, not a
// delete and an unrelated insert; its words count as neither.
func TestCompareParagraphMovedBetweenSections(t *testing.T) {
	old := "## 4. Records\n\n1. The SRO keeps a log.\n2. Records of arrests stay with the Department at all times.\n3. Nothing else.\n\n" +
		"## 12. Reports\n\n1. The City reports yearly.\n2. The District reports monthly.\n"
	new := "## 4. Records\n\n1. The SRO keeps a log.\n2. Nothing else.\n\n" +
		"## 12. Reports\n\n1. The City reports yearly.\n2. The District reports monthly.\n3. Records of arrests stay with the Department at all times.\n"
	r := Compare(Split(old), Split(new), Options{})
	checkResult(t, "moved item", old, new, r)
	want := Move{ID: 1, Kind: MoveParagraph, From: "§4.2", To: "§12.3", FromKey: "records", ToKey: "reports", Words: 10}
	if len(r.Moves) != 1 || r.Moves[0] != want || r.Summary.MovedParagraphs != 1 {
		t.Fatalf("moves = %+v, want %+v", r.Moves, want)
	}
	var ends []string
	for _, c := range r.Sections {
		for _, op := range c.Ops {
			if op.Move != 0 {
				ends = append(ends, c.Key+": "+op.Op+" "+op.Label+": "+op.Text)
			}
		}
	}
	if got := strings.Join(ends, "\n"); got != "records: delete moved to §12.3: 2. Records of arrests stay with the Department at all times.\n\n"+
		"reports: insert moved from §4.2: 3. Records of arrests stay with the Department at all times.\n" {
		t.Errorf("labelled ends:\n%s", got)
	}
	// "2. Nothing else." is renumbered, not moved: one word changed.
	if c := r.Sections[0]; c.Status != StatusModified || c.WordsDeleted != 1 || c.WordsInserted != 1 {
		t.Errorf("records = %+v", c)
	}
	if c := r.Sections[1]; c.Status != StatusModified || c.WordsDeleted != 0 || c.WordsInserted != 0 {
		t.Errorf("reports = %+v", c)
	}
	var text strings.Builder
	if err := r.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"[-(moved to §12.3) 2. Records of arrests", "[+(moved from §4.2) 3. Records of arrests", "1 paragraph move;"} {
		if !strings.Contains(text.String(), s) {
			t.Errorf("text output lacks %q:\n%s", s, text.String())
		}
	}
	checkJSON(t, "moved item", r)
}

// A paragraph moved inside its section, and one moved out of a removed
// section into an added one, are moves too; paragraphs outside numbered
// lists are named by their place, "§2 ¶3".
func TestCompareParagraphMovedWithinAndAcross(t *testing.T) {
	old := "## 2. Term\n\nThe term begins on the first school day.\n\nIt ends on the last school day of June.\n\nEither party may end it on notice.\n\n" +
		"## 3. Old Terms\n\nThe SRO wears the Department uniform at school events.\n\nAlpha beta gamma delta epsilon.\n"
	new := "## 2. Term\n\nThe term begins on the first school day.\n\nEither party may end it on notice.\n\nIt ends on the last school day of June.\n\n" +
		"## 3. New Terms\n\nZeta eta theta iota kappa lambda.\n\nMu nu xi omicron pi rho.\n\nThe SRO wears the Department uniform at school events.\n"
	r := Compare(Split(old), Split(new), Options{})
	checkResult(t, "within and across", old, new, r)
	var got []string
	for _, m := range r.Moves {
		got = append(got, fmt.Sprintf("%s %s→%s %s→%s", m.Kind, m.From, m.To, m.FromKey, m.ToKey))
	}
	want := []string{"paragraph §2 ¶3→§2 ¶2 term→term", "paragraph §3 ¶1→§3 ¶3 old-terms→new-terms"}
	if len(got) != 2 || (got[0] != want[0] && got[0] != "paragraph §2 ¶2→§2 ¶3 term→term") || got[1] != want[1] {
		t.Errorf("moves = %q, want %q", got, want)
	}
}

// Paragraph addresses follow the printed numbering: items of the list at
// the top of the body by number, a nested list's items within theirs,
// other paragraphs by place.
func TestParagraphAddress(t *testing.T) {
	s := Split("## 23. Advisory\n\nIntro line.\n\n1. First.\n\n2. Role:\n   1. review;\n   2. comment.\n\n3. Response.\n\nClosing words.\n").Sections[0]
	for _, tc := range []struct{ at, want string }{
		{"Intro", "§23 ¶1"}, {"1. First", "§23.1"}, {"2. Role", "§23.2"}, {"   2. comment", "§23.2"},
		{"3. Response", "§23.3"}, {"Closing", "§23 ¶5"},
	} {
		if got := paragraphAddress(s, strings.Index(s.Text, tc.at)); got != tc.want {
			t.Errorf("%q: %s, want %s", tc.at, got, tc.want)
		}
	}
}

// A renumbered section is labelled once with both numbers, so a removed
// §7 and the §8 that became §7 are never two entries labelled "§7".
func TestCompareRenumberedLabelledOnce(t *testing.T) {
	old := "## 7. Uniforms\n\nThe SRO wears a uniform.\n\n## 8. Notices\n\nNotices go by mail.\n"
	new := "## 7. Notices\n\nNotices go by e-mail.\n"
	r := Compare(Split(old), Split(new), Options{})
	checkResult(t, "renumbered", old, new, r)
	var labels []string
	for _, c := range r.Sections {
		labels = append(labels, c.Label()+" — "+c.describe())
	}
	if got := strings.Join(labels, "\n"); got != "§7 Uniforms — removed (+0 -7 words)\n§8 → §7 Notices — modified (+2 -1 words)" {
		t.Errorf("labels:\n%s", got)
	}
}

// Paragraphs moved at random between and within sections of random
// documents, among other edits: the ops still rebuild both sides byte for
// byte, both ends of each move are labelled ops of the document, and a
// paragraph moved alone among distinct paragraphs is found.
func TestCompareRandomParagraphMoves(t *testing.T) {
	found := 0
	for seed := int64(1); seed <= 300; seed++ {
		rng := rand.New(rand.NewSource(seed))
		d := randomDoc(rng)
		e := d.edit(rng)
		for n := rng.Intn(3) + 1; n > 0; n-- {
			e.moveParagraph(rng)
		}
		oldMD, newMD := d.markdown(rng), e.markdown(rng)
		name := fmt.Sprintf("seed %d", seed)
		r := Compare(Split(oldMD), Split(newMD), Options{})
		checkResult(t, name, oldMD, newMD, r)
		checkMoveEnds(t, name, r)

		// One paragraph of distinct words moved, nothing else changed.
		secs := make([][]string, 4) // paragraphs per section
		for s := range secs {
			for p := 0; p < 3; p++ {
				secs[s] = append(secs[s], fmt.Sprintf("w%d_%d_a w%d_%d_b w%d_%d_c w%d_%d_d w%d_%d_e", s, p, s, p, s, p, s, p, s, p))
			}
		}
		write := func(b *strings.Builder, secs [][]string) {
			for s, paras := range secs {
				fmt.Fprintf(b, "## %d. Topic %d\n\n", s+1, s)
				for _, p := range paras {
					b.WriteString(p + "\n\n")
				}
			}
		}
		var b, c strings.Builder
		write(&b, secs)
		fs, fp, ts := rng.Intn(4), rng.Intn(3), rng.Intn(4)
		m := secs[fs][fp]
		secs[fs] = append(secs[fs][:fp:fp], secs[fs][fp+1:]...)
		tp := rng.Intn(len(secs[ts]) + 1)
		secs[ts] = append(secs[ts][:tp:tp], append([]string{m}, secs[ts][tp:]...)...)
		write(&c, secs)
		from, to := fs*3+fp, ts*3+tp
		r = Compare(Split(b.String()), Split(c.String()), Options{})
		checkResult(t, name+" single", b.String(), c.String(), r)
		checkMoveEnds(t, name+" single", r)
		if fs == ts && (fp == tp || fp == tp+1 || tp == fp+1) {
			continue // in place, or an adjacent swap: either paragraph moved
		}
		found++
		if len(r.Moves) != 1 || r.Moves[0].Kind != MoveParagraph || r.Summary.WordsInserted+r.Summary.WordsDeleted != 0 {
			t.Errorf("%s: moving paragraph %d to %d gave moves %+v, summary %+v", name, from, to, r.Moves, r.Summary)
		}
		if t.Failed() {
			t.Fatalf("%s failed; old:\n%s\nnew:\n%s", name, oldMD, newMD)
		}
	}
	if found < 200 {
		t.Errorf("only %d single moves tried", found)
	}
}

// checkMoveEnds asserts each move has exactly one delete end and one
// insert end among the document's ops, or is a section move, whose ends
// are whole sections.
func checkMoveEnds(t *testing.T, name string, r *Result) {
	t.Helper()
	dels, ins := map[int]int{}, map[int]int{}
	for _, op := range r.Ops {
		switch {
		case op.Move == 0:
		case op.Op == OpDelete && strings.HasPrefix(op.Label, "moved to "):
			dels[op.Move]++
		case op.Op == OpInsert && strings.HasPrefix(op.Label, "moved from "):
			ins[op.Move]++
		default:
			t.Errorf("%s: op %+v", name, op)
		}
	}
	for _, m := range r.Moves {
		if dels[m.ID] != 1 || ins[m.ID] != 1 {
			t.Errorf("%s: move %+v has %d delete and %d insert ends", name, m, dels[m.ID], ins[m.ID])
		}
	}
	if len(dels) != len(r.Moves) || len(ins) != len(r.Moves) {
		t.Errorf("%s: %d moves, ends of %d and %d", name, len(r.Moves), len(dels), len(ins))
	}
}

// moveParagraph moves one paragraph to a random place in a random
// section.
func (d *randDoc) moveParagraph(rng *rand.Rand) {
	if len(d.sections) == 0 {
		return
	}
	from := &d.sections[rng.Intn(len(d.sections))]
	if len(from.paras) < 2 {
		return
	}
	i := rng.Intn(len(from.paras))
	p := from.paras[i]
	from.paras = append(from.paras[:i:i], from.paras[i+1:]...)
	to := &d.sections[rng.Intn(len(d.sections))]
	at := rng.Intn(len(to.paras) + 1)
	to.paras = append(to.paras[:at:at], append([][]string{p}, to.paras[at:]...)...)
}
