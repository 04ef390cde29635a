package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/shieldwall/shieldwall"
)

// caseScopeWhere turns the policy's scope into SQL, so that lists and
// counts never include a case the viewer may not see.
func caseScopeWhere(d dialect, sc shieldwall.CaseScope) (string, []any) {
	if sc.All {
		return "1 = 1", nil
	}
	// Both databases should start from the viewer's few cases instead of
	// probing every case. SQLite does so for IN; PostgreSQL prefers to hash
	// the whole table unless handed the ids as an array, read once.
	mine := "c.id IN (SELECT p.case_id FROM case_participants p WHERE p.user_id = ?)"
	if d.name == "postgres" {
		mine = "c.id = ANY(ARRAY(SELECT p.case_id FROM case_participants p WHERE p.user_id = ?))"
	}
	conds := []string{mine}
	args := []any{sc.ViewerID}
	if sc.NonConfidential {
		conds = append(conds, "c.confidential = ?")
		args = append(args, false)
	} else if sc.DepartmentID != "" {
		conds = append(conds, "(c.confidential = ? AND c.id IN (SELECT r.case_id FROM case_roles r WHERE r.department_id = ?))")
		args = append(args, false, sc.DepartmentID)
	}
	return "(" + strings.Join(conds, " OR ") + ")", args
}

const caseColumns = `c.id, c.title, c.type, c.severity, c.status, c.summary, c.affected, c.confidential, c.plan, c.created_by,
	c.created_at, c.updated_at, c.aware_at, c.first_report_at, c.acknowledged_at, c.contained_at, c.recovered_at, c.closed_at`

func scanCase(sc interface{ Scan(...any) error }) (shieldwall.Case, error) {
	var c shieldwall.Case
	var affected, plan string
	var created, updated, aware dbTime
	var first, acked, contained, recovered, closed nullTime
	err := sc.Scan(&c.ID, &c.Title, &c.Type, &c.Severity, &c.Status, &c.Summary, &affected, &c.Confidential, &plan, &c.CreatedBy,
		&created, &updated, &aware, &first, &acked, &contained, &recovered, &closed)
	c.Affected = strings.Fields(affected)
	if c.Affected == nil {
		c.Affected = []string{}
	}
	c.Plan = []byte(plan)
	c.CreatedAt, c.UpdatedAt, c.AwareAt = created.Time, updated.Time, aware.Time
	c.FirstReportAt, c.AcknowledgedAt, c.ContainedAt, c.RecoveredAt, c.ClosedAt = first.ptr(), acked.ptr(), contained.ptr(), recovered.ptr(), closed.ptr()
	return c, err
}

func nullAt(t *time.Time) any {
	if t == nil {
		return nil
	}
	return at(*t)
}

func planText(c *shieldwall.Case) string {
	if len(c.Plan) == 0 {
		return "{}"
	}
	return string(c.Plan)
}

