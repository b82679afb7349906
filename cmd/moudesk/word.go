package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/moudesk/moudesk/internal/docx"
	"github.com/moudesk/moudesk/internal/render"
)

// exportCmd writes a Markdown MOU ("# Title", preamble, "## N. Heading"
// sections) as a Word document; with --old, as the tracked changes from
// that file to this one.
func (e *env) exportCmd(ctx context.Context, args []string) error {
	fs := e.flags("export")
	out := fs.String("o", "", "output .docx file")
	old := fs.String("old", "", "earlier version: write tracked changes from it")
	author := fs.String("author", "moudesk", "author of the tracked changes")
	footer := fs.String("footer", "", "footer line of every page")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *out == "" {
		return exitError{code: 2, msg: "usage: moudesk export IN.md -o OUT.docx [--old OLD.md --author NAME] [--footer TEXT]"}
	}
	md, err := readText(pos[0], render.MaxInput)
	if err != nil {
		return err
	}
	doc := docx.FromMarkdown(md)
	doc.Footer = *footer
	var buf bytes.Buffer
	if *old != "" {
		oldMD, err := readText(*old, render.MaxInput)
		if err != nil {
			return err
		}
		prev := docx.FromMarkdown(oldMD)
		prev.Footer = *footer
		err = docx.WriteRedline(&buf, &docx.Redline{Old: prev, New: doc, Author: *author, Date: time.Now().UTC().Truncate(time.Second)})
		if err != nil {
			return err
		}
	} else if err := docx.Write(&buf, doc); err != nil {
		return err
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", *out, err)
	}
	return nil
}

// importCmd reads a Word document and prints it as JSON: title, preamble,
// sections (Markdown bodies) and the import report. A document it refuses
// is exit 1 with the reason; nothing is stored (create the MOU with POST
// /api/v1/mous/import).
func (e *env) importCmd(ctx context.Context, args []string) error {
	fs := e.flags("import")
	out := fs.String("o", "", "output JSON file (default standard output)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return exitError{code: 2, msg: "usage: moudesk import FILE.docx [-o OUT.json]"}
	}
	data, err := readLimited(pos[0], docx.MaxFileBytes)
	if err != nil {
		return err
	}
	im, err := docx.Import(data)
	if err != nil {
		var de *docx.Error
		if errors.As(err, &de) {
			return exitError{code: 1, msg: fmt.Sprintf("%s: %s (%s)", pos[0], de.Message, de.Code)}
		}
		return err
	}
	w, closeOut, err := e.output(*out)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(im); err != nil {
		closeOut()
		return fmt.Errorf("write sections: %w", err)
	}
	return closeOut()
}
