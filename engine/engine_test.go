package engine

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/okta-clickup-sync/okta-clickup-sync/store"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

func full(dry bool) Spec { return Spec{Kind: KindFull, Trigger: store.TriggerManual, DryRun: dry} }

func TestRun_ReadFailureWritesNothing(t *testing.T) {
	o, w := newOrg(), &workspace{}
	o.add("1", "ann@x.io", "member", "ACTIVE")
	w.add("7", oktaID("9"), "gone@x.io", true)
	o.listErr = core.ErrMalformed
	e, st := testEngine(t, o, w)
	res := e.Run(t.Context(), full(false))
	if !errors.Is(res.Err, ErrRead) || len(w.written()) != 0 || res.ExitCode(false) != ExitError {
		t.Fatalf("err %v, writes %q, exit %d", res.Err, w.written(), res.ExitCode(false))
	}
	run := latest(t, st)
	if run.Outcome != store.RunFailed || run.Error == "" {
		t.Fatalf("recorded %+v", run)
	}
}

func TestRun_JournalsEachWrite(t *testing.T) {
	o, w := newOrg(), &workspace{}
	o.add("1", "ann@x.io", "member", "ACTIVE")
	o.add("2", "gone@x.io", "member", "") // in the org, no longer assigned
	w.add("8", oktaID("2"), "gone@x.io", true)
	e, st := testEngine(t, o, w)
	var order []string
	journal := &recordingJournal{Store: st, order: &order}
	e.Store = journal
	res := e.Run(t.Context(), full(false))
	if res.Err != nil || res.Outcome != store.RunChanged {
		t.Fatalf("run: %v %s", res.Err, res.Outcome)
	}
	// The whole plan is recorded before the first write, and each write is marked sent before
	// it is made and given its outcome after.
	if len(order) == 0 || order[0] != "plan" {
		t.Fatalf("journal order %q", order)
	}
	for _, seq := range []string{"1", "2"} {
		s, d := slices.Index(order, "start "+seq), slices.Index(order, "done "+seq)
		if s < 0 || d < s {
			t.Errorf("write %s: start at %d, done at %d in %q", seq, s, d, order)
		}
	}
	entries, err := st.Entries(t.Context(), store.EntryFilter{RunID: res.ID})
	if err != nil {
		t.Fatal(err)
	}
	for _, en := range entries {
		if en.Outcome != core.OutcomeApplied {
			t.Errorf("entry %s %s: outcome %s", en.Action, en.User, en.Outcome)
		}
	}
	if links, _ := st.Links(t.Context()); links[oktaID("1")] == "" {
		t.Errorf("the created user's link was not kept: %v", links)
	}
}

// recordingJournal notes the order of the journal's calls.
type recordingJournal struct {
	*store.Store
	order *[]string
}

func (j *recordingJournal) SavePlan(ctx context.Context, id string, es []core.Entry) error {
	*j.order = append(*j.order, "plan")
	return j.Store.SavePlan(ctx, id, es)
}

func (j *recordingJournal) WriteStarted(ctx context.Context, id string, seq int) error {
	*j.order = append(*j.order, "start "+itoa(seq))
	return j.Store.WriteStarted(ctx, id, seq)
}

func (j *recordingJournal) WriteDone(ctx context.Context, id string, seq int, e core.Entry) error {
	*j.order = append(*j.order, "done "+itoa(seq))
	return j.Store.WriteDone(ctx, id, seq, e)
}

func itoa(n int) string { return string(rune('0' + n)) }

func TestRun_JournalFailureStopsTheWrite(t *testing.T) {
	o, w := newOrg(), &workspace{}
	o.add("1", "ann@x.io", "member", "ACTIVE")
	e, st := testEngine(t, o, w)
	e.Store = failingStart{st}
	res := e.Run(t.Context(), full(false))
	if len(w.written()) != 0 {
		t.Fatalf("a write that could not be journaled was sent: %q", w.written())
	}
	if res.ExitCode(false) != ExitError {
		t.Fatalf("exit %d, want 1", res.ExitCode(false))
	}
}

type failingStart struct{ *store.Store }

func (failingStart) WriteStarted(context.Context, string, int) error { return errors.New("disk full") }

