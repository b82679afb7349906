package sqlite

// Section bodies: content-addressed by the SHA-256 of their text, stored
// once, DEFLATE-compressed when that is smaller (migration 008 says why).

import (
	"bytes"
	"compress/flate"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/moudesk/moudesk/internal/cache"
	"github.com/moudesk/moudesk/internal/mou"
)

// bodyTexts remembers section texts by their SHA-256 hash, so a read
// inflates a body once, not once per revision that shows it (inflating
// the 60 bodies of a revision costs more than the queries that find them,
// and the revisions of an MOU share nearly all of theirs). The key is the
// text's own hash, which no transaction can give to another text, so an
// entry can never be stale. Each DB holds one (DB.bodyTexts).
type bodyTexts = cache.LRU[string, string]

func newBodyTexts() *bodyTexts {
	return cache.New[string](1<<16, 32<<20, func(s string) int { return len(s) })
}

// minDeflate is the shortest text worth compressing: below it the DEFLATE
// stream is rarely smaller, and a row that small costs little anyway.
const minDeflate = 128

// bodyStore finds and adds section bodies in one write transaction.
type bodyStore struct {
	ctx          context.Context
	find, insert *sql.Stmt
	texts        *bodyTexts
	server       bool // bodies go to a server as bytes (its column is bytea)
}

func (tx *Tx) bodyStore(ctx context.Context) (*bodyStore, error) {
	find, err := tx.PrepareContext(ctx, "SELECT id FROM section_bodies WHERE hash = ?")
	if err != nil {
		return nil, storageError("prepare body lookup", err)
	}
	insert, err := tx.PrepareContext(ctx, "INSERT INTO section_bodies (hash, deflated, body) VALUES (?, ?, ?) RETURNING id")
	if err != nil {
		find.Close()
		return nil, storageError("prepare body insert", err)
	}
	return &bodyStore{ctx: ctx, find: find, insert: insert, texts: tx.texts, server: tx.server}, nil
}

func (s *bodyStore) Close() {
	s.find.Close()
	s.insert.Close()
}

// put returns the id of the body with text's hash, storing text first when
// no body has it. Compression happens only for text not stored yet.
func (s *bodyStore) put(text, hash string) (int64, error) {
	var id int64
	err := s.find.QueryRowContext(s.ctx, hash).Scan(&id)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, storageError("find section body", err)
	}
	var body any = text
	deflated := 0
	if z, ok := deflate(text); ok {
		body, deflated = z, 1
	} else if s.server {
		body = []byte(text)
	}
	if err := s.insert.QueryRowContext(s.ctx, hash, deflated, body).Scan(&id); err != nil {
		return 0, storageError("insert section body", err)
	}
	s.texts.Put(hash, text)
	return id, nil
}

// putHashed is put for text whose hash is not known yet.
func (s *bodyStore) putHashed(text string) (int64, string, error) {
	h := mou.Hash(text)
	id, err := s.put(text, h)
	return id, h, err
}

// deflaters keeps compressors between saves: a new one allocates about a
// megabyte.
var deflaters = sync.Pool{New: func() any {
	w, _ := flate.NewWriter(nil, flate.BestCompression) // cannot fail for a valid level
	return w
}}

// deflate compresses text, reporting false when that would not save at
// least an eighth of it.
func deflate(text string) ([]byte, bool) {
	if len(text) < minDeflate {
		return nil, false
	}
	var buf bytes.Buffer
	buf.Grow(len(text) / 2)
	w := deflaters.Get().(*flate.Writer)
	defer deflaters.Put(w)
	w.Reset(&buf)
	if _, err := io.WriteString(w, text); err != nil {
		return nil, false
	}
	if err := w.Close(); err != nil {
		return nil, false
	}
	if buf.Len() > len(text)-len(text)/8 {
		return nil, false
	}
	return buf.Bytes(), true
}

// inflaters keeps decompressors, with a buffer for their output, between
// reads; each decompressor holds a 32 KB window.
var inflaters = sync.Pool{New: func() any {
	return &inflater{r: flate.NewReader(bytes.NewReader(nil))}
}}

type inflater struct {
	r   io.ReadCloser
	out bytes.Buffer
}

// bodyText is the text of a stored body: data itself, or inflated.
func bodyText(data []byte, deflated bool) (string, error) {
	if !deflated {
		return string(data), nil
	}
	z := inflaters.Get().(*inflater)
	defer inflaters.Put(z)
	if err := z.r.(flate.Resetter).Reset(bytes.NewReader(data), nil); err != nil {
		return "", fmt.Errorf("inflate section body: %w", err)
	}
	z.out.Reset()
	if _, err := z.out.ReadFrom(z.r); err != nil {
		return "", fmt.Errorf("inflate section body: %w", err)
	}
	return z.out.String(), nil
}
