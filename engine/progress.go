package engine

import (
	gosync "sync"
	"sync/atomic"
	"time"
)

// DefaultProgressEvery is how often a run in progress logs a progress line (DESIGN.md §12): often
// enough that an operator watching a run of 100,000 users sees it move, rarely enough that a run of
// a few seconds logs none.
const DefaultProgressEvery = 10 * time.Second

// Phases of a run, as progress lines name them.
const (
	PhaseRead  = "read"  // reading both sides, planning, confirming
	PhaseWrite = "write" // applying the plan's writes
)

// Progress is how far a run has got.
type Progress struct {
	RunID string
	Phase string // PhaseRead or PhaseWrite
	// Pages is how many read requests were answered since the run started, when Engine.Pages
	// counts them; -1 otherwise.
	Pages int64
	// Writes is how many writes are done; WritesTotal how many the plan sends (0 while reading).
	Writes, WritesTotal int
	Elapsed             time.Duration
	// Rate is per second: writes done while writing, pages read while reading (0 when unknown).
	Rate float64
	// Left estimates the time the remaining writes take at the current rate; 0 when unknown.
	Left time.Duration
}

// progress is a run's counters, updated by the run and read by its ticker.
type progress struct {
	pagesAtStart int64
	phase        atomic.Value // string
	writes       atomic.Int64
	writesTotal  atomic.Int64
	writeStart   atomic.Int64 // unix nanoseconds of the first write; 0 before
}

func (e *Engine) pages() int64 {
	if e.Pages == nil {
		return -1
	}
	return e.Pages()
}

// newTicker returns the progress ticker's channel and its stop function.
func (e *Engine) newTicker(d time.Duration) (<-chan time.Time, func()) {
	if e.Ticker != nil {
		return e.Ticker(d)
	}
	t := time.NewTicker(d)
	return t.C, t.Stop
}

// watchProgress logs the run's progress every ProgressEvery until the returned function is called.
func (r *run) watchProgress() (stop func()) {
	every := r.e.ProgressEvery
	if every == 0 {
		every = DefaultProgressEvery
	}
	r.prog.pagesAtStart = r.e.pages()
	r.prog.phase.Store(PhaseRead)
	if every < 0 {
		return func() {}
	}
	ticks, stopTicker := r.e.newTicker(every)
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		for {
			select {
			case <-done:
				return
			case <-ticks:
				r.reportProgress()
			}
		}
	}()
	var once gosync.Once
	return func() {
		once.Do(func() {
			stopTicker()
			close(done)
			<-finished
		})
	}
}

// startWrites moves the run to its write phase with total writes to send.
func (r *run) startWrites(total int) {
	r.prog.writesTotal.Store(int64(total))
	r.prog.writeStart.Store(r.e.now().UnixNano())
	r.prog.phase.Store(PhaseWrite)
}

// wrote counts one finished write.
func (r *run) wrote() { r.prog.writes.Add(1) }

// snapshot reads the run's progress now.
func (r *run) snapshot() Progress {
	now := r.e.now()
	p := Progress{
		RunID:       r.res.ID,
		Phase:       r.prog.phase.Load().(string),
		Pages:       -1,
		Writes:      int(r.prog.writes.Load()),
		WritesTotal: int(r.prog.writesTotal.Load()),
		Elapsed:     now.Sub(r.res.Start),
	}
	if r.prog.pagesAtStart >= 0 {
		p.Pages = r.e.pages() - r.prog.pagesAtStart
	}
	switch p.Phase {
	case PhaseWrite:
		took := now.Sub(time.Unix(0, r.prog.writeStart.Load()))
		if took > 0 && p.Writes > 0 {
			p.Rate = float64(p.Writes) / took.Seconds()
			p.Left = time.Duration(float64(p.WritesTotal-p.Writes) / p.Rate * float64(time.Second))
		}
	default:
		if p.Elapsed > 0 && p.Pages > 0 {
			p.Rate = float64(p.Pages) / p.Elapsed.Seconds()
		}
	}
	return p
}

func (r *run) reportProgress() {
	p := r.snapshot()
	ev := r.log.Info().Str("phase", p.Phase)
	if p.Pages >= 0 {
		ev = ev.Int64("pages_read", p.Pages)
	}
	ev = ev.Int("writes_done", p.Writes).Int("writes_total", p.WritesTotal).
		Float64("rate_per_second", p.Rate).Dur("elapsed", p.Elapsed)
	if p.Left > 0 {
		ev = ev.Dur("eta", p.Left)
	}
	ev.Msg("run progress")
	if r.e.OnProgress != nil {
		r.e.OnProgress(p)
	}
}
