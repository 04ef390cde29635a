// Package playbook reads incident playbooks from YAML and works out, for
// the facts of one case, which roles to engage and which tasks to create.
//
// A playbook's id is the case type it serves (phishing, bec, …). It names
// roles (who, and which department fills the role by default), tasks (what
// a role does, due a fixed time after the case starts) and rules (when a
// condition holds, engage these roles and create these tasks).
//
// Which tasks are created:
//   - A task named in a rule's tasks, or with its own when, is gated: it is
//     created only while that rule or condition holds, and it engages its
//     role.
//   - Every other task is created whenever its role is engaged.
//
// A rule without when always applies; that is how a playbook names the
// roles every case of its type needs.
//
// The package is pure: Parse and Evaluate take values and return values,
// and Evaluate is deterministic so that callers can re-evaluate on every
// change of a case and Diff the plans.
package playbook

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// MaxSize is the largest playbook file Parse accepts, in bytes.
const MaxSize = 256 << 10

// MaxDue is the latest a task may fall due after the case starts.
const MaxDue = 366 * 24 * time.Hour

// Playbook is a validated playbook. Values returned by Parse, Library and
// LoadDir are shared: callers must not modify them.
type Playbook struct {
	ID           string `yaml:"id"` // the case type it serves
	Name         string `yaml:"name"`
	Description  string `yaml:"description"`
	Confidential bool   `yaml:"confidential"` // cases of this type start need-to-know
	// AcknowledgeText is how long someone engaged in a critical case has to
	// acknowledge before the next person in the chain is told, such as
	// "10m"; empty means the product's default.
	AcknowledgeText string `yaml:"acknowledge"`
	Roles           []Role `yaml:"roles"`
	Tasks           []Task `yaml:"tasks"`
	Rules           []Rule `yaml:"rules"`

	// Acknowledge is AcknowledgeText parsed; zero when not given.
	Acknowledge time.Duration `yaml:"-"`

	// Source names where the playbook was read from, as given to Parse.
	Source string `yaml:"-"`
}

// Role is a duty in a case and the department that fills it by default.
type Role struct {
	ID          string `yaml:"id"` // lowercase, e.g. legal-counsel
	Name        string `yaml:"name"`
	Department  string `yaml:"department"`
	Description string `yaml:"description"`
}

// Task is one thing a role does, due a fixed time after the case starts.
type Task struct {
	ID          string     `yaml:"id"`
	Role        string     `yaml:"role"`
	Title       string     `yaml:"title"`
	DueText     string     `yaml:"due"` // as written in the file, e.g. "72h"
	Description string     `yaml:"description"`
	When        *Condition `yaml:"when"` // nil: not gated by its own condition

	// Due is DueText parsed: the time after the case start the task is due.
	Due time.Duration `yaml:"-"`
}

// Rule engages roles and creates tasks while its condition holds.
type Rule struct {
	When   *Condition `yaml:"when"` // nil: always
	Engage []string   `yaml:"engage"`
	Tasks  []string   `yaml:"tasks"`
}

// ValidationError is one problem in a playbook file.
type ValidationError struct {
	File    string // as given to Parse
	Field   string // path in the file, e.g. tasks[2].due; empty for the whole file
	Problem string
}

// Error implements the error interface.
func (e *ValidationError) Error() string {
	if e.Field == "" {
		return e.File + ": " + e.Problem
	}
	return e.File + ": " + e.Field + ": " + e.Problem
}

var idPattern = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)

const maxIDLen = 64

