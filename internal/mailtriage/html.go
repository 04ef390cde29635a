package mailtriage

import (
	"bytes"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// htmlLink is a link in an HTML body with the text a reader sees on it.
type htmlLink struct {
	href string
	text string
}

// maxHTMLLinks bounds the links read from one body; the indicator cap is
// lower still, this only stops a hostile body from costing memory.
const maxHTMLLinks = 1000

// scanHTML tokenises an HTML body once and returns its visible text (when
// wantText) and its links: a and area hrefs and form actions. Script, style
// and head content is not visible and is skipped. When onText is set it is
// called with each visible text run that may hold an indicator. The
// tokenizer never fetches or runs anything.
func scanHTML(s string, maxText int, wantText bool, onText func(string)) (string, []htmlLink) {
	z := html.NewTokenizerFragment(strings.NewReader(s), "body")
	z.SetMaxBuf(0)
	var text []byte
	if wantText {
		text = make([]byte, 0, min(len(s)/2, maxText))
	}
	var links []htmlLink
	var anchor strings.Builder
	inAnchor := false
	anchorHref := ""
	skip := 0 // depth inside script/style/head/title
	space := true
	write := func(b []byte) {
		for _, c := range b {
			if c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' {
				if !space {
					text = append(text, ' ')
					space = true
				}
				continue
			}
			text = append(text, c)
			space = false
		}
	}
	newline := func() {
		n := len(text)
		if n == 0 || text[n-1] == '\n' {
			return
		}
		if text[n-1] == ' ' {
			text = text[:n-1]
		}
		text = append(text, '\n')
		space = true
	}
	finishAnchor := func() {
		if inAnchor && len(links) < maxHTMLLinks {
			links = append(links, htmlLink{href: anchorHref, text: strings.Join(strings.Fields(anchor.String()), " ")})
		}
		inAnchor = false
		anchor.Reset()
	}
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			finishAnchor()
			return strings.TrimSpace(string(text)), links
		case html.TextToken:
			if skip > 0 {
				continue
			}
			b := z.Text()
			if inAnchor && anchor.Len() < 512 {
				anchor.Write(b)
			}
			if wantText && len(text) < maxText {
				write(b)
			}
			if onText != nil && mayHoldIndicator(b) {
				onText(string(b))
			}
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			// The tag name is read from the raw token: Tokenizer.TagName
			// copies every name it returns, and most tags are not looked at.
			a := rawTagAtom(z.Raw())
			end := tt == html.EndTagToken
			hasAttr := true
			switch a {
			case atom.Script, atom.Style, atom.Head, atom.Title, atom.Noscript, atom.Template:
				if tt == html.StartTagToken {
					skip++
				} else if end && skip > 0 {
					skip--
				}
				continue
			case atom.A, atom.Area, atom.Form:
				if end {
					if a == atom.A {
						finishAnchor()
					}
					continue
				}
				want := "href"
				if a == atom.Form {
					want = "action"
				}
				var href string
				for hasAttr {
					var k, v []byte
					k, v, hasAttr = z.TagAttr()
					if string(k) == want {
						href = strings.TrimSpace(string(v))
					}
				}
				if a == atom.A {
					finishAnchor()
					if href != "" && tt == html.StartTagToken {
						inAnchor, anchorHref = true, href
					}
				} else if href != "" && len(links) < maxHTMLLinks {
					links = append(links, htmlLink{href: href})
				}
			case atom.Br, atom.P, atom.Div, atom.Tr, atom.Li, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6,
				atom.Table, atom.Blockquote, atom.Hr, atom.Ul, atom.Ol, atom.Pre, atom.Section, atom.Article, atom.Header, atom.Footer:
				if wantText && skip == 0 {
					newline()
				}
			}
		}
	}
}

// htmlToText returns the visible text of an HTML body.
func htmlToText(s string, maxText int) string {
	t, _ := scanHTML(s, maxText, true, nil)
	return t
}

// mayHoldIndicator is a quick test for text that might hold a URL, an email
// address or an IP address, so that plain prose is not scanned in full.
func mayHoldIndicator(b []byte) bool {
	if bytes.Contains(b, []byte("://")) || bytes.IndexByte(b, '@') >= 0 || bytes.Contains(b, []byte("::")) {
		return true
	}
	for i := 1; i+1 < len(b); i++ {
		switch b[i] {
		case '.':
			if b[i-1] >= '0' && b[i-1] <= '9' && b[i+1] >= '0' && b[i+1] <= '9' || b[i-1]|0x20 == 'w' && i >= 3 && b[i-2]|0x20 == 'w' && b[i-3]|0x20 == 'w' {
				return true
			}
		case ':':
			if bytes.Count(b, []byte(":")) >= 6 {
				return true
			}
		}
	}
	return false
}

// rawTagAtom returns the atom of the tag in a raw start or end tag token
// ("<A href=…>", "</p>"), or 0 for names that are not atoms or are long.
func rawTagAtom(raw []byte) atom.Atom {
	i := 1
	if i < len(raw) && raw[i] == '/' {
		i++
	}
	var buf [16]byte
	n := 0
	for ; i < len(raw); i++ {
		c := raw[i]
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '/' || c == '>' {
			break
		}
		if n == len(buf) {
			return 0
		}
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[n] = c
		n++
	}
	return atom.Lookup(buf[:n])
}
