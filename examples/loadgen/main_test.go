package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"casekit.dev/casekit"
	"casekit.dev/casekit/store"
	"casekit.dev/storage/postgres"
	"casekit.dev/storage/sqlite"
)

// testDSN returns CASEKIT_TEST_DATABASE_URL or skips the test.
func testDSN(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv("CASEKIT_TEST_DATABASE_URL")
	if dsn == "" {
		t.Skip("CASEKIT_TEST_DATABASE_URL is not set: skipping the PostgreSQL load (.ci/run sets it)")
	}
	return dsn
}

// testPrefix returns a tenant and schema prefix no other test run uses.
func testPrefix() string {
	b := make([]byte, 3)
	rand.Read(b)
	return "lg" + hex.EncodeToString(b)
}

// stores are the stores a test runs on: SQLite in a temporary directory
// always, PostgreSQL when CASEKIT_TEST_DATABASE_URL is set (a subtest that
// skips otherwise). Each returns the flags naming the store.
func stores(t *testing.T, fn func(t *testing.T, flags []string)) {
	t.Run("sqlite", func(t *testing.T) {
		fn(t, []string{"-store", "sqlite", "-dir", t.TempDir(), "-prefix", testPrefix()})
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := testDSN(t)
		prefix := testPrefix()
		t.Cleanup(func() { dropSchemas(t, dsn, prefix) })
		fn(t, []string{"-store", "postgres", "-dsn", dsn, "-prefix", prefix})
	})
}

// dropSchemas drops whatever tenants a test left under prefix (with
// -keep, or after a failure) and the control schema.
func dropSchemas(t *testing.T, dsn, prefix string) {
	ctx := context.Background()
	s, err := postgres.Open(ctx, dsn, postgres.WithPrefix(prefix+"_"))
	if err != nil {
		t.Errorf("cleanup: %v", err)
		return
	}
	defer s.Close()
	ts, err := s.Tenants(ctx)
	if err != nil {
		t.Errorf("cleanup: %v", err)
		return
	}
	for _, tn := range ts {
		if err := s.DropTenant(ctx, tn.ID); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	}
	if err := s.DropControl(ctx); err != nil {
		t.Errorf("cleanup: %v", err)
	}
}

// load runs the tool with args and returns its results and stdout.
func load(t *testing.T, args ...string) ([]*result, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	res, err := run(context.Background(), args, &stdout, &stderr)
	if err != nil {
		t.Fatalf("run %q: %v\nstdout:\n%s\nstderr:\n%s", args, err, stdout.String(), stderr.String())
	}
	t.Logf("run %q:\n%s", args, stdout.String())
	return res, stdout.String()
}

func flagValue(flags []string, name string) string {
	for i, f := range flags {
		if f == name && i+1 < len(flags) {
			return flags[i+1]
		}
	}
	return ""
}

// checkAddsUp checks that a phase counted every operation once, as ok,
// conflict or error, with its latency, and failed none.
func checkAddsUp(t *testing.T, r *result, want int) {
	t.Helper()
	total := r.Total()
	if total.Count != want {
		t.Errorf("%s: counted %d operations, want %d", r.Name, total.Count, want)
	}
	for i := range r.Ops {
		s := &r.Ops[i]
		if s.OK+s.Conflicts+s.Errors != s.Count || s.Latency.n != uint64(s.Count) {
			t.Errorf("%s: %s: ok %d + conflicts %d + errors %d, %d latencies, for %d operations",
				r.Name, opKind(i), s.OK, s.Conflicts, s.Errors, s.Latency.n, s.Count)
		}
		for _, e := range s.FirstErrors {
			t.Errorf("%s: %s failed: %s", r.Name, opKind(i), e)
		}
	}
	if total.Errors != 0 {
		t.Errorf("%s: %d errors", r.Name, total.Errors)
	}
	if r.Elapsed <= 0 || r.PeakGo == 0 {
		t.Errorf("%s: elapsed %v, peak Go memory %d", r.Name, r.Elapsed, r.PeakGo)
	}
}

