package main

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/okta-clickup-sync/okta-clickup-sync/engine"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// exitMeaning says in a word what an exit code means (DESIGN.md §8).
func exitMeaning(code int) string {
	switch code {
	case exitOK:
		return "success"
	case exitChanges:
		return "changes"
	case exitHeld:
		return "held"
	default:
		return "error"
	}
}

// runReport is what a one-off run prints on stdout: its plan with the outcome of every entry,
// and what identifies the run in the store and the logs.
type runReport struct {
	RunID       string    `json:"run_id"`
	Kind        string    `json:"kind"`
	Trigger     string    `json:"trigger"`
	DryRun      bool      `json:"dry_run"`
	StartedAt   time.Time `json:"started_at"`
	FinishedAt  time.Time `json:"finished_at"`
	Outcome     string    `json:"outcome"`
	ExitCode    int       `json:"exit_code"`
	ExitMeaning string    `json:"exit_meaning"`
	Error       string    `json:"error,omitempty"`
	ApprovesRun string    `json:"approves_run,omitempty"`
	// Held counts the deactivations held by a safety cap; ApproveCommand applies them, when a
	// store keeps them for approval.
	Held           int          `json:"held"`
	ApproveCommand string       `json:"approve_command,omitempty"`
	Entries        []core.Entry `json:"entries"`
	Summary        core.Summary `json:"summary"`
}

// newRunReport describes a finished run; approveCmd is how to approve what it held ("" when it
// cannot be approved).
func newRunReport(res engine.Result, approves string, exit int, approveCmd string) runReport {
	r := runReport{
		RunID: res.ID, Kind: string(res.Kind), Trigger: res.Trigger, DryRun: res.DryRun,
		StartedAt: res.Start.UTC(), FinishedAt: res.End.UTC(), Outcome: res.Outcome,
		ExitCode: exit, ExitMeaning: exitMeaning(exit), ApprovesRun: approves,
		Entries: res.Plan.Entries, Summary: res.Plan.Summarize(),
	}
	if r.Entries == nil {
		r.Entries = []core.Entry{}
	}
	if res.Err != nil {
		r.Error = res.Err.Error()
	}
	r.Held = r.Summary.Outcomes[core.OutcomeHeld]
	if r.Held > 0 {
		r.ApproveCommand = approveCmd
	}
	return r
}

func (r runReport) writeJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// writeText prints the plan, what is held and how to approve it, and a line naming the run.
func (r runReport) writeText(w io.Writer, holdHint string) error {
	if r.Error != "" && len(r.Entries) == 0 {
		// Nothing was planned: stderr says why, and there is no plan to show.
		_, err := fmt.Fprintf(w, "Run %s (%s) %s: nothing was planned or written.\n", r.RunID, r.Kind, r.Outcome)
		return err
	}
	if err := (core.Plan{Entries: r.Entries}).WriteText(w); err != nil {
		return err
	}
	if r.Held > 0 {
		noun := "deactivations are"
		if r.Held == 1 {
			noun = "deactivation is"
		}
		fmt.Fprintf(w, "\n%d %s held by the safety cap (SYNC_MAX_DEACTIVATIONS, SYNC_MAX_DEACTIVATION_PERCENT).\n", r.Held, noun)
		if r.ApproveCommand != "" {
			fmt.Fprintf(w, "Review them: %s\nApply them:  %s\n", holdHint, r.ApproveCommand)
		} else {
			fmt.Fprintln(w, holdHint)
		}
	}
	took := r.FinishedAt.Sub(r.StartedAt).Round(time.Millisecond)
	_, err := fmt.Fprintf(w, "\nRun %s (%s) %s in %s.\n", r.RunID, r.Kind, r.Outcome, took)
	return err
}
