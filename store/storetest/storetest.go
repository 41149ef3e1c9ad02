// Package storetest records runs in a store the way a run would, for the tests of the packages
// that read them (drift, history, the console).
package storetest

import (
	"context"
	"fmt"

	"github.com/okta-clickup-sync/okta-clickup-sync/store"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// SaveEntries records the entries of a begun run through the write journal: the plan first, with
// each write still planned, then each write started and done with the outcome it carries, as the
// engine does. Entries whose outcome is planned, held, ignored or failed are recorded as planned.
func SaveEntries(ctx context.Context, st *store.Store, runID string, entries []core.Entry) error {
	plan := make([]core.Entry, len(entries))
	var written []int
	for i, e := range entries {
		plan[i] = e
		switch e.Outcome {
		case core.OutcomeApplied, core.OutcomeUnknown:
			plan[i].Outcome = core.OutcomePlanned
			written = append(written, i)
		case core.OutcomeFailed:
			if e.Action.IsWrite() {
				plan[i].Outcome = core.OutcomePlanned
				written = append(written, i)
			}
		}
	}
	if err := st.SavePlan(ctx, runID, plan); err != nil {
		return fmt.Errorf("save plan of %s: %w", runID, err)
	}
	for _, i := range written {
		if err := st.WriteStarted(ctx, runID, i+1); err != nil {
			return fmt.Errorf("start write %d of %s: %w", i+1, runID, err)
		}
		if entries[i].Outcome == core.OutcomeUnknown {
			continue // sent, never answered
		}
		if err := st.WriteDone(ctx, runID, i+1, entries[i]); err != nil {
			return fmt.Errorf("finish write %d of %s: %w", i+1, runID, err)
		}
	}
	return nil
}
