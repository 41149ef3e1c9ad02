package store

import (
	"errors"
	"fmt"
	gosync "sync"
	"testing"
	"time"
)

func TestRequests_Lifecycle(t *testing.T) {
	eachBackend(t, func(t *testing.T, be backend) {
		ctx := t.Context()
		c := newClock()
		s := MustOpen(t, be.fresh(t), c)

		for name, err := range map[string]error{
			"unknown kind":        func() error { _, err := s.EnqueueRequest(ctx, "reboot", ""); return err }(),
			"approve without run": func() error { _, err := s.EnqueueRequest(ctx, RequestApprove, ""); return err }(),
			"users without ids":   func() error { _, err := s.EnqueueRequest(ctx, RequestUsers, ""); return err }(),
		} {
			if err == nil {
				t.Errorf("%s: accepted", name)
			}
		}
		trigger, err := s.EnqueueRequest(ctx, RequestTrigger, "")
		if err != nil {
			t.Fatal(err)
		}
		c.Advance(time.Second)
		approve, err := s.EnqueueRequest(ctx, RequestApprove, "r1")
		if err != nil {
			t.Fatal(err)
		}
		r, err := s.Request(ctx, approve)
		if want := (Request{ID: approve, Kind: RequestApprove, Arg: "r1", State: RequestPending, Created: c.Now()}); err != nil || r != want {
			t.Fatalf("pending request %+v (%v), want %+v", r, err, want)
		}
		if err := s.FinishRequest(ctx, approve, "too early"); err == nil {
			t.Fatal("finished a request nobody took")
		}

		c.Advance(time.Second)
		taken, err := s.TakeRequests(ctx)
		if err != nil || len(taken) != 2 || taken[0].ID != trigger || taken[1].ID != approve {
			t.Fatalf("taken %+v (%v), want the trigger then the approval", taken, err)
		}
		for _, r := range taken {
			if r.State != RequestTaken || r.Attempts != 1 || !r.Taken.Equal(c.Now()) {
				t.Errorf("taken request %+v", r)
			}
		}
		if again, err := s.TakeRequests(ctx); err != nil || len(again) != 0 {
			t.Fatalf("taken twice: %+v (%v)", again, err)
		}

		c.Advance(time.Second)
		if err := s.FinishRequest(ctx, approve, "approved by run r2"); err != nil {
			t.Fatal(err)
		}
		r, err = s.Request(ctx, approve)
		if err != nil || r.State != RequestDone || r.Result != "approved by run r2" || !r.Done.Equal(c.Now()) {
			t.Fatalf("finished request %+v (%v)", r, err)
		}
		if err := s.FinishRequest(ctx, approve, "twice"); err == nil {
			t.Fatal("finished a request twice")
		}
		if err := s.FinishRequest(ctx, "nope", ""); !errors.Is(err, ErrNotFound) {
			t.Fatalf("finish an unknown request: %v, want ErrNotFound", err)
		}
		if _, err := s.Request(ctx, "nope"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown request: %v, want ErrNotFound", err)
		}

		// Prune drops finished requests of its window, and keeps the others.
		if _, _, err := s.Prune(ctx, c.Now().Add(time.Second)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Request(ctx, approve); !errors.Is(err, ErrNotFound) {
			t.Errorf("a finished request survived Prune: %v", err)
		}
		if r, err := s.Request(ctx, trigger); err != nil || r.State != RequestTaken {
			t.Errorf("a taken request after Prune: %+v (%v)", r, err)
		}
	})
}

func TestRequests_ConcurrentTakers(t *testing.T) {
	// Leaders racing in two processes (two handles, several goroutines each) while a standby
	// enqueues: every request is taken, and by one taker only.
	eachBackend(t, func(t *testing.T, be backend) {
		ctx := t.Context()
		c := newClock()
		loc := be.fresh(t)
		stores := []*Store{MustOpen(t, loc, c), MustOpen(t, loc, c)}
		const n = 60
		enqueued := make(chan string, n)
		producerDone := make(chan struct{})
		go func() {
			defer close(producerDone)
			defer close(enqueued)
			for i := range n {
				id, err := stores[i%2].EnqueueRequest(ctx, RequestTrigger, fmt.Sprint(i))
				if err != nil {
					t.Error(err)
					return
				}
				enqueued <- id
			}
		}()
		var mu gosync.Mutex
		takes := map[string]int{}
		var wg gosync.WaitGroup
		for i := range 6 {
			s := stores[i%2]
			wg.Add(1)
			go func() {
				defer wg.Done()
				for done := false; ; {
					select {
					case <-producerDone:
						done = true
					default:
					}
					got, err := s.TakeRequests(ctx)
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					for _, r := range got {
						takes[r.ID]++
					}
					mu.Unlock()
					for _, r := range got {
						if err := s.FinishRequest(ctx, r.ID, "ok"); err != nil {
							t.Error(err)
						}
					}
					if done && len(got) == 0 {
						return
					}
				}
			}()
		}
		wg.Wait()
		count := 0
		for id := range enqueued {
			count++
			if takes[id] != 1 {
				t.Errorf("request %s taken %d times, want once", id, takes[id])
			}
		}
		if count != n || len(takes) != n {
			t.Fatalf("%d enqueued, %d taken, want %d", count, len(takes), n)
		}
	})
}

func TestRequests_TakenAgainFromADeadTaker(t *testing.T) {
	eachBackend(t, func(t *testing.T, be backend) {
		if currentProcess().Start == "" {
			t.Skip("no /proc: only the age tells")
		}
		ctx := t.Context()
		c := newClock()
		loc := be.fresh(t)
		dead := impostor(t, loc, c, func(p *process) { p.PID = 1 << 30 })
		elsewhere := impostor(t, loc, c, otherHost)
		s := MustOpen(t, loc, c)

		lost, err := s.EnqueueRequest(ctx, RequestApprove, "r1")
		if err != nil {
			t.Fatal(err)
		}
		if got, err := dead.TakeRequests(ctx); err != nil || len(got) != 1 {
			t.Fatalf("taken %+v (%v)", got, err)
		}
		kept, err := s.EnqueueRequest(ctx, RequestTrigger, "")
		if err != nil {
			t.Fatal(err)
		}
		if got, err := elsewhere.TakeRequests(ctx); err != nil || len(got) != 1 || got[0].ID != kept {
			t.Fatalf("taken %+v (%v)", got, err)
		}

		got, err := s.TakeRequests(ctx)
		if err != nil || len(got) != 1 || got[0].ID != lost || got[0].Attempts != 2 {
			t.Fatalf("taken %+v (%v): want the dead taker's request again, on its second attempt", got, err)
		}
		if err := s.FinishRequest(ctx, lost, "done"); err != nil {
			t.Fatal(err)
		}
		// A taker this process cannot judge keeps its request for an hour.
		c.Advance(requestRetakeAge)
		if got, err := s.TakeRequests(ctx); err != nil || len(got) != 0 {
			t.Fatalf("taken %+v (%v) from a live taker", got, err)
		}
		c.Advance(time.Second)
		if got, err := s.TakeRequests(ctx); err != nil || len(got) != 1 || got[0].ID != kept {
			t.Fatalf("taken %+v (%v): want the request held over an hour", got, err)
		}
	})
}
