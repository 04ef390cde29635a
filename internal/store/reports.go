package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/shieldwall/shieldwall"
)

const (
	sqlInsertReport = `INSERT INTO reports (id, kind, title, description, details, status, source, reporter_id,
		anonymous, department_id, campaign_id, simulation, verdict_level, verdict_score, verdict, resolution, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	sqlInsertIndicator = `INSERT INTO report_indicators (report_id, type, value, note) VALUES (?, ?, ?, ?)
			ON CONFLICT (report_id, type, value) DO NOTHING`
)

// CreateReport inserts r with its indicators; r.ID and the times must be set.
func (tx *Tx) CreateReport(ctx context.Context, r *shieldwall.Report) error {
	details := r.Details
	if len(details) == 0 {
		details = json.RawMessage("{}")
	}
	signals, err := json.Marshal(r.Signals)
	if err != nil {
		return fmt.Errorf("store: encode signals: %w", err)
	}
	row := []any{r.ID, string(r.Kind), r.Title, r.Description, string(details), string(r.Status), string(r.Source), nullString(r.ReporterID),
		r.Anonymous, nullString(r.DepartmentID), nullString(r.CampaignID), r.Simulation, r.VerdictLevel, r.VerdictScore,
		string(signals), r.Resolution, tx.timeArg(r.CreatedAt), tx.timeArg(r.UpdatedAt)}
	if tx.pending != nil {
		// A batch inserts its reports together (batch.go); the indicators
		// below write them first, since they refer to the report.
		tx.pending.reports = append(tx.pending.reports, row...)
	} else if _, err := tx.exec(ctx, sqlInsertReport, row...); err != nil {
		return fmt.Errorf("store: create report: %w", err)
	}
	for _, in := range r.Indicators {
		if _, err := tx.exec(ctx, sqlInsertIndicator, r.ID, in.Type, in.Value, in.Note); err != nil {
			return fmt.Errorf("store: add indicator: %w", err)
		}
	}
	return nil
}

// AddAttachment keeps a file with a report.
func (tx *Tx) AddAttachment(ctx context.Context, reportID string, a shieldwall.Attachment, data []byte, compressed bool) error {
	_, err := tx.exec(ctx, `INSERT INTO report_attachments (id, report_id, filename, content_type, size, sha256, compressed, data, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, a.ID, reportID, a.Filename, a.ContentType, a.Size, a.SHA256, compressed, data, at(a.CreatedAt))
	if err != nil {
		return fmt.Errorf("store: add attachment: %w", err)
	}
	return nil
}

// AttachmentData returns a stored file's bytes and whether they are gzip-compressed.
func (s *Store) AttachmentData(ctx context.Context, reportID, attachmentID string) (shieldwall.Attachment, []byte, bool, error) {
	var a shieldwall.Attachment
	var c dbTime
	var data []byte
	var compressed bool
	err := s.r().queryRow(ctx, `SELECT id, filename, content_type, size, sha256, created_at, data, compressed
		FROM report_attachments WHERE id = ? AND report_id = ?`, attachmentID, reportID).
		Scan(&a.ID, &a.Filename, &a.ContentType, &a.Size, &a.SHA256, &c, &data, &compressed)
	if errors.Is(err, sql.ErrNoRows) {
		return a, nil, false, shieldwall.Errorf(shieldwall.ENOTFOUND, "Attachment not found.")
	} else if err != nil {
		return a, nil, false, fmt.Errorf("store: read attachment: %w", err)
	}
	a.CreatedAt = c.Time
	return a, data, compressed, nil
}

