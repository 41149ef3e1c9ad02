package store

import (
	"errors"
	"maps"
	"strings"
	"testing"
	"time"
)

func TestStore_SaveLinks(t *testing.T) {
	eachBackend(t, func(t *testing.T, be backend) {
		ctx := t.Context()
		c := newClock()
		s := MustOpen(t, be.fresh(t), c)
		t0 := c.Now()

		t.Run("RoundTrip", func(t *testing.T) {
			want := map[string]string{"00u1": "101", "00u2": "102"}
			if err := s.SaveLinks(ctx, want); err != nil {
				t.Fatal(err)
			}
			got, err := s.Links(ctx)
			if err != nil || !maps.Equal(got, want) {
				t.Fatalf("links %v (%v), want %v", got, err, want)
			}
		})

		t.Run("SeenTimes", func(t *testing.T) {
			c.Advance(time.Hour)
			if err := s.SaveLinks(ctx, map[string]string{"00u1": "101"}); err != nil {
				t.Fatal(err)
			}
			got := linkByOkta(t, s)
			if l := got["00u1"]; !l.FirstSeen.Equal(t0) || !l.LastSeen.Equal(c.Now()) {
				t.Errorf("re-saved link %+v: want first seen %s, last seen %s", l, t0, c.Now())
			}
			if l := got["00u2"]; !l.LastSeen.Equal(t0) {
				t.Errorf("link not in the save %+v: last seen moved", l)
			}
		})

		t.Run("ClickUpIDMovesToAnotherOktaID", func(t *testing.T) {
			if err := s.SaveLinks(ctx, map[string]string{"00u3": "101"}); err != nil {
				t.Fatal(err)
			}
			got, err := s.Links(ctx)
			want := map[string]string{"00u2": "102", "00u3": "101"}
			if err != nil || !maps.Equal(got, want) {
				t.Fatalf("links %v (%v), want %v", got, err, want)
			}
		})

		t.Run("OktaIDMovesToAnotherClickUpID", func(t *testing.T) {
			c.Advance(time.Hour)
			if err := s.SaveLinks(ctx, map[string]string{"00u2": "202"}); err != nil {
				t.Fatal(err)
			}
			if l := linkByOkta(t, s)["00u2"]; l.ClickUpID != "202" || !l.FirstSeen.Equal(c.Now()) {
				t.Errorf("moved link %+v: want clickup 202 first seen now (a new pair)", l)
			}
		})

		t.Run("SwapInOneSave", func(t *testing.T) {
			if err := s.SaveLinks(ctx, map[string]string{"00u2": "101", "00u3": "202"}); err != nil {
				t.Fatal(err)
			}
			got, err := s.Links(ctx)
			want := map[string]string{"00u2": "101", "00u3": "202"}
			if err != nil || !maps.Equal(got, want) {
				t.Fatalf("links %v (%v), want %v", got, err, want)
			}
		})

		t.Run("ErrSameClickUpIDTwice", func(t *testing.T) {
			err := s.SaveLinks(ctx, map[string]string{"00u8": "303", "00u9": "303"})
			if err == nil || !strings.Contains(err.Error(), "ClickUp id 303 is given for both Okta ids 00u8 and 00u9") {
				t.Fatalf("err %v", err)
			}
			if got, _ := s.Links(ctx); got["00u8"] != "" || got["00u9"] != "" {
				t.Fatalf("a refused save wrote links: %v", got)
			}
		})

		t.Run("ErrEmptyID", func(t *testing.T) {
			if err := s.SaveLinks(ctx, map[string]string{"00u8": ""}); err == nil {
				t.Fatal("saved a link to an empty ClickUp id")
			}
		})

		t.Run("Delete", func(t *testing.T) {
			if err := s.DeleteLink(ctx, "00u2"); err != nil {
				t.Fatal(err)
			}
			if got, _ := s.Links(ctx); got["00u2"] != "" {
				t.Fatalf("deleted link still there: %v", got)
			}
			if err := s.DeleteLink(ctx, "00u2"); !errors.Is(err, ErrNotFound) {
				t.Fatalf("deleting a missing link: %v, want ErrNotFound", err)
			}
		})
	})
}

func linkByOkta(t *testing.T, s *Store) map[string]Link {
	t.Helper()
	all, err := s.linkList(t.Context(), userLinks)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]Link{}
	for _, l := range all {
		out[l.OktaID] = l
	}
	return out
}

func TestStore_GroupLinks(t *testing.T) {
	eachBackend(t, func(t *testing.T, be backend) {
		ctx := t.Context()
		s := MustOpen(t, be.fresh(t), newClock())
		if err := s.SaveLinks(ctx, map[string]string{"00u1": "1"}); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveGroupLinks(ctx, map[string]string{"00g1": "1", "00g2": "team-2"}); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveGroupLinks(ctx, map[string]string{"00g3": "team-2"}); err != nil {
			t.Fatal(err)
		}
		groups, err := s.GroupLinks(ctx)
		if want := map[string]string{"00g1": "1", "00g3": "team-2"}; err != nil || !maps.Equal(groups, want) {
			t.Fatalf("group links %v (%v), want %v", groups, err, want)
		}
		users, err := s.Links(ctx)
		if want := map[string]string{"00u1": "1"}; err != nil || !maps.Equal(users, want) {
			t.Fatalf("user links %v (%v), want %v: groups and users share nothing", users, err, want)
		}
	})
}
