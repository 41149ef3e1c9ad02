package oktatest

import (
	"github.com/okta-clickup-sync/okta-clickup-sync/internal/jsontext"
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

const timestampLayout = "2006-01-02T15:04:05.000Z"

func timestamp(t time.Time) string { return t.UTC().Format(timestampLayout) }

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

// appendUser appends u as Okta's user object, the way GET /api/v1/groups/{id}/users and
// expand=user show it: json.Marshal of userJSON in resources_test.go, without building it.
func (s *Server) appendUser(dst []byte, u *user) []byte {
	dst = jsontext.AppendString(append(dst, `{"id":`...), u.ID, true)
	dst = jsontext.AppendString(append(dst, `,"status":`...), u.Status, true)
	dst = appendTimestamp(append(dst, `,"created":`...), u.created)
	dst = appendTimestamp(append(dst, `,"activated":null,"statusChanged":`...), u.statusChanged)
	dst = appendTimestamp(append(dst, `,"lastLogin":null,"lastUpdated":`...), u.updated)
	dst = append(dst, `,"passwordChanged":null,"type":{"id":"otyfake0000000000001"},"profile":{"login":`...)
	dst = jsontext.AppendString(dst, u.Login, true)
	dst = jsontext.AppendString(append(dst, `,"email":`...), u.Email, true)
	dst = jsontext.AppendString(append(dst, `,"firstName":`...), u.FirstName, true)
	dst = jsontext.AppendString(append(dst, `,"lastName":`...), u.LastName, true)
	dst = append(dst, `,"mobilePhone":null,"secondEmail":null},"_links":{"self":{"href":`...)
	dst = append(dst, s.href.users...)
	dst = jsontext.AppendEscaped(dst, u.ID, true) // after ASCII: escaped apart, the same
	return append(dst, `"}}}`...)
}

// appendAppUser appends the app user of u's assignment as to a: json.Marshal of appUserJSON in
// resources_test.go, without building it.
func (s *Server) appendAppUser(dst []byte, a *app, u *user, as *assignment, expandUser bool) []byte {
	dst = jsontext.AppendString(append(dst, `{"id":`...), u.ID, true)
	dst = appendTimestamp(append(dst, `,"externalId":"","created":`...), as.created)
	dst = appendTimestamp(append(dst, `,"lastUpdated":`...), as.updated)
	dst = jsontext.AppendString(append(dst, `,"scope":"USER","status":`...), as.status, true)
	dst = appendTimestamp(append(dst, `,"statusChanged":`...), as.statusChanged)
	dst = jsontext.AppendString(append(dst, `,"passwordChanged":null,"syncState":"SYNCHRONIZED","credentials":{"userName":`...), u.Login, true)
	dst = append(dst, `},"profile":`...)
	if len(as.profile) == 0 {
		dst = append(dst, "null"...)
	} else {
		// json.Marshal's own output (encodeProfile): compact and escaped already, so what
		// json.Marshal would make of it as a RawMessage is the same bytes.
		dst = append(dst, as.profile...)
	}
	if expandUser {
		dst = s.appendUser(append(dst, `,"_embedded":{"user":`...), u)
		dst = append(dst, '}')
	}
	dst = append(append(dst, `,"_links":{"app":{"href":`...), s.href.apps...)
	dst = jsontext.AppendEscaped(dst, a.id, true)
	dst = append(append(dst, `"},"user":{"href":`...), s.href.users...)
	dst = jsontext.AppendEscaped(dst, u.ID, true)
	return append(dst, `"}}}`...)
}
