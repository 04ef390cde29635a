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

// TestBatcherDeferredRows checks the rows a batch defers and writes many
// per statement: a change reading inside the batch sees its own report, a
// report that cannot be stored (its reporter does not exist) fails alone
// even though its row is only written at the end, and every stored report
// has its audit event in an intact chain.
func TestBatcherDeferredRows(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		dep := mustCreateDepartment(t, s, "Finance")
		u := mustCreateUser(t, s, dep.ID, "reporter@example.com", "Rita Reporter", shieldwall.RoleMember, "")
		b := s.NewBatcher(64)
		defer b.Close()
		const n = 150 // more than one multi-row statement holds
		errs := make([]error, n)
		ids := make([]string, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = b.Do(ctx, func(ctx context.Context, tx *store.Tx) error {
					r := shieldwall.Report{ID: store.NewID(), Kind: shieldwall.KindOther, Title: fmt.Sprintf("Report %03d", i),
						Status: shieldwall.StatusNew, Source: shieldwall.SourceAPI, ReporterID: u.ID, DepartmentID: dep.ID,
						CreatedAt: tx.Now, UpdatedAt: tx.Now}
					if i%10 == 4 {
						r.ReporterID = store.NewID() // no such user: the insert must fail
					}
					ids[i] = r.ID
					if err := tx.CreateReport(ctx, &r); err != nil {
						return err
					}
					if err := tx.AppendAudit(ctx, shieldwall.SystemActor("test"), "report.create", "report", r.ID, r.Title); err != nil {
						return err
					}
					if i%10 == 7 {
						got, err := tx.FindReport(ctx, r.ID)
						if err != nil {
							return err
						}
						if got.Title != r.Title {
							return fmt.Errorf("read back %q; want %q", got.Title, r.Title)
						}
					}
					return nil
				})
			}()
		}
		wg.Wait()
		want := 0
		for i, err := range errs {
			if i%10 == 4 {
				if err == nil {
					t.Errorf("change %d: stored a report whose reporter does not exist", i)
				}
				if _, err := s.FindReport(ctx, ids[i]); shieldwall.ErrorCode(err) != shieldwall.ENOTFOUND {
					t.Errorf("change %d failed but FindReport = %v; want not found", i, err)
				}
				continue
			}
			want++
			if err != nil {
				t.Errorf("change %d: err = %v; want nil", i, err)
				continue
			}
			if r, err := s.FindReport(ctx, ids[i]); err != nil || r.Title != fmt.Sprintf("Report %03d", i) {
				t.Errorf("change %d: FindReport = %q, %v", i, r.Title, err)
			}
			if evs, total, err := s.ListAudit(ctx, shieldwall.AuditFilter{ObjectType: "report", ObjectID: ids[i]}); err != nil || total != 1 || evs[0].Action != "report.create" {
				t.Errorf("change %d: audit events = %d, %v; want one report.create", i, total, err)
			}
		}
		// The department and the user were audited by nobody here: the
		// chain holds exactly the stored reports' events.
		if got, err := s.VerifyAudit(ctx); err != nil || got != int64(want) {
			t.Errorf("VerifyAudit = %d, %v; want %d events, intact", got, err, want)
		}
	})
}
