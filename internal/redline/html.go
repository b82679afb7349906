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
