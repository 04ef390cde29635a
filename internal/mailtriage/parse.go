package mailtriage

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/http"
	"net/mail"
	"net/textproto"
	"path"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-message/charset"
	"golang.org/x/text/encoding/charmap"
)

// maxMultipartDepth bounds multipart-in-multipart nesting, which MaxDepth
// (counting attached messages) does not; real mail rarely goes past 4.
const maxMultipartDepth = 16

// smallAttachment is the encoded size up to which an attachment is decoded
// in memory rather than streamed.
const smallAttachment = 1 << 20

// maxNoteBytes caps the reporter's own words kept with a forward.
const maxNoteBytes = 4 << 10

// maxHeaderValue caps one kept header value; Received chains and ARC seals
// can be long and only their start matters to an analyst.
const maxHeaderValue = 2 << 10

// maxReceived caps the Received headers kept; the first hops are the ones
// that say where the message entered.
const maxReceived = 8

// Parse reads a reported email. When the report carries the suspect message
// as an attachment (message/rfc822, as "forward as attachment" does) the
// attached message is the Original and the outer From is the Reporter; when
// the report quotes it inline, the quoted From, To, Subject and Date are
// recovered from the body. Damage in the input (bad charsets, broken
// boundaries, malformed header lines) becomes a warning, not an error.
func Parse(raw []byte, opts Options) (*Message, error) {
	opts = opts.withDefaults()
	if len(raw) > opts.MaxBytes {
		return nil, ErrTooLarge
	}
	raw = trimMessageStart(raw)
	if len(raw) == 0 {
		return nil, ErrEmpty
	}
	p := &parser{opts: opts}
	top, err := p.parseMessage(raw, 0)
	if err != nil {
		return nil, err
	}
	if len(top.fields) == 0 {
		return nil, ErrNotMessage
	}
	m := &Message{}
	p.analyse(m, top)
	detectSimulation(m, p.simFields, opts)
	m.Warnings = p.warnings
	return m, nil
}

// trimMessageStart drops what mail tools put before the header: a UTF-8 byte
// order mark, blank lines, and an mbox "From " separator line.
func trimMessageStart(raw []byte) []byte {
	raw = bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))
	for len(raw) > 0 && (raw[0] == '\r' || raw[0] == '\n' || raw[0] == ' ' || raw[0] == '\t') {
		raw = raw[1:]
	}
	if bytes.HasPrefix(raw, []byte("From ")) {
		if i := bytes.IndexByte(raw, '\n'); i >= 0 {
			raw = raw[i+1:]
		} else {
			raw = nil
		}
	}
	return raw
}

// field is one raw header field: key as written, undecoded value.
type field struct {
	key, value string
}

// entity is one parsed message (the report, or a message attached to it).
type entity struct {
	fields   []field
	text     strings.Builder
	html     strings.Builder
	textFull bool
	htmlFull bool
	atts     []Attachment
	attached []*entity
}

func (e *entity) get(key string) string {
	for _, f := range e.fields {
		if equalFoldASCII(f.key, key) {
			return f.value
		}
	}
	return ""
}

type parser struct {
	opts        Options
	warnings    []string
	warned      map[string]bool
	parts       int
	partsWarned bool
	simFields   []field
}

// warn records a warning once; repeats of one problem would drown the others.
func (p *parser) warn(format string, args ...any) {
	w := fmt.Sprintf(format, args...)
	if p.warned == nil {
		p.warned = make(map[string]bool)
	}
	if p.warned[w] || len(p.warnings) >= 50 {
		return
	}
	p.warned[w] = true
	p.warnings = append(p.warnings, w)
}

// readHeader splits raw into header fields and body (RFC 5322 2.2: fields
// up to the first empty line, continuation lines start with white space).
// A malformed line is skipped with a warning and reading goes on, since one
// broken field should not turn the rest of the header into body text. The
// header block is converted to a string once and fields are cut from it, so
// a header costs one allocation plus one per folded field.
func (p *parser) readHeader(raw []byte) ([]field, []byte, error) {
	end, bodyStart := headerEnd(raw, p.opts.MaxHeaderBytes)
	if end < 0 {
		return nil, nil, ErrHeaderTooLarge
	}
	if !looksLikeHeaderStart(raw) {
		// Not a header at all: the caller decides what that means.
		return nil, raw, nil
	}
	block := string(raw[:end])
	fields := make([]field, 0, 16)
	malformed := 0
	for off := 0; off < len(block); {
		line, next := nextLine(block, off)
		lineEnd := next
		// Gather continuation lines.
		for lineEnd < len(block) && (block[lineEnd] == ' ' || block[lineEnd] == '\t') {
			_, lineEnd = nextLine(block, lineEnd)
		}
		if line == "" || line[0] == ' ' || line[0] == '\t' {
			off = lineEnd
			continue
		}
		colon := strings.IndexByte(line, ':')
		key := ""
		if colon > 0 {
			key = strings.TrimRight(line[:colon], " \t")
		}
		if !validHeaderKey(key) {
			malformed++
			off = lineEnd
			continue
		}
		var value string
		if lineEnd == next {
			value = strings.TrimSpace(line[colon+1:])
		} else {
			value = unfold(block[off+colon+1 : lineEnd])
		}
		fields = append(fields, field{key, value})
		off = lineEnd
	}
	if malformed > 0 {
		p.warn("a malformed header line was skipped")
	}
	return fields, raw[bodyStart:], nil
}

