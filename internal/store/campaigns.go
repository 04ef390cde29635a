package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/shieldwall/shieldwall"
)

const campaignColumns = `id, title, sender_domain, status, decision, decision_note, decided_at, report_count,
	first_reported_at, last_reported_at, created_at`

func scanCampaign(sc interface{ Scan(...any) error }) (shieldwall.Campaign, error) {
	var c shieldwall.Campaign
	var decided nullTime
	var first, last, created dbTime
	err := sc.Scan(&c.ID, &c.Title, &c.SenderDomain, &c.Status, &c.Decision, &c.DecisionNote, &decided, &c.ReportCount,
		&first, &last, &created)
	c.DecidedAt, c.FirstReportedAt, c.LastReportedAt, c.CreatedAt = decided.ptr(), first.Time, last.Time, created.Time
	return c, err
}

// CampaignByFingerprint returns the campaign with this exact fingerprint, or ENOTFOUND.
func (tx *Tx) CampaignByFingerprint(ctx context.Context, fp string) (shieldwall.Campaign, error) {
	c, err := scanCampaign(tx.queryRow(ctx, "SELECT "+campaignColumns+" FROM campaigns WHERE fingerprint = ?", fp))
	if errors.Is(err, sql.ErrNoRows) {
		return c, shieldwall.Errorf(shieldwall.ENOTFOUND, "Campaign not found.")
	} else if err != nil {
		return c, fmt.Errorf("store: find campaign: %w", err)
	}
	return c, nil
}

// CampaignCandidate is a campaign that shares a band key, with its signature.
type CampaignCandidate struct {
	ID, Signature          string
	Decision, DecisionNote string // set once the security team decided it
}

// CampaignCandidates returns the campaigns sharing any of the band keys:
// one index lookup per key, so the cost does not grow with the number of campaigns.
func (tx *Tx) CampaignCandidates(ctx context.Context, bandKeys []string) ([]CampaignCandidate, error) {
	if len(bandKeys) == 0 {
		return nil, nil
	}
	ph := strings.TrimSuffix(strings.Repeat("?, ", len(bandKeys)), ", ")
	args := make([]any, len(bandKeys))
	for i, k := range bandKeys {
		args[i] = k
	}
	rows, err := tx.query(ctx, `SELECT DISTINCT c.id, c.signature, c.decision, c.decision_note FROM campaign_bands b JOIN campaigns c ON c.id = b.campaign_id
		WHERE b.band_key IN (`+ph+`) LIMIT 50`, args...)
	return collect(rows, err, "campaign candidates", func(sc rowScanner) (CampaignCandidate, error) {
		var c CampaignCandidate
		err := sc.Scan(&c.ID, &c.Signature, &c.Decision, &c.DecisionNote)
		return c, err
	})
}

