package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/okta-clickup-sync/okta-clickup-sync/config"
	"github.com/okta-clickup-sync/okta-clickup-sync/engine"
	"github.com/okta-clickup-sync/okta-clickup-sync/store"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// openStoreForReview loads only what reviewing the store needs: a drift query must work without
// Okta or ClickUp credentials.
func openStoreForReview(ctx context.Context, path string, lookup env) (*store.Store, error) {
	if path == "" {
		path, _ = lookup(config.ConfigPathEnv)
	}
	cfg, err := config.Load(path, lookup)
	if err != nil {
		return nil, err
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return nil, engine.ErrNoStore
	}
	return st, nil
}

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

func runDrift(ctx context.Context, args []string, lookup env, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("drift", flag.ContinueOnError)
	configPath := fs.String("config", "", "YAML configuration file (default $OKTA_CLICKUP_SYNC_CONFIG)")
	runID := fs.String("run", "", "entries of this run (default: the latest run)")
	since := fs.String("since", "", "entries of the runs within this duration (36h, 7d)")
	action := fs.String("action", "", "only this action (create_user, deactivate, profile_drift_ignored, ...)")
	user := fs.String("user", "", "only this user (email or login)")
	limit := fs.Int("limit", 1000, "at most this many entries")
	out := output("text")
	fs.Var(&out, "output", "text or json")
	if done, code := parseFlags(fs, args, stderr); done {
		return code
	}
	f := store.EntryFilter{RunID: *runID, Action: *action, User: *user, Limit: *limit}
	if *since != "" {
		d, err := parseSince(*since)
		if err != nil {
			fmt.Fprintln(stderr, "drift:", err)
			return exitError
		}
		f.Since = time.Now().Add(-d)
	}
	if *action != "" && !core.Action(*action).Known() {
		fmt.Fprintf(stderr, "drift: unknown --action %q\n", *action)
		return exitError
	}
	st, err := openStoreForReview(ctx, *configPath, lookup)
	if err != nil {
		fmt.Fprintln(stderr, "drift:", err)
		return exitError
	}
	defer st.Close()
	if f.RunID == "" && f.Since.IsZero() {
		latest, err := st.LatestRun(ctx)
		if err != nil {
			fmt.Fprintln(stderr, "drift: no run recorded yet:", err)
			return exitError
		}
		f.RunID = latest.ID
	}
	entries, err := st.Entries(ctx, f)
	if err != nil {
		fmt.Fprintln(stderr, "drift:", err)
		return exitError
	}
	if out == "json" {
		err = writeDriftJSON(stdout, entries)
	} else {
		err = writeDriftText(stdout, entries)
	}
	if err != nil {
		return exitError
	}
	return exitOK
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func writeDriftText(w io.Writer, entries []store.StoredEntry) error {
	runs := map[string]bool{}
	counts := map[core.Outcome]int{}
	for _, e := range entries {
		runs[e.RunID] = true
		counts[e.Outcome]++
	}
	var parts []string
	for _, o := range []core.Outcome{core.OutcomeApplied, core.OutcomePlanned, core.OutcomeFailed, core.OutcomeHeld, core.OutcomeIgnored} {
		if counts[o] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[o], o))
		}
	}
	summary := plural(len(entries), "entry", "entries") + " in " + plural(len(runs), "run", "runs")
	if len(parts) > 0 {
		summary += ": " + strings.Join(parts, ", ")
	}
	fmt.Fprintln(w, summary+".")
	if len(entries) == 0 {
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tRUN\tACTION\tUSER\tFIELD\tFROM\tTO\tOUTCOME")
	for _, e := range entries {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.At.UTC().Format(time.RFC3339), e.RunID,
			e.Action, e.User, dash(e.Field), dash(e.From), dash(e.To), e.Outcome)
	}
	return tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

type driftJSON struct {
	RunID string    `json:"run_id"`
	At    time.Time `json:"time"`
	core.Entry
}

func writeDriftJSON(w io.Writer, entries []store.StoredEntry) error {
	out := make([]driftJSON, 0, len(entries))
	for _, e := range entries {
		out = append(out, driftJSON{RunID: e.RunID, At: e.At.UTC(), Entry: e.Entry})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(map[string]any{"entries": out})
}

func runHistory(ctx context.Context, args []string, lookup env, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("history", flag.ContinueOnError)
	configPath := fs.String("config", "", "YAML configuration file (default $OKTA_CLICKUP_SYNC_CONFIG)")
	limit := fs.Int("limit", 20, "at most this many runs, newest first")
	since := fs.String("since", "", "only runs within this duration (36h, 7d)")
	out := output("text")
	fs.Var(&out, "output", "text or json")
	if done, code := parseFlags(fs, args, stderr); done {
		return code
	}
	f := store.RunFilter{Limit: *limit}
	if *since != "" {
		d, err := parseSince(*since)
		if err != nil {
			fmt.Fprintln(stderr, "history:", err)
			return exitError
		}
		f.Since = time.Now().Add(-d)
	}
	st, err := openStoreForReview(ctx, *configPath, lookup)
	if err != nil {
		fmt.Fprintln(stderr, "history:", err)
		return exitError
	}
	defer st.Close()
	runs, err := st.Runs(ctx, f)
	if err != nil {
		fmt.Fprintln(stderr, "history:", err)
		return exitError
	}
	if out == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(map[string]any{"runs": runs}); err != nil {
			return exitError
		}
		return exitOK
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RUN\tSTARTED\tTOOK\tTRIGGER\tDRY RUN\tOUTCOME\tWRITES\tFAILURES\tERROR")
	for _, r := range runs {
		took := "-"
		if !r.End.IsZero() {
			took = r.End.Sub(r.Start).Round(time.Millisecond).String()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%t\t%s\t%d\t%d\t%s\n", r.ID, r.Start.UTC().Format(time.RFC3339), took,
			r.Trigger, r.DryRun, r.Outcome, r.Summary.Writes, r.Summary.Failures, dash(r.Error))
	}
	return exitErrorIf(tw.Flush())
}

func exitErrorIf(err error) int {
	if err != nil {
		return exitError
	}
	return exitOK
}
