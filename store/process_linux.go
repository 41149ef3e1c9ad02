package store

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// bootID changes at every boot, so a pid recorded before a reboot is recognised as gone.
func bootID() (string, error) {
	b, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return "", err
	}
	id := strings.TrimSpace(string(b))
	if id == "" {
		return "", errors.New("empty boot id")
	}
	return id, nil
}

func pidNamespace() (string, error) { return os.Readlink("/proc/self/ns/pid") }

// processStart reads field 22 of /proc/PID/stat, the start time in clock ticks since boot; an
// error wrapping fs.ErrNotExist when there is no such process.
func processStart(pid int) (string, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return "", err
	}
	// Field 2, the command name, is in parentheses and may hold spaces and ')'; the fields
	// after the last ')' start with field 3.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return "", fmt.Errorf("/proc/%d/stat: no command name", pid)
	}
	fields := strings.Fields(string(b[i+1:]))
	const startField = 22 - 3
	if len(fields) <= startField {
		return "", fmt.Errorf("/proc/%d/stat: %d fields after the command name", pid, len(fields))
	}
	if _, err := strconv.ParseUint(fields[startField], 10, 64); err != nil {
		return "", fmt.Errorf("/proc/%d/stat: start time %q", pid, fields[startField])
	}
	return fields[startField], nil
}
