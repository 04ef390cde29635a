// Package intake receives reports — from the portal, the API, the phishing
// mailbox and anonymous reporters — triages reported emails, groups them
// into campaigns and carries the conversation with the reporter.
package intake

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/mailtriage"
	"github.com/shieldwall/shieldwall/internal/policy"
	"github.com/shieldwall/shieldwall/internal/store"
)

// Limits on what a report may carry.
const (
	MaxTitle          = 200
	MaxDescription    = 20000
	MaxDetails        = 768 << 10 // room for a pasted email
	MaxMessage        = 10000
	MaxAttachment     = 10 << 20
	MaxAttachments    = 5
	MaxEmail          = 25 << 20
	campaignThreshold = 0.6 // estimated Jaccard similarity that makes two mails one campaign
)

// Config holds the organisation-specific triage settings.
type Config struct {
	Triage mailtriage.Options
	// NoBatch commits every report on its own instead of in group commits;
	// only the intake benchmark uses it, to show what batching buys.
	NoBatch bool
	// NoStore stores nothing: a report is checked and answered as if
	// filed, but no transaction runs, so it is lost. Only the intake
	// benchmark sets it, to show what the rest of the path costs beside
	// the bare ceiling; serve never does.
	NoStore bool
}

// Service is the intake service.
type Service struct {
	store  *store.Store
	batch  *store.Batcher
	cfg    Config
	anonRL *anonLimiter

	// deptNames caches department names for answers, so that filing a report
	// costs no extra read; a rename shows up within deptNameTTL.
	deptMu    sync.Mutex
	deptNames map[string]deptName
	teamIDs   []string // the security team, told when a campaign grows
	teamAt    time.Time

	// names caches the people's names for triage (see triageOptions).
	namesMu sync.Mutex
	names   []string
	namesAt time.Time
}

type deptName struct {
	name      string
	champions []string // active champions: told of new reports in their department
	fetched   time.Time
}

const deptNameTTL = time.Minute

// departmentName returns the name of department id, from the cache when fresh.
func (s *Service) departmentName(ctx context.Context, id string) string {
	if id == "" {
		return ""
	}
	s.deptMu.Lock()
	d, ok := s.deptNames[id]
	s.deptMu.Unlock()
	if ok && time.Since(d.fetched) < deptNameTTL {
		return d.name
	}
	d, err := s.refreshDepartment(ctx, id)
	if err != nil {
		return d.name
	}
	return d.name
}

// departmentChampions returns the active champions of department id, from the cache when fresh.
func (s *Service) departmentChampions(ctx context.Context, id string) []string {
	s.deptMu.Lock()
	d, ok := s.deptNames[id]
	s.deptMu.Unlock()
	if ok && time.Since(d.fetched) < deptNameTTL {
		return d.champions
	}
	d, _ = s.refreshDepartment(ctx, id)
	return d.champions
}

func (s *Service) refreshDepartment(ctx context.Context, id string) (deptName, error) {
	dep, err := s.store.FindDepartment(ctx, id)
	if err != nil {
		return deptName{}, err
	}
	champions, err := s.store.ActiveUserIDs(ctx, id, shieldwall.RoleChampion)
	if err != nil {
		return deptName{name: dep.Name}, err
	}
	d := deptName{name: dep.Name, champions: champions, fetched: time.Now()}
	s.deptMu.Lock()
	s.deptNames[id] = d
	s.deptMu.Unlock()
	return d, nil
}

// New returns the intake service. Close it to flush pending reports.
func New(st *store.Store, cfg Config) *Service {
	return &Service{store: st, batch: st.NewBatcher(256), cfg: cfg, anonRL: newAnonLimiter(), deptNames: map[string]deptName{}}
}

// write runs fn in a durable transaction: a shared group commit normally,
// its own transaction when batching is off.
func (s *Service) write(ctx context.Context, fn func(ctx context.Context, tx *store.Tx) error) error {
	if s.cfg.NoBatch {
		return s.store.InTx(ctx, func(tx *store.Tx) error { return fn(ctx, tx) })
	}
	return s.batch.Do(ctx, fn)
}

// BatchStats says how group commit has gone; the intake benchmark prints it.
func (s *Service) BatchStats() store.BatchStats { return s.batch.Stats() }

// Close commits what is queued.
func (s *Service) Close() { s.batch.Close() }

// Upload is a file sent with a report.
type Upload struct {
	Filename    string
	ContentType string
	Data        []byte
}

func cleanText(field, label, v string, min, max int) (string, error) {
	v = strings.TrimSpace(v)
	if !utf8.ValidString(v) {
		return "", shieldwall.FieldErrorf(shieldwall.EINVALID, field, "%s is not valid text.", label)
	}
	n := utf8.RuneCountInString(v)
	if n < min {
		return "", shieldwall.FieldErrorf(shieldwall.EINVALID, field, "%s is required.", label)
	}
	if n > max {
		return "", shieldwall.FieldErrorf(shieldwall.EINVALID, field, "%s must be at most %d characters.", label, max)
	}
	for _, r := range v {
		if unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' {
			return "", shieldwall.FieldErrorf(shieldwall.EINVALID, field, "%s contains a control character.", label)
		}
	}
	return v, nil
}