// CreateCampaign inserts a campaign with its fingerprint, signature and band keys.
func (tx *Tx) CreateCampaign(ctx context.Context, c *shieldwall.Campaign, fingerprint, signature string, bandKeys []string) error {
	_, err := tx.exec(ctx, `INSERT INTO campaigns (id, fingerprint, signature, title, sender_domain, status, report_count,
		first_reported_at, last_reported_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'open', 0, ?, ?, ?, ?)`,
		c.ID, fingerprint, signature, c.Title, c.SenderDomain, at(c.FirstReportedAt), at(c.LastReportedAt), at(c.CreatedAt), at(c.CreatedAt))
	if err != nil {
		return fmt.Errorf("store: create campaign: %w", err)
	}
	for _, k := range bandKeys {
		if _, err := tx.exec(ctx, `INSERT INTO campaign_bands (band_key, campaign_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, k, c.ID); err != nil {
			return fmt.Errorf("store: add band key: %w", err)
		}
	}
	return nil
}

// CountCampaignReport adds one report to a campaign's count and last-reported time.
func (tx *Tx) CountCampaignReport(ctx context.Context, campaignID string) error {
	if _, err := tx.exec(ctx, `UPDATE campaigns SET report_count = report_count + 1, last_reported_at = ?, updated_at = ? WHERE id = ?`,
		at(tx.Now), at(tx.Now), campaignID); err != nil {
		return fmt.Errorf("store: count campaign report: %w", err)
	}
	return nil
}

// DecideCampaign records the security team's decision on a campaign.
func (tx *Tx) DecideCampaign(ctx context.Context, id, decision, note, userID string) error {
	res, err := tx.exec(ctx, `UPDATE campaigns SET status = 'decided', decision = ?, decision_note = ?, decided_by = ?, decided_at = ?, updated_at = ?
		WHERE id = ?`, decision, note, nullString(userID), at(tx.Now), at(tx.Now), id)
	if err != nil {
		return fmt.Errorf("store: decide campaign: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return shieldwall.Errorf(shieldwall.ENOTFOUND, "Campaign not found.")
	}
	return nil
}

// ResolveCampaignReports closes every open report of a campaign with the
// same answer to its reporter, and returns how many it closed.
func (tx *Tx) ResolveCampaignReports(ctx context.Context, campaignID, resolution string) (int64, error) {
	res, err := tx.exec(ctx, `UPDATE reports SET status = 'resolved', resolution = ?, updated_at = ?
		WHERE campaign_id = ? AND status IN ('new', 'triaging')`, resolution, at(tx.Now), campaignID)
	if err != nil {
		return 0, fmt.Errorf("store: resolve campaign reports: %w", err)
	}
	return res.RowsAffected()
}

// FindCampaign returns a campaign with its reporters counted per department.
func (s *Store) FindCampaign(ctx context.Context, id string) (shieldwall.Campaign, error) {
	c, err := scanCampaign(s.r().queryRow(ctx, "SELECT "+campaignColumns+" FROM campaigns WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, shieldwall.Errorf(shieldwall.ENOTFOUND, "Campaign not found.")
	} else if err != nil {
		return c, fmt.Errorf("store: find campaign: %w", err)
	}
	rows, err := s.r().query(ctx, `SELECT COALESCE(r.department_id, ''), COALESCE(d.name, ''), COUNT(*)
		FROM reports r LEFT JOIN departments d ON d.id = r.department_id
		WHERE r.campaign_id = ? GROUP BY r.department_id, d.name ORDER BY COUNT(*) DESC, d.name`, id)
	c.Departments, err = collect(rows, err, "campaign departments", func(sc rowScanner) (shieldwall.DepartmentCount, error) {
		var dc shieldwall.DepartmentCount
		err := sc.Scan(&dc.DepartmentID, &dc.DepartmentName, &dc.Count)
		if dc.DepartmentName == "" {
			dc.DepartmentName = "Unknown"
		}
		return dc, err
	})
	return c, err
}

// CampaignFilter narrows a list of campaigns.
type CampaignFilter struct {
	Status string
	shieldwall.Page
}

// ListCampaigns returns campaigns, largest first.
func (s *Store) ListCampaigns(ctx context.Context, f CampaignFilter) ([]shieldwall.Campaign, int, error) {
	f.Page = f.Page.Normalize()
	where, args := "1 = 1", []any{}
	if f.Status != "" {
		where += " AND status = ?"
		args = append(args, f.Status)
	}
	var total int
	if err := s.r().queryRow(ctx, "SELECT COUNT(*) FROM campaigns WHERE "+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count campaigns: %w", err)
	}
	rows, err := s.r().query(ctx, "SELECT "+campaignColumns+" FROM campaigns WHERE "+where+
		" ORDER BY report_count DESC, last_reported_at DESC LIMIT ? OFFSET ?", append(args, f.Limit, f.Offset)...)
	out, err := collect(rows, err, "list campaigns", scanCampaign)
	return out, total, err
}
