package redline

import "time"

// Options tune Compare. The zero value gives exact, machine-independent
// results.
type Options struct {
	// Timeout bounds each go-diff call. 0 means no bound: the diff is
	// minimal and the same on every machine. A positive value trades that
	// for a time limit and may give a coarser (still correct) diff on a
	// slow or busy machine.
	Timeout time.Duration
}

// Section statuses.
const (
	StatusAdded     = "added"
	StatusRemoved   = "removed"
	StatusMoved     = "moved"
	StatusRenamed   = "renamed"
	StatusModified  = "modified"
	StatusUnchanged = "unchanged"
)

// Result is the redline between two documents.
type Result struct {
	// Ops cover the whole document: joining equal+delete texts gives the
	// old Markdown byte for byte, equal+insert the new. A moved section
	// shows as a delete at its old place and an insert at its new one;
	// Sections says it moved.
	Ops []Op `json:"ops"`
	// Sections are in new-document order, with each removed section at the
	// place it had in the old document.
	Sections []SectionChange `json:"sections"`
	Summary  Summary         `json:"summary"`
	// Moves lists each move, section moves first, by ID; both ends of a
	// move are ops carrying its ID and a label naming the other end.
	Moves []Move `json:"moves,omitempty"`
}

// SectionChange says what happened to one section.
type SectionChange struct {
	// Key is the section's key in the new document (the old one for a
	// removed section).
	Key     string `json:"key"`
	Heading string `json:"heading"`
	Number  string `json:"number,omitempty"`
	// OldHeading and OldNumber are set when they differ from the new ones.
	OldHeading string `json:"old_heading,omitempty"`
	OldNumber  string `json:"old_number,omitempty"`
	// Status is one of added, removed, moved, renamed, modified, unchanged.
	// One status wins when several apply, in that order: a section that
	// moved and was edited is "moved" with Modified true (and OldHeading set
	// if its heading changed too); a renamed section whose body was edited
	// is "renamed" with Modified true. A section whose only change is its
	// number (renumbering after an insert) is "unchanged" with OldNumber
	// set; its ops still show the new number.
	Status string `json:"status"`
	// Modified is true when the body (the text after the heading line)
	// changed, or the heading line changed in a way OldHeading and
	// OldNumber do not explain (its level, say).
	Modified bool `json:"modified"`
	// MovedFrom is the old number of a moved section, or "position N"
	// (1-based, among the old sections) when it had no number.
	MovedFrom string `json:"moved_from,omitempty"`
	// MovedAfter names the section that preceded a moved section in the
	// old document, e.g. "§2 Term of Agreement"; empty if it came first.
	// Move's entry in Result.Moves says where it went and came from.
	MovedAfter string `json:"moved_after,omitempty"`
	// Move is a moved section's ID in Result.Moves.
	Move int `json:"move,omitempty"`
	// moveNote says where a moved section was and is, "moved from §8 to
	// §12", for describe; JSON readers have it in Result.Moves.
	moveNote      string
	WordsInserted int `json:"words_inserted"`
	WordsDeleted  int `json:"words_deleted"`
	// Ops are this section's own ops, old text to new, for renderers: a
	// moved section's ops are its edits, not a delete and an insert.
	Ops []Op `json:"ops"`
}

// Label names the section for a reader, e.g. "§6 Access to Student
// Records"; a renumbered section shows both numbers once, "§8 → §7
// Access to Student Records", so it is never confused with the section
// that had or took its number.
func (c SectionChange) Label() string {
	if c.OldNumber != "" && c.Number != "" && c.OldNumber != c.Number {
		return "§" + c.OldNumber + " → " + label(c.Number, c.Heading, c.Key)
	}
	return label(c.Number, c.Heading, c.Key)
}

// Summary totals a Result.
type Summary struct {
	Added     int `json:"added"`
	Removed   int `json:"removed"`
	Moved     int `json:"moved"`
	Renamed   int `json:"renamed"`
	Modified  int `json:"modified"`
	Unchanged int `json:"unchanged"`
	// MovedParagraphs counts paragraph moves (Result.Moves of kind
	// paragraph); Moved counts moved sections.
	MovedParagraphs int `json:"moved_paragraphs,omitempty"`
	// WordsInserted and WordsDeleted count words in inserted and deleted
	// text across sections; moved text counts only its edits.
	WordsInserted int `json:"words_inserted"`
	WordsDeleted  int `json:"words_deleted"`
	// Changed lists the keys of every section whose status is not
	// unchanged, in the order of Result.Sections.
	Changed []string `json:"changed"`
}

// HasChanges reports whether the documents differ at all.
func (r *Result) HasChanges() bool {
	for _, op := range r.Ops {
		if op.Op != OpEqual {
			return true
		}
	}
	return false
}
