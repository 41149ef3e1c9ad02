package clickup

import (
	"context"
	"errors"
	"fmt"

	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// postUser sends a create (cl, a POST of u) so that a retry cannot make a second user. The
// listing the plan came from was the existence check, so the normal path is one request. After
// an unclear failure (timeout, reset, 5xx) the create may have been applied, and after a 409
// someone holds the userName: either way the user is looked up by userName first. Found active
// with our externalId, or with none (a user invited by hand, which the planner would have matched
// by email), it is the user we wanted and is returned; found with another externalId, or
// deactivated, it is a conflict no retry resolves; not found, the POST is sent again, a bounded
// number of times.
func (c *SCIMClient) postUser(ctx context.Context, cl call, u core.NewUser) (core.ClickUpUser, error) {
	for n := 0; ; n++ {
		r, err := c.ep.do(ctx, cl)
		if err == nil {
			return c.userAnswer(cl, r, "", "created user")
		}
		conflict := errors.Is(err, core.ErrConflict)
		if !conflict && !unclear(err) {
			return core.ClickUpUser{}, err
		}
		found, ok, ferr := c.findOne(ctx, core.ByUserName, u.UserName)
		switch {
		case ferr != nil:
			return core.ClickUpUser{}, fmt.Errorf("%w; looking the user up afterwards failed too: %w", err, ferr)
		case ok && found.ExternalID != "" && found.ExternalID != u.ExternalID:
			return core.ClickUpUser{}, c.conflict(cl, err, "userName %s is held by ClickUp user %s, which is linked to another Okta user (externalId %s)",
				u.UserName, shown(found.ID), shown(found.ExternalID))
		case ok && !found.Active:
			// Not the user a create makes: claiming success would report an active account
			// that is not. The next listing shows it, and the plan reactivates it.
			return core.ClickUpUser{}, c.conflict(cl, err, "userName %s is held by the deactivated ClickUp user %s", u.UserName, shown(found.ID))
		case ok:
			return found, nil
		case conflict:
			return core.ClickUpUser{}, fmt.Errorf("%w (and no user has userName %s)", err, u.UserName)
		case n >= c.ep.pace.MaxRetries():
			return core.ClickUpUser{}, fmt.Errorf("%w (gave up after %d creates, the user still does not exist)", err, n+1)
		}
		if werr := c.ep.pace.Backoff(ctx, n+1); werr != nil {
			return core.ClickUpUser{}, c.ep.fail(cl, fmt.Errorf("%w while waiting to retry after: %w", werr, err))
		}
	}
}

// conflict explains a create that cannot succeed because of an existing user. It keeps the 409
// when there was one, so callers still see the service's answer.
func (c *SCIMClient) conflict(cl call, err error, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if errors.Is(err, core.ErrConflict) {
		return fmt.Errorf("%w: %s", err, msg)
	}
	return fmt.Errorf("%s %s %s: %w: %s (after: %w)", c.ep.service, cl.method, cl.path, core.ErrConflict, msg, err)
}
