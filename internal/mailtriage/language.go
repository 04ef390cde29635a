package mailtriage

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Phrase lists, lower-case. English first, then German, French and Dutch,
// the other languages reporters commonly receive fraud in. Accented words
// also appear without accents, as fraudsters often type them.
var (
	urgencyPhrases = []string{
		"urgent", "urgently", "immediately", "immediate action", "immediate attention", "asap", "as soon as possible",
		"right away", "within 24 hours", "within 48 hours", "within 24h", "within 12 hours", "today only", "final notice",
		"final warning", "last warning", "last chance", "action required", "action needed", "account will be suspended",
		"will be suspended", "has been suspended", "will be closed", "will be deactivated", "will be terminated",
		"verify your account", "confirm your account", "expires today", "will expire", "time sensitive", "do not delay",
		"failure to comply", "unusual activity", "suspicious activity",
		"dringend", "sofort", "umgehend", "unverzüglich", "unverzueglich", "eilig", "gesperrt", "letzte mahnung",
		"letzte warnung", "innerhalb von 24 stunden", "sofortige", "bis heute",
		"immédiatement", "immediatement", "dès que possible", "des que possible", "sans délai", "sans delai", "suspendu",
		"bloqué", "dernier avertissement", "dernière relance", "derniere relance", "sous 24 heures", "dans les 24 heures",
		"onmiddellijk", "zo snel mogelijk", "spoedig", "geblokkeerd", "opgeschort", "laatste waarschuwing", "binnen 24 uur",
	}
	paymentPhrases = []string{
		"new bank account", "new bank details", "new account details", "new banking details", "updated bank details",
		"update our bank details", "updated banking details", "change of bank details", "changed our bank", "change our bank",
		"bank details have changed", "banking details have changed", "bank account has changed", "change of account",
		"new iban", "new remittance", "payment details have changed", "payment to the new account", "gift card", "gift cards",
		"itunes card", "google play card", "steam card",
		"neue bankverbindung", "neue kontoverbindung", "neue kontonummer", "neue iban", "geänderte bankverbindung",
		"änderung der bankverbindung", "aenderung der bankverbindung", "kontoänderung", "gutscheinkarten", "geschenkkarten",
		"nouveau rib", "nouvelles coordonnées bancaires", "nouvelles coordonnees bancaires", "changement de coordonnées bancaires",
		"changement de rib", "cartes cadeaux", "carte cadeau",
		"nieuw rekeningnummer", "nieuwe bankgegevens", "gewijzigde bankgegevens", "wijziging bankgegevens", "cadeaukaarten",
	}
	paymentWeakPhrases = []string{
		"bank details", "banking details", "bank account", "wire transfer", "iban", "swift", "routing number", "remittance",
		"outstanding invoice", "overdue invoice", "unpaid invoice", "outstanding payment",
		"bankverbindung", "kontoverbindung", "überweisung", "ueberweisung", "offene rechnung",
		"coordonnées bancaires", "coordonnees bancaires", "rib", "virement", "facture impayée", "facture impayee",
		"bankgegevens", "rekeningnummer", "overschrijving", "openstaande factuur",
	}
	changePhrases = []string{
		"new", "changed", "change", "update", "updated", "different account",
		"neue", "neues", "neuen", "geändert", "geaendert", "änderung", "aenderung",
		"nouveau", "nouvelle", "nouvelles", "changement", "modifié", "modifie",
		"nieuwe", "nieuw", "gewijzigd", "wijziging",
	}
)

// phraseIndex finds phrases by their first word, so that a text is matched
// against every list in one pass over its words.
type phraseIndex map[string][]indexedPhrase

type indexedPhrase struct {
	words []string
	text  string
	kind  int
}

const (
	kindUrgency = iota
	kindPayment
	kindPaymentWeak
	kindChange
)

var phrases, phraseFilter = buildPhraseIndex()

// wordFilter rules out most words before a map lookup: a bit per hash of
// a word's first two bytes (lower-cased) and length is set for every word
// that starts a phrase. Common short words ("the", "with") rarely share
// all three with a phrase start.
type wordFilter [64]uint64

