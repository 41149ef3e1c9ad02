package console

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/okta-clickup-sync/okta-clickup-sync/store"
	"github.com/okta-clickup-sync/okta-clickup-sync/store/storetest"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

func TestRunsPage(t *testing.T) {
	hs := newHarness(t)
	c := hs.signIn()
	page := hs.page("/ui/", c, http.StatusOK)

	want := []string{runCut, runRefused, runHeldAgain, runHeld, runFailed, runRoles, runDry, runApproveOld, runSmallHold, runQuiet, runFirst}
	if got := runRows(page); !slices.Equal(got, want) {
		t.Fatalf("runs listed %v, want newest first %v", got, want)
	}
	for _, s := range []string{
		// Status, trigger, duration and counts by action of the first run.
		`<span class="st st-changed">changed</span>`, "41.0 s", "create user <b>24</b>", "create team <b>2</b>",
		`<span class="st st-refused">refused</span>`, `<span class="st st-interrupted">interrupted</span>`, "10 min 00 s",
		"approves <a class=\"mono\" href=\"/ui/runs/" + runSmallHold + "\">",
		"approved by <a class=\"mono\" href=\"/ui/runs/" + runApproveOld + "\">",
		// Two runs hold deactivations nobody approved yet.
		"2 runs hold deactivations awaiting approval",
		// The chart: one bar per run, linked to it.
		`<svg class="bars"`, `<rect class="seg seg-applied"`, `<rect class="seg seg-held"`, `<rect class="seg seg-planned"`,
		"<title>2025-06-02 09:15 UTC · held · 1 applied, 13 held</title>",
	} {
		if !strings.Contains(page, s) {
			t.Errorf("runs page lacks %q", s)
		}
	}
	if n := strings.Count(page, "<title>2025-06-02"); n != len(want) {
		t.Errorf("chart has %d bars, want %d", n, len(want))
	}
}

func TestRunsPage_PagesOlderRuns(t *testing.T) {
	hs := newHarness(t)
	for i := range defaultRunPage {
		hs.f.record(t, fmt.Sprintf("20250603T%04dZ-%06d", i, i), store.TriggerSchedule, false, 24*time.Hour+time.Duration(i)*time.Minute, time.Second, "", nil, "")
	}
	c := hs.signIn()
	first := hs.page("/ui/", c, http.StatusOK)
	if n := len(runRows(first)); n != defaultRunPage || !strings.Contains(first, `href="/ui/?page=2"`) {
		t.Fatalf("page 1: %d runs, link to page 2: %v", n, strings.Contains(first, `href="/ui/?page=2"`))
	}
	second := hs.page("/ui/?page=2", c, http.StatusOK)
	if got := runRows(second); len(got) != 11 || got[0] != runCut {
		t.Fatalf("page 2 lists %v, want the 11 fixture runs from %s", got, runCut)
	}
	if strings.Contains(second, "?page=3") {
		t.Error("page 2 links a page 3")
	}
}

func TestPages_EscapeHostileText(t *testing.T) {
	hs := newHarness(t)
	c := hs.signIn()
	pages := map[string]string{
		"run":      hs.page("/ui/runs/"+runFailed, c, http.StatusOK),
		"filtered": hs.page("/ui/runs/"+runFailed+"?user="+url.QueryEscape(hostileName), c, http.StatusOK),
		"user":     hs.page("/ui/users?q="+url.QueryEscape(hostileName), c, http.StatusOK),
		"unknown":  hs.page("/ui/users?q="+url.QueryEscape(`"><script>alert(3)</script>`), c, http.StatusOK),
		"missing":  hs.page("/ui/runs/"+url.PathEscape(`<script>alert(4)</script>`), c, http.StatusNotFound),
	}
	for name, p := range pages {
		for _, raw := range []string{"<script>", "<img src=x"} {
			if strings.Contains(p, raw) {
				t.Errorf("%s page contains raw %q", name, raw)
			}
		}
	}
	if !strings.Contains(pages["run"], "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("the hostile user name is not shown escaped")
	}
	if !strings.Contains(pages["run"], "&lt;img src=x onerror=alert(2)&gt;") {
		t.Error("the hostile error text is not shown escaped")
	}
	if got := runRowRE.FindAllString(pages["user"], -1); len(got) == 0 {
		t.Error("the hostile user's history is empty")
	}
}

