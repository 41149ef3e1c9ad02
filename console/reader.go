package console

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is what a Reader returns, wrapped or not, for a run that was never recorded.
var ErrNotFound = errors.New("not found")

// Reader is everything the console reads. It never writes: the only write the console can cause
// goes through Options.Approve.
//
// Kinds, triggers, statuses, actions and outcomes are plain strings and are shown as they come,
// so a store that learns a new one needs no change here.
type Reader interface {
	// Runs returns the runs q selects, newest first, and whether older ones follow.
	Runs(ctx context.Context, q RunQuery) (runs []Run, more bool, err error)
	// Run returns one run, or an error wrapping ErrNotFound.
	Run(ctx context.Context, id string) (Run, error)
	// RunEntries returns one page of a run's entries, in plan order, with the number q selects.
	RunEntries(ctx context.Context, q EntryQuery) (EntryPage, error)
	// UserHistory returns the newest entries, at most limit, about the user key names (a login
	// or email, case-insensitively, or an Okta or ClickUp user id exactly), oldest first.
	UserHistory(ctx context.Context, key string, limit int) ([]Entry, error)
	// Held returns the deactivations a run held, in plan order, or an error wrapping ErrNotFound
	// when it held none.
	Held(ctx context.Context, runID string) ([]Entry, error)
}

// Run is one recorded reconcile.
type Run struct {
	ID      string
	Kind    string // full, user, events; empty when the store does not record it
	Trigger string // schedule, manual, trigger, approve, ...
	DryRun  bool
	Start   time.Time
	End     time.Time // zero while running
	Status  string    // running, success, changed, failed, held, refused, interrupted, ...
	// Actions and Outcomes count the run's entries.
	Actions  map[string]int
	Outcomes map[string]int
	Writes   int // write entries planned
	Failures int // entries that failed
	Error    string
	// ApprovesRun is, for an approve run, the run whose held deactivations it applied.
	ApprovesRun string
	// ApprovedBy is, for a run that held deactivations, the approve run that took the approval;
	// empty while they await it.
	ApprovedBy string
}

// RunQuery selects runs. The zero value selects the newest ones, up to a default page.
type RunQuery struct {
	Status string // only runs with this status; all when empty
	Offset int    // skip this many of the newest
	Limit  int    // at most this many
}

// Entry is one recorded plan entry.
type Entry struct {
	RunID         string
	Seq           int       // position in the run's plan, from 1; 0 for held entries
	At            time.Time // when the run started
	Action        string
	OktaUserID    string
	ClickUpUserID string
	User          string
	Field         string
	From          string
	To            string
	Reason        string
	Outcome       string
	Error         string
}

// EntryQuery selects a page of one run's entries. Empty fields select everything.
type EntryQuery struct {
	RunID   string
	Action  string
	Outcome string
	// User matches, case-insensitively, part of the entry's user, Okta user id or ClickUp user id.
	User   string
	Offset int
	Limit  int
}

// EntryPage is one page of entries and how many the query selects in all.
type EntryPage struct {
	Entries []Entry
	Total   int
}

// ApproveFunc applies the deactivations runID held, as `approve RUN_ID` does, and says what
// became of them. It runs to completion even if the browser that asked goes away.
type ApproveFunc func(ctx context.Context, runID string) (ApproveResult, error)

// ApproveResult is what an approval made.
type ApproveResult struct {
	RunID   string // the approve run's id, when one was recorded
	Status  string // its status
	Message string // one line for the operator, shown as text
}
