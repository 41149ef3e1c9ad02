package sync

import (
	"context"
	"errors"
	"reflect"
	"sync/atomic"
	"testing"
)

// A GUID is what another IdP (Entra ID, a SCIM bridge) leaves in externalId.
const guid = "9c1f0e2a-4b7d-4e55-9a51-0f3b2c1d7e88"

func TestLooksLikeOktaUserID(t *testing.T) {
	for s, want := range map[string]bool{
		"00ub0oNGTSWTBKOLGLNR":  true,
		"00u00000000000000001":  true,
		"00u1":                  false,
		"00g1f0sdqsNTJh5Rx0h8":  false, // a group id
		"00ub0oNGTSWTBKOLGLN!":  false,
		"00ub0oNGTSWTBKOLGLNRX": false,
		guid:                    false,
		"":                      false,
	} {
		if got := LooksLikeOktaUserID(s); got != want {
			t.Errorf("LooksLikeOktaUserID(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestDiffForeignExternalIDs(t *testing.T) {
	suspended := ok("00u2", "sam@x.io", "member")
	suspended.UserStatus = "SUSPENDED"
	tests := []struct {
		name      string
		okta      []OktaUser
		clickup   []ClickUpUser
		orgIDs    map[string]bool
		want      []string
		wantLinks map[string]string
		wantCheck []string
	}{
		{"entitled user's account from another IdP is adopted, never created again",
			[]OktaUser{ok("00u1", "ann@x.io", "member")},
			[]ClickUpUser{named(cu("7", guid, "ann@x.io", true, RoleMember), "F00u1")}, nil,
			[]string{}, map[string]string{oid("00u1"): "7"}, nil},
		{"an adopted inactive account is reactivated, not created",
			[]OktaUser{ok("00u1", "ann@x.io", "member")},
			[]ClickUpUser{named(cu("7", guid, "ANN@x.io", false, RoleMember), "F00u1")}, nil,
			[]string{"reactivate ann@x.io active:false>true planned"}, map[string]string{oid("00u1"): "7"}, nil},
		{"an account from another IdP nobody in Okta has is reported, never deactivated",
			nil, []ClickUpUser{cu("7", guid, "ann@x.io", true, RoleMember)}, nil,
			[]string{"unmanaged_user ann@x.io externalId:" + guid + "> ignored"}, map[string]string{}, nil},
		{"a suspended Okta user's account from another IdP is not deactivated",
			[]OktaUser{suspended}, []ClickUpUser{cu("8", guid, "sam@x.io", true, RoleMember)}, nil,
			[]string{"unmanaged_user sam@x.io externalId:" + guid + "> ignored"}, map[string]string{oid("00u2"): "8"}, nil},
		{"a suspended Okta user's hand-made account is not deactivated",
			[]OktaUser{suspended}, []ClickUpUser{cu("8", "", "sam@x.io", true, RoleMember)}, nil,
			[]string{"unmanaged_user sam@x.io :> ignored"}, map[string]string{oid("00u2"): "8"}, nil},
		{"an Okta-shaped externalId not listed is taken as this org's until checked",
			nil, []ClickUpUser{cu("8", "00u77", "gone@x.io", true, RoleMember)}, nil,
			[]string{"deactivate gone@x.io active:true>false planned"}, map[string]string{}, []string{oid("00u77")}},
		{"checked and unknown to the org: foreign, reported",
			nil, []ClickUpUser{cu("8", "00u77", "gone@x.io", true, RoleMember)}, map[string]bool{oid("00u77"): false},
			[]string{"unmanaged_user gone@x.io externalId:" + oid("00u77") + "> ignored"}, map[string]string{}, nil},
		{"checked and known to the org: managed, deactivated",
			nil, []ClickUpUser{cu("8", "00u77", "gone@x.io", true, RoleMember)}, map[string]bool{oid("00u77"): true},
			[]string{"deactivate gone@x.io active:true>false planned"}, map[string]string{}, nil},
		{"a weak candidate carrying an unchecked Okta-shaped id is not taken",
			[]OktaUser{ok("00u1", "ann@x.io", "member")},
			[]ClickUpUser{cu("7", "00u77", "ann@x.io", false, RoleMember)}, nil,
			[]string{"create_user ann@x.io role:>member planned"}, map[string]string{}, []string{oid("00u77")}},
		{"once the org says the id is not its own, the candidate is adopted",
			[]OktaUser{ok("00u1", "ann@x.io", "member")},
			[]ClickUpUser{named(cu("7", "00u77", "ann@x.io", false, RoleMember), "F00u1")}, map[string]bool{oid("00u77"): false},
			[]string{"reactivate ann@x.io active:false>true planned"}, map[string]string{oid("00u1"): "7"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Diff(Desired{Users: tt.okta}, Actual{Users: tt.clickup}, Options{OrgExternalIDs: tt.orgIDs})
			if got := compact(p); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("plan\n got %q\nwant %q", got, tt.want)
			}
			if !reflect.DeepEqual(p.Links, tt.wantLinks) {
				t.Errorf("links %v, want %v", p.Links, tt.wantLinks)
			}
			if !reflect.DeepEqual(p.Unverified, tt.wantCheck) {
				t.Errorf("unverified %v, want %v", p.Unverified, tt.wantCheck)
			}
			for _, e := range p.Entries {
				if e.Action == ActionUnmanagedUser && e.Field == "externalId" && e.Reason != ReasonForeignExternalID {
					t.Errorf("reason %q, want %q", e.Reason, ReasonForeignExternalID)
				}
			}
		})
	}
}

// countingReader is a stubReader that counts its reads and can fail them. Confirm reads
// concurrently.
type countingReader struct {
	stubReader
	reads atomic.Int32
	err   error
}

func (r *countingReader) AppUser(ctx context.Context, id string) (OktaUser, bool, error) {
	r.reads.Add(1)
	if r.err != nil {
		return OktaUser{}, false, r.err
	}
	return r.stubReader.AppUser(ctx, id)
}

// listing is a Directory that returns its users and counts its listings.
type listing struct {
	users []OktaUser
	calls int
}

func (l *listing) ListAppUsers(context.Context) ([]OktaUser, error) {
	l.calls++
	return l.users, nil
}

func TestConfirm(t *testing.T) {
	// Three managed users absent from the listing: one truly unassigned, one still assigned but
	// suspended, one the listing lied about.
	a := Actual{Users: managedUsers(3)}
	suspended := ok("00u001", "u001@x.io", "member")
	suspended.UserStatus = "SUSPENDED"
	stillThere := ok("00u002", "u002@x.io", "member")
	reader := stubReader{suspended.ID: suspended, stillThere.ID: stillThere}
	plan := Diff(Desired{}, a, Options{})
	want := []string{
		"deactivate u000@x.io active:true>false planned",
		"deactivate u001@x.io active:true>false planned",
		"unconfirmed_deactivation u002@x.io active:true>false failed",
	}

	t.Run("read per user", func(t *testing.T) {
		r := &countingReader{stubReader: reader}
		dir := &listing{}
		p, err := Confirm(t.Context(), plan, dir, r, 3)
		if err != nil {
			t.Fatal(err)
		}
		if got := compact(p); !reflect.DeepEqual(got, want) {
			t.Errorf("plan\n got %q\nwant %q", got, want)
		}
		if r.reads.Load() != 3 || dir.calls != 0 {
			t.Errorf("reads %d, listings %d: want one read per user and no listing", r.reads.Load(), dir.calls)
		}
		if p.Summarize().Failures != 1 {
			t.Errorf("an unconfirmed deactivation must fail the run")
		}
	})
	t.Run("a second listing when cheaper", func(t *testing.T) {
		r := &countingReader{stubReader: reader}
		dir := &listing{users: []OktaUser{suspended, stillThere}}
		p, err := Confirm(t.Context(), plan, dir, r, 2)
		if err != nil {
			t.Fatal(err)
		}
		if got := compact(p); !reflect.DeepEqual(got, want) {
			t.Errorf("plan\n got %q\nwant %q", got, want)
		}
		if r.reads.Load() != 0 || dir.calls != 1 {
			t.Errorf("reads %d, listings %d: want one listing and no per-user read", r.reads.Load(), dir.calls)
		}
	})
	t.Run("a failed read fails the run", func(t *testing.T) {
		r := &countingReader{stubReader: reader, err: ErrRateLimited}
		if _, err := Confirm(t.Context(), plan, &listing{}, r, 3); !errors.Is(err, ErrRateLimited) {
			t.Fatalf("err %v, want the read's error", err)
		}
	})
	t.Run("held and not-entitled deactivations are not read", func(t *testing.T) {
		d := Desired{Users: []OktaUser{suspended}}
		c, err := CheckRails(d, a, Diff(d, a, Options{}), Rails{AllowEmptySource: true, MaxDeactivations: 1, MaxDeactivationPercent: 100}, RailState{})
		if err != nil || len(c.Held) == 0 {
			t.Fatalf("setup: %v %v", err, c.Held)
		}
		r := &countingReader{stubReader: reader}
		if _, err := Confirm(t.Context(), c.Plan, &listing{}, r, 3); err != nil || r.reads.Load() != 0 {
			t.Fatalf("reads %d err %v: held entries are confirmed when approved, not now", r.reads.Load(), err)
		}
	})
}

func TestCheckRailsStickyHolds(t *testing.T) {
	rails := Rails{MaxDeactivations: 2, MaxDeactivationPercent: 100}
	a := Actual{Users: managedUsers(10)}
	d := Desired{Users: assigned(9)} // one deactivation: u009, under every cap
	p := Diff(d, a, Options{})

	t.Run("an open hold holds again whatever the caps say", func(t *testing.T) {
		c, err := CheckRails(d, a, p, rails, RailState{Holds: map[string]string{"user:109": "run-1"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Held) != 1 || c.Held[0].ClickUpUserID != "109" || c.Plan.Summarize().Outcomes[OutcomeHeld] != 1 {
			t.Fatalf("held %+v", c.Held)
		}
		if len(c.Release) != 0 {
			t.Errorf("released %v", c.Release)
		}
	})
	t.Run("sticky holds do not count toward the cap again", func(t *testing.T) {
		d := Desired{Users: assigned(7)} // u007, u008, u009
		c, err := CheckRails(d, a, Diff(d, a, Options{}), rails, RailState{Holds: map[string]string{"user:109": "run-1"}})
		if err != nil {
			t.Fatal(err)
		}
		o := c.Plan.Summarize().Outcomes
		if o[OutcomeHeld] != 1 || o[OutcomePlanned] != 2 {
			t.Fatalf("outcomes %v: want the sticky one held and the two others (at the cap) planned", o)
		}
	})
	t.Run("a hold no longer warranted is released", func(t *testing.T) {
		c, err := CheckRails(Desired{Users: assigned(10)}, a, Diff(Desired{Users: assigned(10)}, a, Options{}), rails,
			RailState{Holds: map[string]string{"user:109": "run-1", "team:Old": "run-2"}})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(c.Release, []string{"team:Old", "user:109"}) || len(c.Held) != 0 {
			t.Fatalf("release %v held %v", c.Release, c.Held)
		}
	})
	t.Run("small runs count the window and take the percent of the last full run", func(t *testing.T) {
		small := RailState{Small: true, Earlier: 2, Base: 100}
		c, err := CheckRails(d, a, p, rails, small)
		if err != nil || len(c.Held) != 1 {
			t.Fatalf("two earlier plus one is over a cap of two: held %v err %v", c.Held, err)
		}
		small.Earlier = 1
		if c, err := CheckRails(d, a, p, rails, small); err != nil || len(c.Held) != 0 {
			t.Fatalf("one earlier plus one is at the cap: held %v err %v", c.Held, err)
		}
		pct := Rails{MaxDeactivations: 100, MaxDeactivationPercent: 1}
		if c, _ := CheckRails(d, a, p, pct, RailState{Small: true, Earlier: 1, Base: 100}); len(c.Held) != 1 {
			t.Fatalf("2 of 100 is over 1%%: held %v", c.Held)
		}
		if c, _ := CheckRails(d, a, p, pct, RailState{Small: true, Earlier: 1}); len(c.Held) != 0 {
			t.Fatalf("no full run recorded: the count cap alone applies; held %v", c.Held)
		}
	})
	t.Run("small runs never refuse on an empty source", func(t *testing.T) {
		if _, err := CheckRails(Desired{}, a, Diff(Desired{}, a, Options{}), Rails{MaxDeactivations: 100, MaxDeactivationPercent: 100}, RailState{Small: true}); err != nil {
			t.Fatal(err)
		}
	})
}
