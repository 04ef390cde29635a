package store_test

import (
	"testing"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/store"
	"github.com/shieldwall/shieldwall/internal/testdb"
)

// TestCaseTitleSearch: both databases find titles by the start of their
// words, whatever the case, and nothing typed breaks the query.
func TestCaseTitleSearch(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s *store.Store) {
		for _, title := range []string{"Vendor breach at the payroll provider", "Phishing wave: fake invoices", "Lost laptop in Hamburg"} {
			c := shieldwall.Case{ID: store.NewID(), Title: title, Type: "phishing", Severity: shieldwall.SEV3, Status: shieldwall.CaseTriage, Affected: []string{}}
			mustInTx(t, s, func(tx *store.Tx) error {
				c.CreatedAt, c.UpdatedAt, c.AwareAt = tx.Now, tx.Now, tx.Now
				return tx.CreateCase(t.Context(), &c)
			})
		}
		for q, want := range map[string]int{
			"vendor": 1, "VEND": 1, "payroll vendor": 1, "invoice": 1, "hamburg laptop": 1, "lost phishing": 0, "zebra": 0,
			"vend&|!:*()'\\%_": 1, "%": 3, "": 3,
		} {
			items, total, err := s.ListCases(t.Context(), shieldwall.CaseFilter{Query: q}, shieldwall.CaseScope{All: true})
			if err != nil {
				t.Fatalf("search %q: %v", q, err)
			}
			if total != want || len(items) != want {
				t.Errorf("search %q: %d found (%d listed); want %d", q, total, len(items), want)
			}
		}
	})
}
