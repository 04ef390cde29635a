package mailtriage

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkTriage measures the whole path one reported mail takes — parse,
// extract, score, fingerprint, shingle and MinHash, file under a campaign —
// over an ~8 KB invoice fraud forwarded as an attachment. The quality bar is
// 5,000 emails/s on one core:
//
//	go test -bench Triage -cpu 1 -run '^$' ./internal/mailtriage/
func BenchmarkTriage(b *testing.B) {
	raw := mustRead(b, "bench-forward.eml")
	opts := testOpts
	c := NewClusterer(DefaultThreshold)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	i := 0
	cpu0 := processCPUTime()
	for b.Loop() {
		m, err := Parse(raw, opts)
		if err != nil {
			b.Fatal(err)
		}
		ind := Extract(m, opts)
		v := Score(m, ind, opts)
		if v.Level != LevelMalicious {
			b.Fatalf("Level = %q; want %q", v.Level, LevelMalicious)
		}
		fp := Fingerprint(m, ind)
		sig := MinHash(Shingles(m))
		c.Add(fmt.Sprint(i), fp, sig)
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "emails/s")
	if cpu := processCPUTime() - cpu0; cpu > 0 {
		// With -cpu 1 this is one core's work, garbage collection included.
		b.ReportMetric(float64(b.N)/cpu.Seconds(), "emails/cpu-s")
	}
}

// BenchmarkClusterer shows that filing a report does the same work whether
// the clusterer already holds a thousand campaigns or a hundred thousand,
// so clustering n reports is O(n), not all pairs: compares/op (signature
// comparisons per call) stays flat; ns/op grows only as the index outgrows
// the CPU caches. Match looks up unseen signatures (the full band search
// that finds nothing); Add files new reports (about half new campaigns,
// half near-duplicates of earlier ones).
//
//	go test -bench Clusterer -cpu 1 -run '^$' ./internal/mailtriage/
func BenchmarkClusterer(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		rng := rand.New(rand.NewPCG(7, uint64(n)))
		c := NewClusterer(DefaultThreshold)
		for i := range n {
			c.Add(fmt.Sprint(i), fmt.Sprintf("fp%d", i), randomSignature(rng))
		}
		unseen := make([]Signature, 4096)
		for i := range unseen {
			unseen[i] = randomSignature(rng)
		}
		b.Run(fmt.Sprintf("Match/existing=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			before := c.compared
			for b.Loop() {
				if _, ok := c.Match("", unseen[i%len(unseen)]); ok {
					b.Fatal("an unseen random signature matched")
				}
				i++
			}
			b.ReportMetric(float64(c.compared-before)/float64(b.N), "compares/op")
		})
		b.Run(fmt.Sprintf("Add/existing=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			before := c.compared
			for b.Loop() {
				// Every other report is a near-duplicate of an earlier one:
				// half its hashes are kept.
				sig := unseen[i%len(unseen)]
				if i%2 == 1 {
					prev := unseen[(i-1)%len(unseen)]
					copy(sig[:SignatureSize*3/4], prev[:SignatureSize*3/4])
				}
				c.Add("x", "", sig)
				i++
			}
			b.ReportMetric(float64(c.compared-before)/float64(b.N), "compares/op")
		})
	}
}

// randomSignature is the signature of a random shingle set: unrelated to
// every other one, the worst case for finding nothing.
func randomSignature(rng *rand.Rand) Signature {
	sh := make([]uint64, 40)
	for i := range sh {
		sh[i] = rng.Uint64()
	}
	return MinHash(sh)
}

// BenchmarkTriageSteps times each step of BenchmarkTriage on its own, to
// show where the time goes.
func BenchmarkTriageSteps(b *testing.B) {
	raw := mustRead(b, "bench-forward.eml")
	opts := testOpts
	m, err := Parse(raw, opts)
	if err != nil {
		b.Fatal(err)
	}
	ind := Extract(m, opts)
	b.Run("Parse", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Parse(raw, opts); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Extract", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			Extract(m, opts)
		}
	})
	b.Run("Score", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			Score(m, ind, opts)
		}
	})
	b.Run("Fingerprint", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			Fingerprint(m, ind)
		}
	})
	b.Run("MinHash", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			MinHash(Shingles(m))
		}
	})
}