func TestRunPage_Filters(t *testing.T) {
	hs := newHarness(t)
	c := hs.signIn()
	all := rows(hs.page("/ui/runs/"+runRoles, c, http.StatusOK))
	if len(all) != 9 {
		t.Fatalf("unfiltered: %d entries, want 9", len(all))
	}
	for _, tc := range []struct {
		query string
		want  int
		check func(action, outcome string) bool
	}{
		{"action=update_role", 2, func(a, _ string) bool { return a == "update_role" }},
		{"outcome=ignored", 3, func(_, o string) bool { return o == "ignored" }},
		{"action=update_team_members&outcome=applied", 2, func(a, o string) bool { return a == "update_team_members" && o == "applied" }},
		{"user=ALICE", 1, func(a, _ string) bool { return a == "update_role" }},
		{"user=" + oktaID("erin"), 2, func(a, _ string) bool { return a == "deactivate" || a == "update_team_members" }},
		{"user=81000090", 1, func(a, _ string) bool { return a == "unmanaged_user" }},
		{"action=deactivate&user=bob", 0, nil},
		{"outcome=no-such-outcome", 0, nil},
	} {
		page := hs.page("/ui/runs/"+runRoles+"?"+tc.query, c, http.StatusOK)
		got := rows(page)
		if len(got) != tc.want {
			t.Errorf("%s: %d entries %v, want %d", tc.query, len(got), got, tc.want)
			continue
		}
		for _, r := range got {
			if !tc.check(r[0], r[1]) {
				t.Errorf("%s: entry %v does not match", tc.query, r)
			}
		}
		if tc.want == 0 && !strings.Contains(page, "No matching entries") {
			t.Errorf("%s: the page does not say nothing matched", tc.query)
		}
		// The form shows the filter applied.
		q, _ := url.ParseQuery(tc.query)
		if a := q.Get("action"); a != "" && !strings.Contains(page, `<option value="`+a+`" selected>`) {
			t.Errorf("%s: the action is not selected in the form", tc.query)
		}
		if u := q.Get("user"); u != "" && !strings.Contains(page, `name="user" value="`+u+`"`) {
			t.Errorf("%s: the user is not kept in the form", tc.query)
		}
	}
}

func TestRunPage_Unknown(t *testing.T) {
	hs := newHarness(t)
	c := hs.signIn()
	for _, target := range []string{"/ui/runs/20990101T000000Z-000000", "/ui/runs/x/y", "/ui/nothing-here", "/ui/assets/missing.css"} {
		resp := hs.get(target, withCookie(c))
		b := body(t, resp)
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(b, `<p class="status-code">404</p>`) {
			t.Errorf("GET %s: status %d, want the console's 404 page", target, resp.StatusCode)
		}
	}
	resp := hs.post("/ui/runs/20990101T000000Z-000000/approve", url.Values{"csrf": {csrfOf(t, hs.page("/ui/", c, 200))}}, withCookie(c))
	if resp.StatusCode != http.StatusNotFound || hs.ap.count() != 0 {
		t.Errorf("approve of an unknown run: status %d, %d calls; want 404 and none", resp.StatusCode, hs.ap.count())
	}
}

// bigRun records a run of n created users, the last of which failed.
func bigRun(t testing.TB, f *fixture, id string, n int) {
	t.Helper()
	entries := make([]core.Entry, n)
	for i := range entries {
		entries[i] = core.Entry{Action: core.ActionCreateUser, OktaUserID: fmt.Sprintf("00ubig%014d", i), User: fmt.Sprintf("user%06d@example.com", i),
			Field: "role", To: "member", Reason: "assigned in Okta, not in ClickUp", Outcome: core.OutcomeApplied}
	}
	entries[n-1].Outcome, entries[n-1].Error = core.OutcomeFailed, "SCIM POST /Users: 500"
	f.record(t, id, store.TriggerSchedule, false, 72*time.Hour, 20*time.Minute, "", entries, "")
}

