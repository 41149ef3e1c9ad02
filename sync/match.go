package sync

import (
	"sort"
	"strings"
)

// matchKind says how an Okta user was paired with a ClickUp user (DESIGN.md §5).
type matchKind int

const (
	unmatched matchKind = iota
	byStoredLink
	byExternalID
	byUserNameOrEmail
	ambiguous // several ClickUp users could be this Okta user: no write for it
)

// match is what matching found for one Okta user.
type match struct {
	kind       matchKind
	user       *ClickUpUser // for the three kinds that found one user
	candidates []string     // ambiguous: the ClickUp ids that could be this user, sorted
}

// managed reports whether the match makes the ClickUp user this product's to deactivate: a
// stored link, or an externalId that is this Okta user's id. A match by userName or email alone
// is not, since the account may have been made by hand or by another IdP; adopting it records a
// link, and from then on it is managed.
func (m match) managed() bool {
	return m.kind == byStoredLink || m.kind == byExternalID
}

// noOne marks a ClickUp user no Okta user has claimed.
const noOne = -1

// matcher pairs Okta users with ClickUp users, in the three steps of DESIGN.md §5, and never on
// names. A ClickUp user belongs to one Okta user at most; any doubt is reported as ambiguous
// rather than guessed, because a wrong match moves one person's access to another.
//
// Users are referred to by their index in the two slices. Nothing here writes to either slice.
type matcher struct {
	okta    []OktaUser // sorted by id
	clickup []ClickUpUser
	orgIDs  map[string]bool // externalIds checked against the Okta org: present or not

	clickupByID   map[string]int
	linkOf        map[string]string // stored links: Okta id -> ClickUp id
	linkedOktaIDs []string          // per ClickUp user: the Okta id its stored link names, or ""

	matches    []match // per Okta user
	claimedBy  []int   // per ClickUp user: the Okta user matched to it, or noOne
	considered []bool  // per ClickUp user: matched, or a candidate of an ambiguous match
	// unverified holds externalIds shaped like Okta user ids that are not in the listing and not
	// checked yet, where the answer would change the plan.
	unverified map[string]bool
}

func newMatcher(okta []OktaUser, clickup []ClickUpUser, opt Options) *matcher {
	m := &matcher{
		okta:        okta,
		clickup:     clickup,
		orgIDs:      opt.OrgExternalIDs,
		clickupByID: make(map[string]int, len(clickup)),
		linkOf:      opt.Links,
		matches:     make([]match, len(okta)),
		claimedBy:   make([]int, len(clickup)),
		considered:  make([]bool, len(clickup)),
		unverified:  map[string]bool{},
	}
	for c := range clickup {
		m.clickupByID[clickup[c].ID] = c
		m.claimedBy[c] = noOne
	}
	if len(opt.Links) > 0 {
		m.linkedOktaIDs = make([]string, len(clickup))
		for oktaID, clickupID := range opt.Links {
			if c, ok := m.clickupByID[clickupID]; ok {
				m.linkedOktaIDs[c] = oktaID
			}
		}
	}
	return m
}

// matchUsers runs the three steps of DESIGN.md §5 in order; each step only looks at the Okta
// users the steps before it left unmatched.
func matchUsers(okta []OktaUser, clickup []ClickUpUser, opt Options) *matcher {
	m := newMatcher(okta, clickup, opt)
	m.matchStoredLinks()
	m.matchExternalIDs()
	m.matchUserNamesAndEmails()
	return m
}

// matchStoredLinks is step 1: the link the store kept from an earlier run, when its ClickUp user
// still exists. A link whose user vanished is ignored, and the user is matched again below.
func (m *matcher) matchStoredLinks() {
	if len(m.linkOf) == 0 {
		return
	}
	for o := range m.okta {
		if c, ok := m.clickupByID[m.linkOf[m.okta[o].ID]]; ok {
			m.claim(o, c, byStoredLink)
		}
	}
}

// matchExternalIDs is step 2: the SCIM externalId, which every create sets to the Okta user id
// (ours and Okta's own push alike). Two ClickUp users carrying one Okta id is bad data: neither
// is written until someone fixes it.
func (m *matcher) matchExternalIDs() {
	carriers := make(map[string][]int) // Okta id -> the ClickUp users carrying it; only ids wanted
	for o := range m.okta {
		if m.matches[o].kind == unmatched {
			carriers[m.okta[o].ID] = nil
		}
	}
	if len(carriers) == 0 {
		return
	}
	for c := range m.clickup {
		ext := m.clickup[c].ExternalID
		if cs, wanted := carriers[ext]; wanted && ext != "" {
			carriers[ext] = append(cs, c)
		}
	}
	for o := range m.okta {
		if m.matches[o].kind != unmatched {
			continue
		}
		switch cs := carriers[m.okta[o].ID]; len(cs) {
		case 0:
		case 1:
			m.claim(o, cs[0], byExternalID)
		default:
			m.setAmbiguous(o, cs)
		}
	}
}

