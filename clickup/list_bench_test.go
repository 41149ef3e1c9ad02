package clickup_test

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/okta-clickup-sync/okta-clickup-sync/clickup"
	"github.com/okta-clickup-sync/okta-clickup-sync/clickup/clickuptest"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// BenchmarkListUsers lists a Workspace of 10,000 users from the fake (custom roles on a fifth of
// them) and reports the time per user and what the listing keeps live per user once the page
// bodies are gone: the users the core gets plus what the client keeps for later PUTs.
func BenchmarkListUsers(b *testing.B) {
	const n = 10_000
	s := clickuptest.NewServer(clickuptest.Options{})
	b.Cleanup(s.Close)
	s.AddCustomRole(998877, "Reviewer", 3)
	for i := range n {
		u := clickuptest.User{
			UserName: fmt.Sprintf("user%06d@example.com", i), Email: fmt.Sprintf("user%06d@example.com", i),
			GivenName: fmt.Sprintf("Given%d", i), FamilyName: fmt.Sprintf("Family%d", i),
			ExternalID: fmt.Sprintf("00ufake%013d", i), Active: i%10 != 0,
		}
		if i%5 == 0 {
			u.CustomRoleID = "998877"
		}
		s.AddUser(u)
	}
	c, err := clickup.NewSCIM(clickup.SCIMOptions{BaseURL: s.SCIMBaseURL(), Token: s.SCIMToken(),
		RoleSchema: clickup.DefaultRoleSchema, AllowInsecureHTTP: true})
	if err != nil {
		b.Fatal(err)
	}
	var users []core.ClickUpUser
	b.ReportAllocs()
	for b.Loop() {
		users = nil
		if users, err = c.ListUsers(b.Context()); err != nil || len(users) != n {
			b.Fatal(len(users), err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/user")
	live := func() uint64 {
		var m runtime.MemStats
		runtime.GC()
		runtime.GC()
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	// What the listing keeps: heap with it minus heap once it and the client are gone.
	with := live()
	runtime.KeepAlive(users)
	runtime.KeepAlive(c)
	users, c = nil, nil
	without := live()
	b.ReportMetric(float64(with-without)/n, "live-B/user")
}