func TestRunPage_LargeRunIsPaged(t *testing.T) {
	// 20,000 entries page like 100,000 (BenchmarkRunPage_100k measures those) and keep the
	// race-enabled run short.
	const n = 20_000
	hs := newHarness(t)
	bigRun(t, hs.f, "20250605T000000Z-big000", n)
	c := hs.signIn()

	page := hs.page("/ui/runs/20250605T000000Z-big000", c, http.StatusOK)
	if got := len(rows(page)); got != entryPage {
		t.Fatalf("first page: %d rows, want %d", got, entryPage)
	}
	if !strings.Contains(page, "Showing 1–200 of 20,000 entries") || !strings.Contains(page, "page=2") {
		t.Error("first page does not say where it is or link the next")
	}
	if len(page) > 300_000 {
		t.Errorf("first page is %d bytes", len(page))
	}
	last := hs.page("/ui/runs/20250605T000000Z-big000?page=100", c, http.StatusOK)
	if got := len(rows(last)); got != entryPage || !strings.Contains(last, "Showing 19,801–20,000 of 20,000") || strings.Contains(last, "page=101") {
		t.Errorf("last page: %d rows; want %d, ending the run, with no next link", got, entryPage)
	}
	beyond := hs.page("/ui/runs/20250605T000000Z-big000?page=101", c, http.StatusOK)
	if got := len(rows(beyond)); got != 0 || !strings.Contains(beyond, "page=100") {
		t.Errorf("past the last page: %d rows, or no way back", got)
	}
	failed := hs.page("/ui/runs/20250605T000000Z-big000?outcome=failed", c, http.StatusOK)
	if got := rows(failed); len(got) != 1 || !strings.Contains(failed, "user019999@example.com") {
		t.Errorf("the one failed entry of 20,000: %v", got)
	}
}

// BenchmarkRunPage_100k serves pages of a 100,000-entry run: the first page, and the one
// failed entry found by its outcome.
func BenchmarkRunPage_100k(b *testing.B) {
	hs := newHarness(b)
	bigRun(b, hs.f, "20250605T000000Z-big000", 100_000)
	c := hs.signIn()
	for _, q := range []string{"", "?outcome=failed", "?user=user05"} {
		b.Run("query="+q, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				hs.page("/ui/runs/20250605T000000Z-big000"+q, c, http.StatusOK)
			}
		})
	}
}

func TestUserHistory(t *testing.T) {
	hs := newHarness(t)
	c := hs.signIn()
	runsOf := func(page string) []string {
		var out []string
		for _, m := range runRowRE.FindAllStringSubmatch(page, -1) {
			out = append(out, m[1])
		}
		return out
	}
	// Alice was created, had her role changed (after a dry run showed it) and is now held for
	// deactivation, twice: newest first.
	want := []string{runHeldAgain, runHeld, runRoles, runDry, runFirst}
	for _, key := range []string{"alice@example.com", "Alice@Example.COM", aliceOkta, aliceClickUp} {
		page := hs.page("/ui/users?q="+url.QueryEscape(key), c, http.StatusOK)
		if got := runsOf(page); !slices.Equal(got, want) {
			t.Errorf("history of %s: runs %v, want %v", key, got, want)
		}
		for _, s := range []string{"What happened to", aliceOkta, aliceClickUp, "<del>member</del> → <ins>admin</ins>"} {
			if !strings.Contains(page, s) {
				t.Errorf("history of %s lacks %q", key, s)
			}
		}
	}
	// The last change made to her account is the role change; the held deactivations are not.
	page := hs.page("/ui/users?q=alice@example.com", c, http.StatusOK)
	last := page[strings.Index(page, "Last change made"):]
	last = last[:strings.Index(last, "</dd>")]
	if !strings.Contains(last, "update role") || !strings.Contains(last, runRoles) {
		t.Errorf("last change made: %s", last)
	}

	none := hs.page("/ui/users?q=mallory", c, http.StatusOK)
	if len(runsOf(none)) != 0 || !strings.Contains(none, "No entry mentions") || !strings.Contains(none, "exact") {
		t.Error("a partial key should find nothing and say the lookup is exact")
	}
	form := hs.page("/ui/users", c, http.StatusOK)
	if !strings.Contains(form, `name="q"`) || strings.Contains(form, "No entry mentions") {
		t.Error("the empty lookup should show the form only")
	}
}

