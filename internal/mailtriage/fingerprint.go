package mailtriage

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"slices"
	"strings"
)

// Fingerprint returns the exact campaign key of a message: a hash of the
// sender's registrable domain, the normalised subject, the set of link
// targets (host and path, without tracking or per-recipient parameters) and
// the set of attachment hashes. Copies of one mail sent to many people, and
// forwarded by each in their own way, share it. A mail with neither links
// nor attachments has little else that is specific to it, so its key also
// includes the full sender address, which keeps unrelated "Invoice" mails
// from one free-mail provider apart.
func Fingerprint(m *Message, ind Indicators) string {
	o := &m.Original
	h := sha256.New()
	write := func(s string) {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	write("fp1")
	dom := o.From.Domain()
	write(registrable(dom))
	write(NormalizeSubject(o.Subject))

	recipients := recipientTokens(m)
	keys := make([]string, 0, len(ind.URLs))
	for _, u := range ind.URLs {
		if k := urlKey(u, recipients); k != "" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	for _, k := range keys {
		write(k)
	}
	write("")
	hashes := make([]string, 0, len(m.Attachments))
	for _, a := range m.Attachments {
		hashes = append(hashes, a.SHA256)
	}
	slices.Sort(hashes)
	hashes = slices.Compact(hashes)
	for _, s := range hashes {
		write(s)
	}
	if len(keys) == 0 && len(hashes) == 0 {
		write(strings.ToLower(o.From.Address))
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// NormalizeSubject reduces a subject to what stays the same across copies
// of one mail: no reply or forward prefixes, no gateway tags like
// [EXTERNAL], no numbers or punctuation, lower case, single spaces.
func NormalizeSubject(s string) string {
	s = stripSubjectPrefixes(s)
	s = removeTagsAnywhere(s)
	var b strings.Builder
	b.Grow(len(s))
	forWords(strings.ToLower(s), func(w string) bool {
		if isDigits(w) {
			return true
		}
		w = strings.TrimFunc(w, func(r rune) bool { return r >= '0' && r <= '9' })
		if w == "" {
			return true
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w)
		return true
	})
	return b.String()
}

// removeTagsAnywhere drops bracketed gateway tags that some gateways put
// at the end or in the middle of a subject.
func removeTagsAnywhere(s string) string {
	for range 10 {
		i := strings.IndexByte(s, '[')
		if i < 0 {
			return s
		}
		j := strings.IndexByte(s[i:], ']')
		if j < 0 || !subjectTags[strings.ToLower(strings.TrimSpace(s[i+1:i+j]))] {
			// Not a tag; look no further, keeping the text.
			return s
		}
		s = s[:i] + " " + s[i+j+1:]
	}
	return s
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// trackingParams are query parameters that differ per send or per click
// and never change where a link goes.
var trackingParams = set("fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "mc_eid", "mc_cid", "_hsenc", "_hsmi",
	"mkt_tok", "yclid", "igshid", "ttclid", "twclid", "li_fat_id", "vero_id", "oly_enc_id", "oly_anon_id", "_ke", "rid",
	"trk", "trkid", "cid", "eid", "uid", "sid", "tid", "email", "e", "recipient", "user", "userid", "user_id", "token",
	"t", "ref", "s", "sc_cid", "ml_subscriber", "ml_subscriber_hash", "wickedid", "ss_email_id", "hsctatracking")

// urlKey is a link's campaign identity: host and path, with path segments
// and query parameters that look per-recipient replaced or dropped, and the
// remaining parameters sorted.
func urlKey(raw string, recipients []string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return ""
	}
	host := strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
	var b strings.Builder
	b.WriteString(host)
	for _, seg := range strings.Split(u.EscapedPath(), "/") {
		if seg == "" {
			continue
		}
		b.WriteByte('/')
		if perRecipient(seg, recipients) {
			b.WriteByte('*')
		} else {
			b.WriteString(seg)
		}
	}
	if u.RawQuery != "" {
		q := u.Query()
		var kv []string
		for k, vs := range q {
			lk := strings.ToLower(k)
			if strings.HasPrefix(lk, "utm_") || trackingParams[lk] {
				continue
			}
			for _, v := range vs {
				if perRecipient(v, recipients) {
					continue
				}
				kv = append(kv, lk+"="+v)
			}
		}
		slices.Sort(kv)
		if len(kv) > 0 {
			b.WriteByte('?')
			b.WriteString(strings.Join(kv, "&"))
		}
	}
	return b.String()
}

// recipientTokens are the strings that identify the person a copy was sent
// to: their addresses and local parts, and the reporter's, which tracking
// links often carry in plain or encoded form.
func recipientTokens(m *Message) []string {
	var out []string
	addAddr := func(a string) {
		a = strings.ToLower(a)
		if a == "" {
			return
		}
		out = append(out, a)
		if i := strings.IndexByte(a, '@'); i >= 3 {
			out = append(out, a[:i])
		}
	}
	for _, a := range m.Original.To {
		addAddr(a.Address)
	}
	addAddr(m.Reporter.Address)
	return out
}

// perRecipient reports whether a path segment or parameter value looks
// like it identifies a recipient or a single send: an email address (also
// base64-encoded), a recipient's name, a UUID, a long hex or digit run, or a
// long mixed token.
func perRecipient(v string, recipients []string) bool {
	if v == "" {
		return false
	}
	if uv, err := url.PathUnescape(v); err == nil {
		v = uv
	}
	lv := strings.ToLower(v)
	if strings.Contains(lv, "@") {
		return true
	}
	for _, r := range recipients {
		// Short names ("tom") are matched whole, or "bottom" would count.
		if lv == r || len(r) >= 6 && strings.Contains(lv, r) {
			return true
		}
	}
	if len(v) >= 16 {
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
			if d, err := enc.DecodeString(v); err == nil && strings.Contains(string(d), "@") {
				return true
			}
		}
	}
	var digits, letters, hexOnly, other int
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
			hexOnly++
		case c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F':
			letters++
			hexOnly++
		case c >= 'g' && c <= 'z' || c >= 'G' && c <= 'Z':
			letters++
		case c == '-' || c == '_' || c == '=' || c == '.' || c == '+' || c == '/':
			other++
		default:
			return false
		}
	}
	switch {
	case digits >= 6 && letters == 0 && other == 0:
		return true // numeric ids
	case hexOnly == len(v)-other && digits > 0 && hexOnly >= 10:
		return true // hex ids and UUIDs
	case len(v) >= 12 && digits > 0 && letters > 0 && digits+letters >= 12:
		return true // mixed tokens
	case len(v) >= 24 && other <= len(v)/8:
		return true // long base64-like blobs
	}
	return false
}
