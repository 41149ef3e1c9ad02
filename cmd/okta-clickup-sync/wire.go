package main

import (
	"context"
	"fmt"
	"net/http"
	gosync "sync"

	"github.com/rs/zerolog"

	"github.com/okta-clickup-sync/okta-clickup-sync/clickup"
	"github.com/okta-clickup-sync/okta-clickup-sync/config"
	"github.com/okta-clickup-sync/okta-clickup-sync/engine"
	"github.com/okta-clickup-sync/okta-clickup-sync/internal/httpretry"
	"github.com/okta-clickup-sync/okta-clickup-sync/okta"
	"github.com/okta-clickup-sync/okta-clickup-sync/store"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// adapterClients are the http.Clients the adapters use, so that the daemon can count their
// requests; a nil field keeps that adapter's own default. retry is how they wait and retry (the
// zero value is the default policy; tests record the waits instead of spending them).
type adapterClients struct {
	okta, scim, rest *http.Client
	retry            httpretry.Policy
}

// newEngine builds the adapters from the configuration and wires them into an engine; the
// caller adds the store.
func newEngine(ctx context.Context, cfg config.Config, log zerolog.Logger, hc adapterClients) (*engine.Engine, error) {
	if hc.retry.MaxWait == 0 {
		hc.retry.MaxWait = cfg.Sync.RateLimitMaxWait
	}
	dir, err := newOktaClient(ctx, cfg, hc.okta, logWaits(hc.retry, serviceOkta, log))
	if err != nil {
		return nil, err
	}
	ws, err := newSCIMClient(cfg, hc.scim, logWaits(hc.retry, serviceClickUpSCIM, log))
	if err != nil {
		return nil, err
	}
	e := &engine.Engine{
		Prepare:    discovery(ws, cfg, log),
		Directory:  dir,
		Users:      dir,
		UserGroups: dir,
		Workspace:  ws,
		Finder:     ws,
		TeamReader: ws,
		Options:    core.Options{Protected: cfg.Sync.ProtectedUsers, DeleteUnpushedTeams: cfg.Sync.DeleteUnpushedTeams},
		Rails: core.Rails{
			AllowEmptySource:       cfg.Sync.AllowEmptySource,
			MaxDeactivations:       cfg.Sync.MaxDeactivations,
			MaxDeactivationPercent: cfg.Sync.MaxDeactivationPercent,
		},
		Apply:           core.ApplyOptions{Concurrency: cfg.Sync.Concurrency},
		Log:             log,
		RunTimeout:      cfg.Sync.RunTimeout,
		Retention:       cfg.Sync.Retention,
		ListingPageSize: okta.MaxPageLimit,
	}
	if cfg.ClickUp.APIToken != "" {
		rest, err := newRESTClient(cfg, hc.rest, logWaits(hc.retry, serviceClickUpREST, log))
		if err != nil {
			return nil, err
		}
		e.Roles = rest
	}
	if len(cfg.Sync.PushGroups) > 0 || cfg.Sync.DeleteUnpushedTeams {
		e.Teams = ws
	}
	if len(cfg.Sync.PushGroups) > 0 {
		// Names are resolved once, at start: a name that matches no group or several is a
		// configuration error, and every run then reads the groups by id.
		ids, err := dir.ResolveGroups(ctx, cfg.Sync.PushGroups)
		if err != nil {
			return nil, fmt.Errorf("SYNC_PUSH_GROUPS: %w", err)
		}
		e.PushGroups, e.Groups = ids, dir
	}
	return e, nil
}

// discovery reads what the SCIM service announces, which decides how it is read and written
// (DESIGN.md §11), once: the first run does it beside its Okta listing, and the daemon at start.
// A service without Groups while groups are pushed is refused, naming the setting.
func discovery(ws *clickup.SCIMClient, cfg config.Config, log zerolog.Logger) func(context.Context) error {
	var (
		mu   gosync.Mutex
		done bool
	)
	return func(ctx context.Context) error {
		mu.Lock()
		defer mu.Unlock()
		if done {
			return nil
		}
		svc, err := ws.Discover(ctx)
		if err != nil {
			return fmt.Errorf("clickup scim: %w", err)
		}
		if err := svc.GroupsError(); err != nil && len(cfg.Sync.PushGroups) > 0 {
			return fmt.Errorf("SYNC_PUSH_GROUPS: %w; unset SYNC_PUSH_GROUPS", err)
		}
		log.Info().Fields(svc.Fields()).Msg("clickup scim service")
		done = true
		return nil
	}
}

// openStore opens the configured state file, or returns nil when the store is disabled.
func openStore(ctx context.Context, cfg config.Config) (*store.Store, error) {
	if cfg.Sync.StateURL != "" {
		st, err := store.OpenURL(ctx, cfg.Sync.StateURL.Reveal(), store.Options{})
		if err != nil {
			return nil, fmt.Errorf("open the PostgreSQL store set by %s: %w", stateURLSetting, err)
		}
		return st, nil
	}
	if cfg.Sync.StatePath == "" {
		return nil, nil
	}
	st, err := store.Open(ctx, cfg.Sync.StatePath, store.Options{})
	if err != nil {
		return nil, fmt.Errorf("open the state file set by %s: %w", stateSetting, err)
	}
	return st, nil
}

// newOktaClient authenticates with the SSWS token or, when the OAuth settings are given, as a
// service app; config.Validate has made sure exactly one of them is set.
func newOktaClient(ctx context.Context, cfg config.Config, hc *http.Client, retry httpretry.Policy) (*okta.Client, error) {
	c, err := okta.New(ctx, okta.Options{
		OrgURL:                  cfg.Okta.OrgURL,
		AppID:                   cfg.Okta.AppID,
		Token:                   cfg.Okta.APIToken.Reveal(),
		ClientID:                cfg.Okta.ClientID,
		PrivateKey:              cfg.Okta.PrivateKey.Reveal(),
		PrivateKeyID:            cfg.Okta.PrivateKeyID,
		Scopes:                  cfg.Okta.Scopes,
		RoleAttribute:           cfg.Okta.RoleAttribute,
		CustomRoleNameAttribute: cfg.Okta.CustomRoleNameAttribute,
		CustomRoleIDAttribute:   cfg.Okta.CustomRoleIDAttribute,
		AllowInsecureHTTP:       cfg.Sync.AllowInsecureHTTP,
		HTTPClient:              hc,
		Retry:                   retry,
	})
	if err != nil {
		return nil, fmt.Errorf("build okta client: %w", err)
	}
	return c, nil
}

func newSCIMClient(cfg config.Config, hc *http.Client, retry httpretry.Policy) (*clickup.SCIMClient, error) {
	c, err := clickup.NewSCIM(clickup.SCIMOptions{
		BaseURL:                 cfg.ClickUp.SCIMBaseURL,
		Token:                   cfg.ClickUp.SCIMToken.Reveal(),
		RoleSchema:              cfg.ClickUp.SCIMRoleSchema, // config.SCIMRoleSchemaAuto is clickup.RoleSchemaAuto
		RoleAttribute:           cfg.ClickUp.SCIMRoleAttribute,
		CustomRoleNameAttribute: cfg.ClickUp.SCIMCustomRoleNameAttribute,
		CustomRoleIDAttribute:   cfg.ClickUp.SCIMCustomRoleIDAttribute,
		AllowInsecureHTTP:       cfg.Sync.AllowInsecureHTTP,
		HTTPClient:              hc,
		Retry:                   retry,
	})
	if err != nil {
		return nil, fmt.Errorf("build clickup scim client: %w", err)
	}
	return c, nil
}

func newRESTClient(cfg config.Config, hc *http.Client, retry httpretry.Policy) (*clickup.RESTClient, error) {
	c, err := clickup.NewREST(clickup.RESTOptions{
		BaseURL:           cfg.ClickUp.APIBaseURL,
		Token:             cfg.ClickUp.APIToken.Reveal(),
		WorkspaceID:       cfg.ClickUp.WorkspaceID,
		AllowInsecureHTTP: cfg.Sync.AllowInsecureHTTP,
		HTTPClient:        hc,
		Retry:             retry,
	})
	if err != nil {
		return nil, fmt.Errorf("build clickup rest client: %w", err)
	}
	return c, nil
}
