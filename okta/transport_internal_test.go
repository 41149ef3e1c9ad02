package okta

import "testing"

func TestRateBucket(t *testing.T) {
	for path, want := range map[string]string{
		"/api/v1/apps/0oa1b2c3/users":            "/api/v1/apps/{id}/users",
		"/api/v1/apps/0oa1b2c3":                  "/api/v1/apps/{id}",
		"/api/v1/groups/00g9z/users":             "/api/v1/groups/{id}/users",
		"/api/v1/groups":                         "/api/v1/groups",
		"/api/v1/meta/schemas/apps/0oa1/default": "/api/v1/meta/schemas/apps/{id}/default",
		"/api/v1/logs":                           "/api/v1/logs", // a bucket of its own, 20 to 120 a minute
	} {
		if got := rateBucket(path); got != want {
			t.Errorf("rateBucket(%q) = %q, want %q", path, got, want)
		}
	}
}
