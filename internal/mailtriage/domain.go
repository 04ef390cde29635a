package mailtriage

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
	"golang.org/x/text/unicode/norm"
)

// Domain is a host name seen in a message.
type Domain struct {
	// Name is the lower-case ASCII form, with internationalised labels in
	// punycode (xn--).
	Name string `json:"name"`
	// Unicode is how a mail client displays Name, when that differs: the
	// form a homograph attack relies on.
	Unicode string `json:"unicode,omitempty"`
	// Registrable is the part a person can register (example.co.uk for
	// a.b.example.co.uk), by the public suffix list.
	Registrable string `json:"registrable"`
}

// normHost returns the lower-case ASCII and display forms of a host name,
// and false when it is not a usable DNS name.
func normHost(h string) (ascii, display string, ok bool) {
	h = strings.TrimSuffix(strings.TrimSpace(h), ".")
	if h == "" || len(h) > 253 {
		return "", "", false
	}
	if isASCIIString(h) {
		ascii = asciiLower(h)
	} else {
		a, err := idna.Punycode.ToASCII(strings.ToLower(h))
		if err != nil {
			return "", "", false
		}
		ascii = a
	}
	for i := 0; i < len(ascii); i++ {
		c := ascii[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_') {
			return "", "", false
		}
	}
	if strings.Contains(ascii, "..") || ascii[0] == '.' {
		return "", "", false
	}
	if strings.Contains(ascii, "xn--") {
		if u, err := idna.Punycode.ToUnicode(ascii); err == nil && u != ascii {
			display = u
		}
	}
	return ascii, display, true
}