// Parse decodes and validates one playbook. name identifies the file in
// error messages. Every problem found is reported, joined, each a
// *ValidationError.
func Parse(name string, data []byte) (*Playbook, error) {
	if len(data) > MaxSize {
		return nil, &ValidationError{File: name, Problem: fmt.Sprintf("file is larger than %d bytes", MaxSize)}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var pb Playbook
	if err := dec.Decode(&pb); err == io.EOF {
		return nil, &ValidationError{File: name, Problem: "file is empty"}
	} else if err != nil {
		return nil, &ValidationError{File: name, Problem: yamlProblem(err)}
	}
	var next yaml.Node
	if err := dec.Decode(&next); err != io.EOF {
		return nil, &ValidationError{File: name, Problem: "file holds more than one YAML document"}
	}
	pb.Source = name
	v := validator{file: name}
	v.playbook(&pb)
	if len(v.errs) > 0 {
		return nil, errors.Join(v.errs...)
	}
	return &pb, nil
}

// yamlProblem rewords the decoder's message for people who write YAML,
// not Go: it names no Go types.
func yamlProblem(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.TrimPrefix(msg, "unmarshal errors:\n  ")
	msg = strings.ReplaceAll(msg, "\n  ", "; ")
	msg = yamlField.ReplaceAllString(msg, "unknown field $1")
	msg = yamlList.ReplaceAllString(msg, "where a list is expected")
	msg = yamlMap.ReplaceAllString(msg, "where a mapping (key: value) is expected")
	return msg
}

var (
	yamlField = regexp.MustCompile(`field (\S+) not found in type \S+`)
	yamlList  = regexp.MustCompile(`into \[\][*]?playbook\.\w+`)
	yamlMap   = regexp.MustCompile(`into [*]?playbook\.\w+`)
)

// validator collects every problem rather than stopping at the first, so
// that an author fixes a file in one pass.
type validator struct {
	file string
	errs []error
}

func (v *validator) addf(field, format string, args ...any) {
	v.errs = append(v.errs, &ValidationError{File: v.file, Field: field, Problem: fmt.Sprintf(format, args...)})
}

func (v *validator) id(field, id string) {
	switch {
	case id == "":
		v.addf(field, "is required")
	case len(id) > maxIDLen:
		v.addf(field, "%q is longer than %d characters", id, maxIDLen)
	case !idPattern.MatchString(id):
		v.addf(field, "%q is not a lowercase identifier like legal-counsel (a-z, 0-9, single hyphens)", id)
	}
}

func (v *validator) text(field, s string, max int) {
	switch {
	case strings.TrimSpace(s) == "":
		v.addf(field, "is required")
	case len(s) > max:
		v.addf(field, "is longer than %d characters", max)
	}
}

func (v *validator) playbook(pb *Playbook) {
	v.id("id", pb.ID)
	v.text("name", pb.Name, 200)
	v.text("description", pb.Description, 4000)
	if pb.AcknowledgeText != "" {
		d, err := time.ParseDuration(pb.AcknowledgeText)
		switch {
		case err != nil:
			v.addf("acknowledge", "%q is not a duration such as 10m or 1h", pb.AcknowledgeText)
		case d < time.Minute || d > 24*time.Hour:
			v.addf("acknowledge", "%q must be between 1m and 24h", pb.AcknowledgeText)
		default:
			pb.Acknowledge = d
		}
	}
	if len(pb.Roles) == 0 {
		v.addf("roles", "at least one role is required")
	}
	if len(pb.Rules) == 0 {
		v.addf("rules", "at least one rule is required, or no one is ever engaged")
	}

	roles := map[string]int{}
	for i, r := range pb.Roles {
		p := fmt.Sprintf("roles[%d]", i)
		v.id(p+".id", r.ID)
		if j, dup := roles[r.ID]; dup && r.ID != "" {
			v.addf(p+".id", "%q is already used by roles[%d]", r.ID, j)
		} else {
			roles[r.ID] = i
		}
		v.text(p+".name", r.Name, 200)
		v.text(p+".department", r.Department, 100)
		if len(r.Description) > 4000 {
			v.addf(p+".description", "is longer than 4000 characters")
		}
	}

	tasks := map[string]int{}
	for i := range pb.Tasks {
		t := &pb.Tasks[i]
		p := fmt.Sprintf("tasks[%d]", i)
		v.id(p+".id", t.ID)
		if j, dup := tasks[t.ID]; dup && t.ID != "" {
			v.addf(p+".id", "%q is already used by tasks[%d]", t.ID, j)
		} else {
			tasks[t.ID] = i
		}
		if t.Role == "" {
			v.addf(p+".role", "is required")
		} else if _, ok := roles[t.Role]; !ok {
			v.addf(p+".role", "role %q is not declared in roles", t.Role)
		}
		v.text(p+".title", t.Title, 200)
		if len(t.Description) > 4000 {
			v.addf(p+".description", "is longer than 4000 characters")
		}
		t.Due = v.due(p+".due", t.DueText)
		if t.When != nil {
			v.condition(p+".when", t.When)
		}
	}

	// reached holds the roles some rule or gated task can engage; a role
	// outside it, and its ungated tasks, could never take part.
	reached := map[string]bool{}
	ruleTask := map[string]string{}
	for i, r := range pb.Rules {
		p := fmt.Sprintf("rules[%d]", i)
		if r.When != nil {
			v.condition(p+".when", r.When)
		}
		if len(r.Engage) == 0 && len(r.Tasks) == 0 {
			v.addf(p, "engages no role and creates no task")
		}
		for j, id := range r.Engage {
			if _, ok := roles[id]; !ok {
				v.addf(fmt.Sprintf("%s.engage[%d]", p, j), "role %q is not declared in roles", id)
			}
			reached[id] = true
		}
		for j, id := range r.Tasks {
			f := fmt.Sprintf("%s.tasks[%d]", p, j)
			k, ok := tasks[id]
			if !ok {
				v.addf(f, "task %q is not declared in tasks", id)
				continue
			}
			if pb.Tasks[k].When != nil {
				v.addf(f, "task %q has its own when; gate it by the rule or by its when, not both", id)
			}
			ruleTask[id] = f
			reached[pb.Tasks[k].Role] = true
		}
	}
	for _, t := range pb.Tasks {
		if t.When != nil {
			reached[t.Role] = true
		}
	}
	for i, r := range pb.Roles {
		if r.ID != "" && !reached[r.ID] {
			v.addf(fmt.Sprintf("roles[%d].id", i), "role %q is never engaged: no rule engages it and none of its tasks is gated", r.ID)
		}
	}
}

func (v *validator) due(field, s string) time.Duration {
	if s == "" {
		v.addf(field, "is required (a time after the case starts, such as 1h, 4h or 72h)")
		return 0
	}
	d, err := time.ParseDuration(s)
	switch {
	case err != nil:
		v.addf(field, "%q is not a duration such as 1h, 4h or 72h", s)
	case d <= 0:
		v.addf(field, "%q must be after the case starts", s)
	case d > MaxDue:
		v.addf(field, "%q is more than a year (%s) after the case starts", s, MaxDue)
	}
	return d
}

func (v *validator) condition(field string, c *Condition) {
	if c.empty() {
		v.addf(field, "is empty; leave when out to apply always")
		return
	}
	for i, t := range c.TypeAny {
		v.id(fmt.Sprintf("%s.type_any[%d]", field, i), t)
	}
	most, least := 0, 0
	if c.SeverityAtMost != "" {
		if most = severityLevel(c.SeverityAtMost); most == 0 {
			v.addf(field+".severity_at_most", "%q is not a severity (SEV1, SEV2, SEV3 or SEV4)", c.SeverityAtMost)
		}
	}
	if c.SeverityAtLeast != "" {
		if least = severityLevel(c.SeverityAtLeast); least == 0 {
			v.addf(field+".severity_at_least", "%q is not a severity (SEV1, SEV2, SEV3 or SEV4)", c.SeverityAtLeast)
		}
	}
	if most != 0 && least != 0 && least > most {
		v.addf(field, "severity_at_least %s and severity_at_most %s can never both hold", c.SeverityAtLeast, c.SeverityAtMost)
	}
	for i, a := range c.AffectedAny {
		if !affectedFlags[a] {
			v.addf(fmt.Sprintf("%s.affected_any[%d]", field, i), "%q is not an affected flag (%s)", a, affectedList)
		}
	}
	for i, a := range c.AffectedAll {
		if !affectedFlags[a] {
			v.addf(fmt.Sprintf("%s.affected_all[%d]", field, i), "%q is not an affected flag (%s)", a, affectedList)
		}
	}
	for i, w := range c.DescriptionContainsAny {
		if len(words(w)) == 0 {
			v.addf(fmt.Sprintf("%s.description_contains_any[%d]", field, i), "%q holds no word", w)
		}
	}
}
