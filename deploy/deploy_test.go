package deploy_test

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"text/template"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"github.com/prometheus/prometheus/promql/parser"
	"sigs.k8s.io/yaml"
)

var promql = parser.NewParser(parser.Options{})

// exprUse is what one PromQL expression takes from the metrics.
type exprUse struct {
	metrics  map[string]bool // exposed metric names (histograms by their base name)
	problems []string
}

// checkExpr parses a PromQL expression and checks every metric it reads against exposedMetrics:
// the name, the labels its matchers and groupings use, rate() only over counters and histogram
// series, and histogram_quantile() only over buckets grouped by le.
func checkExpr(expr string) exprUse {
	u := exprUse{metrics: map[string]bool{}}
	ast, err := promql.ParseExpr(expr)
	if err != nil {
		u.problems = append(u.problems, "does not parse: "+err.Error())
		return u
	}
	parser.Inspect(ast, func(node parser.Node, _ []parser.Node) error {
		switch n := node.(type) {
		case *parser.VectorSelector:
			u.checkSelector(n)
		case *parser.AggregateExpr:
			u.checkGrouping(n.Grouping, labelsIn(n.Expr), n.Without)
		case *parser.BinaryExpr:
			if n.VectorMatching != nil {
				u.checkGrouping(n.VectorMatching.MatchingLabels, append(labelsIn(n.LHS), labelsIn(n.RHS)...), false)
			}
		case *parser.Call:
			u.checkCall(n)
		}
		return nil
	})
	return u
}

func (u *exprUse) checkSelector(n *parser.VectorSelector) {
	if !strings.HasPrefix(n.Name, "okta_clickup_sync_") {
		u.problems = append(u.problems, "reads "+n.Name+", not a metric of okta-clickup-sync")
		return
	}
	m, bucket, ok := seriesMetric(n.Name)
	if !ok {
		u.problems = append(u.problems, "reads "+n.Name+", which exposedMetrics lacks")
		return
	}
	u.metrics[m.name] = true
	allowed := append(slices.Clone(m.labels), targetLabels...)
	if bucket {
		allowed = append(allowed, "le")
	}
	for _, lm := range n.LabelMatchers {
		if lm.Name != "__name__" && !slices.Contains(allowed, lm.Name) {
			u.problems = append(u.problems, n.Name+" has no label "+lm.Name)
		}
	}
}

// labelsIn returns the labels the series read by an expression can carry.
func labelsIn(e parser.Expr) []string {
	out := slices.Clone(targetLabels)
	parser.Inspect(e, func(node parser.Node, _ []parser.Node) error {
		if vs, ok := node.(*parser.VectorSelector); ok {
			if m, bucket, ok := seriesMetric(vs.Name); ok {
				out = append(out, m.labels...)
				if bucket {
					out = append(out, "le")
				}
			}
		}
		return nil
	})
	return out
}

func (u *exprUse) checkGrouping(grouping, available []string, without bool) {
	for _, l := range grouping {
		if !slices.Contains(available, l) && !without {
			u.problems = append(u.problems, "groups by "+l+", a label none of its metrics has")
		}
	}
}

func (u *exprUse) checkCall(n *parser.Call) {
	switch n.Func.Name {
	case "rate", "irate", "increase":
		ms, ok := n.Args[0].(*parser.MatrixSelector)
		if !ok {
			return
		}
		vs := ms.VectorSelector.(*parser.VectorSelector)
		if m, bucket, ok := seriesMetric(vs.Name); ok && m.typ == gauge {
			u.problems = append(u.problems, n.Func.Name+"() over the gauge "+vs.Name)
		} else if ok && m.typ == histogram && !bucket && !strings.HasSuffix(vs.Name, "_sum") && !strings.HasSuffix(vs.Name, "_count") {
			u.problems = append(u.problems, n.Func.Name+"() over "+vs.Name)
		}
	case "histogram_quantile":
		agg, ok := n.Args[1].(*parser.AggregateExpr)
		if !ok || agg.Without || !slices.Contains(agg.Grouping, "le") {
			u.problems = append(u.problems, "histogram_quantile() over an aggregation that does not keep le")
		}
		parser.Inspect(n.Args[1], func(node parser.Node, _ []parser.Node) error {
			if vs, ok := node.(*parser.VectorSelector); ok && !strings.HasSuffix(vs.Name, "_bucket") {
				u.problems = append(u.problems, "histogram_quantile() over "+vs.Name+", not a _bucket series")
			}
			return nil
		})
	}
}

