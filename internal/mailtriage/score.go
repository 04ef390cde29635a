package mailtriage

import (
	"fmt"
	"path"
	"strings"
)

// Signal codes.
const (
	SignalReplyToMismatch  = "reply_to_mismatch"
	SignalDisplayName      = "display_name_impersonation"
	SignalAuthFail         = "auth_fail"
	SignalAuthPass         = "auth_pass"
	SignalLookalikeDomain  = "lookalike_domain"
	SignalLinkTextMismatch = "link_text_mismatch"
	SignalUrgency          = "urgency_language"
	SignalPaymentChange    = "payment_change_language"
	SignalRiskyAttachment  = "risky_attachment"
	SignalExternalSender   = "external_sender"
	SignalSimulation       = "simulation"
)

// Verdict levels.
const (
	LevelMalicious  = "likely-malicious"
	LevelSuspicious = "suspicious"
	LevelSafe       = "likely-safe"
	LevelSimulation = "simulation"
)

// Score thresholds for the levels; a single strong signal (a look-alike
// sender, a program attached) makes a message suspicious, two make it
// likely malicious.
const (
	maliciousAt  = 60
	suspiciousAt = 25
)

// Signal is one reason behind a verdict.
type Signal struct {
	Code   string `json:"code"`
	Weight int    `json:"weight"`
	// Reason is one plain sentence a reporter or an analyst can read.
	Reason string `json:"reason"`
}

// Verdict is the outcome of scoring a message.
type Verdict struct {
	Score   int      `json:"score"` // 0–100
	Level   string   `json:"level"`
	Signals []Signal `json:"signals"`
}

// Score weighs the signals of a message and returns a verdict with every
// reason that produced it. Messages recognised as the organisation's own
// phishing simulations get Level "simulation" whatever their score, and keep
// their signals, which show the reporter what gave the test away.
func Score(m *Message, ind Indicators, opts Options) Verdict {
	var sigs []Signal
	add := func(code string, weight int, format string, args ...any) {
		sigs = append(sigs, Signal{Code: code, Weight: weight, Reason: fmt.Sprintf(format, args...)})
	}
	o := &m.Original
	fromDom := o.From.Domain()
	own := opts.OwnDomains
	external := fromDom != "" && !isOwnDomain(fromDom, own)

	if m.IsSimulation {
		add(SignalSimulation, 0, "%s", m.SimulationReason)
	}

	// Reply-To elsewhere: answers go to the fraudster, not to the sender shown.
	for _, rt := range o.ReplyTo {
		d := rt.Domain()
		if d != "" && fromDom != "" && registrable(d) != registrable(fromDom) {
			add(SignalReplyToMismatch, 20, "Replies would go to %s, not to the sender's domain %s: a way to take over the conversation.", d, fromDom)
			break
		}
	}

	// A stranger using a colleague's name.
	if external && o.From.Name != "" {
		if e, _, _ := nextEmail(o.From.Name); e != "" && !strings.EqualFold(e, o.From.Address) && (isOwnDomain(domainOf(e), own) || len(own) == 0) {
			add(SignalDisplayName, 35, "The sender's name shows the address %s, but the message really comes from %s.", e, o.From.Address)
		} else if who := impersonatedName(o.From.Name, opts.InternalNames); who != "" {
			add(SignalDisplayName, 35, "The sender calls themself %q, the name of someone in the organisation, but writes from the outside address %s.", who, o.From.Address)
		}
	}

	scoreAuth(ind.Auth, add)

	// Look-alikes of the organisation's own domains; the sender's own
	// domain weighs more than a link's.
	if prepared := prepareOwn(own); len(prepared) > 0 {
		senders := map[string]bool{fromDom: true, domainOf(o.ReturnPath): true}
		for _, rt := range o.ReplyTo {
			senders[rt.Domain()] = true
		}
		done := false
		for _, d := range ind.Domains {
			if od, how, ok := lookalikeReg(d.Name, d.Registrable, prepared); ok {
				shown := d.Name
				if d.Unicode != "" {
					shown = d.Unicode
				}
				if senders[d.Name] {
					add(SignalLookalikeDomain, 40, "The sender's domain %s imitates your domain %s: %s.", shown, od, how)
				} else {
					add(SignalLookalikeDomain, 25, "A link goes to %s, which imitates your domain %s: %s.", shown, od, how)
				}
				done = true
			}
			if done {
				break
			}
		}
	}

	if n := len(ind.LinkMismatches); n > 0 {
		lm := ind.LinkMismatches[0]
		more := ""
		if n > 1 {
			more = fmt.Sprintf(" (and %d more link%s like it)", n-1, plural(n-1))
		}
		add(SignalLinkTextMismatch, 20, "A link shows %s but leads to %s%s.", lm.TextHost, lm.HrefHost, more)
	}

	urg, pay, payWeak, change := scanLanguage(o.Subject, o.TextBody)
	if len(urg) > 0 {
		w := 10
		if len(urg) > 1 {
			w = 15
		}
		add(SignalUrgency, w, "The message pushes for haste (%s), a common pressure tactic.", quoteList(urg))
	}
	switch {
	case len(pay) > 0:
		add(SignalPaymentChange, 25, "The message talks about paying or changing payment details (%s): confirm by phone on a known number before any payment.", quoteList(pay))
	case len(payWeak) > 0 && len(change) > 0:
		add(SignalPaymentChange, 20, "The message mentions payment details (%s) together with a change (%s): confirm by phone on a known number before any payment.", quoteList(payWeak), quoteList(change))
	}

	if w, reason := riskiestAttachment(m.Attachments); w > 0 {
		add(SignalRiskyAttachment, w, "%s", reason)
	}

	if external && len(own) > 0 {
		add(SignalExternalSender, 5, "The message comes from outside the organisation (%s).", fromDom)
	}

	v := Verdict{Signals: sigs}
	for _, s := range sigs {
		v.Score += s.Weight
	}
	v.Score = max(0, min(100, v.Score))
	switch {
	case m.IsSimulation:
		v.Level = LevelSimulation
	case v.Score >= maliciousAt:
		v.Level = LevelMalicious
	case v.Score >= suspiciousAt:
		v.Level = LevelSuspicious
	default:
		v.Level = LevelSafe
	}
	if v.Signals == nil {
		v.Signals = []Signal{}
	}
	return v
}

