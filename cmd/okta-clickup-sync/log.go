package main

import (
	"io"
	"time"

	"github.com/rs/zerolog"
)

// newLogger builds the root logger: JSON by default, colourless console lines on request.
func newLogger(w io.Writer, level, format string) zerolog.Logger {
	lvl, err := zerolog.ParseLevel(level)
	if err != nil || level == "" {
		lvl = zerolog.InfoLevel
	}
	if format == "console" {
		w = zerolog.ConsoleWriter{Out: w, NoColor: true, TimeFormat: time.RFC3339}
	}
	return zerolog.New(w).Level(lvl).With().Timestamp().
		Str("service", "okta-clickup-sync").Str("version", buildVersion()).Logger()
}
