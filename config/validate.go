package config

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/robfig/cron/v3"

	"github.com/okta-clickup-sync/okta-clickup-sync/internal/endpoint"
)

// minRSABits is the smallest private key accepted: Okta requires 2048-bit RSA keys for service
// apps, and a smaller key would only fail later, at the first token request.
const minRSABits = 2048

// scheduleParser accepts what cron.New() accepts by default (five fields and descriptors), so a
// schedule that validates here is one the daemon can run.
var scheduleParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

var (
	logLevels  = []string{"trace", "debug", "info", "warn", "error"}
	logFormats = []string{LogFormatAuto, LogFormatJSON, LogFormatConsole}
)

// Validate reports every problem with the configuration at once (errors.Join of *SettingError),
// each naming the setting by environment name and YAML key. Messages never contain secrets.
func (c Config) Validate() error {
	return redactErrors(c.problems(), c.Secrets())
}

// problems is Validate before redaction, for Build to merge with the loading problems.
func (c Config) problems() []error {
	// A placeholder is the whole story about its setting: "too short" or "not a URL" beside it
	// would only blur the fix.
	ph := &validator{}
	c.validatePlaceholders(ph)
	placeholder := map[string]bool{}
	for _, err := range ph.errs {
		placeholder[err.(*SettingError).Env] = true
	}
	v := &validator{}
	c.validateOkta(v)
	c.validateClickUp(v)
	c.validateSync(v)
	c.validateStore(v)
	c.validateEvents(v)
	c.validateTokens(v)
	c.validateLog(v)
	out := ph.errs
	for _, err := range v.errs {
		if !placeholder[err.(*SettingError).Env] {
			out = append(out, err)
		}
	}
	return out
}

type validator struct{ errs []error }

func (v *validator) add(env, format string, args ...any) {
	v.errs = append(v.errs, settingByEnv(env).err("", format, args...))
}

func (v *validator) required(env, value, what string) bool {
	if strings.TrimSpace(value) == "" {
		v.add(env, "required: %s", what)
		return false
	}
	return true
}

// orSecretsDir completes "required" for a secret: with SYNC_SECRETS_DIR set, the missing piece is
// most likely the file there, so the message names it.
func (c Config) orSecretsDir(env string) string {
	if c.Sync.SecretsDir == "" {
		return ""
	}
	return fmt.Sprintf(" (or the file %s in SYNC_SECRETS_DIR %s)", settingByEnv(env).fileName(), show(c.Sync.SecretsDir))
}

