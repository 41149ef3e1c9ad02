package config

import (
	"os"
	"path/filepath"
	"strings"
)

// secretsDirEnv names the directory of optional secret files.
const secretsDirEnv = "SYNC_SECRETS_DIR"

// fileName is the name a secret's file has in SYNC_SECRETS_DIR: the environment name in lower
// case with dashes (okta-api-token), which is also a valid Kubernetes Secret key and systemd
// credential name.
func (s *setting) fileName() string {
	return strings.ToLower(strings.ReplaceAll(s.env, "_", "-"))
}

// readSecretsDir looks in SYNC_SECRETS_DIR for the secrets nobody set by name. Unlike NAME_FILE,
// which says "this file holds it" and so fails when the file is missing, the directory says
// "whatever is here": a secret whose file is absent stays unset, and Validate then says whether
// it was required. That is what lets one mounted Secret carry optional keys.
func (st *state) readSecretsDir() {
	dir := st.cfg.Sync.SecretsDir
	if dir == "" {
		return
	}
	ds := settingByEnv(secretsDirEnv)
	fi, err := os.Stat(dir)
	if err == nil && !fi.IsDir() {
		st.fail(ds.err("", "%s is not a directory", show(dir)))
	}
	var entries []os.DirEntry
	if err == nil && fi.IsDir() {
		entries, err = os.ReadDir(dir)
	}
	if err != nil {
		st.fail(ds.err("", "cannot read the directory %s: %v", show(dir), pathErrCause(err)))
	}
	if err != nil || !fi.IsDir() {
		// What the directory would have provided is unknown: no complaint about those secrets
		// being missing should drown the one above.
		for _, s := range settings {
			if s.secret() {
				st.failed[s.env] = true
			}
		}
		return
	}
	bySecretFile := map[string]*setting{}
	for _, s := range settings {
		if s.secret() {
			bySecretFile[s.fileName()] = s
		}
	}
	for _, e := range entries {
		name := e.Name()
		// Kubernetes keeps its own ..data link and timestamped directories beside the keys, and
		// dot files are nobody's secret.
		if strings.HasPrefix(name, ".") {
			continue
		}
		s, ok := bySecretFile[name]
		if !ok {
			st.warn(secretsDirWarning(name))
			continue
		}
		if st.explicit[s] {
			st.warn(Warning{
				Name:    name,
				Source:  secretsDirEnv,
				Problem: "file not read: its setting is set by name in the environment or the config file",
			})
			continue
		}
		st.files[s] = fileRef{
			path:  filepath.Join(dir, name),
			label: &SettingError{Env: s.env, Key: s.key},
			via:   " (found in " + secretsDirEnv + ")",
		}
	}
}

// secretsDirWarning explains a file in SYNC_SECRETS_DIR that is not read.
func secretsDirWarning(name string) Warning {
	w := Warning{Name: name, Source: secretsDirEnv, Problem: "unknown file in the secrets directory, not read"}
	norm := strings.ToLower(strings.ReplaceAll(name, "_", "-"))
	var candidates []string
	for _, s := range settings {
		if s.fileName() != norm {
			if s.secret() {
				candidates = append(candidates, s.fileName())
			}
			continue
		}
		if s.secret() {
			// OKTA_API_TOKEN or Okta-Api-Token: the right secret under the wrong spelling.
			w.DidYouMean = s.fileName()
			return w
		}
		w.Problem = "file not read: the secrets directory holds only secrets; set this setting in the environment or the config file"
		w.DidYouMean = s.env
		return w
	}
	w.DidYouMean = closest(norm, candidates)
	return w
}
