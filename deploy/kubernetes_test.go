package deploy_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/okta-clickup-sync/okta-clickup-sync/config"
)

const namespace = "okta-clickup-sync"

// kustomization is the part of kustomization.yaml these manifests use; strict decoding refuses
// anything else, a misspelt field included.
type kustomization struct {
	APIVersion string   `json:"apiVersion"`
	Kind       string   `json:"kind"`
	Namespace  string   `json:"namespace"`
	Resources  []string `json:"resources"`
}

// manifests is one directory of manifests, decoded into the API's own types.
type manifests struct {
	dir         string
	kust        kustomization
	deployment  *appsv1.Deployment
	configMaps  map[string]*corev1.ConfigMap
	secrets     map[string]*corev1.Secret
	pvcs        []*corev1.PersistentVolumeClaim
	services    []*corev1.Service
	pdbs        []*policyv1.PodDisruptionBudget
	unlisted    []string // YAML files that kustomization.yaml does not list
	decodedDocs int
}

// decodeStrict decodes one manifest into the type its kind names, refusing unknown fields.
func decodeStrict(b []byte) (any, error) {
	var tm metav1.TypeMeta
	if err := yaml.Unmarshal(b, &tm); err != nil {
		return nil, err
	}
	var obj any
	switch tm.Kind {
	case "Namespace":
		obj = &corev1.Namespace{}
	case "ConfigMap":
		obj = &corev1.ConfigMap{}
	case "Secret":
		obj = &corev1.Secret{}
	case "PersistentVolumeClaim":
		obj = &corev1.PersistentVolumeClaim{}
	case "Service":
		obj = &corev1.Service{}
	case "Deployment":
		obj = &appsv1.Deployment{}
	case "PodDisruptionBudget":
		obj = &policyv1.PodDisruptionBudget{}
	case "ServiceMonitor":
		obj = &monitoringv1.ServiceMonitor{}
	case "PrometheusRule":
		obj = &monitoringv1.PrometheusRule{}
	default:
		return nil, errors.New("unexpected kind " + tm.APIVersion + " " + tm.Kind)
	}
	return obj, yaml.UnmarshalStrict(b, obj)
}

