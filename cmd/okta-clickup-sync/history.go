package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/okta-clickup-sync/okta-clickup-sync/store"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

func (c *cli) historyCommand() *cobra.Command {
	var (
		f     store.RunFilter
		since string
	)
	cmd := &cobra.Command{
		Use:   "history",
		Short: "List the recorded runs, newest first",
		Long: `List the runs recorded in the state file (SYNC_STATE_PATH), newest first: kind (full, user,
events), what started it, how it ended and the writes it made (applied, or sent with no answer
recorded; a dry run or a held deactivation writes nothing). A held run approved since names the
approving run. It reads only the state file: no Okta or ClickUp credentials are needed, and a
missing state file is reported, never created.`,
		Example: `  okta-clickup-sync history
  okta-clickup-sync history --since 7d --limit 100
  okta-clickup-sync history -o json | jq '.runs[] | select(.outcome == "held") | .run_id'`,
		Args: cobra.NoArgs,
	}
	fl := cmd.Flags()
	fl.IntVar(&f.Limit, "limit", 20, "at most this many runs, the newest")
	fl.StringVar(&since, "since", "", "only runs started within this duration (36h, 7d)")
	out := addOutputFlag(cmd, "format on stdout")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		ctx := cmd.Context()
		var err error
		if f.Since, err = c.sinceFlag(since); err != nil {
			return err
		}
		st, err := c.reviewStore(ctx)
		if err != nil {
			return err
		}
		defer st.Close()
		runs, err := historyOf(ctx, st, f)
		if err != nil {
			c.errorf("%v", err)
			return exitCode(exitError)
		}
		if *out == "json" {
			err = writeHistoryJSON(c.stdout, runs)
		} else {
			err = writeHistoryText(c.stdout, runs)
		}
		if err != nil {
			c.errorf("write the history: %v", err)
			return exitCode(exitError)
		}
		return nil
	}
	return cmd
}

// historyRun is one run as history shows it, in the drift log's field names (DESIGN.md §8).
type historyRun struct {
	RunID      string     `json:"run_id"`
	Kind       string     `json:"kind"`
	Trigger    string     `json:"trigger"`
	DryRun     bool       `json:"dry_run"`
	StartedAt  time.Time  `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at"` // null while running
	Outcome    string     `json:"outcome"`
	// Writes are the writes made: applied, or sent with no answer recorded (unknown). Planned
	// writes a dry run or a cap kept back are not writes made.
	Writes   int                  `json:"writes"`
	Failures int                  `json:"failures"`
	Held     int                  `json:"held"`
	Actions  map[core.Action]int  `json:"actions"`
	Outcomes map[core.Outcome]int `json:"outcomes"`
	Error    string               `json:"error,omitempty"`
	// ApprovesRun is, for an approval, the held run it approves; ApprovedBy, for a held run,
	// the approval that applied what it held, and ApprovedAt when.
	ApprovesRun string `json:"approves_run,omitempty"`
	// HeldStatus says what became of what a run held: pending, approved or released.
	HeldStatus string    `json:"held_status,omitempty"`
	ApprovedBy string    `json:"approved_by,omitempty"`
	ApprovedAt time.Time `json:"approved_at,omitzero"`
}

// historyOf reads the runs f selects with their honest counts and approvals.
func historyOf(ctx context.Context, st *store.Store, f store.RunFilter) ([]historyRun, error) {
	runs, err := st.Runs(ctx, f)
	if err != nil {
		return nil, err
	}
	v := newHeldView(ctx, st)
	out := make([]historyRun, 0, len(runs))
	for _, r := range runs {
		h := historyRun{
			RunID: r.ID, Kind: r.Kind, Trigger: r.Trigger, DryRun: r.DryRun, StartedAt: r.Start.UTC(),
			Outcome: r.Outcome, Failures: r.Summary.Failures, Error: r.Error, ApprovesRun: r.ApprovesRun,
			Actions: r.Summary.Actions, Outcomes: r.Summary.Outcomes,
			Writes: r.Summary.Outcomes[core.OutcomeApplied] + r.Summary.Outcomes[core.OutcomeUnknown],
			Held:   r.Summary.Outcomes[core.OutcomeHeld],
		}
		if !r.End.IsZero() {
			end := r.End.UTC()
			h.FinishedAt = &end
		}
		if r.Outcome == store.RunRunning || r.Outcome == store.RunInterrupted {
			// A run that never finished has no summary: its journal says what it sent.
			if h.Writes, err = journaledWrites(ctx, st, r.ID); err != nil {
				return nil, err
			}
		}
		if h.Held > 0 {
			status, hr, err := v.runStatus(r.ID)
			if err != nil {
				return nil, err
			}
			h.HeldStatus = status
			if status == heldApproved {
				h.ApprovedBy, h.ApprovedAt = hr.approvedBy, hr.approvedAt.UTC()
			}
		}
		if h.Actions == nil {
			h.Actions = map[core.Action]int{}
		}
		if h.Outcomes == nil {
			h.Outcomes = map[core.Outcome]int{}
		}
		out = append(out, h)
	}
	return out, nil
}

// journaledWrites counts the writes a run's journal shows made.
func journaledWrites(ctx context.Context, st *store.Store, runID string) (int, error) {
	n := 0
	for _, o := range []core.Outcome{core.OutcomeApplied, core.OutcomeUnknown} {
		es, err := st.Entries(ctx, store.EntryFilter{RunID: runID, Outcome: string(o)})
		if err != nil {
			return 0, err
		}
		n += len(es)
	}
	return n, nil
}

func writeHistoryJSON(w io.Writer, runs []historyRun) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(map[string]any{"runs": runs})
}

func writeHistoryText(w io.Writer, runs []historyRun) error {
	if len(runs) == 0 {
		_, err := fmt.Fprintln(w, "No runs recorded.")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RUN\tSTARTED\tTOOK\tKIND\tTRIGGER\tDRY RUN\tOUTCOME\tWRITES\tFAILURES\tERROR")
	for _, r := range runs {
		took := "-"
		if r.FinishedAt != nil {
			took = r.FinishedAt.Sub(r.StartedAt).Round(time.Millisecond).String()
		}
		outcome := r.Outcome
		switch r.HeldStatus {
		case heldApproved:
			outcome += ", approved by " + r.ApprovedBy
		case heldReleased:
			outcome += ", released"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%t\t%s\t%d\t%d\t%s\n", r.RunID, r.StartedAt.Format(time.RFC3339), took,
			r.Kind, r.Trigger, r.DryRun, outcome, r.Writes, r.Failures, dash(oneLine(r.Error)))
	}
	return tw.Flush()
}
