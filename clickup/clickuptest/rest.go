package clickuptest

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

const contentTypeJSON = "application/json; charset=utf-8"

// writeRESTError writes ClickUp's REST error envelope, {"err": ..., "ECODE": ...} (reference §1.2).
func writeRESTError(w http.ResponseWriter, status int, msg, code string) {
	writeJSON(w, contentTypeJSON, status, restError{msg, code})
}

type restError struct {
	Err   string `json:"err"`
	ECODE string `json:"ECODE"`
}

func writeRESTRateLimited(w http.ResponseWriter) {
	// The ECODE is the reference's unverified proposal; clients branch on the status.
	writeRESTError(w, http.StatusTooManyRequests, "Rate limit reached", "APP_002")
}

// restAuth accepts the API token raw, as personal tokens are sent, or as "Bearer <token>", as
// OAuth tokens are.
func (s *Server) restAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok := credential(r)
		switch {
		case !ok:
			writeRESTError(w, http.StatusUnauthorized, "Authorization header required", "OAUTH_017")
		case !sameSecret(got, s.opt.APIToken):
			writeRESTError(w, http.StatusUnauthorized, "Oauth token not found", "OAUTH_019")
		default:
			next.ServeHTTP(w, r)
		}
	})
}

func (s *Server) restNotFound(w http.ResponseWriter, r *http.Request) {
	// No public source gives ClickUp's answer to an unknown route; the code is a placeholder.
	writeRESTError(w, http.StatusNotFound, "Route not found", "APP_001")
}

// restTeams is GET /team (reference §1.5.2): the Workspace with its invited and active members;
// deactivated users are not listed.
func (s *Server) restTeams(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	owner := s.st.owner()
	members := []restMember{}
	for _, u := range s.st.sortedUsers() {
		if !u.active {
			continue
		}
		m := restMember{User: s.restUser(u)}
		if !u.owner && owner != nil {
			status := "active"
			if !u.joined {
				status = "invited"
			}
			m.InvitedBy = &restInviter{ID: owner.id, Username: owner.displayName, Color: memberColor, Email: owner.email,
				Initials: initials(owner), Status: status}
		}
		members = append(members, m)
	}
	s.mu.Unlock()
	writeJSON(w, contentTypeJSON, http.StatusOK, restTeamList{Teams: []restTeam{{
		ID: s.opt.WorkspaceID, Name: "Example Workspace", Color: "#40BC86", Members: members,
	}}})
}

type restTeamList struct {
	Teams []restTeam `json:"teams"`
}

type restTeam struct {
	ID      string       `json:"id"`
	Name    string       `json:"name"`
	Color   string       `json:"color"`
	Avatar  *string      `json:"avatar"`
	Members []restMember `json:"members"`
}

type restMember struct {
	User      restUser     `json:"user"`
	InvitedBy *restInviter `json:"invited_by,omitempty"`
}

// restUser is a member's user object as recorded responses show it (reference §1.5.2), with the
// undocumented role_subtype and role_key; nil pointers are JSON null.
type restUser struct {
	ID             int         `json:"id"`
	Username       *string     `json:"username"`
	Email          *string     `json:"email"`
	Color          *string     `json:"color"`
	ProfilePicture *string     `json:"profilePicture"`
	Initials       string      `json:"initials"`
	Role           int         `json:"role"`
	RoleSubtype    int         `json:"role_subtype"`
	RoleKey        string      `json:"role_key"`
	CustomRole     *restIDName `json:"custom_role"`
	LastActive     *string     `json:"last_active"`
	DateJoined     *string     `json:"date_joined"`
	DateInvited    string      `json:"date_invited"`
}

type restInviter struct {
	ID             int     `json:"id"`
	Username       string  `json:"username"`
	Color          string  `json:"color"`
	Email          string  `json:"email"`
	Initials       string  `json:"initials"`
	ProfilePicture *string `json:"profilePicture"`
	BannedDate     *string `json:"banned_date"`
	Status         string  `json:"status"`
}

type restIDName struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
}

const memberColor = "#7b68ee"

// restUser renders u; a pending invitee has no username or date_joined yet. The caller holds
// s.mu.
func (s *Server) restUser(u *user) restUser {
	ru := restUser{ID: u.id, Email: nullIfEmpty(u.email), Initials: initials(u), Role: roleNumbers[u.role], RoleKey: u.role,
		DateInvited: millis(u.created)}
	if u.joined {
		color, lastActive, joined := memberColor, millis(u.modified), millis(u.created)
		ru.Username, ru.Color, ru.LastActive, ru.DateJoined = nullIfEmpty(u.displayName), &color, &lastActive, &joined
	}
	if u.role == roleGuest {
		ru.RoleSubtype = 2
	}
	if cr := s.st.roles[u.customRoleID]; u.customRoleID != 0 && cr != nil {
		ru.CustomRole = &restIDName{cr.id, cr.name}
	}
	return ru
}

// restCustomRoles is GET /team/{team_id}/customroles (reference §1.5.5); members only with
// include_members=true.
func (s *Server) restCustomRoles(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("team_id") != s.opt.WorkspaceID {
		writeRESTError(w, http.StatusUnauthorized, "Team not authorized", "OAUTH_027")
		return
	}
	withMembers := r.URL.Query().Get("include_members") == "true"
	s.mu.Lock()
	roles := []restCustomRole{}
	for _, id := range s.st.roleOrder {
		cr := s.st.roles[id]
		rr := restCustomRole{ID: cr.id, TeamID: s.opt.WorkspaceID, Name: cr.name, InheritedRole: cr.inheritedRole,
			DateCreated: millis(cr.created)}
		if withMembers {
			members := []int{}
			for _, u := range s.st.sortedUsers() {
				if u.active && u.customRoleID == cr.id {
					members = append(members, u.id)
				}
			}
			rr.Members = &members
		}
		roles = append(roles, rr)
	}
	s.mu.Unlock()
	writeJSON(w, contentTypeJSON, http.StatusOK, struct {
		CustomRoles []restCustomRole `json:"custom_roles"`
	}{roles})
}

type restCustomRole struct {
	ID            int    `json:"id"`
	TeamID        string `json:"team_id"`
	Name          string `json:"name"`
	InheritedRole int    `json:"inherited_role"`
	DateCreated   string `json:"date_created"`
	Members       *[]int `json:"members,omitempty"`
}

// millis is ClickUp's timestamp: a string of Unix epoch milliseconds.
func millis(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }

func nullIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func initials(u *user) string {
	var b strings.Builder
	for _, part := range []string{u.givenName, u.familyName} {
		if part != "" {
			b.WriteString(strings.ToUpper(part[:1]))
		}
	}
	if b.Len() == 0 && u.email != "" {
		b.WriteString(strings.ToUpper(u.email[:1]))
	}
	return b.String()
}
