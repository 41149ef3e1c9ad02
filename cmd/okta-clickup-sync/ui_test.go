package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/okta-clickup-sync/okta-clickup-sync/config"
)

func TestDaemon_ServesTheConsoleWithAToken(t *testing.T) {
	h := newHarness(t)
	withStore(t, h)
	cfg, _, err := config.Build(config.Sources{Lookup: h.lookup})
	if err != nil {
		t.Fatal(err)
	}
	a, err := buildApp(t.Context(), cfg, zerolog.Nop(), adapterClients{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()

	off := newDaemon(cfg, a, zerolog.Nop(), newMetrics())
	if err := off.mountConsole(); err != nil {
		t.Fatal(err)
	}
	if rec := serve(t, off.routes(), http.MethodGet, "/ui/signin", ""); rec.Code != http.StatusNotFound {
		t.Errorf("without SYNC_UI_TOKEN: GET /ui/signin %d, want 404", rec.Code)
	}

	cfg.Sync.UIToken = "console-token-0123456789"
	on := newDaemon(cfg, a, zerolog.Nop(), newMetrics())
	if err := on.mountConsole(); err != nil {
		t.Fatal(err)
	}
	rec := serve(t, on.routes(), http.MethodGet, "/ui/signin", "")
	if rec.Code != http.StatusOK || rec.Header().Get("X-Frame-Options") != "DENY" {
		t.Errorf("with SYNC_UI_TOKEN: GET /ui/signin %d, headers %v", rec.Code, rec.Header())
	}
	if rec := serve(t, on.routes(), http.MethodGet, "/ui/", ""); rec.Code == http.StatusOK {
		t.Error("the console's pages are served without signing in")
	}
	if rec := serve(t, on.routes(), http.MethodGet, "/healthz", ""); rec.Code != http.StatusOK {
		t.Errorf("/healthz %d beside the console", rec.Code)
	}

	a.st = nil
	if err := newDaemon(cfg, a, zerolog.Nop(), newMetrics()).mountConsole(); err == nil || !strings.Contains(err.Error(), "SYNC_STATE_PATH") {
		t.Errorf("a console without a store: %v, want an error naming SYNC_STATE_PATH", err)
	}
}
