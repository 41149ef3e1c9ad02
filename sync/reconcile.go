package sync

import (
	"context"
	"errors"
	"fmt"
	gosync "sync"
)

// LinkStore keeps the Okta-to-ClickUp user links between runs. Links are a cache of truth: losing
// them must never cause a duplicate or a deactivation, only a re-match by externalId or email.
type LinkStore interface {
	Links(ctx context.Context) (map[string]string, error)
	SaveLinks(ctx context.Context, links map[string]string) error
	DeleteLink(ctx context.Context, oktaID string) error
}

// GroupLinkStore keeps the Okta-group-to-Team links between runs.
type GroupLinkStore interface {
	GroupLinks(ctx context.Context) (map[string]string, error)
	SaveGroupLinks(ctx context.Context, links map[string]string) error
}

// Reconciler runs one reconcile: read both sides, plan, and apply.
type Reconciler struct {
	Directory Directory
	Workspace Workspace
	Roles     Roles     // optional: nil when no REST token is configured
	Links     LinkStore // optional: nil when no store is configured

	// Teams: the pushed groups' ids (resolved from the configuration at start), where to read
	// them and their Teams, and the group links.
	PushGroups []string
	Groups     GroupDirectory
	Teams      TeamWorkspace
	GroupLinks GroupLinkStore
	Options    Options
	Rails      Rails
	Apply      ApplyOptions
}

// ErrRead marks a run that stopped because a side could not be read completely; nothing was
// written.
var ErrRead = errors.New("read failed, nothing was written")

// Read reads Okta and ClickUp concurrently. Any failure fails the whole read: the planner never
// sees a partial state.
func (r *Reconciler) Read(ctx context.Context) (Desired, Actual, error) {
	var (
		d    Desired
		a    Actual
		wg   gosync.WaitGroup
		errs = make([]error, 6)
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	run := func(i int, f func() error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f(); err != nil {
				errs[i] = err
				cancel() // the run is lost already; stop the other reads early
			}
		}()
	}
	run(0, func() (err error) {
		d.Users, err = r.Directory.ListAppUsers(ctx)
		if err != nil {
			return fmt.Errorf("read okta: %w", err)
		}
		return nil
	})
	run(1, func() (err error) {
		a.Users, err = r.Workspace.ListUsers(ctx)
		if err != nil {
			return fmt.Errorf("read clickup users: %w", err)
		}
		return nil
	})
	if r.Roles != nil {
		run(2, func() error {
			roles, err := r.Roles.ListCustomRoles(ctx)
			if err != nil {
				return fmt.Errorf("read clickup custom roles: %w", err)
			}
			if roles == nil {
				roles = []CustomRole{}
			}
			a.CustomRoles = roles
			return nil
		})
		run(3, func() (err error) {
			a.OwnerID, err = r.Roles.WorkspaceOwner(ctx)
			if err != nil {
				return fmt.Errorf("read clickup workspace owner: %w", err)
			}
			return nil
		})
	}
	if len(r.PushGroups) > 0 {
		run(4, func() (err error) {
			d.Groups, err = r.Groups.ListGroups(ctx, r.PushGroups)
			if err != nil {
				return fmt.Errorf("read okta groups: %w", err)
			}
			return nil
		})
	}
	if r.readTeams() {
		run(5, func() (err error) {
			a.Teams, err = r.Teams.ListTeams(ctx)
			if err != nil {
				return fmt.Errorf("read clickup teams: %w", err)
			}
			return nil
		})
	}
	wg.Wait()
	if err := firstCause(errs); err != nil {
		return Desired{}, Actual{}, fmt.Errorf("%w: %w", ErrRead, err)
	}
	return d, a, nil
}

// readTeams reports whether this run needs ClickUp's Teams: only when groups are pushed, or a
// once-pushed Team may be deleted. Otherwise Teams are not even read.
func (r *Reconciler) readTeams() bool {
	return r.Teams != nil && (len(r.PushGroups) > 0 || r.Options.DeleteUnpushedTeams && r.GroupLinks != nil)
}

// firstCause returns the errors that are not a mere consequence of another read's cancellation.
func firstCause(errs []error) error {
	var real, canceled []error
	for _, err := range errs {
		switch {
		case err == nil:
		case errors.Is(err, context.Canceled):
			canceled = append(canceled, err)
		default:
			real = append(real, err)
		}
	}
	if len(real) > 0 {
		return errors.Join(real...)
	}
	return errors.Join(canceled...)
}

// Plan reads both sides and returns the plan with the rails applied, writing nothing. It returns
// ErrEmptySource (and no plan) when the source looks empty; deactivations over the cap come back
// with the outcome held.
func (r *Reconciler) Plan(ctx context.Context) (Plan, error) {
	opt := r.Options
	if r.Links != nil {
		links, err := r.Links.Links(ctx)
		if err != nil {
			return Plan{}, fmt.Errorf("load links: %w", err)
		}
		opt.Links = links
	}
	if r.GroupLinks != nil && r.readTeams() {
		links, err := r.GroupLinks.GroupLinks(ctx)
		if err != nil {
			return Plan{}, fmt.Errorf("load group links: %w", err)
		}
		opt.GroupLinks = links
	}
	d, a, err := r.Read(ctx)
	if err != nil {
		return Plan{}, err
	}
	p, _, err := CheckRails(d, a, Diff(d, a, opt), r.Rails, opt.Links)
	if err != nil {
		return Plan{}, err
	}
	return p, nil
}

// RecordLinks keeps the links of an applied plan: every match and every user it created, and
// forgets links whose ClickUp user vanished.
func (r *Reconciler) RecordLinks(ctx context.Context, p Plan) error {
	if r.Links != nil {
		for o := range p.Vanished {
			if err := r.Links.DeleteLink(ctx, o); err != nil {
				return fmt.Errorf("forget vanished link of %s: %w", o, err)
			}
		}
		if err := r.Links.SaveLinks(ctx, p.AppliedLinks()); err != nil {
			return fmt.Errorf("save links: %w", err)
		}
	}
	if r.GroupLinks != nil {
		if err := r.GroupLinks.SaveGroupLinks(ctx, p.AppliedGroupLinks()); err != nil {
			return fmt.Errorf("save group links: %w", err)
		}
	}
	return nil
}

// Reconcile plans and, unless dryRun, applies. The returned plan carries each entry's outcome. The
// error is set only when nothing could be planned; failed writes are in the plan.
func (r *Reconciler) Reconcile(ctx context.Context, dryRun bool) (Plan, error) {
	p, err := r.Plan(ctx)
	if err != nil || dryRun {
		return p, err
	}
	opts := r.Apply
	opts.Teams = r.Teams
	p = Apply(ctx, r.Workspace, p, opts)
	return p, r.RecordLinks(ctx, p)
}
