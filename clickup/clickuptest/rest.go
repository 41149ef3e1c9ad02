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
	writeJSON(w, contentTypeJSON, status, obj{{"err", msg}, {"ECODE", code}})
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
	members := []obj{}
	for _, u := range s.st.sortedUsers() {
		if !u.active {
			continue
		}
		m := obj{{"user", s.restUser(u)}}
		if !u.owner && owner != nil {
			status := "active"
			if !u.joined {
				status = "invited"
			}
			m = append(m, kv{"invited_by", obj{
				{"id", owner.id}, {"username", owner.displayName}, {"color", memberColor},
				{"email", owner.email}, {"initials", initials(owner)}, {"profilePicture", nil},
				{"banned_date", nil}, {"status", status},
			}})
		}
		members = append(members, m)
	}
	s.mu.Unlock()
	writeJSON(w, contentTypeJSON, http.StatusOK, obj{{"teams", []obj{{
		{"id", s.opt.WorkspaceID}, {"name", "Example Workspace"}, {"color", "#40BC86"},
		{"avatar", nil}, {"members", members},
	}}}})
}

const memberColor = "#7b68ee"

// restUser is a member's user object as recorded responses show it (reference §1.5.2), with the
// undocumented role_subtype and role_key; a pending invitee has no username or date_joined yet.
func (s *Server) restUser(u *user) obj {
	var username, color, lastActive, joined any
	if u.joined {
		username, color, lastActive, joined = nullIfEmpty(u.displayName), memberColor, millis(u.modified), millis(u.created)
	}
	subtype := 0
	if u.role == roleGuest {
		subtype = 2
	}
	var custom any
	if cr := s.st.roles[u.customRoleID]; u.customRoleID != 0 && cr != nil {
		custom = obj{{"id", cr.id}, {"name", cr.name}}
	}
	return obj{
		{"id", u.id}, {"username", username}, {"email", nullIfEmpty(u.email)}, {"color", color},
		{"profilePicture", nil}, {"initials", initials(u)}, {"role", roleNumbers[u.role]},
		{"role_subtype", subtype}, {"role_key", u.role}, {"custom_role", custom},
		{"last_active", lastActive}, {"date_joined", joined}, {"date_invited", millis(u.created)},
	}
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
	roles := []obj{}
	for _, id := range s.st.roleOrder {
		cr := s.st.roles[id]
		o := obj{
			{"id", cr.id}, {"team_id", s.opt.WorkspaceID}, {"name", cr.name},
			{"inherited_role", cr.inheritedRole}, {"date_created", millis(cr.created)},
		}
		if withMembers {
			members := []int{}
			for _, u := range s.st.sortedUsers() {
				if u.active && u.customRoleID == cr.id {
					members = append(members, u.id)
				}
			}
			o = append(o, kv{"members", members})
		}
		roles = append(roles, o)
	}
	s.mu.Unlock()
	writeJSON(w, contentTypeJSON, http.StatusOK, obj{{"custom_roles", roles}})
}

// millis is ClickUp's timestamp: a string of Unix epoch milliseconds.
func millis(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
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
