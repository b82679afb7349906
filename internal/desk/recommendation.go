package desk

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/workflow"
)

// Recommendations are what an advisory body (Duluth's SRO Advisory Team,
// Calgary's roundtable) asked of the agreement, kept as records of their
// own: each with its source and text, and a chain of dispositions whose
// newest holds. A recommendation is adopted by named sections of a
// revision, met by text the MOU already has, declined or deferred with a
// reason, or still open. Dispositions are appended, never changed, so the
// matrix shows what was decided and the record keeps every change of mind.

// Dispositions of a recommendation.
const (
	RecOpen     = "open" // every recommendation starts open
	RecAdopted  = "adopted"
	RecMet      = "met" // the text already did what it asks
	RecDeclined = "declined"
	RecDeferred = "deferred"
)

// MaxRecommendations is the most recommendations one import may add: a
// report's whole list is a few dozen.
const MaxRecommendations = 500

// RecommendationSource is where a recommendation was made.
type RecommendationSource struct {
	Body  string `json:"body"`  // the body or group, e.g. "SRO Advisory Team"
	Title string `json:"title"` // the report or minutes
	Date  string `json:"date"`  // YYYY-MM-DD, or "" when the source has none
	Item  string `json:"item"`  // its number or label in the source
}

// NewRecommendation is one recommendation to record.
type NewRecommendation struct {
	Source RecommendationSource `json:"source"`
	Text   string               `json:"text"`
}

// NewDisposition is what a drafter or clerk decided of a recommendation.
// Adopted and met name the section keys and the revision that holds them;
// declined and deferred give a reason, which adopted and met may too.
type NewDisposition struct {
	Disposition string   `json:"disposition"`
	Sections    []string `json:"sections"`
	Revision    int      `json:"revision"`
	Reason      string   `json:"reason"`
}

// Disposition is one stored disposition.
type Disposition struct {
	Disposition string    `json:"disposition"`
	Sections    []string  `json:"sections,omitempty"`
	Revision    int       `json:"revision,omitempty"`
	Reason      string    `json:"reason,omitempty"`
	DecidedBy   string    `json:"decided_by"`
	CreatedAt   time.Time `json:"created_at"`
}

// Recommendation is a stored recommendation with every disposition,
// oldest first (History[0] is the open it started as); Current is the
// newest.
type Recommendation struct {
	ID        int64                `json:"id"`
	MOUID     int64                `json:"mou_id"`
	Source    RecommendationSource `json:"source"`
	Text      string               `json:"text"`
	EnteredBy string               `json:"entered_by"`
	CreatedAt time.Time            `json:"created_at"`
	Current   Disposition          `json:"current"`
	History   []Disposition        `json:"history"`
}

// RecommendationReader is the store's read of an MOU's recommendations
// (part of Reader).
type RecommendationReader interface {
	// Recommendations lists an MOU's recommendations in the order they
	// were entered, each with its dispositions.
	Recommendations(ctx context.Context, mouID int64) ([]Recommendation, error)
}

// RecommendationTx is what recording recommendations needs of a write
// transaction (part of Tx).
type RecommendationTx interface {
	// SectionKeys are the section keys of revision of the MOU; not found
	// when the MOU has no such revision.
	SectionKeys(ctx context.Context, mouID int64, revision int) (map[string]bool, error)
	// RecommendationMOU is the MOU recommendation id belongs to; not found
	// when there is none.
	RecommendationMOU(ctx context.Context, id int64) (int64, error)
	// InsertRecommendation stores a recommendation of the MOU, entered by
	// actor, with its first disposition (open), and returns its id.
	InsertRecommendation(ctx context.Context, actor moudesk.Actor, mouID int64, n NewRecommendation) (int64, error)
	// InsertDisposition appends a disposition to recommendation id of
	// the MOU.
	InsertDisposition(ctx context.Context, actor moudesk.Actor, mouID, id int64, d NewDisposition) error
}

// mayRecommend is nil when p may record recommendations and their
// dispositions: a drafter or clerk (auth.RecommendationWrite). The party
// check (canAct) comes first, so an admin of another party hears
// not_a_party.
func mayRecommend(p *auth.Principal, actor moudesk.Actor) error {
	if actor.IsSystem() || p.Can(auth.RecommendationWrite) {
		return nil
	}
	return moudesk.Errorf(moudesk.KindForbidden, "forbidden", "only a drafter or clerk of a party to the MOU may record recommendations")
}

