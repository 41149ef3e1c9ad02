package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/okta-clickup-sync/okta-clickup-sync/clickup/clickuptest"
	"github.com/okta-clickup-sync/okta-clickup-sync/internal/cost"
	"github.com/okta-clickup-sync/okta-clickup-sync/okta/oktatest"
)

var (
	latency  = flag.Duration("latency", 50*time.Millisecond, "latency added to every request of both fakes")
	oktaRate = flag.Int("okta-apps-rate", 100, "Okta requests per minute in each /api/v1/apps bucket (Okta publishes 100)")
	groupsRt = flag.Int("okta-groups-rate", 500, "Okta requests per minute in each /api/v1/groups bucket")
	scimRate = flag.Int("scim-rate", 10000, "ClickUp SCIM requests per minute")
	only     = flag.String("workloads", "", "comma-separated workload names to run (default: all; -short: the quick ones)")
	reportTo = flag.String("report", "", "append one Markdown table row per workload to this file")
)

const appID = "0oabenchclickup01"

// workload seeds the fakes and says what the lower bound of its run is.
type workload struct {
	name  string
	short bool // part of the -short subset
	users int  // Okta app users, all entitled unless seed says otherwise
	// groups are the pushed groups' member counts; members are users i*stride .. +count, wrapping.
	groups    int
	members   int
	teamsNow  bool // the Teams exist in ClickUp, in step
	inClickUp bool // the users exist in ClickUp, in step
	// change adjusts user i after seeding (role change, unassignment); it returns whether user i
	// needs a write.
	change func(o *oktatest.Server, oktaID string, i int) bool
	env    map[string]string
}

var workloads = []workload{
	{name: "noop-10k", short: true, users: 10_000, groups: 100, members: 100, teamsNow: true, inClickUp: true},
	{name: "noop-100k", users: 100_000, groups: 100, members: 1000, teamsNow: true, inClickUp: true},
	{name: "create-10k", users: 10_000, change: func(*oktatest.Server, string, int) bool { return true }},
	{name: "role-5k", short: true, users: 10_000, inClickUp: true, change: func(o *oktatest.Server, id string, i int) bool {
		if i%2 == 0 {
			o.SetAssignmentProfile(appID, id, map[string]any{"role": "admin"})
			return true
		}
		return false
	}},
	{name: "deactivate-1k", short: true, users: 10_000, inClickUp: true,
		env: map[string]string{"SYNC_MAX_DEACTIVATIONS": "1000", "SYNC_MAX_DEACTIVATION_PERCENT": "100"},
		change: func(o *oktatest.Server, id string, i int) bool {
			if i%10 == 0 {
				o.Unassign(appID, id)
				return true
			}
			return false
		}},
	{name: "teams-push-100x1000", short: true, users: 10_000, groups: 100, members: 1000, inClickUp: true},
}

var (
	buildOnce gosync.Once
	binPath   string
	buildErr  error
)

// binary builds the product once: it runs as a child process so that its peak RSS is its own,
// not the fakes'. The benchstats tag adds only an exit hook that prints the run's allocation
// totals to stderr (cmd/okta-clickup-sync/benchstats.go).
func binary(b *testing.B) string {
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "okta-clickup-sync-bench")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "okta-clickup-sync")
		out, err := exec.Command("go", "build", "-tags", "benchstats", "-o", binPath, "github.com/okta-clickup-sync/okta-clickup-sync/cmd/okta-clickup-sync").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		b.Fatal(buildErr)
	}
	return binPath
}

