package okta

import (
	"context"

	sdk "github.com/okta/okta-sdk-golang/v2/okta"
)

// App is the configured app instance as Okta describes it.
type App struct {
	ID         string
	Name       string // the catalogue name, e.g. "clickup"
	Label      string // what admins see
	Status     string // ACTIVE or INACTIVE
	SignOnMode string
}

// App reads the configured app (GET /api/v1/apps/{appId}): one cheap call that proves the org URL,
// the token and the app id together, for a credentials check. Errors are *APIError, matching
// core.ErrUnauthorized or core.ErrNotFound (unknown app).
func (c *Client) App(ctx context.Context) (App, error) {
	const op = "get app"
	request := "GET /api/v1/apps/" + c.appID
	a, resp, err := c.sdk.Application.GetApplication(ctx, c.appID, sdk.NewApplication(), nil)
	if err != nil {
		return App{}, c.callError(op, request, 0, resp, err)
	}
	app, ok := a.(*sdk.Application)
	if !ok || app == nil || app.Id == "" {
		return App{}, c.malformed(op, request, 0, "no application in the response")
	}
	if app.Id != c.appID {
		return App{}, c.malformed(op, request, 0, "response describes app %s", app.Id)
	}
	return App{ID: app.Id, Name: app.Name, Label: app.Label, Status: app.Status, SignOnMode: app.SignOnMode}, nil
}
