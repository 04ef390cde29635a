package mailtriage

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"math"
	"math/bits"
	"strings"
)

// MinHash parameters. 64 values estimate a Jaccard similarity to within
// about ±0.06; 16 bands of 4 rows make two mails with similarity 0.6 share
// at least one band key with probability 0.89, at 0.8 with 0.9998, and at 0.3
// with only 0.12, so band keys find near-duplicates without comparing every
// pair.
const (
	SignatureSize = 64
	Bands         = 16
	Rows          = SignatureSize / Bands
)

// Signature is a MinHash signature of a message body, computed by one
// permutation hashing with optimal densification (Li, Owen and Zhang 2012;
// Shrivastava 2017): one hash per shingle sorts the shingles into
// SignatureSize bins and each bin keeps its least hash. That estimates
// Jaccard similarity as SignatureSize separate hash functions would, at one
// hash per shingle instead of SignatureSize: two signatures agree at a
// position with probability equal to the Jaccard similarity of the sets.
type Signature [SignatureSize]uint32

// The seeds are fixed: signatures and band keys are stored, so they must
// not change between runs or releases.
const (
	binSeed     = 0x5368_6965_6c64_7761 // "Shieldwa"
	densifySeed = 0x6c6c_4d69_6e48_6173 // "llMinHas"
)

