package sync

import (
	"fmt"
	"runtime"
	"testing"
)

// planWorkload is a 100,000-user tenant in step but for a few changes, with 100 pushed groups of
// 1,000 members whose Teams exist: the state Diff and CheckRails face after the reads of a large
// no-op run.
func planWorkload(users, groups, members int) (Desired, Actual) {
	var d Desired
	var a Actual
	d.Users = make([]OktaUser, users)
	a.Users = make([]ClickUpUser, users)
	cuID := make([]string, users)
	for i := range users {
		login := fmt.Sprintf("user%06d@bench.io", i)
		id := fmt.Sprintf("00u%017d", i)
		d.Users[i] = OktaUser{ID: id, Login: login, Email: login, FirstName: "User", LastName: fmt.Sprint(i),
			AppStatus: "PROVISIONED", UserStatus: "ACTIVE", Role: "member"}
		cuID[i] = fmt.Sprint(1000 + i)
		a.Users[i] = ClickUpUser{ID: cuID[i], ExternalID: id, UserName: login, Email: login, GivenName: "User",
			FamilyName: fmt.Sprint(i), Active: true, Role: Role{Base: RoleMember}}
	}
	stride := max(1, users/max(1, groups))
	for g := range groups {
		og := OktaGroup{ID: fmt.Sprintf("00g%017d", g), Name: fmt.Sprintf("Team %03d", g)}
		t := ClickUpTeam{ID: fmt.Sprint(g + 1), DisplayName: og.Name}
		for k := range members {
			i := (g*stride + k) % users
			og.Members = append(og.Members, d.Users[i].ID)
			t.Members = append(t.Members, cuID[i])
		}
		d.Groups = append(d.Groups, og)
		a.Teams = append(a.Teams, t)
	}
	a.CustomRoles = []CustomRole{}
	return d, a
}

// BenchmarkPlan100k is the planning time after the reads: Diff and CheckRails on one core.
// Goal: under a second at 100,000 users (BENCHMARKS.md).
func BenchmarkPlan100k(b *testing.B) {
	d, a := planWorkload(100_000, 100, 1000)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	n := 0
	for b.Loop() {
		n++
		p, _, err := checkRails(d, a, Diff(d, a, Options{}), Rails{MaxDeactivations: 10, MaxDeactivationPercent: 10}, nil)
		if err != nil || p.Writes() != 0 {
			b.Fatalf("writes %d, err %v", p.Writes(), err)
		}
	}
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(n)/float64(len(d.Users)), "allocs/user")
}
