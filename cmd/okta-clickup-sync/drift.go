package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/okta-clickup-sync/okta-clickup-sync/store"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// parseSince accepts Go durations and whole days ("7d").
func parseSince(s string) (time.Duration, error) {
	if d, ok := strings.CutSuffix(s, "d"); ok {
		var n int
		if _, err := fmt.Sscanf(d, "%d", &n); err == nil && n > 0 && fmt.Sprint(n) == d {
			return time.Duration(n) * 24 * time.Hour, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("--since %q: want a positive duration such as 36h or 7d", s)
	}
	return d, nil
}

func (c *cli) driftCommand() *cobra.Command {
	var (
		f     store.EntryFilter
		since string
	)
	cmd := &cobra.Command{
		Use:   "drift",
		Short: "Show the recorded drift: every entry of a run's plan with its outcome",
		Long: `Show the drift recorded in the state file (SYNC_STATE_PATH): every entry of a run's plan, with
its outcome. The latest run by default; --run, --since, --action and --user narrow it down.
It reads only the state file: no Okta or ClickUp credentials are needed, and a missing state
file is reported, never created. Deactivations a run held and that were approved since show the
approving run.`,
		Example: `  okta-clickup-sync drift                                   # the latest run
  okta-clickup-sync drift --run 20261120T090000Z-3fa2c1 --action deactivate
  okta-clickup-sync drift --since 7d --user alice@example.com
  okta-clickup-sync drift --since 24h -o json | jq '.entries[] | select(.outcome == "failed")'`,
		Args: cobra.NoArgs,
	}
	fl := cmd.Flags()
	fl.StringVar(&f.RunID, "run", "", "entries of this run (default: the latest run)")
	fl.StringVar(&since, "since", "", "entries of the runs started within this duration (36h, 7d)")
	fl.StringVar(&f.Action, "action", "", "only this action (create_user, deactivate, profile_drift_ignored, ...)")
	fl.StringVar(&f.User, "user", "", "only this user: email, login, Okta id or ClickUp id")
	fl.IntVar(&f.Limit, "limit", 1000, "at most this many entries, the newest")
	out := addOutputFlag(cmd, "format on stdout")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		ctx := cmd.Context()
		var err error
		if f.Since, err = c.sinceFlag(since); err != nil {
			return err
		}
		if f.Action != "" && !core.Action(f.Action).Known() {
			c.errorf("unknown --action %q", f.Action)
			return exitCode(exitError)
		}
		st, err := c.reviewStore(ctx)
		if err != nil {
			return err
		}
		defer st.Close()
		return c.drift(ctx, st, f, *out)
	}
	return cmd
}

func (c *cli) drift(ctx context.Context, st *store.Store, f store.EntryFilter, out outputFlag) error {
	switch {
	case f.RunID != "":
		if _, err := st.Run(ctx, f.RunID); errors.Is(err, store.ErrNotFound) {
			c.errorf("no run %s in the state file; see okta-clickup-sync history for the run ids", f.RunID)
			return exitCode(exitError)
		} else if err != nil {
			c.errorf("%v", err)
			return exitCode(exitError)
		}
	case f.Since.IsZero():
		latest, err := st.LatestRun(ctx)
		if errors.Is(err, store.ErrNotFound) {
			c.errorf("no run is recorded in the state file yet")
			return exitCode(exitError)
		} else if err != nil {
			c.errorf("%v", err)
			return exitCode(exitError)
		}
		f.RunID = latest.ID
	}
	entries, err := st.Entries(ctx, f)
	if err != nil {
		c.errorf("%v", err)
		return exitCode(exitError)
	}
	rows, err := driftRows(newHeldView(ctx, st), entries)
	if err != nil {
		c.errorf("%v", err)
		return exitCode(exitError)
	}
	if out == "json" {
		err = writeDriftJSON(c.stdout, rows)
	} else {
		err = writeDriftText(c.stdout, rows)
	}
	if err != nil {
		c.errorf("write the drift: %v", err)
		return exitCode(exitError)
	}
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// driftJSON is one entry of drift -o json, in the drift log's field names (DESIGN.md §8).
type driftJSON struct {
	RunID string    `json:"run_id"`
	At    time.Time `json:"time"`
	core.Entry
	// HeldStatus says what became of a held entry: pending, approved or released. ApprovedBy is
	// the run that approved the entry's run, and ApprovedAt when.
	HeldStatus string    `json:"held_status,omitempty"`
	ApprovedBy string    `json:"approved_by,omitempty"`
	ApprovedAt time.Time `json:"approved_at,omitzero"`
}

// driftRows adds to the entries what became of those held.
func driftRows(v *heldView, entries []store.StoredEntry) ([]driftJSON, error) {
	out := make([]driftJSON, 0, len(entries))
	for _, e := range entries {
		d := driftJSON{RunID: e.RunID, At: e.At.UTC(), Entry: e.Entry}
		status, r, err := v.status(e.RunID, e.Entry)
		if err != nil {
			return nil, err
		}
		d.HeldStatus = status
		if status == heldApproved {
			d.ApprovedBy, d.ApprovedAt = r.approvedBy, r.approvedAt.UTC()
		}
		out = append(out, d)
	}
	return out, nil
}

func writeDriftText(w io.Writer, rows []driftJSON) error {
	runs := map[string]bool{}
	counts := map[core.Outcome]int{}
	for _, e := range rows {
		runs[e.RunID] = true
		counts[e.Outcome]++
	}
	var parts []string
	for _, o := range []core.Outcome{core.OutcomeApplied, core.OutcomePlanned, core.OutcomeFailed, core.OutcomeUnknown, core.OutcomeHeld, core.OutcomeIgnored} {
		if counts[o] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[o], o))
		}
	}
	summary := plural(len(rows), "entry", "entries") + " in " + plural(len(runs), "run", "runs")
	if len(parts) > 0 {
		summary += ": " + strings.Join(parts, ", ")
	}
	fmt.Fprintln(w, summary+".")
	if len(rows) == 0 {
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tRUN\tACTION\tUSER\tFIELD\tFROM\tTO\tOUTCOME")
	for _, e := range rows {
		outcome := string(e.Outcome)
		if e.HeldStatus != "" {
			outcome = heldText(e.HeldStatus, heldRun{approvedBy: e.ApprovedBy})
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.At.Format(time.RFC3339), e.RunID,
			e.Action, e.User, dash(e.Field), dash(e.From), dash(e.To), outcome)
	}
	return tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func writeDriftJSON(w io.Writer, rows []driftJSON) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(map[string]any{"entries": rows})
}
