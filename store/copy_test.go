package store

import (
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// fillStore puts one of everything into s through its API: what a state file holds after a while.
func fillStore(t *testing.T, s *Store, c *clock) {
	t.Helper()
	ctx := t.Context()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.SaveLinks(ctx, map[string]string{"00u1": "101", "00u2": "102"}))
	c.Advance(time.Hour)
	must(s.SaveLinks(ctx, map[string]string{"00u1": "101", "00u3": "103"}))
	must(s.SaveGroupLinks(ctx, map[string]string{"00g1": "team-1"}))
	must(s.SaveCursor(ctx, "systemlog", "https://x.okta.com/api/v1/logs?after=9"))

	bob := core.Entry{Action: core.ActionDeactivate, OktaUserID: "00u2", ClickUpUserID: "102", User: "bob@x.io", Field: "active",
		From: "true", To: "false", Reason: "held: cap", Outcome: core.OutcomeHeld}
	team := core.Entry{Action: core.ActionDeleteTeam, User: "Sales", Reason: "held: cap", Outcome: core.OutcomeHeld}
	ann := core.Entry{Action: core.ActionCreateUser, OktaUserID: "00u1", User: "Ann@X.io", Field: "role", To: "member", Outcome: core.OutcomePlanned}
	cy := core.Entry{Action: core.ActionUpdateRole, OktaUserID: "00u3", ClickUpUserID: "103", User: "cy@x.io", Outcome: core.OutcomePlanned}

	MustBeginRun(t, s, "held", c.Now())
	MustJournal(t, s, "held", []core.Entry{ann, bob, team, cy}, map[int]core.Outcome{1: core.OutcomeApplied, 4: core.OutcomeUnknown})
	must(s.SaveHeld(ctx, "held", []core.Entry{bob, team}))
	MustFinishRun(t, s, "held", Finish{Outcome: RunHeld, ManagedActive: 12,
		Summary: core.Summary{Actions: map[core.Action]int{core.ActionDeactivate: 1}, Outcomes: map[core.Outcome]int{core.OutcomeHeld: 2}}})
	c.Advance(time.Minute)
	must(s.BeginRun(ctx, Run{ID: "dry", Kind: KindUser, Trigger: TriggerManual, DryRun: true}))
	must(s.SaveHeld(ctx, "dry", []core.Entry{bob}))
	MustFinishRun(t, s, "dry", Finish{Outcome: RunSuccess, Error: "a note"})
	c.Advance(time.Minute)
	must(s.BeginRun(ctx, Run{ID: "approve", Trigger: TriggerApprove, ApprovesRun: "held"}))
	must(s.MarkApproved(ctx, "dry", "approve"))
	c.Advance(time.Minute)
	must(s.BeginRun(ctx, Run{ID: "events", Kind: KindEvents, Trigger: TriggerHook}))
	MustJournal(t, s, "events", []core.Entry{bob}, nil)

	pending, err := s.EnqueueRequest(ctx, RequestTrigger, "")
	must(err)
	_, err = s.EnqueueRequest(ctx, RequestApprove, "held")
	must(err)
	_, err = s.TakeRequests(ctx)
	must(err)
	must(s.FinishRequest(ctx, pending, "run 42"))
	_, err = s.EnqueueRequest(ctx, RequestApprove, "dry")
	must(err)
}

// snapshot is every exported read of a store, and the link times.
type snapshot struct {
	Links, GroupLinks   map[string]string
	UserSeen, GroupSeen []Link
	Runs                []Run
	Latest, LastFull    Run
	Entries             []StoredEntry
	Held                map[string][]core.Entry
	Holds               []Hold
	Cursor              string
	Requests            map[string]Request
	Deactivations       int
}

func takeSnapshot(t *testing.T, s *Store, requestIDs []string) snapshot {
	t.Helper()
	ctx := t.Context()
	var sn snapshot
	var err error
	check := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	sn.Links, err = s.Links(ctx)
	check(err)
	sn.GroupLinks, err = s.GroupLinks(ctx)
	check(err)
	sn.UserSeen, err = s.linkList(ctx, userLinks)
	check(err)
	sn.GroupSeen, err = s.linkList(ctx, groupLinks)
	check(err)
	sn.Runs, err = s.Runs(ctx, RunFilter{})
	check(err)
	sn.Latest, err = s.LatestRun(ctx)
	check(err)
	sn.LastFull, err = s.LastFullRun(ctx)
	check(err)
	sn.Entries, err = s.Entries(ctx, EntryFilter{})
	check(err)
	sn.Held = map[string][]core.Entry{}
	for _, r := range sn.Runs {
		h, err := s.Held(ctx, r.ID)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		check(err)
		sn.Held[r.ID] = h
	}
	sn.Holds, err = s.Holds(ctx)
	check(err)
	sn.Cursor, err = s.Cursor(ctx, "systemlog")
	check(err)
	sn.Requests = map[string]Request{}
	for _, id := range requestIDs {
		sn.Requests[id], err = s.Request(ctx, id)
		check(err)
	}
	sn.Deactivations, err = s.DeactivationsSince(ctx, time.Time{})
	check(err)
	return sn
}

