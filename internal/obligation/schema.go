package obligation

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/strictyaml"
)

// Column types of a dataset.
const (
	ColText   = "text"   // one line of text, not empty
	ColSchool = "school" // a school of the MOU (when it lists its schools)
	ColMonth  = "month"  // yyyy-mm, a month that overlaps the period
	ColDate   = "date"   // yyyy-mm-dd, a day inside the period
	ColCount  = "count"  // a whole number of people or events, 0 or more
	ColNumber = "number" // a non-negative decimal, such as hours
)

// Schema is a declared dataset: the columns a CSV file must have, in
// order, and the columns that together name a row once (Key). Schemas are
// data, shipped in templates/datasets.
type Schema struct {
	Name    string   `yaml:"name" json:"name"`
	Title   string   `yaml:"title" json:"title"`
	Columns []Column `yaml:"columns" json:"columns"`
	Key     []string `yaml:"key,omitempty" json:"key,omitempty"`
}

// Column is one column of a schema.
type Column struct {
	Name  string `yaml:"name" json:"name"`
	Type  string `yaml:"type" json:"type"`
	Label string `yaml:"label" json:"label"`
}

// Counts reports whether the column holds counts of people or events:
// what small-number suppression applies to on public pages.
func (c Column) Counts() bool { return c.Type == ColCount }