// validate normalises a report's input.
func validate(in *shieldwall.ReportInput) error {
	if !in.Kind.Valid() {
		return shieldwall.FieldErrorf(shieldwall.EINVALID, "kind", "Choose what kind of thing you are reporting (%q is not one).", in.Kind)
	}
	var err error
	if in.Title, err = cleanText("title", "A short title", in.Title, 1, MaxTitle); err != nil {
		return err
	}
	if in.Description, err = cleanText("description", "The description", in.Description, 0, MaxDescription); err != nil {
		return err
	}
	if len(in.Details) > 0 {
		if len(in.Details) > MaxDetails {
			return shieldwall.FieldErrorf(shieldwall.EINVALID, "details", "The details must be at most %d bytes.", MaxDetails)
		}
		details, err := normaliseDetails(in.Kind, in.Details)
		if err != nil {
			return err
		}
		in.Details = details
	}
	return nil
}

func validateUploads(ups []Upload) error {
	if len(ups) > MaxAttachments {
		return shieldwall.FieldErrorf(shieldwall.EINVALID, "attachments", "Attach at most %d files.", MaxAttachments)
	}
	for _, u := range ups {
		if len(u.Data) > MaxAttachment {
			return shieldwall.FieldErrorf(shieldwall.ETOOLARGE, "attachments", "%q is larger than %d MB.", u.Filename, MaxAttachment>>20)
		}
	}
	return nil
}

// Submit files a report by a signed-in actor (or anonymously when they ask).
func (s *Service) Submit(ctx context.Context, actor shieldwall.Actor, in shieldwall.ReportInput, source shieldwall.ReportSource, uploads []Upload) (shieldwall.Report, error) {
	if err := policy.Authorize(actor, policy.ReportCreate, nil); err != nil {
		return shieldwall.Report{}, err
	}
	if err := validate(&in); err != nil {
		return shieldwall.Report{}, err
	}
	if err := validateUploads(uploads); err != nil {
		return shieldwall.Report{}, err
	}
	r := shieldwall.Report{Kind: in.Kind, Title: in.Title, Description: in.Description, Details: in.Details, Source: source}
	if in.Anonymous {
		// A reporter who asks for anonymity is not kept anywhere: not on the
		// report, not in the audit chain, not as the author of anything.
		actor = shieldwall.Actor{}
		r.Anonymous = true
	} else {
		r.ReporterID, r.DepartmentID, r.ReporterName = actor.UserID, actor.DepartmentID, actor.Name
	}
	var triage *emailTriage
	if in.Kind == shieldwall.KindPhishing {
		if raw := phishingSource(in, uploads); raw != nil {
			triage = s.triageEmail(ctx, raw)
		}
	}
	var err error
	if s.cfg.NoStore {
		stamp(&r, s.store.Now().UTC().Truncate(time.Microsecond))
	} else {
		err = s.write(ctx, func(ctx context.Context, tx *store.Tx) error {
			return s.insert(ctx, tx, actor, &r, uploads, triage)
		})
	}
	if err != nil || r.Anonymous {
		return r, err
	}
	r.DepartmentName = s.departmentName(ctx, r.DepartmentID)
	return r, nil
}

// phishingSource returns the suspicious email to triage: an uploaded .eml,
// or the pasted text when it looks like a message with headers.
func phishingSource(in shieldwall.ReportInput, uploads []Upload) []byte {
	for _, u := range uploads {
		name := strings.ToLower(u.Filename)
		if strings.HasSuffix(name, ".eml") || u.ContentType == "message/rfc822" {
			return u.Data
		}
	}
	var d struct {
		Pasted string `json:"pasted_email"`
	}
	_ = json.Unmarshal(in.Details, &d)
	if d.Pasted != "" {
		return []byte(d.Pasted)
	}
	return nil
}