func loadManifests(t *testing.T, dir string) *manifests {
	t.Helper()
	m := &manifests{dir: dir, configMaps: map[string]*corev1.ConfigMap{}, secrets: map[string]*corev1.Secret{}}
	kb, err := os.ReadFile(filepath.Join(dir, "kustomization.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.UnmarshalStrict(kb, &m.kust); err != nil {
		t.Fatalf("%s/kustomization.yaml: %v", dir, err)
	}
	if m.kust.Kind != "Kustomization" || m.kust.Namespace != namespace {
		t.Errorf("%s/kustomization.yaml: kind %q, namespace %q", dir, m.kust.Kind, m.kust.Namespace)
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		name := filepath.Base(f)
		if name == "kustomization.yaml" {
			continue
		}
		if !slices.Contains(m.kust.Resources, name) {
			m.unlisted = append(m.unlisted, name)
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte("\n---")) {
			t.Errorf("%s: one object per file", f)
		}
		obj, err := decodeStrict(b)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		m.decodedDocs++
		switch o := obj.(type) {
		case *appsv1.Deployment:
			m.deployment = o
		case *corev1.ConfigMap:
			m.configMaps[o.Name] = o
		case *corev1.Secret:
			m.secrets[o.Name] = o
		case *corev1.PersistentVolumeClaim:
			m.pvcs = append(m.pvcs, o)
		case *corev1.Service:
			m.services = append(m.services, o)
		case *policyv1.PodDisruptionBudget:
			m.pdbs = append(m.pdbs, o)
		}
	}
	for _, r := range m.kust.Resources {
		if _, err := os.Stat(filepath.Join(dir, r)); err != nil {
			t.Errorf("%s/kustomization.yaml lists %s: %v", dir, r, err)
		}
	}
	if m.deployment == nil {
		t.Fatalf("%s: no Deployment", dir)
	}
	return m
}

func TestKubernetes_Manifests(t *testing.T) {
	base := loadManifests(t, "kubernetes")
	// The Operator's kinds stay out of the default apply, which must work without their CRDs.
	if got := slices.Sorted(slices.Values(base.unlisted)); !slices.Equal(got, []string{"prometheusrule.yaml", "servicemonitor.yaml"}) {
		t.Errorf("kubernetes/: files not in kustomization.yaml: %v", got)
	}
	ha := loadManifests(t, "kubernetes-ha")
	if len(ha.unlisted) != 0 {
		t.Errorf("kubernetes-ha/: files not in kustomization.yaml: %v", ha.unlisted)
	}

	for _, m := range []*manifests{base, ha} {
		pod := m.deployment.Spec.Template.Spec
		if pod.EnableServiceLinks == nil || *pod.EnableServiceLinks {
			t.Errorf("%s: enableServiceLinks should be false (its variables look like ours)", m.dir)
		}
		c := pod.Containers[0]
		for _, e := range c.Env {
			if e.ValueFrom != nil {
				t.Errorf("%s: %s comes from valueFrom: secrets are files, never environment variables", m.dir, e.Name)
			}
		}
		for _, ef := range c.EnvFrom {
			if ef.SecretRef != nil {
				t.Errorf("%s: envFrom a Secret: secrets are files, never environment variables", m.dir)
			}
		}
		if sel := m.deployment.Spec.Selector.MatchLabels; !reflect.DeepEqual(sel, m.deployment.Spec.Template.Labels) {
			t.Errorf("%s: selector %v, pod labels %v", m.dir, sel, m.deployment.Spec.Template.Labels)
		}
		for _, s := range m.services {
			if !reflect.DeepEqual(s.Spec.Selector, m.deployment.Spec.Selector.MatchLabels) {
				t.Errorf("%s: Service %s selects %v", m.dir, s.Name, s.Spec.Selector)
			}
		}
	}

	// One writer on SQLite; several behind leader election on PostgreSQL.
	if d := base.deployment.Spec; *d.Replicas != 1 || d.Strategy.Type != appsv1.RecreateDeploymentStrategyType {
		t.Errorf("kubernetes/: %d replicas, strategy %s; one writer needs 1 and Recreate", *d.Replicas, d.Strategy.Type)
	}
	if d := ha.deployment.Spec; *d.Replicas < 2 || d.Strategy.Type != appsv1.RollingUpdateDeploymentStrategyType {
		t.Errorf("kubernetes-ha/: %d replicas, strategy %s", *d.Replicas, d.Strategy.Type)
	}
	if len(ha.pvcs) != 0 {
		t.Error("kubernetes-ha/ has a PersistentVolumeClaim; its state is in PostgreSQL")
	}
	for _, v := range ha.deployment.Spec.Template.Spec.Volumes {
		if v.PersistentVolumeClaim != nil {
			t.Errorf("kubernetes-ha/: volume %s is a PVC", v.Name)
		}
	}
	if len(ha.pdbs) != 1 {
		t.Errorf("kubernetes-ha/: %d PodDisruptionBudgets", len(ha.pdbs))
	}

	// The HA Deployment is a copy; the parts that are not about the store must stay in step.
	bc, hc := base.deployment.Spec.Template.Spec.Containers[0], ha.deployment.Spec.Template.Spec.Containers[0]
	for what, pair := range map[string][2]any{
		"image":                         {bc.Image, hc.Image},
		"args":                          {bc.Args, hc.Args},
		"ports":                         {bc.Ports, hc.Ports},
		"resources":                     {bc.Resources, hc.Resources},
		"securityContext":               {bc.SecurityContext, hc.SecurityContext},
		"livenessProbe":                 {bc.LivenessProbe, hc.LivenessProbe},
		"readinessProbe":                {bc.ReadinessProbe, hc.ReadinessProbe},
		"envFrom":                       {bc.EnvFrom, hc.EnvFrom},
		"env":                           {bc.Env, hc.Env},
		"pod securityContext.runAsUser": {base.deployment.Spec.Template.Spec.SecurityContext.RunAsUser, ha.deployment.Spec.Template.Spec.SecurityContext.RunAsUser},
		"terminationGracePeriodSeconds": {base.deployment.Spec.Template.Spec.TerminationGracePeriodSeconds, ha.deployment.Spec.Template.Spec.TerminationGracePeriodSeconds},
	} {
		if !reflect.DeepEqual(pair[0], pair[1]) {
			t.Errorf("kubernetes-ha/ differs from kubernetes/ in the container's %s", what)
		}
	}
	if !reflect.DeepEqual(base.secrets["okta-clickup-sync"], ha.secrets["okta-clickup-sync"]) {
		t.Error("kubernetes-ha/secret.yaml differs from kubernetes/secret.yaml")
	}
}

func TestKubernetes_ServiceMonitor(t *testing.T) {
	b, err := os.ReadFile("kubernetes/servicemonitor.yaml")
	if err != nil {
		t.Fatal(err)
	}
	obj, err := decodeStrict(b)
	if err != nil {
		t.Fatal(err)
	}
	sm := obj.(*monitoringv1.ServiceMonitor)
	base := loadManifests(t, "kubernetes")
	svc := base.services[0]
	if sm.Namespace != namespace || !reflect.DeepEqual(sm.Spec.NamespaceSelector.MatchNames, []string{namespace}) {
		t.Errorf("namespace %q, selector %v", sm.Namespace, sm.Spec.NamespaceSelector)
	}
	for k, v := range sm.Spec.Selector.MatchLabels {
		if svc.Labels[k] != v {
			t.Errorf("the ServiceMonitor selects %s=%s, which the Service lacks", k, v)
		}
	}
	ep := sm.Spec.Endpoints[0]
	if ep.Port != svc.Spec.Ports[0].Name || ep.Path != "/metrics" {
		t.Errorf("endpoint %+v, Service port %s", ep, svc.Spec.Ports[0].Name)
	}
	// The API metrics' own service and endpoint labels must win over the target's.
	if !ep.HonorLabels {
		t.Error("honorLabels is off: service and endpoint would become exported_service and exported_endpoint")
	}
}

// pod is what the container would see: its environment and the files of its secrets directory.
type pod struct {
	env   map[string]string
	files map[string]string // name in SYNC_SECRETS_DIR -> content
}

// podOf renders the Deployment's container as it starts: the ConfigMap's data and the env entries,
// and the Secret volume mounted at SYNC_SECRETS_DIR, with the Secrets' keys as Kubernetes projects
// them (every key, or the listed items).
func podOf(t *testing.T, m *manifests) pod {
	t.Helper()
	p := pod{env: map[string]string{}, files: map[string]string{}}
	spec := m.deployment.Spec.Template.Spec
	c := spec.Containers[0]
	for _, ef := range c.EnvFrom {
		cm, ok := m.configMaps[ef.ConfigMapRef.Name]
		if !ok {
			t.Fatalf("%s: no ConfigMap %s", m.dir, ef.ConfigMapRef.Name)
		}
		for k, v := range cm.Data {
			p.env[k] = v
		}
	}
	for _, e := range c.Env {
		p.env[e.Name] = e.Value
	}
	dir := p.env["SYNC_SECRETS_DIR"]
	if dir == "" {
		t.Fatalf("%s: SYNC_SECRETS_DIR is not set", m.dir)
	}
	var volName string
	for _, vm := range c.VolumeMounts {
		if vm.MountPath == dir {
			volName = vm.Name
			if !vm.ReadOnly {
				t.Errorf("%s: the secrets are mounted read-write", m.dir)
			}
		}
	}
	if sp := p.env["SYNC_STATE_PATH"]; sp != "" && !slices.ContainsFunc(c.VolumeMounts, func(vm corev1.VolumeMount) bool {
		return vm.MountPath == filepath.Dir(sp) && !vm.ReadOnly
	}) {
		t.Errorf("%s: SYNC_STATE_PATH %s is not on a writable volume", m.dir, sp)
	}
	addSecret := func(name string, items []corev1.KeyToPath) {
		s, ok := m.secrets[name]
		if !ok {
			t.Fatalf("%s: no Secret %s", m.dir, name)
		}
		data := map[string]string{}
		for k, v := range s.Data {
			data[k] = string(v)
		}
		for k, v := range s.StringData {
			data[k] = v
		}
		if items == nil {
			for k, v := range data {
				p.files[k] = v
			}
			return
		}
		for _, it := range items {
			v, ok := data[it.Key]
			if !ok {
				t.Fatalf("%s: Secret %s lacks the listed key %s, which would stop the pod", m.dir, name, it.Key)
			}
			p.files[it.Path] = v
		}
	}
	for _, v := range spec.Volumes {
		if v.Name != volName {
			continue
		}
		switch {
		case v.Secret != nil:
			addSecret(v.Secret.SecretName, v.Secret.Items)
		case v.Projected != nil:
			for _, src := range v.Projected.Sources {
				if src.Secret == nil {
					t.Fatalf("%s: projected source other than a Secret", m.dir)
				}
				addSecret(src.Secret.Name, src.Secret.Items)
			}
		default:
			t.Fatalf("%s: volume %s at SYNC_SECRETS_DIR is not a Secret", m.dir, v.Name)
		}
		return p
	}
	t.Fatalf("%s: nothing mounted at SYNC_SECRETS_DIR %s", m.dir, dir)
	return p
}

// fill replaces the sample's REPLACEME markers, as an operator would.
func (p pod) fill() pod {
	out := pod{env: map[string]string{}, files: map[string]string{}}
	for k, v := range p.env {
		out.env[k] = strings.ReplaceAll(v, "REPLACEME", "filled1")
	}
	for k, v := range p.files {
		if v == "REPLACEME" {
			v = "filled-" + k + "-0123456789abcdef"
		}
		out.files[k] = strings.ReplaceAll(v, "REPLACEME", "filled1")
	}
	return out
}

// start runs the configuration as the daemon would at start-up in that pod.
func (p pod) start(t *testing.T) (config.Config, []config.Warning, error) {
	t.Helper()
	dir := t.TempDir()
	for name, content := range p.files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o400); err != nil {
			t.Fatal(err)
		}
	}
	env := map[string]string{}
	var environ []string
	for k, v := range p.env {
		if k == "SYNC_SECRETS_DIR" {
			v = dir
		}
		env[k] = v
		environ = append(environ, k+"="+v)
	}
	return config.Build(config.Sources{
		Lookup:  func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		Environ: environ,
	})
}

