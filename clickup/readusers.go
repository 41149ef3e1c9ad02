package clickup

import (
	"hash/maphash"
	gosync "sync"

	core "github.com/okta-clickup-sync/okta-clickup-sync/sync"
)

// readUsers keeps, per user id this client has read (a listing, GET /Users/{id}, a filter, the
// answer to a write), what a later PUT of that user must send back, so that attributes this
// build does not model are never wiped (DESIGN.md §4). A listing replaces the whole set: a user
// it does not show is not one to PUT. The core's types never carry any of it.
type readUsers struct {
	seed maphash.Seed
	mu   gosync.Mutex
	byID map[string]keptUser
}

// keptUser is what a PUT of a user needs besides the user itself: the rest of the resource as
// read (userDoc's JSON without the modeled attributes; "" when nothing is left), and a checksum
// of the modeled attributes as read, so that a PUT cannot send others (DESIGN.md §6: after
// creation only the role is pushed).
type keptUser struct {
	rest string
	sum  uint64
	// user is the user as read, kept only for a service without PATCH, whose activations are a
	// PUT of the whole user (nopatch.go); its rest then keeps the role attributes too.
	user *core.ClickUpUser
}

func newReadUsers() *readUsers { return &readUsers{seed: maphash.MakeSeed()} }

// sum is the checksum of the attributes a PUT takes from the user rather than from the rest.
func (r *readUsers) sum(u core.ClickUpUser) uint64 {
	var h maphash.Hash
	h.SetSeed(r.seed)
	for _, s := range [...]string{u.ExternalID, u.UserName, u.GivenName, u.FamilyName, u.Email} {
		maphash.WriteComparable(&h, len(s))
		h.WriteString(s)
	}
	return h.Sum64()
}

// replace keeps exactly the users of a whole listing; kept is beside users.
func (r *readUsers) replace(users []core.ClickUpUser, kept []keptUser) {
	m := make(map[string]keptUser, len(users))
	for i, u := range users {
		m[u.ID] = kept[i]
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.byID = m
}

// put keeps what was read of users, replacing what was kept of them before.
func (r *readUsers) put(users []core.ClickUpUser, kept []keptUser) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.byID == nil {
		r.byID = make(map[string]keptUser, len(users))
	}
	for i, u := range users {
		r.byID[u.ID] = kept[i]
	}
}

func (r *readUsers) get(id string) (keptUser, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	kept, ok := r.byID[id]
	return kept, ok
}
