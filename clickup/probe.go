package clickup

import (
	"context"
	"fmt"
)

// CountUsers reads one SCIM listing page of a single user (GET /Users?startIndex=1&count=1) and
// returns totalResults: the cheapest call that proves the base URL and the token together, for a
// credentials check.
func (c *SCIMClient) CountUsers(ctx context.Context) (int, error) {
	p, err := readListPage(ctx, c, c.userList(), "", 1, 1)
	if err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return p.total, nil
}