// headerEnd returns where the header block of raw ends and where the body
// starts; end is -1 when the block is longer than max.
func headerEnd(raw []byte, max int) (end, bodyStart int) {
	for off := 0; off < len(raw); {
		if off > max {
			return -1, 0
		}
		i := bytes.IndexByte(raw[off:], '\n')
		if i < 0 {
			if len(raw) > max {
				return -1, 0
			}
			return len(raw), len(raw)
		}
		line := raw[off : off+i]
		if len(line) == 0 || (len(line) == 1 && line[0] == '\r') {
			return off, off + i + 1
		}
		off += i + 1
	}
	return len(raw), len(raw)
}

// validHeaderKey reports whether k is a field name: printable ASCII
// without colons (RFC 5322 2.2).
func validHeaderKey(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 33 || k[i] > 126 {
			return false
		}
	}
	return true
}

// unfold joins a folded field value: each line trimmed, joined by one space.
func unfold(v string) string {
	var b strings.Builder
	b.Grow(len(v))
	for off := 0; off < len(v); {
		line, next := nextLine(v, off)
		if t := strings.TrimSpace(line); t != "" {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(t)
		}
		off = next
	}
	return b.String()
}

// looksLikeHeaderStart reports whether raw begins with "Name:".
func looksLikeHeaderStart(raw []byte) bool {
	for i, c := range raw {
		if c == ':' {
			return i > 0
		}
		if c <= ' ' || c >= 127 {
			return false
		}
	}
	return false
}

// parseMessage parses one message (header and body) at the given depth of
// attached-message nesting.
func (p *parser) parseMessage(raw []byte, depth int) (*entity, error) {
	fields, body, err := p.readHeader(raw)
	if err != nil {
		return nil, err
	}
	e := &entity{fields: fields}
	if len(fields) == 0 {
		return e, nil
	}
	p.walk(e, fields, body, depth, 0, "text/plain")
	return e, nil
}

func fieldValue(fields []field, key string) string {
	for _, f := range fields {
		if equalFoldASCII(f.key, key) {
			return f.value
		}
	}
	return ""
}

// walk visits one MIME entity and files it as body text, attachment,
// attached message or container of further parts.
func (p *parser) walk(e *entity, fields []field, body []byte, depth, mpDepth int, defaultType string) {
	p.parts++
	if p.parts > p.opts.MaxParts {
		if !p.partsWarned {
			p.partsWarned = true
			p.warn("the message has more than %d MIME parts; the rest were not read", p.opts.MaxParts)
		}
		return
	}
	mt, params := p.mediaType(fieldValue(fields, "Content-Type"), defaultType)
	cte := strings.ToLower(strings.TrimSpace(fieldValue(fields, "Content-Transfer-Encoding")))
	disp, filename := p.disposition(fields, params)

	switch {
	case strings.HasPrefix(mt, "multipart/"):
		if mpDepth >= maxMultipartDepth {
			p.warn("multipart nesting deeper than %d was not read", maxMultipartDepth)
			return
		}
		childDefault := "text/plain"
		if mt == "multipart/digest" {
			childDefault = "message/rfc822"
		}
		p.walkMultipart(e, params["boundary"], body, depth, mpDepth+1, childDefault)
		return
	case mt == "message/rfc822" || mt == "message/global" || isEMLName(filename):
		if depth+1 > p.opts.MaxDepth {
			p.warn("attached messages nested deeper than %d were kept as files, not read", p.opts.MaxDepth)
			break
		}
		dec := trimMessageStart(p.decodeAll(cte, body, p.opts.MaxBytes))
		if !looksLikeHeaderStart(dec) {
			// A .eml name on something that is not a message.
			body, cte = dec, ""
			break
		}
		inner, err := p.parseMessage(dec, depth+1)
		if err != nil {
			p.warn("an attached message could not be read (%v); it was kept as a file", err)
			body, cte = dec, ""
			break
		}
		if len(inner.fields) == 0 {
			body, cte = dec, ""
			break
		}
		e.attached = append(e.attached, inner)
		return
	case (mt == "text/plain" || mt == "text/html") && disp != "attachment" && filename == "":
		full := &e.textFull
		sb := &e.text
		if mt == "text/html" {
			full, sb = &e.htmlFull, &e.html
		}
		if *full {
			return
		}
		s := p.decodeText(cte, params["charset"], body)
		room := p.opts.MaxTextBytes - sb.Len()
		if len(s) > room {
			s = truncateUTF8(s, room)
			*full = true
			p.warn("a body was longer than %d bytes and was cut", p.opts.MaxTextBytes)
		}
		if sb.Len() > 0 && s != "" {
			sb.WriteByte('\n')
		}
		sb.WriteString(s)
		return
	}
	e.atts = append(e.atts, p.attachment(mt, filename, cte, body))
}

// walkMultipart splits a multipart body. A boundary that never appears is
// looked for among the body's own "--" lines, since mailers that rewrite
// one but not the other are common; failing that the body is read as text.
func (p *parser) walkMultipart(e *entity, boundary string, body []byte, depth, mpDepth int, childDefault string) {
	if boundary == "" {
		p.warn("a multipart part has no boundary; it was read as text")
		p.walkText(e, body)
		return
	}
	n := p.splitParts(e, boundary, body, depth, mpDepth, childDefault)
	if n > 0 {
		return
	}
	if guess := guessBoundary(body); guess != "" && guess != boundary {
		p.warn("the MIME boundary %q was not found; %q was used instead", truncateUTF8(boundary, 80), truncateUTF8(guess, 80))
		if p.splitParts(e, guess, body, depth, mpDepth, childDefault) > 0 {
			return
		}
	}
	p.warn("no MIME part was found with boundary %q; the body was read as text", truncateUTF8(boundary, 80))
	p.walkText(e, body)
}