// optionalKeys reads the optional keys that secret.yaml documents in its comments.
func optionalKeys(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("kubernetes/secret.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, m := range regexp.MustCompile(`(?m)^  # ([a-z-]+):`).FindAllStringSubmatch(string(b), -1) {
		keys = append(keys, m[1])
	}
	return keys
}

func mustRSAKey(t *testing.T) string {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

func problemsOf(err error) map[string]string {
	out := map[string]string{}
	var walk func(error)
	walk = func(err error) {
		var se *config.SettingError
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				walk(e)
			}
		} else if errors.As(err, &se) {
			out[se.Env] += se.Problem + "\n"
		} else if err != nil {
			out["?"] += err.Error() + "\n"
		}
	}
	walk(err)
	return out
}

// The manifests work as written: as shipped they are refused for their placeholders only; filled
// in, the daemon starts with no warning; each optional Secret key can be added or left out; a
// required one missing is named.
func TestKubernetes_PodConfiguration(t *testing.T) {
	for _, dir := range []string{"kubernetes", "kubernetes-ha"} {
		t.Run(dir, func(t *testing.T) {
			shipped := podOf(t, loadManifests(t, dir))

			_, _, err := shipped.start(t)
			problems := problemsOf(err)
			want := []string{"CLICKUP_SCIM_BASE_URL", "CLICKUP_SCIM_TOKEN", "CLICKUP_WORKSPACE_ID", "OKTA_API_TOKEN", "OKTA_APP_ID", "OKTA_ORG_URL"}
			if dir == "kubernetes-ha" {
				want = append(want, "SYNC_STATE_URL")
			}
			if got := slices.Sorted(func(yield func(string) bool) {
				for k := range problems {
					if !yield(k) {
						return
					}
				}
			}); !slices.Equal(got, slices.Sorted(slices.Values(want))) {
				t.Errorf("as shipped, refused for %v, want %v:\n%v", got, want, err)
			}
			for env, p := range problems {
				if !strings.Contains(p, "placeholder") {
					t.Errorf("as shipped, %s: %s", env, p)
				}
			}

			filled := shipped.fill()
			cfg, warnings, err := filled.start(t)
			if err != nil {
				t.Fatalf("filled in: %v", err)
			}
			if len(warnings) != 0 {
				t.Errorf("filled in: warnings %v", warnings)
			}
			if dir == "kubernetes-ha" && (cfg.Sync.StateURL == "" || cfg.Sync.StatePath != "") {
				t.Errorf("HA: state URL set %v, state path %q", cfg.Sync.StateURL != "", cfg.Sync.StatePath)
			}
			if dir == "kubernetes" && (cfg.Sync.StateURL != "" || cfg.Sync.StatePath == "") {
				t.Errorf("state URL set %v, state path %q", cfg.Sync.StateURL != "", cfg.Sync.StatePath)
			}

			// Every optional key documented in secret.yaml turns its feature on when added.
			for _, key := range optionalKeys(t) {
				t.Run("with "+key, func(t *testing.T) {
					p := filled.fill()
					p.files[key] = "optional-" + key + "-0123456789abcdef"
					switch key {
					case "okta-private-key":
						delete(p.files, "okta-api-token")
						p.files[key] = mustRSAKey(t)
						p.env["OKTA_CLIENT_ID"], p.env["OKTA_PRIVATE_KEY_ID"] = "0oaservice", "kid-1"
					case "sync-event-hook-secret":
						p.env["SYNC_EVENTS"] = "systemlog"
					}
					cfg, warnings, err := p.start(t)
					if err != nil {
						t.Fatal(err)
					}
					if len(warnings) != 0 {
						t.Errorf("warnings %v", warnings)
					}
					if !slices.Contains(cfg.Secrets(), strings.TrimSuffix(p.files[key], "\n")) {
						t.Errorf("%s was not read", key)
					}
				})
			}

			// A required key missing stops start-up, naming the setting and the file.
			for key, env := range map[string]string{"clickup-scim-token": "CLICKUP_SCIM_TOKEN", "okta-api-token": "OKTA_API_TOKEN"} {
				t.Run("without "+key, func(t *testing.T) {
					p := filled.fill()
					delete(p.files, key)
					_, _, err := p.start(t)
					if err == nil || !strings.Contains(err.Error(), env) || !strings.Contains(err.Error(), "the file "+key+" in SYNC_SECRETS_DIR") {
						t.Errorf("got %v, want an error naming %s and the file %s", err, env, key)
					}
				})
			}
		})
	}
}

