package main

import (
	"bytes"
	"context"
	"io"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The load's plan gives every tenant a first request and is skewed: the
// busiest tenant gets many times a median tenant's requests.
func TestLoadPlan(t *testing.T) {
	const n, requests = 200, 4000
	plan := loadPlan(n, requests)
	if len(plan) != requests {
		t.Fatalf("%d requests, want %d", len(plan), requests)
	}
	counts := make([]int, n+1)
	for _, p := range plan {
		if p < 1 || p > n {
			t.Fatalf("tenant %d outside 1..%d", p, n)
		}
		counts[p]++
	}
	for _, c := range counts[1:] {
		if c == 0 {
			t.Fatal("a tenant got no request")
		}
	}
	sorted := slices.Sorted(slices.Values(counts[1:]))
	if most, median := sorted[n-1], sorted[n/2]; most < 20*median {
		t.Errorf("the busiest tenant got %d requests, the median one %d: not Zipf-like", most, median)
	}
	if again := loadPlan(n, requests); !slices.Equal(again, plan) {
		t.Error("two plans differ: the variants would not see the same load")
	}
}

// -tenancy provisions the tenants, runs both loads and reports each one's
// latencies and backend memory; the pool with the bounds reports its
// sub-pools, the one without a single pool.
func TestTenancyCommand(t *testing.T) {
	dsn := testDSN(t)
	prefix := testPrefix()
	dropOnCleanup(t, dsn, prefix)
	var out bytes.Buffer
	if err := run(context.Background(), []string{"-db", dsn, "-prefix", prefix, "-tenancy", "6", "-requests", "40", "-concurrency", "3"}, &out, io.Discard); err != nil {
		t.Fatalf("-tenancy 6: %v\n%s", err, out.String())
	}
	got := out.String()
	for _, want := range []string{
		"tenants 1-6: made 6 (0 existed)",
		"ANALYZE of 13 catalogs",
		"load without the memory bounds: 40 requests over 6 tenants, 3 clients",
		"load with the memory bounds: 40 requests over 6 tenants, 3 clients",
		"first request to a tenant (6)", "warm (34)",
		"pool: 1 sub-pools", "pool: 4 sub-pools",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, ", 1 errors") || !strings.Contains(got, ", 0 errors") {
		t.Errorf("the load failed requests:\n%s", got)
	}
	// The backends' memory was read from /proc: never zero.
	mem := regexp.MustCompile(`backends at the end: VmRSS (\d+) MB, RssAnon (\d+) MB`).FindAllStringSubmatch(got, -1)
	if len(mem) != 2 {
		t.Fatalf("memory lines: %q\n%s", mem, got)
	}
	for _, m := range mem {
		if m[1] == "0" || m[2] == "0" {
			t.Errorf("backend memory read as zero: %s", m[0])
		}
	}
}
