package render

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// TestConcurrentRendersShareNothing renders documents at once, as the
// server does for several requests, and checks each file is the one the
// same document gives alone. Under -race it also catches writes into
// state the renders share (gofpdf once padded font tables in place).
func TestConcurrentRendersShareNothing(t *testing.T) {
	docs := make([][]byte, 4)
	for i := range docs {
		var b strings.Builder
		fmt.Fprintf(&b, "# Agreement %d\n\n", i)
		for j := 0; j <= i; j++ {
			fmt.Fprintf(&b, "## Section %d\n\nThe **District** and the _City_ agree — «%d» café, naïve façade.\n\n", j, j*i)
		}
		docs[i] = []byte(b.String())
	}
	alone := make([][]byte, len(docs))
	for i, md := range docs {
		res, err := PDF(md, Options{Title: "Concurrent"})
		if err != nil {
			t.Fatal(err)
		}
		alone[i] = res.PDF
	}
	var wg sync.WaitGroup
	for round := 0; round < 2; round++ {
		for i, md := range docs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := PDF(md, Options{Title: "Concurrent"})
				if err != nil {
					t.Error(err)
					return
				}
				if !bytes.Equal(res.PDF, alone[i]) {
					t.Errorf("document %d rendered beside others differs from the same document alone", i)
				}
			}()
		}
	}
	wg.Wait()
}
