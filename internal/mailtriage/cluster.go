package mailtriage

import "sync"

// DefaultThreshold is the estimated Jaccard similarity from which two mails
// count as copies of one campaign. Copies that differ in greetings, names,
// tracking links and a few words score 0.7–1.0; unrelated mails of one
// sender (two different newsletters) rarely pass 0.4.
const DefaultThreshold = 0.6

// Cluster bookkeeping bounds. They keep the cost of Add independent of how
// many mails were added before: a band key that many campaigns share (a
// common footer) keeps only its most recent clusters, and a cluster keeps
// a few varied representatives rather than every member.
const (
	maxClustersPerBand = 8
	maxRepresentatives = 4
	// A new member becomes a representative only if it differs this much
	// from the ones kept, so the representatives cover the campaign's drift.
	representativeBelow = 0.9
)

// Clusterer groups messages into campaigns in memory. It is the reference
// for the intake service, which keeps the same two indexes in its database:
// fingerprint → campaign, and band key → campaigns. Add does a constant
// amount of work per message (one fingerprint lookup, Bands band lookups,
// a bounded number of signature comparisons), so clustering n messages
// costs O(n), never all pairs. It is safe for concurrent use.
type Clusterer struct {
	mu        sync.Mutex
	threshold float64
	byFP      map[string]int32
	byBand    map[uint64][]int32
	byID      map[string]int32
	clusters  []cluster
	compared  uint64 // signature comparisons made, for the linearity benchmark
}

type cluster struct {
	id   string
	size int
	reps []Signature
}

// NewClusterer returns an empty Clusterer; threshold ≤ 0 means
// DefaultThreshold.
func NewClusterer(threshold float64) *Clusterer {
	if threshold <= 0 {
		threshold = DefaultThreshold
	}
	return &Clusterer{
		threshold: threshold,
		byFP:      make(map[string]int32),
		byBand:    make(map[uint64][]int32),
		byID:      make(map[string]int32),
	}
}

// Add files a message under a campaign: the one with the same exact
// fingerprint, else the most similar one among those sharing a band key, if
// similar enough; else a new campaign named after id. It returns the
// campaign's ID (the id of its first message) and whether it is new.
func (c *Clusterer) Add(id, fp string, sig Signature) (clusterID string, isNew bool) {
	c.mu.Lock()
	defer c.mu.Unlock()

	var bands [Bands]uint64
	hasSig := !sig.IsEmpty()
	if hasSig {
		for b := range Bands {
			bands[b] = bandHash(&sig, b)
		}
	}

	ci := c.find(fp, &sig, &bands, hasSig)
	if ci < 0 {
		ci = int32(len(c.clusters))
		c.clusters = append(c.clusters, cluster{id: id})
		if _, dup := c.byID[id]; !dup {
			c.byID[id] = ci
		}
		isNew = true
	}
	cl := &c.clusters[ci]
	cl.size++
	if fp != "" {
		if _, ok := c.byFP[fp]; !ok {
			c.byFP[fp] = ci
		}
	}
	if hasSig && len(cl.reps) < maxRepresentatives {
		novel := true
		for _, rep := range cl.reps {
			if Similarity(sig, rep) >= representativeBelow {
				novel = false
				break
			}
		}
		if novel {
			cl.reps = append(cl.reps, sig)
			for _, h := range bands {
				c.index(h, ci)
			}
		}
	}
	return cl.id, isNew
}

// Match returns the campaign a message would join, without adding it.
func (c *Clusterer) Match(fp string, sig Signature) (clusterID string, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var bands [Bands]uint64
	hasSig := !sig.IsEmpty()
	if hasSig {
		for b := range Bands {
			bands[b] = bandHash(&sig, b)
		}
	}
	if ci := c.find(fp, &sig, &bands, hasSig); ci >= 0 {
		return c.clusters[ci].id, true
	}
	return "", false
}

// find returns the index of the campaign for fp and sig, or -1: the exact
// fingerprint's campaign, else the most similar candidate from the band
// index at or above the threshold. It compares against at most
// Bands × maxClustersPerBand × maxRepresentatives signatures.
func (c *Clusterer) find(fp string, sig *Signature, bands *[Bands]uint64, hasSig bool) int32 {
	if fp != "" {
		if i, ok := c.byFP[fp]; ok {
			return i
		}
	}
	if !hasSig {
		return -1
	}
	ci := int32(-1)
	best := 0.0
	var checked [Bands * maxClustersPerBand]int32
	n := 0
	for _, h := range bands {
	candidates:
		for _, cand := range c.byBand[h] {
			for _, seen := range checked[:n] {
				if seen == cand {
					continue candidates
				}
			}
			checked[n] = cand
			n++
			for _, rep := range c.clusters[cand].reps {
				c.compared++
				if s := Similarity(*sig, rep); s >= c.threshold && s > best {
					best, ci = s, cand
				}
			}
		}
	}
	return ci
}

// index adds cluster ci under band hash h, keeping the most recent few.
func (c *Clusterer) index(h uint64, ci int32) {
	list := c.byBand[h]
	for _, x := range list {
		if x == ci {
			return
		}
	}
	if len(list) >= maxClustersPerBand {
		copy(list, list[1:])
		list[len(list)-1] = ci
		return
	}
	c.byBand[h] = append(list, ci)
}

// Len returns the number of campaigns.
func (c *Clusterer) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.clusters)
}

// Size returns how many messages the campaign clusterID holds (0 if none).
func (c *Clusterer) Size(clusterID string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if i, ok := c.byID[clusterID]; ok {
		return c.clusters[i].size
	}
	return 0
}
