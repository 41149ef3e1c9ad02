package console

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets
var assetFS embed.FS

var pageNames = []string{"runs", "run", "user", "held", "signin", "error"}

// views holds one template set per page, each the layout plus the page's content.
type views struct {
	pages map[string]*template.Template
}

func newViews(loc *time.Location) (*views, error) {
	css, err := assetFS.ReadFile("assets/console.css")
	if err != nil {
		return nil, fmt.Errorf("console: read stylesheet: %w", err)
	}
	sum := sha256.Sum256(css)
	cssURL := "/ui/assets/console.css?v=" + hex.EncodeToString(sum[:6])
	funcs := template.FuncMap{
		"css":          func() string { return cssURL },
		"zone":         loc.String,
		"when":         func(t time.Time) string { return when(t, loc) },
		"whenShort":    func(t time.Time) string { return whenShort(t, loc) },
		"iso":          func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"statusClass":  statusClass,
		"outcomeClass": outcomeClass,
		"actionClass":  actionClass,
		"userHref":     userHref,
		"runHref":      func(id string) string { return "/ui/runs/" + url.PathEscape(id) },
		"approveHref":  func(id string) string { return "/ui/runs/" + url.PathEscape(id) + "/approve" },
		"label":        label,
		"thousands":    thousands,
	}
	base, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials.html")
	if err != nil {
		return nil, fmt.Errorf("console: parse layout: %w", err)
	}
	v := &views{pages: map[string]*template.Template{}}
	for _, name := range pageNames {
		t, err := base.Clone()
		if err == nil {
			t, err = t.ParseFS(templateFS, "templates/"+name+".html")
		}
		if err != nil {
			return nil, fmt.Errorf("console: parse page %s: %w", name, err)
		}
		v.pages[name] = t
	}
	return v, nil
}

func (v *views) execute(w io.Writer, page string, data any) error {
	t, ok := v.pages[page]
	if !ok {
		return fmt.Errorf("no page %q", page)
	}
	return t.ExecuteTemplate(w, "layout.html", data)
}

// layout is what every page's frame needs.
type layout struct {
	Title    string
	Nav      string // the section the page belongs to
	SignedIn bool
	CSRF     string // for the sign-out form
	Flash    string
}

func signedInLayout(title, nav string, s session) layout {
	return layout{Title: title, Nav: nav, SignedIn: true, CSRF: s.CSRF, Flash: s.Flash}
}

func when(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(loc).Format("2006-01-02 15:04:05 MST")
}

func whenShort(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(loc).Format("2006-01-02 15:04 MST")
}

func duration(r Run) string {
	if r.End.IsZero() {
		if r.Status == "running" {
			return "running"
		}
		return "—"
	}
	d := r.End.Sub(r.Start)
	switch {
	case d < 0:
		return "—"
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1f s", d.Seconds())
	case d < time.Hour:
		return fmt.Sprintf("%d min %02d s", int(d.Minutes()), int(d.Seconds())%60)
	default:
		return fmt.Sprintf("%d h %02d min", int(d.Hours()), int(d.Minutes())%60)
	}
}

// Known values get their own colour; anything else is shown plainly, so a status or action a
// newer store records still reads well.
func statusClass(s string) string {
	switch s {
	case "success", "changed", "failed", "held", "refused", "interrupted", "running":
		return "st st-" + s
	}
	return "st"
}

func outcomeClass(o string) string {
	switch o {
	case "planned", "applied", "failed", "held", "ignored", "unknown":
		return "oc oc-" + o
	}
	return "oc"
}

func actionClass(a string) string {
	switch a {
	case "create_user", "reactivate", "create_team":
		return "ac ac-add"
	case "deactivate", "delete_team":
		return "ac ac-remove"
	case "update_role", "rename_team", "update_team_members":
		return "ac ac-change"
	case "invalid_role", "ambiguous_match", "unconfirmed_deactivation":
		return "ac ac-problem"
	}
	return "ac"
}

// label turns an action or outcome into words: create_user → create user.
func label(s string) string { return strings.ReplaceAll(s, "_", " ") }

