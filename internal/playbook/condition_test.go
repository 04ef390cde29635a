package playbook

import "testing"

func TestConditionMatches(t *testing.T) {
	tests := []struct {
		name string
		cond *Condition
		f    CaseFacts
		want bool
	}{
		{"NilAlways", nil, CaseFacts{}, true},
		{"TypeAnyYes", &Condition{TypeAny: []string{"bec", "phishing"}}, CaseFacts{Type: "phishing"}, true},
		{"TypeAnyNo", &Condition{TypeAny: []string{"bec"}}, CaseFacts{Type: "phishing"}, false},

		{"AtMostSEV2GivenSEV1", &Condition{SeverityAtMost: "SEV2"}, CaseFacts{Severity: "SEV1"}, true},
		{"AtMostSEV2GivenSEV2", &Condition{SeverityAtMost: "SEV2"}, CaseFacts{Severity: "SEV2"}, true},
		{"AtMostSEV2GivenSEV3", &Condition{SeverityAtMost: "SEV2"}, CaseFacts{Severity: "SEV3"}, false},
		{"AtLeastSEV3GivenSEV4", &Condition{SeverityAtLeast: "SEV3"}, CaseFacts{Severity: "SEV4"}, true},
		{"AtLeastSEV3GivenSEV3", &Condition{SeverityAtLeast: "SEV3"}, CaseFacts{Severity: "SEV3"}, true},
		{"AtLeastSEV3GivenSEV2", &Condition{SeverityAtLeast: "SEV3"}, CaseFacts{Severity: "SEV2"}, false},
		{"ExactlySEV2", &Condition{SeverityAtLeast: "SEV2", SeverityAtMost: "SEV2"}, CaseFacts{Severity: "SEV2"}, true},
		{"ExactlySEV2GivenSEV1", &Condition{SeverityAtLeast: "SEV2", SeverityAtMost: "SEV2"}, CaseFacts{Severity: "SEV1"}, false},
		{"SeverityUnset", &Condition{SeverityAtMost: "SEV4"}, CaseFacts{}, false},
		{"SeverityLowercaseNotKnown", &Condition{SeverityAtMost: "SEV4"}, CaseFacts{Severity: "sev1"}, false},

		{"AffectedAnyOne", &Condition{AffectedAny: []string{"personal-data", "payment-systems"}}, CaseFacts{Affected: []string{"payment-systems"}}, true},
		{"AffectedAnyNone", &Condition{AffectedAny: []string{"personal-data"}}, CaseFacts{Affected: []string{"payment-systems"}}, false},
		{"AffectedAnyEmptyCase", &Condition{AffectedAny: []string{"personal-data"}}, CaseFacts{}, false},
		{"AffectedAllEvery", &Condition{AffectedAll: []string{"personal-data", "customer-facing"}}, CaseFacts{Affected: []string{"customer-facing", "payment-systems", "personal-data"}}, true},
		{"AffectedAllMissingOne", &Condition{AffectedAll: []string{"personal-data", "customer-facing"}}, CaseFacts{Affected: []string{"personal-data"}}, false},

		{"WordAnyCase", &Condition{DescriptionContainsAny: []string{"ransom"}}, CaseFacts{Description: "A RANSOM note on every screen"}, true},
		{"WordAtPunctuation", &Condition{DescriptionContainsAny: []string{"ransom"}}, CaseFacts{Description: "they want a ransom."}, true},
		{"WordNotInsideLongerWord", &Condition{DescriptionContainsAny: []string{"ransom"}}, CaseFacts{Description: "looks like ransomware"}, false},
		{"WordNotInsideCompound", &Condition{DescriptionContainsAny: []string{"hr"}}, CaseFacts{Description: "three hrs of downtime"}, false},
		{"WordAnyOfSeveral", &Condition{DescriptionContainsAny: []string{"ransom", "encrypted"}}, CaseFacts{Description: "Files are Encrypted"}, true},
		{"PhraseAcrossSpaces", &Condition{DescriptionContainsAny: []string{"bank details"}}, CaseFacts{Description: "new Bank\n  details, urgent"}, true},
		{"PhraseOutOfOrder", &Condition{DescriptionContainsAny: []string{"bank details"}}, CaseFacts{Description: "details of the bank"}, false},
		{"HyphenIsBoundary", &Condition{DescriptionContainsAny: []string{"break-in"}}, CaseFacts{Description: "a break in at the office"}, true},
		{"NonASCII", &Condition{DescriptionContainsAny: []string{"lösegeld"}}, CaseFacts{Description: "Lösegeldforderung und LÖSEGELD"}, true},
		{"EmptyDescription", &Condition{DescriptionContainsAny: []string{"ransom"}}, CaseFacts{}, false},

		{"AllOfHolds", &Condition{SeverityAtMost: "SEV2", AffectedAny: []string{"personal-data"}, DescriptionContainsAny: []string{"ransom", "encrypt"}},
			CaseFacts{Severity: "SEV1", Affected: []string{"personal-data"}, Description: "ransom demand"}, true},
		{"AllOfOneFails", &Condition{SeverityAtMost: "SEV2", AffectedAny: []string{"personal-data"}, DescriptionContainsAny: []string{"ransom"}},
			CaseFacts{Severity: "SEV3", Affected: []string{"personal-data"}, Description: "ransom demand"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.cond.Matches(tt.f); got != tt.want {
				t.Errorf("%+v.Matches(%+v) = %v; want %v", tt.cond, tt.f, got, tt.want)
			}
		})
	}
}

func TestIsAffectedFlag(t *testing.T) {
	for _, f := range []string{AffectedPersonalData, AffectedPaymentSystems, AffectedCustomerFacing, AffectedListedCompanyMaterial, AffectedEUEssentialEntity, AffectedEUImportantEntity, AffectedFinancialEntity} {
		if !IsAffectedFlag(f) {
			t.Errorf("IsAffectedFlag(%q) = false; want true", f)
		}
	}
	if IsAffectedFlag("payroll") {
		t.Error("IsAffectedFlag(payroll) = true; want false")
	}
}
