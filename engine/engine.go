// Package engine runs reconciles: the one place where a run is made, whatever starts it (the
// daemon's schedule or trigger, a one-off reconcile, approve, an on-demand user run, an event).
// A run takes the run lock, records itself, reads both sides, plans with the core's pure planner,
// applies the rails and the confirmations of DESIGN.md §7, journals each write as it happens,
// keeps the links and records how it ended. The rules themselves live in package sync; the
// services and the store sit behind interfaces declared here and there.
package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"time"

	"github.com/rs/zerolog"

	"github.com/okta-clickup-sync/okta-clickup-sync/store"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// Defaults for Engine fields left zero.
const (
	// DefaultLockWait bounds how long a run waits for another process's run to finish.
	DefaultLockWait = 30 * time.Second
	// DefaultListingPageSize is the Okta app-user listing's page size; it decides when one
	// second listing confirms deactivations more cheaply than one read per user.
	DefaultListingPageSize = 500
)

// Engine makes runs. Its fields are set once, before the first run; it is safe for concurrent
// use, though the run lock lets only one run write at a time.
type Engine struct {
	Directory core.Directory
	Users     core.UserReader // confirmations and single-user reads
	Workspace core.Workspace
	Roles     core.Roles // optional: nil without a REST token

	// The single reads of user and event runs (DESIGN.md §10).
	Finder     core.UserFinder
	UserGroups core.UserGroupReader
	TeamReader core.TeamReader

	// Teams: the pushed groups' ids (resolved at start) and where to read and write them.
	PushGroups []string
	Groups     core.GroupDirectory
	Teams      core.TeamWorkspace

	Store Store // optional: nil when no store is configured

	// Prepare, when set, readies the ClickUp side before a run first reads it (the SCIM
	// discovery of DESIGN.md §11); it may be called once per run and should do its work once.
	// A full run calls it beside the Okta listing, so it adds nothing to the run's longest chain.
	Prepare func(ctx context.Context) error

	Options core.Options
	Rails   core.Rails
	Apply   core.ApplyOptions

	Log        zerolog.Logger
	Now        func() time.Time // time.Now when nil
	RunTimeout time.Duration    // each run's deadline; none when zero
	LockWait   time.Duration    // DefaultLockWait when zero
	Retention  time.Duration    // runs older than this are pruned after each run; never when zero
	CapWindow  time.Duration    // the window small runs' deactivations are counted over (§10)
	// ListingPageSize is the Okta listing's page size (DefaultListingPageSize when zero).
	ListingPageSize int
	// OnFinish, when set, is called with every finished run, for metrics and readiness.
	OnFinish func(Result)

	// ProgressEvery is how often a run in progress logs a progress line (DefaultProgressEvery
	// when zero; never when negative). Ticker makes its ticker (time.NewTicker when nil; tests
	// tick by hand). Pages, when set, counts the read requests answered so far, process-wide: a
	// run reports how many were answered since it started. OnProgress, when set, is also given
	// each progress line.
	ProgressEvery time.Duration
	Ticker        func(time.Duration) (ticks <-chan time.Time, stop func())
	Pages         func() int64
	OnProgress    func(Progress)
}

// Kind is what a run reads and plans.
type Kind string

const (
	KindFull   Kind = store.KindFull   // every user of both sides
	KindUser   Kind = store.KindUser   // the users named on the command line (reconcile --user)
	KindEvents Kind = store.KindEvents // the users events pointed at
)

// Spec says what run to make.
type Spec struct {
	Kind    Kind   // KindFull when empty
	Trigger string // store.Trigger*, for the record and the logs
	DryRun  bool
	// Approves names the run whose held deactivations this run applies (approve RUN_ID).
	Approves string
	// Users are the keys a user or events run reads: Okta ids, logins or emails.
	Users []string
}

// Result is what a run left behind.
type Result struct {
	ID      string
	Kind    Kind
	Trigger string
	DryRun  bool
	Start   time.Time
	End     time.Time
	Plan    core.Plan
	Err     error
	Outcome string // store.Run* outcomes
	// Interrupted lists runs an earlier, dead process left running, found at this run's start.
	Interrupted []string
}

// Errors that explain why a run did nothing.
var (
	// ErrNoStore is what the store-backed commands say without a store.
	ErrNoStore = errors.New("no store is configured (SYNC_STATE_PATH is empty): runs, drift and held plans are kept only with a store")
	// ErrNothingHeld is approving a run that held nothing, or that does not exist.
	ErrNothingHeld = errors.New("held no deactivations")
)

func (e *Engine) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

// Run makes one run and returns what it did; it never panics. The plan's entries carry each
// write's outcome. The error is set when the run could not be made, was refused, or was cut short.
func (e *Engine) Run(ctx context.Context, spec Spec) (res Result) {
	if spec.Kind == "" {
		spec.Kind = KindFull
	}
	if spec.Trigger == "" {
		spec.Trigger = store.TriggerManual
	}
	start := e.now()
	res = Result{ID: NewRunID(start), Kind: spec.Kind, Trigger: spec.Trigger, DryRun: spec.DryRun, Start: start}
	log := e.Log.With().Str("run_id", res.ID).Str("kind", string(spec.Kind)).Str("trigger", spec.Trigger).Logger()
	r := &run{e: e, spec: spec, res: &res, log: log}
	defer func() {
		// A panic in any run fails that run, not the daemon: the deferred unlock and record
		// below still happen, and the next scheduled run starts as usual.
		if v := recover(); v != nil {
			res.Err = &core.PanicError{Value: v, Stack: debug.Stack()}
			logPanic(log, res.Err)
			r.finish(ctx)
		}
		if e.OnFinish != nil {
			e.OnFinish(res)
		}
	}()
	if e.RunTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, e.RunTimeout)
		defer cancel()
	}
	r.stopProgress = r.watchProgress()
	defer r.stopProgress()
	r.do(ctx)
	return res
}

// logPanic logs a recovered panic with its stack, once.
func logPanic(log zerolog.Logger, err error) {
	var p *core.PanicError
	if errors.As(err, &p) {
		log.Error().Err(err).Str("stack", string(p.Stack)).Msg("run panicked")
	}
}

// NewRunID names a run in logs, plans and the store: sortable by time, unique by its suffix.
func NewRunID(now time.Time) string {
	var b [3]byte
	_, _ = rand.Read(b[:])
	return now.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}

// lockOwner describes this run to whoever finds the run lock taken.
func lockOwner(spec Spec, id string) string {
	return fmt.Sprintf("%s run %s (pid %d)", spec.Trigger, id, os.Getpid())
}