func TestMixAddsUp(t *testing.T) {
	stores(t, func(t *testing.T, flags []string) {
		res, out := load(t, append(flags, "-tenants", "2", "-workers", "4", "-count", "200", "-seed", "3", "-poll", "50ms")...)
		if len(res) != 1 {
			t.Fatalf("%d results, want 1", len(res))
		}
		r := res[0]
		checkAddsUp(t, r, 200)
		groups := map[string]int{}
		for i := range r.Ops {
			switch k := opKind(i); k {
			case opOpen:
				groups["open"] += r.Ops[i].Count
			case opReply, opComment:
				groups["message"] += r.Ops[i].Count
			case opList, opSearch:
				groups["list"] += r.Ops[i].Count
			case opOpenBun:
				groups["baseline"] += r.Ops[i].Count
			default:
				groups["status"] += r.Ops[i].Count
			}
		}
		for _, g := range []string{"open", "message", "status", "list"} {
			if groups[g] == 0 {
				t.Errorf("no %s operation ran: %v", g, groups)
			}
		}
		if groups["baseline"] != 0 {
			t.Errorf("the mix ran %d baseline operations", groups["baseline"])
		}
		if r.Delivered+r.DeliveredAfter == 0 {
			t.Error("no notification was delivered")
		}
		for _, want := range []string{"ops: 200 in ", "errors 0\n", "p99", "peak memory: "} {
			if !strings.Contains(out, want) {
				t.Errorf("the report lacks %q", want)
			}
		}
		if dir := flagValue(flags, "-dir"); dir != "" {
			if m, _ := filepath.Glob(filepath.Join(dir, flagValue(flags, "-prefix")+"-*.db")); len(m) > 0 {
				t.Errorf("tenant files left after the run: %v", m)
			}
		}
	})
}

func TestDurationRunsUntilTheTimeIsUp(t *testing.T) {
	res, _ := load(t, "-store", "sqlite", "-dir", t.TempDir(), "-tenants", "1", "-workers", "2", "-duration", "300ms", "-poll", "50ms")
	r := res[0]
	checkAddsUp(t, r, r.Total().Count)
	if r.Total().Count == 0 || r.Elapsed < 300*time.Millisecond {
		t.Errorf("%d operations in %v, want some in at least 300ms", r.Total().Count, r.Elapsed)
	}
}

var ratioRE = regexp.MustCompile(`compare: open case, \w+, 2 tenants, 4 workers: casekit [0-9.]+ cases/s, plain Bun [0-9.]+ cases/s: ratio [0-9]+\.[0-9]{2}\n`)

func TestComparePrintsARatio(t *testing.T) {
	stores(t, func(t *testing.T, flags []string) {
		res, out := load(t, append(flags, "-tenants", "2", "-workers", "4", "-count", "60", "-compare", "-poll", "50ms")...)
		if len(res) != 2 {
			t.Fatalf("%d results, want 2", len(res))
		}
		for i, want := range []opKind{opOpen, opOpenBun} {
			checkAddsUp(t, res[i], 60)
			if n := res[i].Ops[want].OK; n != 60 {
				t.Errorf("%s: %d %s, want 60", res[i].Name, n, want)
			}
		}
		if !ratioRE.MatchString(out) {
			t.Errorf("no ratio in the report; want a line matching %s", ratioRE)
		}
	})
}

func TestCompareRoundsAlternate(t *testing.T) {
	res, out := load(t, "-store", "sqlite", "-dir", t.TempDir(), "-tenants", "1", "-workers", "2", "-count", "20", "-compare", "-rounds", "2", "-poll", "50ms")
	var names []string
	for _, r := range res {
		checkAddsUp(t, r, 20)
		names = append(names, r.Name)
	}
	if want := []string{"casekit", "baseline", "baseline", "casekit"}; !slices.Equal(names, want) {
		t.Errorf("phases %v, want %v", names, want)
	}
	if !regexp.MustCompile(`: ratio [0-9.]+ \(rounds: [0-9.]+, [0-9.]+\)\n`).MatchString(out) {
		t.Error("no ratio over the rounds in the report")
	}
}

// TestBaselineWritesWhatOpenCaseWrites opens the same cases (one worker,
// the same seed) through casekit and through the baseline, then reads
// both back through casekit: case for case, the fields, timers, history
// and notifications must be the same but for IDs and times.
func TestBaselineWritesWhatOpenCaseWrites(t *testing.T) {
	stores(t, func(t *testing.T, flags []string) {
		prefix := flagValue(flags, "-prefix")
		res, _ := load(t, append(flags, "-tenants", "2", "-workers", "1", "-count", "40", "-compare", "-keep", "-runner=false")...)
		for _, r := range res {
			checkAddsUp(t, r, 40)
		}
		ck, bl := res[0].Delivered+res[0].DeliveredAfter, res[1].Delivered+res[1].DeliveredAfter
		if ck == 0 || ck != bl {
			t.Errorf("notifications delivered: casekit %d, baseline %d; want the same, not 0", ck, bl)
		}

		var st store.Store
		if dir := flagValue(flags, "-dir"); dir != "" {
			s, err := sqlite.Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			st = s
		} else {
			s, err := postgres.Open(context.Background(), flagValue(flags, "-dsn"), postgres.WithPrefix(prefix+"_"))
			if err != nil {
				t.Fatal(err)
			}
			st = s
		}
		defer st.Close()
		kit, err := casekit.New(st)
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		compared := 0
		for _, n := range []string{"01", "02"} {
			ckDesk := kit.Desk(prefix + "-ck-" + n).As(casekit.System)
			blDesk := kit.Desk(prefix + "-bl-" + n).As(casekit.System)
			for number := int64(1); ; number++ {
				a, errA := ckDesk.CaseByNumber(ctx, number)
				b, errB := blDesk.CaseByNumber(ctx, number)
				if errA != nil || errB != nil {
					if !(errors.Is(errA, casekit.ErrNotFound) && errors.Is(errB, casekit.ErrNotFound)) {
						t.Errorf("tenant %s case #%d: casekit: %v; baseline: %v", n, number, errA, errB)
					}
					break
				}
				compared++
				compareCases(t, st, ckDesk, blDesk, a, b)
			}
		}
		if compared != 40 {
			t.Errorf("compared %d cases, want 40", compared)
		}
	})
}

