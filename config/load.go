package config

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
)

// Load builds the configuration: defaults, then the YAML file at path (when path is not empty),
// then the environment, then the secret files named by NAME_FILE variables, *_file keys or
// SYNC_SECRETS_DIR. A nil lookup means os.LookupEnv. Every problem found is returned at once
// (errors.Join of *SettingError and file errors); the Config is returned too, with whatever could
// be read, so a caller may show it. Load does not call Validate: Build does both.
func Load(path string, lookup func(string) (string, bool)) (Config, error) {
	if lookup == nil {
		lookup = os.LookupEnv
	}
	st := newState()
	st.load(path, lookup)
	return st.cfg, redactErrors(st.errs, st.cfg.Secrets())
}

// Parse reads a YAML configuration over Default(), without the environment. Unknown keys are
// errors naming the key and its line. Secret *_file keys are read, relative paths from the working
// directory.
func Parse(r io.Reader) (Config, error) {
	st := newState()
	st.parseYAML(r, "")
	st.readSecretsDir()
	st.readSecretFiles()
	st.fillDerived()
	return st.cfg, redactErrors(st.errs, st.cfg.Secrets())
}

// Secrets returns every non-empty secret value, and the password inside SYNC_STATE_URL, so that
// tests can search output for leaks and errors can be scrubbed.
func (c Config) Secrets() []string {
	var out []string
	for _, s := range []Secret{
		c.Okta.APIToken, c.Okta.PrivateKey, c.ClickUp.SCIMToken, c.ClickUp.APIToken,
		c.Sync.TriggerToken, c.Sync.UIToken, c.Sync.EventHookSecret, c.Sync.StateURL,
	} {
		if s != "" {
			out = append(out, s.Reveal())
		}
	}
	return append(out, urlPasswords(c.Sync.StateURL.Reveal())...)
}

// urlPasswords returns the passwords a PostgreSQL URL carries, in its user information or as the
// password or sslpassword parameter, so that a password is scrubbed even where it shows apart
// from the URL (a driver's error quoting it).
func urlPasswords(raw string) []string {
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil
	}
	var out []string
	if p, ok := u.User.Password(); ok && p != "" {
		out = append(out, p)
	}
	q := u.Query()
	for _, k := range []string{"password", "sslpassword"} {
		if v := q.Get(k); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// RedactURL returns a URL fit for a log line: the password in the user information and the
// password and sslpassword parameters are removed; a URL that does not parse becomes
// "[redacted]". Use it to show where SYNC_STATE_URL points.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return redacted
	}
	if u.User != nil {
		u.User = url.User(u.User.Username())
	}
	q := u.Query()
	if q.Has("password") || q.Has("sslpassword") {
		q.Del("password")
		q.Del("sslpassword")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// oauthConfigured reports whether any piece of the OAuth service-app set is present, which selects
// OAuth over the API token (and makes a partial set an error rather than silently ignored).
func (o OktaConfig) oauthConfigured() bool {
	return o.ClientID != "" || o.PrivateKey != "" || o.PrivateKeyID != ""
}

// state is a configuration being built: the values so far, the secret files still to read and the
// problems found.
type state struct {
	cfg   Config
	files map[*setting]fileRef // secret setting -> the file that will provide it
	// explicit records the settings given a value (or a file) by the YAML file or the
	// environment, so that a default can give way (SYNC_STATE_PATH to SYNC_STATE_URL) and a file
	// in SYNC_SECRETS_DIR does not override what was set by name.
	explicit map[*setting]bool
	// failed names the settings (by environment name) whose value could not be read: Build does
	// not add Validate's complaint about the value left in their place.
	failed map[string]bool
	// fileFailed: the YAML file as a whole could not be read, so validating what is left would
	// only list the settings it should have provided.
	fileFailed bool
	errs       []error
	warnings   []Warning
}

// fileRef is a secret file named by NAME_FILE, a *_file key or found in SYNC_SECRETS_DIR,
// remembered until the last layer has been applied so that a later layer's value wins without the
// file ever being opened.
type fileRef struct {
	path  string
	label *SettingError // names the setting that gave the path, for errors
	via   string        // how the path was found, when the label does not say it
}

func newState() *state {
	return &state{cfg: Default(), files: map[*setting]fileRef{}, explicit: map[*setting]bool{}, failed: map[string]bool{}}
}

func (st *state) load(path string, lookup func(string) (string, bool)) {
	if path != "" {
		if err := st.readFile(path); err != nil {
			st.fileFailed = true
			st.fail(err)
		}
	}
	st.applyEnv(lookup)
	st.readSecretsDir()
	st.readSecretFiles()
	st.fillDerived()
}

func (st *state) readFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("config file: %w", err)
	}
	defer f.Close()
	st.parseYAML(f, path)
	return nil
}

// fillDerived sets defaults that depend on other settings.
func (st *state) fillDerived() {
	c := &st.cfg
	if strings.EqualFold(c.ClickUp.SCIMRoleSchema, SCIMRoleSchemaAuto) {
		c.ClickUp.SCIMRoleSchema = SCIMRoleSchemaAuto
	}
	// The URL replaces the SQLite file. Only the default gives way: a path set by name beside the
	// URL is an ambiguity Validate reports.
	if c.Sync.StateURL != "" && !st.explicit[settingByEnv("SYNC_STATE_PATH")] {
		c.Sync.StatePath = ""
	}
	o := &c.Okta
	if len(o.Scopes) == 0 && o.oauthConfigured() {
		o.Scopes = DefaultScopes(len(c.Sync.PushGroups) > 0, c.Sync.Events == EventsSystemLog)
	}
}

func (st *state) fail(err error) {
	st.errs = append(st.errs, err)
	var se *SettingError
	if errors.As(err, &se) && se.Env != "" {
		st.failed[strings.TrimSuffix(se.Env, "_FILE")] = true
	}
}

func (st *state) warn(w Warning) { st.warnings = append(st.warnings, w) }

// redactErrors is the last guard against a secret reaching an error: messages are built not to show
// secret values, but a secret pasted into the wrong setting (a token as a schedule) would be shown
// as that setting's value.
func redactErrors(errs []error, secrets []string) error {
	out := make([]error, 0, len(errs))
	for _, err := range errs {
		if err == nil {
			continue
		}
		if se, ok := err.(*SettingError); ok {
			c := *se
			c.Problem = redactText(c.Problem, secrets)
			out = append(out, &c)
			continue
		}
		msg := err.Error()
		if r := redactText(msg, secrets); r != msg {
			err = errors.New(r)
		}
		out = append(out, err)
	}
	return errors.Join(out...)
}
