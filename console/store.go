package console

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/okta-clickup-sync/okta-clickup-sync/store"
)

// StoreReader reads the console's data from the state file.
func StoreReader(st *store.Store) Reader { return storeReader{st: st} }

type storeReader struct{ st *store.Store }

func (s storeReader) Runs(ctx context.Context, q RunQuery) ([]Run, bool, error) {
	q = q.normalized()
	f := store.RunFilter{Limit: q.Offset + q.Limit + 1}
	if q.Status != "" {
		// The store filters runs by time only; the status is chosen here, among all of them.
		f.Limit = 0
	}
	// Every approve run is newer than the run it approves, so the runs read are enough to tell
	// which of them were approved.
	recorded, err := s.st.Runs(ctx, f)
	if err != nil {
		return nil, false, err
	}
	approved := approvals(recorded)
	var out []Run
	for _, r := range recorded {
		if q.Status == "" || r.Outcome == q.Status {
			out = append(out, fromStoreRun(r, approved))
		}
	}
	runs, more := page(out, q.Offset, q.Limit)
	return runs, more, nil
}

func (s storeReader) Run(ctx context.Context, id string) (Run, error) {
	r, err := s.st.Run(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return Run{}, fmt.Errorf("run %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return Run{}, err
	}
	approved := map[string]string{}
	if r.Outcome == store.RunHeld || r.Summary.Outcomes["held"] > 0 {
		later, err := s.st.Runs(ctx, store.RunFilter{Since: r.Start})
		if err != nil {
			return Run{}, err
		}
		approved = approvals(later)
	}
	return fromStoreRun(r, approved), nil
}

func (s storeReader) RunEntries(ctx context.Context, q EntryQuery) (EntryPage, error) {
	// The store filters by run and action; the outcome and the partial user match are applied
	// here, in one pass that keeps only the page asked for.
	recorded, err := s.st.Entries(ctx, store.EntryFilter{RunID: q.RunID, Action: q.Action})
	if err != nil {
		return EntryPage{}, err
	}
	user := strings.ToLower(strings.TrimSpace(q.User))
	offset := max(q.Offset, 0)
	var p EntryPage
	for i := range recorded {
		se := &recorded[i]
		if q.Outcome != "" && string(se.Outcome) != q.Outcome {
			continue
		}
		if user != "" && !containsFold(se.User, user) && !containsFold(se.OktaUserID, user) && !containsFold(se.ClickUpUserID, user) {
			continue
		}
		if p.Total >= offset && (q.Limit <= 0 || len(p.Entries) < q.Limit) {
			p.Entries = append(p.Entries, fromStoreEntry(*se))
		}
		p.Total++
	}
	return p, nil
}

// containsFold reports whether s contains lowerSub, which is lower case, ignoring case.
func containsFold(s, lowerSub string) bool {
	return strings.Contains(strings.ToLower(s), lowerSub)
}

func (s storeReader) UserHistory(ctx context.Context, key string, limit int) ([]Entry, error) {
	recorded, err := s.st.Entries(ctx, store.EntryFilter{User: key, Limit: limit})
	if err != nil {
		return nil, err
	}
	out := make([]Entry, 0, len(recorded))
	for _, se := range recorded {
		out = append(out, fromStoreEntry(se))
	}
	return out, nil
}

func (s storeReader) Held(ctx context.Context, runID string) ([]Entry, error) {
	held, err := s.st.Held(ctx, runID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("held plan of run %s: %w", runID, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	out := make([]Entry, 0, len(held))
	for _, e := range held {
		out = append(out, fromStoreEntry(store.StoredEntry{RunID: runID, Entry: e}))
	}
	return out, nil
}

// approvals maps each held run to the approve run that took its approval. The store records the
// approval itself but does not read it back, so it is told from the approve runs: one that
// recorded entries, or ended without an error outcome, got past taking the approval (an approve
// run that fails before that, or finds it already taken, records no entries). The oldest such
// run is the one that took it.
func approvals(runs []store.Run) map[string]string {
	out := map[string]string{}
	for _, r := range slices.Backward(runs) {
		if r.ApprovesRun == "" || out[r.ApprovesRun] != "" || r.Outcome == store.RunRunning {
			continue
		}
		recorded := 0
		for _, n := range r.Summary.Actions {
			recorded += n
		}
		switch {
		case recorded > 0, r.Outcome == store.RunSuccess, r.Outcome == store.RunChanged, r.Outcome == store.RunHeld:
			out[r.ApprovesRun] = r.ID
		}
	}
	return out
}

func fromStoreRun(r store.Run, approved map[string]string) Run {
	out := Run{
		ID: r.ID, Trigger: r.Trigger, DryRun: r.DryRun, Start: r.Start, End: r.End, Status: r.Outcome,
		Actions: map[string]int{}, Outcomes: map[string]int{},
		Writes: r.Summary.Writes, Failures: r.Summary.Failures, Error: r.Error,
		ApprovesRun: r.ApprovesRun, ApprovedBy: approved[r.ID],
	}
	for a, n := range r.Summary.Actions {
		out.Actions[string(a)] = n
	}
	for o, n := range r.Summary.Outcomes {
		out.Outcomes[string(o)] = n
	}
	return out
}

func fromStoreEntry(se store.StoredEntry) Entry {
	e := se.Entry
	return Entry{
		RunID: se.RunID, Seq: se.Seq, At: se.At, Action: string(e.Action),
		OktaUserID: e.OktaUserID, ClickUpUserID: e.ClickUpUserID, User: e.User,
		Field: e.Field, From: e.From, To: e.To, Reason: e.Reason, Outcome: string(e.Outcome), Error: e.Error,
	}
}

// Page sizes: a screenful of runs, and enough entries to scan without a 100,000-row page.
const (
	defaultRunPage = 50
	maxRunPage     = 500
)

func (q RunQuery) normalized() RunQuery {
	q.Offset = max(q.Offset, 0)
	if q.Limit <= 0 {
		q.Limit = defaultRunPage
	}
	q.Limit = min(q.Limit, maxRunPage)
	return q
}

// page returns items[offset:offset+limit], clamped, and whether more follow.
func page[T any](items []T, offset, limit int) ([]T, bool) {
	offset = min(max(offset, 0), len(items))
	end := len(items)
	if limit > 0 {
		end = min(offset+limit, len(items))
	}
	return items[offset:end], end < len(items)
}
