package main

import (
	"io"
	"time"

	"github.com/rs/zerolog"
)

// newLogger builds the root logger: JSON, or colourless console lines for format console
// (config.ResolveLogFormat turns auto into one of them).
func newLogger(w io.Writer, level, format string) zerolog.Logger {
	lvl, err := zerolog.ParseLevel(level)
	if err != nil || level == "" {
		lvl = zerolog.InfoLevel
	}
	if format == "console" {
		w = zerolog.ConsoleWriter{Out: w, NoColor: true, TimeFormat: time.RFC3339}
	}
	// Requests are logged from the goroutines that read pages concurrently: one line at a time.
	return zerolog.New(zerolog.SyncWriter(w)).Level(lvl).With().Timestamp().
		Str("service", "okta-clickup-sync").Str("version", buildVersion()).Logger()
}