func filterBit(w string) uint {
	c0, c1 := w[0]|0x20, byte(0)
	if len(w) > 1 {
		c1 = w[1] | 0x20
	}
	return (uint(c0)*131 + uint(c1)*17 + uint(min(len(w), 31))) % 4096
}

func (f *wordFilter) mayContain(w string) bool {
	b := filterBit(w)
	return f[b/64]&(1<<(b%64)) != 0
}

func (f *wordFilter) add(w string) {
	b := filterBit(w)
	f[b/64] |= 1 << (b % 64)
}

func buildPhraseIndex() (phraseIndex, *wordFilter) {
	idx := make(phraseIndex)
	var filter wordFilter
	for kind, list := range [][]string{urgencyPhrases, paymentPhrases, paymentWeakPhrases, changePhrases} {
		for _, p := range list {
			var ws []string
			forWords(p, func(w string) bool { ws = append(ws, w); return true })
			if len(ws) == 0 {
				continue
			}
			idx[ws[0]] = append(idx[ws[0]], indexedPhrase{words: ws, text: p, kind: kind})
			filter.add(ws[0])
		}
	}
	return idx, &filter
}

// scanLanguage returns the distinct phrases of each kind found in the
// subject and body. It runs on every mail, so it allocates nothing per
// word: a filter rules out most words, the rest are lower-cased into a
// stack buffer for the map lookup, and the words after a phrase's first are
// read straight from the text.
func scanLanguage(subject, body string) (urgency, payment, paymentWeak, change []string) {
	out := [4]*[]string{&urgency, &payment, &paymentWeak, &change}
	var seen []string
	var buf [64]byte
	for _, s := range [2]string{subject, body} {
		for i := 0; ; {
			ws, we := nextWord(s, i)
			if ws < 0 {
				break
			}
			i = we
			w := s[ws:we]
			// Words with non-ASCII in their first two bytes (Über) do not
			// lower-case bytewise, so only ASCII starts are filtered.
			if w[0] < 0x80 && (len(w) == 1 || w[1] < 0x80) && !phraseFilter.mayContain(w) {
				continue
			}
			key, ok := lowerWord(buf[:0], w)
			if !ok {
				continue
			}
			cands, ok := phrases[string(key)]
			if !ok {
				continue
			}
		phrase:
			for _, p := range cands {
				if slices.Contains(seen, p.text) {
					continue
				}
				pos := we
				for _, pw := range p.words[1:] {
					ns, ne := nextWord(s, pos)
					if ns < 0 || !strings.EqualFold(s[ns:ne], pw) {
						continue phrase
					}
					pos = ne
				}
				seen = append(seen, p.text)
				*out[p.kind] = append(*out[p.kind], p.text)
			}
		}
	}
	// A strong payment phrase already contains its weak words.
	if len(payment) > 0 {
		paymentWeak = nil
	}
	return urgency, payment, paymentWeak, change
}

// nextWord returns the bounds of the first run of letters and digits in s
// at or after i, or -1, -1.
func nextWord(s string, i int) (int, int) {
	start := -1
	for i < len(s) {
		c := s[i]
		size := 1
		var letter bool
		if c < 0x80 {
			letter = asciiWord[c]
		} else {
			var r rune
			r, size = utf8.DecodeRuneInString(s[i:])
			letter = isLetter(r)
		}
		if letter {
			if start < 0 {
				start = i
			}
		} else if start >= 0 {
			return start, i
		}
		i += size
	}
	if start >= 0 {
		return start, len(s)
	}
	return -1, -1
}

// lowerWord lower-cases w into buf; false when w is too long to be in any
// phrase list.
func lowerWord(buf []byte, w string) ([]byte, bool) {
	if len(w) > cap(buf) {
		return nil, false
	}
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c >= 0x80 {
			buf = buf[:0]
			for _, r := range w {
				buf = utf8.AppendRune(buf, unicode.ToLower(r))
			}
			return buf, len(buf) <= cap(buf)
		}
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf = append(buf, c)
	}
	return buf, true
}

// asciiWord marks the ASCII bytes that belong to words.
var asciiWord = func() (t [128]bool) {
	for c := range t {
		t[c] = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
	}
	return t
}()

func isLetter(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}
