//go:build benchstats

package main

import (
	"fmt"
	"os"
	"runtime"
)

// With -tags benchstats, which the benchmark harness builds with, the binary reports its runtime
// totals for the whole process on exit, as one stderr line the harness parses:
//
//	benchstats mallocs=N total_alloc_bytes=N num_gc=N
//
// mallocs and total_alloc_bytes count every heap allocation since start-up (freed ones too), so
// allocations per user of a full reconcile are mallocs / users. Normal builds omit this file.
func init() {
	exitHooks = append(exitHooks, func() {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		fmt.Fprintf(os.Stderr, "benchstats mallocs=%d total_alloc_bytes=%d num_gc=%d\n", m.Mallocs, m.TotalAlloc, m.NumGC)
	})
}
