package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/store"
	"github.com/shieldwall/shieldwall/internal/testdb"
)

// TestBatcher checks group commit: every change that succeeds is stored
// with its audit event, a failing change is undone alone, and the chain
// stays whole.
func TestBatcher(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		b := s.NewBatcher(16)
		defer b.Close()
		errBad := errors.New("bad change")
		const n = 40
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = b.Do(ctx, func(ctx context.Context, tx *store.Tx) error {
					d := shieldwall.Department{ID: store.NewID(), Name: fmt.Sprintf("Dept %02d", i), Slug: fmt.Sprintf("dept-%02d", i), CreatedAt: tx.Now, UpdatedAt: tx.Now}
					if err := tx.CreateDepartment(ctx, &d); err != nil {
						return err
					}
					if err := tx.AppendAudit(ctx, shieldwall.SystemActor("test"), "department.create", "department", d.ID, d.Name); err != nil {
						return err
					}
					if i%7 == 3 {
						return errBad // after writing: the write must be undone
					}
					return nil
				})
			}()
		}
		wg.Wait()
		want := 0
		for i, err := range errs {
			if i%7 == 3 {
				if !errors.Is(err, errBad) {
					t.Errorf("change %d: err = %v; want errBad", i, err)
				}
				continue
			}
			want++
			if err != nil {
				t.Errorf("change %d: err = %v; want nil", i, err)
			}
		}
		_, total, err := s.ListDepartments(ctx, shieldwall.DepartmentFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if total != want {
			t.Errorf("departments = %d; want %d", total, want)
		}
		if n, err := s.VerifyAudit(ctx); err != nil || n != int64(want) {
			t.Errorf("VerifyAudit = %d, %v; want %d events, intact", n, err, want)
		}
	})
}
