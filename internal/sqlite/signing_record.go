package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/moudesk/moudesk/internal/desk"

	"github.com/moudesk/moudesk"
)

// RecordSignature stores a signature and its PDF as the next signing step,
// in one transaction with its audit event. It re-checks everything the
// caller checked, against the rows the write will change: a signature
// stage, the revision current and approved (422), the line assigned to
// this user (403 not_signatory), its turn (422 signature_order: every line
// of a lower order signed; equal orders sign in any order), and that no
// other step was stored since PrevSeq (409 document_changed). After the
// last signature it also stores the seal and executes the MOU through the
// workflow. A refusal writes nothing. Audited as signature.create.
func (db *DB) RecordSignature(ctx context.Context, actor moudesk.Actor, defs desk.Workflows, n desk.NewSignature) (*desk.SignatureResult, error) {
	for _, f := range []struct{ name, v string }{{"typed_name", n.TypedName}, {"consent_text", n.ConsentText}, {"user_agent", n.UserAgent}} {
		if err := checkText(f.name, f.v, maxText, false); err != nil {
			return nil, err
		}
	}
	var out *desk.SignatureResult
	err := db.update(ctx, func(tx *Tx) error {
		st, def, err := checkSignable(ctx, tx, defs, n.MOUID, n.Revision, n.ContentHash)
		if err != nil {
			return err
		}
		sigs, err := readSignatories(ctx, tx, n.MOUID, n.Revision)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(sigs, func(s desk.Signatory) bool { return s.Line == n.Line })
		if i < 0 || sigs[i].UserID != n.UserID {
			return moudesk.Errorf(moudesk.KindForbidden, "not_signatory", "line %d of MOU %d is not yours to sign", n.Line, n.MOUID)
		}
		var all, before, signed []string
		for _, s := range sigs {
			all = append(all, lineKey(s.Line))
			if s.Order < sigs[i].Order {
				before = append(before, lineKey(s.Line))
			}
			if s.SignedAt != nil {
				signed = append(signed, lineKey(s.Line))
			}
		}
		// The workflow's rule is strictly sequential; giving it only the
		// lines of lower order, then this one, lets equal orders sign in any
		// order among themselves.
		if err := def.CheckSigner(st.stage, append(before, lineKey(n.Line)), signed, lineKey(n.Line)); err != nil {
			return err
		}
		var latest int
		if err := tx.QueryRowContext(ctx, "SELECT coalesce(max(seq), -1) FROM signing_documents WHERE mou_id = ? AND revision = ?", n.MOUID, n.Revision).Scan(&latest); err != nil {
			return fmt.Errorf("read latest signing document: %w", err)
		}
		if latest != n.PrevSeq {
			return moudesk.Errorf(moudesk.KindConflict, "document_changed", "the signing document of MOU %d changed meanwhile; reload it and sign again", n.MOUID)
		}
		seq := latest + 1
		if err := tx.insertDocument(ctx, n.MOUID, n.Revision, seq, DocSignature, n.ContentHash, n.Signed); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO signatures (mou_id, revision, line, content_hash, user_id, name, title, party_name, typed_name,
			consent_text, client_addr, user_agent, document_seq, signed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			n.MOUID, n.Revision, n.Line, n.ContentHash, n.UserID, n.Name, n.Title, n.PartyName, n.TypedName,
			n.ConsentText, n.ClientAddr, n.UserAgent, seq, tx.Now())
		if err != nil {
			if isUnique(err) {
				return moudesk.Errorf(moudesk.KindConflict, "already_signed", "line %d of MOU %d is already signed", n.Line, n.MOUID)
			}
			return storageError("insert signature", err)
		}
		if err := tx.audit(ctx, actor, "signature.create", fmt.Sprintf("mou:%d", n.MOUID), map[string]any{
			"revision": n.Revision, "line": n.Line, "content_hash": n.ContentHash, "sha256": sha256Hex(n.Signed),
			"addr": n.ClientAddr, "user_agent": n.UserAgent}); err != nil {
			return err
		}
		out = &desk.SignatureResult{
			Signature: desk.Signature{MOUID: n.MOUID, Revision: n.Revision, Line: n.Line, ContentHash: n.ContentHash, UserID: n.UserID,
				Name: n.Name, Title: n.Title, PartyName: n.PartyName, TypedName: n.TypedName, ConsentText: n.ConsentText,
				ClientAddr: n.ClientAddr, UserAgent: n.UserAgent, DocumentSeq: seq, SignedAt: tx.now.UTC()},
			Stage: st.stage,
		}
		done, _ := def.SignaturesComplete(st.stage, all, append(signed, lineKey(n.Line)))
		switch {
		case done && n.Sealed == nil:
			return moudesk.Errorf(moudesk.KindConflict, "document_changed", "this is now the last signature of MOU %d; sign again", n.MOUID)
		case !done && n.Sealed != nil:
			return moudesk.Errorf(moudesk.KindConflict, "document_changed", "other signatures of MOU %d are still missing; sign again", n.MOUID)
		case !done:
			return nil
		}
		if err := tx.insertDocument(ctx, n.MOUID, n.Revision, seq+1, DocSeal, n.ContentHash, n.Sealed); err != nil {
			return err
		}
		if err := tx.MarkExecuted(ctx, actor, defs, n.MOUID, n.Revision); err != nil {
			return err
		}
		after, err := readMOUState(ctx, tx, n.MOUID)
		if err != nil {
			return err
		}
		out.Executed, out.Stage = true, after.stage
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// SaveCertificate stores the sealed certificate of completion of an
// executed revision, unless one is stored already, and returns the stored
// one: the first certificate made is the one every later request serves.
func (db *DB) SaveCertificate(ctx context.Context, actor moudesk.Actor, mouID int64, revision int, pdf []byte) ([]byte, error) {
	err := db.update(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO completion_certificates (mou_id, revision, sha256, pdf, created_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (mou_id, revision) DO NOTHING`, mouID, revision, sha256Hex(pdf), pdf, tx.Now())
		if err != nil {
			return storageError("insert certificate", err)
		}
		if k, _ := res.RowsAffected(); k == 0 {
			return nil
		}
		return tx.audit(ctx, actor, "signing.certificate", fmt.Sprintf("mou:%d", mouID), map[string]any{"revision": revision, "sha256": sha256Hex(pdf)})
	})
	if err != nil {
		return nil, err
	}
	return db.Certificate(ctx, mouID, revision)
}

// Certificate is the stored certificate of completion of revision.
func (db *DB) Certificate(ctx context.Context, mouID int64, revision int) ([]byte, error) {
	var pdf []byte
	err := db.read.QueryRowContext(ctx, "SELECT pdf FROM completion_certificates WHERE mou_id = ? AND revision = ?", mouID, revision).Scan(&pdf)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, moudesk.ErrNotFound(fmt.Sprintf("certificate of MOU %d revision %d", mouID, revision))
	}
	if err != nil {
		return nil, fmt.Errorf("read certificate: %w", err)
	}
	return pdf, nil
}

// CertificateBySHA256 finds the certificate of completion whose bytes hash
// to sum (hex SHA-256) and returns its MOU, revision and the content hash
// it certifies; not found when none does.
func (db *DB) CertificateBySHA256(ctx context.Context, sum string) (*desk.SigningDocument, error) {
	var d desk.SigningDocument
	var created string
	err := db.read.QueryRowContext(ctx, `SELECT c.mou_id, c.revision, r.content_hash, c.sha256, length(c.pdf), c.created_at
		FROM completion_certificates c JOIN revisions r ON r.mou_id = c.mou_id AND r.revision = c.revision WHERE c.sha256 = ?`, sum).
		Scan(&d.MOUID, &d.Revision, &d.ContentHash, &d.SHA256, &d.Size, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, moudesk.ErrNotFound("certificate")
	}
	if err != nil {
		return nil, fmt.Errorf("find certificate: %w", err)
	}
	d.Kind, d.CreatedAt = "certificate", parseTime(created)
	return &d, nil
}
