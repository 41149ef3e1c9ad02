package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// gatedOrg lists after the test lets it, counting two pages per listing.
type gatedOrg struct {
	*org
	pages   *atomic.Int64
	entered chan struct{}
	gate    chan struct{}
}

func (g *gatedOrg) ListAppUsers(ctx context.Context) ([]core.OktaUser, error) {
	g.pages.Add(2)
	g.entered <- struct{}{}
	<-g.gate
	return g.org.ListAppUsers(ctx)
}

// gatedWorkspace makes each create wait for the test.
type gatedWorkspace struct {
	*workspace
	entered chan string
	gate    chan struct{}
}

func (g *gatedWorkspace) CreateUser(ctx context.Context, u core.NewUser) (core.ClickUpUser, error) {
	g.entered <- u.UserName
	<-g.gate
	return g.workspace.CreateUser(ctx, u)
}

// manualClock is a clock the test moves.
type manualClock struct {
	mu gosync.Mutex
	t  time.Time
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *manualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// lockedBuffer is a log sink two goroutines may write at once.
type lockedBuffer struct {
	mu  gosync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestRun_Progress(t *testing.T) {
	o, w := newOrg(), &workspace{}
	for _, n := range []string{"1", "2", "3"} {
		o.add(n, "u"+n+"@x.io", "member", "ACTIVE")
	}
	e, _ := testEngine(t, o, w)
	var pages atomic.Int64
	pages.Store(40) // requests before this run, which it must not count
	dir := &gatedOrg{org: o, pages: &pages, entered: make(chan struct{}), gate: make(chan struct{})}
	ws := &gatedWorkspace{workspace: w, entered: make(chan string), gate: make(chan struct{})}
	e.Directory, e.Workspace = dir, ws
	e.Apply.Concurrency = 1
	clock := &manualClock{t: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)}
	e.Now = clock.Now
	e.Pages = pages.Load
	ticks := make(chan time.Time)
	var asked time.Duration
	var stopped atomic.Bool
	e.Ticker = func(d time.Duration) (<-chan time.Time, func()) {
		asked = d
		return ticks, func() { stopped.Store(true) }
	}
	reports := make(chan Progress)
	e.OnProgress = func(p Progress) { reports <- p }
	logs := &lockedBuffer{}
	e.Log = zerolog.New(logs)

	done := make(chan Result)
	go func() { done <- e.Run(context.Background(), full(false)) }()

	// Reading: pages so far, no writes known yet.
	<-dir.entered
	clock.Advance(4 * time.Second)
	ticks <- clock.Now()
	p := <-reports
	if p.Phase != PhaseRead || p.Pages != 2 || p.WritesTotal != 0 || p.Rate != 0.5 || p.Elapsed != 4*time.Second {
		t.Errorf("while reading: %+v; want phase read, 2 pages at 0.5/s after 4s", p)
	}
	close(dir.gate)

	// Writing: the first create is done and the second is in flight, 10s after the writes began.
	<-ws.entered
	clock.Advance(10 * time.Second)
	ws.gate <- struct{}{}
	<-ws.entered
	ticks <- clock.Now()
	p = <-reports
	want := Progress{Phase: PhaseWrite, Pages: 2, Writes: 1, WritesTotal: 3, Rate: 0.1, Left: 20 * time.Second, Elapsed: 14 * time.Second}
	p.RunID = ""
	if p != want {
		t.Errorf("while writing: %+v\nwant %+v", p, want)
	}
	close(ws.gate)
	<-ws.entered
	res := <-done
	if res.Err != nil || res.Outcome != "changed" {
		t.Fatalf("run: %v %s", res.Err, res.Outcome)
	}
	if asked != DefaultProgressEvery || !stopped.Load() {
		t.Errorf("ticker every %s, stopped %t; want every %s and stopped", asked, stopped.Load(), DefaultProgressEvery)
	}

	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		lines = append(lines, m)
	}
	var progress []map[string]any
	summaryAt := -1
	for i, m := range lines {
		switch m["message"] {
		case "run progress":
			progress = append(progress, m)
			if summaryAt >= 0 {
				t.Errorf("a progress line after the summary: %v", m)
			}
		case "run summary":
			summaryAt = i
		}
	}
	if len(progress) != 2 {
		t.Fatalf("%d progress lines, want 2:\n%s", len(progress), logs.String())
	}
	last := progress[1]
	for k, v := range map[string]any{"phase": "write", "pages_read": 2.0, "writes_done": 1.0, "writes_total": 3.0, "rate_per_second": 0.1, "eta": 20000.0, "run_id": res.ID} {
		if last[k] != v {
			t.Errorf("progress line %s = %v, want %v", k, last[k], v)
		}
	}
}

func TestRun_ProgressOff(t *testing.T) {
	o, w := newOrg(), &workspace{}
	o.add("1", "u1@x.io", "member", "ACTIVE")
	e, _ := testEngine(t, o, w)
	e.ProgressEvery = -1
	e.Ticker = func(time.Duration) (<-chan time.Time, func()) {
		t.Error("a ticker was made with progress off")
		return nil, func() {}
	}
	if res := e.Run(t.Context(), full(false)); res.Err != nil {
		t.Fatal(res.Err)
	}
}
