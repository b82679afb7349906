package testtool

import (
	"io"
	"net/http"
	"testing"
)

// Do sends req with client and returns the answer and its whole body,
// which it has read and closed; a request that gets no answer, or whose
// body cannot be read, fails tb.
func Do(tb testing.TB, client *http.Client, req *http.Request) (*http.Response, []byte) {
	tb.Helper()
	res, err := client.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return res, body
}
