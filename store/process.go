package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// process identifies the process behind a run or a run lock well enough to tell, later and from
// another process, whether it is still alive (DESIGN §7). A pid alone proves nothing: in a
// container the daemon is always pid 1, and pids are reused. With the start time (clock ticks
// since boot) and the boot id, a pid names one process for ever; the pid namespace says whether
// our own /proc can see it at all.
type process struct {
	Host   string
	PID    int
	BootID string // the kernel's boot id; "" where there is none (not Linux)
	PIDNS  string // the pid namespace, as /proc/self/ns/pid names it
	Start  string // start time in clock ticks since boot; "" where unknown
}

// currentProcess is this process. What cannot be read stays empty, and then others judge its
// runs and locks by the lease alone.
func currentProcess() process {
	host, _ := os.Hostname() // a missing name only makes others judge by the lease
	p := process{Host: host, PID: os.Getpid()}
	if id, err := bootID(); err == nil {
		p.BootID = id
	}
	if ns, err := pidNamespace(); err == nil {
		p.PIDNS = ns
	}
	if st, err := processStart(p.PID); err == nil {
		p.Start = st
	}
	return p
}

// liveness is what this process can tell about another one.
type liveness int

const (
	unknown liveness = iota // another host or pid namespace, or no /proc: judge by the lease
	alive
	dead
)

// judge tells whether other is alive, as seen from p, with the reason when it is dead.
func (p process) judge(other process) (liveness, string) {
	if other.Host != p.Host || p.BootID == "" || other.BootID == "" || other.Start == "" {
		return unknown, ""
	}
	if other.BootID != p.BootID {
		return dead, fmt.Sprintf("host %s has restarted since", other.Host)
	}
	if other.PIDNS != p.PIDNS || p.PIDNS == "" {
		return unknown, "" // another container on this host: its pids are not ours to look up
	}
	start, err := processStart(other.PID)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return dead, fmt.Sprintf("no process %d is running on %s", other.PID, other.Host)
	case err != nil:
		return unknown, ""
	case start != other.Start:
		return dead, fmt.Sprintf("pid %d on %s is now another process", other.PID, other.Host)
	}
	return alive, ""
}

// String names the process for errors and the run record.
func (p process) String() string {
	if p.Host == "" && p.PID == 0 {
		return "not recorded"
	}
	return fmt.Sprintf("pid %d on %s", p.PID, p.Host)
}
