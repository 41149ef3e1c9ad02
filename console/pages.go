package console

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Page sizes of the entry lists: enough to scan, small enough for a 100,000-entry run.
const (
	entryPage    = 200
	userHistory  = 500
	heldRunsRead = 200
)

type runsData struct {
	layout
	Runs       []runRow
	Chart      chart
	Awaiting   int
	Page       int
	Prev, Next string
}

func (c *console) runsPage(w http.ResponseWriter, r *http.Request, s session) {
	pg := pageNumber(r)
	runs, more, err := c.opt.Store.Runs(r.Context(), RunQuery{Offset: (pg - 1) * defaultRunPage, Limit: defaultRunPage})
	if err != nil {
		c.storeError(w, r, err)
		return
	}
	held, _, err := c.opt.Store.Runs(r.Context(), RunQuery{Status: "held", Limit: heldRunsRead})
	if err != nil {
		c.storeError(w, r, err)
		return
	}
	d := runsData{layout: signedInLayout("Runs", "runs", s), Chart: newChart(runs, c.opt.Location), Page: pg}
	for _, run := range held {
		if run.ApprovedBy == "" {
			d.Awaiting++
		}
	}
	for _, run := range runs {
		d.Runs = append(d.Runs, newRunRow(run))
	}
	if pg > 1 {
		d.Prev = "/ui/?page=" + strconv.Itoa(pg-1)
	}
	if more {
		d.Next = "/ui/?page=" + strconv.Itoa(pg+1)
	}
	c.render(w, r, http.StatusOK, "runs", d)
}

type option struct {
	Value    string
	N        int
	Selected bool
}

type runData struct {
	layout
	Run        runRow
	Outcomes   []count
	Held       []Entry
	CanApprove bool // held, not yet approved, and approvals are on
	ApproveOff bool // held and not yet approved, but this console cannot approve
	// The filter and the page of entries it selects.
	Action, Outcome, User string
	Filtered              bool
	ActionOptions         []option
	OutcomeOptions        []option
	Entries               []Entry
	Total                 int
	First, Last           int
	Prev, Next            string
}

func (c *console) runPage(w http.ResponseWriter, r *http.Request, s session) {
	ctx := r.Context()
	run, err := c.opt.Store.Run(ctx, r.PathValue("id"))
	if err != nil {
		c.storeError(w, r, err)
		return
	}
	q := r.URL.Query()
	d := runData{
		layout:  signedInLayout("Run "+run.ID, "runs", s),
		Run:     newRunRow(run),
		Action:  strings.TrimSpace(q.Get("action")),
		Outcome: strings.TrimSpace(q.Get("outcome")),
		User:    strings.TrimSpace(q.Get("user")),
	}
	d.Filtered = d.Action != "" || d.Outcome != "" || d.User != ""
	for i, a := range d.Run.Actions {
		d.Run.Actions[i].Href = filterHref(run.ID, url.Values{"action": {a.Name}})
	}
	d.Outcomes = counts(run.Outcomes, outcomeRank)
	for i, o := range d.Outcomes {
		d.Outcomes[i].Href = filterHref(run.ID, url.Values{"outcome": {o.Name}})
	}
	d.ActionOptions = options(d.Run.Actions, d.Action)
	d.OutcomeOptions = options(d.Outcomes, d.Outcome)

	held, err := c.opt.Store.Held(ctx, run.ID)
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		c.storeError(w, r, err)
		return
	default:
		d.Held = held
		d.CanApprove = run.ApprovedBy == "" && c.opt.Approve != nil
		d.ApproveOff = run.ApprovedBy == "" && c.opt.Approve == nil
	}

	pg := pageNumber(r)
	p, err := c.opt.Store.RunEntries(ctx, EntryQuery{
		RunID: run.ID, Action: d.Action, Outcome: d.Outcome, User: d.User,
		Offset: (pg - 1) * entryPage, Limit: entryPage,
	})
	if err != nil {
		c.storeError(w, r, err)
		return
	}
	d.Entries, d.Total = p.Entries, p.Total
	if len(p.Entries) > 0 {
		d.First = (pg-1)*entryPage + 1
		d.Last = d.First + len(p.Entries) - 1
	}
	keep := url.Values{}
	for k, v := range map[string]string{"action": d.Action, "outcome": d.Outcome, "user": d.User} {
		if v != "" {
			keep.Set(k, v)
		}
	}
	if pg > 1 {
		keep.Set("page", strconv.Itoa(pg-1))
		d.Prev = filterHref(run.ID, keep)
	}
	if pg*entryPage < p.Total {
		keep.Set("page", strconv.Itoa(pg+1))
		d.Next = filterHref(run.ID, keep)
	}
	c.render(w, r, http.StatusOK, "run", d)
}

func filterHref(runID string, q url.Values) string {
	return "/ui/runs/" + url.PathEscape(runID) + "?" + q.Encode()
}

// options lists the values a filter can take; the chosen one stays listed even when the run
// has none of it, so the form shows what was asked.
func options(cs []count, chosen string) []option {
	out := make([]option, 0, len(cs)+1)
	found := false
	for _, c := range cs {
		out = append(out, option{Value: c.Name, N: c.N, Selected: c.Name == chosen})
		found = found || c.Name == chosen
	}
	if chosen != "" && !found {
		out = append(out, option{Value: chosen, Selected: true})
	}
	return out
}

