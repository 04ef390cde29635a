// Package govern is governance done together: the risk register written in
// each department's terms, the organisation's controls mapped to
// frameworks, the security committee, security reviews of new projects, and
// the app catalogue. Pure rules (scoring, sign-offs, the agenda, the
// calendar file) take plain values; the Service applies them in one
// transaction per change, with its audit event.
package govern

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/policy"
	"github.com/shieldwall/shieldwall/internal/store"
)

// Settings keys (the settings table) and their defaults.
const (
	// SettingRiskAppetite is the highest overall score (1–25) a risk may be
	// accepted at without the owner department's head and a security lead.
	SettingRiskAppetite = "govern.risk_appetite"
	DefaultRiskAppetite = 9
	// SettingFinanceReviewCost is the yearly cost above which Finance signs off a review.
	SettingFinanceReviewCost = "govern.finance_review_cost"
	DefaultFinanceReviewCost = 10000
)

// Service runs governance over the store.
type Service struct {
	store *store.Store
	// now is the clock; tests set it.
	now func() time.Time
}

// New returns the governance service.
func New(st *store.Store) *Service { return &Service{store: st, now: time.Now} }

// Store returns the underlying store.
func (s *Service) Store() *store.Store { return s.store }

// intSetting reads a whole-number setting, or def when unset or unreadable.
func (s *Service) intSetting(ctx context.Context, key string, def int) int {
	v, ok, err := s.store.Setting(ctx, key)
	if err != nil || !ok {
		return def
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return def
	}
	return n
}

// Appetite returns the configured risk appetite.
func (s *Service) Appetite(ctx context.Context) int {
	return s.intSetting(ctx, SettingRiskAppetite, DefaultRiskAppetite)
}

// text checks a free-text field: trimmed, at most max characters, and
// present when required.
func text(field, v string, max int, required bool) (string, error) {
	v = strings.TrimSpace(v)
	if required && v == "" {
		return v, shieldwall.FieldErrorf(shieldwall.EINVALID, field, "Please fill in %s.", strings.ReplaceAll(field, "_", " "))
	}
	if utf8.RuneCountInString(v) > max {
		return v, shieldwall.FieldErrorf(shieldwall.EINVALID, field, "%s is longer than %d characters.", strings.ReplaceAll(field, "_", " "), max)
	}
	return v, nil
}

// date checks a YYYY-MM-DD field (empty allowed).
func date(field, v string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return v, nil
	}
	if _, err := time.Parse(time.DateOnly, v); err != nil {
		return v, shieldwall.FieldErrorf(shieldwall.EINVALID, field, "%s must be a date written YYYY-MM-DD.", strings.ReplaceAll(field, "_", " "))
	}
	return v, nil
}

// scale checks a 1–5 matrix score.
func scale(field string, v int) error {
	if v < 1 || v > 5 {
		return shieldwall.FieldErrorf(shieldwall.EINVALID, field, "%s must be between 1 and 5, not %d.", strings.ReplaceAll(field, "_", " "), v)
	}
	return nil
}

func oneOf(field, v string, allowed []string) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return shieldwall.FieldErrorf(shieldwall.EINVALID, field, "%q is not allowed here; use one of %s.", v, strings.Join(allowed, ", "))
}

// Settings are the organisation's governance settings.
type Settings struct {
	RiskAppetite      int   `json:"risk_appetite"`       // 1–25: highest score accepted without sign-off
	FinanceReviewCost int64 `json:"finance_review_cost"` // yearly cost above which Finance signs off a review
}

// GetSettings returns the governance settings.
func (s *Service) GetSettings(ctx context.Context, actor shieldwall.Actor) (Settings, error) {
	if err := policy.Authorize(actor, policy.ControlList, nil); err != nil {
		return Settings{}, err
	}
	return Settings{RiskAppetite: s.Appetite(ctx), FinanceReviewCost: s.FinanceReviewCost(ctx)}, nil
}

// SetSettings changes the governance settings (administrators).
func (s *Service) SetSettings(ctx context.Context, actor shieldwall.Actor, in Settings) (Settings, error) {
	if err := policy.Authorize(actor, policy.GovernSettings, nil); err != nil {
		return Settings{}, err
	}
	if in.RiskAppetite < 1 || in.RiskAppetite > 25 {
		return Settings{}, shieldwall.FieldErrorf(shieldwall.EINVALID, "risk_appetite", "The appetite is a score from 1 to 25, not %d.", in.RiskAppetite)
	}
	if in.FinanceReviewCost < 0 {
		return Settings{}, shieldwall.FieldErrorf(shieldwall.EINVALID, "finance_review_cost", "The cost must be 0 or more.")
	}
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.SetSetting(ctx, SettingRiskAppetite, strconv.Itoa(in.RiskAppetite)); err != nil {
			return err
		}
		if err := tx.SetSetting(ctx, SettingFinanceReviewCost, strconv.FormatInt(in.FinanceReviewCost, 10)); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actor, "govern.settings", "settings", "govern", fmt.Sprintf("risk appetite %d, finance review above %d", in.RiskAppetite, in.FinanceReviewCost))
	})
	return in, err
}