// The checker must be able to fail, or a green test proves nothing.
func TestCheckExpr_Refuses(t *testing.T) {
	for expr, want := range map[string]string{
		`okta_clickup_sync_runs_total{outcome="failed"`: "does not parse",
		`okta_clickup_sync_run_total`:                   "exposedMetrics lacks",
		`up`:                                            "not a metric of okta-clickup-sync",
		`okta_clickup_sync_runs_total{status="failed"}`:                                                    "no label status",
		`sum by (service) (okta_clickup_sync_runs_total)`:                                                  "groups by service",
		`rate(okta_clickup_sync_held_deactivations[5m])`:                                                   "over the gauge",
		`rate(okta_clickup_sync_run_duration_seconds[5m])`:                                                 "exposedMetrics lacks",
		`histogram_quantile(0.9, sum by (kind) (rate(okta_clickup_sync_run_duration_seconds_bucket[5m])))`: "does not keep le",
		`histogram_quantile(0.9, sum by (le) (rate(okta_clickup_sync_run_duration_seconds_sum[5m])))`:      "not a _bucket series",
		`okta_clickup_sync_held_deactivations_bucket`:                                                      "exposedMetrics lacks",
		`okta_clickup_sync_leader > on (role) okta_clickup_sync_leader`:                                    "groups by role",
	} {
		u := checkExpr(expr)
		if !slices.ContainsFunc(u.problems, func(p string) bool { return strings.Contains(p, want) }) {
			t.Errorf("%s: problems %q, want one containing %q", expr, u.problems, want)
		}
	}
	if u := checkExpr(`histogram_quantile(0.95, sum by (le, service, endpoint) (rate(okta_clickup_sync_api_request_duration_seconds_bucket{code="200"}[5m])))`); len(u.problems) != 0 {
		t.Errorf("a correct expression refused: %q", u.problems)
	}
}

func loadRule(t *testing.T) monitoringv1.PrometheusRule {
	t.Helper()
	b, err := os.ReadFile("kubernetes/prometheusrule.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var r monitoringv1.PrometheusRule
	if err := yaml.UnmarshalStrict(b, &r); err != nil {
		t.Fatalf("prometheusrule.yaml: %v", err)
	}
	return r
}

// promTemplateFuncs are the functions Prometheus gives alert templates, for parsing them here.
var promTemplateFuncs = template.FuncMap{}

func init() {
	for _, name := range []string{"humanize", "humanize1024", "humanizeDuration", "humanizePercentage", "humanizeTimestamp", "title", "toUpper", "toLower", "first", "label", "value", "query", "args", "reReplaceAll", "match", "safeHtml", "strvalue", "sortByLabel", "graphLink", "tableLink", "pathPrefix", "externalURL", "parseDuration", "stripPort", "stripDomain", "toTime", "toDuration", "now"} {
		promTemplateFuncs[name] = func(...any) any { return nil }
	}
}

func TestPrometheusRule(t *testing.T) {
	r := loadRule(t)
	if r.Kind != "PrometheusRule" || r.APIVersion != "monitoring.coreos.com/v1" || r.Namespace != "okta-clickup-sync" {
		t.Errorf("header: %s %s in %q", r.APIVersion, r.Kind, r.Namespace)
	}
	var alerts []string
	for _, g := range r.Spec.Groups {
		for _, rule := range g.Rules {
			name := rule.Alert
			alerts = append(alerts, name)
			if !strings.HasPrefix(name, "OktaClickUpSync") {
				t.Errorf("alert %q: names start with OktaClickUpSync", name)
			}
			for _, p := range checkExpr(rule.Expr.String()).problems {
				t.Errorf("%s: %s", name, p)
			}
			if rule.For == nil || *rule.For == "" {
				t.Errorf("%s: no for:", name)
			}
			if s := rule.Labels["severity"]; s != "warning" && s != "critical" {
				t.Errorf("%s: severity %q, want warning or critical", name, s)
			}
			for _, a := range []string{"summary", "description", "runbook_url"} {
				text := rule.Annotations[a]
				if strings.TrimSpace(text) == "" {
					t.Errorf("%s: no %s annotation", name, a)
					continue
				}
				// Prometheus defines $labels and $value before expanding an annotation.
				src := "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$value := .Value}}" + text
				if _, err := template.New(name).Funcs(promTemplateFuncs).Parse(src); err != nil {
					t.Errorf("%s: %s does not parse: %v", name, a, err)
				}
			}
			if !strings.Contains(rule.Annotations["description"], "okta-clickup-sync") {
				t.Errorf("%s: the description should say what to run", name)
			}
		}
	}
	// What DESIGN.md §12 asks for, by name, so that a rename is deliberate.
	for _, want := range []string{
		"OktaClickUpSyncRunFailing", "OktaClickUpSyncDeactivationsHeld", "OktaClickUpSyncNoRecentSuccess",
		"OktaClickUpSyncRateLimitStorm",
	} {
		if !slices.Contains(alerts, want) {
			t.Errorf("no alert %s", want)
		}
	}
	// "No success for N schedules" counts in schedules, not in a fixed time.
	for _, g := range r.Spec.Groups {
		for _, rule := range g.Rules {
			if rule.Alert == "OktaClickUpSyncNoRecentSuccess" && !strings.Contains(rule.Expr.String(), "okta_clickup_sync_schedule_interval_seconds") {
				t.Error("OktaClickUpSyncNoRecentSuccess does not use the schedule interval")
			}
		}
	}
}

// grafanaVars stands in for Grafana's variables, so that panel queries parse as Prometheus gets
// them.
var grafanaVars = regexp.MustCompile(`\$\{?(__rate_interval|__interval|__range|namespace|job)\}?`)

func grafanaExpr(expr string) string {
	return grafanaVars.ReplaceAllStringFunc(expr, func(v string) string {
		if strings.Contains(v, "__") {
			return "5m"
		}
		return ".*"
	})
}

type dashboard struct {
	UID           string  `json:"uid"`
	Title         string  `json:"title"`
	SchemaVersion int     `json:"schemaVersion"`
	Panels        []panel `json:"panels"`
	Templating    struct {
		List []struct {
			Name  string          `json:"name"`
			Type  string          `json:"type"`
			Query json.RawMessage `json:"query"`
		} `json:"list"`
	} `json:"templating"`
}

type panel struct {
	ID         int                      `json:"id"`
	Type       string                   `json:"type"`
	Title      string                   `json:"title"`
	GridPos    struct{ H, W, X, Y int } `json:"gridPos"`
	Datasource *struct {
		Type string `json:"type"`
		UID  string `json:"uid"`
	} `json:"datasource"`
	Targets []struct {
		Expr  string `json:"expr"`
		RefID string `json:"refId"`
	} `json:"targets"`
}

func loadDashboard(t *testing.T) dashboard {
	t.Helper()
	b, err := os.ReadFile("grafana/okta-clickup-sync.json")
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("okta-clickup-sync.json: %v", err)
	}
	return d
}

