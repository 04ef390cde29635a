package mailtriage

import (
	"net/netip"
	"net/url"
	"strings"
)

// Indicators are the observable facts of a message that an analyst can
// search for, block or share. Every list is de-duplicated, in the order
// first seen (sender headers, then text, then HTML), and capped.
type Indicators struct {
	URLs           []string       `json:"urls,omitempty"`
	Domains        []Domain       `json:"domains,omitempty"`
	IPs            []string       `json:"ips,omitempty"`
	Emails         []string       `json:"emails,omitempty"`
	Attachments    []Attachment   `json:"attachments,omitempty"`
	LinkMismatches []LinkMismatch `json:"link_mismatches,omitempty"`
	Auth           AuthResults    `json:"auth"`
	// Truncated is true when some list reached its cap.
	Truncated bool `json:"truncated,omitempty"`
}

// LinkMismatch is an HTML link whose visible text names one site while the
// link goes to another.
type LinkMismatch struct {
	Text     string `json:"text"`
	Href     string `json:"href"`
	TextHost string `json:"text_host"`
	HrefHost string `json:"href_host"`
}

// collector de-duplicates and caps indicator lists.
type collector struct {
	ind Indicators
	max int
	// seen holds what was collected: a slice while small, as most mails
	// have a few dozen indicators, and a map once it grows.
	seen    []seenKey
	seenMap map[seenKey]struct{}
	// skip are the reporter's and recipients' addresses: the victims of
	// the attack, not indicators of it.
	skip []string
}

// seenKey identifies an indicator of one kind, without building a string.
type seenKey struct {
	kind byte
	v    string
}

func (c *collector) once(kind byte, v string) bool {
	k := seenKey{kind, v}
	if c.seenMap != nil {
		if _, ok := c.seenMap[k]; ok {
			return false
		}
		c.seenMap[k] = struct{}{}
		return true
	}
	for _, x := range c.seen {
		if x == k {
			return false
		}
	}
	c.seen = append(c.seen, k)
	if len(c.seen) > 48 {
		c.seenMap = make(map[seenKey]struct{}, 2*len(c.seen))
		for _, x := range c.seen {
			c.seenMap[x] = struct{}{}
		}
	}
	return true
}

func (c *collector) full(n int) bool {
	if n >= c.max {
		c.ind.Truncated = true
		return true
	}
	return false
}

func (c *collector) addDomain(host string) {
	ascii, display, ok := normHost(host)
	if !ok || !strings.Contains(ascii, ".") {
		return
	}
	if _, err := netip.ParseAddr(ascii); err == nil {
		return
	}
	if !c.once('d', ascii) || c.full(len(c.ind.Domains)) {
		return
	}
	c.ind.Domains = append(c.ind.Domains, Domain{Name: ascii, Unicode: display, Registrable: registrable(ascii)})
}

func (c *collector) addEmail(a string) {
	a = strings.Trim(a, "<>")
	at := strings.LastIndexByte(a, '@')
	if at <= 0 || at == len(a)-1 {
		return
	}
	a = normAddress(a)
	for _, x := range c.skip {
		if strings.EqualFold(x, a) {
			return
		}
	}
	if c.once('e', strings.ToLower(a)) && !c.full(len(c.ind.Emails)) {
		c.ind.Emails = append(c.ind.Emails, a)
	}
	c.addDomain(a[at+1:])
}

func (c *collector) addIP(ip netip.Addr) {
	s := ip.Unmap().String()
	if c.once('i', s) && !c.full(len(c.ind.IPs)) {
		c.ind.IPs = append(c.ind.IPs, s)
	}
}

// addURL records an absolute http(s) URL and its host; it returns the
// parsed host ("" when the URL is not usable).
func (c *collector) addURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	host := u.Hostname()
	ascii, _, ok := normHost(host)
	if !ok {
		if a, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
			ascii, ok = a.String(), true
		}
	}
	if !ok {
		return ""
	}
	norm := canonicalURL(raw, u.Scheme)
	if c.once('u', norm) && !c.full(len(c.ind.URLs)) {
		c.ind.URLs = append(c.ind.URLs, norm)
	}
	if a, err := netip.ParseAddr(ascii); err == nil {
		c.addIP(a)
	} else {
		c.addDomain(ascii)
	}
	return ascii
}

// canonicalURL lower-cases scheme and host and drops the fragment, which a
// browser never sends; the rest stays as written, since paths and tokens
// are case-sensitive.
func canonicalURL(raw, scheme string) string {
	if i := strings.IndexByte(raw, '#'); i >= 0 {
		raw = raw[:i]
	}
	k := strings.Index(raw, "://")
	if k < 0 {
		return raw
	}
	rest := raw[k+3:]
	end := strings.IndexAny(rest, "/?")
	if end < 0 {
		end = len(rest)
	}
	if len(raw) > 2048 {
		raw = truncateUTF8(raw, 2048)
	}
	return scheme + "://" + asciiLower(rest[:end]) + raw[min(k+3+end, len(raw)):]
}

