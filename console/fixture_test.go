package console

import (
	"context"
	"fmt"
	"path/filepath"
	gosync "sync"
	"testing"
	"time"

	"github.com/okta-clickup-sync/okta-clickup-sync/store"
	"github.com/okta-clickup-sync/okta-clickup-sync/store/storetest"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// The fixture is a state file with the runs of a realistic morning: a first run that creates the
// Workspace's users and Teams, quiet runs, a dry run, role changes and a reactivation, a run with
// a failed create and an invalid role, an offboarding wave held by the cap (held again by the
// next run, as holds are sticky), an earlier hold that was approved, a refused run and an
// interrupted one. Hostile text sits where Okta or ClickUp could put it: a user name and an
// error body.
var t0 = time.Date(2025, 6, 2, 8, 0, 0, 0, time.UTC)

const (
	hostileName  = `<script>alert(1)</script>`
	hostileError = `create user: SCIM POST /Users: 400 {"detail":"<img src=x onerror=alert(2)>"}`

	runFirst      = "20250602T080000Z-1a2b3c"
	runQuiet      = "20250602T081500Z-4d5e6f"
	runSmallHold  = "20250602T082000Z-0f1e2d"
	runApproveOld = "20250602T082500Z-3c4b5a"
	runDry        = "20250602T083000Z-7a8b9c"
	runRoles      = "20250602T084500Z-aa11bb"
	runFailed     = "20250602T090000Z-cc22dd"
	runHeld       = "20250602T091500Z-ee33ff"
	runHeldAgain  = "20250602T093000Z-0a44b5"
	runRefused    = "20250602T094500Z-c655d6"
	runCut        = "20250602T100000Z-e777f8"

	aliceOkta    = "00uabalice0000000001"
	aliceClickUp = "81000001"
)

var people = []string{
	"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory", "niaj",
	"olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter", "yasmin", "zoe", "quentin", "uma", "xavier",
}

func oktaID(name string) string {
	return ("00uab" + name + "00000000000000")[:19] + "1"
}

func clickupID(i int) string { return fmt.Sprintf("810000%02d", i+1) }

func email(name string) string { return name + "@example.com" }

type fixture struct {
	st *store.Store
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "state.db"), store.Options{Now: func() time.Time { return t0.Add(3 * time.Hour) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	f := &fixture{st: st}

	var first []core.Entry
	for i, p := range people {
		first = append(first, core.Entry{Action: core.ActionCreateUser, OktaUserID: oktaID(p), ClickUpUserID: clickupID(i), User: email(p),
			Field: "role", To: "member", Reason: "assigned in Okta, not in ClickUp", Outcome: core.OutcomeApplied})
	}
	first = append(first,
		core.Entry{Action: core.ActionCreateTeam, User: "Engineering", Field: "members", To: "9 members", Reason: "pushed Okta group 00gengineering00001 has no Team", Outcome: core.OutcomeApplied},
		core.Entry{Action: core.ActionCreateTeam, User: "Support", Field: "members", To: "6 members", Reason: "pushed Okta group 00gsupport000000001 has no Team", Outcome: core.OutcomeApplied},
		core.Entry{Action: core.ActionProtected, ClickUpUserID: "81000099", User: "owner@example.com", Reason: "Workspace owner; never changed", Outcome: core.OutcomeIgnored},
	)
	first = append(first, drift()...)
	f.record(t, runFirst, store.TriggerSchedule, false, 0, 41*time.Second, "", first, "")
	f.record(t, runQuiet, store.TriggerSchedule, false, 15*time.Minute, 3200*time.Millisecond, "", drift(), "")

	grace := deactivation("grace", 6, core.OutcomeHeld, "no longer assigned in Okta; held: 1 deactivations exceed the cap (0, or 0% of 24 managed active users)")
	f.record(t, runSmallHold, store.TriggerManual, false, 20*time.Minute, 2900*time.Millisecond, "", []core.Entry{grace}, "")
	grace.Outcome, grace.Reason = core.OutcomeApplied, "no longer assigned in Okta"
	f.record(t, runApproveOld, store.TriggerApprove, false, 25*time.Minute, 3900*time.Millisecond, "", []core.Entry{grace}, "", runSmallHold)

	f.record(t, runDry, store.TriggerManual, true, 30*time.Minute, 2700*time.Millisecond, "", []core.Entry{
		{Action: core.ActionUpdateRole, OktaUserID: oktaID("alice"), ClickUpUserID: aliceClickUp, User: email("alice"), Field: "role", From: "member", To: "admin", Reason: "role changed in Okta", Outcome: core.OutcomePlanned},
	}, "")
	f.record(t, runRoles, store.TriggerSchedule, false, 45*time.Minute, 5100*time.Millisecond, "", append([]core.Entry{
		{Action: core.ActionReactivate, OktaUserID: oktaID("carol"), ClickUpUserID: clickupID(2), User: email("carol"), Field: "active", From: "false", To: "true", Reason: "assigned in Okta again", Outcome: core.OutcomeApplied},
		{Action: core.ActionUpdateRole, OktaUserID: oktaID("alice"), ClickUpUserID: aliceClickUp, User: email("alice"), Field: "role", From: "member", To: "admin", Reason: "role changed in Okta", Outcome: core.OutcomeApplied},
		{Action: core.ActionUpdateRole, OktaUserID: oktaID("bob"), ClickUpUserID: clickupID(1), User: email("bob"), Field: "role", From: "guest", To: "member", Reason: "role changed in Okta", Outcome: core.OutcomeApplied},
		deactivation("erin", 4, core.OutcomeApplied, "not entitled in Okta (app user ACTIVE, user SUSPENDED)"),
		{Action: core.ActionUpdateTeamMembers, OktaUserID: oktaID("bob"), ClickUpUserID: clickupID(1), User: email("bob"), Field: "team Engineering", To: "member", Reason: "member of Okta group 00gengineering00001", Outcome: core.OutcomeApplied},
		{Action: core.ActionUpdateTeamMembers, OktaUserID: oktaID("erin"), ClickUpUserID: clickupID(4), User: email("erin"), Field: "team Support", From: "member", Reason: "no longer in Okta group 00gsupport000000001", Outcome: core.OutcomeApplied},
	}, drift()...), "")
	f.record(t, runFailed, store.TriggerSchedule, false, time.Hour, 6*time.Second, "", append([]core.Entry{
		{Action: core.ActionCreateUser, OktaUserID: "00uabnewhire00000001", User: "new.hire@example.com", Field: "role", To: "member", Reason: "assigned in Okta, not in ClickUp", Outcome: core.OutcomeFailed, Error: hostileError},
		{Action: core.ActionInvalidRole, OktaUserID: oktaID("dave"), User: email("dave"), Field: "role", To: "customRoleName Designers", Reason: `custom role "Designers" is not defined in the Workspace; map customRoleId instead`, Outcome: core.OutcomeFailed},
	}, drift()...), "")

	var wave []core.Entry
	for i, p := range people[8:20] {
		wave = append(wave, deactivation(p, 8+i, core.OutcomeHeld, "no longer assigned in Okta; held: 12 deactivations exceed the cap (10, or 25% of 23 managed active users)"))
	}
	wave = append(wave, deactivation("alice", 0, core.OutcomeHeld, "no longer assigned in Okta; held: 13 deactivations exceed the cap (10, or 25% of 23 managed active users)"))
	f.record(t, runHeld, store.TriggerSchedule, false, 75*time.Minute, 7*time.Second, "", append([]core.Entry{
		{Action: core.ActionCreateUser, OktaUserID: "00uabfrankocean00001", ClickUpUserID: "81000077", User: "frank.ocean@example.com", Field: "role", To: "guest", Reason: "assigned in Okta, not in ClickUp", Outcome: core.OutcomeApplied},
	}, append(wave, drift()...)...), "")
	f.record(t, runHeldAgain, store.TriggerSchedule, false, 90*time.Minute, 6500*time.Millisecond, "", append(wave, drift()...), "")
	f.record(t, runRefused, store.TriggerTrigger, false, 105*time.Minute, 1900*time.Millisecond, "refused", nil,
		"refused: Okta lists no entitled users while ClickUp has 23 managed active users (set SYNC_ALLOW_EMPTY_SOURCE=true if that is intended)")
	f.record(t, runCut, store.TriggerSchedule, false, 2*time.Hour, 10*time.Minute, "interrupted", nil,
		"list app users: page 3: context deadline exceeded")
	return f
}

// drift is what every run reports and leaves alone: accounts Okta does not manage (one named
// by a hostile ClickUp user) and a name changed in ClickUp.
func drift() []core.Entry {
	return []core.Entry{
		{Action: core.ActionUnmanagedUser, ClickUpUserID: "81000090", User: "contractor@vendor.io", Reason: "active in ClickUp, not assigned in Okta, and not created from Okta; left as is", Outcome: core.OutcomeIgnored},
		{Action: core.ActionUnmanagedUser, ClickUpUserID: "81000091", User: hostileName, Reason: "foreign_external_id", Outcome: core.OutcomeIgnored},
		{Action: core.ActionProfileDriftIgnored, OktaUserID: oktaID("heidi"), ClickUpUserID: clickupID(7), User: email("heidi"), Field: "name", From: "Heidi K.", To: "Heidi Klum", Reason: "only the role is pushed after creation", Outcome: core.OutcomeIgnored},
	}
}

func deactivation(name string, i int, o core.Outcome, reason string) core.Entry {
	return core.Entry{Action: core.ActionDeactivate, OktaUserID: oktaID(name), ClickUpUserID: clickupID(i), User: email(name),
		Field: "active", From: "true", To: "false", Reason: reason, Outcome: o}
}

// record stores a run as the reconcile records one: begun, its entries and held plan, finished.
func (f *fixture) record(t testing.TB, id, trigger string, dryRun bool, at, took time.Duration, outcome string, entries []core.Entry, errText string, approves ...string) {
	t.Helper()
	r := store.Run{ID: id, Trigger: trigger, DryRun: dryRun, Start: t0.Add(at)}
	if len(approves) > 0 {
		r.ApprovesRun = approves[0]
	}
	if err := f.save(context.Background(), r, t0.Add(at+took), outcome, entries, errText); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) save(ctx context.Context, r store.Run, end time.Time, outcome string, entries []core.Entry, errText string) error {
	if err := f.st.BeginRun(ctx, r); err != nil {
		return err
	}
	if err := storetest.SaveEntries(ctx, f.st, r.ID, entries); err != nil {
		return err
	}
	var held []core.Entry
	for _, e := range entries {
		if e.Outcome == core.OutcomeHeld {
			held = append(held, e)
		}
	}
	if len(held) > 0 {
		if err := f.st.SaveHeld(ctx, r.ID, held); err != nil {
			return err
		}
	}
	// An approve run takes the approval once its plan is read; one that failed before records
	// no entries.
	if r.ApprovesRun != "" && len(entries) > 0 {
		if err := f.st.MarkApproved(ctx, r.ApprovesRun, r.ID); err != nil {
			return err
		}
	}
	s := core.Plan{Entries: entries}.Summarize()
	if outcome == "" {
		switch {
		case s.Failures > 0:
			outcome = store.RunFailed
		case s.Outcomes[core.OutcomeHeld] > 0:
			outcome = store.RunHeld
		case s.Outcomes[core.OutcomeApplied] > 0:
			outcome = store.RunChanged
		default:
			outcome = store.RunSuccess
		}
	}
	return f.st.FinishRun(ctx, r.ID, store.Finish{End: end, Outcome: outcome, Summary: s, Error: errText})
}

// approver approves held runs as `approve RUN_ID` would, against the fixture's store: it
// records an approve run that applies the held deactivations. It counts its calls.
type approver struct {
	f     *fixture
	mu    gosync.Mutex
	calls []string
	err   error
}

func (a *approver) approve(ctx context.Context, runID string) (ApproveResult, error) {
	a.mu.Lock()
	a.calls = append(a.calls, runID)
	n, fail := len(a.calls), a.err
	a.mu.Unlock()
	if fail != nil {
		return ApproveResult{}, fail
	}
	held, err := a.f.st.Held(ctx, runID)
	if err != nil {
		return ApproveResult{}, err
	}
	id := fmt.Sprintf("20250602T110000Z-app%03d", n)
	var applied []core.Entry
	for _, e := range held {
		e.Outcome, e.Reason = core.OutcomeApplied, "no longer assigned in Okta"
		applied = append(applied, e)
	}
	start := t0.Add(3*time.Hour + time.Duration(n)*time.Minute)
	r := store.Run{ID: id, Trigger: store.TriggerApprove, Start: start, ApprovesRun: runID}
	if err := a.f.save(ctx, r, start.Add(4*time.Second), "", applied, ""); err != nil {
		return ApproveResult{RunID: id}, err
	}
	return ApproveResult{RunID: id, Status: store.RunChanged, Message: fmt.Sprintf("Approved: %d deactivations applied by run %s.", len(applied), id)}, nil
}

func (a *approver) count() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.calls)
}
