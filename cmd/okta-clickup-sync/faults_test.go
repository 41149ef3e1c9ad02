package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/okta-clickup-sync/okta-clickup-sync/clickup/clickuptest"
	"github.com/okta-clickup-sync/okta-clickup-sync/internal/faults"
	"github.com/okta-clickup-sync/okta-clickup-sync/internal/httpretry"
	"github.com/okta-clickup-sync/okta-clickup-sync/internal/httpretry/httpretrytest"
	"github.com/okta-clickup-sync/okta-clickup-sync/okta/oktatest"
)

// runCtx is h.run under ctx, the adapters waiting through sleep.
func (h *harness) runCtx(t *testing.T, ctx context.Context, sleep httpretry.SleepFunc, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := mainWith(ctx, args, options{lookup: h.lookup, environ: h.environ(), clients: adapterClients{retry: httpretry.Policy{Sleep: sleep}}}, &out, &errb)
	r := result{code, out.String(), errb.String()}
	h.noSecrets(t, r, args)
	return r
}

// noSecrets fails the test when any configured secret reached the output; it names the
// variable, never the value.
func (h *harness) noSecrets(t *testing.T, r result, args []string) {
	t.Helper()
	for _, k := range []string{"OKTA_API_TOKEN", "CLICKUP_SCIM_TOKEN", "CLICKUP_API_TOKEN", "OKTA_PRIVATE_KEY"} {
		v := h.env[k]
		if v == "" {
			continue
		}
		if strings.Contains(r.stdout, v) || strings.Contains(r.stderr, v) {
			t.Fatalf("the value of %s reached the output of %v", k, args)
		}
	}
}

// readEndpoint is one read of a run and how to aim a fault at it.
type readEndpoint struct {
	name string
	// request is how the error must name the service and request.
	request string
	// required is a field the decoder must insist on.
	required string
	okta     bool
	method   string
	path     string
}

func readEndpoints(h *harness) []readEndpoint {
	return []readEndpoint{
		{"okta app users", "okta: list app users: GET /api/v1/apps/" + appID + "/users page ", "status", true, http.MethodGet, oktatest.PathAppUsers},
		{"scim users", "clickup scim GET /Users?startIndex=", "userName", false, http.MethodGet, clickuptest.PathSCIMUsers},
		{"rest team", "clickup rest GET /team: ", "role", false, http.MethodGet, clickuptest.PathTeams},
		{"rest custom roles", "clickup rest GET /team/" + h.cu.WorkspaceID() + "/customroles: ", "name", false, http.MethodGet, clickuptest.PathCustomRoles},
	}
}

// inject aims r at the endpoint on the fake that serves it.
func (h *harness) inject(ep readEndpoint, r faults.Rule) {
	r.Method, r.Path = ep.method, ep.path
	if ep.okta {
		h.okta.Faults(1).Add(r)
	} else {
		h.cu.Faults(1).Add(r)
	}
}

func statusRule(ep readEndpoint, status int) faults.Rule {
	if ep.okta {
		if status >= 500 {
			return oktatest.ServerError(status)
		}
		return faults.Rule{Kind: faults.Status, Status: status,
			Body: `{"errorCode":"E0000011","errorSummary":"Invalid token provided","errorLink":"E0000011","errorId":"oaefault","errorCauses":[]}`}
	}
	if status >= 500 {
		return clickuptest.ServerError(status)
	}
	return faults.Rule{Kind: faults.Status, Status: status, Body: `{"status":"401","detail":"invalid token"}`}
}

// numbersAsStrings sends every JSON number as a string: SCIM counters, REST ids and roles.
var numbersAsStrings = faults.EditJSON(func(v any) any {
	var walk func(v any) any
	walk = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				x[k] = walk(e)
			}
		case []any:
			for i, e := range x {
				x[i] = walk(e)
			}
		case interface{ String() string }:
			return x.String()
		}
		return v
	}
	return walk(v)
})

