package clause

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// LoadFS parses and validates every *.md file at the root of fsys (the
// shipped library is clauses.FS) and returns the clauses sorted by slug.
// A file's name must be its slug plus ".md", so a clause can be found on disk
// by its URL. Errors name the file; the *Error inside is kept for errors.As.
func LoadFS(fsys fs.FS) ([]*Clause, error) {
	names, err := fs.Glob(fsys, "*.md")
	if err != nil {
		return nil, fmt.Errorf("list clauses: %w", err)
	}
	out := make([]*Clause, 0, len(names))
	for _, name := range names {
		c, err := loadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("clause file %s: %w", name, err)
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Slug < out[j].Slug })
	return out, nil
}

func loadFile(fsys fs.FS, name string) (*Clause, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, err
	}
	c, err := Parse(data)
	if err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if want := strings.TrimSuffix(path.Base(name), ".md"); c.Slug != want {
		return nil, errorf(CodeFileNameMismatch, "slug", "slug %q does not match file name; want %q", c.Slug, want)
	}
	return c, nil
}