// matchUserNamesAndEmails is step 3: the ClickUp userName or primary email equal, ignoring case,
// to the Okta login or email, among ClickUp users no other Okta user owns. It matches only when
// the Okta user has exactly one candidate and no other Okta user wants that candidate too.
func (m *matcher) matchUserNamesAndEmails() {
	var waiting []int // Okta users still unmatched
	byKey := make(map[string][]int)
	for o := range m.okta {
		if m.matches[o].kind != unmatched {
			continue
		}
		waiting = append(waiting, o)
		for _, k := range identityKeys(m.okta[o].Login, m.okta[o].Email) {
			byKey[k] = nil
		}
	}
	if len(waiting) == 0 {
		return
	}
	for c := range m.clickup {
		for _, k := range identityKeys(m.clickup[c].UserName, m.clickup[c].Email) {
			if cs, wanted := byKey[k]; wanted {
				byKey[k] = append(cs, c)
			}
		}
	}

	candidates := make(map[int][]int, len(waiting)) // Okta user -> its ClickUp candidates
	wantedBy := make(map[int]int)                   // ClickUp user -> how many Okta users want it
	for _, o := range waiting {
		var cs []int
		for _, k := range identityKeys(m.okta[o].Login, m.okta[o].Email) {
			for _, c := range byKey[k] {
				if !containsInt(cs, c) && !m.ownedByAnother(c, o) {
					cs = append(cs, c)
				}
			}
		}
		candidates[o] = cs
		for _, c := range cs {
			wantedBy[c]++
		}
	}
	for _, o := range waiting {
		switch cs := candidates[o]; {
		case len(cs) == 0:
		case len(cs) == 1 && wantedBy[cs[0]] == 1:
			m.claim(o, cs[0], byUserNameOrEmail)
		default:
			m.setAmbiguous(o, cs)
		}
	}
}

// ownedByAnother reports whether ClickUp user c belongs to an Okta user other than o: by a stored
// link, by a match made above, or by an externalId that names another user of this Okta org.
func (m *matcher) ownedByAnother(c, o int) bool {
	oktaID := m.okta[o].ID
	if m.linkedOktaIDs != nil && m.linkedOktaIDs[c] != "" && m.linkedOktaIDs[c] != oktaID {
		return true
	}
	if other := m.claimedBy[c]; other != noOne && other != o {
		return true
	}
	ext := m.clickup[c].ExternalID
	return ext != "" && ext != oktaID && !m.foreign(ext)
}

// foreign reports whether an externalId was set by another system than this Okta org: it is not
// shaped like an Okta user id, or the org said it has no such user. An id shaped like one but
// neither listed nor checked yet is taken as this org's until checked, and noted so the caller
// can check it: guessing "foreign" could hand one person's account to another.
func (m *matcher) foreign(ext string) bool {
	if !LooksLikeOktaUserID(ext) {
		return true
	}
	if m.listed(ext) {
		return false
	}
	exists, checked := m.orgIDs[ext]
	if !checked {
		m.unverified[ext] = true
		return false
	}
	return !exists
}

// listed reports whether the Okta listing has a user with this id.
func (m *matcher) listed(oktaID string) bool {
	i := sort.Search(len(m.okta), func(i int) bool { return m.okta[i].ID >= oktaID })
	return i < len(m.okta) && m.okta[i].ID == oktaID
}

// claim pairs Okta user o with ClickUp user c. When another Okta user already holds c through an
// identifier as strong, both are reported as ambiguous: that is bad data, not a choice to make.
func (m *matcher) claim(o, c int, kind matchKind) {
	m.considered[c] = true
	if other := m.claimedBy[c]; other != noOne && other != o {
		m.setAmbiguous(other, []int{c})
		m.setAmbiguous(o, []int{c})
		return
	}
	m.claimedBy[c] = o
	m.matches[o] = match{kind: kind, user: &m.clickup[c]}
}

// setAmbiguous records that Okta user o could be any of cs (added to the candidates it has).
func (m *matcher) setAmbiguous(o int, cs []int) {
	ids := m.matches[o].candidates
	for _, c := range cs {
		m.considered[c] = true
		if id := m.clickup[c].ID; !containsString(ids, id) {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	m.matches[o] = match{kind: ambiguous, candidates: ids}
}

// managedWithoutMatch reports whether ClickUp user c, which no Okta user in the listing matched,
// is this product's: it carries a stored link, or an externalId of this Okta org. foreignID is
// set when the externalId came from another system.
func (m *matcher) managedWithoutMatch(c int) (managed bool, oktaID string, foreignID bool) {
	if m.linkedOktaIDs != nil && m.linkedOktaIDs[c] != "" {
		return true, m.linkedOktaIDs[c], false
	}
	ext := m.clickup[c].ExternalID
	switch {
	case ext == "":
		return false, "", false
	case m.foreign(ext):
		return false, "", true
	default:
		return true, ext, false
	}
}

// Unverified returns, sorted, the externalIds shaped like Okta user ids that matching had to take
// as this org's without knowing.
func (m *matcher) unverifiedIDs() []string {
	if len(m.unverified) == 0 {
		return nil
	}
	ids := make([]string, 0, len(m.unverified))
	for id := range m.unverified {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// LooksLikeOktaUserID reports whether s has the shape of an Okta user id: "00u" and 17 letters or
// digits. An externalId of any other shape was set by another system.
func LooksLikeOktaUserID(s string) bool {
	if len(s) != 20 || !strings.HasPrefix(s, "00u") {
		return false
	}
	for _, r := range s[3:] {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

// identityKeys returns the distinct, non-empty, lower-cased identifiers among vs.
func identityKeys(vs ...string) []string {
	var keys []string
	for _, v := range vs {
		k := strings.ToLower(strings.TrimSpace(v))
		if k != "" && !containsString(keys, k) {
			keys = append(keys, k)
		}
	}
	return keys
}

func containsString(vs []string, v string) bool {
	for _, x := range vs {
		if x == v {
			return true
		}
	}
	return false
}

func containsInt(vs []int, v int) bool {
	for _, x := range vs {
		if x == v {
			return true
		}
	}
	return false
}