// CreateCase inserts c; c.ID and the times must be set.
func (tx *Tx) CreateCase(ctx context.Context, c *shieldwall.Case) error {
	_, err := tx.exec(ctx, `INSERT INTO cases (id, title, type, severity, status, summary, affected, confidential, plan, created_by,
		created_at, updated_at, aware_at, first_report_at, acknowledged_at, contained_at, recovered_at, closed_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.Title, c.Type, string(c.Severity), string(c.Status), c.Summary, strings.Join(c.Affected, " "), c.Confidential, planText(c), c.CreatedBy,
		at(c.CreatedAt), at(c.UpdatedAt), at(c.AwareAt), nullAt(c.FirstReportAt), nullAt(c.AcknowledgedAt), nullAt(c.ContainedAt),
		nullAt(c.RecoveredAt), nullAt(c.ClosedAt))
	if err != nil {
		return fmt.Errorf("store: create case: %w", err)
	}
	return nil
}

// UpdateCase writes every changeable column of c.
func (tx *Tx) UpdateCase(ctx context.Context, c *shieldwall.Case) error {
	_, err := tx.exec(ctx, `UPDATE cases SET title = ?, type = ?, severity = ?, status = ?, summary = ?, affected = ?, confidential = ?,
		plan = ?, updated_at = ?, aware_at = ?, first_report_at = ?, acknowledged_at = ?, contained_at = ?, recovered_at = ?, closed_at = ?
		WHERE id = ?`,
		c.Title, c.Type, string(c.Severity), string(c.Status), c.Summary, strings.Join(c.Affected, " "), c.Confidential, planText(c),
		at(c.UpdatedAt), at(c.AwareAt), nullAt(c.FirstReportAt), nullAt(c.AcknowledgedAt), nullAt(c.ContainedAt),
		nullAt(c.RecoveredAt), nullAt(c.ClosedAt), c.ID)
	if err != nil {
		return fmt.Errorf("store: update case: %w", err)
	}
	return nil
}

// FindCase returns one case without its details. It does not check who
// asks: the service decides with the policy and answers "not found" alike.
func (s *Store) FindCase(ctx context.Context, id string) (shieldwall.Case, error) {
	return findCase(ctx, s.r(), id)
}

// FindCase returns one case inside the transaction.
func (tx *Tx) FindCase(ctx context.Context, id string) (shieldwall.Case, error) {
	return findCase(ctx, tx, id)
}

func findCase(ctx context.Context, q queryer, id string) (shieldwall.Case, error) {
	c, err := scanCase(q.queryRow(ctx, "SELECT "+caseColumns+" FROM cases c WHERE c.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, shieldwall.Errorf(shieldwall.ENOTFOUND, "Case not found.")
	} else if err != nil {
		return c, fmt.Errorf("store: find case: %w", err)
	}
	return c, nil
}

// ListCases returns the cases in scope matching f, most recently changed
// first, and how many there are in all.
func (s *Store) ListCases(ctx context.Context, f shieldwall.CaseFilter, scope shieldwall.CaseScope) ([]shieldwall.Case, int, error) {
	f.Page = f.Page.Normalize()
	// The filters are written twice. The count reads the narrow filter
	// indexes; the page walks cases by last change and stops at a page,
	// which SQLite would not do if it saw a usable filter index (it would
	// fetch and sort every match), so there the columns are wrapped in a
	// no-op that hides the index. PostgreSQL's planner weighs both itself.
	filters := func(col func(string) string) (string, []any) {
		where, args := caseScopeWhere(s.d, scope)
		add := func(cond string, v ...any) { where += " AND " + cond; args = append(args, v...) }
		if f.Status != "" {
			add(col("c.status")+" = ?", string(f.Status))
		} else if f.Open {
			// Listing the open statuses, rather than "not closed", lets the
			// status index answer.
			add(col("c.status")+" IN (?, ?, ?, ?, ?)", string(shieldwall.CaseTriage), string(shieldwall.CaseInvestigating),
				string(shieldwall.CaseContained), string(shieldwall.CaseEradicated), string(shieldwall.CaseRecovered))
		}
		if f.Type != "" {
			add(col("c.type")+" = ?", f.Type)
		}
		if f.Severity != "" {
			add(col("c.severity")+" = ?", string(f.Severity))
		}
		if !f.CreatedFrom.IsZero() {
			add("c.created_at >= ?", at(f.CreatedFrom))
		}
		if !f.CreatedTo.IsZero() {
			add("c.created_at < ?", at(f.CreatedTo))
		}
		// Search is by the start of words in the title, on both databases.
		if words := titleWords(f.Query); len(words) > 0 {
			if s.d.name == "postgres" {
				// PostgreSQL answers from the GIN index on the title's words
				// instead of reading every title to count the matches.
				add("to_tsvector('simple', c.title) @@ to_tsquery('simple', ?)", strings.Join(words, ":* & ")+":*")
			} else {
				// The plain substring test reads the narrow title index and
				// rules out most rows before the word-start test builds a string.
				for _, w := range words {
					add(col("c.title")+` LIKE ? ESCAPE '\' AND (' ' || c.title) LIKE ? ESCAPE '\'`, "%"+escapeLike(w)+"%", "% "+escapeLike(w)+"%")
				}
			}
		}
		return where, args
	}
	where, args := filters(func(c string) string { return c })
	var total int
	if err := s.r().queryRow(ctx, "SELECT COUNT(*) FROM cases c WHERE "+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count cases: %w", err)
	}
	if s.d.name == "sqlite" {
		where, args = filters(func(c string) string { return "+" + c })
	}
	// The page is chosen by id first and its rows read after: sorting a
	// thousand matches then moves ids and times, not whole cases.
	rows, err := s.r().query(ctx, "SELECT "+caseColumns+" FROM cases c WHERE c.id IN (SELECT c.id FROM cases c WHERE "+where+
		" ORDER BY c.updated_at DESC, c.id DESC LIMIT ? OFFSET ?) ORDER BY c.updated_at DESC, c.id DESC", append(args, f.Limit, f.Offset)...)
	out, err := collect(rows, err, "list cases", scanCase)
	return out, total, err
}

