package config

import (
	"regexp"
	"strings"
)

// placeholderWords are whole values that samples, templates and half-finished edits leave where a
// credential belongs. Real tokens are long random strings, so a whole-value match cannot hit one.
var placeholderWords = map[string]bool{
	"todo": true, "tbd": true, "fixme": true, "placeholder": true, "changeit": true,
	"token": true, "secret": true, "password": true, "apikey": true, "example": true, "dummy": true,
	"null": true, "nil": true, "none": true, "undefined": true,
}

// placeholderParts are sample markers long enough (eight letters or more) that a random token
// contains one by chance about once in 10^12: found anywhere in a value, they mark it.
var placeholderParts = []string{"replaceme", "changeme", "yourtokenhere", "insertyour", "pasteyour", "putyour"}

var (
	// xxx, ***, ... and …: masks and ellipses copied from a screenshot or a document.
	maskRE = regexp.MustCompile(`^(x{3,}|\*{3,}|\.{3,}|…+)$`)
	// <token>, ${OKTA_API_TOKEN}, $(cat file), {{ .Values.token }} and a bare $NAME: a template or
	// a shell expansion that nothing expanded (systemd's EnvironmentFile= does not expand $).
	unexpandedRE = regexp.MustCompile(`^(<[^<>]*>|\$\{[^{}]*\}|\$\([^()]*\)|\{\{.*\}\}|\$[A-Z_][A-Z0-9_]*)$`)
	// your-token-here, YOUR_SCIM_TOKEN_HERE, enter-your-token.
	yourHereRE = regexp.MustCompile(`^(your.*here|(enter|insert|paste|put)your.*)$`)
)

// isPlaceholder reports whether a secret's value looks like a sample's placeholder rather than a
// credential: compared case-insensitively, with surrounding spaces and quotes removed, and with
// -, _, spaces and dots removed for the word checks.
func isPlaceholder(v string) bool {
	t := strings.TrimSpace(v)
	for len(t) >= 2 && strings.ContainsAny(t[:1], `"'`+"`") && t[len(t)-1] == t[0] {
		t = strings.TrimSpace(t[1 : len(t)-1])
	}
	if t == "" {
		return strings.TrimSpace(v) != "" // nothing but quotes: a value someone meant to fill in
	}
	if unexpandedRE.MatchString(t) {
		return true
	}
	l := strings.ToLower(t)
	if maskRE.MatchString(l) {
		return true
	}
	w := strings.NewReplacer("-", "", "_", "", " ", "", ".", "").Replace(l)
	if placeholderWords[w] || yourHereRE.MatchString(w) {
		return true
	}
	return hasSampleMarker(w)
}

// hasSampleMarker reports whether a value carries one of the long sample markers (REPLACEME,
// CHANGEME). It is the check for settings that are not secrets, where a value such as
// 0oaREPLACEME can hide in an otherwise plausible id.
func hasSampleMarker(v string) bool {
	w := strings.NewReplacer("-", "", "_", "", " ", "", ".", "").Replace(strings.ToLower(v))
	for _, p := range placeholderParts {
		if strings.Contains(w, p) {
			return true
		}
	}
	return false
}
