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
// next is returned wrapped, as is. Every event up to checked is good.
//
// Verify cannot see events removed from the end of the log, nor a log
// rewritten from some event on and hashed again: VerifyTo holds the log to
// a head kept elsewhere for that.
func Verify(next func() (Event, bool, error)) (checked int64, err error) {
	return VerifyTo(next, Head{})
}

// VerifyTo is Verify that also holds the log to anchor, a head recorded
// outside the log (a checkpoint, a certificate): the event at anchor.Seq
// must be there and carry anchor.Hash. A log that ends before it lost its
// tail, and the BrokenError is at the first missing seq; a different hash
// there means the events up to it were rewritten and hashed again, and
// the BrokenError is at anchor.Seq. The zero Head anchors nothing.
func VerifyTo(next func() (Event, bool, error), anchor Head) (checked int64, err error) {
	prev := GenesisHash
	for {
		e, ok, err := next()
		if err != nil {
			return checked, fmt.Errorf("audit verify: reading the event after seq %d: %w", checked, err)
		}
		if !ok {
			if checked < anchor.Seq {
				return checked, &BrokenError{Seq: checked + 1, Reason: fmt.Sprintf(
					"the log ends at event %d, but event %d was anchored with hash %s: events %d to %d were deleted",
					checked, anchor.Seq, anchor.Hash, checked+1, anchor.Seq)}
			}
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
		if e.Seq == anchor.Seq && e.Hash != anchor.Hash {
			return checked, &BrokenError{Seq: e.Seq, Reason: fmt.Sprintf(
				"hash %s differs from the anchored %s: the log was rewritten up to here and hashed again", e.Hash, anchor.Hash)}
		}
		prev = e.Hash
		checked++
	}
}