// scoreAuth turns authentication results into signals: failures weigh,
// a full pass is noted without weight, since fraudsters authenticate their
// own look-alike domains just fine.
func scoreAuth(ar AuthResults, add func(string, int, string, ...any)) {
	if ar.SPF == "" && ar.DKIM == "" && ar.DMARC == "" {
		return
	}
	var bad []string
	w := 0
	switch ar.DMARC {
	case "fail":
		w += 30
		bad = append(bad, "DMARC failed")
	case "none", "":
		if ar.DMARC == "none" {
			w += 5
			bad = append(bad, "the domain publishes no DMARC policy")
		}
	}
	switch ar.SPF {
	case "fail", "hardfail":
		w += 15
		bad = append(bad, "SPF failed")
	case "softfail":
		w += 10
		bad = append(bad, "SPF soft-failed")
	case "none":
		w += 3
		bad = append(bad, "there is no SPF record")
	}
	switch ar.DKIM {
	case "fail", "permerror":
		w += 10
		bad = append(bad, "the DKIM signature is invalid")
	case "none":
		w += 3
		bad = append(bad, "the message is not DKIM-signed")
	}
	by := ""
	if ar.ServID != "" {
		by = " (checked by " + ar.ServID + ")"
	}
	if len(bad) > 0 {
		add(SignalAuthFail, min(w, 40), "Sender authentication is weak: %s%s, so the sender may not be who they claim.", strings.Join(bad, ", "), by)
		return
	}
	if ar.DMARC == "pass" || (ar.SPF == "pass" && ar.DKIM == "pass") {
		dom := ar.HeaderFrom
		if dom == "" {
			dom = "its domain"
		}
		add(SignalAuthPass, 0, "SPF, DKIM and DMARC checks passed for %s%s: the message does come from that domain, which says nothing about whether the domain is honest.", dom, by)
	}
}

// impersonatedName returns the internal name that display matches: the
// same words in any order and case, or all the words of a name of two or
// more words within a longer display ("Jane Doe (CEO)"). The cost is linear
// in the list, so list the people worth impersonating, not the directory.
func impersonatedName(display string, names []string) string {
	dw := nameWords(display)
	if len(dw) == 0 {
		return ""
	}
	for _, n := range names {
		nw := 0
		ok := true
		forWords(n, func(w string) bool {
			nw++
			for _, d := range dw {
				if strings.EqualFold(d, w) {
					return true
				}
			}
			ok = false
			return false
		})
		if !ok || nw == 0 {
			continue
		}
		if nw == len(dw) || (nw >= 2 && nw < len(dw)) {
			return strings.TrimSpace(n)
		}
	}
	return ""
}

func nameWords(s string) []string {
	var out []string
	forWords(s, func(w string) bool {
		out = append(out, w)
		return len(out) < 12
	})
	return out
}

// forWords calls fn for each run of letters and digits in s until fn
// returns false.
func forWords(s string, fn func(string) bool) {
	forWordSpans(s, func(i, j int) bool { return fn(s[i:j]) })
}

// forWordSpans calls fn with the bounds of each run of letters and digits
// in s until fn returns false.
func forWordSpans(s string, fn func(i, j int) bool) {
	for i := 0; ; {
		ws, we := nextWord(s, i)
		if ws < 0 || !fn(ws, we) {
			return
		}
		i = we
	}
}

