package store

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
)

const testPassword = "s3cret-Pa55word"

func TestOpenURL_NeverQuotesThePassword(t *testing.T) {
	// The state URL carries the database password: no error may quote it (DESIGN §7).
	for _, tt := range []struct {
		name, url, want string
	}{
		{"ConnectionRefused", "postgres://ocs:" + testPassword + "@127.0.0.1:1/ocs?sslmode=disable&connect_timeout=5",
			"postgres://ocs:xxxxx@127.0.0.1:1/ocs"},
		{"PasswordParameter", "postgres://ocs@127.0.0.1:1/ocs?sslmode=disable&password=" + testPassword,
			"password=xxxxx"},
		{"BadPort", "postgres://ocs:" + testPassword + "@127.0.0.1:port/ocs", "cannot parse it as postgres://"},
		{"NotAURL", "postgres://ocs:" + testPassword + "@[::1/ocs", "does not parse as a URL"},
		{"OtherScheme", "mysql://ocs:" + testPassword + "@127.0.0.1/ocs", "mysql://ocs:xxxxx@127.0.0.1/ocs: not a postgres:// URL"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := OpenURL(t.Context(), tt.url, Options{})
			if err == nil {
				t.Fatal("opened")
			}
			if strings.Contains(err.Error(), testPassword) {
				t.Fatalf("the error quotes the password: %v", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err %v, want it to say %q", err, tt.want)
			}
		})
	}
}

func TestOpenURL_WrongPasswordOnARealServer(t *testing.T) {
	server := pgLoc(t)
	u, err := url.Parse(server)
	if err != nil {
		t.Fatal(err)
	}
	real, _ := u.User.Password()
	u.User = url.UserPassword(u.User.Username(), testPassword)
	_, err = OpenURL(t.Context(), u.String(), Options{})
	if err == nil || strings.Contains(err.Error(), testPassword) || !strings.Contains(err.Error(), ":xxxxx@") {
		t.Fatalf("err %v: want a refusal that names the URL without its password", err)
	}
	t.Logf("wrong password: %v", err)

	s := MustOpen(t, server, newClock())
	if real != "" && strings.Contains(s.path, real) {
		t.Fatalf("the store names itself %s, with its password", s.path)
	}
	// An error of a working store names it without its password too.
	_, err = s.Run(t.Context(), "nope")
	if err == nil || (real != "" && strings.Contains(err.Error(), real)) {
		t.Fatalf("err %v", err)
	}
}

func TestScrub(t *testing.T) {
	b := &pgBackend{secret: testPassword}
	inner := context.Canceled
	err := b.scrub(errors.Join(errors.New("dial postgres://ocs:"+testPassword+"@h"), inner))
	if strings.Contains(err.Error(), testPassword) || !strings.Contains(err.Error(), "ocs:xxxxx@h") {
		t.Fatalf("scrubbed %q", err)
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatal("scrubbing lost what errors.Is finds")
	}
	if errors.Unwrap(err) != nil {
		t.Fatal("the scrubbed error unwraps to the unscrubbed one")
	}
	if plain := errors.New("no secret here"); b.scrub(plain) != plain {
		t.Fatal("an error without the password was rewritten")
	}
}

func TestNumberPlaceholders(t *testing.T) {
	for in, want := range map[string]string{
		`SELECT 1`:                    `SELECT 1`,
		`WHERE a = ? AND b IN (?, ?)`: `WHERE a = $1 AND b IN ($2, $3)`,
		`SELECT '?', "odd?name" FROM t WHERE x = ?`:           `SELECT '?', "odd?name" FROM t WHERE x = $1`,
		`SELECT 'it''s ?' WHERE a = ? AND b = '{}'`:           `SELECT 'it''s ?' WHERE a = $1 AND b = '{}'`,
		`INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`: `INSERT INTO t VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
	} {
		if got := numberPlaceholders(in); got != want {
			t.Errorf("numberPlaceholders(%q) = %q, want %q", in, got, want)
		}
	}
}