func (c Config) validateOkta(v *validator) {
	o := c.Okta
	if v.required("OKTA_ORG_URL", o.OrgURL, "the Okta org, like https://acme.okta.com") {
		if p := checkOrgURL(o.OrgURL, c.Sync.AllowInsecureHTTP); p != "" {
			v.add("OKTA_ORG_URL", "%s", p)
		}
	}
	v.required("OKTA_APP_ID", o.AppID, "the id of the ClickUp app in Okta")

	oauth := map[string]bool{
		"OKTA_CLIENT_ID":      o.ClientID != "",
		"OKTA_PRIVATE_KEY":    o.PrivateKey != "",
		"OKTA_PRIVATE_KEY_ID": o.PrivateKeyID != "",
	}
	oauthOrder := []string{"OKTA_CLIENT_ID", "OKTA_PRIVATE_KEY", "OKTA_PRIVATE_KEY_ID"}
	switch {
	case o.APIToken != "" && o.oauthConfigured():
		var set []string
		for _, env := range oauthOrder {
			if oauth[env] {
				set = append(set, env)
			}
		}
		v.add("OKTA_API_TOKEN", "set together with the OAuth settings (%s); authenticate one way: the API token, or OKTA_CLIENT_ID + OKTA_PRIVATE_KEY + OKTA_PRIVATE_KEY_ID", strings.Join(set, ", "))
	case o.APIToken == "" && !o.oauthConfigured():
		v.add("OKTA_API_TOKEN", "Okta credentials are required: set OKTA_API_TOKEN%s, or OKTA_CLIENT_ID + OKTA_PRIVATE_KEY + OKTA_PRIVATE_KEY_ID for an OAuth service app", c.orSecretsDir("OKTA_API_TOKEN"))
	case o.oauthConfigured():
		var set []string
		for _, env := range oauthOrder {
			if oauth[env] {
				set = append(set, env)
			}
		}
		for _, env := range oauthOrder {
			if !oauth[env] {
				verb := "is"
				if len(set) > 1 {
					verb = "are"
				}
				hint := ""
				if settingByEnv(env).secret() {
					hint = c.orSecretsDir(env)
				}
				v.add(env, "required for OAuth, since %s %s set%s", strings.Join(set, " and "), verb, hint)
			}
		}
		events := c.Sync.Events == EventsSystemLog
		if len(o.Scopes) == 0 {
			v.add("OKTA_SCOPES", "required for OAuth, e.g. %s", strings.Join(DefaultScopes(len(c.Sync.PushGroups) > 0, events), " "))
		}
		// A scope the enabled features need but the list lacks would surface as a 403 on the
		// first read that needs it, in the middle of a run.
		if len(o.Scopes) > 0 {
			if len(c.Sync.PushGroups) > 0 && !contains(o.Scopes, "okta.groups.read") {
				v.add("OKTA_SCOPES", "lacks okta.groups.read, which SYNC_PUSH_GROUPS needs to read the groups' members")
			}
			if events && !contains(o.Scopes, "okta.logs.read") {
				v.add("OKTA_SCOPES", "lacks okta.logs.read, which SYNC_EVENTS=systemlog needs to read the System Log")
			}
		}
		for i, s := range o.Scopes {
			if s == "" || strings.ContainsFunc(s, unicode.IsSpace) {
				v.add("OKTA_SCOPES", "entry %d is %s; scopes are single words like okta.apps.read", i+1, show(s))
			}
		}
	}
	if o.APIToken != "" {
		checkToken(v, "OKTA_API_TOKEN", o.APIToken)
	}
	if o.PrivateKey != "" {
		if p := checkPrivateKey(o.PrivateKey.Reveal()); p != "" {
			v.add("OKTA_PRIVATE_KEY", "%s", p)
		}
	}
	checkDistinct(v, []namedValue{
		{"OKTA_ROLE_ATTRIBUTE", o.RoleAttribute},
		{"OKTA_CUSTOM_ROLE_NAME_ATTRIBUTE", o.CustomRoleNameAttribute},
		{"OKTA_CUSTOM_ROLE_ID_ATTRIBUTE", o.CustomRoleIDAttribute},
	}, "the app-profile key to read", false)
}

type namedValue struct{ env, value string }

// checkDistinct requires each value and refuses two settings naming the same attribute: the
// role, the custom role's name and its id would then be read from, or written to, one place.
func checkDistinct(v *validator, attrs []namedValue, what string, foldCase bool) {
	seen := map[string]string{}
	for _, a := range attrs {
		if !v.required(a.env, a.value, what) {
			continue
		}
		k := a.value
		if foldCase {
			k = strings.ToLower(k)
		}
		if other, dup := seen[k]; dup {
			v.add(a.env, "names the same attribute as %s (%s); each must be its own", other, show(a.value))
			continue
		}
		seen[k] = a.env
	}
}

