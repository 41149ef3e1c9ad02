//go:build !linux

package store

import "errors"

// Without /proc a process's start time is unknown, so locks and runs are judged by the lease.

var errNoProc = errors.New("process start times are read on Linux only")

func bootID() (string, error) { return "", errNoProc }

func pidNamespace() (string, error) { return "", errNoProc }

func processStart(int) (string, error) { return "", errNoProc }
