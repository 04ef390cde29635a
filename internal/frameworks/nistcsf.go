package frameworks

import (
	"bytes"
	_ "embed"
	"sync"
)

// NISTCSF2ID is the stable identifier of the NIST Cybersecurity Framework 2.0.
const NISTCSF2ID = "nist-csf-2.0"

//go:embed data/nist-csf-2.0-catalog.json
var nistCSF2JSON []byte

var nistCSF2 = sync.OnceValue(func() *Framework {
	c, err := ParseOSCAL(bytes.NewReader(nistCSF2JSON), int64(len(nistCSF2JSON)))
	if err != nil {
		// The data is embedded and tested; failing here is a build defect.
		panic("frameworks: embedded NIST CSF 2.0 catalog: " + err.Error())
	}
	return c.Framework(NISTCSF2ID)
})

// NISTCSF2 returns the NIST Cybersecurity Framework 2.0: 6 functions, 34
// categories and 185 subcategories, of which 12 categories and 79
// subcategories are withdrawn CSF 1.1 identifiers. Each call returns a copy.
func NISTCSF2() *Framework {
	return nistCSF2().clone()
}

// All returns every framework Shieldwall ships, in a stable order.
func All() []*Framework {
	return []*Framework{NISTCSF2(), ISO27001AnnexA()}
}