// meter is the latency middleware of one fake, counting 429s on the way out and the time the
// fake itself spends answering the app-user pages, which is part of what each page of that
// sequential listing costs. Sleeping on a timer costs no CPU, so it cannot become the
// bottleneck it measures.
type meter struct {
	throttled atomic.Int64
	pageNanos atomic.Int64 // time spent serving app-user pages, latency excluded
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (m *meter) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if *latency > 0 {
			time.Sleep(*latency)
		}
		sr := &statusRecorder{ResponseWriter: w}
		served := time.Now()
		next.ServeHTTP(sr, r)
		if cost.Classify(r.Method, r.URL.Path, r.URL.RawQuery) == cost.OktaAppUsers {
			m.pageNanos.Add(int64(time.Since(served)))
		}
		if sr.status == http.StatusTooManyRequests {
			m.throttled.Add(1)
		}
	})
}

type fakes struct {
	okta         *oktatest.Server
	cu           *clickuptest.Server
	oktaM, cuM   *meter
	groupIDs     []string
	bound        cost.Workload
	changes      int
	groupMembers []int
}

func seed(w workload) *fakes {
	f := &fakes{
		okta:  oktatest.NewServer(oktatest.Options{}),
		cu:    clickuptest.NewServer(clickuptest.Options{}),
		oktaM: &meter{}, cuM: &meter{},
	}
	f.okta.AddApp(appID, "ClickUp")
	f.cu.AddUser(clickuptest.User{UserName: "owner@bench.io", Email: "owner@bench.io", GivenName: "O", FamilyName: "Wner", Active: true, Owner: true})
	oktaIDs := make([]string, w.users)
	cuIDs := make([]string, w.users)
	for i := range w.users {
		login := fmt.Sprintf("user%06d@bench.io", i)
		u := f.okta.AddUser(oktatest.User{Status: "ACTIVE", Login: login, Email: login, FirstName: "User", LastName: strconv.Itoa(i)})
		f.okta.Assign(appID, u.ID, "PROVISIONED", map[string]any{"role": "member"})
		oktaIDs[i] = u.ID
		if w.inClickUp {
			cuIDs[i] = f.cu.AddUser(clickuptest.User{ExternalID: u.ID, UserName: login, Email: login, GivenName: "User", FamilyName: strconv.Itoa(i), Active: true, Role: "member"}).ID
		}
	}
	stride := 1
	if w.groups > 0 {
		stride = max(1, w.users/w.groups)
	}
	teamPatches := 0
	var creates []int
	for g := range w.groups {
		grp := f.okta.AddGroup(oktatest.Group{Name: fmt.Sprintf("Team %03d", g)})
		f.groupIDs = append(f.groupIDs, grp.ID)
		var members []string
		for k := range w.members {
			i := (g*stride + k) % w.users
			f.okta.AddGroupMember(grp.ID, oktaIDs[i])
			members = append(members, cuIDs[i])
		}
		f.groupMembers = append(f.groupMembers, w.members)
		if w.teamsNow {
			f.cu.AddGroup(clickuptest.Group{DisplayName: grp.Name, Members: members})
		} else {
			creates = append(creates, w.members)
		}
	}
	if w.change != nil {
		for i, id := range oktaIDs {
			if w.change(f.okta, id, i) {
				f.changes++
			}
		}
	}
	scimGroups := 0
	if w.teamsNow {
		scimGroups = w.groups
	}
	appUsers := w.users
	var absent int
	if w.name == "deactivate-1k" {
		appUsers -= f.changes
		// Without a store no account is linked: each absent one's externalId is looked up in the
		// org, and each deactivation confirmed (DESIGN.md §7).
		absent = f.changes
	}
	f.bound = cost.Workload{
		AppUsers: appUsers, GroupMembers: f.groupMembers, SCIMUsers: len(cuIDsNonEmpty(cuIDs)) + 1,
		SCIMGroups: scimGroups, REST: true, UserWrites: f.changes, TeamCreates: creates, TeamPatches: teamPatches,
		ExternalIDChecks: absent, AbsentDeactivations: absent,
	}
	f.okta.SetBucketRateLimit("/api/v1/apps", *oktaRate)
	f.okta.SetBucketRateLimit("/api/v1/groups", *groupsRt)
	f.okta.Use(f.oktaM.middleware)
	f.cu.SetSCIMRateLimit(*scimRate)
	f.cu.Use(f.cuM.middleware)
	return f
}

