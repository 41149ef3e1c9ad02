package sync

import (
	"sort"
	"strings"
)

// match is the outcome of DESIGN.md §5 for one Okta user.
type match struct {
	user       *ClickUpUser // nil when there is no ClickUp user
	by         string       // link, externalId, userName/email
	candidates []string     // ClickUp ids when the match is ambiguous
}

// matcher pairs Okta users with ClickUp users: the stored link first, then externalId, then
// userName or primary email, and never on names. A ClickUp user can belong to one Okta user only;
// any doubt is reported as ambiguous rather than guessed, because a wrong match moves one person's
// access to another.
type matcher struct {
	byID       map[string]*ClickUpUser
	byExternal map[string][]*ClickUpUser
	byKey      map[string][]*ClickUpUser // lower-cased userName and email
	linkedTo   map[string]string         // ClickUp id -> Okta id, from the store
}

func newMatcher(users []ClickUpUser, links map[string]string) *matcher {
	m := &matcher{
		byID:       make(map[string]*ClickUpUser, len(users)),
		byExternal: make(map[string][]*ClickUpUser),
		byKey:      make(map[string][]*ClickUpUser, 2*len(users)),
		linkedTo:   make(map[string]string, len(links)),
	}
	for i := range users {
		u := &users[i]
		m.byID[u.ID] = u
		if u.ExternalID != "" {
			m.byExternal[u.ExternalID] = append(m.byExternal[u.ExternalID], u)
		}
		for _, k := range keys(u.UserName, u.Email) {
			m.byKey[k] = append(m.byKey[k], u)
		}
	}
	for okta, cu := range links {
		m.linkedTo[cu] = okta
	}
	return m
}

// keys returns the distinct, non-empty, lower-cased identifiers.
func keys(vs ...string) []string {
	var out []string
	for _, v := range vs {
		k := strings.ToLower(strings.TrimSpace(v))
		if k != "" && !contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

func contains(vs []string, v string) bool {
	for _, x := range vs {
		if x == v {
			return true
		}
	}
	return false
}

// matchAll returns a match for every Okta user (by Okta id) and the set of ClickUp ids that any
// Okta user matched or might have matched, so that the latter are never treated as unassigned.
func (m *matcher) matchAll(okta []OktaUser, links map[string]string) (map[string]match, map[string]bool) {
	matches := make(map[string]match, len(okta))
	claimed := make(map[string]string, len(okta)) // ClickUp id -> Okta id
	touched := make(map[string]bool, len(okta))

	claim := func(o OktaUser, u *ClickUpUser, by string) {
		if other, ok := claimed[u.ID]; ok && other != o.ID {
			// Two Okta users resolve to one ClickUp user through strong identifiers: that is bad
			// data, and neither gets a write until it is fixed.
			prev := matches[other]
			matches[other] = match{candidates: appendUnique(prev.candidates, u.ID)}
			matches[o.ID] = match{candidates: []string{u.ID}}
			touched[u.ID] = true
			return
		}
		claimed[u.ID] = o.ID
		matches[o.ID] = match{user: u, by: by}
		touched[u.ID] = true
	}

	// Pass 1: strong identifiers.
	var weak []OktaUser
	for _, o := range okta {
		if id, ok := links[o.ID]; ok {
			if u := m.byID[id]; u != nil {
				claim(o, u, "link")
				continue
			}
		}
		switch ext := m.byExternal[o.ID]; len(ext) {
		case 0:
			weak = append(weak, o)
		case 1:
			claim(o, ext[0], "externalId")
		default:
			ids := idsOf(ext)
			matches[o.ID] = match{candidates: ids}
			for _, id := range ids {
				touched[id] = true
			}
		}
	}

	// Pass 2: userName or email, only among ClickUp users no other Okta user owns.
	wanted := make(map[string][]string) // ClickUp id -> Okta ids that want it
	cands := make(map[string][]*ClickUpUser, len(weak))
	for _, o := range weak {
		var cs []*ClickUpUser
		for _, k := range keys(o.Login, o.Email) {
			for _, u := range m.byKey[k] {
				if m.ownedByOther(u, o.ID, claimed) || containsUser(cs, u) {
					continue
				}
				cs = append(cs, u)
			}
		}
		cands[o.ID] = cs
		for _, u := range cs {
			wanted[u.ID] = append(wanted[u.ID], o.ID)
		}
	}
	for _, o := range weak {
		cs := cands[o.ID]
		switch {
		case len(cs) == 0:
			matches[o.ID] = match{}
		case len(cs) == 1 && len(wanted[cs[0].ID]) == 1:
			claim(o, cs[0], "userName/email")
		default:
			ids := idsOf(cs)
			matches[o.ID] = match{candidates: ids}
			for _, id := range ids {
				touched[id] = true
			}
		}
	}
	return matches, touched
}

// ownedByOther reports whether u belongs to an Okta user other than oktaID: by a stored link, by
// its externalId, or by a strong match made in this run.
func (m *matcher) ownedByOther(u *ClickUpUser, oktaID string, claimed map[string]string) bool {
	if o, ok := m.linkedTo[u.ID]; ok && o != oktaID {
		return true
	}
	if u.ExternalID != "" && u.ExternalID != oktaID {
		return true
	}
	o, ok := claimed[u.ID]
	return ok && o != oktaID
}

func containsUser(us []*ClickUpUser, u *ClickUpUser) bool {
	for _, x := range us {
		if x.ID == u.ID {
			return true
		}
	}
	return false
}

func idsOf(us []*ClickUpUser) []string {
	ids := make([]string, 0, len(us))
	for _, u := range us {
		ids = append(ids, u.ID)
	}
	sort.Strings(ids)
	return ids
}

func appendUnique(vs []string, v string) []string {
	if contains(vs, v) {
		return vs
	}
	return append(vs, v)
}
