package store

import "testing"

func TestStore_Cursor(t *testing.T) {
	eachBackend(t, func(t *testing.T, be backend) {
		ctx := t.Context()
		c := newClock()
		path := be.fresh(t)
		s, err := openStore(ctx, path, Options{Now: c.Now})
		if err != nil {
			t.Fatal(err)
		}
		if v, err := s.Cursor(ctx, "systemlog"); err != nil || v != "" {
			t.Fatalf("cursor never saved: %q (%v), want empty", v, err)
		}
		for _, v := range []string{"https://x.okta.com/api/v1/logs?after=1", "https://x.okta.com/api/v1/logs?after=2"} {
			if err := s.SaveCursor(ctx, "systemlog", v); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.SaveCursor(ctx, "other", "x"); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveCursor(ctx, "", "x"); err == nil {
			t.Fatal("saved a cursor without a name")
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		// It survives a restart.
		s = MustOpen(t, path, c)
		if v, err := s.Cursor(ctx, "systemlog"); err != nil || v != "https://x.okta.com/api/v1/logs?after=2" {
			t.Fatalf("cursor after reopening: %q (%v)", v, err)
		}
	})
}
