package demo

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"testing"

	"github.com/moudesk/moudesk/internal/desk"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/sqlite"
)

func openDB(t *testing.T) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "m.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestState: the bootstrap admin alone leaves a database empty for the
// demo; one demo party without the completion marker is a partial load;
// anyone else's party is foreign data. The refusals write nothing.
func TestState(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	if _, err := db.CreateUser(ctx, moudesk.System, desk.NewUser{Email: bootstrapAdmin, Name: "Administrator", Roles: []auth.Role{auth.RoleAdmin}, PasswordHash: "x"}); err != nil {
		t.Fatal(err)
	}
	if st, err := state(ctx, db); err != nil || st != stateEmpty {
		t.Fatalf("bootstrap admin only: state %v, %v", st, err)
	}
	if _, err := db.CreateParty(ctx, moudesk.System, parties()[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(ctx, Config{DB: db, Out: io.Discard}); !errors.Is(err, ErrPartial) {
		t.Fatalf("after a partial load: %v", err)
	}
	other := openDB(t)
	if _, err := other.CreateParty(ctx, moudesk.System, desk.Party{Slug: "pleasanton", Name: "City of Pleasanton", Kind: "city", Body: "City Council"}); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(ctx, Config{DB: other, Out: io.Discard}); !errors.Is(err, ErrNotEmpty) {
		t.Fatalf("with another party: %v", err)
	}
	for _, d := range []*sqlite.DB{db, other} {
		if us, err := d.Users(ctx); err != nil || len(us) > 1 {
			t.Errorf("a refused load added users: %d, %v", len(us), err)
		}
	}
}
