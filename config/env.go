package config

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
)

// maxSecretFile bounds a secret file. A PEM key is a few KiB; anything far larger is the wrong
// file, and reading /dev/zero by mistake must not exhaust memory.
const maxSecretFile = 64 << 10

// applyEnv overlays the environment. An empty variable means unset, except for the settings where
// empty is a choice (keepEmpty); a secret may instead come from NAME_FILE, but not from both.
func (st *state) applyEnv(lookup func(string) (string, bool)) {
	for _, s := range settings {
		v, present := lookup(s.env)
		set := present && (s.keepEmpty || strings.TrimSpace(v) != "")
		if s.secret() {
			path, ok := lookup(s.env + "_FILE")
			if ok && path != "" {
				if set {
					st.fail(s.err("", "set both as %s and as %s_FILE; unset one", s.env, s.env))
					continue
				}
				st.files[s] = fileRef{path: path, label: s.fileErr("", "")}
				st.explicit[s] = true
				continue
			}
		}
		if !set {
			continue
		}
		// A value from the environment beats a secret file named in the YAML file, which then need
		// not exist where this runs.
		delete(st.files, s)
		st.explicit[s] = true
		if problem := s.set(&st.cfg, v); problem != "" {
			st.fail(s.err("", "%s", problem))
		}
	}
}

// readSecretFiles reads the secret files that survived every layer, in the table's order so that
// errors come out in a stable order.
func (st *state) readSecretFiles() {
	for _, s := range settings {
		ref, ok := st.files[s]
		if !ok {
			continue
		}
		v, problem := readSecretFile(ref.path)
		if problem != "" {
			e := *ref.label
			e.Problem = problem + ref.via
			st.fail(&e)
			continue
		}
		*s.ptr(&st.cfg).(*Secret) = Secret(v)
	}
}

// readSecretFile returns the content with one trailing line ending removed (what editors and
// `echo` add, and what Kubernetes and Docker secrets may carry), or a problem that names the path
// and never the content.
func readSecretFile(path string) (value, problem string) {
	// Stat before Open: opening a FIFO or a terminal would block start-up instead of failing.
	fi, err := os.Stat(path)
	if err != nil {
		return "", fmt.Sprintf("cannot read %s: %v", show(path), pathErrCause(err))
	}
	if !fi.Mode().IsRegular() {
		return "", fmt.Sprintf("cannot read %s: not a regular file", show(path))
	}
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Sprintf("cannot read %s: %v", show(path), pathErrCause(err))
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxSecretFile+1))
	if err != nil {
		return "", fmt.Sprintf("cannot read %s: %v", show(path), pathErrCause(err))
	}
	if len(b) > maxSecretFile {
		return "", fmt.Sprintf("%s is larger than %d KiB; is it the right file?", show(path), maxSecretFile>>10)
	}
	s := string(b)
	if t, ok := strings.CutSuffix(s, "\r\n"); ok {
		s = t
	} else {
		s = strings.TrimSuffix(s, "\n")
	}
	if s == "" {
		return "", fmt.Sprintf("%s is empty", show(path))
	}
	return s, ""
}

// pathErrCause drops the *fs.PathError's own "open /path:" prefix, since messages name the path
// once themselves.
func pathErrCause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