func TestDashboard(t *testing.T) {
	d := loadDashboard(t)
	if d.UID == "" || d.Title == "" || d.SchemaVersion < 36 {
		t.Errorf("uid %q, title %q, schemaVersion %d", d.UID, d.Title, d.SchemaVersion)
	}
	var vars []string
	for _, v := range d.Templating.List {
		vars = append(vars, v.Name)
		if v.Type == "query" {
			var q struct{ Query string }
			if err := json.Unmarshal(v.Query, &q); err != nil {
				t.Errorf("variable %s: %v", v.Name, err)
			}
			if !strings.Contains(q.Query, "okta_clickup_sync_build_info") {
				t.Errorf("variable %s: query %q", v.Name, q.Query)
			}
		}
	}
	if !slices.Equal(vars, []string{"datasource", "namespace", "job"}) {
		t.Errorf("variables %v", vars)
	}
	ids := map[int]bool{}
	for _, p := range d.Panels {
		if ids[p.ID] {
			t.Errorf("panel id %d twice", p.ID)
		}
		ids[p.ID] = true
		if p.GridPos.W <= 0 || p.GridPos.H <= 0 || p.GridPos.X+p.GridPos.W > 24 {
			t.Errorf("%q: gridPos %+v", p.Title, p.GridPos)
		}
		if p.Type == "row" {
			continue
		}
		if p.Datasource == nil || p.Datasource.UID != "${datasource}" {
			t.Errorf("%q: datasource %+v, want the ${datasource} variable", p.Title, p.Datasource)
		}
		if len(p.Targets) == 0 {
			t.Errorf("%q: no query", p.Title)
		}
		refs := map[string]bool{}
		for _, tg := range p.Targets {
			if refs[tg.RefID] {
				t.Errorf("%q: refId %s twice", p.Title, tg.RefID)
			}
			refs[tg.RefID] = true
			for _, prob := range checkExpr(grafanaExpr(tg.Expr)).problems {
				t.Errorf("%q %s: %s", p.Title, tg.RefID, prob)
			}
			if !strings.Contains(tg.Expr, `namespace=~"$namespace"`) || !strings.Contains(tg.Expr, `job=~"$job"`) {
				t.Errorf("%q %s: the query ignores the namespace and job variables", p.Title, tg.RefID)
			}
		}
	}
}

// Every exposed metric is shown on the dashboard, so a metric added to the binary and the list
// gets a panel.
func TestDashboard_ShowsEveryMetric(t *testing.T) {
	used := map[string]bool{}
	for _, p := range loadDashboard(t).Panels {
		for _, tg := range p.Targets {
			for m := range checkExpr(grafanaExpr(tg.Expr)).metrics {
				used[m] = true
			}
		}
	}
	for _, m := range exposedMetrics {
		if !used[m.name] {
			t.Errorf("the dashboard does not show %s", m.name)
		}
	}
}

// Every YAML and JSON file here parses, so that a file added later is at least well-formed.
func TestEveryFileParses(t *testing.T) {
	n := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		switch filepath.Ext(path) {
		case ".yaml", ".yml":
			var v any
			if err := yaml.Unmarshal(b, &v); err != nil {
				t.Errorf("%s: %v", path, err)
			}
		case ".json":
			var v any
			if err := json.Unmarshal(b, &v); err != nil {
				t.Errorf("%s: %v", path, err)
			}
		default:
			return nil
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 19 {
		t.Errorf("parsed %d files; the walk is not seeing deploy/", n)
	}
}
