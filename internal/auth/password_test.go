package auth

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"
)

func TestHashPassword(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		h, err := HashPassword("correct horse battery staple")
		if err != nil {
			t.Fatal(err)
		}
		// OWASP's minimum for argon2id: m=19 MiB, t=2, p=1.
		const prefix = "$argon2id$v=19$m=19456,t=2,p=1$"
		if !strings.HasPrefix(h, prefix) {
			t.Fatalf("HashPassword() = %q; want the prefix %q", h, prefix)
		}
		parts := strings.Split(h, "$")
		if len(parts) != 6 {
			t.Fatalf("HashPassword() has %d $-separated parts; want 6", len(parts))
		}
		salt, err := base64.RawStdEncoding.DecodeString(parts[4])
		if err != nil || len(salt) != 16 {
			t.Errorf("salt = %q (%d bytes, err %v); want 16 bytes of unpadded base64", parts[4], len(salt), err)
		}
		key, err := base64.RawStdEncoding.DecodeString(parts[5])
		if err != nil || len(key) != 32 {
			t.Errorf("key = %q (%d bytes, err %v); want 32 bytes of unpadded base64", parts[5], len(key), err)
		}
	})
	t.Run("SaltedEachTime", func(t *testing.T) {
		a, _ := HashPassword("same password twice")
		b, _ := HashPassword("same password twice")
		if a == b {
			t.Errorf("two hashes of one password are equal (%q); want different salts", a)
		}
	})
}

func TestCheckPassword(t *testing.T) {
	h, err := HashPassword("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("OK", func(t *testing.T) {
		if ok, err := CheckPassword(h, "correct horse battery staple"); !ok || err != nil {
			t.Errorf("CheckPassword(right) = %v, %v; want true, nil", ok, err)
		}
	})
	t.Run("ErrWrongPassword", func(t *testing.T) {
		for _, pw := range []string{"", "correct horse battery stapl", "correct horse battery staple ", "Correct horse battery staple"} {
			if ok, err := CheckPassword(h, pw); ok || err != nil {
				t.Errorf("CheckPassword(%q) = %v, %v; want false, nil", pw, ok, err)
			}
		}
	})
	t.Run("OldParametersStillWork", func(t *testing.T) {
		// A hash made with other (cheaper) parameters keeps verifying: the
		// parameters travel in the hash.
		old := phc([]byte("0123456789abcdef"), 1, 64, 1, argon2.IDKey([]byte("pw"), []byte("0123456789abcdef"), 1, 64, 1, 32))
		if ok, err := CheckPassword(old, "pw"); !ok || err != nil {
			t.Errorf("CheckPassword(%q, right) = %v, %v; want true, nil", old, ok, err)
		}
		if ok, err := CheckPassword(old, "wrong"); ok || err != nil {
			t.Errorf("CheckPassword(%q, wrong) = %v, %v; want false, nil", old, ok, err)
		}
	})
	t.Run("ErrMalformed", func(t *testing.T) {
		good := strings.Split(h, "$")
		with := func(i int, v string) string {
			p := append([]string(nil), good...)
			p[i] = v
			return strings.Join(p, "$")
		}
		for _, bad := range []string{
			"",
			"plaintext",
			"$argon2i$v=19$m=19456,t=2,p=1$" + good[4] + "$" + good[5],
			"$2b$12$abcdefghijklmnopqrstuuJ5bX7V0d0x3ZuYV4q8x1d5m3k6m1jG2",
			with(2, "v=16"),
			with(2, "v=x"),
			with(3, "m=0,t=2,p=1"),
			with(3, "m=19456,t=0,p=1"),
			with(3, "m=19456,t=2,p=0"),
			with(3, "m=4294967295,t=2,p=1"), // 4 TiB: refused before any allocation
			with(3, "m=19456,t=4294967295,p=1"),
			with(3, "garbage"),
			with(4, "!!!"),
			with(5, "!!!"),
			with(5, ""),
			// A key or salt this short is no hash at all: a 1-byte key
			// matches one password in 256.
			with(5, base64.RawStdEncoding.EncodeToString([]byte{7})),
			with(5, base64.RawStdEncoding.EncodeToString(make([]byte, 15))),
			with(4, ""),
			with(4, base64.RawStdEncoding.EncodeToString([]byte("short"))),
			h + "$extra",
		} {
			ok, err := CheckPassword(bad, "correct horse battery staple")
			if ok || err == nil {
				t.Errorf("CheckPassword(%q) = %v, %v; want false and an error", bad, ok, err)
			}
		}
	})
}