func (c Config) validateClickUp(v *validator) {
	cu := c.ClickUp
	insecure := c.Sync.AllowInsecureHTTP
	if v.required("CLICKUP_SCIM_BASE_URL", cu.SCIMBaseURL, "the SCIM Base URL from ClickUp's SSO settings") {
		if p := checkURL(cu.SCIMBaseURL, insecure); p != "" {
			v.add("CLICKUP_SCIM_BASE_URL", "%s", p)
		}
	}
	if v.required("CLICKUP_SCIM_TOKEN", cu.SCIMToken.Reveal(), "the SCIM API token from ClickUp's SSO settings"+c.orSecretsDir("CLICKUP_SCIM_TOKEN")) {
		checkToken(v, "CLICKUP_SCIM_TOKEN", cu.SCIMToken)
	}
	if p := checkRoleSchema(cu.SCIMRoleSchema); p != "" {
		v.add("CLICKUP_SCIM_ROLE_SCHEMA", "%s", p)
	}
	attrs := []namedValue{
		{"CLICKUP_SCIM_ROLE_ATTRIBUTE", cu.SCIMRoleAttribute},
		{"CLICKUP_SCIM_CUSTOM_ROLE_NAME_ATTRIBUTE", cu.SCIMCustomRoleNameAttribute},
		{"CLICKUP_SCIM_CUSTOM_ROLE_ID_ATTRIBUTE", cu.SCIMCustomRoleIDAttribute},
	}
	// SCIM attribute names are case-insensitive (RFC 7643 §2.1), so role and Role are one.
	checkDistinct(v, attrs, "the SCIM attribute name", true)
	for _, a := range attrs {
		if a.value != "" {
			if p := checkSCIMAttrName(a.value); p != "" {
				v.add(a.env, "%s", p)
			}
		}
	}
	if cu.APIToken != "" {
		checkToken(v, "CLICKUP_API_TOKEN", cu.APIToken)
		v.required("CLICKUP_WORKSPACE_ID", cu.WorkspaceID, "the Workspace id, since CLICKUP_API_TOKEN is set")
		v.required("CLICKUP_API_BASE_URL", cu.APIBaseURL, "the REST API base, since CLICKUP_API_TOKEN is set (default "+DefaultAPIBaseURL+")")
	}
	if cu.APIBaseURL != "" {
		if p := checkURL(cu.APIBaseURL, insecure); p != "" {
			v.add("CLICKUP_API_BASE_URL", "%s", p)
		}
	}
}

func (c Config) validateLog(v *validator) {
	if !contains(logLevels, c.Log.Level) {
		v.add("LOG_LEVEL", "must be one of %s, got %s", strings.Join(logLevels, ", "), show(c.Log.Level))
	}
	if !contains(logFormats, c.Log.Format) {
		v.add("LOG_FORMAT", "must be auto, json or console, got %s", show(c.Log.Format))
	}
}

func checkEntries(v *validator, env string, list []string, unique bool) {
	seen := map[string]bool{}
	for i, e := range list {
		e = strings.TrimSpace(e)
		if e == "" {
			v.add(env, "entry %d is empty", i+1)
			continue
		}
		if unique && seen[e] {
			v.add(env, "lists %s twice", show(e))
		}
		seen[e] = true
	}
}

// checkToken catches the stray whitespace a secret file or a copy-paste leaves behind, which would
// otherwise surface much later as an authentication failure. It never shows the token.
func checkToken(v *validator, env string, s Secret) {
	t := s.Reveal()
	if strings.TrimSpace(t) != t || strings.ContainsAny(t, "\r\n") {
		v.add(env, "has leading or trailing whitespace or a line break (a second newline at the end of its file?)")
	}
	// Docker's --env-file and Kubernetes pass quotes through; no credential starts and ends with
	// the same quote.
	if len(t) >= 2 && (t[0] == '"' || t[0] == '\'') && t[len(t)-1] == t[0] {
		v.add(env, "is wrapped in quotes, which would be sent as part of it; remove them")
	}
}

// checkURL applies the rule every base URL obeys (internal/endpoint) and says what is wrong, or "".
func checkURL(raw string, allowInsecure bool) (problem string) {
	if _, err := endpoint.Parse(raw, allowInsecure); err != nil {
		return err.Error()
	}
	return ""
}