// TestFaultMatrix: whatever goes wrong with any read, the run stops before its first write, with
// an error that says which service and request failed.
func TestFaultMatrix(t *testing.T) {
	type fault struct {
		name  string
		only  string // the endpoint it applies to, "" for all; "scim+rest" for those with integers
		apply func(h *harness, ep readEndpoint)
	}
	rule := func(r func(ep readEndpoint) faults.Rule) func(h *harness, ep readEndpoint) {
		return func(h *harness, ep readEndpoint) { h.inject(ep, r(ep)) }
	}
	rewrite := func(f func([]byte) []byte) func(h *harness, ep readEndpoint) {
		return rule(func(readEndpoint) faults.Rule { return faults.Rule{Kind: faults.Rewrite, Transform: f} })
	}
	matrix := []fault{
		{"persistent 5xx beyond the retries", "", rule(func(ep readEndpoint) faults.Rule { return statusRule(ep, http.StatusServiceUnavailable) })},
		{"401", "", rule(func(ep readEndpoint) faults.Rule { return statusRule(ep, http.StatusUnauthorized) })},
		{"malformed JSON", "", rewrite(faults.BadJSON)},
		{"truncated body", "", rewrite(faults.HalfBody)},
		{"connection cut in the body", "", rule(func(readEndpoint) faults.Rule { return faults.Rule{Kind: faults.CutBody} })},
		{"connection dropped", "", rule(func(readEndpoint) faults.Rule { return faults.Rule{Kind: faults.HangUp} })},
		{"missing required field", "", func(h *harness, ep readEndpoint) {
			h.inject(ep, faults.Rule{Kind: faults.Rewrite, Transform: faults.DropKey(ep.required)})
		}},
		{"non-integer counters and ids", "scim+rest", rewrite(numbersAsStrings)},
		{"counters disagreeing with the pages", "scim users", rewrite(clickuptest.TotalOffBy(1))},
		{"short page", "scim users", rewrite(clickuptest.ShortPage)},
		{"looping next link", "okta app users", func(h *harness, _ readEndpoint) { h.okta.RepeatNextLink(true) }},
	}
	probe := newHarness(t)
	for _, ep := range readEndpoints(probe) {
		for _, f := range matrix {
			switch {
			case f.only == "scim+rest" && ep.okta, f.only != "" && f.only != "scim+rest" && f.only != ep.name:
				continue
			}
			t.Run(ep.name+"/"+f.name, func(t *testing.T) {
				h := newHarness(t)
				h.person("nina@x.io", "ACTIVE", map[string]any{"role": "admin"}) // a run that reads well writes
				h.person("omar@x.io", "ACTIVE", map[string]any{"role": "member"})
				f.apply(h, ep)
				h.cu.ResetRequests()
				var s httpretrytest.Waits
				r := h.runCtx(t, t.Context(), s.Sleep, "reconcile")
				if r.code != exitError {
					t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
				}
				if w := h.cu.Writes(); len(w) != 0 {
					t.Fatalf("%d writes after a failed read: %+v", len(w), w)
				}
				if !strings.Contains(r.stderr, ep.request) || !strings.Contains(r.stderr, "read failed, nothing was written") {
					t.Errorf("the error does not name %q:\n%s", ep.request, r.stderr)
				}
				if n := len(s.All()); n > httpretry.DefaultMaxRetries {
					t.Errorf("%d waits: retries are not bounded", n)
				}
			})
		}
	}
}

func TestFaultRecovery(t *testing.T) {
	probe := newHarness(t)
	for _, ep := range readEndpoints(probe) {
		t.Run(ep.name+"/a page that fails once is retried", func(t *testing.T) {
			h := newHarness(t)
			h.person("nina@x.io", "ACTIVE", map[string]any{"role": "admin"})
			r := statusRule(ep, http.StatusServiceUnavailable)
			r.Times, r.PerURI = 1, true
			h.inject(ep, r)
			var s httpretrytest.Waits
			h.cu.ResetRequests()
			res := h.runCtx(t, t.Context(), s.Sleep, "reconcile")
			if res.code != exitOK {
				t.Fatalf("exit %d\n%s", res.code, res.stderr)
			}
			if w := h.cu.Writes(); len(w) != 1 || w[0].Method != http.MethodPost {
				t.Errorf("writes %+v, want the one create", w)
			}
			if u := h.find(t, "nina@x.io"); !u.Active || u.Role != "admin" {
				t.Errorf("created %+v", u)
			}
			if len(s.All()) == 0 {
				t.Error("the retry did not back off")
			}
		})
		for _, ms := range []bool{false, true} {
			unit := map[bool]string{false: "seconds", true: "milliseconds"}[ms]
			t.Run(ep.name+"/a 429 burst with the reset in "+unit+" is waited out", func(t *testing.T) {
				h := newHarness(t)
				h.person("nina@x.io", "ACTIVE", map[string]any{"role": "admin"})
				var r faults.Rule
				if ep.okta {
					r = oktatest.RateLimited(oktatest.ResetIn(5*time.Second, ms))
				} else {
					r = clickuptest.RateLimited(clickuptest.ResetIn(5*time.Second, ms))
				}
				r.Times = 2
				h.inject(ep, r)
				var s httpretrytest.Waits
				h.cu.ResetRequests()
				res := h.runCtx(t, t.Context(), s.Sleep, "reconcile")
				if res.code != exitOK {
					t.Fatalf("exit %d\n%s", res.code, res.stderr)
				}
				if w := h.cu.Writes(); len(w) != 1 {
					t.Errorf("writes %+v, want the one create", w)
				}
				h.find(t, "nina@x.io")
				// Until the reset (4-5s away, as it is whole seconds), plus at most a second of
				// jitter; never the 60s cap, which would mean milliseconds read as seconds.
				waits := s.All()
				var ok bool
				for _, d := range waits {
					if d >= 3*time.Second && d <= 6500*time.Millisecond {
						ok = true
					}
					if d > 10*time.Second {
						t.Errorf("a wait of %v", d)
					}
				}
				if !ok {
					t.Errorf("waits %v; none until the reset", waits)
				}
			})
		}
	}
}

