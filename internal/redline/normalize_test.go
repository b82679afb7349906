package redline

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"github.com/moudesk/moudesk"
)

// encodeOddly rewrites md the way other tools save the same text: CRLF or
// CR line endings and decomposed (NFD) accents, chosen per document.
func encodeOddly(rng *rand.Rand, md string) string {
	switch rng.Intn(3) {
	case 0:
		md = strings.ReplaceAll(md, "\n", "\r\n")
	case 1:
		md = strings.ReplaceAll(md, "\n", "\r")
	}
	if rng.Intn(2) == 0 {
		md = norm.NFD.String(md)
	}
	return md
}

// Text is normalised once on input (moudesk.NormalizeText); after that a
// CRLF or NFD copy of a document compares equal to the original, and the
// ops of a real redline still rebuild both normalised sides byte for byte.
func TestCompareNormalisedInput(t *testing.T) {
	for seed := int64(1); seed <= 200; seed++ {
		rng := rand.New(rand.NewSource(seed))
		d := randomDoc(rng)
		oldMD := d.markdown(rng)
		newMD := d.edit(rng).markdown(rng)
		name := fmt.Sprintf("seed %d", seed)

		copyMD := moudesk.NormalizeText(encodeOddly(rng, oldMD))
		if copyMD != moudesk.NormalizeText(oldMD) {
			t.Fatalf("%s: the normalised copy differs from the normalised original", name)
		}
		same := Compare(Split(moudesk.NormalizeText(oldMD)), Split(copyMD), Options{})
		checkResult(t, name+" (copy)", moudesk.NormalizeText(oldMD), copyMD, same)
		if same.HasChanges() {
			t.Errorf("%s: a CRLF/NFD copy compares as changed: %+v", name, same.Summary)
		}

		a, b := moudesk.NormalizeText(encodeOddly(rng, oldMD)), moudesk.NormalizeText(encodeOddly(rng, newMD))
		r := Compare(Split(a), Split(b), Options{})
		checkResult(t, name, a, b, r)
		if t.Failed() {
			t.Fatalf("%s failed; old:\n%q\nnew:\n%q", name, oldMD, newMD)
		}
	}
}
