package desk

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/pdfsign"
)

// RefreshLTV keeps executed MOUs verifiable: for each whose signed PDF's
// newest document timestamp was made by a TSA certificate that expires
// within `within` of now, it appends the validation data of that TSA (its
// chain and CRLs, in the DSS) and a new document timestamp (AddLTV), and
// stores the result as the next signing document of the executed
// revision, kind refresh, audited as ltv.refresh. The public signed PDF is
// then that document. A signed PDF with no document timestamp yet (sealed
// before a TSA was configured) is due at once: the verifier does not
// report its signers' expiry, and the first document timestamp is what
// makes it outlive them. Each MOU is decided and written in a transaction
// of its own, so one whose TSA fails leaves the others refreshed; the
// errors are returned together. A TSA whose certificate would not outlive
// the last document timestamp's is an error, and nothing is stored.
// Without a TSA there is nothing to do.
func (s *Service) RefreshLTV(ctx context.Context, now time.Time, within time.Duration) (int, error) {
	if s.keys == nil || s.keys.TSA == nil {
		return 0, nil
	}
	ids, err := s.store.ExecutedMOUs(ctx)
	if err != nil {
		return 0, err
	}
	refreshed := 0
	var errs []error
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return refreshed, errors.Join(append(errs, err)...)
		}
		done, err := s.refreshMOU(ctx, id, now, within)
		if err != nil {
			errs = append(errs, fmt.Errorf("refresh LTV of MOU %d: %w", id, err))
			continue
		}
		if done {
			refreshed++
		}
	}
	return refreshed, errors.Join(errs...)
}

// refreshMOU refreshes one executed MOU when it is due, and says whether
// it did. The TSA is asked between two transactions, as in Sign: the
// first reads the newest document, the second stores the refreshed one if
// that is still the newest.
func (s *Service) refreshMOU(ctx context.Context, mouID int64, now time.Time, within time.Duration) (bool, error) {
	keys := s.keys
	var doc *SigningDocument
	if err := s.store.Update(ctx, func(tx Tx) error {
		var err error
		doc, err = executedDocument(ctx, tx, mouID)
		return err
	}); err != nil || doc == nil {
		return false, err
	}
	expires, err := ltvExpiry(ctx, doc.PDF, keys, now)
	if err != nil {
		return false, err
	}
	if !expires.IsZero() && expires.After(now.Add(within)) {
		return false, nil
	}
	out, err := pdfsign.AddLTV(ctx, doc.PDF, keys.LTVOptions(now))
	if err != nil {
		return false, fmt.Errorf("long-term validation data: %w", err)
	}
	// A timestamp from a TSA whose certificate expires no later than the
	// last one's extends nothing (the built-in TSA's expires with the CA):
	// storing it would only grow the file on every run.
	renewed, err := ltvExpiry(ctx, out, keys, now)
	if err != nil {
		return false, err
	}
	if !expires.IsZero() && !renewed.After(expires) {
		return false, fmt.Errorf("the TSA's certificate expires %s, no later than the last document timestamp's: configure a TSA (--tsa-url) whose certificate outlives it",
			renewed.UTC().Format(time.DateOnly))
	}
	err = s.store.Update(ctx, func(tx Tx) error {
		latest, err := executedDocument(ctx, tx, mouID)
		if err != nil {
			return err
		}
		if latest == nil || latest.Seq != doc.Seq {
			return moudesk.Errorf(moudesk.KindConflict, "document_changed", "MOU %d's signed PDF changed while it was refreshed; the next run refreshes it if still due", mouID)
		}
		next := SigningDocument{MOUID: mouID, Revision: doc.Revision, Seq: doc.Seq + 1, Kind: DocRefresh, ContentHash: doc.ContentHash, PDF: out}
		if err := tx.InsertSigningDocument(ctx, next); err != nil {
			return err
		}
		details := map[string]any{"revision": doc.Revision, "seq": next.Seq, "sha256": sha256Hex(out), "previous_sha256": sha256Hex(doc.PDF),
			"tsa_cert_expires_next": renewed.UTC().Format(time.RFC3339)}
		if !expires.IsZero() {
			details["tsa_cert_expires"] = expires.UTC().Format(time.RFC3339)
		}
		return tx.Audit(ctx, moudesk.System, "ltv.refresh", fmt.Sprintf("mou:%d", mouID), details)
	})
	return err == nil, err
}

// executedDocument is the newest signing document of the MOU's executed
// revision, sealed or refreshed; nil before execution.
func executedDocument(ctx context.Context, tx Tx, mouID int64) (*SigningDocument, error) {
	st, err := tx.MOUState(ctx, mouID)
	if err != nil || st.Executed == 0 {
		return nil, err
	}
	doc, err := tx.LatestSigningDocument(ctx, mouID, st.Executed)
	if err != nil {
		return nil, err
	}
	if doc.Kind != DocSeal && doc.Kind != DocRefresh {
		return nil, fmt.Errorf("the newest document of executed revision %d is %s, not sealed", st.Executed, doc.Kind)
	}
	return doc, nil
}

// ltvExpiry is when the TSA certificate of pdf's newest document
// timestamp expires; zero when the file has none.
func ltvExpiry(ctx context.Context, pdf []byte, keys *pdfsign.Keys, now time.Time) (time.Time, error) {
	rep, err := pdfsign.VerifyWith(ctx, pdf, pdfsign.VerifyOptions{Roots: keys.Roots(), At: now})
	if err != nil {
		return time.Time{}, fmt.Errorf("read the signed PDF: %w", err)
	}
	for i := len(rep.Signatures) - 1; i >= 0; i-- {
		if sig := rep.Signatures[i]; sig.DocumentTimestamp && sig.Timestamp != nil {
			return sig.Timestamp.CertExpires, nil
		}
	}
	return time.Time{}, nil
}
