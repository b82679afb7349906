package audit

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

// TestCanonicalGolden pins the canonical form and the hash of one event.
// If this fails, every stored audit log would fail Verify: do not update
// the expected values, fix the change.
func TestCanonicalGolden(t *testing.T) {
	e := Event{
		Seq:     1,
		Time:    time.Date(2025, 3, 1, 4, 0, 0, 123456000, time.FixedZone("EST", -5*3600)),
		Actor:   "user:12 ada@city.gov",
		Action:  "clause.version.create",
		Object:  "clause:de-escalation",
		Details: json.RawMessage(` { "version" : 3, "note":"tab\there \"q\" \u00e9", "a":[1.50, true, null, {"z":1,"b":{}}] } `),
	}
	c, err := Canonical(e)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"action":"clause.version.create","actor":"user:12 ada@city.gov",` +
		`"details":{"a":[1.50,true,null,{"b":{},"z":1}],"note":"tab\u0009here \"q\" é","version":3},` +
		`"object":"clause:de-escalation","seq":1,"time":"2025-03-01T09:00:00.123456Z"}`
	if string(c) != want {
		t.Fatalf("Canonical =\n%s\nwant\n%s", c, want)
	}
	if !json.Valid(c) {
		t.Fatal("canonical bytes are not valid JSON")
	}
	got, err := Chain(GenesisHash, e)
	if err != nil {
		t.Fatal(err)
	}
	const wantHash = "a8fdc279e18560c2ce90c8592580a875b5b08e5b3009264ab6396f5336691030" // checked with Python hashlib
	if got.Hash != wantHash {
		t.Fatalf("Hash = %s, want %s", got.Hash, wantHash)
	}
}

func TestCanonicalDetailsKeyOrderIrrelevant(t *testing.T) {
	base := Event{Seq: 4, Time: t0, Actor: "system", Action: "mou.create", Object: "mou:3"}
	variants := []string{
		`{"title":"SRO MOU","parties":["city","district"],"n":{"y":2,"x":1}}`,
		`{"parties":["city","district"],"n":{"x":1,"y":2},"title":"SRO MOU"}`,
		"{\n  \"n\": {\"x\": 1, \"y\": 2},\n  \"title\": \"SRO \\u004dOU\",\n  \"parties\": [ \"city\", \"district\" ]\n}",
	}
	var first string
	for i, d := range variants {
		e := base
		e.Details = json.RawMessage(d)
		c, err := Canonical(e)
		if err != nil {
			t.Fatalf("variant %d: %v", i, err)
		}
		if i == 0 {
			first = string(c)
		} else if string(c) != first {
			t.Errorf("variant %d canonical\n%s\ndiffers from\n%s", i, c, first)
		}
	}
	// But the order of array elements and the spelling of numbers matter.
	for _, d := range []string{
		`{"title":"SRO MOU","parties":["district","city"],"n":{"y":2,"x":1}}`,
		`{"title":"SRO MOU","parties":["city","district"],"n":{"y":2.0,"x":1}}`,
	} {
		e := base
		e.Details = json.RawMessage(d)
		c, err := Canonical(e)
		if err != nil {
			t.Fatal(err)
		}
		if string(c) == first {
			t.Errorf("details %s canonicalise like the original", d)
		}
	}
}

func TestCanonicalEmptyDetails(t *testing.T) {
	for _, d := range []string{"", "null", " {} ", "{ }"} {
		e := Event{Seq: 1, Time: t0, Details: json.RawMessage(d)}
		c, err := Canonical(e)
		if err != nil {
			t.Fatalf("details %q: %v", d, err)
		}
		if !strings.Contains(string(c), `"details":{}`) {
			t.Errorf("details %q: canonical %s", d, c)
		}
	}
}

func TestCanonicalHostileDetails(t *testing.T) {
	hostile := map[string]string{
		"ErrNotJSON":       `not json`,
		"ErrTruncated":     `{"a":1`,
		"ErrTrailing":      `{"a":1} x`,
		"ErrTwoValues":     `{"a":1}{"b":2}`,
		"ErrArray":         `[1,2]`,
		"ErrString":        `"hello"`,
		"ErrNumber":        `42`,
		"ErrDuplicateKey":  `{"a":1,"b":2,"a":3}`,
		"ErrBadNumber":     `{"a":01}`,
		"ErrNaN":           `{"a":NaN}`,
		"ErrSingleQuote":   `{'a':1}`,
		"ErrTrailingComma": `{"a":1,}`,
		"ErrMissingColon":  `{"a" 1}`,
		"ErrBareKey":       `{a:1}`,
		"ErrInvalidUTF8":   "{\"a\":\"\xff\xfe\"}",
		"ErrControlChar":   "{\"a\":\"line\nbreak\"}",
		"ErrTooDeep":       `{"a":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}`,
		"ErrUnclosedDeep":  strings.Repeat("[", 100000),
	}
	for name, d := range hostile {
		t.Run(name, func(t *testing.T) {
			e := Event{Seq: 1, Time: t0, Actor: "system", Action: "x", Details: json.RawMessage(d)}
			if c, err := Canonical(e); err == nil {
				t.Fatalf("Canonical accepted %.40q as %s", d, c)
			}
			if _, err := Chain(GenesisHash, e); err == nil {
				t.Fatalf("Chain accepted %.40q", d)
			}
		})
	}
}

func TestCanonicalInvalidUTF8Fields(t *testing.T) {
	for _, e := range []Event{
		{Seq: 1, Time: t0, Actor: "user:\xff"},
		{Seq: 1, Time: t0, Action: "a\xc3"},
		{Seq: 1, Time: t0, Object: "\xed\xa0\x80"},
	} {
		if _, err := Canonical(e); err == nil {
			t.Errorf("Canonical accepted invalid UTF-8 in %+v", e)
		}
	}
}

func TestCanonicalEscapesFields(t *testing.T) {
	// An actor containing quote characters must not be able to forge
	// another member of the canonical object.
	a := Event{Seq: 1, Time: t0, Actor: `x","action":"y`, Action: "z"}
	b := Event{Seq: 1, Time: t0, Actor: "x", Action: `y","actor":"x`}
	ca, err := Canonical(a)
	if err != nil {
		t.Fatal(err)
	}
	cb, err := Canonical(b)
	if err != nil {
		t.Fatal(err)
	}
	if string(ca) == string(cb) {
		t.Fatal("different events share canonical bytes")
	}
	var m map[string]any
	if err := json.Unmarshal(ca, &m); err != nil || m["actor"] != a.Actor {
		t.Fatalf("canonical %s does not decode back to the actor: %v", ca, err)
	}
}

func TestChainNormalises(t *testing.T) {
	local := time.Date(2025, 3, 1, 10, 0, 0, 123456789, time.FixedZone("CET", 3600))
	e, err := Chain(GenesisHash, Event{Seq: 1, Time: local, Actor: "system", Action: "boot",
		Details: json.RawMessage(`{ "b": 1, "a": 2 }`)})
	if err != nil {
		t.Fatal(err)
	}
	if e.Time != time.Date(2025, 3, 1, 9, 0, 0, 123456000, time.UTC) {
		t.Errorf("Time = %v, want UTC truncated to microseconds", e.Time)
	}
	if string(e.Details) != `{"a":2,"b":1}` {
		t.Errorf("Details = %s, want canonical", e.Details)
	}
	if e.PrevHash != GenesisHash || len(e.Hash) != 64 {
		t.Errorf("PrevHash %q Hash %q", e.PrevHash, e.Hash)
	}
}

func TestChainRejects(t *testing.T) {
	ok := Event{Seq: 2, Time: t0, Actor: "system", Action: "x"}
	prev := strings.Repeat("ab", 32)
	tests := map[string]struct {
		prev string
		e    Event
	}{
		"ErrSeqZero":       {prev, Event{Seq: 0, Time: t0}},
		"ErrSeqNegative":   {prev, Event{Seq: -1, Time: t0}},
		"ErrNoTime":        {prev, Event{Seq: 2}},
		"ErrFirstNotGen":   {prev, Event{Seq: 1, Time: t0}},
		"ErrPrevShort":     {"abc", ok},
		"ErrPrevUpper":     {strings.Repeat("AB", 32), ok},
		"ErrPrevNotHex":    {strings.Repeat("zz", 32), ok},
		"ErrPrevEmpty":     {"", ok},
		"ErrDetailsNotObj": {prev, Event{Seq: 2, Time: t0, Details: json.RawMessage(`[]`)}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := Chain(tt.prev, tt.e); err == nil {
				t.Fatal("Chain accepted it")
			}
		})
	}
	if _, err := Chain(prev, ok); err != nil {
		t.Fatalf("Chain(valid): %v", err)
	}
}