// Extract collects the indicators of the reported original: URLs from the
// text and from HTML links, their domains, IP addresses, email addresses,
// attachments, the authentication results, and HTML links whose text names
// a different site than the one they lead to. The reporter's own address and
// words are left out: they are not part of the attack.
func Extract(m *Message, opts Options) Indicators {
	opts = opts.withDefaults()
	c := &collector{max: opts.MaxIndicators, seen: make([]seenKey, 0, 32)}
	o := &m.Original
	if m.Reporter.Address != "" {
		c.skip = append(c.skip, m.Reporter.Address)
	}
	for _, a := range o.To {
		c.skip = append(c.skip, a.Address)
	}

	c.addEmail(o.From.Address)
	for _, a := range o.ReplyTo {
		c.addEmail(a.Address)
	}
	c.addEmail(o.ReturnPath)
	for _, h := range o.Headers {
		switch {
		case equalFoldASCII(h.Name, "X-Originating-Ip"), equalFoldASCII(h.Name, "X-Sender-Ip"):
			findIPs(h.Value, c.addIP)
		case equalFoldASCII(h.Name, "Received"):
			// Only public addresses: private ones are the organisation's
			// own relays and tell nothing about the sender.
			findIPs(h.Value, func(a netip.Addr) {
				if !a.IsPrivate() && !a.IsLoopback() && !a.IsLinkLocalUnicast() && !a.IsUnspecified() {
					c.addIP(a)
				}
			})
		}
	}
	c.ind.Auth = parseAuthResults(o.Headers, opts.TrustedAuthServIDs)

	scanText := func(s string) {
		findURLs(s, func(u string) { c.addURL(u) })
		for rest := s; ; {
			e, _, end := nextEmail(rest)
			if e == "" {
				break
			}
			c.addEmail(e)
			rest = rest[end:]
		}
		findIPs(s, c.addIP)
	}
	scanText(o.TextBody)

	if o.HTMLBody != "" {
		// Visible text is scanned run by run as the tokenizer yields it:
		// the text part usually says the same, so building and scanning a
		// second copy of the whole text would be wasted.
		_, links := scanHTML(o.HTMLBody, 0, false, scanText)
		for _, l := range links {
			href := l.href
			if strings.HasPrefix(strings.ToLower(href), "mailto:") {
				addr, _, _ := strings.Cut(href[len("mailto:"):], "?")
				if unesc, err := url.PathUnescape(addr); err == nil {
					addr = unesc
				}
				c.addEmail(strings.TrimSpace(addr))
				continue
			}
			host := c.addURL(href)
			if host == "" || l.text == "" {
				continue
			}
			if th := hostInText(l.text); th != "" && registrable(th) != registrable(host) {
				if len(c.ind.LinkMismatches) < c.max {
					c.ind.LinkMismatches = append(c.ind.LinkMismatches, LinkMismatch{
						Text: truncateUTF8(l.text, 200), Href: truncateUTF8(href, 500), TextHost: th, HrefHost: host,
					})
				} else {
					c.ind.Truncated = true
				}
			}
		}
	}

	for i, a := range m.Attachments {
		if i >= c.max {
			c.ind.Truncated = true
			break
		}
		c.ind.Attachments = append(c.ind.Attachments, a)
	}
	return c.ind
}

// hostInText returns the host named by a link's visible text when the text
// is a URL or a bare domain ("www.bank.com", "https://bank.com/login",
// "bank.com"), else "". Text like "Click here" or "Invoice 2.1" names none.
func hostInText(t string) string {
	t = strings.TrimSpace(t)
	if t == "" || len(t) > 300 || strings.ContainsAny(t, " \t\n") {
		return ""
	}
	lower := strings.ToLower(t)
	switch {
	case strings.HasPrefix(lower, "http://"), strings.HasPrefix(lower, "https://"):
		// An explicit URL names its host whatever the ending.
		u, err := url.Parse(t)
		if err != nil || u.Host == "" {
			return ""
		}
		if ascii, _, ok := normHost(u.Hostname()); ok {
			return ascii
		}
		return ""
	default:
		if at := strings.LastIndexByte(t, '@'); at >= 0 {
			return "" // an email address as link text is handled as an email
		}
		if i := strings.IndexAny(t, "/?#"); i >= 0 {
			t = t[:i]
		}
		t = strings.TrimRight(t, ".,;:!)")
	}
	ascii, _, ok := normHost(t)
	if !ok || !strings.Contains(ascii, ".") {
		return ""
	}
	if _, err := netip.ParseAddr(ascii); err == nil {
		return ascii
	}
	// A bare word with a dot is a domain only if its ending is a real
	// public suffix ("report.pdf" is not).
	tld := ascii[strings.LastIndexByte(ascii, '.')+1:]
	if _, icann := publicSuffix(tld); !icann {
		return ""
	}
	if suffix, _ := publicSuffix(ascii); suffix == ascii {
		return ""
	}
	return ascii
}