// compareCases checks that two cases opened alike, one by casekit and
// one by the baseline, read back the same through casekit.
func compareCases(t *testing.T, st store.Store, ckDesk, blDesk *casekit.Desk, a, b *casekit.Case) {
	t.Helper()
	ctx := context.Background()
	norm := func(c *casekit.Case) casekit.Case {
		n := *c
		rel := func(p *time.Time) *time.Time {
			if p == nil {
				return nil
			}
			d := time.Unix(0, 0).Add(p.Sub(c.CreatedAt))
			return &d
		}
		n.ID, n.CreatedAt, n.UpdatedAt = "", time.Time{}, time.Time{}
		n.ResponseDue, n.ResolutionDue = rel(c.ResponseDue), rel(c.ResolutionDue)
		return n
	}
	if na, nb := norm(a), norm(b); !reflect.DeepEqual(na, nb) {
		t.Errorf("case #%d differs:\ncasekit:  %+v\nbaseline: %+v", a.Number, na, nb)
	}
	timers := func(d *casekit.Desk, c *casekit.Case) []string {
		var ts []casekit.Timer
		err := st.InTx(ctx, d.Tenant(), func(ctx context.Context, tx store.Tx) (err error) {
			ts, err = tx.CaseTimers(ctx, c.ID)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, tm := range ts {
			out = append(out, fmt.Sprintf("%s/%s at +%v", tm.Kind, tm.Key, tm.Due.Sub(c.CreatedAt)))
		}
		return out
	}
	if ta, tb := timers(ckDesk, a), timers(blDesk, b); !slices.Equal(ta, tb) {
		t.Errorf("case #%d timers differ:\ncasekit:  %v\nbaseline: %v", a.Number, ta, tb)
	}
	history := func(d *casekit.Desk, c *casekit.Case) []string {
		evs, err := d.History(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range evs {
			data, _ := json.Marshal(e.Data)
			out = append(out, fmt.Sprintf("%s by %s at +%v: %s", e.Type, e.Actor, e.At.Sub(c.CreatedAt), data))
		}
		return out
	}
	if ha, hb := history(ckDesk, a), history(blDesk, b); !slices.Equal(ha, hb) {
		t.Errorf("case #%d history differs:\ncasekit:  %v\nbaseline: %v", a.Number, ha, hb)
	}
}

func TestFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-count", "10", "-duration", "1s"}, "not both"},
		{[]string{"-baseline", "-compare"}, "not both"},
		{[]string{"-store", "mysql"}, "-store must be"},
		{[]string{"-store", "postgres", "-dsn", ""}, "needs -dsn"},
		{[]string{"-prefix", "Load_1"}, "-prefix"},
		{[]string{"-tenants", "0"}, "-tenants"},
		{[]string{"-workers", "0"}, "-workers"},
		{[]string{"extra"}, "unexpected argument"},
		{[]string{"-rounds", "2"}, "-rounds"},
	} {
		_, err := parseFlags(tc.args, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("parseFlags(%q) = %v, want an error saying %q", tc.args, err, tc.want)
		}
	}
	c, err := parseFlags([]string{"-count", "5"}, io.Discard)
	if err != nil || c.count != 5 || c.store != "sqlite" || !c.runner {
		t.Errorf("parseFlags(-count 5) = %+v, %v", c, err)
	}
}

func TestBaselineNeedsFiles(t *testing.T) {
	var stdout bytes.Buffer
	_, err := run(context.Background(), []string{"-dir", sqlite.Memory, "-baseline", "-count", "1"}, &stdout, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "not :memory:") {
		t.Errorf("-baseline in memory: %v, want an error saying it needs a directory", err)
	}
}

func TestHistogramPercentiles(t *testing.T) {
	var h histogram
	for i := 1; i <= 10000; i++ {
		h.record(time.Duration(i) * time.Microsecond)
	}
	for _, p := range []float64{50, 95, 99, 100} {
		want := time.Duration(p*100) * time.Microsecond
		if got := h.percentile(p); got < want*97/100 || got > want*103/100 {
			t.Errorf("p%v = %v, want %v within 3%%", p, got, want)
		}
	}
	if h.max != 10*time.Millisecond || h.n != 10000 {
		t.Errorf("max %v, n %d", h.max, h.n)
	}
}