// openForRecommendations refuses a write to an MOU whose review is over
// (executed or withdrawn): its matrix is then part of the public record.
func openForRecommendations(st MOUState, def *workflow.Definition) error {
	if def.Kind(st.Stage) == workflow.KindTerminal {
		return moudesk.Errorf(moudesk.KindConflict, "mou_closed", "MOU %d is %s; its recommendations can no longer change", st.ID, st.Stage)
	}
	return nil
}

// fieldError is a 422 naming the field at fault.
func fieldError(code, field, format string, args ...any) *moudesk.Error {
	return &moudesk.Error{Kind: moudesk.KindUnprocessable, Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// checkField is moudesk.CheckText as a 422: input that decoded but breaks
// a rule of what may be stored.
func checkField(field, s string, max int, required bool) error {
	if err := moudesk.CheckText(field, s, max, required); err != nil {
		if e, ok := moudesk.AsError(err); ok {
			c := *e
			c.Kind = moudesk.KindUnprocessable
			return &c
		}
		return err
	}
	return nil
}

// checkRecommendations validates an import before anything is read.
func checkRecommendations(in []NewRecommendation) error {
	if len(in) == 0 {
		return fieldError("missing_field", "recommendations", "recommendations must list at least one recommendation")
	}
	if len(in) > MaxRecommendations {
		return fieldError("too_many", "recommendations", "one import may add at most %d recommendations", MaxRecommendations)
	}
	for i, r := range in {
		at := fmt.Sprintf("recommendations[%d].", i)
		for _, f := range []struct {
			name, v  string
			max      int
			required bool
		}{
			{"source.body", r.Source.Body, moudesk.MaxShortText, true},
			{"source.title", r.Source.Title, moudesk.MaxShortText, false},
			{"source.item", r.Source.Item, moudesk.MaxShortText, false},
			{"text", r.Text, moudesk.MaxText, true},
		} {
			if err := checkField(at+f.name, f.v, f.max, f.required); err != nil {
				return err
			}
		}
		if r.Source.Date != "" {
			if _, err := time.Parse(moudesk.DateLayout, r.Source.Date); err != nil {
				return fieldError("invalid_date", at+"source.date", "source.date must be a day written YYYY-MM-DD, or left out")
			}
		}
	}
	return nil
}

// checkDisposition validates a disposition before anything is read: the
// kind, and what each kind needs.
func checkDisposition(d NewDisposition) error {
	if err := checkField("reason", d.Reason, moudesk.MaxText, false); err != nil {
		return err
	}
	switch d.Disposition {
	case RecAdopted, RecMet:
		if len(d.Sections) == 0 {
			return fieldError("missing_field", "sections", "a recommendation %s names the section keys of the text that does it", d.Disposition)
		}
		if d.Revision < 1 {
			return fieldError("missing_field", "revision", "a recommendation %s names the revision that holds its sections", d.Disposition)
		}
		seen := map[string]bool{}
		for i, k := range d.Sections {
			field := fmt.Sprintf("sections[%d]", i)
			if err := checkField(field, k, moudesk.MaxShortText, true); err != nil {
				return err
			}
			if seen[k] {
				return fieldError("duplicate_section", field, "section %q is named twice", k)
			}
			seen[k] = true
		}
	case RecDeclined, RecDeferred:
		if strings.TrimSpace(d.Reason) == "" {
			return fieldError("missing_field", "reason", "a %s recommendation needs the reason", d.Disposition)
		}
		if len(d.Sections) > 0 {
			return fieldError("unexpected_field", "sections", "a %s recommendation names no sections", d.Disposition)
		}
		if d.Revision != 0 {
			return fieldError("unexpected_field", "revision", "a %s recommendation names no revision", d.Disposition)
		}
	case RecOpen:
		return fieldError("invalid_disposition", "disposition", "every recommendation starts open; dispose of it as adopted, met, declined or deferred")
	default:
		return fieldError("unknown_disposition", "disposition", "disposition must be adopted, met, declined or deferred")
	}
	return nil
}

// AddRecommendations records recommendations of MOU mouID, one or a
// report's whole list, all or none: a drafter or clerk of a party to the
// MOU enters them, each open. Audited as recommendation.create, one event
// each.
func (s *Service) AddRecommendations(ctx context.Context, p *auth.Principal, actor moudesk.Actor, mouID int64, in []NewRecommendation) ([]Recommendation, error) {
	if _, err := s.actingMOU(ctx, actor, mouID); err != nil {
		return nil, err
	}
	if err := mayRecommend(p, actor); err != nil {
		return nil, err
	}
	if err := checkRecommendations(in); err != nil {
		return nil, err
	}
	ids := map[int64]bool{}
	err := s.store.Update(ctx, func(tx Tx) error {
		st, def, err := s.definition(ctx, tx, mouID)
		if err != nil {
			return err
		}
		if err := openForRecommendations(st, def); err != nil {
			return err
		}
		for _, r := range in {
			id, err := tx.InsertRecommendation(ctx, actor, mouID, r)
			if err != nil {
				return err
			}
			ids[id] = true
			err = tx.Audit(ctx, actor, "recommendation.create", fmt.Sprintf("recommendation:%d", id), map[string]any{
				"mou": mouID, "body": r.Source.Body, "title": r.Source.Title, "date": r.Source.Date, "item": r.Source.Item})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	all, err := s.store.Recommendations(ctx, mouID)
	if err != nil {
		return nil, err
	}
	out := make([]Recommendation, 0, len(in))
	for _, r := range all {
		if ids[r.ID] {
			out = append(out, r)
		}
	}
	return out, nil
}

// Dispose records what became of recommendation recID of MOU mouID. An
// adopted or met recommendation names section keys that must exist in the
// revision it names (422 unknown_section naming sections[i], and nothing
// written). Audited as recommendation.dispose.
func (s *Service) Dispose(ctx context.Context, p *auth.Principal, actor moudesk.Actor, mouID, recID int64, d NewDisposition) (*Recommendation, error) {
	if _, err := s.actingMOU(ctx, actor, mouID); err != nil {
		return nil, err
	}
	if err := mayRecommend(p, actor); err != nil {
		return nil, err
	}
	if err := checkDisposition(d); err != nil {
		return nil, err
	}
	err := s.store.Update(ctx, func(tx Tx) error {
		st, def, err := s.definition(ctx, tx, mouID)
		if err != nil {
			return err
		}
		owner, err := tx.RecommendationMOU(ctx, recID)
		if err != nil || owner != mouID {
			if err == nil || moudesk.IsKind(err, moudesk.KindNotFound) {
				return moudesk.ErrNotFound(fmt.Sprintf("recommendation %d of MOU %d", recID, mouID))
			}
			return err
		}
		if err := openForRecommendations(st, def); err != nil {
			return err
		}
		if d.Revision != 0 {
			if d.Revision > st.Current {
				return fieldError("unknown_revision", "revision", "MOU %d has no revision %d; its current revision is %d", mouID, d.Revision, st.Current)
			}
			keys, err := tx.SectionKeys(ctx, mouID, d.Revision)
			if err != nil {
				return err
			}
			for i, k := range d.Sections {
				if !keys[k] {
					return fieldError("unknown_section", fmt.Sprintf("sections[%d]", i), "revision %d of MOU %d has no section %q", d.Revision, mouID, k)
				}
			}
		}
		if err := tx.InsertDisposition(ctx, actor, mouID, recID, d); err != nil {
			return err
		}
		details := map[string]any{"mou": mouID, "disposition": d.Disposition}
		if len(d.Sections) > 0 {
			details["sections"], details["revision"] = d.Sections, d.Revision
		}
		if d.Reason != "" {
			details["reason"] = d.Reason
		}
		return tx.Audit(ctx, actor, "recommendation.dispose", fmt.Sprintf("recommendation:%d", recID), details)
	})
	if err != nil {
		return nil, err
	}
	all, err := s.store.Recommendations(ctx, mouID)
	if err != nil {
		return nil, err
	}
	for i := range all {
		if all[i].ID == recID {
			return &all[i], nil
		}
	}
	return nil, moudesk.ErrNotFound(fmt.Sprintf("recommendation %d of MOU %d", recID, mouID))
}

// RecommendationsFor lists MOU mouID's recommendations with their whole
// history, for actor who may see the MOU (404 otherwise).
func (s *Service) RecommendationsFor(ctx context.Context, actor moudesk.Actor, mouID int64) ([]Recommendation, error) {
	if _, err := s.VisibleMOU(ctx, actor, mouID); err != nil {
		return nil, err
	}
	return s.store.Recommendations(ctx, mouID)
}