func TestCheckNoPassword(t *testing.T) {
	// It must not panic and must do the work of a real check (timing equaliser).
	CheckNoPassword("anything")
	if ok, err := CheckPassword(dummyHash(), "anything"); ok || err != nil {
		t.Errorf("CheckPassword(dummyHash, other) = %v, %v; want false, nil", ok, err)
	}
	if !strings.HasPrefix(dummyHash(), "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("dummyHash() = %q; want the same parameters as a real hash", dummyHash())
	}
}

func TestNewSecret(t *testing.T) {
	a, b := NewSecret("swt_"), NewSecret("swt_")
	if !strings.HasPrefix(a, "swt_") {
		t.Errorf("NewSecret(swt_) = %q; want the prefix swt_", a)
	}
	if a == b {
		t.Errorf("two secrets are equal: %q", a)
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(a, "swt_"))
	if err != nil || len(raw) < 32 {
		t.Errorf("NewSecret() carries %d random bytes (err %v); want at least 32 (256 bits)", len(raw), err)
	}
}

func TestLookupHash(t *testing.T) {
	a := LookupHash("swt_secret")
	if a != LookupHash("swt_secret") {
		t.Errorf("LookupHash is not deterministic")
	}
	if a == LookupHash("swt_secreT") {
		t.Errorf("LookupHash(two secrets) is equal")
	}
	if len(a) != 64 || strings.Trim(a, "0123456789abcdef") != "" {
		t.Errorf("LookupHash() = %q; want 64 lower-case hex digits", a)
	}
	if strings.Contains(a, "secret") {
		t.Errorf("LookupHash() = %q contains the secret", a)
	}
}

// phc encodes argon2id parameters in the PHC string format.
func phc(salt []byte, t, m uint32, p uint8, key []byte) string {
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, m, t, p, b64.EncodeToString(salt), b64.EncodeToString(key))
}

var costParams = regexp.MustCompile(`m=(\d+)`)

// FuzzCheckPassword feeds arbitrary stored hashes to the parser. It must
// never panic, never report an error together with a match, and never take
// a garbage hash for one that matches any password: a hash that accepts a
// password must reject a different one.
func FuzzCheckPassword(f *testing.F) {
	salt := []byte("0123456789abcdef")
	f.Add(phc(salt, 1, 8, 1, argon2.IDKey([]byte("pw"), salt, 1, 8, 1, 32)), "pw")
	f.Add(phc(salt, 1, 8, 1, argon2.IDKey([]byte("pw"), salt, 1, 8, 1, 32)), "wrong")
	f.Add(phc(salt, 2, 16, 2, argon2.IDKey([]byte(""), salt, 2, 16, 2, 16)), "")
	f.Add(phc(salt, 1, 8, 1, []byte{0}), "pw")
	f.Add(phc(nil, 1, 8, 1, []byte{1, 2, 3, 4}), "pw")
	f.Add("$argon2id$v=19$m=8,t=1,p=1$$", "pw")
	f.Add("$argon2id$v=19$m=8,t=1,p=1$c2FsdA$", "")
	f.Add("$argon2id$v=19$m=-1,t=1,p=1$c2FsdA$a2V5", "pw")
	f.Add("$argon2id$v=19$m=8,t=1,p=300$c2FsdA$a2V5", "pw")
	f.Add("$argon2id$v=19$m=8,t=1,p=1,x=2$c2FsdA$a2V5", "pw")
	f.Add("$argon2id$$$$$", "")
	f.Add("$$$$$$$$", "x")
	f.Add("", "")
	f.Fuzz(func(t *testing.T, hash, password string) {
		// Expensive parameters are valid but make each run slow; the parser
		// is what is fuzzed here. Skip what would cost more than 1 MiB.
		if m := costParams.FindStringSubmatch(hash); m != nil {
			if n, err := strconv.ParseUint(m[1], 10, 64); err != nil || n > 1024 {
				t.Skip()
			}
		}
		if strings.Contains(hash, "t=") && !regexp.MustCompile(`t=0*[1-4](\D|$)`).MatchString(hash) {
			t.Skip()
		}
		ok, err := CheckPassword(hash, password)
		if ok && err != nil {
			t.Fatalf("CheckPassword(%q, %q) = true, %v; want no error with a match", hash, password, err)
		}
		if !ok {
			return
		}
		if ok2, _ := CheckPassword(hash, password+"\x00different"); ok2 {
			t.Fatalf("CheckPassword(%q) accepts both %q and %q; a stored hash must not match any password", hash, password, password+"\x00different")
		}
	})
}
