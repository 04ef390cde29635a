package accounts

import (
	"context"
	"fmt"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/auth"
	"github.com/shieldwall/shieldwall/internal/policy"
	"github.com/shieldwall/shieldwall/internal/store"
)

// ImportPerson is one person of a bulk import. Password, when set, is hashed.
type ImportPerson struct {
	shieldwall.UserInput
}

// Import creates departments and people in one transaction: all of them or
// none. Departments named by people must be in deps or exist already.
func (s *Service) Import(ctx context.Context, actor shieldwall.Actor, deps []shieldwall.DepartmentInput, people []ImportPerson) error {
	if err := policy.Authorize(actor, policy.DepartmentCreate, nil); err != nil {
		return err
	}
	if err := policy.Authorize(actor, policy.UserCreate, nil); err != nil {
		return err
	}
	for i := range deps {
		if err := normaliseDepartment(&deps[i]); err != nil {
			return fmt.Errorf("department %d (%q): %w", i+1, deps[i].Name, err)
		}
	}
	for i := range people {
		if err := normaliseUser(&people[i].UserInput); err != nil {
			return fmt.Errorf("person %d (%s): %w", i+1, people[i].Email, err)
		}
	}
	// Argon2 is slow on purpose: hash outside the transaction, one goroutine per core.
	hashes := make([]string, len(people))
	sem := make(chan struct{}, 2)
	errs := make(chan error, len(people))
	for i, p := range people {
		if p.Password == "" {
			continue
		}
		sem <- struct{}{}
		go func() {
			defer func() { <-sem }()
			h, err := auth.HashPassword(p.Password)
			hashes[i] = h
			errs <- err
		}()
	}
	for range cap(sem) {
		sem <- struct{}{}
	}
	close(errs)
	for err := range errs {
		if err != nil {
			return fmt.Errorf("accounts: hash password: %w", err)
		}
	}
	return s.store.InTx(ctx, func(tx *store.Tx) error {
		for _, d := range deps {
			if _, err := createDepartment(ctx, tx, actor, d); err != nil {
				return err
			}
		}
		for i, p := range people {
			if _, err := createUser(ctx, tx, actor, p.UserInput, hashes[i], CreateUserOptions{}); err != nil {
				return fmt.Errorf("person %s: %w", p.Email, err)
			}
		}
		return nil
	})
}
