package sync

import (
	"sort"
	"strings"
)

// match is the outcome of DESIGN.md §5 for one Okta user.
type match struct {
	user       *ClickUpUser // nil when there is no ClickUp user
	candidates []string     // ClickUp ids when the match is ambiguous
}

// noUser is the position of no user.
const noUser = -1

// matcher pairs Okta users with ClickUp users: the stored link first, then externalId, then
// userName or primary email, and never on names. A ClickUp user can belong to one Okta user only;
// any doubt is reported as ambiguous rather than guessed, because a wrong match moves one person's
// access to another.
//
// Users are referred to by their position in the caller's slice, and what is known per user is
// kept in slices indexed by position rather than in maps keyed by id: at 100,000 users those maps
// were most of the planner's memory.
type matcher struct {
	users []ClickUpUser    // actual.Users, the caller's own: never written
	byID  map[string]int32 // the position of the last user with that id
	// slots maps a position to its id's slot, byID's position for that id, so that state kept
	// per slot is kept per id. It is nil unless ids repeat, which they never should.
	slots  []int32
	linked []storedLink // per slot, the store's links inverted; nil without links
}

type storedLink struct {
	okta string
	ok   bool
}

func newMatcher(users []ClickUpUser, links map[string]string) *matcher {
	m := &matcher{users: users, byID: make(map[string]int32, len(users))}
	repeated := false
	for i := range users {
		if _, ok := m.byID[users[i].ID]; ok {
			repeated = true
		}
		m.byID[users[i].ID] = int32(i)
	}
	if repeated {
		m.slots = make([]int32, len(users))
		for i := range users {
			m.slots[i] = m.byID[users[i].ID]
		}
	}
	if len(links) > 0 {
		m.linked = make([]storedLink, len(users))
		for okta, cu := range links {
			if s, ok := m.byID[cu]; ok {
				m.linked[s] = storedLink{okta: okta, ok: true}
			}
		}
	}
	return m
}

// slot returns the slot of the user at position i.
func (m *matcher) slot(i int32) int32 {
	if m.slots == nil {
		return i
	}
	return m.slots[i]
}

// lookup returns the user with ClickUp id id, or nil.
func (m *matcher) lookup(id string) *ClickUpUser {
	if i, ok := m.byID[id]; ok {
		return &m.users[i]
	}
	return nil
}

// linkedTo returns the Okta id the store links the user at position i to.
func (m *matcher) linkedTo(i int32) (string, bool) {
	if m.linked == nil {
		return "", false
	}
	l := m.linked[m.slot(i)]
	return l.okta, l.ok
}

// userIndex maps keys (externalIds, or lower-cased userNames and emails) to the positions of the
// users that have them, in slice order. Only keys asked for beforehand are indexed: in a steady
// run nearly every Okta user is linked, and indexing all 100,000 users for the few that are not
// cost megabytes. Nearly every key has one user, kept inline; only shared keys get a slice.
type userIndex struct {
	one  map[string]int32   // the key's only user, or noUser while it has none
	many map[string][]int32 // keys of several users
}

func newUserIndex(n int) userIndex {
	return userIndex{one: make(map[string]int32, n)}
}

// want makes k a key to index; every want comes before the first add.
func (x userIndex) want(k string) {
	x.one[k] = noUser
}

// add records the user at position i under k, when k is wanted.
func (x *userIndex) add(k string, i int32) {
	j, ok := x.one[k]
	switch {
	case !ok:
		if us, ok := x.many[k]; ok {
			x.many[k] = append(us, i)
		}
	case j == noUser:
		x.one[k] = i
	default:
		if x.many == nil {
			x.many = make(map[string][]int32)
		}
		x.many[k] = []int32{j, i}
		delete(x.one, k)
	}
}

// get returns the positions of the users with key k; buf holds a single one.
func (x userIndex) get(k string, buf *[1]int32) []int32 {
	if i, ok := x.one[k]; ok {
		if i == noUser {
			return nil
		}
		buf[0] = i
		return buf[:]
	}
	return x.many[k]
}

// keys returns the distinct, non-empty, lower-cased identifiers.
func keys(vs ...string) []string {
	return appendKeys(nil, vs...)
}

// appendKeys is keys appending to dst, so that callers looping over every user can pass a buffer
// on their stack instead of allocating a slice per user.
func appendKeys(dst []string, vs ...string) []string {
	for _, v := range vs {
		k := strings.ToLower(strings.TrimSpace(v))
		if k != "" && !contains(dst, k) {
			dst = append(dst, k)
		}
	}
	return dst
}

func contains(vs []string, v string) bool {
	for _, x := range vs {
		if x == v {
			return true
		}
	}
	return false
}

// oktaSlot is the position of the first Okta user with okta[i]'s id. State per Okta id is kept
// per slot; okta is sorted by id, so a repeated id, which it should never have, is adjacent.
func oktaSlot(okta []OktaUser, i int) int32 {
	for i > 0 && okta[i-1].ID == okta[i].ID {
		i--
	}
	return int32(i)
}

// matches holds the outcome per Okta slot: the ClickUp user's position, or noUser and, when the
// match is ambiguous, the candidates. Slices rather than a map keyed by Okta id, for memory.
type matches struct {
	user      []int32
	ambiguous map[int32][]string
}

func (ms *matches) set(s, u int32) {
	ms.user[s] = u
	delete(ms.ambiguous, s)
}

func (ms *matches) setAmbiguous(s int32, ids []string) {
	ms.user[s] = noUser
	ms.ambiguous[s] = ids
}

func (ms matches) get(s int32, users []ClickUpUser) match {
	if u := ms.user[s]; u != noUser {
		return match{user: &users[u]}
	}
	return match{candidates: ms.ambiguous[s]}
}

