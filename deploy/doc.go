// Package deploy holds no code. Its tests check the deployment files beside them: the sample
// configuration, the Kubernetes manifests, the systemd unit, the Prometheus alerts and the Grafana
// dashboard, against the configuration package and the metrics the binary exposes.
package deploy
