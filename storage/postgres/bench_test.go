package postgres_test

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"casekit.dev/casekit"
	"casekit.dev/storage/postgres"
)

// benchPool is the connection pool of every benchmark store, the same for
// both drivers: more connections than the parallel benchmarks' goroutines,
// all kept idle, so no benchmark pays for a new connection mid-run.
const benchPool = 8

// benchParallelism times GOMAXPROCS is the goroutines of the parallel
// benchmarks: 4 on a 2-core machine.
const benchParallelism = 2

// benchKit returns a kit on a fresh store (schemas of its own) over the
// named driver. Every schema it makes is dropped at cleanup.
func benchKit(b *testing.B, driver string) (*casekit.Kit, *postgres.Store) {
	b.Helper()
	s := driverStore(b, driver, benchPool)
	kit, err := casekit.New(s, casekit.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		b.Fatal(err)
	}
	return kit, s
}

var benchCase = casekit.NewCase{
	Subject:     "Invoice 2211 charged twice",
	Description: "The customer sees two charges for one order.",
	CustomerID:  "cust-42",
	Contact:     casekit.Contact{Name: "Dana Smith", Email: "dana@example.com"},
	Tags:        []string{"billing", "refund"},
}

// BenchmarkOpenCase measures Desk.OpenCase in one tenant: one transaction
// that reads the settings, two lookups, the statuses and transitions, takes
// the next case number, inserts the case and appends its event. The
// parallel variant runs several goroutines in the same tenant, so they
// queue on the tenant's case-number row as real agents would.
func BenchmarkOpenCase(b *testing.B) {
	for _, driver := range drivers {
		b.Run(driver, func(b *testing.B) {
			kit, _ := benchKit(b, driver)
			ctx := context.Background()
			if err := kit.CreateTenant(ctx, casekit.TenantSpec{ID: "bench"}); err != nil {
				b.Fatal(err)
			}
			desk := kit.Desk("bench").As(casekit.Agent("u-17"))
			b.Run("sequential", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := desk.OpenCase(ctx, benchCase); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("parallel", func(b *testing.B) {
				b.ReportAllocs()
				b.SetParallelism(benchParallelism)
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if _, err := desk.OpenCase(ctx, benchCase); err != nil {
							b.Error(err)
							return
						}
					}
				})
			})
		})
	}
}

// BenchmarkProvisionTenant measures Kit.CreateTenant: one per iteration,
// each in one transaction (schema, tables, indexes, seed, registry row).
// It reports the mean as ms/tenant.
func BenchmarkProvisionTenant(b *testing.B) {
	for _, driver := range drivers {
		b.Run(driver, func(b *testing.B) {
			kit, _ := benchKit(b, driver)
			ctx := context.Background()
			n := 0
			for b.Loop() {
				n++
				if err := kit.CreateTenant(ctx, casekit.TenantSpec{ID: fmt.Sprintf("tenant-%05d", n)}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed())/float64(n)/float64(time.Millisecond), "ms/tenant")
		})
	}
}