// mix64 is the SplitMix64 finaliser: every input bit affects every output bit.
func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func fnv(s string) uint64 {
	h := uint64(fnvOffset)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

// Placeholder tokens: what differs between copies of one mail (links,
// addresses, numbers) is replaced by its kind.
var (
	tokURL   = fnv("\x00url")
	tokEmail = fnv("\x00email")
	tokNum   = fnv("\x00num")
	tokBody  = fnv("\x00body")
)

// maxShingleTokens bounds the work per mail; the start of a mail is what
// identifies it.
const maxShingleTokens = 4000

// greetings open the salutation lines that copies of one mail personalise
// ("Dear Anna," / "Hi Tom"), which are dropped before shingling.
var greetings = []string{
	"dear", "hi", "hello", "hey", "good morning", "good afternoon", "good evening", "greetings", "attention",
	"hallo", "liebe", "lieber", "sehr geehrte", "sehr geehrter", "guten tag", "guten morgen", "moin", "servus",
	"bonjour", "bonsoir", "cher", "chère", "chere", "madame", "monsieur",
	"beste", "geachte", "goedemorgen", "goedemiddag", "goedenavond", "hoi", "dag",
}

// Shingles returns the hashed word 3-grams of the message's normalised
// subject and body: lower case, greeting lines dropped, links, addresses and
// numbers replaced by placeholders. Values may repeat; MinHash treats them
// as a set.
func Shingles(m *Message) []uint64 {
	o := &m.Original
	body := o.TextBody
	if body == "" && o.HTMLBody != "" {
		body = htmlToText(o.HTMLBody, DefaultMaxTextBytes)
	}
	toks := make([]uint64, 0, min(16+len(body)/5, maxShingleTokens+16))
	toks = appendTokens(toks, strings.ToLower(NormalizeSubject(o.Subject)))
	toks = append(toks, tokBody)
	toks = appendTokens(toks, strings.ToLower(dropGreetings(body)))
	if len(toks) <= 1 {
		return nil
	}
	if len(toks) < 3 {
		return []uint64{mix64(toks[0]*31 + toks[len(toks)-1])}
	}
	out := make([]uint64, 0, len(toks)-2)
	for i := 0; i+2 < len(toks); i++ {
		out = append(out, mix64(toks[i]*0x9e3779b97f4a7c15+toks[i+1]*0xc2b2ae3d27d4eb4f+toks[i+2]))
	}
	return out
}

// dropGreetings removes salutation lines among the first lines of text.
func dropGreetings(text string) string {
	off := 0
	for n := 0; n < 3 && off < len(text); {
		line, next := nextLine(text, off)
		t := strings.TrimSpace(line)
		if t == "" {
			off = next
			continue
		}
		if len(t) > 80 || !isGreeting(strings.ToLower(t)) {
			break
		}
		text = text[:off] + text[next:]
		n++
	}
	return text
}

func isGreeting(t string) bool {
	for _, g := range greetings {
		if strings.HasPrefix(t, g) && (len(t) == len(g) || !isWordByte(t[len(g)])) {
			return true
		}
	}
	return false
}

func isWordByte(c byte) bool {
	return isAlnum(c) || c >= 0x80
}

// appendTokens appends the token hashes of lower-cased text: URLs and
// addresses become placeholders, each run of digits becomes one number
// placeholder, and other runs of letters are words.
func appendTokens(toks []uint64, s string) []uint64 {
	for i := 0; i < len(s) && len(toks) < maxShingleTokens; {
		for i < len(s) && isSpaceByte(s[i]) {
			i++
		}
		start := i
		for i < len(s) && !isSpaceByte(s[i]) {
			i++
		}
		w := s[start:i]
		if w == "" {
			continue
		}
		switch {
		case strings.Contains(w, "://") || strings.HasPrefix(w, "www."):
			toks = append(toks, tokURL)
			continue
		case strings.Contains(w, "@"):
			if e, _, _ := nextEmail(w); e != "" {
				toks = append(toks, tokEmail)
				continue
			}
		}
		toks = appendWordTokens(toks, w)
	}
	return toks
}

func appendWordTokens(toks []uint64, w string) []uint64 {
	lastNum := false
	for j := 0; j < len(w); {
		c := w[j]
		switch {
		case c >= '0' && c <= '9':
			for j < len(w) && (w[j] >= '0' && w[j] <= '9' || (w[j] == '.' || w[j] == ',') && j+1 < len(w) && w[j+1] >= '0' && w[j+1] <= '9') {
				j++
			}
			if !lastNum {
				toks = append(toks, tokNum)
			}
			lastNum = true
		case isWordByte(c):
			k := j
			for k < len(w) && isWordByte(w[k]) && !(w[k] >= '0' && w[k] <= '9') {
				k++
			}
			toks = append(toks, fnv(w[j:k]))
			j = k
			lastNum = false
		default:
			j++
		}
	}
	return toks
}

func isSpaceByte(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

// MinHash returns the signature of a shingle set. An empty set gives the
// empty signature, which is similar to nothing.
func MinHash(shingles []uint64) Signature {
	var sig Signature
	for i := range sig {
		sig[i] = math.MaxUint32
	}
	var filled uint64 // bit i set when bin i holds a shingle
	for _, x := range shingles {
		h := mix64(x ^ binSeed)
		bin := h >> 58 // the top 6 bits choose the bin, the low 32 are its value
		if v := uint32(h); v < sig[bin] {
			sig[bin] = v
		}
		filled |= 1 << bin
	}
	if filled != 0 && filled != ^uint64(0) {
		densify(&sig, filled)
	}
	return sig
}

// densify fills each empty bin with the value of a filled one, chosen by a
// probe sequence that depends only on the empty bin's index and the attempt
// number, so that two similar sets borrow alike.
func densify(sig *Signature, filled uint64) {
	for i := range uint64(SignatureSize) {
		if filled&(1<<i) != 0 {
			continue
		}
		for a := uint64(0); ; a++ {
			j := mix64(densifySeed^(i<<32|a)) >> 58
			if a >= 1024 {
				// Practically unreachable (it takes 1,024 misses in a row);
				// bounded all the same.
				j = uint64(bits.TrailingZeros64(filled))
			}
			if filled&(1<<j) != 0 {
				sig[i] = sig[j]
				break
			}
		}
	}
}

// IsEmpty reports whether s carries no information: the signature of no
// shingles, or the zero value.
func (s Signature) IsEmpty() bool {
	first := s[0]
	if first != 0 && first != math.MaxUint32 {
		return false
	}
	for _, v := range s[1:] {
		if v != first {
			return false
		}
	}
	return true
}

// Similarity estimates the Jaccard similarity of the shingle sets behind
// two signatures: the share of positions where they agree. Empty
// signatures are similar to nothing.
func Similarity(a, b Signature) float64 {
	if a.IsEmpty() || b.IsEmpty() {
		return 0
	}
	n := 0
	for i := range a {
		if a[i] == b[i] {
			n++
		}
	}
	return float64(n) / SignatureSize
}

// bandHash hashes the rows of one band together with the band's number,
// so equal rows in different bands do not collide.
func bandHash(sig *Signature, band int) uint64 {
	h := uint64(fnvOffset) ^ uint64(band+1)*0x9e3779b97f4a7c15
	for _, v := range sig[band*Rows : (band+1)*Rows] {
		h = mix64(h ^ uint64(v))
	}
	return h
}

// BandKeys returns the locality-sensitive hashing keys of a signature, one
// per band. Messages whose signatures share a band key are candidate
// near-duplicates; a store indexes reports by these keys and so finds
// candidates with one lookup per band, whatever its size. The keys are
// stable across runs and releases. An empty signature has no keys.
func BandKeys(sig Signature) []string {
	if sig.IsEmpty() {
		return nil
	}
	keys := make([]string, Bands)
	var buf [2 + 16]byte
	for b := range Bands {
		buf[0] = "0123456789abcdef"[b>>4]
		buf[1] = "0123456789abcdef"[b&15]
		var h [8]byte
		binary.BigEndian.PutUint64(h[:], bandHash(&sig, b))
		hex.Encode(buf[2:], h[:])
		keys[b] = string(buf[:])
	}
	return keys
}

// MarshalBinary encodes the signature as 256 bytes, for storage.
func (s Signature) MarshalBinary() ([]byte, error) {
	out := make([]byte, 4*SignatureSize)
	for i, v := range s {
		binary.BigEndian.PutUint32(out[4*i:], v)
	}
	return out, nil
}

// UnmarshalBinary decodes a signature written by MarshalBinary.
func (s *Signature) UnmarshalBinary(b []byte) error {
	if len(b) != 4*SignatureSize {
		return errors.New("mailtriage: a signature is 256 bytes")
	}
	for i := range s {
		s[i] = binary.BigEndian.Uint32(b[4*i:])
	}
	return nil
}
