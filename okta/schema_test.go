package okta_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/okta-clickup-sync/okta-clickup-sync/okta"
	"github.com/okta-clickup-sync/okta-clickup-sync/okta/oktatest"
	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

func TestClient_AppUserSchema(t *testing.T) {
	t.Run("Default", func(t *testing.T) {
		s := newFake(t)
		got, err := newClient(t, s, nil).AppUserSchema(t.Context())
		if err != nil {
			t.Fatalf("AppUserSchema: %v", err)
		}
		want := okta.SchemaAttribute{Name: "role", Title: "ClickUp Role", Type: "string", Custom: true, Values: []string{"admin", "member", "guest"}}
		if r := got.Attributes["role"]; !reflect.DeepEqual(r, want) {
			t.Errorf("role = %+v, want %+v", r, want)
		}
		if u, ok := got.Attributes["userName"]; !ok || u.Custom {
			t.Errorf("userName = %+v, %t; want a base attribute", u, ok)
		}
		if n := got.Attributes["customRoleName"]; !n.Custom || n.Values != nil {
			t.Errorf("customRoleName = %+v, want a free-text custom attribute", n)
		}
	})
	t.Run("Set", func(t *testing.T) {
		s := newFake(t)
		s.SetAppUserSchema(appID, []oktatest.SchemaProperty{
			{Name: "clickupRole", Values: []string{"member", "admin"}},
			{Name: "roleName", Values: []string{"Designers", "Contractors"}},
		})
		got, err := newClient(t, s, nil).AppUserSchema(t.Context())
		if err != nil {
			t.Fatalf("AppUserSchema: %v", err)
		}
		if names := got.Names(); !reflect.DeepEqual(names, []string{"clickupRole", "roleName"}) {
			t.Errorf("names = %v", names)
		}
		if v := got.Attributes["roleName"].Values; !reflect.DeepEqual(v, []string{"Designers", "Contractors"}) {
			t.Errorf("roleName values = %v, want them in schema order", v)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		s := newFake(t)
		_, err := newClient(t, s, func(o *okta.Options) { o.AppID = "0oamissing" }).AppUserSchema(t.Context())
		if !errors.Is(err, core.ErrNotFound) {
			t.Fatalf("err = %v, want ErrNotFound", err)
		}
	})
	t.Run("OAuthNeedsSchemasScope", func(t *testing.T) {
		key, _ := testKeys()
		s := newFake(t)
		s.RegisterServiceApp(clientID, keyID, &key.PublicKey, []string{"okta.apps.read", "okta.schemas.read"})
		_, err := oauthClient(t, s, pkcs8PEM(t, key), "okta.apps.read").AppUserSchema(t.Context())
		if !errors.Is(err, core.ErrUnauthorized) {
			t.Fatalf("without okta.schemas.read: err = %v, want ErrUnauthorized", err)
		}
		if _, err := oauthClient(t, s, pkcs8PEM(t, key), "okta.apps.read", "okta.schemas.read").AppUserSchema(t.Context()); err != nil {
			t.Fatalf("with okta.schemas.read: %v", err)
		}
	})
}
