package okta

import (
	"context"
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
	path := "/api/v1/apps/" + c.appID
	request := "GET " + path
	p, status, err := c.get(ctx, path, false)
	if err != nil {
		return App{}, c.callError(op, request, 0, status, err)
	}
	var a struct {
		ID         string `json:"id"`
		Name       string `json:"name"`
		Label      string `json:"label"`
		Status     string `json:"status"`
		SignOnMode string `json:"signOnMode"`
	}
	if err := decodeObject(p.body, &a); err != nil {
		return App{}, c.malformed(op, request, 0, "%w", err)
	}
	switch {
	case a.ID == "":
		return App{}, c.malformed(op, request, 0, "no application in the response")
	case a.ID != c.appID:
		return App{}, c.malformed(op, request, 0, "response describes app %s", quote(a.ID))
	}
	return App(a), nil
}
