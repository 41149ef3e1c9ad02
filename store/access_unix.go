//go:build unix

package store

import "golang.org/x/sys/unix"

// writable asks the kernel whether this process may write path, without opening it: opening and
// closing a descriptor of a SQLite file would drop the locks other connections of this process
// hold on it.
func writable(path string) error { return unix.Access(path, unix.W_OK) }