func cuIDsNonEmpty(ids []string) []string {
	var out []string
	for _, id := range ids {
		if id != "" {
			out = append(out, id)
		}
	}
	return out
}

func (f *fakes) close() { f.okta.Close(); f.cu.Close() }

func (f *fakes) env(w workload) []string {
	env := map[string]string{
		"OKTA_ORG_URL": f.okta.URL(), "OKTA_APP_ID": appID, "OKTA_API_TOKEN": f.okta.Token(),
		"CLICKUP_SCIM_BASE_URL": f.cu.SCIMBaseURL(), "CLICKUP_SCIM_TOKEN": f.cu.SCIMToken(),
		"CLICKUP_API_BASE_URL": f.cu.APIBaseURL(), "CLICKUP_API_TOKEN": f.cu.APIToken(), "CLICKUP_WORKSPACE_ID": f.cu.WorkspaceID(),
		"SYNC_ALLOW_INSECURE_HTTP": "true", "SYNC_STATE_PATH": "", "LOG_LEVEL": "info",
		"SYNC_PUSH_GROUPS": strings.Join(f.groupIDs, ","),
		"GODEBUG":          "gctrace=1",
		"PATH":             os.Getenv("PATH"),
	}
	for k, v := range w.env {
		env[k] = v
	}
	var out []string
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	return out
}

// result is one measured run.
type result struct {
	wall         time.Duration
	got, bound   cost.Bound
	throttled    int64
	maxRSS       int64 // bytes
	peakHeap     int64 // bytes, the largest heap a GC cycle started with
	mallocs      int64 // heap objects allocated over the whole run (runtime.MemStats.Mallocs)
	totalAlloc   int64 // bytes allocated over the whole run (runtime.MemStats.TotalAlloc)
	numGC        int64
	critical     time.Duration
	writes       int
	exit         int
	oktaRequests int
}

var (
	gcLine = regexp.MustCompile(`gc \d+ @[^:]+: .* (\d+)->(\d+)->(\d+) MB`)
	// statsLine is what the benchstats build prints on exit; unanchored, as the runtime's
	// gctrace writes to the same stderr.
	statsLine = regexp.MustCompile(`benchstats mallocs=(\d+) total_alloc_bytes=(\d+) num_gc=(\d+)`)
)

