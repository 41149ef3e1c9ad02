package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/rs/zerolog"

	"github.com/okta-clickup-sync/okta-clickup-sync/config"
)

// scope is how much of the configuration a command needs to be valid.
type scope int

const (
	// scopeAll: every setting; the commands that talk to Okta and ClickUp.
	scopeAll scope = iota
	// scopeReview: only what reading the store needs (drift, history): those must work without
	// Okta or ClickUp credentials, so a problem elsewhere does not stop them.
	scopeReview
	// scopeListen: only the listen address (healthcheck); every other problem is the daemon's to
	// report, not a failed probe's.
	scopeListen
)

// reviewSettings are the settings drift and history read.
var reviewSettings = []string{"SYNC_STATE_PATH", "SYNC_STATE_URL", "SYNC_SECRETS_DIR", "LOG_LEVEL", "LOG_FORMAT"}

// load reads the configuration (--config or OKTA_CLICKUP_SYNC_CONFIG, then the environment) and
// validates it, keeping the problems that matter for the scope.
func (c *cli) load(sc scope) (config.Config, []config.Warning, []error) {
	path := c.configPath
	if path == "" {
		path, _ = c.lookup(config.ConfigPathEnv)
	}
	cfg, warnings, err := config.Build(config.Sources{Path: path, Lookup: c.lookup, Environ: c.environ})
	var problems []error
	for _, p := range splitErrors(err) {
		var se *config.SettingError
		switch {
		case sc == scopeAll:
		case sc == scopeListen:
			if !errors.As(p, &se) || se.Env != "SYNC_LISTEN_ADDR" {
				continue
			}
		case errors.As(p, &se) && se.Env != "" && !slices.Contains(reviewSettings, se.Env):
			continue
		}
		problems = append(problems, p)
	}
	return cfg, warnings, problems
}

// splitErrors lists the errors errors.Join put together.
func splitErrors(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, splitErrors(e)...)
		}
		return out
	}
	return []error{err}
}

// setup is the start of every command that reads the configuration: it loads it, builds the
// logger and says what the configuration gets wrong. Every problem is reported at once, one per
// line, naming the environment variable and the YAML key; the warnings about variables this
// program does not read are logged. A configuration with problems ends the command.
func (c *cli) setup(sc scope) (config.Config, zerolog.Logger, error) {
	cfg, warnings, problems := c.load(sc)
	if len(problems) > 0 {
		noun := "problems"
		if len(problems) == 1 {
			noun = "problem"
		}
		c.errorf("the configuration has %d %s:", len(problems), noun)
		for _, p := range problems {
			fmt.Fprintf(c.stderr, "  %s\n", oneLine(p.Error()))
		}
		for _, w := range warnings {
			fmt.Fprintf(c.stderr, "  warning: %s\n", w)
		}
		return cfg, zerolog.Nop(), exitCode(exitError)
	}
	log := c.logger(cfg)
	for _, w := range warnings {
		ev := log.Warn().Str("name", w.Name).Str("source", w.Source).Str("problem", w.Problem)
		if w.DidYouMean != "" {
			ev = ev.Str("did_you_mean", w.DidYouMean)
		}
		ev.Msg("configuration warning")
	}
	return cfg, log, nil
}

// logger builds the root logger from LOG_LEVEL and LOG_FORMAT, raised by -v.
func (c *cli) logger(cfg config.Config) zerolog.Logger {
	return newLogger(c.stderr, verboseLevel(cfg.Log.Level, c.verbose), config.ResolveLogFormat(cfg.Log.Format, c.terminal))
}

// verboseLevel raises a level by -v (debug) and -vv (trace); it never lowers one.
func verboseLevel(level string, verbose int) string {
	lvl, err := zerolog.ParseLevel(level)
	if err != nil || level == "" {
		lvl = zerolog.InfoLevel
	}
	switch {
	case verbose >= 2:
		lvl = zerolog.TraceLevel
	case verbose == 1:
		lvl = min(lvl, zerolog.DebugLevel)
	}
	return lvl.String()
}

// oneLine keeps a message on one line, whatever it quotes.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