// titleWords are the words typed into a search, lower-cased: only letters
// and digits pass, so nothing typed can be read as query syntax by either
// database. At most eight count.
func titleWords(typed string) []string {
	words := strings.FieldsFunc(strings.ToLower(typed), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	return words[:min(len(words), 8)]
}

// Analyze refreshes the query planner's statistics, as PostgreSQL's
// autovacuum and SQLite's PRAGMA optimize do in time; after a bulk load
// (a benchmark, an import) the plans are otherwise chosen blind.
func (s *Store) Analyze(ctx context.Context) error {
	if _, err := s.write.ExecContext(ctx, "ANALYZE"); err != nil {
		return fmt.Errorf("store: analyze: %w", err)
	}
	return nil
}

// CaseVisible reports whether the case is in scope; it answers false for
// a case that does not exist, so callers cannot tell the two apart.
func (s *Store) CaseVisible(ctx context.Context, caseID string, scope shieldwall.CaseScope) (bool, error) {
	where, args := caseScopeWhere(s.d, scope)
	var n int
	err := s.r().queryRow(ctx, "SELECT COUNT(*) FROM cases c WHERE c.id = ? AND "+where, append([]any{caseID}, args...)...).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: case visible: %w", err)
	}
	return n > 0, nil
}

// AddCaseParticipant lets a person see the case; it reports whether they
// were added (false when they already took part).
func (tx *Tx) AddCaseParticipant(ctx context.Context, caseID, userID, reason string) (bool, error) {
	res, err := tx.exec(ctx, `INSERT INTO case_participants (case_id, user_id, reason, added_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (case_id, user_id) DO NOTHING`, caseID, userID, reason, at(tx.Now))
	if err != nil {
		if isForeignKeyViolation(err) {
			return false, shieldwall.FieldErrorf(shieldwall.EINVALID, "user_id", "No such person.")
		}
		return false, fmt.Errorf("store: add participant: %w", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// RemoveCaseParticipant takes a person off the case; it reports whether they took part.
func (tx *Tx) RemoveCaseParticipant(ctx context.Context, caseID, userID string) (bool, error) {
	res, err := tx.exec(ctx, `DELETE FROM case_participants WHERE case_id = ? AND user_id = ?`, caseID, userID)
	if err != nil {
		return false, fmt.Errorf("store: remove participant: %w", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// IsCaseParticipant reports whether the person takes part in the case.
func (s *Store) IsCaseParticipant(ctx context.Context, caseID, userID string) (bool, error) {
	var n int
	err := s.r().queryRow(ctx, `SELECT COUNT(*) FROM case_participants WHERE case_id = ? AND user_id = ?`, caseID, userID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: is participant: %w", err)
	}
	return n > 0, nil
}

// CaseParticipants lists who takes part in a case, by name.
func (s *Store) CaseParticipants(ctx context.Context, caseID string) ([]shieldwall.CaseParticipant, error) {
	return caseParticipants(ctx, s.r(), caseID)
}

// CaseParticipants lists who takes part in a case, inside the transaction.
func (tx *Tx) CaseParticipants(ctx context.Context, caseID string) ([]shieldwall.CaseParticipant, error) {
	return caseParticipants(ctx, tx, caseID)
}

func caseParticipants(ctx context.Context, q queryer, caseID string) ([]shieldwall.CaseParticipant, error) {
	rows, err := q.query(ctx, `SELECT p.user_id, u.name, d.name, p.reason, p.added_at FROM case_participants p
		JOIN users u ON u.id = p.user_id JOIN departments d ON d.id = u.department_id
		WHERE p.case_id = ? ORDER BY u.name, p.user_id`, caseID)
	return collect(rows, err, "participants", func(sc rowScanner) (shieldwall.CaseParticipant, error) {
		var p shieldwall.CaseParticipant
		var added dbTime
		err := sc.Scan(&p.UserID, &p.Name, &p.DepartmentName, &p.Reason, &added)
		p.AddedAt = added.Time
		return p, err
	})
}

// SetCaseRole inserts or replaces one role of a case.
func (tx *Tx) SetCaseRole(ctx context.Context, caseID string, r shieldwall.CaseRole) error {
	_, err := tx.exec(ctx, `INSERT INTO case_roles (case_id, role, name, description, department_id, user_id, backup_user_id, engaged_at, acknowledged_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (case_id, role) DO UPDATE SET name = excluded.name, description = excluded.description,
			department_id = excluded.department_id, user_id = excluded.user_id, backup_user_id = excluded.backup_user_id,
			acknowledged_at = excluded.acknowledged_at`,
		caseID, r.Role, r.Name, r.Description, nullString(r.DepartmentID), nullString(r.UserID), nullString(r.BackupUserID),
		at(r.EngagedAt), nullAt(r.AcknowledgedAt))
	if err != nil {
		return fmt.Errorf("store: set case role: %w", err)
	}
	return nil
}

// CaseRoles lists a case's roles in the order they were engaged.
func (s *Store) CaseRoles(ctx context.Context, caseID string) ([]shieldwall.CaseRole, error) {
	return caseRoles(ctx, s.r(), caseID)
}

// CaseRoles lists a case's roles inside the transaction.
func (tx *Tx) CaseRoles(ctx context.Context, caseID string) ([]shieldwall.CaseRole, error) {
	return caseRoles(ctx, tx, caseID)
}

func caseRoles(ctx context.Context, q queryer, caseID string) ([]shieldwall.CaseRole, error) {
	rows, err := q.query(ctx, `SELECT r.role, r.name, r.description, COALESCE(r.department_id, ''), COALESCE(d.name, ''),
		COALESCE(r.user_id, ''), COALESCE(u.name, ''), COALESCE(r.backup_user_id, ''), COALESCE(b.name, ''), r.engaged_at, r.acknowledged_at
		FROM case_roles r LEFT JOIN departments d ON d.id = r.department_id
		LEFT JOIN users u ON u.id = r.user_id LEFT JOIN users b ON b.id = r.backup_user_id
		WHERE r.case_id = ? ORDER BY r.engaged_at, r.role`, caseID)
	return collect(rows, err, "case roles", func(sc rowScanner) (shieldwall.CaseRole, error) {
		var r shieldwall.CaseRole
		var engaged dbTime
		var acked nullTime
		err := sc.Scan(&r.Role, &r.Name, &r.Description, &r.DepartmentID, &r.DepartmentName, &r.UserID, &r.UserName,
			&r.BackupUserID, &r.BackupUserName, &engaged, &acked)
		r.EngagedAt, r.AcknowledgedAt = engaged.Time, acked.ptr()
		return r, err
	})
}

// AddCaseTask inserts t; t.ID is filled in when empty.
func (tx *Tx) AddCaseTask(ctx context.Context, caseID string, t *shieldwall.CaseTask) error {
	if t.ID == "" {
		t.ID = NewID()
	}
	if t.Status == "" {
		t.Status = shieldwall.TaskOpen
	}
	t.CreatedAt = tx.Now
	_, err := tx.exec(ctx, `INSERT INTO case_tasks (id, case_id, task_key, role, department_id, title, description, due_at, status, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.ID, caseID, t.Key, t.Role, nullString(t.DepartmentID), t.Title, t.Description, at(t.DueAt), string(t.Status), at(t.CreatedAt))
	if err != nil {
		return fmt.Errorf("store: add case task: %w", err)
	}
	return nil
}

// SetCaseTaskStatus marks a task done (by whom) or open again.
func (tx *Tx) SetCaseTaskStatus(ctx context.Context, caseID, taskID string, status shieldwall.TaskStatus, by string) error {
	var done any
	if status == shieldwall.TaskDone {
		done = at(tx.Now)
	} else {
		by = ""
	}
	res, err := tx.exec(ctx, `UPDATE case_tasks SET status = ?, done_at = ?, done_by = ? WHERE case_id = ? AND id = ?`,
		string(status), done, by, caseID, taskID)
	if err != nil {
		return fmt.Errorf("store: set task status: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return shieldwall.Errorf(shieldwall.ENOTFOUND, "Task not found.")
	}
	return nil
}

// CaseTasks lists a case's tasks by due time.
func (s *Store) CaseTasks(ctx context.Context, caseID string) ([]shieldwall.CaseTask, error) {
	return caseTasks(ctx, s.r(), caseID)
}

// CaseTasks lists a case's tasks inside the transaction.
func (tx *Tx) CaseTasks(ctx context.Context, caseID string) ([]shieldwall.CaseTask, error) {
	return caseTasks(ctx, tx, caseID)
}

func caseTasks(ctx context.Context, q queryer, caseID string) ([]shieldwall.CaseTask, error) {
	rows, err := q.query(ctx, `SELECT t.id, t.task_key, t.role, COALESCE(t.department_id, ''), COALESCE(d.name, ''), t.title, t.description,
		t.due_at, t.status, t.done_at, t.done_by, t.created_at
		FROM case_tasks t LEFT JOIN departments d ON d.id = t.department_id
		WHERE t.case_id = ? ORDER BY t.due_at, t.created_at, t.id`, caseID)
	return collect(rows, err, "case tasks", func(sc rowScanner) (shieldwall.CaseTask, error) {
		var t shieldwall.CaseTask
		var due, created dbTime
		var done nullTime
		err := sc.Scan(&t.ID, &t.Key, &t.Role, &t.DepartmentID, &t.DepartmentName, &t.Title, &t.Description,
			&due, &t.Status, &done, &t.DoneBy, &created)
		t.DueAt, t.DoneAt, t.CreatedAt = due.Time, done.ptr(), created.Time
		return t, err
	})
}

// RecordCaseEvent records that event happened at e.At; a later recording
// of the same event replaces the earlier one.
func (tx *Tx) RecordCaseEvent(ctx context.Context, caseID string, e shieldwall.CaseEvent) error {
	_, err := tx.exec(ctx, `INSERT INTO case_events (case_id, event, at, reference, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (case_id, event) DO UPDATE SET at = excluded.at, reference = excluded.reference,
			recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at`,
		caseID, e.Event, at(e.At), e.Reference, e.RecordedByName, at(tx.Now))
	if err != nil {
		return fmt.Errorf("store: record case event: %w", err)
	}
	return nil
}

// CaseEvents returns a case's recorded events.
func (s *Store) CaseEvents(ctx context.Context, caseID string) ([]shieldwall.CaseEvent, error) {
	return caseEvents(ctx, s.r(), caseID)
}

// CaseEvents returns a case's recorded events inside the transaction.
func (tx *Tx) CaseEvents(ctx context.Context, caseID string) ([]shieldwall.CaseEvent, error) {
	return caseEvents(ctx, tx, caseID)
}

func caseEvents(ctx context.Context, q queryer, caseID string) ([]shieldwall.CaseEvent, error) {
	rows, err := q.query(ctx, `SELECT event, at, reference, recorded_by, recorded_at FROM case_events WHERE case_id = ? ORDER BY at, event`, caseID)
	return collect(rows, err, "case events", func(sc rowScanner) (shieldwall.CaseEvent, error) {
		var e shieldwall.CaseEvent
		var when, recorded dbTime
		err := sc.Scan(&e.Event, &when, &e.Reference, &e.RecordedByName, &recorded)
		e.At, e.RecordedAt = when.Time, recorded.Time
		return e, err
	})
}

// AppendTimeline adds one line to a case's history; e.ID and e.CreatedAt are filled in.
func (tx *Tx) AppendTimeline(ctx context.Context, e *shieldwall.TimelineEntry) error {
	if e.ID == "" {
		e.ID = NewID()
	}
	e.CreatedAt = tx.Now
	_, err := tx.exec(ctx, `INSERT INTO case_timeline (id, case_id, kind, body, actor_id, actor_name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		e.ID, e.CaseID, e.Kind, e.Body, e.ActorID, e.ActorName, at(e.CreatedAt))
	if err != nil {
		return fmt.Errorf("store: append timeline: %w", err)
	}
	return nil
}

// Timeline returns a case's history, newest first, and how many lines it has.
func (s *Store) Timeline(ctx context.Context, caseID string, page shieldwall.Page) ([]shieldwall.TimelineEntry, int, error) {
	page = page.Normalize()
	var total int
	if err := s.r().queryRow(ctx, `SELECT COUNT(*) FROM case_timeline WHERE case_id = ?`, caseID).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count timeline: %w", err)
	}
	rows, err := s.r().query(ctx, "SELECT "+timelineColumns+` FROM case_timeline
		WHERE case_id = ? ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`, caseID, page.Limit, page.Offset)
	out, err := collect(rows, err, "timeline", scanTimelineEntry)
	return out, total, err
}

const timelineColumns = `id, case_id, kind, body, actor_id, actor_name, created_at`

func scanTimelineEntry(sc rowScanner) (shieldwall.TimelineEntry, error) {
	var e shieldwall.TimelineEntry
	var c dbTime
	err := sc.Scan(&e.ID, &e.CaseID, &e.Kind, &e.Body, &e.ActorID, &e.ActorName, &c)
	e.CreatedAt = c.Time
	return e, err
}

// LinkReportsToCase links reports, and every report of the given campaign,
// to the case. It returns the ids linked and the earliest time of a report
// that is not anonymous.
func (tx *Tx) LinkReportsToCase(ctx context.Context, caseID string, reportIDs []string, campaignID string) ([]string, *time.Time, error) {
	var linked []string
	var first *time.Time
	link := func(where string, arg any) error {
		rows, err := tx.query(ctx, "SELECT id, created_at, anonymous FROM reports WHERE "+where, arg)
		if err != nil {
			return fmt.Errorf("store: find reports to link: %w", err)
		}
		var found []string
		for rows.Next() {
			var id string
			var c dbTime
			var anonymous bool
			if err := rows.Scan(&id, &c, &anonymous); err != nil {
				rows.Close()
				return fmt.Errorf("store: scan report to link: %w", err)
			}
			found = append(found, id)
			// An anonymous report's exact time could point at its reporter
			// ("who was at a desk at 08:22?"), so it never dates the case.
			if anonymous {
				continue
			}
			if first == nil || c.Time.Before(*first) {
				t := c.Time
				first = &t
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, id := range found {
			if _, err := tx.exec(ctx, `UPDATE reports SET case_id = ? WHERE id = ?`, caseID, id); err != nil {
				return fmt.Errorf("store: link report: %w", err)
			}
		}
		linked = append(linked, found...)
		return nil
	}
	for _, id := range reportIDs {
		before := len(linked)
		if err := link("id = ?", id); err != nil {
			return nil, nil, err
		}
		if len(linked) == before {
			return nil, nil, shieldwall.FieldErrorf(shieldwall.EINVALID, "report_ids", "No report %q.", id)
		}
	}
	if campaignID != "" {
		before := len(linked)
		if err := link("campaign_id = ?", campaignID); err != nil {
			return nil, nil, err
		}
		if len(linked) == before {
			return nil, nil, shieldwall.FieldErrorf(shieldwall.EINVALID, "campaign_id", "No reports in campaign %q.", campaignID)
		}
	}
	return linked, first, nil
}

// CaseReportIDs lists the reports linked to a case, oldest first.
func (s *Store) CaseReportIDs(ctx context.Context, caseID string) ([]string, error) {
	rows, err := s.r().query(ctx, `SELECT id FROM reports WHERE case_id = ? ORDER BY created_at, id`, caseID)
	return collect(rows, err, "case reports", scanString)
}

// SaveReview inserts or replaces a case's review.
func (tx *Tx) SaveReview(ctx context.Context, r *shieldwall.Review) error {
	_, err := tx.exec(ctx, `INSERT INTO case_reviews (case_id, status, what_happened, timeline, went_well, was_hard, contributing_factors,
		changes, opened_at, updated_at, published_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (case_id) DO UPDATE SET status = excluded.status, what_happened = excluded.what_happened, timeline = excluded.timeline,
			went_well = excluded.went_well, was_hard = excluded.was_hard, contributing_factors = excluded.contributing_factors,
			changes = excluded.changes, updated_at = excluded.updated_at, published_at = excluded.published_at`,
		r.CaseID, r.Status, r.WhatHappened, r.Timeline, r.WentWell, r.WasHard, r.ContributingFactors, r.Changes,
		at(r.OpenedAt), at(r.UpdatedAt), nullAt(r.PublishedAt))
	if err != nil {
		return fmt.Errorf("store: save review: %w", err)
	}
	return nil
}

// FindReview returns a case's review.
func (s *Store) FindReview(ctx context.Context, caseID string) (shieldwall.Review, error) {
	return findReview(ctx, s.r(), caseID)
}

// FindReview returns a case's review inside the transaction.
func (tx *Tx) FindReview(ctx context.Context, caseID string) (shieldwall.Review, error) {
	return findReview(ctx, tx, caseID)
}

func findReview(ctx context.Context, q queryer, caseID string) (shieldwall.Review, error) {
	var r shieldwall.Review
	var opened, updated dbTime
	var published nullTime
	err := q.queryRow(ctx, `SELECT case_id, status, what_happened, timeline, went_well, was_hard, contributing_factors, changes,
		opened_at, updated_at, published_at FROM case_reviews WHERE case_id = ?`, caseID).
		Scan(&r.CaseID, &r.Status, &r.WhatHappened, &r.Timeline, &r.WentWell, &r.WasHard, &r.ContributingFactors, &r.Changes,
			&opened, &updated, &published)
	if errors.Is(err, sql.ErrNoRows) {
		return r, shieldwall.Errorf(shieldwall.ENOTFOUND, "This case has no review yet; it opens when the case is recovered.")
	} else if err != nil {
		return r, fmt.Errorf("store: find review: %w", err)
	}
	r.OpenedAt, r.UpdatedAt, r.PublishedAt = opened.Time, updated.Time, published.ptr()
	return r, nil
}

// SetDuty records who fills a case role for a department.
func (tx *Tx) SetDuty(ctx context.Context, d shieldwall.Duty) error {
	_, err := tx.exec(ctx, `INSERT INTO duties (department_id, role, user_id, backup_user_id, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (department_id, role) DO UPDATE SET user_id = excluded.user_id, backup_user_id = excluded.backup_user_id,
			updated_at = excluded.updated_at`,
		d.DepartmentID, d.Role, nullString(d.UserID), nullString(d.BackupUserID), at(tx.Now))
	if err != nil {
		return fmt.Errorf("store: set duty: %w", err)
	}
	return nil
}

// DeleteDuty removes a department's duty.
func (tx *Tx) DeleteDuty(ctx context.Context, departmentID, role string) error {
	if _, err := tx.exec(ctx, `DELETE FROM duties WHERE department_id = ? AND role = ?`, departmentID, role); err != nil {
		return fmt.Errorf("store: delete duty: %w", err)
	}
	return nil
}

// Duties lists a department's duty directory by role.
func (s *Store) Duties(ctx context.Context, departmentID string) ([]shieldwall.Duty, error) {
	return duties(ctx, s.r(), departmentID, "")
}

// Duty returns who fills role for a department; ok is false when nobody was named.
func (tx *Tx) Duty(ctx context.Context, departmentID, role string) (shieldwall.Duty, bool, error) {
	ds, err := duties(ctx, tx, departmentID, role)
	if err != nil || len(ds) == 0 {
		return shieldwall.Duty{}, false, err
	}
	return ds[0], true, nil
}

func duties(ctx context.Context, q queryer, departmentID, role string) ([]shieldwall.Duty, error) {
	where, args := "d.department_id = ?", []any{departmentID}
	if role != "" {
		where += " AND d.role = ?"
		args = append(args, role)
	}
	rows, err := q.query(ctx, `SELECT d.department_id, d.role, COALESCE(d.user_id, ''), COALESCE(u.name, ''),
		COALESCE(d.backup_user_id, ''), COALESCE(b.name, ''), d.updated_at
		FROM duties d LEFT JOIN users u ON u.id = d.user_id AND u.active LEFT JOIN users b ON b.id = d.backup_user_id AND b.active
		WHERE `+where+` ORDER BY d.role`, args...)
	return collect(rows, err, "duties", func(sc rowScanner) (shieldwall.Duty, error) {
		var d shieldwall.Duty
		var updated dbTime
		err := sc.Scan(&d.DepartmentID, &d.Role, &d.UserID, &d.UserName, &d.BackupUserID, &d.BackupUserName, &updated)
		d.UpdatedAt = updated.Time
		// An inactive holder (a leaver) fills no duty.
		if d.UserName == "" {
			d.UserID = ""
		}
		if d.BackupUserName == "" {
			d.BackupUserID = ""
		}
		return d, err
	})
}

// DepartmentChampion returns the first active champion of a department by
// name: who fills a role when the department named nobody for it.
func (tx *Tx) DepartmentChampion(ctx context.Context, departmentID string) (shieldwall.User, bool, error) {
	var id string
	err := tx.queryRow(ctx, `SELECT id FROM users WHERE department_id = ? AND role = ? AND active = ? ORDER BY name, id LIMIT 1`,
		departmentID, string(shieldwall.RoleChampion), true).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return shieldwall.User{}, false, nil
	} else if err != nil {
		return shieldwall.User{}, false, fmt.Errorf("store: department champion: %w", err)
	}
	u, err := findUser(ctx, tx, "u.id = ?", id)
	return u, err == nil, err
}

// TouchCase marks the case as changed now, so lists show it first.
func (tx *Tx) TouchCase(ctx context.Context, id string) error {
	if _, err := tx.exec(ctx, `UPDATE cases SET updated_at = ? WHERE id = ?`, at(tx.Now), id); err != nil {
		return fmt.Errorf("store: touch case: %w", err)
	}
	return nil
}

// CasesOutOfScope returns which of the given case ids exist but lie
// outside scope.
func (s *Store) CasesOutOfScope(ctx context.Context, ids []string, scope shieldwall.CaseScope) (map[string]bool, error) {
	out := map[string]bool{}
	if scope.All || len(ids) == 0 {
		return out, nil
	}
	where, args := caseScopeWhere(s.d, scope)
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ")
	all := make([]any, 0, len(ids)+len(args))
	for _, id := range ids {
		all = append(all, id)
	}
	rows, err := s.r().query(ctx, "SELECT c.id FROM cases c WHERE c.id IN ("+marks+") AND NOT "+where, append(all, args...)...)
	hidden, err := collect(rows, err, "cases out of scope", scanString)
	for _, id := range hidden {
		out[id] = true
	}
	return out, err
}

// ClaimCaseAlert records that an escalation was sent; it reports false when
// one was already recorded, so concurrent sweeps send each only once.
func (tx *Tx) ClaimCaseAlert(ctx context.Context, caseID, subject, level string) (bool, error) {
	res, err := tx.exec(ctx, `INSERT INTO case_alerts (case_id, subject, level, sent_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (case_id, subject, level) DO NOTHING`, caseID, subject, level, at(tx.Now))
	if err != nil {
		return false, fmt.Errorf("store: claim case alert: %w", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// OpenCasesWithClocks lists open cases whose regulatory clocks may be
// running (their type or affected flags call for them), by id after
// afterID, so that a caller can walk them all a page at a time.
func (s *Store) OpenCasesWithClocks(ctx context.Context, afterID string, limit int) ([]shieldwall.Case, error) {
	rows, err := s.r().query(ctx, "SELECT "+caseColumns+` FROM cases c WHERE c.status <> 'closed'
		AND (c.type = 'personal-data-breach' OR c.affected <> '') AND c.id > ? ORDER BY c.id LIMIT ?`, afterID, limit)
	return collect(rows, err, "open cases with clocks", scanCase)
}

// DueTask is an open task that has fallen due, with its case.
type DueTask struct {
	CaseID       string
	CaseTitle    string
	Confidential bool
	Task         shieldwall.CaseTask
	HolderID     string
}

// TasksFallenDue lists open tasks of open cases due at or before now and
// not yet escalated.
func (s *Store) TasksFallenDue(ctx context.Context, now time.Time, limit int) ([]DueTask, error) {
	rows, err := s.r().query(ctx, `SELECT t.case_id, c.title, c.confidential, t.id, t.role, t.title, t.due_at, COALESCE(r.user_id, '')
		FROM case_tasks t JOIN cases c ON c.id = t.case_id
		LEFT JOIN case_roles r ON r.case_id = t.case_id AND r.role = t.role
		WHERE t.status = 'open' AND t.due_at <= ? AND c.status <> 'closed'
		AND NOT EXISTS (SELECT 1 FROM case_alerts a WHERE a.case_id = t.case_id AND a.subject = 'task:' || t.id)
		ORDER BY t.due_at LIMIT ?`, at(now), limit)
	return collect(rows, err, "tasks fallen due", func(sc rowScanner) (DueTask, error) {
		var d DueTask
		var due dbTime
		err := sc.Scan(&d.CaseID, &d.CaseTitle, &d.Confidential, &d.Task.ID, &d.Task.Role, &d.Task.Title, &due, &d.HolderID)
		d.Task.DueAt = due.Time
		return d, err
	})
}

// SecurityLeads lists the active members of the security team, who are
// told of every escalation.
func (tx *Tx) SecurityLeads(ctx context.Context) ([]string, error) {
	return activeUserIDs(ctx, tx, "", shieldwall.RoleSecurity)
}

// TimelineEntry returns one timeline entry.
func (s *Store) TimelineEntry(ctx context.Context, id string) (shieldwall.TimelineEntry, error) {
	e, err := scanTimelineEntry(s.r().queryRow(ctx, "SELECT "+timelineColumns+" FROM case_timeline WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return e, shieldwall.Errorf(shieldwall.ENOTFOUND, "Timeline entry not found.")
	} else if err != nil {
		return e, fmt.Errorf("store: timeline entry: %w", err)
	}
	return e, nil
}

// ForgetCaseNotifications deletes a person's in-app notifications about a
// case: once they are taken off a confidential case, nothing they can open
// should still name it.
func (tx *Tx) ForgetCaseNotifications(ctx context.Context, caseID, userID string) error {
	if _, err := tx.exec(ctx, `DELETE FROM notifications WHERE user_id = ? AND object_type = 'case' AND object_id = ?`, userID, caseID); err != nil {
		return fmt.Errorf("store: forget case notifications: %w", err)
	}
	return nil
}

// ClearCaseRoleHolder leaves the case's roles that a person held, as
// primary or backup, without them.
func (tx *Tx) ClearCaseRoleHolder(ctx context.Context, caseID, userID string) error {
	for _, col := range []string{"user_id", "backup_user_id"} {
		if _, err := tx.exec(ctx, `UPDATE case_roles SET `+col+` = NULL WHERE case_id = ? AND `+col+` = ?`, caseID, userID); err != nil {
			return fmt.Errorf("store: clear case role holder: %w", err)
		}
	}
	return nil
}