// walkText files a body that should have been multipart as plain text.
func (p *parser) walkText(e *entity, body []byte) {
	p.walk(e, []field{{"Content-Type", "text/plain"}}, body, 0, maxMultipartDepth, "text/plain")
}

// splitParts walks the parts of a multipart body and returns how many it
// found. The body is already in memory, so parts are cut out of it in place
// rather than streamed and copied; a missing closing delimiter ends the last
// part at the end of the body.
func (p *parser) splitParts(e *entity, boundary string, body []byte, depth, mpDepth int, childDefault string) int {
	delim := "--" + boundary
	n := 0
	start := -1 // start of the current part, after its delimiter line
	for pos := 0; ; {
		idx := nextDelimiter(body, pos, delim)
		if idx < 0 {
			if start >= 0 {
				p.warn("the final MIME boundary is missing; the last part was read to the end")
				n++
				p.walkPart(e, body[start:], depth, mpDepth, childDefault)
			}
			return n
		}
		if start >= 0 {
			end := idx
			// The line break before a delimiter belongs to the delimiter.
			if end > start && body[end-1] == '\n' {
				end--
				if end > start && body[end-1] == '\r' {
					end--
				}
			}
			n++
			p.walkPart(e, body[start:end], depth, mpDepth, childDefault)
			if p.parts > p.opts.MaxParts {
				return n
			}
		}
		after := idx + len(delim)
		if bytes.HasPrefix(body[after:], []byte("--")) {
			return n
		}
		nl := bytes.IndexByte(body[after:], '\n')
		if nl < 0 {
			return n
		}
		start = after + nl + 1
		pos = start
	}
}

// nextDelimiter returns the offset of the next delimiter line at or after
// pos: delim at the start of a line, followed by nothing but spaces, or by
// "--" for the closing one. -1 when there is none.
func nextDelimiter(body []byte, pos int, delim string) int {
	for pos <= len(body) {
		i := bytes.Index(body[pos:], []byte(delim))
		if i < 0 {
			return -1
		}
		i += pos
		if i == 0 || body[i-1] == '\n' {
			rest := body[i+len(delim):]
			if bytes.HasPrefix(rest, []byte("--")) {
				return i
			}
			j := 0
			for j < len(rest) && (rest[j] == ' ' || rest[j] == '\t' || rest[j] == '\r') {
				j++
			}
			if j == len(rest) || rest[j] == '\n' {
				return i
			}
		}
		pos = i + 1
	}
	return -1
}

// walkPart reads one part's header and files its body.
func (p *parser) walkPart(e *entity, part []byte, depth, mpDepth int, childDefault string) {
	var fields []field
	var body []byte
	if len(part) > 0 && (part[0] == '\n' || part[0] == '\r') {
		// No header: the part starts with the blank line (RFC 2046 5.1.1).
		body = part[1:]
		if part[0] == '\r' && len(body) > 0 && body[0] == '\n' {
			body = body[1:]
		}
	} else {
		var err error
		fields, body, err = p.readHeader(part)
		if err != nil {
			p.warn("a MIME part header is larger than %d bytes; the part was skipped", p.opts.MaxHeaderBytes)
			return
		}
	}
	p.walk(e, fields, body, depth, mpDepth, childDefault)
}

// guessBoundary returns the first "--token" line of body, the likeliest
// real boundary when the declared one is wrong.
func guessBoundary(body []byte) string {
	for len(body) > 0 {
		line := body
		if i := bytes.IndexByte(body, '\n'); i >= 0 {
			line, body = body[:i], body[i+1:]
		} else {
			body = nil
		}
		line = bytes.TrimRight(line, " \t\r")
		if len(line) > 2 && len(line) <= 72 && line[0] == '-' && line[1] == '-' {
			b := string(line[2:])
			if strings.ContainsAny(b, " \t") {
				continue
			}
			return strings.TrimSuffix(b, "--")
		}
	}
	return ""
}

// mediaType parses a Content-Type value leniently: a malformed parameter
// must not hide the type, and a missing type takes the context's default.
func (p *parser) mediaType(v, def string) (string, map[string]string) {
	v = strings.TrimSpace(v)
	if v == "" {
		return def, nil
	}
	if mt, params, ok := simpleMediaType(v); ok {
		return mt, params
	}
	mt, params, err := mime.ParseMediaType(v)
	if err == nil {
		return mt, params
	}
	mt, params = lenientMediaType(v)
	if !strings.Contains(mt, "/") {
		p.warn("the content type %q is not valid; %s was assumed", truncateUTF8(v, 80), def)
		return def, params
	}
	return mt, params
}

