package render

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
)

// stampTrailer adds what gofpdf v1.16.2 cannot write: a trailer /ID (derived
// from documentID, or from the file itself when it is empty, so equal input
// gives equal bytes) and the catalog's /Lang. gofpdf writes the catalog as
// the last object before the cross-reference table, so text inserted into
// it moves only the xref table itself: startxref is corrected, no object
// offset changes. The trailer follows the xref table, so adding to it moves
// nothing.
func stampTrailer(pdf []byte, documentID, lang string) ([]byte, error) {
	cat := bytes.LastIndex(pdf, []byte("/Type /Catalog\n"))
	xref := bytes.LastIndex(pdf, []byte("\nxref\n"))
	trailer := bytes.LastIndex(pdf, []byte("trailer\n<<\n"))
	sx := bytes.LastIndex(pdf, []byte("startxref\n"))
	if cat < 0 || xref < cat || trailer < xref || sx < trailer {
		return nil, fmt.Errorf("render: unexpected pdf layout from gofpdf (catalog/xref/trailer not found)")
	}
	end := bytes.IndexByte(pdf[sx+len("startxref\n"):], '\n')
	if end < 0 {
		return nil, fmt.Errorf("render: unexpected pdf layout from gofpdf (startxref)")
	}
	numAt := sx + len("startxref\n")
	off, err := strconv.Atoi(string(pdf[numAt : numAt+end]))
	if err != nil || off != xref+1 {
		return nil, fmt.Errorf("render: unexpected startxref in gofpdf output")
	}
	seed := []byte(documentID)
	if documentID == "" {
		seed = pdf
	}
	sum := sha256.Sum256(seed)
	id := hex.EncodeToString(sum[:16])

	catAt := cat + len("/Type /Catalog\n")
	langLine := []byte("/Lang (" + lang + ")\n")
	trailerAt := trailer + len("trailer\n<<\n")
	idLine := []byte("/ID [<" + id + "> <" + id + ">]\n")

	out := make([]byte, 0, len(pdf)+len(langLine)+len(idLine)+8)
	out = append(out, pdf[:catAt]...)
	out = append(out, langLine...)
	out = append(out, pdf[catAt:trailerAt]...)
	out = append(out, idLine...)
	out = append(out, pdf[trailerAt:numAt]...)
	out = strconv.AppendInt(out, int64(off+len(langLine)), 10)
	out = append(out, pdf[numAt+end:]...)
	return out, nil
}