func TestRun_PanicFailsTheRunAndReleasesTheLock(t *testing.T) {
	o, w := newOrg(), &workspace{panicOn: "ann@x.io"}
	o.add("1", "ann@x.io", "member", "ACTIVE")
	e, st := testEngine(t, o, w)
	res := e.Run(t.Context(), full(false))
	if !errors.Is(res.Err, core.ErrPanic) || res.Outcome != store.RunFailed || res.ExitCode(false) != ExitError {
		t.Fatalf("err %v outcome %s", res.Err, res.Outcome)
	}
	if run := latest(t, st); run.Outcome != store.RunFailed {
		t.Fatalf("recorded outcome %s, want failed", run.Outcome)
	}
	unlock, err := st.Lock(t.Context(), "next run", 0)
	if err != nil {
		t.Fatalf("the lock is still held after the panic: %v", err)
	}
	_ = unlock()
	// The engine is still usable: the next run goes through.
	w.panicOn = ""
	if res := e.Run(t.Context(), full(false)); res.Err != nil {
		t.Fatalf("next run: %v", res.Err)
	}
}

func TestRun_UnconfirmedDeactivationWritesNothing(t *testing.T) {
	o, w := newOrg(), &workspace{}
	o.add("1", "ann@x.io", "member", "ACTIVE")
	lied := o.add("2", "bob@x.io", "member", "ACTIVE")
	o.hidden[lied.ID] = true // the listing leaves Bob out; Okta still assigns him
	w.add("7", oktaID("1"), "ann@x.io", true)
	w.add("8", oktaID("2"), "bob@x.io", true)
	e, _ := testEngine(t, o, w)
	res := e.Run(t.Context(), full(false))
	if len(w.written()) != 0 {
		t.Fatalf("writes %q", w.written())
	}
	if res.ExitCode(false) != ExitError || res.Plan.Summarize().Actions[core.ActionUnconfirmedDeactivation] != 1 {
		t.Fatalf("exit %d plan %+v", res.ExitCode(false), res.Plan.Summarize())
	}
	if o.reads != 2 {
		t.Errorf("%d reads, want 2: the externalId checked in the org, then the assignment confirmed", o.reads)
	}
}

func TestRun_ForeignExternalIDIsCheckedOnce(t *testing.T) {
	o, w := newOrg(), &workspace{}
	o.add("1", "ann@x.io", "member", "ACTIVE")
	w.add("7", oktaID("1"), "ann@x.io", true)
	w.add("9", oktaID("77"), "other.org@x.io", true) // an id of another Okta org
	e, _ := testEngine(t, o, w)
	res := e.Run(t.Context(), full(false))
	if res.Err != nil || len(w.written()) != 0 {
		t.Fatalf("err %v writes %q", res.Err, w.written())
	}
	var got []string
	for _, en := range res.Plan.Entries {
		got = append(got, string(en.Action)+" "+en.Reason)
	}
	if !reflect.DeepEqual(got, []string{"unmanaged_user " + core.ReasonForeignExternalID}) {
		t.Fatalf("plan %q", got)
	}
	if o.reads != 1 {
		t.Errorf("%d reads, want one check of the externalId", o.reads)
	}
}

func TestRun_HoldsAreSticky(t *testing.T) {
	o, w := newOrg(), &workspace{}
	for i, login := range []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"} {
		n := itoa(i)
		o.add(n, login+"@x.io", "member", "ACTIVE")
		w.add("1"+n, oktaID(n), login+"@x.io", true)
	}
	e, st := testEngine(t, o, w)
	e.Rails = core.Rails{MaxDeactivations: 100, MaxDeactivationPercent: 10}
	if res := e.Run(t.Context(), full(false)); res.Err != nil || res.Outcome != store.RunSuccess {
		t.Fatalf("first run: %v %s", res.Err, res.Outcome)
	}
	// Two of ten unassigned: 20% > 10%, held.
	for _, n := range []string{"0", "1"} {
		delete(o.users, oktaID(n))
	}
	held := e.Run(t.Context(), full(false))
	if held.Outcome != store.RunHeld || held.ExitCode(false) != ExitHeld || len(w.written()) != 0 {
		t.Fatalf("outcome %s writes %q", held.Outcome, w.written())
	}
	// Meanwhile ten new hires arrive: 2 of 20 is exactly 10%, under the cap. A plain run must
	// still not apply what was held.
	for i := 0; i < 10; i++ {
		n := "1" + itoa(i)
		o.add(n, "new"+n+"@x.io", "member", "ACTIVE")
	}
	again := e.Run(t.Context(), full(false))
	if again.Outcome != store.RunHeld {
		t.Fatalf("outcome %s: a held deactivation must stay held", again.Outcome)
	}
	for _, wr := range w.written() {
		if wr == "patch 10 active=false" || wr == "patch 11 active=false" {
			t.Fatalf("held deactivation applied without approval: %q", w.written())
		}
	}
	// Either run that held them can be approved; the later one here.
	ok := e.Run(t.Context(), Spec{Kind: KindFull, Trigger: store.TriggerApprove, Approves: again.ID})
	if ok.Err != nil || !slices.Contains(w.written(), "patch 10 active=false") || !slices.Contains(w.written(), "patch 11 active=false") {
		t.Fatalf("approve: %v writes %q", ok.Err, w.written())
	}
	if holds, _ := st.Holds(t.Context()); len(holds) != 0 {
		t.Fatalf("holds left open after approval: %+v", holds)
	}
	if res := e.Run(t.Context(), full(false)); res.Outcome != store.RunSuccess {
		t.Fatalf("after approval: %s", res.Outcome)
	}
}