func TestHeldPage(t *testing.T) {
	hs := newHarness(t)
	c := hs.signIn()
	page := hs.page("/ui/held", c, http.StatusOK)
	awaiting := page[strings.Index(page, "Awaiting approval"):strings.Index(page, "<h2>Approved</h2>")]
	approved := page[strings.Index(page, "<h2>Approved</h2>"):]

	// The newest held run carries the button; the one before holds the same and points to it.
	if strings.Count(awaiting, `<form method="post" action="/ui/runs/`) != 1 ||
		!strings.Contains(awaiting, `action="/ui/runs/`+runHeldAgain+`/approve"`) {
		t.Errorf("awaiting: want one Approve form, for %s", runHeldAgain)
	}
	if !strings.Contains(awaiting, "Approve 13 deactivations") {
		t.Error("the button does not say how many it approves")
	}
	if !strings.Contains(awaiting, "Holds the same deactivations as newer run <a class=\"mono\" href=\"/ui/runs/"+runHeldAgain+"\">") {
		t.Errorf("the older held run does not point to the newer one")
	}
	for _, who := range []string{"ivan@example.com", "yasmin@example.com", "alice@example.com"} {
		if !strings.Contains(awaiting, who) {
			t.Errorf("awaiting does not list %s", who)
		}
	}
	if !strings.Contains(approved, runSmallHold) || !strings.Contains(approved, runApproveOld) {
		t.Error("the approved hold is not listed with its approval")
	}
}

func TestApprove(t *testing.T) {
	hs := newHarness(t)
	c := hs.signIn()
	runPage := hs.page("/ui/runs/"+runHeldAgain, c, http.StatusOK)
	if !strings.Contains(runPage, `action="/ui/runs/`+runHeldAgain+`/approve"`) {
		t.Fatal("the held run's page has no Approve form")
	}
	csrf := csrfOf(t, runPage)

	resp := hs.post("/ui/runs/"+runHeldAgain+"/approve", url.Values{"csrf": {csrf}}, withCookie(c),
		withHeader("Origin", "https://"+hs.host), withHeader("Sec-Fetch-Site", "same-origin"))
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve: status %d, want 303\n%s", resp.StatusCode, body(t, resp))
	}
	if calls := hs.ap.calls; !slices.Equal(calls, []string{runHeldAgain}) {
		t.Fatalf("approve called with %v, want once with %s", calls, runHeldAgain)
	}
	approveRun := "20250602T110000Z-app001"
	if got := resp.Header.Get("Location"); got != "/ui/runs/"+approveRun {
		t.Fatalf("redirected to %q, want the approve run", got)
	}
	flash := cookieNamed(resp, flashCookie)
	if flash == nil {
		t.Fatal("no flash")
	}

	// The approve run's page shows what it did, with the flash once.
	resp = hs.get("/ui/runs/"+approveRun, withCookie(c), withCookie(flash))
	after := body(t, resp)
	if !strings.Contains(after, `<p class="flash" role="status">Approved: 13 deactivations applied by run `+approveRun+`.</p>`) {
		t.Error("the flash is not shown")
	}
	if cleared := cookieNamed(resp, flashCookie); cleared == nil || cleared.MaxAge >= 0 {
		t.Error("the flash is not cleared once shown")
	}
	if got := rows(after); len(got) != 13 || got[0] != [2]string{"deactivate", "applied"} {
		t.Errorf("approve run entries: %v", got)
	}
	// A flash cookie not signed by the console is not shown.
	forged := &http.Cookie{Name: flashCookie, Value: b64.EncodeToString([]byte("All good")) + ".AAAA"}
	if strings.Contains(hs.page("/ui/", c, http.StatusOK)+body(t, hs.get("/ui/", withCookie(c), withCookie(forged))), "All good") {
		t.Error("a forged flash was shown")
	}

	// The held run now says who approved it and offers no button; approving again is refused.
	held := hs.page("/ui/runs/"+runHeldAgain, c, http.StatusOK)
	if strings.Contains(held, "/approve\"") || !strings.Contains(held, "Approved by <a class=\"mono\" href=\"/ui/runs/"+approveRun+"\">") {
		t.Error("the approved run still offers Approve or does not name its approval")
	}
	resp = hs.post("/ui/runs/"+runHeldAgain+"/approve", url.Values{"csrf": {csrf}}, withCookie(c))
	if resp.StatusCode != http.StatusConflict || len(hs.ap.calls) != 1 {
		t.Errorf("second approval: status %d, %d calls; want 409 and still 1", resp.StatusCode, len(hs.ap.calls))
	}
	// Its older twin is now covered by that approval.
	heldPage := hs.page("/ui/held", c, http.StatusOK)
	if !strings.Contains(heldPage, "No run is waiting for approval") || !strings.Contains(heldPage, "the approval of newer run") {
		t.Error("the held page still shows runs awaiting approval")
	}
	// A run that held nothing cannot be approved.
	resp = hs.post("/ui/runs/"+runRoles+"/approve", url.Values{"csrf": {csrf}}, withCookie(c))
	if resp.StatusCode != http.StatusConflict || len(hs.ap.calls) != 1 {
		t.Errorf("approve of a run that held nothing: status %d, %d calls", resp.StatusCode, len(hs.ap.calls))
	}
	logs := hs.logs.String()
	if !strings.Contains(logs, `"message":"console approve finished"`) || !strings.Contains(logs, approveRun) {
		t.Errorf("the approval is not logged: %s", logs)
	}
}