// nameRE is compiled on first use, as daysRE.
var nameRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`) })

// ParseSchema reads one schema file strictly and checks it.
func ParseSchema(data []byte) (*Schema, error) {
	var s Schema
	if err := strictyaml.Decode(data, &s); err != nil {
		return nil, err
	}
	if !nameRE().MatchString(s.Name) {
		return nil, fmt.Errorf("schema name %q must be lowercase letters, digits and underscores", s.Name)
	}
	if len(s.Columns) == 0 || len(s.Columns) > 40 {
		return nil, fmt.Errorf("schema %s needs 1 to 40 columns", s.Name)
	}
	seen := map[string]bool{}
	for _, c := range s.Columns {
		if !nameRE().MatchString(c.Name) || seen[c.Name] {
			return nil, fmt.Errorf("schema %s: column %q is not a new lowercase name", s.Name, c.Name)
		}
		seen[c.Name] = true
		switch c.Type {
		case ColText, ColSchool, ColMonth, ColDate, ColCount, ColNumber:
		default:
			return nil, fmt.Errorf("schema %s: column %s has type %q; want text, school, month, date, count or number", s.Name, c.Name, c.Type)
		}
	}
	for _, k := range s.Key {
		if !seen[k] {
			return nil, fmt.Errorf("schema %s: key column %q is not a column", s.Name, k)
		}
	}
	return &s, nil
}

// LoadSchemas reads every *.yaml schema in dir of fsys, by name.
func LoadSchemas(fsys fs.FS, dir string) (map[string]*Schema, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("read dataset schemas: %w", err)
	}
	out := map[string]*Schema{}
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".yaml" {
			continue
		}
		data, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", e.Name(), err)
		}
		s, err := ParseSchema(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", e.Name(), err)
		}
		if s.Name+".yaml" != e.Name() {
			return nil, fmt.Errorf("%s declares schema %q; name the file after it", e.Name(), s.Name)
		}
		out[s.Name] = s
	}
	return out, nil
}

// Limits on a dataset: a district's monthly citation counts by school and
// group are a few thousand rows a year.
const (
	MaxDatasetBytes = 4 << 20
	MaxDatasetRows  = 50000
	MaxCellBytes    = 200
	MaxCount        = 1_000_000_000
)

// Check is what a dataset is checked against besides its schema: the
// period its dates must fall in, and the MOU's schools (none: any school).
type Check struct {
	Start, End time.Time
	Schools    []string
}

// Table is a checked dataset: the schema's column names and the rows, each
// cell as written (trimmed).
type Table struct {
	Columns []string   `json:"columns"`
	Rows    [][]string `json:"rows"`
}

// CSVError is a dataset refused at one place: Row counts the file's
// records with the header as row 1 (as a spreadsheet numbers them), and
// Column names the schema column (empty for a whole-row problem).
type CSVError struct {
	Row     int    `json:"row"`
	Column  string `json:"column,omitempty"`
	Message string `json:"-"`
}

func (e *CSVError) Error() string {
	if e.Column != "" {
		return fmt.Sprintf("row %d, column %s: %s", e.Row, e.Column, e.Message)
	}
	if e.Row > 0 {
		return fmt.Sprintf("row %d: %s", e.Row, e.Message)
	}
	return e.Message
}

// AsClientError is the refusal as the API shows it: 422 invalid_dataset
// (413 too_large for a file over the limit) naming the row and column in
// the message, the field and the details.
func (e *CSVError) AsClientError() *moudesk.Error {
	field := "file"
	if e.Row > 0 {
		field = fmt.Sprintf("file.row[%d]", e.Row)
		if e.Column != "" {
			field += "." + e.Column
		}
	}
	return &moudesk.Error{Kind: moudesk.KindUnprocessable, Code: "invalid_dataset", Field: field, Message: e.Error(), Data: e}
}

func cellErr(row int, col, format string, args ...any) *CSVError {
	return &CSVError{Row: row, Column: col, Message: fmt.Sprintf(format, args...)}
}

// Validate reads data as a CSV file of schema s and checks every cell: the
// header must be the schema's columns in order, counts whole numbers, months
// and dates inside the period, schools among c.Schools, and no key twice.
// The first problem found is returned as a *CSVError.
func (s *Schema) Validate(data []byte, c Check) (*Table, error) {
	if len(data) > MaxDatasetBytes {
		return nil, &CSVError{Message: fmt.Sprintf("the file is %d bytes; a dataset may be at most %d", len(data), MaxDatasetBytes)}
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	if !utf8.Valid(data) {
		return nil, &CSVError{Message: "the file is not UTF-8 text; save the CSV as UTF-8"}
	}
	if bytes.IndexByte(data, 0) >= 0 {
		return nil, &CSVError{Message: "the file contains a NUL byte; it is not a CSV file"}
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.ReuseRecord = false
	schools := map[string]string{}
	for _, sc := range c.Schools {
		schools[foldName(sc)] = sc
	}
	t := &Table{Columns: make([]string, len(s.Columns)), Rows: [][]string{}}
	for i, col := range s.Columns {
		t.Columns[i] = col.Name
	}
	keys := map[string]int{}
	for row := 1; ; row++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			if row == 1 {
				return nil, &CSVError{Row: 1, Message: "the file is empty; the first row must be the header " + strings.Join(t.Columns, ",")}
			}
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, &CSVError{Row: row, Message: "not valid CSV: " + pe.Err.Error()}
		}
		if err != nil {
			return nil, &CSVError{Row: row, Message: "not valid CSV"}
		}
		if row == 1 {
			if err := s.checkHeader(rec); err != nil {
				return nil, err
			}
			continue
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line a spreadsheet left at the end
		}
		if len(rec) != len(s.Columns) {
			return nil, cellErr(row, "", "has %d cells; the header has %d", len(rec), len(s.Columns))
		}
		if len(t.Rows) >= MaxDatasetRows {
			return nil, cellErr(row, "", "a dataset may have at most %d rows", MaxDatasetRows)
		}
		out := make([]string, len(rec))
		for i, col := range s.Columns {
			v, err := checkCell(col, strings.TrimSpace(moudesk.NormalizeText(rec[i])), c, schools)
			if err != nil {
				return nil, cellErr(row, col.Name, "%s", err.Error())
			}
			out[i] = v
		}
		if len(s.Key) > 0 {
			k := s.keyOf(out)
			if first, dup := keys[k]; dup {
				return nil, cellErr(row, "", "repeats row %d (same %s)", first, strings.Join(s.Key, ", "))
			}
			keys[k] = row
		}
		t.Rows = append(t.Rows, out)
	}
	if len(t.Rows) == 0 {
		return nil, &CSVError{Row: 2, Message: "the file has a header but no rows"}
	}
	return t, nil
}

func (s *Schema) checkHeader(rec []string) error {
	for i, col := range s.Columns {
		if i >= len(rec) {
			return cellErr(1, col.Name, "the header lacks column %s; want %s", col.Name, s.header())
		}
		got := strings.TrimSpace(rec[i])
		if got != col.Name {
			return cellErr(1, col.Name, "header cell %d is %q, want %q (the header must be %s)", i+1, clip(got), col.Name, s.header())
		}
	}
	if len(rec) > len(s.Columns) {
		return cellErr(1, "", "the header has %d cells; want %s", len(rec), s.header())
	}
	return nil
}

func (s *Schema) header() string {
	names := make([]string, len(s.Columns))
	for i, c := range s.Columns {
		names[i] = c.Name
	}
	return strings.Join(names, ",")
}

func (s *Schema) keyOf(row []string) string {
	var b strings.Builder
	for _, k := range s.Key {
		for i, c := range s.Columns {
			if c.Name == k {
				b.WriteString(foldName(row[i]))
				b.WriteByte(0)
			}
		}
	}
	return b.String()
}

// checkCell checks one trimmed cell and returns it in canonical form.
func checkCell(col Column, v string, c Check, schools map[string]string) (string, error) {
	if v == "" {
		return "", errors.New("is empty")
	}
	if len(v) > MaxCellBytes || strings.ContainsAny(v, "\r\n") {
		return "", fmt.Errorf("must be one line of at most %d bytes", MaxCellBytes)
	}
	if (col.Type == ColText || col.Type == ColSchool) && strings.ContainsRune("=+-@", rune(v[0])) {
		// Datasets are published and downloaded into spreadsheets, which
		// run a cell that starts so as a formula.
		return "", fmt.Errorf("%q may not start with =, +, - or @ (a spreadsheet would run it as a formula)", clip(v))
	}
	switch col.Type {
	case ColSchool:
		if len(schools) == 0 {
			return v, nil
		}
		name, ok := schools[foldName(v)]
		if !ok {
			return "", fmt.Errorf("%q is not a school of this MOU (%s)", clip(v), strings.Join(c.Schools, "; "))
		}
		return name, nil
	case ColMonth:
		m, err := time.Parse("2006-01", v)
		if err != nil {
			return "", fmt.Errorf("%q is not a month written yyyy-mm", clip(v))
		}
		if m.AddDate(0, 1, -1).Before(day(c.Start)) || m.After(day(c.End)) {
			return "", fmt.Errorf("month %s is outside the period %s to %s", v, c.Start.Format(DateLayout), c.End.Format(DateLayout))
		}
		return v, nil
	case ColDate:
		d, err := time.Parse(DateLayout, v)
		if err != nil {
			return "", fmt.Errorf("%q is not a date written yyyy-mm-dd", clip(v))
		}
		if d.Before(day(c.Start)) || d.After(day(c.End)) {
			return "", fmt.Errorf("date %s is outside the period %s to %s", v, c.Start.Format(DateLayout), c.End.Format(DateLayout))
		}
		return v, nil
	case ColCount:
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 || n > MaxCount {
			return "", fmt.Errorf("%q is not a count (a whole number, 0 or more)", clip(v))
		}
		return strconv.FormatInt(n, 10), nil
	case ColNumber:
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 || f > MaxCount || strings.ContainsAny(v, "eEinfINFxX") {
			return "", fmt.Errorf("%q is not a number (0 or more, such as 1.5)", clip(v))
		}
		return v, nil
	}
	return v, nil
}

// foldName compares school names and keys without case or spacing
// differences.
func foldName(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(moudesk.NormalizeText(s)), " "))
}

// clip shortens a quoted input for a message.
func clip(s string) string {
	if len(s) <= 40 {
		return s
	}
	i := 40
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

// ParseTable reads a dataset stored after Validate passed, without the
// period checks (it was checked when submitted): for the public page.
func (s *Schema) ParseTable(data []byte) (*Table, error) {
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\uFEFF"))))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("read stored dataset: %w", err)
	}
	t := &Table{Columns: make([]string, len(s.Columns)), Rows: [][]string{}}
	for i, c := range s.Columns {
		t.Columns[i] = c.Name
	}
	for i, rec := range recs {
		if i == 0 || (len(rec) == 1 && strings.TrimSpace(rec[0]) == "") {
			continue
		}
		for j := range rec {
			rec[j] = strings.TrimSpace(rec[j])
		}
		t.Rows = append(t.Rows, rec)
	}
	return t, nil
}

// CSV is the table as a canonical CSV file: the header, then each row as
// Validate canonicalised it, LF line ends. It is what moudesk stores and
// serves, so every download of a dataset is byte-for-byte the one whose
// SHA-256 is published.
func (t *Table) CSV() []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write(t.Columns)
	for _, r := range t.Rows {
		_ = w.Write(r)
	}
	w.Flush()
	return b.Bytes()
}