// userHref links an entry to the history of its user, by the steadiest key it has.
func userHref(e Entry) string {
	key := e.OktaUserID
	if key == "" {
		key = e.User
	}
	if key == "" {
		key = e.ClickUpUserID
	}
	return "/ui/users?q=" + url.QueryEscape(key)
}

func thousands(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// count is one action or outcome with how many entries had it.
type count struct {
	Name string
	N    int
	Href string // the run's entries filtered to it, where useful
}

// actionRank orders actions as plans do: writes first, then problems, then reports.
var actionRank = []string{
	"create_user", "reactivate", "update_role", "deactivate",
	"create_team", "rename_team", "update_team_members", "delete_team",
	"invalid_role", "ambiguous_match", "unconfirmed_deactivation", "protected",
	"unmanaged_user", "team_member_drift", "profile_drift_ignored",
}

var outcomeRank = []string{"applied", "failed", "unknown", "held", "planned", "ignored"}

// counts lists the non-zero counts, known names in rank order, others after them by name.
func counts(m map[string]int, rank []string) []count {
	out := make([]count, 0, len(m))
	for name, n := range m {
		if n > 0 {
			out = append(out, count{Name: name, N: n})
		}
	}
	pos := func(name string) int {
		if i := slices.Index(rank, name); i >= 0 {
			return i
		}
		return len(rank)
	}
	sort.Slice(out, func(i, j int) bool {
		pi, pj := pos(out[i].Name), pos(out[j].Name)
		if pi != pj {
			return pi < pj
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// runRow is a run with what its row shows.
type runRow struct {
	Run
	Duration string
	Actions  []count
	Changes  int // writes made
}

func newRunRow(r Run) runRow {
	return runRow{Run: r, Duration: duration(r), Actions: counts(r.Actions, actionRank), Changes: r.Outcomes["applied"]}
}

// chart is the bar chart of changes per run: one bar per run, oldest on the left, stacked by
// what became of its writes.
type chart struct {
	Width, Height int
	Max           int
	Bars          []bar
}

type bar struct {
	X, W  int
	Href  string
	Title string
	Segs  []seg
}

type seg struct {
	Y, H  int
	Class string
}

const (
	chartHeight = 120
	barWidth    = 14
	barGap      = 6
	// chartSlots is the fewest bars the chart is drawn for, so a short history draws narrow
	// bars on the right (newest) rather than a few wide blocks.
	chartSlots = 30
)

func newChart(runs []Run, loc *time.Location) chart {
	c := chart{Height: chartHeight}
	layers := []string{"applied", "failed", "unknown", "held", "planned"}
	for _, r := range runs {
		total := 0
		for _, l := range layers {
			total += r.Outcomes[l]
		}
		c.Max = max(c.Max, total)
	}
	scale := 0.0
	if c.Max > 0 {
		scale = float64(chartHeight-2) / float64(c.Max)
	}
	slots := max(len(runs), chartSlots)
	for i, r := range slices.Backward(runs) {
		x := (slots - 1 - i) * (barWidth + barGap)
		b := bar{X: x, W: barWidth, Href: "/ui/runs/" + url.PathEscape(r.ID)}
		var parts []string
		y := chartHeight
		for _, l := range layers {
			n := r.Outcomes[l]
			if n == 0 {
				continue
			}
			parts = append(parts, fmt.Sprintf("%d %s", n, l))
			h := max(int(float64(n)*scale+0.5), 2)
			y -= h
			b.Segs = append(b.Segs, seg{Y: y, H: h, Class: "seg seg-" + l})
		}
		if len(b.Segs) == 0 {
			// A run that changed nothing still shows as a tick, so gaps mean no run.
			b.Segs = []seg{{Y: chartHeight - 2, H: 2, Class: "seg seg-none"}}
			parts = []string{"no changes"}
		}
		b.Title = fmt.Sprintf("%s · %s · %s", whenShort(r.Start, loc), r.Status, strings.Join(parts, ", "))
		c.Bars = append(c.Bars, b)
	}
	c.Width = slots*(barWidth+barGap) - barGap
	return c
}