// matched counts the Okta users matched to a ClickUp user.
func (ms matches) matched() int {
	n := 0
	for _, u := range ms.user {
		if u != noUser {
			n++
		}
	}
	return n
}

// matchAll returns a match for every Okta user (by slot) and, per ClickUp slot, whether any Okta
// user matched or might have matched it, so that the latter are never treated as unassigned.
func (m *matcher) matchAll(okta []OktaUser, links map[string]string) (ms matches, touched []bool) {
	ms = matches{user: make([]int32, len(okta)), ambiguous: make(map[int32][]string)}
	for s := range ms.user {
		ms.user[s] = noUser
	}
	claimed := make([]int32, len(m.users)) // ClickUp slot -> Okta slot, or noUser
	for s := range claimed {
		claimed[s] = noUser
	}
	touched = make([]bool, len(m.users))

	claim := func(s, u int32) {
		us := m.slot(u)
		if other := claimed[us]; other != noUser && other != s {
			// Two Okta users resolve to one ClickUp user through strong identifiers: that is bad
			// data, and neither gets a write until it is fixed.
			ms.setAmbiguous(other, appendUnique(ms.ambiguous[other], m.users[u].ID))
			ms.setAmbiguous(s, []string{m.users[u].ID})
			touched[us] = true
			return
		}
		claimed[us] = s
		ms.set(s, u)
		touched[us] = true
	}
	linkedUser := func(o *OktaUser) int32 {
		if id, ok := links[o.ID]; ok {
			if u, ok := m.byID[id]; ok {
				return u
			}
		}
		return noUser
	}
	var buf [1]int32

	// Pass 1: strong identifiers.
	unlinked := 0
	for i := range okta {
		if linkedUser(&okta[i]) == noUser {
			unlinked++
		}
	}
	byExternal := newUserIndex(unlinked)
	for i := range okta {
		if linkedUser(&okta[i]) == noUser {
			byExternal.want(okta[i].ID)
		}
	}
	for i := range m.users {
		if id := m.users[i].ExternalID; id != "" {
			byExternal.add(id, int32(i))
		}
	}
	var weak []int32 // positions in okta
	for i := range okta {
		o, s := &okta[i], oktaSlot(okta, i)
		if u := linkedUser(o); u != noUser {
			claim(s, u)
			continue
		}
		switch ext := byExternal.get(o.ID, &buf); len(ext) {
		case 0:
			weak = append(weak, int32(i))
		case 1:
			claim(s, ext[0])
		default:
			ms.setAmbiguous(s, m.idsOf(ext))
			for _, u := range ext {
				touched[m.slot(u)] = true
			}
		}
	}
	if len(weak) == 0 {
		return ms, touched
	}

	// Pass 2: userName or email, only among ClickUp users no other Okta user owns.
	var kb [2]string
	byKey := newUserIndex(2 * len(weak))
	for _, i := range weak {
		for _, k := range appendKeys(kb[:0], okta[i].Login, okta[i].Email) {
			byKey.want(k)
		}
	}
	for i := range m.users {
		for _, k := range appendKeys(kb[:0], m.users[i].UserName, m.users[i].Email) {
			byKey.add(k, int32(i))
		}
	}
	wanted := make([]int32, len(m.users)) // ClickUp slot -> how many weak Okta users want it
	start := make([]int32, len(weak)+1)   // the candidates of weak[w] are cands[start[w]:start[w+1]]
	var cands []int32
	for w, i := range weak {
		o, s := &okta[i], oktaSlot(okta, int(i))
		first := len(cands)
		for _, k := range appendKeys(kb[:0], o.Login, o.Email) {
			for _, u := range byKey.get(k, &buf) {
				if m.ownedByOther(u, s, o.ID, claimed) || m.containsSlot(cands[first:], u) {
					continue
				}
				cands = append(cands, u)
			}
		}
		start[w+1] = int32(len(cands))
		for _, u := range cands[first:] {
			wanted[m.slot(u)]++
		}
	}
	for w, i := range weak {
		// A repeated Okta id takes the candidates of its last user, as when they were kept by id.
		last := w
		for last+1 < len(weak) && okta[weak[last+1]].ID == okta[i].ID {
			last++
		}
		cs, s := cands[start[last]:start[last+1]], oktaSlot(okta, int(i))
		switch {
		case len(cs) == 0:
			ms.set(s, noUser)
		case len(cs) == 1 && wanted[m.slot(cs[0])] == 1:
			claim(s, cs[0])
		default:
			ms.setAmbiguous(s, m.idsOf(cs))
			for _, u := range cs {
				touched[m.slot(u)] = true
			}
		}
	}
	return ms, touched
}

// ownedByOther reports whether the user at position u belongs to an Okta user other than the one
// with slot s and id oktaID: by a stored link, by its externalId, or by a strong match made in
// this run.
func (m *matcher) ownedByOther(u, s int32, oktaID string, claimed []int32) bool {
	if o, ok := m.linkedTo(u); ok && o != oktaID {
		return true
	}
	if ext := m.users[u].ExternalID; ext != "" && ext != oktaID {
		return true
	}
	c := claimed[m.slot(u)]
	return c != noUser && c != s
}

// containsSlot reports whether us holds a user with u's id.
func (m *matcher) containsSlot(us []int32, u int32) bool {
	for _, x := range us {
		if m.slot(x) == m.slot(u) {
			return true
		}
	}
	return false
}

func (m *matcher) idsOf(us []int32) []string {
	ids := make([]string, 0, len(us))
	for _, u := range us {
		ids = append(ids, m.users[u].ID)
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
