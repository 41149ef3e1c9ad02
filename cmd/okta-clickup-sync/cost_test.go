package main

import (
	"fmt"
	"maps"
	"strings"
	"testing"

	"github.com/okta-clickup-sync/okta-clickup-sync/internal/cost"
	"github.com/okta-clickup-sync/okta-clickup-sync/okta/oktatest"
)

// requestsByEndpoint tallies the fakes' request logs by cost.Classify endpoint.
func requestsByEndpoint(h *harness) cost.Bound {
	got := cost.Bound{}
	for _, r := range h.okta.Requests() {
		got[cost.Classify(r.Method, r.Path, r.RawQuery)]++
	}
	for _, r := range h.cu.Requests() {
		got[cost.Classify(r.Method, r.Path, r.RawQuery)]++
	}
	return got
}

// A no-op run at a few thousand users costs exactly the lower bound: every listing at its
// largest page, nothing per user, no start-up lookup of the group ids. Counting requests, not
// timing them, keeps this exact and cheap; BENCHMARKS.md has the timings.
func TestNoOpRequestCountIsLowerBound(t *testing.T) {
	const users, groups = 3000, 5
	h := newHarness(t)
	var ids []string
	for i := range groups {
		ids = append(ids, h.okta.AddGroup(oktatest.Group{Name: fmt.Sprintf("G%d", i)}).ID)
	}
	// 600 members a group: three member pages each, the last one short.
	for i := range users {
		id, _ := h.assigned(fmt.Sprintf("u%05d@x.io", i), true)
		h.okta.AddGroupMember(ids[i%groups], id)
	}
	// One group by name, to count the start-up search names cost.
	h.env["SYNC_PUSH_GROUPS"] = strings.Join(ids[1:], ",") + ",G0"
	if r := h.run(t, "reconcile"); r.code != exitOK {
		t.Fatalf("first run (creates the Teams): exit %d\n%s", r.code, r.stderr)
	}
	h.okta.ResetRequests()
	h.cu.ResetRequests()
	if r := h.run(t, "reconcile", "--detailed-exitcode"); r.code != exitOK {
		t.Fatalf("no-op run: exit %d\n%s", r.code, r.stdout)
	}

	members := make([]int, groups)
	for i := range members {
		members[i] = users / groups
	}
	want := cost.LowerBound(cost.Workload{
		AppUsers:     users + 1, // and the harness's steady user
		GroupNames:   1,
		GroupMembers: members,
		SCIMUsers:    users + 2, // and the owner
		SCIMGroups:   groups,
		REST:         true,
	})
	got := requestsByEndpoint(h)
	if !maps.Equal(got, want) {
		t.Errorf("requests by endpoint %v (total %d), want the lower bound %v (total %d)", got, got.Total(), want, want.Total())
	}
	// The numbers, spelled out, so a change to the formula is seen too.
	if got, want := want.Total(), 7+(1+1)+5*3+31+1+2+3; got != want { // +3: the SCIM discovery reads
		t.Errorf("lower bound %d, want %d", got, want)
	}
}
