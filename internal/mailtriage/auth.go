package mailtriage

import (
	"strings"
)

// AuthResults are the SPF, DKIM and DMARC verdicts a receiving mail server
// wrote into Authentication-Results (RFC 8601). Each result is lower-case as
// written: pass, fail, softfail, neutral, none, temperror, permerror, policy;
// "" means no result was found.
type AuthResults struct {
	SPF        string `json:"spf,omitempty"`
	DKIM       string `json:"dkim,omitempty"`
	DMARC      string `json:"dmarc,omitempty"`
	ServID     string `json:"authserv_id,omitempty"` // the server whose header was believed
	HeaderFrom string `json:"header_from,omitempty"` // the From domain DMARC judged
	MailFrom   string `json:"mail_from,omitempty"`   // the envelope sender SPF judged
}

// parseAuthResults reads the believable Authentication-Results headers of
// a message. A sender can write such headers too, so only those added by a
// trusted server count, or, with no trusted list, only the topmost one (the
// last server to receive the message adds its header on top).
func parseAuthResults(headers []Header, trusted []string) AuthResults {
	var ar AuthResults
	found := false
	for _, h := range headers {
		if !equalFoldASCII(h.Name, "Authentication-Results") {
			continue
		}
		segs := splitAuthSegments(stripComments(h.Value))
		if len(segs) == 0 {
			continue
		}
		servID := strings.ToLower(firstWord(segs[0]))
		results := segs[1:]
		if strings.Contains(servID, "=") {
			// Microsoft 365 writes no authserv-id: the first segment is
			// already a result.
			servID, results = "", segs
		}
		if len(trusted) > 0 && !containsFold(trusted, servID) {
			continue
		}
		if len(trusted) == 0 && found {
			break
		}
		found = true
		if ar.ServID == "" {
			ar.ServID = servID
		}
		for _, seg := range results {
			applyAuthResult(&ar, seg)
		}
	}
	if ar.SPF == "" && len(trusted) == 0 {
		// Received-SPF (RFC 7208) from the same topmost server when it
		// wrote no spf= result.
		for _, h := range headers {
			if equalFoldASCII(h.Name, "Received-Spf") {
				if r := strings.ToLower(firstWord(h.Value)); isAuthResult(r) {
					ar.SPF = r
				}
				break
			}
		}
	}
	return ar
}

func applyAuthResult(ar *AuthResults, seg string) {
	fields := strings.Fields(seg)
	if len(fields) == 0 {
		return
	}
	method, result, ok := strings.Cut(fields[0], "=")
	if !ok {
		return
	}
	method, _, _ = strings.Cut(strings.ToLower(method), "/")
	result = strings.ToLower(strings.Trim(result, `"`))
	if !isAuthResult(result) {
		return
	}
	prop := func(name string) string {
		for _, f := range fields[1:] {
			k, v, ok := strings.Cut(f, "=")
			if ok && strings.EqualFold(k, name) {
				v = strings.Trim(v, `"`)
				if i := strings.LastIndexByte(v, '@'); i >= 0 {
					v = v[i+1:]
				}
				return strings.ToLower(v)
			}
		}
		return ""
	}
	switch method {
	case "spf":
		if ar.SPF == "" {
			ar.SPF = result
			ar.MailFrom = prop("smtp.mailfrom")
		}
	case "dkim":
		// One good signature is enough: lists and forwarders often add a
		// second one that fails.
		if ar.DKIM == "" || result == "pass" {
			ar.DKIM = result
		}
	case "dmarc":
		if ar.DMARC == "" {
			ar.DMARC = result
			ar.HeaderFrom = prop("header.from")
		}
	}
}

func isAuthResult(r string) bool {
	switch r {
	case "pass", "fail", "softfail", "neutral", "none", "temperror", "permerror", "policy", "hardfail", "bestguesspass":
		return true
	}
	return false
}

// stripComments removes RFC 5322 comments "( ... )", which may nest and
// which Authentication-Results uses freely.
func stripComments(s string) string {
	if !strings.ContainsRune(s, '(') {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	depth := 0
	quoted := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			if depth == 0 {
				b.WriteByte(c)
				b.WriteByte(s[i+1])
			}
			i++
			continue
		case c == '"' && depth == 0:
			quoted = !quoted
		case c == '(' && !quoted:
			depth++
			continue
		case c == ')' && !quoted && depth > 0:
			depth--
			if depth == 0 {
				b.WriteByte(' ')
			}
			continue
		}
		if depth == 0 {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// splitAuthSegments splits at semicolons outside quoted strings.
func splitAuthSegments(s string) []string {
	var out []string
	quoted := false
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			quoted = !quoted
		case ';':
			if !quoted {
				out = append(out, strings.TrimSpace(s[start:i]))
				start = i + 1
			}
		}
	}
	out = append(out, strings.TrimSpace(s[start:]))
	return out
}

func firstWord(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, " \t;("); i >= 0 {
		return s[:i]
	}
	return s
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(strings.TrimSpace(x), s) {
			return true
		}
	}
	return false
}