// Attachment risk by file ending. Archives are only noted: they are never
// opened here, and what they hold is unknown.
var (
	programExts = set("exe", "scr", "com", "pif", "bat", "cmd", "vbs", "vbe", "js", "jse", "wsf", "wsh", "hta", "msi", "msix", "msp",
		"ps1", "psm1", "jar", "lnk", "cpl", "reg", "dll", "appx", "appxbundle", "application", "gadget", "iqy", "slk", "chm", "xll",
		"apk", "dmg", "pkg", "app", "sh", "scf", "url", "inf", "msc", "ws", "vb", "appref-ms", "settingcontent-ms", "library-ms", "one")
	macroExts   = set("docm", "dotm", "xlsm", "xltm", "xlam", "pptm", "potm", "ppam", "ppsm", "sldm", "xlsb")
	legacyExts  = set("doc", "xls", "ppt", "dot", "xlt", "pot", "pps", "rtf")
	imageExts   = set("iso", "img", "vhd", "vhdx", "udf")
	htmlExts    = set("html", "htm", "shtml", "xhtml", "svg", "mht", "mhtml", "xht")
	archiveExts = set("zip", "rar", "7z", "gz", "tgz", "tar", "cab", "ace", "arj", "lzh", "lha", "xz", "bz2", "z", "zipx", "r00", "r01")
)

func set(xs ...string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

// riskiestAttachment returns the weight and reason of the most dangerous
// attachment, 0 when none is risky.
func riskiestAttachment(atts []Attachment) (int, string) {
	best, reason := 0, ""
	consider := func(w int, r string) {
		if w > best {
			best, reason = w, r
		}
	}
	for _, a := range atts {
		name := a.Filename
		ext := strings.ToLower(strings.TrimPrefix(path.Ext(name), "."))
		shown := name
		if shown == "" {
			shown = "without a name"
		} else {
			shown = fmt.Sprintf("%q", shown)
		}
		switch a.DetectedType {
		case "application/x-msdownload", "application/x-executable", "application/x-mach-binary":
			if ext != "" && !programExts[ext] {
				consider(50, fmt.Sprintf("The attachment %s is a program disguised as a .%s file: opening it would run it.", shown, ext))
			} else {
				consider(45, fmt.Sprintf("The attachment %s is a program: opening it would run it.", shown))
			}
		}
		switch {
		case programExts[ext]:
			consider(45, fmt.Sprintf("The attachment %s is a program or script (.%s): opening it would run it.", shown, ext))
		case imageExts[ext]:
			consider(35, fmt.Sprintf("The attachment %s is a disk image (.%s), a way to slip programs past mail filters.", shown, ext))
		case macroExts[ext]:
			consider(30, fmt.Sprintf("The attachment %s is an Office file that can carry macros (.%s).", shown, ext))
		case htmlExts[ext] || a.ContentType == "text/html" || a.DetectedType == "text/html":
			consider(30, fmt.Sprintf("The attachment %s is a web page (.%s): such files usually show a fake sign-in form.", shown, nonEmpty(ext, "html")))
		case legacyExts[ext] || a.DetectedType == "application/x-ole-storage":
			consider(15, fmt.Sprintf("The attachment %s is an older Office format that can carry macros.", shown))
		case archiveExts[ext] || isArchiveType(a.DetectedType):
			consider(10, fmt.Sprintf("The attachment %s is an archive; it was not opened, and what it holds is unknown.", shown))
		}
		if hasDoubleExtension(name) {
			consider(40, fmt.Sprintf("The attachment %s has a double ending, a trick to hide its real type.", shown))
		}
	}
	return best, reason
}

func isArchiveType(t string) bool {
	switch t {
	case "application/zip", "application/x-rar-compressed", "application/x-gzip", "application/x-7z-compressed", "application/vnd.rar":
		return true
	}
	return false
}

// hasDoubleExtension spots "invoice.pdf.exe" and "scan.pdf .js": a
// document ending followed by a dangerous one.
func hasDoubleExtension(name string) bool {
	name = strings.ToLower(name)
	last := strings.TrimPrefix(path.Ext(name), ".")
	if !programExts[last] && !htmlExts[last] && !imageExts[last] {
		return false
	}
	inner := strings.TrimSpace(strings.TrimSuffix(name, "."+last))
	switch strings.TrimPrefix(path.Ext(inner), ".") {
	case "pdf", "doc", "docx", "xls", "xlsx", "jpg", "jpeg", "png", "txt", "zip":
		return true
	}
	return false
}

func quoteList(xs []string) string {
	if len(xs) > 3 {
		xs = xs[:3]
	}
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = "“" + x + "”"
	}
	return strings.Join(q, ", ")
}
