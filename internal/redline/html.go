package redline

// View selects an HTML layout of a redline. The HTML itself is typeset
// from the Markdown, so it is written by internal/render (RedlineHTML).
type View int

const (
	// Inline shows one text with insertions and deletions marked in place.
	Inline View = iota
	// SideBySide shows the old text beside the new, paragraph by paragraph.
	SideBySide
)

// Sentence summarises the totals for a reader, e.g. "Redline: 1 moved, 36
// modified sections; 596 words inserted, 70 deleted."
func (s Summary) Sentence() string { return s.sentence() }

// Note says in a few words what happened to a section, for a typeset
// redline to print beside its heading: "moved from §3 to after §59
// Termination", "renamed from “Term”", "added", "renumbered from §8". It is
// empty for a section only edited or unchanged: its marks say so.
func (c SectionChange) Note() string {
	switch c.Status {
	case StatusModified:
		return ""
	case StatusUnchanged:
		if c.OldNumber != "" && c.OldNumber != c.Number {
			return "renumbered from §" + c.OldNumber
		}
		return ""
	}
	c.WordsInserted, c.WordsDeleted = 0, 0 // describe's word counts are for text
	return c.describe()
}

// Departure is the old place of a moved section, for a typeset redline to
// mark: After is the index in Result.Sections of the section it followed
// in the old document (-1 when it came first), Note what to print there.
type Departure struct {
	After int
	Note  string
}

// Departures lists the old places of moved sections, so both ends of a
// section move are labelled: "§3 School-Year Dates moved from here to after
// §59 Training Requirements" where it was, "moved from … to …" where it is.
// A section whose old neighbour also moved is left out: the neighbour's
// place in Sections is its new one.
func (r *Result) Departures() []Departure {
	var out []Departure
	for _, c := range r.Sections {
		if c.Status != StatusMoved {
			continue
		}
		after := -1
		if c.MovedAfter != "" {
			for i, p := range r.Sections {
				num, head := p.Number, p.Heading
				if p.OldNumber != "" {
					num = p.OldNumber
				}
				if p.OldHeading != "" {
					head = p.OldHeading
				}
				if p.Key != c.Key && p.Status != StatusMoved && p.Status != StatusAdded && label(num, head, p.Key) == c.MovedAfter {
					after = i
					break
				}
			}
			if after < 0 {
				continue
			}
		}
		num, head := c.MovedFrom, c.Heading
		if num != "" && !isASCIIDigit(num[0]) {
			num = ""
		}
		if c.OldHeading != "" {
			head = c.OldHeading
		}
		note := label(num, head, c.Key) + " moved from here"
		for _, m := range r.Moves {
			if m.ID == c.Move && c.Move != 0 && m.To != "" {
				note += " to " + m.To
			}
		}
		out = append(out, Departure{After: after, Note: note})
	}
	return out
}
