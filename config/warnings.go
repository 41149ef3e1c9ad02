package config

import (
	"net"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Warning is a finding that does not stop start-up: a name that looks meant for this program but
// that it does not read. It never carries a value, only names.
type Warning struct {
	Name   string // as found: an environment variable, or a file in SYNC_SECRETS_DIR
	Source string // "environment" or "SYNC_SECRETS_DIR"
	// Problem is one of a few fixed sentences, fit to be a log message as it is.
	Problem string
	// DidYouMean is the name this program reads that was probably meant, or "".
	DidYouMean string
}

// String reads "NAME (environment): problem; did you mean OTHER?".
func (w Warning) String() string {
	s := w.Name + " (" + w.Source + "): " + w.Problem
	if w.DidYouMean != "" {
		s += "; did you mean " + w.DidYouMean + "?"
	}
	return s
}

// ownedPrefixes are the environment prefixes this program owns (DESIGN.md §12): a variable under
// one of them that it does not read is most likely a typo.
var ownedPrefixes = []string{"OKTA_", "CLICKUP_", "SYNC_"}

// sdkVariables are okta-sdk-golang's own variables that have a counterpart here. The SDK is given
// every setting explicitly, so these are ignored; an operator following the SDK's documentation
// sets them expecting an effect.
var sdkVariables = map[string]string{
	"OKTA_CLIENT_ORGURL":       "OKTA_ORG_URL",
	"OKTA_CLIENT_TOKEN":        "OKTA_API_TOKEN",
	"OKTA_CLIENT_CLIENTID":     "OKTA_CLIENT_ID",
	"OKTA_CLIENT_PRIVATEKEY":   "OKTA_PRIVATE_KEY",
	"OKTA_CLIENT_PRIVATEKEYID": "OKTA_PRIVATE_KEY_ID",
	"OKTA_CLIENT_SCOPES":       "OKTA_SCOPES",
}

// isServiceLink recognises the variables Kubernetes injects for every Service in the namespace
// (enableServiceLinks): a Service named okta-clickup-sync yields OKTA_CLICKUP_SYNC_SERVICE_HOST,
// OKTA_CLICKUP_SYNC_PORT and friends, which are nobody's typo. The value's shape must match too,
// so that a typo that happens to end in _PORT is still reported.
func isServiceLink(name, value string) bool {
	isPort := func(v string) bool { n, err := strconv.Atoi(v); return err == nil && n > 0 && n < 65536 }
	isURL := func(v string) bool { // tcp://10.0.0.7:8080
		proto, hostport, ok := strings.Cut(v, "://")
		host, port, err := net.SplitHostPort(hostport)
		return ok && serviceProtos[proto] && err == nil && net.ParseIP(host) != nil && isPort(port)
	}
	m := serviceLinkName.FindStringSubmatch(name)
	if m == nil {
		return false
	}
	switch suffix := m[1]; {
	case suffix == "SERVICE_HOST", strings.HasSuffix(suffix, "_ADDR"):
		return net.ParseIP(value) != nil
	case strings.HasPrefix(suffix, "SERVICE_PORT"), strings.HasSuffix(suffix, "_PORT"):
		return isPort(value)
	case strings.HasSuffix(suffix, "_PROTO"):
		return serviceProtos[value]
	default: // PORT, PORT_8080_TCP
		return isURL(value)
	}
}

var (
	serviceLinkName = regexp.MustCompile(`^[A-Z0-9_]+?_(SERVICE_HOST|SERVICE_PORT(?:_[A-Z0-9_]+)?|PORT(?:_[0-9]+_(?:TCP|UDP|SCTP)(?:_(?:PROTO|PORT|ADDR))?)?)$`)
	serviceProtos   = map[string]bool{"tcp": true, "udp": true, "sctp": true}
)

// knownEnv is every environment name this program reads.
func knownEnv() []string {
	out := []string{ConfigPathEnv}
	for _, s := range settings {
		out = append(out, s.env)
		if s.secret() {
			out = append(out, s.env+"_FILE")
		}
	}
	return out
}

// environWarnings reports the variables under an owned prefix that this program does not read.
// environ is os.Environ()'s form, NAME=VALUE; values are looked at only to recognise Kubernetes'
// service links and are never reported.
func environWarnings(environ []string) []Warning {
	known := knownEnv()
	isKnown := map[string]bool{}
	for _, k := range known {
		isKnown[k] = true
	}
	var out []Warning
	seen := map[string]bool{}
	for _, kv := range environ {
		name, value, _ := strings.Cut(kv, "=")
		upper := strings.ToUpper(name)
		if isKnown[name] || seen[name] || !hasOwnedPrefix(upper) {
			continue
		}
		seen[name] = true
		if isServiceLink(name, value) {
			continue
		}
		w := Warning{Name: name, Source: "environment", Problem: "unknown environment variable, not read"}
		switch {
		case isKnown[upper]:
			w.Problem = "unknown environment variable, not read (names are upper case)"
			w.DidYouMean = upper
		case sdkVariables[upper] != "":
			w.Problem = "the Okta SDK's own variable, not read: this program configures the SDK itself"
			w.DidYouMean = sdkVariables[upper]
		case strings.HasPrefix(upper, "OKTA_CLIENT_") || strings.HasPrefix(upper, "OKTA_TESTING_"):
			w.Problem = "the Okta SDK's own variable, not read: this program configures the SDK itself"
		case strings.HasSuffix(upper, "_FILE") && isKnown[strings.TrimSuffix(upper, "_FILE")]:
			// OKTA_ORG_URL_FILE: a _FILE form of a setting that is not a secret.
			w.Problem = "unknown environment variable, not read: only secrets have a _FILE form"
			w.DidYouMean = strings.TrimSuffix(upper, "_FILE")
		default:
			w.DidYouMean = closest(upper, known)
		}
		out = append(out, w)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func hasOwnedPrefix(name string) bool {
	for _, p := range ownedPrefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// closest returns the candidate nearest to name, when it is near enough to be a typo of it: two
// edits, or one in six characters for long names (SYNC_MAX_DEACTIVATION_PCT is four edits from
// SYNC_MAX_DEACTIVATION_PERCENT). Between candidates as near, one that contains name's letters in
// order wins, since abbreviating is the commoner slip (PCT for PERCENT). Comparison ignores case
// and treats - and _ alike.
func closest(name string, candidates []string) string {
	norm := func(s string) string { return strings.ToUpper(strings.ReplaceAll(s, "-", "_")) }
	n := norm(name)
	limit := max(2, len(n)/6)
	best, bestD, bestAbbrev := "", limit+1, false
	for _, c := range candidates {
		nc := norm(c)
		d, abbrev := editDistance(n, nc), isSubsequence(n, nc)
		if d < bestD || (d == bestD && abbrev && !bestAbbrev) {
			best, bestD, bestAbbrev = c, d, abbrev
		}
	}
	return best
}

// isSubsequence reports whether every byte of a appears in b, in order.
func isSubsequence(a, b string) bool {
	i := 0
	for j := 0; i < len(a) && j < len(b); j++ {
		if a[i] == b[j] {
			i++
		}
	}
	return i == len(a)
}