type userData struct {
	layout
	Query      string
	Entries    []Entry // newest first
	Limited    bool
	Names      []string
	OktaIDs    []string
	ClickUpIDs []string
	Newest     *Entry // the newest entry: where the user stands now
	Latest     *Entry // the newest write applied: what was last done to the account
}

func (c *console) userPage(w http.ResponseWriter, r *http.Request, s session) {
	d := userData{layout: signedInLayout("User history", "users", s), Query: strings.TrimSpace(r.URL.Query().Get("q"))}
	if d.Query != "" {
		d.Title = "History of " + d.Query
		entries, err := c.opt.Store.UserHistory(r.Context(), d.Query, userHistory)
		if err != nil {
			c.storeError(w, r, err)
			return
		}
		d.Limited = len(entries) >= userHistory
		seen := map[string]bool{}
		addOnce := func(list *[]string, v string) {
			if v != "" && !seen[v] {
				seen[v] = true
				*list = append(*list, v)
			}
		}
		if len(entries) > 0 {
			d.Newest = &entries[len(entries)-1]
		}
		for i := len(entries) - 1; i >= 0; i-- {
			e := entries[i]
			d.Entries = append(d.Entries, e)
			addOnce(&d.Names, e.User)
			addOnce(&d.OktaIDs, e.OktaUserID)
			addOnce(&d.ClickUpIDs, e.ClickUpUserID)
			if d.Latest == nil && e.Outcome == "applied" {
				d.Latest = &d.Entries[len(d.Entries)-1]
			}
		}
	}
	c.render(w, r, http.StatusOK, "user", d)
}

type heldData struct {
	layout
	Awaiting   []heldRun
	Settled    []heldRun
	ApproveOff bool
}

type heldRun struct {
	Run     runRow
	Entries []Entry
	// SameAs is a newer run awaiting approval that holds the same deactivations (holds are
	// sticky, so every run repeats them until one is approved).
	SameAs string
	// CoveredBy is a newer held run, approved since, whose hold included all of these.
	CoveredBy string
}

func (c *console) heldPage(w http.ResponseWriter, r *http.Request, s session) {
	ctx := r.Context()
	runs, _, err := c.opt.Store.Runs(ctx, RunQuery{Status: "held", Limit: heldRunsRead})
	if err != nil {
		c.storeError(w, r, err)
		return
	}
	d := heldData{layout: signedInLayout("Held runs", "held", s), ApproveOff: c.opt.Approve == nil}
	// Newest first: each run is compared with the newer ones already seen.
	type holdSet struct {
		id, approvedBy string
		keys           map[string]bool
	}
	var newer []holdSet
	for _, run := range runs {
		entries, err := c.opt.Store.Held(ctx, run.ID)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			c.storeError(w, r, err)
			return
		}
		hr := heldRun{Run: newRunRow(run), Entries: entries}
		keys := heldKeys(entries)
		if run.ApprovedBy != "" {
			d.Settled = append(d.Settled, hr)
		} else {
			for _, n := range newer {
				if n.approvedBy != "" && subset(keys, n.keys) {
					hr.CoveredBy = n.id
					break
				}
				if n.approvedBy == "" && hr.SameAs == "" && equalSets(keys, n.keys) {
					hr.SameAs = n.id
				}
			}
			if hr.CoveredBy != "" {
				d.Settled = append(d.Settled, hr)
			} else {
				d.Awaiting = append(d.Awaiting, hr)
			}
		}
		newer = append(newer, holdSet{id: run.ID, approvedBy: run.ApprovedBy, keys: keys})
	}
	c.render(w, r, http.StatusOK, "held", d)
}

func heldKeys(entries []Entry) map[string]bool {
	out := make(map[string]bool, len(entries))
	for _, e := range entries {
		out[e.Action+"\x00"+e.OktaUserID+"\x00"+e.ClickUpUserID] = true
	}
	return out
}

func subset(a, b map[string]bool) bool {
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

func equalSets(a, b map[string]bool) bool { return len(a) == len(b) && subset(a, b) }

func pageNumber(r *http.Request) int {
	n, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || n < 1 {
		return 1
	}
	return min(n, 1_000_000)
}

type errorData struct {
	layout
	Status  int
	Message string
}

func (c *console) errorPage(w http.ResponseWriter, r *http.Request, status int, msg string) {
	if msg == "" {
		switch status {
		case http.StatusNotFound:
			msg = "There is no such page in the console."
		case http.StatusMethodNotAllowed:
			msg = "This page does not accept that method."
		default:
			msg = "Something went wrong; the daemon's log has the details."
		}
	}
	l := layout{Title: http.StatusText(status)}
	if s, ok := c.session(r); ok {
		l = signedInLayout(l.Title, "", s)
	}
	c.render(w, r, status, "error", errorData{layout: l, Status: status, Message: msg})
}

// storeError answers a failed read: 404 for a run that does not exist, 500 otherwise, with the
// cause in the log rather than on the page.
func (c *console) storeError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, ErrNotFound) {
		c.errorPage(w, r, http.StatusNotFound, "No run with that id was recorded (or it has been pruned).")
		return
	}
	c.log.Error().Err(err).Str("path", r.URL.Path).Msg("console read from the store failed")
	c.errorPage(w, r, http.StatusInternalServerError, "The state file could not be read; the daemon's log has the details.")
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// truncate keeps at most n bytes of s, never splitting a character.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}
