// Package bench holds the performance harness: full reconciles of the real binary against the
// fakes with latency and rate limits (BenchmarkReconcile), and the fakes' own speed
// (BenchmarkFakes). It has benchmarks only, so `go test ./...` runs nothing here; see
// BENCHMARKS.md for the command and the numbers.
package bench