func TestApprove_FailureIsShown(t *testing.T) {
	hs := newHarness(t)
	hs.ap.err = errors.New("take the run lock: run lock held by another reconcile <b>")
	c := hs.signIn()
	csrf := csrfOf(t, hs.page("/ui/held", c, http.StatusOK))
	resp := hs.post("/ui/runs/"+runHeldAgain+"/approve", url.Values{"csrf": {csrf}}, withCookie(c))
	b := body(t, resp)
	if resp.StatusCode != http.StatusInternalServerError || !strings.Contains(b, "run lock held by another reconcile &lt;b&gt;") {
		t.Fatalf("status %d, want 500 naming the cause (escaped):\n%s", resp.StatusCode, b)
	}
	if hs.ap.count() != 1 {
		t.Fatalf("approve called %d times", hs.ap.count())
	}
}

func TestApprove_Off(t *testing.T) {
	hs := newHarness(t, func(o *Options) { o.Approve = nil })
	c := hs.signIn()
	page := hs.page("/ui/runs/"+runHeldAgain, c, http.StatusOK)
	if strings.Contains(page, "/approve\"") || !strings.Contains(page, "okta-clickup-sync approve "+runHeldAgain) {
		t.Error("without an approve function the page should show the command, not a button")
	}
	resp := hs.post("/ui/runs/"+runHeldAgain+"/approve", url.Values{"csrf": {csrfOf(t, page)}}, withCookie(c))
	if resp.StatusCode != http.StatusNotImplemented {
		t.Errorf("status %d, want 501", resp.StatusCode)
	}
}

func TestStoreReader_Approvals(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	r := StoreReader(f.st)
	// An approve run that failed before taking the approval (it recorded nothing) leaves the
	// hold awaiting; the next one that applies it takes it.
	f.record(t, "20250602T120000Z-fail01", store.TriggerApprove, false, 4*time.Hour, time.Second, store.RunFailed, nil, "list app users: 503", runHeldAgain)
	got, err := r.Run(ctx, runHeldAgain)
	if err != nil || got.ApprovedBy != "" {
		t.Fatalf("after a failed approve: approved by %q (%v), want none", got.ApprovedBy, err)
	}
	f.record(t, "20250602T121500Z-ok0001", store.TriggerApprove, false, 4*time.Hour+15*time.Minute, time.Second, "", []core.Entry{deactivation("ivan", 8, core.OutcomeApplied, "no longer assigned in Okta")}, "", runHeldAgain)
	for _, run := range []func() (Run, error){
		func() (Run, error) { return r.Run(ctx, runHeldAgain) },
		func() (Run, error) {
			runs, _, err := r.Runs(ctx, RunQuery{Status: "held"})
			for _, run := range runs {
				if run.ID == runHeldAgain {
					return run, err
				}
			}
			return Run{}, err
		},
	} {
		got, err := run()
		if err != nil || got.ApprovedBy != "20250602T121500Z-ok0001" {
			t.Errorf("approved by %q (%v), want the applying approve run", got.ApprovedBy, err)
		}
	}
	if _, err := r.Run(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown run: %v, want ErrNotFound", err)
	}
	if _, err := r.Held(ctx, runRoles); !errors.Is(err, ErrNotFound) {
		t.Errorf("held of a run that held nothing: %v, want ErrNotFound", err)
	}
}