// insert writes a new report, its files, its indicators, its campaign and
// its audit event; called inside a batch transaction.
func (s *Service) insert(ctx context.Context, tx *store.Tx, actor shieldwall.Actor, r *shieldwall.Report, uploads []Upload, t *emailTriage) error {
	// Everything derived is set afresh: a batch that rolls back runs this again.
	stamp(r, tx.Now)
	if t != nil {
		if err := s.applyTriage(ctx, tx, r, t); err != nil {
			return err
		}
	}
	if err := tx.CreateReport(ctx, r); err != nil {
		return err
	}
	for _, u := range uploads {
		a := shieldwall.Attachment{ID: store.NewID(), Filename: cleanFilename(u.Filename), ContentType: cleanContentType(u.ContentType),
			Size: int64(len(u.Data)), SHA256: sha256Hex(u.Data), CreatedAt: tx.Now}
		if err := tx.AddAttachment(ctx, r.ID, a, u.Data, false); err != nil {
			return err
		}
		r.Attachments = append(r.Attachments, a)
	}
	if t != nil && t.original != nil {
		// The original message is evidence: kept whole, compressed.
		a := shieldwall.Attachment{ID: store.NewID(), Filename: "original.eml", ContentType: "message/rfc822",
			Size: int64(t.originalSize), SHA256: t.originalSHA, CreatedAt: tx.Now}
		if err := tx.AddAttachment(ctx, r.ID, a, t.original, true); err != nil {
			return err
		}
		r.Attachments = append(r.Attachments, a)
	}
	summary := fmt.Sprintf("%s report via %s", r.Kind, r.Source)
	if r.Anonymous {
		summary = fmt.Sprintf("anonymous %s report", r.Kind)
	}
	if err := tx.AppendAudit(ctx, actor, "report.create", "report", r.ID, summary); err != nil {
		return err
	}
	return s.tellOfReport(ctx, tx, r)
}

// stamp sets what a new report derives rather than receives.
func stamp(r *shieldwall.Report, now time.Time) {
	r.ID = store.NewID()
	r.Status = shieldwall.StatusNew
	r.CreatedAt, r.UpdatedAt = now, now
	r.Signals, r.Indicators, r.Attachments = []shieldwall.Signal{}, nil, nil
	r.CampaignID, r.Simulation, r.Resolution = "", false, ""
}

// reportNewsWindow is how long like news folds into one unread notification.
const reportNewsWindow = 24 * time.Hour

// tellOfReport lets the department's champions know a colleague reported
// something, and the security team that a phishing campaign grew. Like
// news folds into one unread notification per person ("12 more"), so a
// wave is one message, not fifty. An anonymous report tells no one here:
// it has no department, and its arrival must not be tied to a time.
func (s *Service) tellOfReport(ctx context.Context, tx *store.Tx, r *shieldwall.Report) error {
	if r.Anonymous || r.Simulation {
		return nil
	}
	if r.DepartmentID != "" {
		for _, uid := range s.departmentChampions(ctx, r.DepartmentID) {
			if uid == r.ReporterID {
				continue
			}
			n := shieldwall.Notification{UserID: uid, Kind: shieldwall.NotifyReportNew, Urgency: shieldwall.UrgencyNormal,
				Title: "New report in " + s.departmentName(ctx, r.DepartmentID), Body: "A colleague reported something. Open the triage queue to look at it.",
				Link: "/triage", ObjectType: "department", ObjectID: r.DepartmentID, CollapseWithin: reportNewsWindow}
			if err := tx.AddNotification(ctx, &n); err != nil {
				return err
			}
		}
	}
	if r.CampaignID != "" {
		team, err := s.securityTeam(ctx)
		if err != nil {
			return err
		}
		for _, uid := range team {
			n := shieldwall.Notification{UserID: uid, Kind: shieldwall.NotifyCampaignGrew, Urgency: shieldwall.UrgencyNormal,
				Title: "People are reporting the same email", Body: "Decide the campaign once to answer everyone who reported it.",
				Link: "/campaigns/" + r.CampaignID, ObjectType: "campaign", ObjectID: r.CampaignID, CollapseWithin: reportNewsWindow}
			if err := tx.AddNotification(ctx, &n); err != nil {
				return err
			}
		}
	}
	return nil
}

// securityTeam returns the active security team's ids, cached like department names.
func (s *Service) securityTeam(ctx context.Context) ([]string, error) {
	s.deptMu.Lock()
	ids, at := s.teamIDs, s.teamAt
	s.deptMu.Unlock()
	if ids != nil && time.Since(at) < deptNameTTL {
		return ids, nil
	}
	ids, err := s.store.ActiveUserIDs(ctx, "", shieldwall.RoleSecurity)
	if err != nil {
		return nil, err
	}
	s.deptMu.Lock()
	s.teamIDs, s.teamAt = ids, time.Now()
	s.deptMu.Unlock()
	return ids, nil
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	_, _ = zw.Write(b)
	_ = zw.Close()
	return buf.Bytes()
}

// cleanFilename keeps a file's base name, without paths or control characters.
func cleanFilename(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, name)
	if name == "" {
		name = "attachment"
	}
	if utf8.RuneCountInString(name) > 200 {
		name = string([]rune(name)[:200])
	}
	return name
}

func cleanContentType(ct string) string {
	ct = strings.ToLower(strings.TrimSpace(ct))
	if ct == "" || len(ct) > 100 || strings.ContainsAny(ct, "\r\n") {
		return "application/octet-stream"
	}
	return ct
}
