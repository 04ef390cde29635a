package mailtriage

import (
	"strings"
)

// forwardMarkers are the separator lines mail clients write above an
// inline-forwarded or quoted message, lower-cased and without the dashes,
// underscores and asterisks around them. Several languages, because the
// people who report are not all set to English.
var forwardMarkers = []string{
	"forwarded message",                      // Gmail
	"original message",                       // Outlook
	"begin forwarded message:",               // Apple Mail
	"forwarded message follows",              // older clients
	"weitergeleitete nachricht",              // German
	"ursprüngliche nachricht",                // German Outlook
	"message transféré",                      // French
	"message d'origine",                      // French Outlook
	"doorgestuurd bericht",                   // Dutch
	"oorspronkelijk bericht",                 // Dutch Outlook
	"mensaje reenviado",                      // Spanish
	"mensaje original",                       // Spanish Outlook
	"anfang der weitergeleiteten nachricht:", // Apple Mail, German
	"début du message réexpédié :",           // Apple Mail, French
	"début du message réexpédié:",
	"begin doorgestuurd bericht:", // Apple Mail, Dutch
}

// quotedKeys maps the header labels of a quoted block to header names.
var quotedKeys = map[string]string{
	"from": "from", "von": "from", "de": "from", "van": "from", "sender": "from", "absender": "from", "expéditeur": "from",
	"to": "to", "an": "to", "à": "to", "a": "to", "aan": "to", "para": "to", "destinataire": "to",
	"cc": "cc", "kopie": "cc",
	"subject": "subject", "betreff": "subject", "objet": "subject", "onderwerp": "subject", "asunto": "subject", "sujet": "subject",
	"date": "date", "sent": "date", "datum": "date", "gesendet": "date", "envoyé": "date", "verzonden": "date", "enviado": "date", "fecha": "date", "verstuurd": "date",
	"reply-to": "reply-to", "antwort an": "reply-to", "répondre à": "reply-to",
}

// inlineForward is what could be recovered from a quoted original.
type inlineForward struct {
	marker                           bool // a separator line was found, not only a header block
	note                             string
	from, to, replyTo, subject, date string
	body                             string
	html                             string
}

// findInlineForward looks for a quoted original in text: a separator line
// followed by a block of header lines, or (as Outlook writes it) a header
// block alone that starts with From: and soon names a Subject or Date.
func findInlineForward(text, html string) (inlineForward, bool) {
	var fw inlineForward
	start := -1 // byte offset of the line that opens the quoted part
	hdr := -1   // byte offset of the first header line
	for off := 0; off < len(text); {
		line, next := nextLine(text, off)
		t := unquoteLine(line)
		if len(t) < 120 && t != "" {
			if isMarkerLine(t) {
				start, hdr, fw.marker = off, next, true
				break
			}
			if k, _ := quotedHeader(t); k == "from" && headerBlockFollows(text, next) {
				start, hdr = off, off
				break
			}
		}
		off = next
	}
	if start < 0 {
		return fw, false
	}
	fw.note = text[:start]
	off := hdr
	seen := 0
	last := ""
	for off < len(text) {
		line, next := nextLine(text, off)
		t := unquoteLine(line)
		if t == "" {
			if seen > 0 {
				off = next
				break
			}
			off = next
			continue
		}
		k, v := quotedHeader(t)
		if k == "" {
			if seen > 0 && (last == "to" || last == "cc") && strings.Contains(t, "@") && !strings.Contains(t, ":") {
				// A long recipient list wrapped onto the next line.
				fw.to += " " + t
				off = next
				continue
			}
			if seen == 0 && isMarkerLine(t) {
				off = next
				continue
			}
			break
		}
		seen++
		last = k
		switch k {
		case "from":
			if fw.from == "" {
				fw.from = v
			}
		case "to":
			if fw.to == "" {
				fw.to = v
			}
		case "reply-to":
			fw.replyTo = v
		case "subject":
			if fw.subject == "" {
				fw.subject = v
			}
		case "date":
			if fw.date == "" {
				fw.date = v
			}
		}
		off = next
		if seen > 12 {
			break
		}
	}
	if seen == 0 && !fw.marker {
		return fw, false
	}
	fw.from = cleanQuotedAddress(fw.from)
	fw.to = cleanQuotedAddress(fw.to)
	fw.replyTo = cleanQuotedAddress(fw.replyTo)
	fw.body = unquoteBody(text[min(off, len(text)):])
	fw.html = cutQuotedHTML(html)
	return fw, true
}