// checkOrgURL adds what Okta's own client checks, so the mistake shows at start-up with the fix.
func checkOrgURL(raw string, allowInsecure bool) string {
	if p := checkURL(raw, allowInsecure); p != "" {
		return p
	}
	u, _ := url.Parse(raw) // checkURL has parsed it
	host := strings.ToLower(u.Host)
	if strings.Contains(host, "-admin.") {
		fixed := *u
		fixed.Host = strings.Replace(host, "-admin.", ".", 1)
		fixed.Path = ""
		return fmt.Sprintf("is the Admin Console address; Okta's API needs the org URL, %s", show(fixed.String()))
	}
	if u.Path != "" && u.Path != "/" {
		return fmt.Sprintf("must be the org's address without a path, like %s", show(u.Scheme+"://"+u.Host))
	}
	return ""
}

// checkPrivateKey parses the key as the OAuth client will, so a wrong or damaged key fails at
// start-up, not at the first token request. Messages describe the key, never quote it.
func checkPrivateKey(text string) string {
	const want = "must be an RSA private key in PEM (-----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----)"
	block, rest := pem.Decode([]byte(text))
	if block == nil {
		if strings.Contains(text, `\n`) && !strings.Contains(text, "\n") {
			return want + "; its line breaks appear as \\n: give it as a file with OKTA_PRIVATE_KEY_FILE"
		}
		return want
	}
	if strings.TrimSpace(string(rest)) != "" {
		return want + "; it holds more than one PEM block, give only the private key"
	}
	if block.Type == "ENCRYPTED PRIVATE KEY" || strings.Contains(block.Headers["Proc-Type"], "ENCRYPTED") {
		return "is encrypted; give the key unencrypted (from a secret store or a file with OKTA_PRIVATE_KEY_FILE)"
	}
	var key *rsa.PrivateKey
	switch block.Type {
	case "RSA PRIVATE KEY":
		k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			return "is not a valid PKCS#1 RSA private key"
		}
		key = k
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return "is not a valid PKCS#8 private key"
		}
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return fmt.Sprintf("holds a %s key; Okta service apps sign with RSA", keyKind(k))
		}
		key = rk
	case "CERTIFICATE", "PUBLIC KEY", "RSA PUBLIC KEY":
		return fmt.Sprintf("is a %s, not the private key", strings.ToLower(block.Type))
	default:
		return fmt.Sprintf("%s; got a PEM block of type %s", want, show(block.Type))
	}
	if bits := key.N.BitLen(); bits < minRSABits {
		return fmt.Sprintf("is a %d-bit RSA key; Okta requires at least %d bits", bits, minRSABits)
	}
	return ""
}

func keyKind(k any) string {
	t := fmt.Sprintf("%T", k) // *ecdsa.PrivateKey, ed25519.PrivateKey
	t = strings.TrimPrefix(t, "*")
	t, _, _ = strings.Cut(t, ".")
	return strings.ToUpper(t)
}

// checkSchedule parses the schedule as the daemon's cron will.
func checkSchedule(spec string) (problem string) {
	// robfig/cron indexes past the end of some malformed time-zone prefixes; operator input must
	// not crash start-up.
	defer func() {
		if r := recover(); r != nil {
			problem = "not a valid schedule: " + show(spec)
		}
	}()
	if strings.TrimSpace(spec) == "" {
		return `required: a cron spec or descriptor, like "@every 15m"`
	}
	body := spec
	if strings.HasPrefix(spec, "TZ=") || strings.HasPrefix(spec, "CRON_TZ=") {
		_, b, ok := strings.Cut(spec, " ")
		if !ok {
			return fmt.Sprintf("time zone without a schedule: %s", show(spec))
		}
		body = strings.TrimSpace(b)
	}
	if d, ok := strings.CutPrefix(body, "@every "); ok {
		// cron silently runs anything below a second every second.
		if dur, err := time.ParseDuration(strings.TrimSpace(d)); err == nil && dur < time.Second {
			return fmt.Sprintf("@every needs an interval of at least 1s: %s", show(spec))
		}
	}
	if _, err := scheduleParser.Parse(spec); err != nil {
		return fmt.Sprintf("not a cron schedule or descriptor (like \"*/15 * * * *\", \"@hourly\" or \"@every 15m\"): %s: %v", show(spec), err)
	}
	return ""
}