// kubectl kustomize renders both directories as kubectl apply -k would, where kubectl is
// installed.
func TestKubernetes_Kustomize(t *testing.T) {
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		t.Skip("kubectl is not installed")
	}
	for _, dir := range []string{"kubernetes", "kubernetes-ha"} {
		t.Run(dir, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
			defer cancel()
			out, err := exec.CommandContext(ctx, kubectl, "kustomize", dir).Output()
			if err != nil {
				var ee *exec.ExitError
				if errors.As(err, &ee) {
					t.Fatalf("kubectl kustomize %s: %v\n%s", dir, err, ee.Stderr)
				}
				t.Fatal(err)
			}
			docs := strings.Split(string(out), "\n---\n")
			m := loadManifests(t, dir)
			if len(docs) != m.decodedDocs-len(m.unlisted) {
				t.Errorf("rendered %d objects, want %d", len(docs), m.decodedDocs-len(m.unlisted))
			}
			for _, d := range docs {
				obj, err := decodeStrict([]byte(d))
				if err != nil {
					t.Fatalf("rendered object: %v\n%s", err, d)
				}
				if o, ok := obj.(metav1.Object); ok {
					if _, isNS := obj.(*corev1.Namespace); !isNS && o.GetNamespace() != namespace {
						t.Errorf("%T %s in namespace %q", obj, o.GetName(), o.GetNamespace())
					}
				}
			}
		})
	}
}