// nextLine returns the line starting at off (without its end) and the
// offset of the line after it.
func nextLine(s string, off int) (string, int) {
	i := strings.IndexByte(s[off:], '\n')
	if i < 0 {
		return strings.TrimRight(s[off:], "\r"), len(s)
	}
	return strings.TrimRight(s[off:off+i], "\r"), off + i + 1
}

// unquoteLine strips "> " quoting and surrounding space.
func unquoteLine(line string) string {
	t := strings.TrimSpace(line)
	for strings.HasPrefix(t, ">") {
		t = strings.TrimSpace(t[1:])
	}
	return t
}

// unquoteBody strips "> " quoting from every line of a quoted body.
func unquoteBody(s string) string {
	if !strings.Contains(s, "\n>") && !strings.HasPrefix(s, ">") {
		return strings.TrimSpace(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	for off := 0; off < len(s); {
		line, next := nextLine(s, off)
		t := strings.TrimLeft(line, " ")
		for strings.HasPrefix(t, ">") {
			t = strings.TrimPrefix(t[1:], " ")
		}
		b.WriteString(t)
		b.WriteByte('\n')
		off = next
	}
	return strings.TrimSpace(b.String())
}

// isMarkerLine reports whether t is a forward separator line.
func isMarkerLine(t string) bool {
	if strings.Count(t, "_") >= 10 && strings.Trim(t, "_ ") == "" {
		return false // Outlook's rule; the header block after it is what counts
	}
	core := strings.ToLower(strings.Trim(t, "-_*= \t"))
	if core == "" {
		return false
	}
	for _, m := range forwardMarkers {
		if core == m {
			return true
		}
	}
	return false
}

// quotedHeader splits "From: x" (also "*From:* x", Gmail's rendering of a
// bold label) into the canonical key and value; key is "" for other lines.
func quotedHeader(t string) (string, string) {
	t = strings.TrimLeft(t, "*")
	i := strings.IndexByte(t, ':')
	if i <= 0 || i > 24 {
		return "", ""
	}
	k := strings.ToLower(strings.TrimSpace(strings.TrimRight(t[:i], "*")))
	key, ok := quotedKeys[k]
	if !ok {
		return "", ""
	}
	v := strings.TrimSpace(strings.TrimLeft(t[i+1:], "*"))
	return key, v
}

// headerBlockFollows reports whether a Subject or Date line follows the
// line before off within a few lines, which tells a quoted header block
// from a sentence that happens to start with "From:".
func headerBlockFollows(text string, off int) bool {
	for n := 0; n < 6 && off < len(text); n++ {
		line, next := nextLine(text, off)
		k, _ := quotedHeader(unquoteLine(line))
		if k == "subject" || k == "date" {
			return true
		}
		off = next
	}
	return false
}

// cleanQuotedAddress undoes the decorations clients add to quoted
// addresses: "Name [mailto:a@b]", "Name <a@b <mailto:a@b>>", "*Name*".
func cleanQuotedAddress(v string) string {
	if v == "" {
		return ""
	}
	if i := strings.Index(v, "[mailto:"); i >= 0 {
		rest := v[i+len("[mailto:"):]
		rest, _, _ = strings.Cut(rest, "]")
		v = v[:i] + "<" + rest + ">"
	}
	if i := strings.Index(v, "<mailto:"); i >= 0 {
		v = v[:i]
	}
	v = strings.ReplaceAll(v, "*", "")
	return strings.TrimSpace(v)
}

// quotedHTMLStarts are the places where clients start the quoted original
// in an HTML forward; the HTML before them is the reporter's own.
var quotedHTMLStarts = []string{
	`class="gmail_quote`, `id="divrplyfwdmsg"`, `id="appendonsend"`, `<blockquote type="cite"`,
	"forwarded message", "original message", "begin forwarded message", "weitergeleitete nachricht",
	"ursprüngliche nachricht", "message transféré", "message d'origine", "doorgestuurd bericht", "oorspronkelijk bericht",
}

// cutQuotedHTML returns html from the start of the quoted original, or
// all of it when no start is recognised.
func cutQuotedHTML(html string) string {
	if html == "" {
		return ""
	}
	lower := strings.ToLower(html)
	best := -1
	for _, s := range quotedHTMLStarts {
		if i := strings.Index(lower, s); i >= 0 && (best < 0 || i < best) {
			best = i
		}
	}
	if best < 0 {
		return html
	}
	if i := strings.LastIndexByte(html[:best], '<'); i >= 0 {
		best = i
	}
	return html[best:]
}

// subjectPrefixes are reply and forward prefixes in the languages of the
// reporters (RE, FW, FWD; German AW, WG; French TR, RE; Dutch Antw, Doorst;
// Spanish RV; Nordic SV, VS).
var subjectPrefixes = map[string]bool{
	"re": true, "fw": true, "fwd": true, "aw": true, "wg": true, "tr": true, "rv": true,
	"sv": true, "vs": true, "antw": true, "doorst": true, "wtr": true, "ref": true, "enc": true, "rif": true, "i": false,
}

var forwardPrefixes = map[string]bool{"fw": true, "fwd": true, "wg": true, "tr": true, "rv": true, "doorst": true, "wtr": true, "enc": true}

// cutPrefix removes one leading reply/forward prefix ("Fwd:", "RE[2]:",
// "AW :") and reports which it was.
func cutPrefix(s string) (rest, prefix string, ok bool) {
	t := strings.TrimLeft(s, " \t")
	i := 0
	for i < len(t) && i < 8 && (t[i]|0x20 >= 'a' && t[i]|0x20 <= 'z') {
		i++
	}
	if i == 0 {
		return s, "", false
	}
	word := strings.ToLower(t[:i])
	if !subjectPrefixes[word] {
		return s, "", false
	}
	j := i
	for j < len(t) && t[j] == ' ' && j+1 < len(t) && (t[j+1] == '[' || t[j+1] == '(' || t[j+1] == ' ') {
		j++
	}
	if j < len(t) && (t[j] == '[' || t[j] == '(') {
		close := byte(']')
		if t[j] == '(' {
			close = ')'
		}
		k := strings.IndexByte(t[j:], close)
		if k < 0 || k > 5 {
			return s, "", false
		}
		j += k + 1
	}
	for j < len(t) && t[j] == ' ' {
		j++
	}
	switch {
	case strings.HasPrefix(t[j:], ":"):
		j++
	case strings.HasPrefix(t[j:], "："):
		j += len("：")
	default:
		return s, "", false
	}
	return t[j:], word, true
}

// hasForwardPrefix reports whether the subject shows the message to be a
// forward (anywhere in its chain of prefixes).
func hasForwardPrefix(s string) bool {
	for range 10 {
		s = stripSubjectTags(s)
		rest, word, ok := cutPrefix(s)
		if !ok {
			return false
		}
		if forwardPrefixes[word] {
			return true
		}
		s = rest
	}
	return false
}

// stripSubjectPrefixes removes all leading reply/forward prefixes and
// gateway tags such as [EXTERNAL].
func stripSubjectPrefixes(s string) string {
	for range 20 {
		s = stripSubjectTags(s)
		rest, _, ok := cutPrefix(s)
		if !ok {
			break
		}
		s = rest
	}
	return strings.TrimSpace(s)
}

// subjectTags are the labels mail gateways stamp on subjects.
var subjectTags = map[string]bool{
	"external": true, "ext": true, "extern": true, "externe": true, "externo": true, "external sender": true,
	"external email": true, "external mail": true, "spam": true, "suspicious": true, "suspected spam": true,
	"phishing": true, "phish": true, "warning": true, "caution": true, "possible spam": true, "bulk": true,
	"externer absender": true, "expéditeur externe": true, "externe afzender": true,
}

// stripSubjectTags removes leading "[EXTERNAL]", "*EXTERNAL*" and
// "EXTERNAL:" style tags.
func stripSubjectTags(s string) string {
	for range 10 {
		t := strings.TrimLeft(s, " \t")
		if t == "" {
			return t
		}
		var open, close byte
		switch t[0] {
		case '[':
			open, close = '[', ']'
		case '(':
			open, close = '(', ')'
		case '*':
			open, close = '*', '*'
		}
		if open != 0 {
			k := strings.IndexByte(t[1:], close)
			if k < 0 || !subjectTags[strings.ToLower(strings.TrimSpace(t[1:1+k]))] {
				return t
			}
			s = t[k+2:]
			continue
		}
		if k := strings.IndexByte(t, ':'); k > 0 && k < 24 && subjectTags[strings.ToLower(strings.TrimSpace(t[:k]))] {
			s = t[k+1:]
			continue
		}
		return t
	}
	return s
}
