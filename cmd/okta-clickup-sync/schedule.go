package main

import (
	"fmt"
	"time"

	"github.com/robfig/cron/v3"
	"github.com/rs/zerolog"
)

// cronLogger bridges cron's logger to zerolog. cron reports every schedule and wake-up as Info,
// which is Debug for us; its errors (a recovered panic, a skipped run) stay errors.
type cronLogger struct{ l zerolog.Logger }

func (c cronLogger) Info(msg string, kv ...any) { c.l.Debug().Fields(kv).Msg(msg) }
func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.l.Error().Err(err).Fields(kv).Msg(msg)
}

// newScheduler returns a cron that calls job on spec, a cron spec or descriptor such as
// "@every 15m". It is not started. A spec cron cannot parse is an error that names it.
func newScheduler(spec string, log zerolog.Logger, job func()) (*cron.Cron, error) {
	cl := cronLogger{log.With().Str("component", "cron").Logger()}
	// The job only queues a run, so SkipIfStillRunning rarely bites; it and Recover still guard
	// whatever the job becomes.
	c := cron.New(cron.WithLogger(cl), cron.WithChain(cron.Recover(cl), cron.SkipIfStillRunning(cl)))
	if _, err := c.AddFunc(spec, job); err != nil {
		return nil, fmt.Errorf("schedule %q (SYNC_SCHEDULE): %w", spec, err)
	}
	return c, nil
}

// scheduleInterval is the time between the next two runs of spec after now: the nominal period
// of "@every 15m", and of a cron spec such as "0 6 * * *" too, which the "no success for N
// schedules" alert counts in.
func scheduleInterval(spec string, now time.Time) (time.Duration, error) {
	s, err := cron.ParseStandard(spec)
	if err != nil {
		return 0, fmt.Errorf("schedule %q (SYNC_SCHEDULE): %w", spec, err)
	}
	next := s.Next(now)
	after := s.Next(next)
	if next.IsZero() || after.IsZero() {
		return 0, fmt.Errorf("schedule %q (SYNC_SCHEDULE) never comes due twice", spec)
	}
	return after.Sub(next), nil
}
