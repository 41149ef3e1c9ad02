package oktatest

import (
	"encoding/json"
	"time"
)

// The JSON shapes follow the Okta API reference, including the nulls Okta sends for unset
// fields, so clients are tested against what they will really decode.

type link struct {
	Href string `json:"href"`
}

type appJSON struct {
	ID            string          `json:"id"`
	Name          string          `json:"name"`
	Label         string          `json:"label"`
	Status        string          `json:"status"`
	LastUpdated   string          `json:"lastUpdated"`
	Created       string          `json:"created"`
	Accessibility map[string]any  `json:"accessibility"`
	Visibility    map[string]any  `json:"visibility"`
	Features      []string        `json:"features"`
	SignOnMode    string          `json:"signOnMode"`
	Settings      map[string]any  `json:"settings"`
	Links         map[string]link `json:"_links"`
}

type userJSON struct {
	ID              string          `json:"id"`
	Status          string          `json:"status"`
	Created         string          `json:"created"`
	Activated       *string         `json:"activated"`
	StatusChanged   string          `json:"statusChanged"`
	LastLogin       *string         `json:"lastLogin"`
	LastUpdated     string          `json:"lastUpdated"`
	PasswordChanged *string         `json:"passwordChanged"`
	Type            map[string]any  `json:"type"`
	Profile         userProfileJSON `json:"profile"`
	Links           map[string]link `json:"_links"`
}

type userProfileJSON struct {
	Login       string  `json:"login"`
	Email       string  `json:"email"`
	FirstName   string  `json:"firstName"`
	LastName    string  `json:"lastName"`
	MobilePhone *string `json:"mobilePhone"`
	SecondEmail *string `json:"secondEmail"`
}

type appUserJSON struct {
	ID              string            `json:"id"`
	ExternalID      string            `json:"externalId"`
	Created         string            `json:"created"`
	LastUpdated     string            `json:"lastUpdated"`
	Scope           string            `json:"scope"`
	Status          string            `json:"status"`
	StatusChanged   string            `json:"statusChanged"`
	PasswordChanged *string           `json:"passwordChanged"`
	SyncState       string            `json:"syncState"`
	Credentials     appUserCredsJSON  `json:"credentials"`
	Profile         json.RawMessage   `json:"profile"`
	Embedded        *appUserEmbedJSON `json:"_embedded,omitempty"`
	Links           map[string]link   `json:"_links"`
}

type appUserCredsJSON struct {
	UserName string `json:"userName"`
}

type appUserEmbedJSON struct {
	User userJSON `json:"user"`
}

func timestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// The render functions expect s.mu held.

func (s *Server) renderApp(a *app) appJSON {
	base := s.URL() + "/api/v1/apps/" + a.id
	return appJSON{
		ID: a.id, Name: "clickup", Label: a.label, Status: "ACTIVE",
		LastUpdated: timestamp(a.updated), Created: timestamp(a.created),
		Accessibility: map[string]any{"selfService": false, "errorRedirectUrl": nil, "loginRedirectUrl": nil},
		Visibility:    map[string]any{"autoSubmitToolbar": false, "hide": map[string]bool{"iOS": false, "web": false}},
		Features:      []string{"PUSH_NEW_USERS", "PUSH_USER_DEACTIVATION", "REACTIVATE_USERS", "PUSH_PROFILE_UPDATES", "GROUP_PUSH"},
		SignOnMode:    "SAML_2_0",
		Settings:      map[string]any{"app": map[string]any{}},
		Links: map[string]link{
			"users":  {Href: base + "/users"},
			"groups": {Href: base + "/groups"},
			"self":   {Href: base},
		},
	}
}

func (s *Server) renderUser(u *user) userJSON {
	return userJSON{
		ID: u.ID, Status: u.Status,
		Created: timestamp(u.created), StatusChanged: timestamp(u.statusChanged), LastUpdated: timestamp(u.updated),
		Type:    map[string]any{"id": "otyfake0000000000001"},
		Profile: userProfileJSON{Login: u.Login, Email: u.Email, FirstName: u.FirstName, LastName: u.LastName},
		Links:   map[string]link{"self": {Href: s.URL() + "/api/v1/users/" + u.ID}},
	}
}

func (s *Server) renderAppUser(a *app, u *user, as *assignment, expandUser bool) appUserJSON {
	out := appUserJSON{
		ID: u.ID, ExternalID: "",
		Created: timestamp(as.created), LastUpdated: timestamp(as.updated),
		Scope: "USER", Status: as.status, StatusChanged: timestamp(as.statusChanged),
		SyncState:   "SYNCHRONIZED",
		Credentials: appUserCredsJSON{UserName: u.Login},
		Profile:     as.profile,
		Links: map[string]link{
			"app":  {Href: s.URL() + "/api/v1/apps/" + a.id},
			"user": {Href: s.URL() + "/api/v1/users/" + u.ID},
		},
	}
	if expandUser {
		out.Embedded = &appUserEmbedJSON{User: s.renderUser(u)}
	}
	return out
}