func TestStoreReader_ShowsUnknownKindsAndOutcomes(t *testing.T) {
	hs := newHarness(t)
	// Outcomes and actions this build does not know are shown as they are.
	if err := hs.f.st.BeginRun(context.Background(), store.Run{ID: "20250602T130000Z-new001", Trigger: store.TriggerSchedule, Start: t0.Add(5 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := storetest.SaveEntries(context.Background(), hs.f.st, "20250602T130000Z-new001", []core.Entry{
		{Action: "rotate_badge", User: "zoe@example.com", Outcome: "unknown"},
	}); err != nil {
		t.Fatal(err)
	}
	c := hs.signIn()
	page := hs.page("/ui/runs/20250602T130000Z-new001", c, http.StatusOK)
	if got := rows(page); len(got) != 1 || got[0] != [2]string{"rotate_badge", "unknown"} {
		t.Errorf("rows %v", got)
	}
	if !strings.Contains(page, `<span class="st st-running st-lg">running</span>`) || !strings.Contains(page, `<span class="oc oc-unknown">unknown</span>`) {
		t.Error("a running run with an unknown outcome is not shown")
	}
}

func TestApprove_OutlivesTheRequest(t *testing.T) {
	// The browser goes away mid-approval: the approval must still run to its end, or it could
	// stop between two writes.
	var approveErr error
	reqCtx, cancel := context.WithCancel(context.Background())
	defer cancel()
	hs := newHarness(t, func(o *Options) {
		o.Approve = func(ctx context.Context, runID string) (ApproveResult, error) {
			cancel()
			approveErr = ctx.Err()
			return ApproveResult{RunID: runID, Status: "changed"}, nil
		}
	})
	c := hs.signIn()
	csrf := csrfOf(t, hs.page("/ui/held", c, http.StatusOK))
	resp := hs.post("/ui/runs/"+runHeldAgain+"/approve", url.Values{"csrf": {csrf}}, withCookie(c),
		func(r *http.Request) { *r = *r.WithContext(reqCtx) })
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d, want 303", resp.StatusCode)
	}
	if approveErr != nil {
		t.Fatalf("the approval's context ended with the request: %v", approveErr)
	}
}

func TestTimesShownInTheConfiguredZone(t *testing.T) {
	hs := newHarness(t, func(o *Options) { o.Location = time.FixedZone("EST", -5*3600) })
	page := hs.page("/ui/runs/"+runFirst, hs.signIn(), http.StatusOK)
	if !strings.Contains(page, "2025-06-02 03:00:00 EST") || !strings.Contains(page, "Times in EST") {
		t.Error("times are not shown in the configured zone")
	}
}

// kindReader is a store that records run kinds, as the store will once runs have them.
type kindReader struct{ Reader }

func (k kindReader) Runs(ctx context.Context, q RunQuery) ([]Run, bool, error) {
	runs, more, err := k.Reader.Runs(ctx, q)
	for i := range runs {
		runs[i].Kind = "events"
	}
	return runs, more, err
}

func (k kindReader) Run(ctx context.Context, id string) (Run, error) {
	r, err := k.Reader.Run(ctx, id)
	r.Kind = "user"
	return r, err
}

func TestRunKindsShownWhenRecorded(t *testing.T) {
	hs := newHarness(t, func(o *Options) { o.Store = kindReader{o.Store} })
	c := hs.signIn()
	if page := hs.page("/ui/", c, http.StatusOK); !strings.Contains(page, `<span class="sub">events · schedule`) {
		t.Error("the runs page does not show the kind")
	}
	if page := hs.page("/ui/runs/"+runRoles, c, http.StatusOK); !strings.Contains(page, "<dt>Kind</dt><dd>user</dd>") {
		t.Error("the run page does not show the kind")
	}
	plain := newHarness(t)
	if page := plain.page("/ui/runs/"+runRoles, plain.signIn(), http.StatusOK); strings.Contains(page, "<dt>Kind</dt>") {
		t.Error("a run without a kind shows an empty one")
	}
}