func requestIDs(t *testing.T, loc string) []string {
	t.Helper()
	rows, err := rawDB(t, loc).QueryContext(t.Context(), `SELECT id FROM requests ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

func TestCopy(t *testing.T) {
	// A SQLite state file moves to each backend (SQLite to PostgreSQL is `store migrate`), and
	// back: every read of the copy equals the same read of the original.
	eachBackend(t, func(t *testing.T, be backend) {
		ctx := t.Context()
		c := newClock()
		srcLoc := statePath(t)
		src := MustOpen(t, srcLoc, c)
		fillStore(t, src, c)
		ids := requestIDs(t, srcLoc)
		if len(ids) != 3 {
			t.Fatalf("%d requests, want 3", len(ids))
		}
		want := takeSnapshot(t, src, ids)
		if len(want.Held) != 2 || len(want.Holds) != 2 || len(want.Entries) != 5 || len(want.GroupSeen) != 1 {
			t.Fatalf("the source is missing something: %+v", want)
		}

		dstLoc := be.fresh(t)
		dst := MustOpen(t, dstLoc, c)
		counts, err := Copy(ctx, src, dst)
		if err != nil {
			t.Fatal(err)
		}
		wantCounts := map[string]int{"runs": 4, "entries": 5, "held_plans": 2, "held_entries": 3, "holds": 2,
			"links": 3, "group_links": 1, "cursors": 1, "requests": 3}
		if !reflect.DeepEqual(counts, wantCounts) {
			t.Errorf("counts %v, want %v", counts, wantCounts)
		}
		if got := takeSnapshot(t, dst, ids); !reflect.DeepEqual(got, want) {
			t.Fatalf("copy differs\n got %+v\nwant %+v", got, want)
		}

		// Back again, into a fresh SQLite file.
		back := MustOpen(t, statePath(t), c)
		if _, err := Copy(ctx, dst, back); err != nil {
			t.Fatal(err)
		}
		if got := takeSnapshot(t, back, ids); !reflect.DeepEqual(got, want) {
			t.Fatalf("copy of the copy differs\n got %+v\nwant %+v", got, want)
		}

		// The copy is a working store: approvals, holds and requests carry on from where they were.
		if err := dst.MarkApproved(ctx, "held", "approve"); err != nil {
			t.Fatal(err)
		}
		if err := dst.MarkApproved(ctx, "dry", "approve"); !errors.Is(err, ErrAlreadyApproved) {
			t.Fatalf("approving an approved plan in the copy: %v", err)
		}
		taken, err := dst.TakeRequests(ctx)
		if err != nil || len(taken) != 1 || taken[0].Arg != "dry" {
			t.Fatalf("requests taken from the copy %+v (%v)", taken, err)
		}
		MustBeginRun(t, dst, "after", c.Now())
		if ids, err := dst.MarkInterrupted(ctx); err != nil || len(ids) != 0 {
			t.Fatalf("interrupted %v (%v): the copied running run is this process's", ids, err)
		}
	})
}

func TestCopy_RefusesANonEmptyTarget(t *testing.T) {
	eachBackend(t, func(t *testing.T, be backend) {
		ctx := t.Context()
		c := newClock()
		src := MustOpen(t, statePath(t), c)
		fillStore(t, src, c)
		dst := MustOpen(t, be.fresh(t), c)
		if err := dst.SaveCursor(ctx, "systemlog", "mine"); err != nil {
			t.Fatal(err)
		}
		_, err := Copy(ctx, src, dst)
		if !errors.Is(err, ErrNotEmpty) {
			t.Fatalf("copy onto a store with a cursor: %v, want ErrNotEmpty", err)
		}
		if runs, err := dst.Runs(ctx, RunFilter{}); err != nil || len(runs) != 0 {
			t.Fatalf("a refused copy wrote runs %+v (%v)", runs, err)
		}
		if _, err := Copy(ctx, src, src); err == nil {
			t.Fatal("copied a store onto itself")
		}
	})
}

func TestCopy_CoversEveryTable(t *testing.T) {
	// A table added by a later migration must be added to Copy too.
	s := MustOpen(t, statePath(t), newClock())
	rows, err := s.db.QueryContext(t.Context(), `SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		if name != "run_lock" {
			tables = append(tables, name)
		}
	}
	copied := tableNames()
	slices.Sort(copied)
	if !slices.Equal(tables, copied) {
		t.Fatalf("tables %v, Copy copies %v", tables, copied)
	}
	for _, tbl := range copyTables {
		cols := columnsOf(t, s, tbl.name)
		want := slices.Clone(tbl.columns)
		slices.Sort(want)
		if !slices.Equal(cols, want) {
			t.Errorf("table %s has columns %v, Copy copies %v", tbl.name, cols, want)
		}
	}
}

func columnsOf(t *testing.T, s *Store, table string) []string {
	t.Helper()
	rows, err := s.db.QueryContext(t.Context(), `SELECT name FROM pragma_table_info(?) ORDER BY name`, table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		out = append(out, name)
	}
	return out
}