// AddMessage adds a message to a report's conversation.
func (tx *Tx) AddMessage(ctx context.Context, reportID string, m shieldwall.Message) error {
	_, err := tx.exec(ctx, `INSERT INTO report_messages (id, report_id, author, author_id, body, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		m.ID, reportID, m.Author, nullString(m.AuthorID), m.Body, at(m.CreatedAt))
	if err != nil {
		return fmt.Errorf("store: add message: %w", err)
	}
	return nil
}

// CreateReceipt stores an anonymous report's receipt: the selector's hash and the slow verifier.
func (tx *Tx) CreateReceipt(ctx context.Context, selectorHash, verifier, reportID string) error {
	if _, err := tx.exec(ctx, `INSERT INTO anonymous_receipts (selector_hash, verifier, report_id) VALUES (?, ?, ?)`,
		selectorHash, verifier, reportID); err != nil {
		return fmt.Errorf("store: create receipt: %w", err)
	}
	return nil
}

// ReceiptCandidate is a stored receipt whose selector matches.
type ReceiptCandidate struct {
	Verifier, ReportID string
}

// ReceiptCandidates returns the receipts with this selector hash (almost always one or none).
func (s *Store) ReceiptCandidates(ctx context.Context, selectorHash string) ([]ReceiptCandidate, error) {
	rows, err := s.r().query(ctx, `SELECT verifier, report_id FROM anonymous_receipts WHERE selector_hash = ? LIMIT 8`, selectorHash)
	return collect(rows, err, "receipts", func(sc rowScanner) (ReceiptCandidate, error) {
		var c ReceiptCandidate
		err := sc.Scan(&c.Verifier, &c.ReportID)
		return c, err
	})
}

const reportColumns = `r.id, r.kind, r.title, r.description, r.details, r.status, r.source,
	COALESCE(r.reporter_id, ''), COALESCE(ru.name, ''), r.anonymous, COALESCE(r.department_id, ''), COALESCE(d.name, ''),
	COALESCE(r.campaign_id, ''), COALESCE(r.duplicate_of, ''), COALESCE(r.assignee_id, ''), COALESCE(au.name, ''),
	COALESCE(r.case_id, ''), r.simulation, r.verdict_level, r.verdict_score, r.verdict, r.resolution, r.created_at, r.updated_at`

const reportFrom = ` FROM reports r
	LEFT JOIN users ru ON ru.id = r.reporter_id
	LEFT JOIN users au ON au.id = r.assignee_id
	LEFT JOIN departments d ON d.id = r.department_id`

func scanReport(sc rowScanner) (shieldwall.Report, error) {
	var r shieldwall.Report
	var details, verdict string
	var c, u dbTime
	err := sc.Scan(&r.ID, &r.Kind, &r.Title, &r.Description, &details, &r.Status, &r.Source,
		&r.ReporterID, &r.ReporterName, &r.Anonymous, &r.DepartmentID, &r.DepartmentName,
		&r.CampaignID, &r.DuplicateOf, &r.AssigneeID, &r.AssigneeName,
		&r.CaseID, &r.Simulation, &r.VerdictLevel, &r.VerdictScore, &verdict, &r.Resolution, &c, &u)
	if err != nil {
		return r, err
	}
	r.Details = json.RawMessage(details)
	r.CreatedAt, r.UpdatedAt = c.Time, u.Time
	if err := json.Unmarshal([]byte(verdict), &r.Signals); err != nil {
		return r, fmt.Errorf("store: decode signals: %w", err)
	}
	if r.Signals == nil {
		r.Signals = []shieldwall.Signal{}
	}
	return r, nil
}

// FindReport returns a report with its indicators, attachments and messages.
func (s *Store) FindReport(ctx context.Context, id string) (shieldwall.Report, error) {
	return findReport(ctx, s.r(), id)
}

// FindReport returns a report as the transaction sees it.
func (tx *Tx) FindReport(ctx context.Context, id string) (shieldwall.Report, error) {
	return findReport(ctx, tx, id)
}

func findReport(ctx context.Context, q queryer, id string) (shieldwall.Report, error) {
	r, err := scanReport(q.queryRow(ctx, "SELECT "+reportColumns+reportFrom+" WHERE r.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, shieldwall.Errorf(shieldwall.ENOTFOUND, "Report not found.")
	} else if err != nil {
		return r, fmt.Errorf("store: find report: %w", err)
	}
	rows, err := q.query(ctx, `SELECT type, value, note FROM report_indicators WHERE report_id = ? ORDER BY type, value`, id)
	if r.Indicators, err = collect(rows, err, "indicators", scanIndicator); err != nil {
		return r, err
	}
	rows, err = q.query(ctx, `SELECT id, filename, content_type, size, sha256, created_at FROM report_attachments WHERE report_id = ? ORDER BY created_at, id`, id)
	if r.Attachments, err = collect(rows, err, "attachments", scanAttachment); err != nil {
		return r, err
	}
	rows, err = q.query(ctx, `SELECT id, author, COALESCE(author_id, ''), body, created_at FROM report_messages WHERE report_id = ? ORDER BY created_at, id`, id)
	if r.Messages, err = collect(rows, err, "messages", scanMessage); err != nil {
		return r, err
	}
	return r, nil
}

func scanIndicator(sc rowScanner) (shieldwall.Indicator, error) {
	var in shieldwall.Indicator
	err := sc.Scan(&in.Type, &in.Value, &in.Note)
	return in, err
}

func scanAttachment(sc rowScanner) (shieldwall.Attachment, error) {
	var a shieldwall.Attachment
	var c dbTime
	err := sc.Scan(&a.ID, &a.Filename, &a.ContentType, &a.Size, &a.SHA256, &c)
	a.CreatedAt = c.Time
	return a, err
}

func scanMessage(sc rowScanner) (shieldwall.Message, error) {
	var m shieldwall.Message
	var c dbTime
	err := sc.Scan(&m.ID, &m.Author, &m.AuthorID, &m.Body, &c)
	m.CreatedAt = c.Time
	return m, err
}

// ReportVisibility limits which reports a list may contain: all, or those
// of one department and/or one reporter (either matches).
type ReportVisibility struct {
	All          bool
	DepartmentID string
	ReporterID   string
}

// ListReports returns reports visible under vis, newest first, and how many match in all.
func (s *Store) ListReports(ctx context.Context, f shieldwall.ReportFilter, vis ReportVisibility) ([]shieldwall.Report, int, error) {
	f.Page = f.Page.Normalize()
	where, args := "1 = 1", []any{}
	if !vis.All {
		// Anonymous reports carry neither a department nor a reporter, so
		// they never match a scoped list.
		where = "(r.department_id = ? OR r.reporter_id = ?)"
		args = append(args, vis.DepartmentID, vis.ReporterID)
	}
	for _, c := range []struct {
		col, val string
	}{{"r.status", string(f.Status)}, {"r.kind", string(f.Kind)}, {"r.department_id", f.DepartmentID},
		{"r.campaign_id", f.CampaignID}, {"r.reporter_id", f.ReporterID}} {
		if c.val != "" {
			where += " AND " + c.col + " = ?"
			args = append(args, c.val)
		}
	}
	if f.Ungrouped {
		where += " AND (r.campaign_id IS NULL OR r.campaign_id NOT IN (SELECT id FROM campaigns WHERE status = 'open'))"
	}
	var total int
	if err := s.r().queryRow(ctx, "SELECT COUNT(*) FROM reports r WHERE "+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count reports: %w", err)
	}
	rows, err := s.r().query(ctx, "SELECT "+reportColumns+reportFrom+" WHERE "+where+
		" ORDER BY r.created_at DESC, r.id DESC LIMIT ? OFFSET ?", append(args, f.Limit, f.Offset)...)
	out, err := collect(rows, err, "list reports", scanReport)
	return out, total, err
}

// UpdateReport writes a report's triage fields: status, assignee, campaign,
// duplicate, case link and resolution.
func (tx *Tx) UpdateReport(ctx context.Context, r *shieldwall.Report) error {
	res, err := tx.exec(ctx, `UPDATE reports SET status = ?, assignee_id = ?, campaign_id = ?, duplicate_of = ?, case_id = ?,
		resolution = ?, updated_at = ? WHERE id = ?`,
		string(r.Status), nullString(r.AssigneeID), nullString(r.CampaignID), nullString(r.DuplicateOf), nullString(r.CaseID),
		r.Resolution, at(r.UpdatedAt), r.ID)
	if isForeignKeyViolation(err) {
		return shieldwall.Errorf(shieldwall.EINVALID, "The assignee, campaign or report linked does not exist.")
	} else if err != nil {
		return fmt.Errorf("store: update report: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return shieldwall.Errorf(shieldwall.ENOTFOUND, "Report not found.")
	}
	return nil
}
