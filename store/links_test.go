package store

import (
	"errors"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestStore_SaveLinks(t *testing.T) {
	ctx := t.Context()
	c := newClock()
	s := MustOpen(t, statePath(t), c)
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
	ctx := t.Context()
	s := MustOpen(t, statePath(t), newClock())
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
	if err := s.DeleteGroupLink(ctx, "00g1"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteGroupLink(ctx, "00g1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("err %v, want ErrNotFound", err)
	}
}

func TestStore_VanishedLinks(t *testing.T) {
	ctx := t.Context()
	c := newClock()
	s := MustOpen(t, statePath(t), c)
	if err := s.SaveLinks(ctx, map[string]string{"00u1": "101", "00u2": "102", "00u3": "103"}); err != nil {
		t.Fatal(err)
	}
	got, err := s.VanishedLinks(ctx, []string{"101", "103", "999"})
	if err != nil {
		t.Fatal(err)
	}
	want := []Link{{OktaID: "00u2", ClickUpID: "102", FirstSeen: c.Now(), LastSeen: c.Now()}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("vanished %+v, want %+v", got, want)
	}

	got, err = s.VanishedLinks(ctx, []string{"101", "102", "103"})
	if err != nil || len(got) != 0 {
		t.Fatalf("vanished %+v (%v), want none", got, err)
	}
	got, err = s.VanishedLinks(ctx, nil)
	if err != nil || !slices.EqualFunc(got, []string{"00u1", "00u2", "00u3"}, func(l Link, id string) bool { return l.OktaID == id }) {
		t.Fatalf("vanished from an empty listing %+v (%v), want every link", got, err)
	}
}

func TestStore_RecordSeen(t *testing.T) {
	ctx := t.Context()
	c := newClock()
	s := MustOpen(t, statePath(t), c)
	MustBeginRun(t, s, "r1", c.Now())
	if err := s.RecordSeen(ctx, "r1", []string{"00u2", "00u1"}, []string{"102"}); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordSeen(ctx, "r1", []string{"00u1"}, []string{"101"}); err != nil {
		t.Fatalf("recording an id twice: %v", err)
	}
	okta, clickup, err := s.Seen(ctx, "r1")
	if err != nil || !slices.Equal(okta, []string{"00u1", "00u2"}) || !slices.Equal(clickup, []string{"101", "102"}) {
		t.Fatalf("seen %v %v (%v)", okta, clickup, err)
	}
	if err := s.RecordSeen(ctx, "nope", []string{"00u1"}, nil); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown run: %v, want ErrNotFound", err)
	}
}
