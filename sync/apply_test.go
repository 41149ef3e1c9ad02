package sync

import (
	"context"
	"errors"
	"fmt"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"
)

// recordingWorkspace records writes and fails those named in fail.
type recordingWorkspace struct {
	mu       gosync.Mutex
	calls    []string
	fail     map[string]bool
	inFlight atomic.Int32
	maxSeen  atomic.Int32
	gate     chan struct{} // when set, every write waits on it
}

func (w *recordingWorkspace) enter(call string) error {
	n := w.inFlight.Add(1)
	defer w.inFlight.Add(-1)
	for {
		m := w.maxSeen.Load()
		if n <= m || w.maxSeen.CompareAndSwap(m, n) {
			break
		}
	}
	if w.gate != nil {
		<-w.gate
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.calls = append(w.calls, call)
	if w.fail[call] {
		return errors.New("boom")
	}
	return nil
}

func (w *recordingWorkspace) ListUsers(context.Context) ([]ClickUpUser, error) { return nil, nil }
func (w *recordingWorkspace) CreateUser(_ context.Context, u NewUser) (ClickUpUser, error) {
	if err := w.enter("create " + u.UserName + " " + u.Role.String()); err != nil {
		return ClickUpUser{}, err
	}
	return ClickUpUser{ID: "new-" + u.UserName}, nil
}
func (w *recordingWorkspace) ReplaceUser(_ context.Context, u ClickUpUser) (ClickUpUser, error) {
	return u, w.enter(fmt.Sprintf("put %s active=%t role=%s", u.ID, u.Active, u.Role))
}
func (w *recordingWorkspace) SetActive(_ context.Context, id string, active bool) error {
	return w.enter(fmt.Sprintf("patch %s active=%t", id, active))
}

func TestApply(t *testing.T) {
	d, a, opt := everyAction()
	ws := &recordingWorkspace{fail: map[string]bool{"patch 20 active=false": true}}
	got := Apply(t.Context(), ws, Diff(d, a, opt), ApplyOptions{Concurrency: 2})

	want := map[string]bool{
		"create new.hire@x.io member":                    true,
		"put 13 active=true role=guest":                  true, // reactivate with the role in one write
		"put 17 active=true role=admin custom (#112233)": true,
		"put 12 active=true role=admin":                  true,
		"patch 20 active=false":                          true,
		"patch 15 active=false":                          true,
	}
	if len(ws.calls) != len(want) {
		t.Fatalf("writes %q, want %d writes", ws.calls, len(want))
	}
	for _, c := range ws.calls {
		if !want[c] {
			t.Errorf("unexpected write %q", c)
		}
	}
	s := got.Summarize()
	if s.Outcomes[OutcomeApplied] != 5 || s.Outcomes[OutcomeFailed] != 3 { // 1 write + invalid_role + ambiguous
		t.Errorf("outcomes %v", s.Outcomes)
	}
	for _, e := range got.Entries {
		if e.Action == ActionCreateUser && e.ClickUpUserID != "new-new.hire@x.io" {
			t.Errorf("create did not record the new ClickUp id: %+v", e)
		}
		if e.ClickUpUserID == "20" && (e.Outcome != OutcomeFailed || e.Error == "") {
			t.Errorf("failed write not recorded: %+v", e)
		}
	}
}

func TestApplyBoundsConcurrency(t *testing.T) {
	var p Plan
	for i := range 20 {
		p.Entries = append(p.Entries, Entry{Action: ActionDeactivate, ClickUpUserID: fmt.Sprint(i), Outcome: OutcomePlanned})
	}
	ws := &recordingWorkspace{gate: make(chan struct{})}
	done := make(chan Plan)
	go func() { done <- Apply(t.Context(), ws, p, ApplyOptions{Concurrency: 3}) }()
	for range 20 {
		ws.gate <- struct{}{}
	}
	<-done
	if m := ws.maxSeen.Load(); m > 3 || m < 1 {
		t.Fatalf("max writes in flight %d, want 1..3", m)
	}
}

func TestApplyStopsStartingWritesWhenCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	p := Plan{Entries: []Entry{{Action: ActionDeactivate, ClickUpUserID: "1", Outcome: OutcomePlanned}}}
	ws := &recordingWorkspace{}
	got := Apply(ctx, ws, p, ApplyOptions{})
	if len(ws.calls) != 0 || got.Entries[0].Outcome != OutcomePlanned {
		t.Fatalf("canceled apply wrote %q, outcome %s", ws.calls, got.Entries[0].Outcome)
	}
}

func TestAppliedLinks(t *testing.T) {
	d, a, opt := everyAction()
	p := Apply(t.Context(), &recordingWorkspace{}, Diff(d, a, opt), ApplyOptions{})
	links := p.AppliedLinks()
	if links[oid("00u1")] != "new-new.hire@x.io" || links[oid("00u2")] != "12" || links[oid("00u9")] != "1" {
		t.Fatalf("links %v", links)
	}
	if _, ok := links[oid("00u8")]; ok {
		t.Fatalf("an ambiguous match was linked: %v", links)
	}
}

