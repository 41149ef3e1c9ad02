package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// ErrNoStateFile is returned by Open with Options.MustExist when there is no file at the path.
var ErrNoStateFile = errors.New("state file does not exist")

// fileMode is the mode of a new state file. It holds who was changed when and why, so it is not
// for everyone to read; SQLite gives its -wal and -shm files the same mode.
const fileMode = 0o600

// prepareFile makes sure a regular file the process may write is at path before SQLite opens it,
// creating an empty one (mode 0600) unless mustExist. SQLite would create a missing file itself,
// but with mode 0644, and its errors ("unable to open database file") name neither the path nor
// the cause; these do.
func prepareFile(path string, mustExist bool) error {
	fi, err := os.Stat(path)
	switch {
	case err == nil:
		if fi.IsDir() {
			return fmt.Errorf("%s is a directory", path)
		}
		if !fi.Mode().IsRegular() {
			return fmt.Errorf("%s is not a regular file (%s)", path, fi.Mode().Type())
		}
		if err := writable(path); err != nil {
			return describeWriteErr(path, err)
		}
		// SQLite creates and deletes the -wal and -shm files beside the state file.
		if err := writable(filepath.Dir(path)); err != nil {
			return fmt.Errorf("%w (SQLite keeps its -wal and -shm files beside the state file)",
				describeWriteErr(filepath.Dir(path), err))
		}
		return nil
	case errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR):
		dirErr := checkDir(filepath.Dir(path))
		switch {
		case mustExist && dirErr != nil:
			return fmt.Errorf("%w (%w)", ErrNoStateFile, dirErr)
		case mustExist:
			return ErrNoStateFile
		case dirErr != nil:
			return dirErr
		case errors.Is(err, syscall.ENOTDIR):
			return err
		}
		return createFile(path)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("permission denied reading %s", path)
	default:
		return err
	}
}

// checkDir says which ancestor of a missing file is missing or not a directory.
func checkDir(dir string) error {
	fi, err := os.Stat(dir)
	switch {
	case err == nil && fi.IsDir():
		return nil
	case err == nil:
		return fmt.Errorf("%s is not a directory", dir)
	case errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR):
		if parent := filepath.Dir(dir); parent != dir {
			if err := checkDir(parent); err != nil {
				return err
			}
		}
		return fmt.Errorf("directory %s does not exist", dir)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("permission denied reading directory %s", dir)
	default:
		return err
	}
}

// createFile creates an empty state file with mode 0600 unless one appeared meanwhile.
//
// It is made under a temporary name and linked into place. Creating it in place would mean
// closing a descriptor of the state file itself, and POSIX drops every lock a process holds on a
// file when it closes any descriptor of it: a Store of this process that had just opened the new
// file would silently lose its SQLite locks.
func createFile(path string) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".new-*") // mode 0600
	if err != nil {
		return describeCreateErr(path, err)
	}
	name := tmp.Name()
	defer os.Remove(name)
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	err = os.Link(name, path)
	switch {
	case err == nil, errors.Is(err, fs.ErrExist):
		return nil // ours, or another process's: both are state files to open
	}
	// A filesystem without hard links: create in place. The window above is then open for the
	// instant between create and close, on a file that is still empty.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, fileMode)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return describeCreateErr(path, err)
	}
	return f.Close()
}

func describeCreateErr(path string, err error) error {
	switch {
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("permission denied creating %s (directory %s is not writable)", path, filepath.Dir(path))
	case errors.Is(err, syscall.EROFS):
		return fmt.Errorf("cannot create %s: read-only file system", path)
	}
	return fmt.Errorf("create %s: %w", path, err)
}

func describeWriteErr(path string, err error) error {
	switch {
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("permission denied writing %s", path)
	case errors.Is(err, syscall.EROFS):
		return fmt.Errorf("cannot write %s: read-only file system", path)
	}
	return fmt.Errorf("check %s is writable: %w", path, err)
}

// describeSQLiteErr puts SQLite's open-time failures in words; others pass through.
func describeSQLiteErr(path string, err error) error {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return err
	}
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_NOTADB:
		return fmt.Errorf("%s is not a SQLite database, so not a state file of okta-clickup-sync", path)
	case sqlite3.SQLITE_CANTOPEN:
		return fmt.Errorf("SQLite cannot open %s or create its -wal and -shm files beside it: %w", path, err)
	case sqlite3.SQLITE_READONLY:
		return fmt.Errorf("cannot write %s (read-only file or file system): %w", path, err)
	case sqlite3.SQLITE_CORRUPT:
		return fmt.Errorf("%s is damaged (restore it from a backup, or move it away to start afresh): %w", path, err)
	}
	return err
}

// isBusy reports SQLite's "database is locked": another connection holds a lock this one needs.
func isBusy(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	c := se.Code() & 0xff
	return c == sqlite3.SQLITE_BUSY || c == sqlite3.SQLITE_LOCKED
}
