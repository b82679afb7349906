// Package pdfsign signs PDFs with detached CMS signatures (PAdES,
// ETSI.CAdES.detached, SHA-256) written as incremental updates, runs a small
// certificate authority for signatories, and verifies signed PDFs.
//
// An MOU is signed in three kinds of update: a certification signature
// (DocMDP P=2) that also creates one empty field per signatory and one for
// the seal; one update per signatory filling its field and drawing its
// appearance; and the seal. Each update only adds the signature value, the
// field/widget it fills, its appearance stream and font, and (when fields
// are added) the AcroForm, the page's /Annots and the catalog — never page
// content — so earlier signatures stay valid in pdfsig and under Acrobat's
// DocMDP rules.
//
// Reading uses a small parser of our own that follows the cross-reference
// chain (classic tables, xref streams, hybrid files, object streams with
// Flate and PNG predictors) rather than pdfcpu: signing needs exact byte
// offsets, object numbers and generations of the few objects it rewrites,
// must append without re-serialising the file, and Verify reads hostile
// input, where a parser whose every loop, length and nesting level is
// bounded here is easier to trust than a full model that repairs files.
// Encrypted PDFs are refused.
package pdfsign
