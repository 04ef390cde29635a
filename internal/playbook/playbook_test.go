package playbook

import (
	"errors"
	"strings"
	"testing"
	"time"
)

const base = `id: test
name: Test
description: A test playbook.
roles:
  - id: incident-commander
    name: Incident commander
    department: Security
  - id: legal-counsel
    name: Legal counsel
    department: Legal
tasks:
  - id: first-look
    role: incident-commander
    title: Have a first look
    due: 1h
  - id: advise
    role: legal-counsel
    title: Advise
    due: 24h
rules:
  - engage: [incident-commander]
  - when: {severity_at_most: SEV2}
    engage: [legal-counsel]
`

func TestParse(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		pb, err := Parse("test.yaml", []byte(base))
		if err != nil {
			t.Fatalf("Parse() error = %v", err)
		}
		if pb.ID != "test" || pb.Source != "test.yaml" || len(pb.Roles) != 2 || len(pb.Rules) != 2 {
			t.Errorf("Parse() = %+v", pb)
		}
		if got := pb.Tasks[1].Due; got != 24*time.Hour {
			t.Errorf("tasks[1].Due = %v; want 24h", got)
		}
		if got := pb.Rules[1].When.SeverityAtMost; got != "SEV2" {
			t.Errorf("rules[1].when.severity_at_most = %q; want SEV2", got)
		}
	})

	// Each case edits the valid base playbook: old is replaced by new.
	tests := []struct {
		name     string
		old, new string
		want     string
		appended string // added at the end, after the rules
	}{
		{"ErrUnknownField", "name: Test\n", "name: Test\ncolour: red\n", "test.yaml: line 3: unknown field colour", ""},
		{"ErrUnknownNestedField", "    department: Security\n", "    department: Security\n    dept: IT\n", "test.yaml: line 8: unknown field dept", ""},
		{"ErrUnknownConditionField", "severity_at_most: SEV2", "severity_below: SEV2", "test.yaml: line 22: unknown field severity_below", ""},
		{"ErrWrongShape", "roles:\n", "roles: 5\nx:\n", "test.yaml: line 4: cannot unmarshal !!int `5` where a list is expected", ""},
		{"ErrSyntax", "name: Test\n", "name: [Test\n", "test.yaml: line", ""},
		{"ErrTwoDocuments", "rules:\n", "---\nrules:\n", "test.yaml: file holds more than one YAML document", ""},
		{"ErrIDRequired", "id: test\n", "", "test.yaml: id: is required", ""},
		{"ErrIDNotKebab", "id: test\n", "id: Test_Case\n", `test.yaml: id: "Test_Case" is not a lowercase identifier like legal-counsel`, ""},
		{"ErrIDDoubleHyphen", "id: test\n", "id: a--b\n", `test.yaml: id: "a--b" is not a lowercase identifier`, ""},
		{"ErrIDTooLong", "id: test\n", "id: " + strings.Repeat("a", 65) + "\n", "test.yaml: id: \"" + strings.Repeat("a", 65) + "\" is longer than 64 characters", ""},
		{"ErrNameRequired", "name: Test\n", "name: '  '\n", "test.yaml: name: is required", ""},
		{"ErrDescriptionRequired", "description: A test playbook.\n", "", "test.yaml: description: is required", ""},
		{"ErrNameTooLong", "name: Test\n", "name: " + strings.Repeat("n", 201) + "\n", "test.yaml: name: is longer than 200 characters", ""},
		{"ErrNoRules", "rules:\n  - engage: [incident-commander]\n  - when: {severity_at_most: SEV2}\n    engage: [legal-counsel]\n", "rules: []\n", "test.yaml: rules: at least one rule is required", ""},
		{"ErrRoleIDNotKebab", "  - id: legal-counsel\n", "  - id: LegalCounsel\n", `test.yaml: roles[1].id: "LegalCounsel" is not a lowercase identifier`, ""},
		{"ErrDuplicateRole", "  - id: legal-counsel\n", "  - id: incident-commander\n", `test.yaml: roles[1].id: "incident-commander" is already used by roles[0]`, ""},
		{"ErrRoleNameRequired", "    name: Legal counsel\n", "", "test.yaml: roles[1].name: is required", ""},
		{"ErrDepartmentRequired", "    department: Legal\n", "", "test.yaml: roles[1].department: is required", ""},
		{"ErrDuplicateTask", "  - id: advise\n", "  - id: first-look\n", `test.yaml: tasks[1].id: "first-look" is already used by tasks[0]`, ""},
		{"ErrTaskUnknownRole", "    role: legal-counsel\n", "    role: lawyer\n", `test.yaml: tasks[1].role: role "lawyer" is not declared in roles`, ""},
		{"ErrTaskRoleRequired", "    role: legal-counsel\n", "", "test.yaml: tasks[1].role: is required", ""},
		{"ErrTaskTitleRequired", "    title: Advise\n", "", "test.yaml: tasks[1].title: is required", ""},
		{"ErrDueRequired", "    due: 24h\n", "", "test.yaml: tasks[1].due: is required", ""},
		{"ErrDueNoUnit", "    due: 24h\n", "    due: 24\n", `test.yaml: tasks[1].due: "24" is not a duration such as 1h, 4h or 72h`, ""},
		{"ErrDueDays", "    due: 24h\n", "    due: 1d\n", `test.yaml: tasks[1].due: "1d" is not a duration`, ""},
		{"ErrDueZero", "    due: 24h\n", "    due: 0s\n", `test.yaml: tasks[1].due: "0s" must be after the case starts`, ""},
		{"ErrDueNegative", "    due: 24h\n", "    due: -1h\n", `test.yaml: tasks[1].due: "-1h" must be after the case starts`, ""},
		{"ErrAcknowledgeNotDuration", "name: Test\n", "name: Test\nacknowledge: soon\n", `test.yaml: acknowledge: "soon" is not a duration such as 10m or 1h`, ""},
		{"ErrAcknowledgeTooLong", "name: Test\n", "name: Test\nacknowledge: 48h\n", `test.yaml: acknowledge: "48h" must be between 1m and 24h`, ""},
		{"ErrDueTooLate", "    due: 24h\n", "    due: 9000h\n", `test.yaml: tasks[1].due: "9000h" is more than a year`, ""},
		{"ErrRuleUnknownRole", "engage: [legal-counsel]", "engage: [legal]", `test.yaml: rules[1].engage[0]: role "legal" is not declared in roles`, ""},
		{"ErrRuleUnknownTask", "engage: [legal-counsel]", "engage: [legal-counsel]\n    tasks: [advise, sue]", `test.yaml: rules[1].tasks[1]: task "sue" is not declared in tasks`, ""},
		{"ErrRuleDoesNothing", "    engage: [legal-counsel]\n", "", "test.yaml: rules[1]: engages no role and creates no task", ""},
		{"ErrRoleNeverEngaged", "    engage: [legal-counsel]\n", "    engage: [incident-commander]\n", `test.yaml: roles[1].id: role "legal-counsel" is never engaged`, ""},
		{"ErrTaskGatedTwice", "    due: 24h\n", "    due: 24h\n    when: {affected_any: [personal-data]}\n", `test.yaml: rules[2].tasks[0]: task "advise" has its own when; gate it by the rule or by its when, not both`, "  - when: {affected_any: [personal-data]}\n    tasks: [advise]\n"},
		{"ErrWhenEmpty", "{severity_at_most: SEV2}", "{}", "test.yaml: rules[1].when: is empty; leave when out to apply always", ""},
		{"ErrSeverityInvalid", "severity_at_most: SEV2", "severity_at_most: SEV5", `test.yaml: rules[1].when.severity_at_most: "SEV5" is not a severity (SEV1, SEV2, SEV3 or SEV4)`, ""},
		{"ErrSeverityLowercase", "severity_at_most: SEV2", "severity_at_least: sev2", `test.yaml: rules[1].when.severity_at_least: "sev2" is not a severity`, ""},
		{"ErrSeverityNeverHolds", "severity_at_most: SEV2", "severity_at_most: SEV2, severity_at_least: SEV3", "test.yaml: rules[1].when: severity_at_least SEV3 and severity_at_most SEV2 can never both hold", ""},
		{"ErrAffectedAnyUnknown", "severity_at_most: SEV2", "affected_any: [personal-data, payroll]", `test.yaml: rules[1].when.affected_any[1]: "payroll" is not an affected flag (personal-data, payment-systems,`, ""},
		{"ErrAffectedAllUnknown", "severity_at_most: SEV2", "affected_all: [Personal-Data]", `test.yaml: rules[1].when.affected_all[0]: "Personal-Data" is not an affected flag`, ""},
		{"ErrDescriptionNoWord", "severity_at_most: SEV2", "description_contains_any: [ransom, '!!']", `test.yaml: rules[1].when.description_contains_any[1]: "!!" holds no word`, ""},
		{"ErrTypeAnyNotKebab", "severity_at_most: SEV2", "type_any: [BEC]", `test.yaml: rules[1].when.type_any[0]: "BEC" is not a lowercase identifier`, ""},
		{"ErrTaskWhenInvalid", "    due: 24h\n", "    due: 24h\n    when: {severity_at_most: critical}\n", `test.yaml: tasks[1].when.severity_at_most: "critical" is not a severity`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(base, tt.old) {
				t.Fatalf("base does not contain %q", tt.old)
			}
			doc := strings.Replace(base, tt.old, tt.new, 1)
			doc += tt.appended
			pb, err := Parse("test.yaml", []byte(doc))
			if err == nil {
				t.Fatalf("Parse() = %+v, nil; want error containing %q", pb, tt.want)
			}
			if pb != nil {
				t.Errorf("Parse() returned a playbook with an error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse() error = %v\nwant it to contain %q", err, tt.want)
			}
			var ve *ValidationError
			if !errors.As(err, &ve) || ve.File != "test.yaml" {
				t.Errorf("Parse() error is not a *ValidationError naming the file: %#v", err)
			}
		})
	}

	whole := []struct {
		name string
		data string
		want string
	}{
		{"ErrEmpty", "", "test.yaml: file is empty"},
		{"ErrOnlyComment", "# nothing\n", "test.yaml: file is empty"},
		{"ErrNull", "~\n", "test.yaml: id: is required"},
		{"ErrNotMapping", "- a\n- b\n", "test.yaml: line 1: cannot unmarshal !!seq where a mapping (key: value) is expected"},
		{"ErrTooLarge", base + "# " + strings.Repeat("x", MaxSize), "test.yaml: file is larger than 262144 bytes"},
		{"ErrNoRoles", "id: x\nname: X\ndescription: X.\nrules: [{engage: [a]}]\n", "test.yaml: roles: at least one role is required"},
	}
	for _, tt := range whole {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("test.yaml", []byte(tt.data))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse() error = %v; want it to contain %q", err, tt.want)
			}
		})
	}

	t.Run("ErrEveryProblemReported", func(t *testing.T) {
		doc := strings.NewReplacer("id: test\n", "id: Bad\n", "due: 1h", "due: soon", "role: legal-counsel", "role: nobody").Replace(base)
		_, err := Parse("test.yaml", []byte(doc))
		for _, want := range []string{"id: \"Bad\"", "tasks[0].due", "tasks[1].role"} {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("Parse() error = %v; want it to contain %q", err, want)
			}
		}
	})
}
