package redline

import "testing"

func TestSplit(t *testing.T) {
	md := "Intro text.\n\n" +
		"# Memorandum\n\nBody.\n" +
		"## 6. Access to Student Records\n\nRecords.\n" +
		"```\n## not a heading\n```\n" +
		"~~~~\n```\n# still code\n~~~~\n" +
		"    # indented code, not a heading\n" +
		"## § 7 Use of Force ##\n" +
		"#NoSpace is text\n" +
		"### A. Definitions\n" +
		"## Purpose\n" +
		"## 2. Purpose\n" +
		"## 2024-25 Calendar\n" +
		"## IV) Parent’s Rights\n" +
		"##\n" +
		"## Section 9.1 Notices" // no final newline
	doc := Split(md)
	if got := doc.Markdown(); got != md {
		t.Fatalf("Markdown() does not give the input back:\n%q", got)
	}
	want := []struct{ key, heading, number, slug string }{
		{"preamble", "", "", ""},
		{"memorandum", "Memorandum", "", "memorandum"},
		{"access-to-student-records", "Access to Student Records", "6", "access-to-student-records"},
		{"use-of-force", "Use of Force", "7", "use-of-force"},
		{"definitions", "Definitions", "A", "definitions"},
		{"purpose", "Purpose", "", "purpose"},
		{"purpose-2", "Purpose", "2", "purpose"},
		{"2024-25-calendar", "2024-25 Calendar", "", "2024-25-calendar"},
		{"parents-rights", "Parent’s Rights", "IV", "parents-rights"},
		{"section", "", "", "section"},
		{"notices", "Notices", "9.1", "notices"},
	}
	if len(doc.Sections) != len(want) {
		for _, s := range doc.Sections {
			t.Logf("%q %q %q", s.Key, s.Heading, s.Number)
		}
		t.Fatalf("got %d sections, want %d", len(doc.Sections), len(want))
	}
	for i, w := range want {
		s := doc.Sections[i]
		if s.Key != w.key || s.Heading != w.heading || s.Number != w.number || s.Slug != w.slug {
			t.Errorf("section %d = {%q %q %q %q}, want %+v", i, s.Key, s.Heading, s.Number, s.Slug, w)
		}
	}
	if s := doc.Sections[2].Text; s != "## 6. Access to Student Records\n\nRecords.\n```\n## not a heading\n```\n~~~~\n```\n# still code\n~~~~\n    # indented code, not a heading\n" {
		t.Errorf("fenced and indented code did not stay in its section: %q", s)
	}
}

func TestSplitEmpty(t *testing.T) {
	if doc := Split(""); len(doc.Sections) != 0 {
		t.Fatalf("Split(\"\") = %d sections, want none", len(doc.Sections))
	}
	if doc := Split("just text"); len(doc.Sections) != 1 || doc.Sections[0].Key != "preamble" {
		t.Fatalf("text without headings should be one preamble, got %+v", doc.Sections)
	}
}

func TestSplitKeysUnique(t *testing.T) {
	// "Purpose 2" slugifies to the key the second "Purpose" would take.
	doc := Split("## Purpose 2\n## Purpose\n## Purpose\n")
	seen := map[string]bool{}
	for _, s := range doc.Sections {
		if seen[s.Key] {
			t.Fatalf("key %q used twice", s.Key)
		}
		seen[s.Key] = true
	}
}

func TestSplitRoundTripsDocuments(t *testing.T) {
	for _, p := range docPairs(t) {
		for _, md := range []string{p.old, p.new} {
			if got := Split(md).Markdown(); got != md {
				t.Errorf("%s: Split does not concatenate back to the input", p.name)
			}
		}
	}
}