func TestRun_ApproveOfNothing(t *testing.T) {
	e, _ := testEngine(t, newOrg(), &workspace{})
	res := e.Run(t.Context(), Spec{Trigger: store.TriggerApprove, Approves: "nope"})
	if !errors.Is(res.Err, ErrNothingHeld) || res.ExitCode(false) != ExitError {
		t.Fatalf("err %v", res.Err)
	}
}

func TestRun_UserRuns(t *testing.T) {
	o, w := newOrg(), &workspace{}
	ann := o.add("1", "ann@x.io", "admin", "ACTIVE")
	bob := o.add("2", "bob@x.io", "member", "")
	o.add("3", "cy@x.io", "member", "ACTIVE")
	w.add("8", bob.ID, "bob@x.io", true)
	w.add("9", "", "hand@x.io", true) // nobody's business in a user run
	e, _ := testEngine(t, o, w)
	res := e.Run(t.Context(), Spec{Kind: KindUser, Trigger: store.TriggerManual, Users: []string{"ann@x.io", bob.ID}})
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	want := []string{"create ann@x.io", "patch 8 active=false"}
	if got := w.written(); !reflect.DeepEqual(sorted(got), want) {
		t.Fatalf("writes %q, want %q", got, want)
	}
	_ = ann
	for _, en := range res.Plan.Entries {
		if en.Action == core.ActionUnmanagedUser || en.User == "cy@x.io" {
			t.Errorf("a user run planned beyond its users: %+v", en)
		}
	}
	unknown := e.Run(t.Context(), Spec{Kind: KindUser, Users: []string{"nobody@x.io"}})
	if !errors.Is(unknown.Err, ErrUnknownUser) || unknown.ExitCode(false) != ExitError {
		t.Fatalf("unknown user: %v", unknown.Err)
	}
}

func TestRun_CapsHoldAcrossSmallRuns(t *testing.T) {
	o, w := newOrg(), &workspace{}
	for i := 0; i < 5; i++ {
		n := itoa(i)
		o.add(n, "u"+n+"@x.io", "member", "ACTIVE")
		w.add("1"+n, oktaID(n), "u"+n+"@x.io", true)
	}
	e, _ := testEngine(t, o, w)
	e.Rails = core.Rails{MaxDeactivations: 2, MaxDeactivationPercent: 100}
	for i := 0; i < 5; i++ {
		u := o.users[oktaID(itoa(i))]
		u.AppStatus = ""
		o.users[u.ID] = u
	}
	var outcomes []string
	for i := 0; i < 3; i++ {
		res := e.Run(t.Context(), Spec{Kind: KindEvents, Trigger: store.TriggerEvents, Users: []string{oktaID(itoa(i))}})
		outcomes = append(outcomes, res.Outcome)
	}
	if want := []string{store.RunChanged, store.RunChanged, store.RunHeld}; !reflect.DeepEqual(outcomes, want) {
		t.Fatalf("outcomes %q, want %q: the third deactivation within the window is over the cap of 2", outcomes, want)
	}
}

func TestRun_DeadlineBoundsTheRun(t *testing.T) {
	o, w := newOrg(), &workspace{}
	e, _ := testEngine(t, o, w)
	e.RunTimeout = time.Nanosecond
	res := e.Run(t.Context(), full(false))
	if res.Err == nil || res.Outcome != store.RunInterrupted && res.Outcome != store.RunFailed {
		t.Fatalf("err %v outcome %s", res.Err, res.Outcome)
	}
}

func latest(t *testing.T, st *store.Store) store.Run {
	t.Helper()
	r, err := st.LatestRun(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}
