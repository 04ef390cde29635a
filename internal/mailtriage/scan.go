package mailtriage

import (
	"net/netip"
	"strings"
)

// The scanners below walk text once with byte tests instead of regular
// expressions: triage must keep up with thousands of mails a second.

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func isLocalChar(c byte) bool {
	return isAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-' || c == '\'' || c >= 0x80
}

func isDomainChar(c byte) bool {
	return isAlnum(c) || c == '.' || c == '-' || c >= 0x80
}

// nextEmail finds the first plausible email address in s and returns it
// with its start and end offsets; "" when there is none.
func nextEmail(s string) (string, int, int) {
	from := 0
	for {
		i := strings.IndexByte(s[from:], '@')
		if i < 0 {
			return "", 0, 0
		}
		at := from + i
		from = at + 1
		start := at
		for start > 0 && isLocalChar(s[start-1]) && at-start < 64 {
			start--
		}
		for start < at && (s[start] == '.' || s[start] == '\'') {
			start++
		}
		end := at + 1
		for end < len(s) && isDomainChar(s[end]) && end-at < 256 {
			end++
		}
		for end > at+1 && (s[end-1] == '.' || s[end-1] == '-') {
			end--
		}
		if start == at || end <= at+1 {
			continue
		}
		if !plausibleHost(s[at+1 : end]) {
			continue
		}
		return s[start:end], start, end
	}
}

// plausibleHost reports whether h has a dot and a final label of letters
// (or punycode), which rules out "user@localhost" and "a@1.2".
func plausibleHost(h string) bool {
	dot := strings.LastIndexByte(h, '.')
	if dot <= 0 || dot == len(h)-1 {
		return false
	}
	tld := h[dot+1:]
	if len(tld) < 2 {
		return false
	}
	if strings.HasPrefix(tld, "xn--") {
		return true
	}
	for i := 0; i < len(tld); i++ {
		c := tld[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80) {
			return false
		}
	}
	return true
}

// asciiLower lower-cases ASCII letters only, so byte offsets stay valid.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

func isURLStop(c byte) bool {
	return c <= ' ' || c == '"' || c == '<' || c == '>' || c == '`' || c == '{' || c == '}' || c == '|' || c == '\\' || c == '^' || c == '\'' || c == 0x7f
}

// findURLs calls fn for each http(s) URL in s, and for "www." names, which
// people write without a scheme. It searches for "://" and "www." rather
// than looking at every byte.
func findURLs(s string, fn func(string)) {
	// a, b and c are the next candidates of each kind, kept between rounds
	// so that the text is searched once per kind, not once per URL.
	a, b, c := -2, -2, -2
	for pos := 0; pos < len(s); {
		if a != -1 && a < pos {
			a = nextSchemeURL(s, pos)
		}
		if b != -1 && b < pos {
			b = nextWWW(s, pos, "www.")
		}
		if c != -1 && c < pos {
			c = nextWWW(s, pos, "WWW.")
		}
		w := b
		if w < 0 || (c >= 0 && c < w) {
			w = c
		}
		start, prefix := a, ""
		if a < 0 || (w >= 0 && w < a) {
			start, prefix = w, "http://"
		}
		if start < 0 {
			return
		}
		end := start
		for end < len(s) && !isURLStop(s[end]) {
			end++
		}
		u := trimURLTail(s[start:end])
		pos = start + max(len(u), 1)
		if prefix == "" {
			if k := strings.Index(u, "://"); k < 0 || len(u)-k-3 < 3 {
				continue
			}
		} else if len(u) < 7 {
			continue
		}
		fn(prefix + u)
	}
}

// nextSchemeURL returns the offset of the next "http://" or "https://"
// (any case) at or after pos, or -1.
func nextSchemeURL(s string, pos int) int {
	for pos < len(s) {
		i := strings.Index(s[pos:], "://")
		if i < 0 {
			return -1
		}
		i += pos
		switch {
		case i >= 5 && strings.EqualFold(s[i-5:i], "https"):
			return i - 5
		case i >= 4 && strings.EqualFold(s[i-4:i], "http"):
			return i - 4
		}
		pos = i + 3
	}
	return -1
}

// nextWWW returns the offset of the next w ("www." or "WWW.") that starts
// a word at or after pos, or -1.
func nextWWW(s string, pos int, w string) int {
	for pos < len(s) {
		i := strings.Index(s[pos:], w)
		if i < 0 {
			return -1
		}
		i += pos
		if i == 0 || !isAlnum(s[i-1]) && s[i-1] != '.' && s[i-1] != '/' && s[i-1] != '@' && s[i-1] != '-' {
			return i
		}
		pos = i + 1
	}
	return -1
}

// trimURLTail removes sentence punctuation after a URL, keeping a closing
// parenthesis that matches one inside it (Wikipedia-style links). The
// parentheses are counted once: a hostile run of ")" must not cost a
// count per character.
func trimURLTail(u string) string {
	open := strings.Count(u, "(")
	closing := strings.Count(u, ")")
	for len(u) > 0 {
		switch u[len(u)-1] {
		case '.', ',', ';', ':', '!', '?', ']', '*', '\'', '"':
			u = u[:len(u)-1]
			continue
		case ')':
			if open < closing {
				u = u[:len(u)-1]
				closing--
				continue
			}
		}
		break
	}
	return u
}

// findIPs calls fn for each IPv4 or IPv6 address in s. It jumps from dot
// to dot and colon to colon instead of looking at every byte.
func findIPs(s string, fn func(netip.Addr)) {
	// IPv4: every address holds a dot; look around each one.
	for pos := 0; pos < len(s); {
		d := strings.IndexByte(s[pos:], '.')
		if d < 0 {
			break
		}
		d += pos
		start := d
		for start > 0 && d-start < 4 && s[start-1] >= '0' && s[start-1] <= '9' {
			start--
		}
		if start == d || (start > 0 && (isAlnum(s[start-1]) || s[start-1] == '.')) {
			pos = d + 1
			continue
		}
		end := start
		for end < len(s) && end-start < 16 && (s[end] >= '0' && s[end] <= '9' || s[end] == '.') {
			end++
		}
		cand := strings.TrimRight(s[start:end], ".")
		if strings.Count(cand, ".") == 3 && (end >= len(s) || !isAlnum(s[end]) && s[end] != ':') {
			if a, err := netip.ParseAddr(cand); err == nil && a.Is4() {
				fn(a)
			}
		}
		pos = max(end, d+1)
	}
	// IPv6: every address holds at least two colons.
	for pos := 0; pos < len(s); {
		c := strings.IndexByte(s[pos:], ':')
		if c < 0 {
			break
		}
		i := pos + c
		start := i
		for start > 0 && isHexColon(s[start-1]) {
			start--
		}
		end := i
		for end < len(s) && (isHexColon(s[end]) || s[end] == '.') {
			end++
		}
		cand := strings.TrimRight(s[start:end], ".")
		// An IPv6 address has "::" or at least six colons; times such as
		// 10:30:45 have neither, and are not worth a parse attempt.
		colons := strings.Count(cand, ":")
		if (colons >= 6 || colons >= 2 && strings.Contains(cand, "::")) && (start == 0 || !isAlnum(s[start-1])) {
			// A mapped IPv4 address (::ffff:1.2.3.4) was reported as IPv4.
			if a, err := netip.ParseAddr(cand); err == nil && a.Is6() && !a.Is4In6() && !a.IsUnspecified() && hasDigit(cand) {
				fn(a)
			}
		}
		pos = max(end, i+1)
	}
}

func isHexColon(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c == ':'
}

func hasDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			return true
		}
	}
	return false
}
