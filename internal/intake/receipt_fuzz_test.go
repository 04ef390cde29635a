package intake

import (
	"strings"
	"testing"
)

// FuzzNormaliseReceipt checks the receipt parser on anything a person could
// type: it never panics, accepts only 32 characters of the alphabet, and a
// real receipt survives any mix of case, spaces and dashes.
func FuzzNormaliseReceipt(f *testing.F) {
	f.Add("WNXT-ZWHW-H3DS-75RW-784H-AFA1-P5KD-GFV9")
	f.Add("wnxt zwhw h3ds 75rw 784h afa1 p5kd gfv9")
	f.Add("oooo-iiii-llll-0000-1111-2222-3333-4444")
	f.Add("")
	f.Add(strings.Repeat("-", 200))
	f.Add("ÄÖÜ\x00\xff")
	f.Fuzz(func(t *testing.T, s string) {
		norm, ok := normaliseReceipt(s)
		if !ok {
			if norm != "" {
				t.Errorf("normaliseReceipt(%q) refused but returned %q", s, norm)
			}
			return
		}
		if len(norm) != receiptLen {
			t.Fatalf("normaliseReceipt(%q) = %q: %d characters; want %d", s, norm, len(norm), receiptLen)
		}
		for _, r := range norm {
			if !strings.ContainsRune(receiptAlphabet, r) {
				t.Fatalf("normaliseReceipt(%q) = %q holds %q, outside the alphabet", s, norm, r)
			}
		}
		// Typed again in another form, it is the same receipt.
		again, ok := normaliseReceipt(strings.ToLower(groupReceipt(norm)))
		if !ok || again != norm {
			t.Errorf("normaliseReceipt(lower(grouped %q)) = %q, %v; want the same receipt", norm, again, ok)
		}
	})
}

// TestNewReceipt checks the shape and the alphabet of fresh receipts.
func TestNewReceipt(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		r := newReceipt()
		norm, ok := normaliseReceipt(r)
		if !ok || len(r) != receiptLen+7 {
			t.Fatalf("newReceipt() = %q; want 32 characters in 8 groups that normalise", r)
		}
		if seen[norm] {
			t.Fatalf("newReceipt() repeated %q", r)
		}
		seen[norm] = true
	}
}
