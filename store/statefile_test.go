package store

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpen_MustExist(t *testing.T) {
	t.Run("MissingFile", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "state.db")
		_, err := Open(t.Context(), path, Options{MustExist: true})
		if !errors.Is(err, ErrNoStateFile) || !strings.Contains(err.Error(), path) {
			t.Fatalf("err %v, want ErrNoStateFile naming %s", err, path)
		}
		if names := dirNames(t, dir); len(names) != 0 {
			t.Fatalf("a failed open left %v behind", names)
		}
	})
	t.Run("MissingDirectory", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "state")
		path := filepath.Join(dir, "state.db")
		_, err := Open(t.Context(), path, Options{MustExist: true})
		if !errors.Is(err, ErrNoStateFile) || !strings.Contains(err.Error(), "directory "+dir+" does not exist") {
			t.Fatalf("err %v, want ErrNoStateFile saying the directory does not exist", err)
		}
		if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("the directory was created: %v", err)
		}
	})
	t.Run("ExistingFile", func(t *testing.T) {
		path := statePath(t)
		MustOpen(t, path, newClock())
		s, err := Open(t.Context(), path, Options{MustExist: true})
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
	})
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestOpen_NewFileIsPrivate(t *testing.T) {
	// The state file says who was changed when: mode 0600, whatever the umask, and so are the
	// -wal and -shm files SQLite makes beside it.
	dir := t.TempDir()
	path := filepath.Join(dir, "state.db")
	s := MustOpen(t, path, newClock())
	if err := s.SaveLinks(t.Context(), map[string]string{"00u1": "1"}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if m := fi.Mode().Perm(); m != 0o600 {
			t.Errorf("%s: mode %#o, want 0600", filepath.Base(p), m)
		}
	}
	// Only the state file and SQLite's files: no temporary file left over.
	for _, name := range dirNames(t, dir) {
		if !strings.HasPrefix(name, "state.db") || strings.Contains(name, ".new-") {
			t.Errorf("unexpected file %s beside the state file", name)
		}
	}
}

func TestOpen_ExistingFileKeepsItsMode(t *testing.T) {
	path := statePath(t)
	s, err := Open(t.Context(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := os.Chmod(path, 0o640); err != nil { // an operator's choice: a group of auditors may read it
		t.Fatal(err)
	}
	MustOpen(t, path, newClock())
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if m := fi.Mode().Perm(); m != 0o640 {
		t.Fatalf("mode %#o after open, want the operator's 0640", m)
	}
}

func TestOpen_EmptyFileIsANewStateFile(t *testing.T) {
	// What a crash between creating the file and migrating it leaves, or `touch`.
	path := statePath(t)
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	s := MustOpen(t, path, newClock())
	if err := s.SaveLinks(t.Context(), map[string]string{"00u1": "1"}); err != nil {
		t.Fatal(err)
	}
}

func TestOpen_ErrorsNameThePathAndCause(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, path, want string
	}{
		{"MissingDirectory", filepath.Join(t.TempDir(), "a", "b", "state.db"), "directory %s does not exist"},
		{"IsADirectory", t.TempDir(), "%s is a directory"},
		{"ParentIsAFile", filepath.Join(file, "state.db"), file + " is not a directory"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Open(t.Context(), tt.path, Options{})
			want := tt.want
			if strings.Contains(want, "%s") {
				dir := tt.path
				if tt.name == "MissingDirectory" {
					dir = filepath.Dir(filepath.Dir(tt.path)) // the first missing one
				}
				want = strings.ReplaceAll(want, "%s", dir)
			}
			if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), tt.path) {
				t.Fatalf("err %v, want it to name %s and say %q", err, tt.path, want)
			}
			if strings.Contains(err.Error(), "(14)") {
				t.Errorf("err %v: SQLite's code instead of the cause", err)
			}
		})
	}
}

func TestOpen_PermissionDenied(t *testing.T) {
	// Each case runs Open in a process that permissions apply to.
	open := unprivilegedOpener(t)
	for _, tt := range []struct {
		name  string
		setup func(t *testing.T, dir string) (path string)
		want  string // with %d for the directory and %p for the path
	}{
		{"FileNotWritable", func(t *testing.T, dir string) string {
			path := filepath.Join(dir, "state.db")
			create(t, path)
			chmod(t, path, 0o444)
			return path
		}, "permission denied writing %p"},
		{"DirectoryNotWritableForANewFile", func(t *testing.T, dir string) string {
			chmod(t, dir, 0o555)
			return filepath.Join(dir, "state.db")
		}, "permission denied creating %p (directory %d is not writable)"},
		{"DirectoryNotWritableForTheWAL", func(t *testing.T, dir string) string {
			path := filepath.Join(dir, "state.db")
			create(t, path)
			chmod(t, path, 0o666)
			chmod(t, dir, 0o555)
			return path
		}, "permission denied writing %d (SQLite keeps its -wal and -shm files beside the state file)"},
		{"FileNotReadable", func(t *testing.T, dir string) string {
			sub := filepath.Join(dir, "locked")
			if err := os.Mkdir(sub, 0o755); err != nil {
				t.Fatal(err)
			}
			chmod(t, sub, 0)
			t.Cleanup(func() { _ = os.Chmod(sub, 0o755) })
			return filepath.Join(sub, "state.db")
		}, "permission denied reading %d/locked/state.db"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			makeTraversable(t, dir)
			path := tt.setup(t, dir)
			t.Cleanup(func() { _ = os.Chmod(dir, 0o755) }) // so that TempDir can remove it
			got := open(t, path, false)
			want := strings.NewReplacer("%p", path, "%d", dir).Replace(tt.want)
			if !strings.Contains(got, want) || !strings.HasPrefix(got, "store: open "+path+": ") {
				t.Fatalf("open as an unprivileged user: %q\nwant it to say %q", got, want)
			}
		})
	}
}

// create makes a state file at path.
func create(t *testing.T, path string) {
	t.Helper()
	s, err := Open(t.Context(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

func chmod(t *testing.T, path string, mode os.FileMode) {
	t.Helper()
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}