// TestSecretsNeverReachOutput runs whole reconciles through every kind of failure and searches
// all of stdout and stderr for the tokens.
func TestSecretsNeverReachOutput(t *testing.T) {
	scenarios := []struct {
		name  string
		setup func(h *harness)
	}{
		{"wrong okta token", func(h *harness) { h.env["OKTA_API_TOKEN"] = "00wrongOktaTokenValue" }},
		{"wrong scim token", func(h *harness) { h.env["CLICKUP_SCIM_TOKEN"] = "wrong-scim-token-value" }},
		{"wrong rest token", func(h *harness) { h.env["CLICKUP_API_TOKEN"] = "pk_wrong_rest_token" }},
		{"5xx storm", func(h *harness) {
			h.okta.Faults(1).Add(faults.Rule{Kind: faults.Status, Status: 502, Rate: 0.5, Body: "<html>bad gateway</html>"})
			h.cu.Faults(2).Add(faults.Rule{Kind: faults.Status, Status: 503, Rate: 0.5, Body: "<html>unavailable</html>"})
		}},
		{"malformed bodies", func(h *harness) {
			h.cu.Faults(3).Add(faults.Rule{Kind: faults.Rewrite, Transform: faults.BadJSON, Rate: 0.5})
			h.okta.Faults(4).Add(faults.Rule{Kind: faults.Rewrite, Transform: faults.HalfBody, Rate: 0.5})
		}},
		{"failing writes", func(h *harness) {
			h.cu.Faults(5).Add(faults.Rule{Method: http.MethodPost, Kind: faults.DropAfterWrite})
			h.cu.Faults(6).Add(faults.Rule{Method: http.MethodPatch, Kind: faults.Status, Status: 500})
		}},
		// A server that echoes the credential back must not carry it into our errors either.
		{"echoing server", func(h *harness) {
			echo := func(next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(http.StatusBadRequest)
					fmt.Fprintf(w, `{"status":"400","detail":"bad token %s","errorCode":"E0000001","errorSummary":"bad token %s","errorCauses":[]}`,
						r.Header.Get("Authorization"), r.Header.Get("Authorization"))
				})
			}
			h.cu.Use(echo)
			h.okta.Use(echo)
		}},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			h := newHarness(t)
			h.person("nina@x.io", "ACTIVE", map[string]any{"role": "admin"})
			gone := h.person("gone@x.io", "ACTIVE", nil)
			h.clickup(clickuptest.User{ExternalID: gone, UserName: "gone@x.io", Active: true})
			secrets := map[string]string{
				"OKTA_API_TOKEN": h.env["OKTA_API_TOKEN"], "CLICKUP_SCIM_TOKEN": h.env["CLICKUP_SCIM_TOKEN"], "CLICKUP_API_TOKEN": h.env["CLICKUP_API_TOKEN"],
			}
			sc.setup(h)
			var s httpretrytest.Waits
			for _, args := range [][]string{{"reconcile", "--dry-run"}, {"reconcile"}, {"reconcile", "--output", "json"}} {
				h.env["LOG_LEVEL"] = "debug"
				r := h.runCtx(t, t.Context(), s.Sleep, args...)
				if sc.name == "echoing server" && !strings.Contains(r.stderr, "[REDACTED]") {
					t.Errorf("the echoed token was not seen and redacted:\n%s", r.stderr)
				}
				for k, v := range secrets { // the right tokens too, when a wrong one is configured
					if strings.Contains(r.stdout, v) || strings.Contains(r.stderr, v) {
						t.Fatalf("the value of %s reached the output of %v", k, args)
					}
				}
			}
		})
	}
}
