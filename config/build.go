package config

import (
	"errors"
	"os"
)

// Sources says where a configuration comes from.
type Sources struct {
	// Path is the YAML file; "" for none. The caller resolves --config and
	// OKTA_CLICKUP_SYNC_CONFIG (ConfigPathEnv) into it.
	Path string
	// Lookup reads one environment variable; nil means os.LookupEnv.
	Lookup func(string) (string, bool)
	// Environ is the whole environment as os.Environ() gives it, for the warnings about
	// variables this program does not read (a lookup cannot find names it does not know). Nil
	// means os.Environ() when Lookup is nil too, and no environment warnings otherwise.
	Environ []string
}

// Build is what a command calls at start: Load and Validate in one, with every problem in one
// report (YAML type errors, unreadable secret files, bad environment values and validation
// failures alike, each naming the environment name and the YAML key), and the warnings about
// names that look meant for this program but are not read, which the caller logs and which do not
// fail start-up. A setting whose value could not be read is reported once, for that, not again by
// Validate for the default left in its place; when the YAML file as a whole cannot be read,
// validation is skipped, since it could only list what the file should have provided.
func Build(src Sources) (Config, []Warning, error) {
	lookup, environ := src.Lookup, src.Environ
	if lookup == nil {
		lookup = os.LookupEnv
		if environ == nil {
			environ = os.Environ()
		}
	}
	st := newState()
	st.load(src.Path, lookup)
	errs := st.errs
	if !st.fileFailed {
		for _, err := range st.cfg.problems() {
			var se *SettingError
			if errors.As(err, &se) && st.failed[se.Env] {
				continue
			}
			errs = append(errs, err)
		}
	}
	warnings := append(environWarnings(environ), st.warnings...)
	return st.cfg, warnings, redactErrors(errs, st.cfg.Secrets())
}