func (w *recordingWorkspace) ListTeams(context.Context) ([]ClickUpTeam, error) { return nil, nil }
func (w *recordingWorkspace) CreateTeam(_ context.Context, name string, members []string) (ClickUpTeam, error) {
	return ClickUpTeam{ID: "new-" + name}, w.enter(fmt.Sprintf("create team %s %v", name, members))
}
func (w *recordingWorkspace) RenameTeam(_ context.Context, id, name string) error {
	return w.enter("rename team " + id + " " + name)
}
func (w *recordingWorkspace) UpdateTeamMembers(_ context.Context, id string, add, remove []string) error {
	return w.enter(fmt.Sprintf("members %s +%v -%v", id, add, remove))
}
func (w *recordingWorkspace) DeleteTeam(_ context.Context, id string) error {
	return w.enter("delete team " + id)
}

func TestApplyTeams(t *testing.T) {
	d, a, opt := everyAction()
	ws := &recordingWorkspace{fail: map[string]bool{"create new.hire@x.io member": false}}
	p := Apply(t.Context(), ws, Diff(d, a, opt), ApplyOptions{Concurrency: 3, Teams: ws})
	want := []string{
		"create team Engineering [12 new-new.hire@x.io]", // the user created in this run joins its Team
		"rename team t2 Design",
		"members t2 +[13] -[14 21]", // one call per Team, after the rename
		"delete team t3",
	}
	got := map[string]bool{}
	for _, c := range ws.calls {
		got[c] = true
	}
	for _, w := range want {
		if !got[w] {
			t.Errorf("missing write %q in %q", w, ws.calls)
		}
	}
	idx := func(c string) int {
		for i, x := range ws.calls {
			if x == c {
				return i
			}
		}
		return -1
	}
	if idx("rename team t2 Design") > idx("members t2 +[13] -[14 21]") || idx("create new.hire@x.io member") > idx(want[0]) {
		t.Errorf("order: %q", ws.calls)
	}
	if links := p.AppliedGroupLinks(); links["00g1"] != "new-Engineering" || links["00g2"] != "t2" {
		t.Errorf("group links %v", links)
	}
}

func TestApplyTeamsSkipsMembersNotCreated(t *testing.T) {
	d, a, opt := everyAction()
	ws := &recordingWorkspace{fail: map[string]bool{"create new.hire@x.io member": true}}
	Apply(t.Context(), ws, Diff(d, a, opt), ApplyOptions{Teams: ws})
	for _, c := range ws.calls {
		if c == "create team Engineering [12 new-new.hire@x.io]" {
			t.Fatalf("a user whose create failed was added to a Team: %q", ws.calls)
		}
	}
}

// panickyWorkspace panics on every write, as an adapter bug would.
type panickyWorkspace struct{ recordingWorkspace }

func (*panickyWorkspace) SetActive(context.Context, string, bool) error { panic("adapter bug") }

func TestApplyRecoversAPanicInAWrite(t *testing.T) {
	a := Actual{Users: managedUsers(2)}
	p := Diff(Desired{Users: assigned(1)}, a, Options{})
	var panics []*PanicError
	got := Apply(t.Context(), &panickyWorkspace{}, p, ApplyOptions{OnPanic: func(p *PanicError) { panics = append(panics, p) }})
	if len(panics) != 1 || len(panics[0].Stack) == 0 {
		t.Fatalf("panics reported: %d", len(panics))
	}
	s := got.Summarize()
	if s.Failures != 1 || !errors.Is(panics[0], ErrPanic) {
		t.Fatalf("want the deactivation failed with the panic; got %+v", got.Entries)
	}
}

// deadlineWorkspace records the deadline and cancellation each write's context carries.
type deadlineWorkspace struct {
	recordingWorkspace
	deadline time.Time
	canceled bool
}

func (w *deadlineWorkspace) SetActive(ctx context.Context, _ string, _ bool) error {
	w.deadline, _ = ctx.Deadline()
	w.canceled = ctx.Done() != nil
	return nil
}

func TestApplyWritesKeepTheRunDeadlineButAreNotCutOff(t *testing.T) {
	deadline := time.Now().Add(time.Hour)
	ctx, cancel := context.WithDeadline(t.Context(), deadline)
	defer cancel()
	ws := &deadlineWorkspace{}
	Apply(ctx, ws, Diff(Desired{Users: assigned(1)}, Actual{Users: managedUsers(2)}, Options{}), ApplyOptions{})
	if !ws.deadline.Equal(deadline) {
		t.Errorf("a write saw deadline %v, want the run's %v: its rate-limit waits must stop there", ws.deadline, deadline)
	}
	if ws.canceled {
		t.Error("a write's context can be canceled: a request cut off midway leaves its effect unknown")
	}
}