func run(b *testing.B, w workload) result {
	f := seed(w)
	defer f.close()
	f.okta.ResetRequests()
	f.cu.ResetRequests()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(binary(b), "reconcile", "--output", "json")
	cmd.Env, cmd.Stdout, cmd.Stderr = f.env(w), &stdout, &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	// The child's rusage maxrss counts the pages it shared with this (large) process between
	// fork and exec, so the product's own peak is VmHWM of its post-exec address space, polled.
	var hwm atomic.Int64
	stop := make(chan struct{})
	polled := make(chan struct{})
	go func() {
		defer close(polled)
		for {
			if kb := vmHWM(cmd.Process.Pid); kb > hwm.Load() {
				hwm.Store(kb)
			}
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()
	err := cmd.Wait()
	wall := time.Since(start)
	close(stop)
	<-polled
	r := result{wall: wall, exit: cmd.ProcessState.ExitCode(), maxRSS: hwm.Load() * 1024}
	if err != nil && r.exit != 0 {
		b.Fatalf("%s: %v\n%s", w.name, err, tail(stderr.String(), 3000))
	}
	for _, m := range gcLine.FindAllStringSubmatch(stderr.String(), -1) {
		n, _ := strconv.ParseInt(m[1], 10, 64)
		r.peakHeap = max(r.peakHeap, n<<20)
	}
	m := statsLine.FindStringSubmatch(stderr.String())
	if m == nil {
		b.Fatalf("%s: no benchstats line on stderr (built without -tags benchstats?)\n%s", w.name, tail(stderr.String(), 3000))
	}
	r.mallocs, _ = strconv.ParseInt(m[1], 10, 64)
	r.totalAlloc, _ = strconv.ParseInt(m[2], 10, 64)
	r.numGC, _ = strconv.ParseInt(m[3], 10, 64)
	r.got = cost.Bound{}
	for _, q := range f.okta.Requests() {
		r.got[cost.Classify(q.Method, q.Path, q.RawQuery)]++
	}
	for _, q := range f.cu.Requests() {
		r.got[cost.Classify(q.Method, q.Path, q.RawQuery)]++
	}
	r.throttled = f.oktaM.throttled.Load() + f.cuM.throttled.Load()
	r.bound = cost.LowerBound(f.bound)
	r.writes = r.bound[cost.SCIMWriteUsers] + r.bound[cost.SCIMWriteGroups]
	r.critical = critical(f, r.bound, start)
	return r
}

// critical is the shortest wall time the APIs allow, with unbounded concurrency on our side: the
// Okta app-user listing is a cursor, so its pages are sequential, each one latency plus the time
// the service takes to answer it (measured on the fake: rendering 500 users is not free), under Okta's
// per-minute window (aligned to the minute, as the fake and Okta do); the member listings run
// beside it; the SCIM listings need the first page before the rest (two latencies); user writes
// take one latency, Team writes one per request of the longest Team after them; and ClickUp's
// window (starting at the first request) admits scimRate requests a minute.
func critical(f *fakes, b cost.Bound, start time.Time) time.Duration {
	L := *latency
	page := L
	if n := b[cost.OktaAppUsers]; n > 0 {
		page += time.Duration(f.oktaM.pageNanos.Load() / int64(n))
	}
	t := start
	used := 0
	for range b[cost.OktaAppUsers] {
		if used >= *oktaRate {
			next := t.Truncate(time.Minute).Add(time.Minute)
			t, used = next, 0
		}
		used++
		t = t.Add(page)
	}
	okta := t.Sub(start)
	if len(f.groupMembers) > 0 {
		longest := 0
		for _, m := range f.groupMembers {
			longest = max(longest, (m+cost.OktaGroupMembersPage-1)/cost.OktaGroupMembersPage)
		}
		okta = max(okta, time.Duration(1+longest)*L)
	}
	reads := max(okta, 2*L)
	writes := time.Duration(0)
	if b[cost.SCIMWriteUsers] > 0 {
		writes += L
	}
	longestTeam := 0
	for _, m := range f.bound.TeamCreates {
		longestTeam = max(longestTeam, 1+(max(0, m-cost.SCIMGroupChanges)+cost.SCIMGroupChanges-1)/cost.SCIMGroupChanges)
	}
	writes += time.Duration(longestTeam) * L
	scim := b.Total() - b.Okta() - b[cost.RESTTeam] - b[cost.RESTCustomRoles]
	rate := time.Duration((scim-1) / *scimRate) * time.Minute
	if rate > 0 {
		rate += L
	}
	return max(reads+writes, rate)
}

// vmHWM reads the peak resident set of a live process, in kB (0 once it is gone).
func vmHWM(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return 0
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

func selected(w workload) bool {
	if *only != "" {
		for _, n := range strings.Split(*only, ",") {
			if strings.TrimSpace(n) == w.name {
				return true
			}
		}
		return false
	}
	return !testing.Short() || w.short
}

// BenchmarkReconcile runs one full reconcile of the real binary per workload against the fakes,
// with latency and rate limits. Run it with -benchtime=1x: each run is minutes of seeding and
// rate-limit waits, and the numbers are per run, not per op.
func BenchmarkReconcile(b *testing.B) {
	for _, w := range workloads {
		if !selected(w) {
			continue
		}
		b.Run(w.name, func(b *testing.B) {
			var r result
			for range b.N {
				r = run(b, w)
			}
			got, bound := r.got.Total(), r.bound.Total()
			b.ReportMetric(float64(got), "calls")
			b.ReportMetric(float64(bound), "bound")
			b.ReportMetric(r.wall.Seconds(), "wall-s")
			b.ReportMetric(r.critical.Seconds(), "critical-s")
			b.ReportMetric(float64(r.throttled), "429s")
			b.ReportMetric(float64(r.maxRSS)/(1<<20), "rss-MB")
			b.ReportMetric(float64(r.peakHeap)/(1<<20), "heap-MB")
			b.ReportMetric(float64(r.mallocs)/float64(w.users), "allocs/user")
			b.ReportMetric(float64(r.totalAlloc)/(1<<20), "alloc-MB")
			if r.writes > 0 {
				b.ReportMetric(float64(r.writes)/r.wall.Seconds()*60, "writes/min")
			}
			var detail []string
			for _, k := range mergedKeys(r.got, r.bound) {
				detail = append(detail, fmt.Sprintf("%s %d/%d", k, r.got[k], r.bound[k]))
			}
			b.Logf("%s: exit %d; %d mallocs, %d GCs; calls/bound by endpoint: %s", w.name, r.exit, r.mallocs, r.numGC, strings.Join(detail, ", "))
			if *reportTo != "" {
				appendRow(b, w, r)
			}
		})
	}
}

func mergedKeys(a, b cost.Bound) []string {
	seen := map[string]bool{}
	var keys []string
	for _, m := range []cost.Bound{a, b} {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	sort.Strings(keys)
	return keys
}

func appendRow(b *testing.B, w workload, r result) {
	fh, err := os.OpenFile(*reportTo, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		b.Fatal(err)
	}
	defer fh.Close()
	tput := "-"
	if r.writes > 0 {
		tput = fmt.Sprintf("%.0f", float64(r.writes)/r.wall.Seconds()*60)
	}
	fmt.Fprintf(fh, "| %s | %d | %d | %.3f | %.1f | %.1f | %.2f | %s | %d | %.0f | %.0f | %.0f | %.0f |\n",
		w.name, r.got.Total(), r.bound.Total(), float64(r.got.Total())/float64(r.bound.Total()),
		r.wall.Seconds(), r.critical.Seconds(), r.wall.Seconds()/r.critical.Seconds(), tput, r.throttled,
		float64(r.peakHeap)/(1<<20), float64(r.maxRSS)/(1<<20),
		float64(r.mallocs)/float64(w.users), float64(r.totalAlloc)/(1<<20))
}

// BenchmarkFakes measures the fakes alone, without latency or rate limits, so that their own
// cost can be told apart from the client's. They hold noop-100k's data (100,000 users in both,
// 100 pushed groups and Teams of 1,000), and each listing sub-benchmark cycles through every page
// noop-100k reads from that endpoint, at the page size the product asks for; the last one is a
// SCIM write. ns/op is a round trip over loopback, so it bounds the server's time from above.
func BenchmarkFakes(b *testing.B) {
	w := workload{name: "fakes", users: 100_000, groups: 100, members: 1000, teamsNow: true, inClickUp: true}
	f := seed(w)
	defer f.close()
	f.okta.SetBucketRateLimit("/api/v1/apps", math.MaxInt32)
	f.okta.SetBucketRateLimit("/api/v1/groups", math.MaxInt32)
	f.cu.SetSCIMRateLimit(math.MaxInt32)
	saved := *latency
	*latency = 0
	defer func() { *latency = saved }()
	bound := cost.LowerBound(f.bound)
	oktaAuth, scimAuth := "SSWS "+f.okta.Token(), "Bearer "+f.cu.SCIMToken()

	// fetch GETs url, copies the body to out and returns the page's rel="next" link, if any.
	fetch := func(b *testing.B, url, auth string, out io.Writer) string {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
		req.Header.Set("Authorization", auth)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(out, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("%s: %d", url, resp.StatusCode)
		}
		for _, v := range resp.Header.Values("Link") {
			if target, ok := strings.CutSuffix(v, `>; rel="next"`); ok {
				return strings.TrimPrefix(target, "<")
			}
		}
		return ""
	}
	// walk follows an Okta listing's next links from first and returns every page's URL.
	walk := func(b *testing.B, first string) []string {
		var urls []string
		for u := first; u != ""; u = fetch(b, u, oktaAuth, io.Discard) {
			urls = append(urls, u)
		}
		return urls
	}
	// scimPage checks one SCIM listing page's counts, so the pages cycled through are real ones.
	scimPage := func(b *testing.B, url string, total, items int) {
		var body bytes.Buffer
		fetch(b, url, scimAuth, &body)
		var doc struct{ TotalResults, ItemsPerPage int }
		if err := json.Unmarshal(body.Bytes(), &doc); err != nil {
			b.Fatal(err)
		}
		if doc.TotalResults != total || doc.ItemsPerPage != items {
			b.Fatalf("%s: totalResults %d, itemsPerPage %d; want %d, %d", url, doc.TotalResults, doc.ItemsPerPage, total, items)
		}
	}
	cycle := func(b *testing.B, urls []string, auth string) {
		for i := 0; b.Loop(); i++ {
			fetch(b, urls[i%len(urls)], auth, io.Discard)
		}
	}

	b.Run("okta-app-users-page-500", func(b *testing.B) {
		urls := walk(b, f.okta.URL()+"/api/v1/apps/"+appID+"/users?limit=500&expand=user")
		if len(urls) != bound[cost.OktaAppUsers] {
			b.Fatalf("%d app user pages, want %d", len(urls), bound[cost.OktaAppUsers])
		}
		cycle(b, urls, oktaAuth)
	})
	b.Run("okta-group-members-page-200", func(b *testing.B) {
		var urls []string
		for _, id := range f.groupIDs {
			urls = append(urls, walk(b, f.okta.URL()+"/api/v1/groups/"+id+"/users?limit=200")...)
		}
		if len(urls) != bound[cost.OktaGroupMembers] {
			b.Fatalf("%d group member pages, want %d", len(urls), bound[cost.OktaGroupMembers])
		}
		cycle(b, urls, oktaAuth)
	})
	b.Run("scim-users-page-100", func(b *testing.B) {
		n, users := bound[cost.SCIMListUsers], f.bound.SCIMUsers
		var urls []string
		for k := range n {
			urls = append(urls, f.cu.SCIMBaseURL()+"/Users?startIndex="+strconv.Itoa(1+cost.SCIMPage*k)+"&count="+strconv.Itoa(cost.SCIMPage))
		}
		scimPage(b, urls[0], users, cost.SCIMPage)
		scimPage(b, urls[n-1], users, users-cost.SCIMPage*(n-1))
		cycle(b, urls, scimAuth)
	})
	b.Run("scim-groups-page-100", func(b *testing.B) {
		url := f.cu.SCIMBaseURL() + "/Groups?startIndex=1&count=" + strconv.Itoa(cost.SCIMPage)
		scimPage(b, url, w.groups, w.groups)
		cycle(b, []string{url}, scimAuth)
	})
	// Last, as deactivating a user also takes it out of its Team: iterations go in pairs, a
	// deactivation and then the reactivation of the same user, across the whole range.
	b.Run("scim-patch-active", func(b *testing.B) {
		users := f.cu.Users()
		for i := 0; b.Loop(); i++ {
			u := users[1+(i/2)%(len(users)-1)]
			body := fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":%t}}]}`, i%2 == 1)
			req, _ := http.NewRequest(http.MethodPatch, f.cu.SCIMBaseURL()+"/Users/"+u.ID, strings.NewReader(body))
			req.Header.Set("Authorization", scimAuth)
			req.Header.Set("Content-Type", "application/scim+json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Fatalf("PATCH: %d", resp.StatusCode)
			}
		}
	})
}