// simpleMediaType parses the common shape of Content-Type and
// Content-Disposition values, `type/sub; key=value; key="value"`, without
// the general parser's cost; ok is false for anything else (RFC 2231
// continuations, escapes, duplicate keys), which goes to mime.ParseMediaType.
func simpleMediaType(v string) (string, map[string]string, bool) {
	if strings.ContainsAny(v, "*\\(") {
		return "", nil, false
	}
	mt, rest, _ := strings.Cut(v, ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	if typ, sub, ok := strings.Cut(mt, "/"); !isToken(typ) || ok && !isToken(sub) {
		return "", nil, false
	}
	var params map[string]string
	for rest = strings.TrimSpace(rest); rest != ""; rest = strings.TrimSpace(rest) {
		k, after, ok := strings.Cut(rest, "=")
		if !ok {
			return "", nil, false
		}
		k = strings.ToLower(strings.TrimSpace(k))
		after = strings.TrimLeft(after, " \t")
		var val string
		if strings.HasPrefix(after, `"`) {
			end := strings.IndexByte(after[1:], '"')
			if end < 0 {
				return "", nil, false
			}
			val, rest = after[1:1+end], after[2+end:]
		} else {
			val, rest = after, ""
			if i := strings.IndexByte(after, ';'); i >= 0 {
				val, rest = after[:i], after[i:]
			}
			val = strings.TrimSpace(val)
			if !isToken(val) {
				return "", nil, false
			}
		}
		rest = strings.TrimSpace(rest)
		if rest != "" {
			if rest[0] != ';' {
				return "", nil, false
			}
			rest = rest[1:]
		}
		if !isToken(k) {
			return "", nil, false
		}
		if params == nil {
			params = make(map[string]string, 2)
		}
		if _, dup := params[k]; dup {
			return "", nil, false
		}
		params[k] = val
	}
	return mt, params, true
}

// isToken reports whether s is an RFC 2045 token.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !tokenByte[s[i]] {
			return false
		}
	}
	return true
}

// tokenByte marks the bytes allowed in an RFC 2045 token: printable ASCII
// but the tspecials.
var tokenByte = func() (t [256]bool) {
	for c := 33; c < 127; c++ {
		t[c] = !strings.ContainsRune(`()<>@,;:\"/[]?=`, rune(c))
	}
	return t
}()

// lenientMediaType splits "type/sub; a=b; c="d"" by hand for values the
// standard parser rejects (duplicate or unquoted special parameters).
func lenientMediaType(v string) (string, map[string]string) {
	parts := strings.Split(v, ";")
	mt := strings.ToLower(strings.TrimSpace(parts[0]))
	params := make(map[string]string)
	for _, kv := range parts[1:] {
		k, val, ok := strings.Cut(kv, "=")
		if !ok {
			continue
		}
		k = strings.ToLower(strings.TrimSpace(k))
		val = strings.Trim(strings.TrimSpace(val), `"`)
		if _, dup := params[k]; !dup && k != "" {
			params[k] = val
		}
	}
	return mt, params
}

// disposition returns the Content-Disposition type and the part's file
// name (from the disposition, or the older Content-Type name parameter).
func (p *parser) disposition(fields []field, ctParams map[string]string) (string, string) {
	v := fieldValue(fields, "Content-Disposition")
	var disp string
	var params map[string]string
	if v != "" {
		var ok bool
		if disp, params, ok = simpleMediaType(v); !ok {
			var err error
			disp, params, err = mime.ParseMediaType(v)
			if err != nil {
				disp, params = lenientMediaType(v)
			}
		}
	}
	name := params["filename"]
	if name == "" {
		name = ctParams["name"]
	}
	return disp, p.cleanFilename(name)
}

// cleanFilename decodes an encoded-word file name and keeps only its base
// name: a name is shown to analysts and must not carry paths or controls.
func (p *parser) cleanFilename(name string) string {
	if name == "" {
		return ""
	}
	name = p.decodeHeader(name)
	name = strings.ReplaceAll(name, "\\", "/")
	name = path.Base(name)
	if name == "." || name == "/" {
		return ""
	}
	name = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f || r == utf8.RuneError {
			return -1
		}
		return r
	}, name)
	return truncateUTF8(strings.TrimSpace(name), 255)
}

func isEMLName(name string) bool {
	return len(name) > 4 && strings.EqualFold(name[len(name)-4:], ".eml")
}

// decodeAll undoes the transfer encoding, keeping what was decoded before
// any damage. Quoted-printable and base64 are decoded here by hand, in one
// pass into one buffer: they are on the path of every mail, and lenient by
// design (mail in the wild breaks both).
func (p *parser) decodeAll(cte string, body []byte, max int) []byte {
	var out []byte
	switch cte {
	case "", "7bit", "8bit", "binary":
		return body
	case "quoted-printable":
		out = decodeQP(make([]byte, 0, len(body)), body)
	case "base64":
		var bad bool
		out, bad = decodeBase64(body)
		if bad {
			p.warn("the base64 encoding of a part is damaged; it was decoded as far as possible")
		}
	default:
		p.warn("the transfer encoding %q is unknown; the part was read as is", truncateUTF8(cte, 40))
		return body
	}
	if len(out) > max {
		out = out[:max]
	}
	return out
}

// decodeQP decodes quoted-printable (RFC 2045 6.7) leniently: a "=" that
// starts no valid escape is kept as it is.
func decodeQP(dst, src []byte) []byte {
	for i := 0; i < len(src); i++ {
		if src[i] != '=' {
			// Copy the run up to the next escape in one go.
			j := bytes.IndexByte(src[i:], '=')
			if j < 0 {
				return append(dst, src[i:]...)
			}
			dst = append(dst, src[i:i+j]...)
			i += j
		}
		j := i + 1
		for j < len(src) && (src[j] == ' ' || src[j] == '\t') {
			j++
		}
		switch {
		case j == len(src):
			i = j // "=" at the very end
		case src[j] == '\n':
			i = j // soft line break
		case src[j] == '\r' && j+1 < len(src) && src[j+1] == '\n':
			i = j + 1
		case i+2 < len(src) && unhex(src[i+1]) >= 0 && unhex(src[i+2]) >= 0:
			dst = append(dst, byte(unhex(src[i+1])<<4|unhex(src[i+2])))
			i += 2
		default:
			dst = append(dst, '=')
		}
	}
	return dst
}