func isASCIIString(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// registrable returns the registrable domain of an ASCII host, or the host
// itself when the public suffix list cannot tell.
func registrable(ascii string) string {
	if r, err := publicsuffix.EffectiveTLDPlusOne(ascii); err == nil {
		return r
	}
	return ascii
}

// splitRegistrable splits a host into subdomain labels, the registrable
// label and the public suffix: "login.paypal.co.uk" → "login", "paypal", "co.uk".
func splitRegistrable(ascii string) (sub, label, suffix string) {
	reg := registrable(ascii)
	sub = strings.TrimSuffix(strings.TrimSuffix(ascii, reg), ".")
	label, suffix, _ = strings.Cut(reg, ".")
	return sub, label, suffix
}

// isOwnDomain reports whether d is one of own or a subdomain of one.
func isOwnDomain(d string, own []string) bool {
	if d == "" {
		return false
	}
	for _, o := range own {
		o = strings.Trim(strings.ToLower(strings.TrimSpace(o)), ".")
		if o == "" {
			continue
		}
		if d == o || strings.HasSuffix(d, "."+o) {
			return true
		}
	}
	return false
}

// confusables maps characters to the Latin letter they are mistaken for:
// Cyrillic, Greek and Armenian look-alikes, and the digits and letters that
// pass for one another in most fonts. Lower-case only; input is lowered
// first.
var confusables = map[rune]rune{
	'а': 'a', 'в': 'b', 'е': 'e', 'ё': 'e', 'о': 'o', 'р': 'p', 'с': 'c', 'у': 'y', 'х': 'x', 'і': 'l', 'ї': 'l',
	'ј': 'j', 'ѕ': 's', 'һ': 'h', 'ԁ': 'd', 'ӏ': 'l', 'ԛ': 'q', 'ԝ': 'w', 'к': 'k', 'м': 'm', 'н': 'h', 'т': 't', 'ь': 'b',
	'ο': 'o', 'α': 'a', 'ν': 'v', 'ι': 'l', 'κ': 'k', 'ρ': 'p', 'τ': 't', 'υ': 'u', 'χ': 'x', 'ε': 'e', 'β': 'b', 'η': 'n', 'ω': 'w',
	'օ': 'o', 'ս': 'u', 'ո': 'n', 'հ': 'h', 'ց': 'g', 'ք': 'p',
	'ı': 'l', 'ł': 'l', 'ɑ': 'a', 'ɡ': 'g', 'ø': 'o', 'đ': 'd', 'ħ': 'h', 'ŀ': 'l', 'ƅ': 'b',
	'0': 'o', '1': 'l', 'i': 'l', '|': 'l', '3': 'e', '5': 's', '$': 's', '@': 'a',
}

// replacePairs maps the letter pairs read as one letter at a glance: rn
// and nn as m, vv as w, cl as d.
func replacePairs(s string) string {
	if !strings.Contains(s, "rn") && !strings.Contains(s, "vv") && !strings.Contains(s, "cl") && !strings.Contains(s, "nn") {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if i+1 < len(s) {
			switch s[i : i+2] {
			case "rn", "nn":
				b = append(b, 'm')
				i++
				continue
			case "vv":
				b = append(b, 'w')
				i++
				continue
			case "cl":
				b = append(b, 'd')
				i++
				continue
			}
		}
		b = append(b, s[i])
	}
	return string(b)
}

// skeleton maps a label to the Latin string it is likely to be read as:
// decomposed (é → e, fullwidth → ASCII), marks dropped, look-alikes mapped,
// hyphens dropped. Two labels with one skeleton look the same to a reader.
func skeleton(label string) string {
	if isASCIIString(label) {
		b := make([]byte, 0, len(label))
		for i := 0; i < len(label); i++ {
			c := label[i]
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c == '-' || c == '_' {
				continue
			}
			if r, ok := confusables[rune(c)]; ok {
				c = byte(r)
			}
			b = append(b, c)
		}
		return replacePairs(string(b))
	}
	var b strings.Builder
	for _, r := range norm.NFKD.String(strings.ToLower(label)) {
		if unicode.Is(unicode.Mn, r) || r == '-' || r == '_' {
			continue
		}
		if m, ok := confusables[r]; ok {
			r = m
		}
		b.WriteRune(r)
	}
	return replacePairs(b.String())
}

// editDistance is the optimal string alignment distance (insertions,
// deletions, substitutions and swaps of neighbours), which is how typos
// and typosquats differ from a name.
func editDistance(a, b string) int {
	if isASCIIString(a) && isASCIIString(b) {
		return osa([]byte(a), []byte(b))
	}
	return osa([]rune(a), []rune(b))
}

// osa computes the optimal string alignment distance over bytes or runes.
func osa[T byte | rune](ra, rb []T) int {
	if len(ra) > 64 || len(rb) > 64 {
		return 99
	}
	var rows [3][65]int
	prev2, prev, cur := &rows[0], &rows[1], &rows[2]
	for j := 0; j <= len(rb); j++ {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

// maxEdits is how far a label may be from an own label and still count as
// imitating it: two edits for names of six or more characters, one for four
// or five, none for shorter ones, which collide with real names too often.
func maxEdits(n int) int {
	switch {
	case n >= 6:
		return 2
	case n >= 4:
		return 1
	}
	return 0
}

// ownDomain is an own domain prepared for look-alike checks.
type ownDomain struct {
	name, label, suffix, skel string
}

// prepareOwn normalises the own domains once per scoring.
func prepareOwn(own []string) []ownDomain {
	out := make([]ownDomain, 0, len(own))
	for _, o := range own {
		name, _, ok := normHost(strings.ToLower(o))
		if !ok {
			continue
		}
		_, label, suffix := splitRegistrable(name)
		// Too short to judge: three letters collide with real names.
		if utf8.RuneCountInString(label) < 3 {
			continue
		}
		out = append(out, ownDomain{name: name, label: label, suffix: suffix, skel: skeleton(label)})
	}
	return out
}

// lookalike reports whether the ASCII host d imitates one of own, and how,
// as the end of a plain sentence ("… imitates your domain x: it …").
func lookalike(d string, own []ownDomain) (ownName, how string, ok bool) {
	return lookalikeReg(d, registrable(d), own)
}

// lookalikeReg is lookalike for a host whose registrable domain is known.
func lookalikeReg(d, reg string, own []ownDomain) (ownName, how string, ok bool) {
	if d == "" {
		return "", "", false
	}
	for _, o := range own {
		if d == o.name || strings.HasSuffix(d, "."+o.name) {
			return "", "", false
		}
	}
	sub := strings.TrimSuffix(strings.TrimSuffix(d, reg), ".")
	label, suffix, _ := strings.Cut(reg, ".")
	dispLabel := label
	if strings.HasPrefix(label, "xn--") {
		if u, err := idna.Punycode.ToUnicode(label); err == nil {
			dispLabel = u
		}
	}
	skel := skeleton(dispLabel)
	for _, o := range own {
		switch {
		case dispLabel != label && skel == o.skel:
			return o.name, fmt.Sprintf("it is an internationalised name (%s) that displays as %s", label, dispLabel+"."+suffix), true
		case label == o.label && suffix != o.suffix:
			return o.name, fmt.Sprintf("it uses your name %q under a different ending (.%s instead of .%s)", o.label, suffix, o.suffix), true
		case skel == o.skel:
			return o.name, "it swaps characters that look alike (such as 1 for l, 0 for o or rn for m)", true
		}
		if len(o.label) >= 5 && strings.Contains(skel, o.skel) {
			return o.name, fmt.Sprintf("it hides your name %q inside the unrelated name %q", o.label, dispLabel), true
		}
		// The length difference bounds the distance from below, and most
		// unrelated names fail that test without the full computation.
		if limit := maxEdits(utf8.RuneCountInString(o.label)); abs(utf8.RuneCountInString(skel)-utf8.RuneCountInString(o.skel)) <= limit {
			if n := editDistance(skel, o.skel); n > 0 && n <= limit {
				return o.name, fmt.Sprintf("its name %q differs from %q by only %d character%s", dispLabel, o.label, n, plural(n)), true
			}
		}
		if sub != "" {
			if strings.HasPrefix(d, o.name+".") || strings.Contains(d, "."+o.name+".") {
				return o.name, fmt.Sprintf("it puts your domain in front of the unrelated domain %s", label+"."+suffix), true
			}
			for l := range strings.SplitSeq(sub, ".") {
				if l == o.label || skeleton(l) == o.skel {
					return o.name, fmt.Sprintf("it uses your name as a subdomain of the unrelated domain %s", label+"."+suffix), true
				}
			}
		}
	}
	return "", "", false
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// publicSuffix returns the public suffix of an ASCII host and whether it is
// an ICANN-managed ending (as opposed to a guess for an unknown one).
func publicSuffix(ascii string) (string, bool) {
	return publicsuffix.PublicSuffix(ascii)
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
