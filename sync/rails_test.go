package sync

import (
	"errors"
	"fmt"
	"testing"
)

// managedUsers returns n active ClickUp users created from Okta.
func managedUsers(n int) []ClickUpUser {
	us := make([]ClickUpUser, n)
	for i := range us {
		us[i] = cu(fmt.Sprint(100+i), fmt.Sprintf("00u%03d", i), fmt.Sprintf("u%03d@x.io", i), true, RoleMember)
	}
	return us
}

// assigned returns Okta users for the first n of managedUsers.
func assigned(n int) []OktaUser {
	os := make([]OktaUser, n)
	for i := range os {
		os[i] = ok(fmt.Sprintf("00u%03d", i), fmt.Sprintf("u%03d@x.io", i), "member")
		os[i].FirstName = "F" + os[i].ID
	}
	return os
}

// checkRails is CheckRails for a full run with these links and no open holds, in the shape the
// tests below were written for.
func checkRails(d Desired, a Actual, p Plan, r Rails, links map[string]string) (Plan, bool, error) {
	c, err := CheckRails(d, a, p, r, RailState{Links: links})
	return c.Plan, len(c.Held) > 0, err
}

func TestCheckRailsEmptySource(t *testing.T) {
	a := Actual{Users: managedUsers(3)}
	suspended := ok("00u000", "u000@x.io", "member")
	suspended.UserStatus = "SUSPENDED"
	for _, d := range []Desired{{}, {Users: []OktaUser{suspended}}} {
		_, _, err := checkRails(d, a, Diff(d, a, Options{}), Rails{MaxDeactivations: 100, MaxDeactivationPercent: 100}, nil)
		if !errors.Is(err, ErrEmptySource) {
			t.Errorf("no entitled user in Okta: err %v, want ErrEmptySource", err)
		}
	}
	p, held, err := checkRails(Desired{}, a, Diff(Desired{}, a, Options{}), Rails{AllowEmptySource: true, MaxDeactivations: 100, MaxDeactivationPercent: 100}, nil)
	if err != nil || held || p.Summarize().Actions[ActionDeactivate] != 3 {
		t.Errorf("allowed empty source: err %v held %v plan %v", err, held, compact(p))
	}
	// An empty ClickUp with an empty Okta is a fresh setup, not an outage.
	if _, _, err := checkRails(Desired{}, Actual{}, Plan{}, Rails{}, nil); err != nil {
		t.Errorf("empty on both sides: %v", err)
	}
}

func TestCheckRailsCap(t *testing.T) {
	tests := []struct {
		name          string
		managed, keep int
		maxN          int
		maxPct        float64
		wantHeld      bool
	}{
		{"count at the cap applies", 100, 90, 10, 100, false},
		{"count one over the cap holds", 100, 89, 10, 100, true},
		{"percent at the cap applies", 50, 45, 100, 10, false},
		{"percent just over the cap holds", 50, 44, 100, 10, true},
		{"zero holds every deactivation", 50, 49, 0, 100, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, a := Desired{Users: assigned(tt.keep)}, Actual{Users: managedUsers(tt.managed)}
			d.Users = append(d.Users, ok("00unew", "new@x.io", "admin"))
			p, held, err := checkRails(d, a, Diff(d, a, Options{}), Rails{MaxDeactivations: tt.maxN, MaxDeactivationPercent: tt.maxPct}, nil)
			if err != nil {
				t.Fatal(err)
			}
			s := p.Summarize()
			if held != tt.wantHeld {
				t.Fatalf("held %v, want %v (%v)", held, tt.wantHeld, s.Outcomes)
			}
			n := tt.managed - tt.keep
			if tt.wantHeld && (s.Outcomes[OutcomeHeld] != n || s.Outcomes[OutcomePlanned] != 1) {
				t.Errorf("want %d held and the create still planned, got %v", n, s.Outcomes)
			}
			if !tt.wantHeld && s.Outcomes[OutcomePlanned] != n+1 {
				t.Errorf("want %d planned, got %v", n+1, s.Outcomes)
			}
		})
	}
}

func TestApprove(t *testing.T) {
	d, a := Desired{Users: assigned(7)}, Actual{Users: managedUsers(10)}
	p, held, err := checkRails(d, a, Diff(d, a, Options{}), Rails{MaxDeactivations: 1, MaxDeactivationPercent: 100}, nil)
	if err != nil || !held {
		t.Fatalf("setup: held %v err %v", held, err)
	}
	var heldEntries []Entry
	for _, e := range p.Entries {
		if e.Outcome == OutcomeHeld {
			heldEntries = append(heldEntries, e)
		}
	}
	// Since the hold, one of the three was assigned again and a new unassignment appeared.
	d2 := Desired{Users: append(assigned(6), ok("00u008", "u008@x.io", "member"))}
	fresh := Diff(d2, a, Options{})
	got := Approve(fresh, heldEntries)
	var ids []string
	for _, e := range got.Entries {
		if e.Action != ActionDeactivate || e.Outcome != OutcomePlanned {
			t.Fatalf("approve kept %+v", e)
		}
		ids = append(ids, e.ClickUpUserID)
	}
	if fmt.Sprint(ids) != "[107 109]" {
		t.Fatalf("approved %v, want the held deactivations still warranted: [107 109]", ids)
	}
}
