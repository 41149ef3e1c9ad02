package oktatest

import "encoding/json"

// The JSON shapes follow the Okta API reference, including the nulls Okta sends for unset
// fields, so clients are tested against what they will really decode. Each resource has one
// renderer, used wherever Okta shows it (a user alone, in a search, as a group member, embedded
// in its app user), and encoding/json writes it. The render functions expect s.mu held.

type link struct {
	Href string `json:"href"`
}

type appJSON struct {
	ID            string         `json:"id"`
	Name          string         `json:"name"`
	Label         string         `json:"label"`
	Status        string         `json:"status"`
	LastUpdated   string         `json:"lastUpdated"`
	Created       string         `json:"created"`
	Accessibility map[string]any `json:"accessibility"`
	Visibility    map[string]any `json:"visibility"`
	Features      []string       `json:"features"`
	SignOnMode    string         `json:"signOnMode"`
	Settings      map[string]any `json:"settings"`
	Links         struct {
		Users  link `json:"users"`
		Groups link `json:"groups"`
		Self   link `json:"self"`
	} `json:"_links"`
}

func (s *Server) renderApp(a *app) appJSON {
	out := appJSON{
		ID: a.id, Name: "clickup", Label: a.label, Status: "ACTIVE", LastUpdated: a.updated, Created: a.created,
		Accessibility: map[string]any{"selfService": false, "errorRedirectUrl": nil, "loginRedirectUrl": nil},
		Visibility:    map[string]any{"autoSubmitToolbar": false, "hide": map[string]bool{"iOS": false, "web": false}},
		Features:      []string{"PUSH_NEW_USERS", "PUSH_USER_DEACTIVATION", "REACTIVATE_USERS", "PUSH_PROFILE_UPDATES", "GROUP_PUSH"},
		SignOnMode:    "SAML_2_0",
		Settings:      map[string]any{"app": map[string]any{}},
	}
	out.Links.Users, out.Links.Groups, out.Links.Self = link{a.href + "/users"}, link{a.href + "/groups"}, link{a.href}
	return out
}

// userJSON is an Okta user.
type userJSON struct {
	ID              string  `json:"id"`
	Status          string  `json:"status"`
	Created         string  `json:"created"`
	Activated       *string `json:"activated"`
	StatusChanged   string  `json:"statusChanged"`
	LastLogin       *string `json:"lastLogin"`
	LastUpdated     string  `json:"lastUpdated"`
	PasswordChanged *string `json:"passwordChanged"`
	Type            struct {
		ID string `json:"id"`
	} `json:"type"`
	Profile struct {
		Login       string  `json:"login"`
		Email       string  `json:"email"`
		FirstName   string  `json:"firstName"`
		LastName    string  `json:"lastName"`
		MobilePhone *string `json:"mobilePhone"`
		SecondEmail *string `json:"secondEmail"`
	} `json:"profile"`
	Links struct {
		Self link `json:"self"`
	} `json:"_links"`
}

func renderUser(u *user) userJSON {
	out := userJSON{ID: u.ID, Status: u.Status, Created: u.created, StatusChanged: u.statusChanged, LastUpdated: u.updated}
	out.Type.ID = "otyfake0000000000001"
	p := &out.Profile
	p.Login, p.Email, p.FirstName, p.LastName = u.Login, u.Email, u.FirstName, u.LastName
	out.Links.Self.Href = u.href
	return out
}

// appUserJSON is a user's assignment to an app, with the user under _embedded on expand=user.
type appUserJSON struct {
	ID              string  `json:"id"`
	ExternalID      string  `json:"externalId"`
	Created         string  `json:"created"`
	LastUpdated     string  `json:"lastUpdated"`
	Scope           string  `json:"scope"`
	Status          string  `json:"status"`
	StatusChanged   string  `json:"statusChanged"`
	PasswordChanged *string `json:"passwordChanged"`
	SyncState       string  `json:"syncState"`
	Credentials     struct {
		UserName string `json:"userName"`
	} `json:"credentials"`
	Profile  json.RawMessage `json:"profile"` // null when the assignment has none
	Embedded *struct {
		User userJSON `json:"user"`
	} `json:"_embedded,omitempty"`
	Links struct {
		App  link `json:"app"`
		User link `json:"user"`
	} `json:"_links"`
}

func renderAppUser(a *app, u *user, as *assignment, expandUser bool) appUserJSON {
	out := appUserJSON{
		ID: u.ID, Created: as.created, LastUpdated: as.updated, Scope: "USER", Status: as.status,
		StatusChanged: as.statusChanged, SyncState: "SYNCHRONIZED", Profile: as.profile,
	}
	if len(out.Profile) == 0 {
		out.Profile = json.RawMessage("null")
	}
	out.Credentials.UserName = u.Login
	if expandUser {
		out.Embedded = &struct {
			User userJSON `json:"user"`
		}{renderUser(u)}
	}
	out.Links.App.Href, out.Links.User.Href = a.href, u.href
	return out
}
