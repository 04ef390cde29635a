package mailtriage

import (
	"fmt"
	"strings"
)

// gophishHeader is the header GoPhish adds to every simulation mail when a
// contact address is configured.
const gophishHeader = "X-Gophish-Contact"

// detectSimulation marks m as one of the organisation's own phishing tests
// when the original carries a simulation header or comes from a simulation
// domain. fields are the original's full header (nil for inline forwards,
// whose headers are lost).
//
// A simulation is closed at once with thanks, so anyone who adds the
// header to a real attack would have it waved through. GoPhish's header
// therefore counts with any value only until the operator pins its value
// (SimulationHeaders "X-Gophish-Contact: tests@example.com"); from then
// on only that value does.
func detectSimulation(m *Message, fields []field, opts Options) {
	reason := ""
	if !gophishPinned(opts) {
		for _, f := range fields {
			if equalFoldASCII(f.key, gophishHeader) {
				reason = fmt.Sprintf("The message carries the %s header of a phishing simulation.", gophishHeader)
				break
			}
		}
	}
	for _, s := range opts.SimulationHeaders {
		if reason != "" {
			break
		}
		name, value, hasValue := strings.Cut(s, ":")
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		if name == "" {
			continue
		}
		for _, f := range fields {
			if equalFoldASCII(f.key, name) && (!hasValue || strings.EqualFold(strings.TrimSpace(f.value), value)) {
				reason = fmt.Sprintf("The message carries the %s header of the organisation's phishing simulations.", f.key)
				break
			}
		}
	}
	if reason == "" && len(opts.SimulationDomains) > 0 {
		for _, d := range []string{m.Original.From.Domain(), domainOf(m.Original.ReturnPath)} {
			if isOwnDomain(d, opts.SimulationDomains) {
				reason = fmt.Sprintf("The message comes from %s, a domain of the organisation's phishing simulations.", d)
				break
			}
		}
	}
	if reason != "" {
		m.IsSimulation = true
		m.SimulationReason = reason
	}
}

// gophishPinned reports whether the operator named GoPhish's header among
// SimulationHeaders with the value their simulations carry.
func gophishPinned(opts Options) bool {
	for _, s := range opts.SimulationHeaders {
		name, value, hasValue := strings.Cut(s, ":")
		if hasValue && strings.TrimSpace(value) != "" && equalFoldASCII(strings.TrimSpace(name), gophishHeader) {
			return true
		}
	}
	return false
}