func unhex(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	}
	return -1
}

// decodeBase64 decodes base64 ignoring line breaks, spaces and anything
// outside the alphabet, and stops at the padding; bad reports data that
// could not be decoded.
func decodeBase64(src []byte) ([]byte, bool) {
	// Well-formed mail decodes in one call (the standard decoder skips
	// line breaks itself); only damaged input takes the filtering path.
	out := make([]byte, base64.StdEncoding.DecodedLen(len(src)))
	if n, err := base64.StdEncoding.Decode(out, bytes.TrimRight(src, "\r\n \t")); err == nil {
		return out[:n], false
	}
	clean := make([]byte, 0, len(src))
	bad := false
	for i, c := range src {
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '+', c == '/':
			clean = append(clean, c)
			continue
		case c == '=':
			// Padding ends the data; anything but whitespace after it is damage.
			for _, d := range src[i:] {
				if d != '=' && d != '\r' && d != '\n' && d != ' ' && d != '\t' {
					bad = true
					break
				}
			}
		case c == '\r' || c == '\n' || c == ' ' || c == '\t':
			continue
		default:
			bad = true
			continue
		}
		break
	}
	if len(clean)%4 == 1 {
		clean = clean[:len(clean)-1]
		bad = true
	}
	if need := base64.RawStdEncoding.DecodedLen(len(clean)); cap(out) >= need {
		out = out[:need]
	} else {
		out = make([]byte, need)
	}
	n, err := base64.RawStdEncoding.Decode(out, clean)
	if err != nil {
		bad = true
	}
	return out[:n], bad
}

func (p *parser) transferReader(cte string, body []byte) io.Reader {
	switch cte {
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, &b64Filter{b: body})
	case "quoted-printable":
		return quotedprintable.NewReader(bytes.NewReader(body))
	case "", "7bit", "8bit", "binary":
	default:
		p.warn("the transfer encoding %q is unknown; the part was read as is", truncateUTF8(cte, 40))
	}
	return bytes.NewReader(body)
}

// b64Filter feeds a base64 decoder only alphabet bytes: mailers wrap lines
// with spaces and tabs that the standard decoder rejects. Data after the
// padding ends the stream instead of failing it.
type b64Filter struct {
	b    []byte
	done bool
}

func (f *b64Filter) Read(out []byte) (int, error) {
	n := 0
	for len(f.b) > 0 && n < len(out) && !f.done {
		c := f.b[0]
		f.b = f.b[1:]
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '+', c == '/':
			out[n] = c
			n++
		case c == '=':
			out[n] = c
			n++
			if len(f.b) == 0 || f.b[0] != '=' {
				// Pad out to a whole quantum and stop, so that data after the
				// padding does not fail the decode.
				f.done = true
			}
		}
	}
	if n == 0 {
		return 0, io.EOF
	}
	return n, nil
}

// decodeText returns a text part as UTF-8, whatever its declared charset.
func (p *parser) decodeText(cte, cs string, body []byte) string {
	b := p.decodeAll(cte, body, p.opts.MaxTextBytes*4)
	return p.toUTF8(cs, b)
}

var cp1252 = charmap.Windows1252

// toUTF8 converts b from charset cs. An unknown charset, or bytes that are
// not what the charset says, fall back to UTF-8 if valid, else Windows-1252
// (which decodes every byte), so that text is never lost to a wrong label.
func (p *parser) toUTF8(cs string, b []byte) string {
	cs = strings.ToLower(strings.Trim(strings.TrimSpace(cs), `"'`))
	ascii := isASCII(b)
	switch cs {
	case "", "utf-8", "utf8", "us-ascii", "ascii":
		if ascii || utf8.Valid(b) {
			return string(b)
		}
		p.warn("a part declared as %s is not valid %s; it was read as Windows-1252", nonEmpty(cs, "us-ascii"), nonEmpty(cs, "us-ascii"))
		return decodeCP1252(b)
	}
	wide := strings.HasPrefix(cs, "utf-16") || strings.HasPrefix(cs, "utf-32") || strings.HasPrefix(cs, "utf-7") || strings.Contains(cs, "2022")
	if ascii && !wide {
		return string(b)
	}
	if isSingleByteLatin(cs) && utf8.Valid(b) {
		// Valid multi-byte UTF-8 almost never happens by chance in Latin
		// text: the label is wrong, the bytes are UTF-8.
		p.warn("a part declared as %s is really UTF-8; it was read as UTF-8", cs)
		return string(b)
	}
	r, err := charset.Reader(cs, bytes.NewReader(b))
	if err != nil {
		if utf8.Valid(b) {
			p.warn("the charset %q is unknown; the part was read as UTF-8", truncateUTF8(cs, 40))
			return string(b)
		}
		p.warn("the charset %q is unknown; the part was read as Windows-1252", truncateUTF8(cs, 40))
		return decodeCP1252(b)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		p.warn("a part could not be decoded from %s; it was read as Windows-1252", truncateUTF8(cs, 40))
		return decodeCP1252(b)
	}
	return strings.ToValidUTF8(string(out), "\uFFFD")
}

