package audit

import "fmt"

// BrokenError says where a chain stops being trustworthy. Seq is the
// sequence number at which the break is found: the event whose contents,
// hash or link are wrong, or, when an event is missing or out of place,
// the seq that was expected there.
type BrokenError struct {
	Seq    int64
	Reason string
}

func (e *BrokenError) Error() string {
	return fmt.Sprintf("audit chain broken at seq %d: %s", e.Seq, e.Reason)
}

// Verify walks a log from its first event, calling next until it reports
// no more, and checks for each event that its Seq continues the sequence
// from 1, that PrevHash equals the previous event's Hash (GenesisHash for
// the first), and that Hash matches its contents. It returns how many
// events passed and, at the first failure, a *BrokenError; an error from
// next is returned wrapped, as is.
//
// Verify cannot see events removed from the end of the log: compare checked
// (and the last Hash) with a count or hash kept elsewhere for that.
func Verify(next func() (Event, bool, error)) (checked int64, err error) {
	prev := GenesisHash
	for {
		e, ok, err := next()
		if err != nil {
			return checked, fmt.Errorf("audit verify: reading the event after seq %d: %w", checked, err)
		}
		if !ok {
			return checked, nil
		}
		want := checked + 1
		if e.Seq != want {
			return checked, &BrokenError{Seq: want, Reason: fmt.Sprintf(
				"found seq %d where seq %d belongs: an event was removed, inserted or renumbered", e.Seq, want)}
		}
		if e.PrevHash != prev {
			return checked, &BrokenError{Seq: e.Seq, Reason: "prev_hash does not match the hash of the event before"}
		}
		h, err := hashEvent(prev, e)
		if err != nil {
			return checked, &BrokenError{Seq: e.Seq, Reason: err.Error()}
		}
		if h != e.Hash {
			return checked, &BrokenError{Seq: e.Seq, Reason: "hash does not match the event's contents"}
		}
		prev = e.Hash
		checked++
	}
}
