package main

import (
	"context"
	"fmt"
	"net/http"

	"github.com/okta-clickup-sync/okta-clickup-sync/clickup"
	"github.com/okta-clickup-sync/okta-clickup-sync/config"
	"github.com/okta-clickup-sync/okta-clickup-sync/internal/httpretry"
	"github.com/okta-clickup-sync/okta-clickup-sync/okta"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// loadConfig reads the file named by --config or OKTA_CLICKUP_SYNC_CONFIG, then the environment,
// and validates the result, reporting every problem at once.
func loadConfig(path string, lookup env) (config.Config, error) {
	if path == "" {
		path, _ = lookup(config.ConfigPathEnv)
	}
	cfg, err := config.Load(path, lookup)
	if err != nil {
		return cfg, err
	}
	return cfg, cfg.Validate()
}

// adapterClients are the http.Clients the adapters use, so that the daemon can count their
// requests; a nil field keeps that adapter's own default. retry is how they wait and retry (the
// zero value is the default policy; tests record the waits instead of spending them).
type adapterClients struct {
	okta, scim, rest *http.Client
	retry            httpretry.Policy
}

// newReconcilerWith builds the adapters from the configuration and wires them into the core.
func newReconcilerWith(ctx context.Context, cfg config.Config, hc adapterClients) (*core.Reconciler, error) {
	dir, err := newOktaClient(ctx, cfg, hc.okta, hc.retry)
	if err != nil {
		return nil, err
	}
	ws, err := newSCIMClient(cfg, hc.scim, hc.retry)
	if err != nil {
		return nil, err
	}
	r := &core.Reconciler{
		Directory: dir,
		Workspace: ws,
		Options:   core.Options{Protected: cfg.Sync.ProtectedUsers},
		Rails: core.Rails{
			AllowEmptySource:       cfg.Sync.AllowEmptySource,
			MaxDeactivations:       cfg.Sync.MaxDeactivations,
			MaxDeactivationPercent: cfg.Sync.MaxDeactivationPercent,
		},
		Apply: core.ApplyOptions{Concurrency: cfg.Sync.Concurrency},
	}
	if cfg.ClickUp.APIToken != "" {
		rest, err := newRESTClient(cfg, hc.rest, hc.retry)
		if err != nil {
			return nil, err
		}
		r.Roles = rest
	}
	r.Options.DeleteUnpushedTeams = cfg.Sync.DeleteUnpushedTeams
	if len(cfg.Sync.PushGroups) > 0 || cfg.Sync.DeleteUnpushedTeams {
		r.Teams, r.Apply.Teams = ws, ws
	}
	if len(cfg.Sync.PushGroups) > 0 {
		// Names are resolved once, at start: a name that matches no group or several is a
		// configuration error, and every run then reads the groups by id.
		ids, err := dir.ResolveGroups(ctx, cfg.Sync.PushGroups)
		if err != nil {
			return nil, fmt.Errorf("SYNC_PUSH_GROUPS: %w", err)
		}
		r.PushGroups, r.Groups = ids, dir
	}
	return r, nil
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
		BaseURL:           cfg.ClickUp.SCIMBaseURL,
		Token:             cfg.ClickUp.SCIMToken.Reveal(),
		RoleSchema:        cfg.ClickUp.SCIMRoleSchema,
		AllowInsecureHTTP: cfg.Sync.AllowInsecureHTTP,
		HTTPClient:        hc,
		Retry:             retry,
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