func isSingleByteLatin(cs string) bool {
	return strings.HasPrefix(cs, "iso-8859-") || strings.HasPrefix(cs, "windows-125") ||
		strings.HasPrefix(cs, "cp125") || cs == "latin1" || cs == "latin-1" || cs == "iso8859-1"
}

func decodeCP1252(b []byte) string {
	out, err := cp1252.NewDecoder().Bytes(b)
	if err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return string(out)
}

// isASCII reports whether b is 7-bit, eight bytes at a time.
func isASCII(b []byte) bool {
	for len(b) >= 8 {
		if binary.LittleEndian.Uint64(b)&0x8080808080808080 != 0 {
			return false
		}
		b = b[8:]
	}
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

var wordDecoder = &mime.WordDecoder{CharsetReader: charset.Reader}

// lenientWordDecoder reads encoded words in unknown charsets as
// Windows-1252 rather than failing, so a name or subject stays readable.
var lenientWordDecoder = &mime.WordDecoder{CharsetReader: func(cs string, r io.Reader) (io.Reader, error) {
	if rd, err := charset.Reader(cs, r); err == nil {
		return rd, nil
	}
	return cp1252.NewDecoder().Reader(r), nil
}}

// decodeHeader decodes RFC 2047 encoded words and raw 8-bit bytes.
func (p *parser) decodeHeader(v string) string {
	if strings.Contains(v, "=?") {
		d, err := wordDecoder.DecodeHeader(v)
		if err != nil {
			if d2, err2 := lenientWordDecoder.DecodeHeader(v); err2 == nil {
				p.warn("a header uses an unknown charset; it was read as Windows-1252")
				d = d2
			} else {
				p.warn("a header could not be decoded (%v); it was kept as written", err)
				d = v
			}
		}
		v = d
	}
	if !utf8.ValidString(v) {
		p.warn("a header is not valid UTF-8; it was read as Windows-1252")
		v = decodeCP1252([]byte(v))
	}
	return v
}

// sniffer keeps the first bytes written, for content sniffing.
type sniffer struct {
	head []byte
	n    int64
}

func (s *sniffer) Write(b []byte) (int, error) {
	if room := 512 - len(s.head); room > 0 {
		s.head = append(s.head, b[:min(room, len(b))]...)
	}
	s.n += int64(len(b))
	return len(b), nil
}

var copyBufPool = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// attachment measures, sniffs and hashes a part. It streams the decoded
// bytes through the hash and never keeps, unpacks or opens the file.
func (p *parser) attachment(mt, filename, cte string, body []byte) Attachment {
	if len(body) <= smallAttachment {
		// Small files (most of them) are decoded in one pass and hashed in
		// one call; big ones are streamed so memory stays flat.
		dec := p.decodeAll(cte, body, len(body))
		sum := sha256.Sum256(dec)
		return Attachment{
			Filename:     filename,
			ContentType:  mt,
			DetectedType: detectType(dec[:min(len(dec), 512)]),
			Size:         int64(len(dec)),
			SHA256:       hex.EncodeToString(sum[:]),
		}
	}
	h := sha256.New()
	s := &sniffer{head: make([]byte, 0, 512)}
	bp := copyBufPool.Get().(*[]byte)
	_, err := io.CopyBuffer(io.MultiWriter(h, s), p.transferReader(cte, body), *bp)
	copyBufPool.Put(bp)
	if err != nil {
		p.warn("the %s encoding of an attachment is damaged; the hash covers the bytes that could be decoded", cte)
	}
	return Attachment{
		Filename:     filename,
		ContentType:  mt,
		DetectedType: detectType(s.head),
		Size:         s.n,
		SHA256:       hex.EncodeToString(h.Sum(nil)),
	}
}

// detectType sniffs a file type. net/http knows archives, documents and
// images; it does not know programs, which matter most here.
func detectType(head []byte) string {
	switch {
	case len(head) == 0:
		return "application/x-empty"
	case bytes.HasPrefix(head, []byte("MZ")):
		return "application/x-msdownload"
	case bytes.HasPrefix(head, []byte("\x7fELF")):
		return "application/x-executable"
	case bytes.HasPrefix(head, []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")):
		return "application/x-ole-storage"
	case bytes.HasPrefix(head, []byte("7z\xbc\xaf\x27\x1c")):
		return "application/x-7z-compressed"
	case bytes.HasPrefix(head, []byte("\xcf\xfa\xed\xfe")), bytes.HasPrefix(head, []byte("\xca\xfe\xba\xbe")):
		return "application/x-mach-binary"
	}
	t := http.DetectContentType(head)
	if i := strings.IndexByte(t, ';'); i >= 0 {
		t = t[:i]
	}
	return t
}

// analyse picks the reported original out of the parsed report and fills m.
func (p *parser) analyse(m *Message, top *entity) {
	orig := top
	switch {
	case len(top.attached) > 0:
		m.Forward = ForwardAttachment
		m.Reporter = p.firstAddress(top.get("From"))
		m.Note = noteText(p.bodyText(top))
		orig = top.attached[0]
		if len(top.attached) > 1 {
			p.warn("the report has %d attached messages; the first was analysed", len(top.attached))
		}
		// A forward of a forward: descend while the attached message is
		// itself only a wrapper around another attached message.
		for i := 0; i < p.opts.MaxDepth && len(orig.attached) > 0 && hasForwardPrefix(p.decodeHeader(orig.get("Subject"))); i++ {
			orig = orig.attached[0]
		}
		if hasForwardPrefix(p.decodeHeader(orig.get("Subject"))) {
			if fw, ok := findInlineForward(p.bodyText(orig), orig.html.String()); ok {
				p.fillInline(m, orig, fw)
				return
			}
		}
	default:
		if fw, ok := findInlineForward(p.bodyText(top), top.html.String()); ok {
			// A fake reply chain ("-----Original Message-----" written by
			// the fraudster) must not turn the suspect into a reporter:
			// when the organisation's domains are known, only a colleague
			// can be the one forwarding.
			forwarder := fw.marker || hasForwardPrefix(p.decodeHeader(top.get("Subject")))
			if len(p.opts.OwnDomains) > 0 {
				forwarder = forwarder && isOwnDomain(p.firstAddress(top.get("From")).Domain(), p.opts.OwnDomains)
			}
			if forwarder {
				m.Forward = ForwardInline
				m.Reporter = p.firstAddress(top.get("From"))
				m.Note = noteText(fw.note)
				p.fillInline(m, top, fw)
				return
			}
		}
	}
	p.fillOriginal(&m.Original, orig)
	m.Attachments = orig.atts
	p.simFields = orig.fields
}

// bodyText is the text body, or the visible text of the HTML body.
func (p *parser) bodyText(e *entity) string {
	if e.text.Len() > 0 {
		return e.text.String()
	}
	if e.html.Len() > 0 {
		return htmlToText(e.html.String(), p.opts.MaxTextBytes)
	}
	return ""
}

// noteText trims the reporter's words, including the separator rule some
// clients draw above the forwarded part.
func noteText(s string) string {
	s = strings.TrimRight(s, " \t\r\n_-=*")
	s = strings.TrimSpace(s)
	return truncateUTF8(s, maxNoteBytes)
}

// fillOriginal copies the header facts and bodies of e into o.
func (p *parser) fillOriginal(o *Original, e *entity) {
	o.From = p.firstAddress(e.get("From"))
	if o.From.Address == "" {
		o.From = p.firstAddress(e.get("Sender"))
	}
	o.ReplyTo = p.addressList(e.get("Reply-To"))
	if rp := p.firstAddress(e.get("Return-Path")); rp.Address != "" {
		o.ReturnPath = rp.Address
	}
	o.To = p.addressList(e.get("To"))
	o.Subject = p.decodeHeader(e.get("Subject"))
	if d := e.get("Date"); d != "" {
		// The RFC 5322 form first: net/mail tries many layouts and pays
		// for an error value on each miss.
		if t, err := time.Parse(time.RFC1123Z, d); err == nil {
			o.Date = t.UTC()
		} else if t, err := mail.ParseDate(d); err == nil {
			o.Date = t.UTC()
		} else {
			p.warn("the Date header %q could not be read", truncateUTF8(d, 80))
		}
	}
	o.MessageID = strings.Trim(strings.TrimSpace(e.get("Message-Id")), "<>")
	o.Headers = p.selectHeaders(e.fields)
	o.TextBody = p.bodyText(e)
	o.HTMLBody = e.html.String()
}

// keptHeaders are the fields an analyst or a scorer reads.
var keptHeaders = []string{
	"Authentication-Results", "Received-Spf", "Received", "X-Originating-Ip", "X-Sender-Ip",
	"X-Mailer", "User-Agent", "List-Unsubscribe", "X-Gophish-Contact", "X-Gophish-Signature",
}

func (p *parser) selectHeaders(fields []field) []Header {
	var out []Header
	received := 0
	for _, f := range fields {
		keep := false
		for _, k := range keptHeaders {
			if equalFoldASCII(f.key, k) {
				keep = true
				break
			}
		}
		for _, s := range p.opts.SimulationHeaders {
			name, _, _ := strings.Cut(s, ":")
			if equalFoldASCII(f.key, strings.TrimSpace(name)) {
				keep = true
			}
		}
		if !keep {
			continue
		}
		if equalFoldASCII(f.key, "Received") {
			if received++; received > maxReceived {
				continue
			}
		}
		out = append(out, Header{Name: textproto.CanonicalMIMEHeaderKey(f.key), Value: truncateUTF8(p.decodeHeader(f.value), maxHeaderValue)})
	}
	return out
}

// firstAddress parses the first mailbox of an address header.
func (p *parser) firstAddress(v string) Address {
	l := p.addressList(v)
	if len(l) == 0 {
		return Address{}
	}
	return l[0]
}

var addrParser = &mail.AddressParser{WordDecoder: wordDecoder}

// addressList parses an address header; when the strict parser refuses it,
// the addresses found in it are taken with the text before each as name.
func (p *parser) addressList(v string) []Address {
	v = strings.TrimSpace(v)
	if v == "" || v == "<>" {
		return nil
	}
	if a, ok := simpleAddress(v); ok {
		return []Address{a}
	}
	if list, err := addrParser.ParseList(v); err == nil {
		out := make([]Address, 0, len(list))
		for _, a := range list {
			out = append(out, Address{Name: strings.TrimSpace(a.Name), Address: normAddress(a.Address)})
		}
		return out
	}
	v = p.decodeHeader(v)
	var out []Address
	rest := v
	for len(out) < 50 {
		at, start, end := nextEmail(rest)
		if at == "" {
			break
		}
		name := strings.TrimSpace(rest[:start])
		name = strings.TrimRight(name, "<[( \t")
		name = strings.TrimLeft(name, ",; \t")
		name = strings.Trim(name, `"'* `)
		out = append(out, Address{Name: name, Address: normAddress(at)})
		rest = rest[end:]
		if i := strings.IndexAny(rest, ",;"); i >= 0 {
			rest = rest[i+1:]
		} else {
			rest = ""
		}
	}
	return out
}

// simpleAddress parses the common shapes of a single mailbox — a@b,
// <a@b>, Name <a@b>, "Last, First" <a@b> — without the general parser's
// cost; ok is false for anything else (lists, comments, encoded words,
// escapes), which goes to net/mail.
func simpleAddress(v string) (Address, bool) {
	if strings.Contains(v, "=?") || strings.ContainsAny(v, "()\\;") {
		return Address{}, false
	}
	name, addr := "", v
	if strings.HasSuffix(v, ">") {
		lt := strings.LastIndexByte(v, '<')
		if lt < 0 {
			return Address{}, false
		}
		name, addr = strings.TrimSpace(v[:lt]), v[lt+1:len(v)-1]
		if strings.HasPrefix(name, `"`) {
			if len(name) < 2 || !strings.HasSuffix(name, `"`) || strings.Contains(name[1:len(name)-1], `"`) {
				return Address{}, false
			}
			name = name[1 : len(name)-1]
		} else if strings.ContainsAny(name, `",<>@:[]`) || !utf8.ValidString(name) {
			return Address{}, false
		}
	} else if strings.ContainsAny(v, ",<> \t\"") {
		return Address{}, false
	}
	at := strings.LastIndexByte(addr, '@')
	if at <= 0 || at == len(addr)-1 || strings.IndexByte(addr, '@') != at {
		return Address{}, false
	}
	for i := 0; i < len(addr); i++ {
		c := addr[i]
		if !(isAlnum(c) || strings.IndexByte(".-_+'&=!#$%*/?^`{|}~@", c) >= 0) {
			return Address{}, false
		}
	}
	if addr[0] == '.' || addr[at-1] == '.' || strings.Contains(addr, "..") || !plausibleDomain(addr[at+1:]) {
		return Address{}, false
	}
	return Address{Name: strings.TrimSpace(name), Address: normAddress(addr)}, true
}

// plausibleDomain reports whether d is dot-separated labels of letters,
// digits and hyphens.
func plausibleDomain(d string) bool {
	if d == "" || d[0] == '.' || d[len(d)-1] == '.' {
		return false
	}
	for i := 0; i < len(d); i++ {
		if c := d[i]; !(isAlnum(c) || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// normAddress lower-cases the domain; the local part is the sender's.
func normAddress(a string) string {
	i := strings.LastIndexByte(a, '@')
	if i < 0 {
		return a
	}
	return a[:i+1] + strings.ToLower(a[i+1:])
}

func domainOf(addr string) string {
	i := strings.LastIndexByte(addr, '@')
	if i < 0 {
		return ""
	}
	return strings.TrimSuffix(strings.ToLower(addr[i+1:]), ".")
}

// fillInline fills the Original from an inline-quoted forward found in e.
func (p *parser) fillInline(m *Message, e *entity, fw inlineForward) {
	if m.Forward == "" {
		m.Forward = ForwardInline
	}
	o := &m.Original
	o.From = p.firstAddress(fw.from)
	o.ReplyTo = p.addressList(fw.replyTo)
	o.To = p.addressList(fw.to)
	o.Subject = strings.TrimSpace(fw.subject)
	if fw.subject == "" {
		o.Subject = stripSubjectPrefixes(p.decodeHeader(e.get("Subject")))
	}
	o.Date = parseLooseDate(fw.date)
	o.TextBody = fw.body
	o.HTMLBody = fw.html
	m.Attachments = e.atts
	if o.From.Address == "" {
		p.warn("the message looks like an inline forward but the original sender could not be found")
	}
	p.warn("the original was forwarded inline: its headers, and so its authentication results, are not available")
	p.simFields = nil
}

// parseLooseDate reads the dates mail clients write in quoted forwards.
func parseLooseDate(s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	if t, err := mail.ParseDate(s); err == nil {
		return t.UTC()
	}
	s = strings.Replace(s, " at ", " ", 1)
	for _, layout := range looseDateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

var looseDateLayouts = []string{
	"Mon, Jan 2, 2006 3:04 PM",        // Gmail
	"Monday, January 2, 2006 3:04 PM", // Outlook
	"Monday, January 2, 2006 15:04",
	"Monday, 2 January 2006 15:04",
	"2 January 2006 15:04:05 MST", // Apple Mail
	"January 2, 2006 3:04:05 PM MST",
	"January 2, 2006 15:04:05 MST",
	"Mon, 2 Jan 2006 15:04",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"02.01.2006 15:04",
	"2.1.2006 15:04",
	"02/01/2006 15:04",
}

// truncateUTF8 cuts s to at most n bytes without splitting a character.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	if n <= 0 {
		return ""
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// equalFoldASCII compares header names without allocating.
func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if x|0x20 != y|0x20 || (x|0x20 < 'a' || x|0x20 > 'z') && x != y {
			return false
		}
	}
	return true
}
