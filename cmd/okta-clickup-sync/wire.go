package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/okta-clickup-sync/okta-clickup-sync/clickup"
	"github.com/okta-clickup-sync/okta-clickup-sync/config"
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

// newReconciler builds the adapters from the configuration and wires them into the core.
func newReconciler(ctx context.Context, cfg config.Config) (*core.Reconciler, error) {
	if cfg.Okta.APIToken == "" {
		return nil, errors.New("okta: OAuth service-app authentication (OKTA_CLIENT_ID) is not supported by this build yet; set OKTA_API_TOKEN")
	}
	dir, err := okta.New(ctx, okta.Options{
		OrgURL:                  cfg.Okta.OrgURL,
		AppID:                   cfg.Okta.AppID,
		Token:                   cfg.Okta.APIToken.Reveal(),
		RoleAttribute:           cfg.Okta.RoleAttribute,
		CustomRoleNameAttribute: cfg.Okta.CustomRoleNameAttribute,
		CustomRoleIDAttribute:   cfg.Okta.CustomRoleIDAttribute,
		AllowInsecureHTTP:       cfg.Sync.AllowInsecureHTTP,
	})
	if err != nil {
		return nil, fmt.Errorf("build okta client: %w", err)
	}
	ws, err := clickup.NewSCIM(clickup.SCIMOptions{
		BaseURL:           cfg.ClickUp.SCIMBaseURL,
		Token:             cfg.ClickUp.SCIMToken.Reveal(),
		RoleSchema:        cfg.ClickUp.SCIMRoleSchema,
		AllowInsecureHTTP: cfg.Sync.AllowInsecureHTTP,
	})
	if err != nil {
		return nil, fmt.Errorf("build clickup scim client: %w", err)
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
		rest, err := clickup.NewREST(clickup.RESTOptions{
			BaseURL:           cfg.ClickUp.APIBaseURL,
			Token:             cfg.ClickUp.APIToken.Reveal(),
			WorkspaceID:       cfg.ClickUp.WorkspaceID,
			AllowInsecureHTTP: cfg.Sync.AllowInsecureHTTP,
		})
		if err != nil {
			return nil, fmt.Errorf("build clickup rest client: %w", err)
		}
		r.Roles = rest
	}
	return r, nil
}
