package govern

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/frameworks"
	"github.com/shieldwall/shieldwall/internal/policy"
	"github.com/shieldwall/shieldwall/internal/store"
)

// Limits of what people upload.
const (
	MaxEvidenceFile = 512 << 10 // a screenshot, an export, a signed PDF; big files belong in a link
	MaxOSCALImport  = 8 << 20
	ExpiringWithin  = 30 // days: evidence that expires sooner is listed for its owner
)

// FrameworkInfo describes a framework for lists.
type FrameworkInfo struct {
	ID           string `json:"id"`
	Title        string `json:"title"`
	Version      string `json:"version"`
	Source       string `json:"source"` // shipped or imported
	Requirements int    `json:"requirements"`
	Assessable   int    `json:"assessable"`
}

// RequirementView is a requirement as the API shows it.
type RequirementView struct {
	ID        string `json:"id"`
	Label     string `json:"label"`
	Title     string `json:"title"`
	Statement string `json:"statement"`
	Class     string `json:"class"`
	Parent    string `json:"parent"`
	Depth     int    `json:"depth"`
	Withdrawn bool   `json:"withdrawn"`
}

// frameworks returns the shipped frameworks and the imported ones.
func (s *Service) allFrameworks(ctx context.Context) ([]*frameworks.Framework, map[string]string, error) {
	out := frameworks.All()
	source := map[string]string{}
	for _, f := range out {
		source[f.ID] = "shipped"
	}
	imported, err := s.store.ImportedFrameworks(ctx)
	if err != nil {
		return nil, nil, err
	}
	for _, im := range imported {
		f := &frameworks.Framework{ID: im.ID, Title: im.Title, Version: im.Version}
		if err := json.Unmarshal([]byte(im.Requirements), &f.Requirements); err != nil {
			return nil, nil, fmt.Errorf("govern: framework %s: %w", im.ID, err)
		}
		out = append(out, f)
		source[f.ID] = "imported"
	}
	return out, source, nil
}

// Framework returns one framework by id.
func (s *Service) Framework(ctx context.Context, id string) (*frameworks.Framework, error) {
	all, _, err := s.allFrameworks(ctx)
	if err != nil {
		return nil, err
	}
	for _, f := range all {
		if f.ID == id {
			return f, nil
		}
	}
	return nil, shieldwall.Errorf(shieldwall.ENOTFOUND, "There is no framework %q.", id)
}

// ListFrameworks lists the frameworks controls may map to.
func (s *Service) ListFrameworks(ctx context.Context, actor shieldwall.Actor) ([]FrameworkInfo, error) {
	if err := policy.Authorize(actor, policy.ControlList, nil); err != nil {
		return nil, err
	}
	all, source, err := s.allFrameworks(ctx)
	if err != nil {
		return nil, err
	}
	out := []FrameworkInfo{}
	for _, f := range all {
		out = append(out, FrameworkInfo{ID: f.ID, Title: f.Title, Version: f.Version, Source: source[f.ID], Requirements: len(f.Requirements), Assessable: len(Assessable(f))})
	}
	return out, nil
}

// Requirements lists a framework's requirements in document order.
func (s *Service) Requirements(ctx context.Context, actor shieldwall.Actor, id string) ([]RequirementView, error) {
	if err := policy.Authorize(actor, policy.ControlList, nil); err != nil {
		return nil, err
	}
	f, err := s.Framework(ctx, id)
	if err != nil {
		return nil, err
	}
	out := make([]RequirementView, len(f.Requirements))
	for i, r := range f.Requirements {
		out[i] = RequirementView{ID: r.ID, Label: r.Label, Title: r.Title, Statement: r.Statement, Class: r.Class, Parent: r.Parent, Depth: r.Depth, Withdrawn: r.Withdrawn}
	}
	return out, nil
}

var frameworkIDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{0,62}$`)

// ImportFramework reads an OSCAL catalog (JSON) and stores it as a
// framework controls can map to. id is optional: the catalog's title makes one.
func (s *Service) ImportFramework(ctx context.Context, actor shieldwall.Actor, id string, r io.Reader) (FrameworkInfo, error) {
	if err := policy.Authorize(actor, policy.FrameworkImport, nil); err != nil {
		return FrameworkInfo{}, err
	}
	cat, err := frameworks.ParseOSCAL(r, MaxOSCALImport)
	if err != nil {
		return FrameworkInfo{}, err
	}
	if id == "" {
		id = strings.Trim(regexp.MustCompile(`[^a-z0-9.]+`).ReplaceAllString(strings.ToLower(cat.Title+" "+cat.Version), "-"), "-.")
		if len(id) > 63 {
			id = strings.Trim(id[:63], "-.")
		}
	}
	if !frameworkIDPattern.MatchString(id) {
		return FrameworkInfo{}, shieldwall.FieldErrorf(shieldwall.EINVALID, "id", "The framework id %q must be 1–63 lower-case letters, digits, dots or dashes.", id)
	}
	for _, f := range frameworks.All() {
		if f.ID == id {
			return FrameworkInfo{}, shieldwall.FieldErrorf(shieldwall.ECONFLICT, "id", "%q is a framework Shieldwall ships; choose another id.", id)
		}
	}
	fw := cat.Framework(id)
	reqs, err := json.Marshal(fw.Requirements)
	if err != nil {
		return FrameworkInfo{}, fmt.Errorf("govern: encode requirements: %w", err)
	}
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.SaveFramework(ctx, &store.ImportedFramework{ID: id, Title: fw.Title, Version: fw.Version, Requirements: string(reqs), CreatedBy: actor.Label()}); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actor, "framework.import", "framework", id, fmt.Sprintf("%s %s: %d requirements", fw.Title, fw.Version, len(fw.Requirements)))
	})
	if err != nil {
		return FrameworkInfo{}, err
	}
	return FrameworkInfo{ID: id, Title: fw.Title, Version: fw.Version, Source: "imported", Requirements: len(fw.Requirements), Assessable: len(Assessable(fw))}, nil
}

// applyControl copies the set fields of in onto c and validates them.
func (s *Service) applyControl(ctx context.Context, tx *store.Tx, c *shieldwall.Control, in shieldwall.ControlInput) error {
	var err error
	if in.Title != nil {
		if c.Title, err = text("title", *in.Title, 200, true); err != nil {
			return err
		}
	}
	if in.Description != nil {
		if c.Description, err = text("description", *in.Description, 10000, false); err != nil {
			return err
		}
	}
	if in.Justification != nil {
		if c.Justification, err = text("justification", *in.Justification, 2000, false); err != nil {
			return err
		}
	}
	if in.OwnerDepartment != nil {
		d, err := tx.FindDepartment(ctx, *in.OwnerDepartment)
		if err != nil {
			return shieldwall.FieldErrorf(shieldwall.EINVALID, "owner_department", "There is no department %q.", *in.OwnerDepartment)
		}
		c.OwnerDepartmentID, c.OwnerDepartmentName = d.ID, d.Name
	}
	if in.Status != nil {
		c.Status = *in.Status
	}
	if err := oneOf("status", c.Status, shieldwall.ControlStatuses); err != nil {
		return err
	}
	if in.Mappings != nil {
		all, _, err := s.allFrameworks(ctx)
		if err != nil {
			return err
		}
		byID := map[string]*frameworks.Framework{}
		for _, f := range all {
			byID[f.ID] = f
		}
		seen := map[shieldwall.ControlMapping]bool{}
		c.Mappings = []shieldwall.ControlMapping{}
		for i, m := range *in.Mappings {
			f := byID[m.FrameworkID]
			if f == nil {
				return shieldwall.FieldErrorf(shieldwall.EINVALID, fmt.Sprintf("mappings[%d].framework_id", i), "There is no framework %q.", m.FrameworkID)
			}
			req, ok := f.Find(strings.TrimSpace(m.RequirementID))
			if !ok {
				return shieldwall.FieldErrorf(shieldwall.EINVALID, fmt.Sprintf("mappings[%d].requirement_id", i), "%s has no requirement %q.", f.Title, m.RequirementID)
			}
			m.RequirementID = req.ID
			if !seen[m] {
				seen[m] = true
				c.Mappings = append(c.Mappings, m)
			}
		}
	}
	return nil
}

// CreateControl adds one of the organisation's controls (security team).
func (s *Service) CreateControl(ctx context.Context, actor shieldwall.Actor, in shieldwall.ControlInput) (shieldwall.Control, error) {
	if err := policy.Authorize(actor, policy.ControlCreate, nil); err != nil {
		return shieldwall.Control{}, err
	}
	c := shieldwall.Control{Status: shieldwall.ControlNotStarted, CreatedBy: actor.Label(), Mappings: []shieldwall.ControlMapping{}}
	if in.Title == nil {
		return c, shieldwall.FieldErrorf(shieldwall.EINVALID, "title", "Please fill in title.")
	}
	if in.OwnerDepartment == nil {
		return c, shieldwall.FieldErrorf(shieldwall.EINVALID, "owner_department", "Please name the owner department.")
	}
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		if err := s.applyControl(ctx, tx, &c, in); err != nil {
			return err
		}
		if err := tx.CreateControl(ctx, &c); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actor, "control.create", "control", c.ID, fmt.Sprintf("%s (%s, %s)", c.Title, c.OwnerDepartmentName, c.Status))
	})
	if err != nil {
		return shieldwall.Control{}, err
	}
	return s.store.FindControl(ctx, c.ID)
}

// UpdateControl changes a control: the security team, or the owner department's champion.
func (s *Service) UpdateControl(ctx context.Context, actor shieldwall.Actor, id string, in shieldwall.ControlInput) (shieldwall.Control, error) {
	if err := policy.Authorize(actor, policy.ControlUpdate, nil); err != nil {
		return shieldwall.Control{}, err
	}
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		c, err := tx.FindControl(ctx, id)
		if err != nil {
			return err
		}
		if !policy.Can(actor, policy.ControlUpdate, c) {
			return shieldwall.Errorf(shieldwall.EFORBIDDEN, "Only %s's champion or the security team change this control.", c.OwnerDepartmentName)
		}
		if err := s.applyControl(ctx, tx, &c, in); err != nil {
			return err
		}
		if !policy.Can(actor, policy.ControlUpdate, c) {
			return shieldwall.FieldErrorf(shieldwall.EFORBIDDEN, "owner_department", "A champion cannot hand a control to another department; ask the security team.")
		}
		if err := tx.UpdateControl(ctx, &c); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actor, "control.update", "control", c.ID, fmt.Sprintf("%s (%s)", c.Title, c.Status))
	})
	if err != nil {
		return shieldwall.Control{}, err
	}
	return s.store.FindControl(ctx, id)
}

// GetControl returns one control with its evidence.
func (s *Service) GetControl(ctx context.Context, actor shieldwall.Actor, id string) (shieldwall.Control, []shieldwall.Evidence, error) {
	if err := policy.Authorize(actor, policy.ControlList, nil); err != nil {
		return shieldwall.Control{}, nil, err
	}
	c, err := s.store.FindControl(ctx, id)
	if err != nil {
		return c, nil, err
	}
	ev, err := s.store.ListEvidence(ctx, id)
	return c, ev, err
}

// ListControls lists controls.
func (s *Service) ListControls(ctx context.Context, actor shieldwall.Actor, f shieldwall.ControlFilter) ([]shieldwall.Control, int, error) {
	if err := policy.Authorize(actor, policy.ControlList, nil); err != nil {
		return nil, 0, err
	}
	if f.Status != "" {
		if err := oneOf("status", f.Status, shieldwall.ControlStatuses); err != nil {
			return nil, 0, err
		}
	}
	return s.store.ListControls(ctx, f)
}

// AddEvidence attaches a link or a small file to a control, valid until a date.
func (s *Service) AddEvidence(ctx context.Context, actor shieldwall.Actor, controlID string, in shieldwall.EvidenceInput) (shieldwall.Evidence, error) {
	if err := policy.Authorize(actor, policy.ControlUpdate, nil); err != nil {
		return shieldwall.Evidence{}, err
	}
	var err error
	e := shieldwall.Evidence{ControlID: controlID, AddedBy: actor.UserID, AddedByName: actor.Name}
	if e.AddedByName == "" {
		e.AddedByName = actor.Label()
	}
	if e.Title, err = text("title", in.Title, 200, true); err != nil {
		return e, err
	}
	if e.ValidUntil, err = date("valid_until", in.ValidUntil); err != nil {
		return e, err
	}
	in.URL = strings.TrimSpace(in.URL)
	switch {
	case in.URL != "" && len(in.Data) > 0:
		return e, shieldwall.FieldErrorf(shieldwall.EINVALID, "url", "Give a link or a file, not both.")
	case in.URL != "":
		u, perr := url.Parse(in.URL)
		if perr != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(in.URL) > 2000 {
			return e, shieldwall.FieldErrorf(shieldwall.EINVALID, "url", "The link must be a web address starting with https://.")
		}
		e.URL = in.URL
	case len(in.Data) > 0:
		if len(in.Data) > MaxEvidenceFile {
			return e, shieldwall.FieldErrorf(shieldwall.ETOOLARGE, "data", "The file is %d KiB; evidence files may be at most %d KiB. Store larger files elsewhere and add a link.", len(in.Data)>>10, MaxEvidenceFile>>10)
		}
		if e.Filename, err = text("filename", in.Filename, 200, true); err != nil {
			return e, err
		}
		e.Filename = strings.NewReplacer("/", "_", "\\", "_", "\"", "_").Replace(e.Filename)
		e.ContentType = strings.TrimSpace(in.ContentType)
		if e.ContentType == "" {
			e.ContentType = "application/octet-stream"
		}
		e.Size = int64(len(in.Data))
	default:
		return e, shieldwall.FieldErrorf(shieldwall.EINVALID, "url", "Give a link or a file.")
	}
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		c, err := tx.FindControl(ctx, controlID)
		if err != nil {
			return err
		}
		if !policy.Can(actor, policy.ControlUpdate, c) {
			return shieldwall.Errorf(shieldwall.EFORBIDDEN, "Only %s's champion or the security team add evidence to this control.", c.OwnerDepartmentName)
		}
		var data []byte
		if e.URL == "" {
			data = in.Data
		}
		if err := tx.AddEvidence(ctx, &e, data); err != nil {
			return err
		}
		e.ControlTitle, e.OwnerDepartmentID = c.Title, c.OwnerDepartmentID
		return tx.AppendAudit(ctx, actor, "evidence.add", "control", c.ID, fmt.Sprintf("%s: %s (valid until %s)", c.Title, e.Title, or(e.ValidUntil, "no end")))
	})
	return e, err
}

func or(a, b string) string {
	if a == "" {
		return b
	}
	return a
}

// EvidenceFile returns the bytes of a file evidence.
func (s *Service) EvidenceFile(ctx context.Context, actor shieldwall.Actor, controlID, id string) (shieldwall.Evidence, []byte, error) {
	if err := policy.Authorize(actor, policy.ControlList, nil); err != nil {
		return shieldwall.Evidence{}, nil, err
	}
	e, data, err := s.store.EvidenceFile(ctx, controlID, id)
	if err == nil && e.URL != "" {
		return e, nil, shieldwall.Errorf(shieldwall.ENOTFOUND, "This evidence is a link, not a file: %s", e.URL)
	}
	return e, data, err
}

// Today is the date compliance and expiry are judged on, in UTC.
func (s *Service) Today() string { return s.now().UTC().Format(time.DateOnly) }

// ExpiringEvidence lists evidence that expired or expires within
// ExpiringWithin days: for the actor's own department, or for all when
// the actor is on the security team and asks for all.
func (s *Service) ExpiringEvidence(ctx context.Context, actor shieldwall.Actor, all bool) ([]shieldwall.Evidence, error) {
	if err := policy.Authorize(actor, policy.ControlList, nil); err != nil {
		return nil, err
	}
	dept := actor.DepartmentID
	if all && policy.SeesWholeRegister(actor) {
		dept = ""
	}
	before := s.now().UTC().AddDate(0, 0, ExpiringWithin+1).Format(time.DateOnly)
	return s.store.ExpiringEvidence(ctx, before, dept, 200)
}

// Compliance computes every framework's compliance, overall and per department.
func (s *Service) Compliance(ctx context.Context, actor shieldwall.Actor) ([]FrameworkCompliance, error) {
	if err := policy.Authorize(actor, policy.ControlList, nil); err != nil {
		return nil, err
	}
	all, _, err := s.allFrameworks(ctx)
	if err != nil {
		return nil, err
	}
	controls, mappings, err := s.store.ComplianceFacts(ctx, s.Today())
	if err != nil {
		return nil, err
	}
	out := make([]FrameworkCompliance, 0, len(all))
	for _, f := range all {
		out = append(out, Compliance(f, controls, mappings))
	}
	return out, nil
}

// SoAColumns is the header of the Statement of Applicability CSV.
var SoAColumns = []string{"requirement_id", "label", "title", "applicable", "status", "controls", "owner_departments", "justification"}

// StatementOfApplicability writes a framework's SoA as CSV: one line per
// assessable requirement, whether it applies, its status and the controls
// (and departments) that meet it.
func (s *Service) StatementOfApplicability(ctx context.Context, actor shieldwall.Actor, id string) ([]byte, error) {
	if err := policy.Authorize(actor, policy.ControlList, nil); err != nil {
		return nil, err
	}
	f, err := s.Framework(ctx, id)
	if err != nil {
		return nil, err
	}
	controls, mappings, err := s.store.ComplianceFacts(ctx, s.Today())
	if err != nil {
		return nil, err
	}
	fc := Compliance(f, controls, mappings)
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write(SoAColumns)
	for _, rs := range fc.Requirements {
		var titles, depts, why []string
		seen := map[string]bool{}
		for _, c := range rs.Controls {
			titles = append(titles, c.Title)
			if !seen[c.DepartmentName] {
				seen[c.DepartmentName] = true
				depts = append(depts, c.DepartmentName)
			}
			if c.Justification != "" {
				why = append(why, c.Justification)
			}
		}
		applicable := "yes"
		if rs.Status == ReqNotApplicable {
			applicable = "no"
		}
		_ = w.Write([]string{rs.Requirement.ID, rs.Requirement.Label, csvSafe(rs.Requirement.Title), applicable, rs.Status,
			csvSafe(strings.Join(titles, "; ")), csvSafe(strings.Join(depts, "; ")), csvSafe(strings.Join(why, "; "))})
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// csvSafe keeps a spreadsheet from running a cell as a formula (CSV
// injection): text starting with = + - @ or a tab gets a leading quote.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// NotifyEvidenceExpiring is the notification kind of an evidence reminder.
const NotifyEvidenceExpiring = "evidence.expiring"

// RemindExpiringEvidence tells the owner department of every evidence item
// that expired or expires within ExpiringWithin days, once per item: its
// champions, or the security team when the department has none. It
// returns how many items were reminded. It is safe to run again at any
// time (a timer, an operator, the job runner): nobody is told twice.
func (s *Service) RemindExpiringEvidence(ctx context.Context, actor shieldwall.Actor) (int, error) {
	if err := policy.Authorize(actor, policy.ControlCreate, nil); err != nil {
		return 0, err
	}
	before := s.now().UTC().AddDate(0, 0, ExpiringWithin+1).Format(time.DateOnly)
	today := s.Today()
	n := 0
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		items, err := tx.EvidenceToRemind(ctx, before, 500)
		if err != nil {
			return err
		}
		owners := map[string][]shieldwall.User{}
		for _, e := range items {
			people, ok := owners[e.OwnerDepartmentID]
			if !ok {
				people, _, err = s.store.ListUsers(ctx, shieldwall.UserFilter{DepartmentID: e.OwnerDepartmentID, Role: shieldwall.RoleChampion, Page: shieldwall.Page{Limit: 50}})
				if err == nil && len(people) == 0 {
					people, _, err = s.store.ListUsers(ctx, shieldwall.UserFilter{Role: shieldwall.RoleSecurity, Page: shieldwall.Page{Limit: 50}})
				}
				if err != nil {
					return err
				}
				owners[e.OwnerDepartmentID] = people
			}
			verb := "expires on"
			if e.ValidUntil < today {
				verb = "expired on"
			}
			for _, u := range people {
				if !u.Active {
					continue
				}
				if err := tx.AddNotification(ctx, &shieldwall.Notification{UserID: u.ID, Kind: NotifyEvidenceExpiring,
					Title: "Evidence " + verb + " " + e.ValidUntil + ": " + e.ControlTitle,
					Body:  "“" + e.Title + "” shows that this control works. Add fresh evidence so it keeps counting.",
					Link:  "/controls/" + e.ControlID, ObjectType: "control", ObjectID: e.ControlID}); err != nil {
					return err
				}
			}
			if err := tx.MarkEvidenceReminded(ctx, e.ID); err != nil {
				return err
			}
			n++
		}
		if n == 0 {
			return nil
		}
		return tx.AppendAudit(ctx, actor, "evidence.remind", "evidence", "", fmt.Sprintf("%d evidence items expiring before %s", n, before))
	})
	return n, err
}

// FrameworkStatus returns one framework's compliance with the status of
// each assessable requirement and the controls that meet it.
func (s *Service) FrameworkStatus(ctx context.Context, actor shieldwall.Actor, id string) (FrameworkCompliance, error) {
	if err := policy.Authorize(actor, policy.ControlList, nil); err != nil {
		return FrameworkCompliance{}, err
	}
	f, err := s.Framework(ctx, id)
	if err != nil {
		return FrameworkCompliance{}, err
	}
	controls, mappings, err := s.store.ComplianceFacts(ctx, s.Today())
	if err != nil {
		return FrameworkCompliance{}, err
	}
	return Compliance(f, controls, mappings), nil
}
