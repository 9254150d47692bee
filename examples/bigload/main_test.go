package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"casekit.dev/casekit"
	"casekit.dev/storage/postgres"
)

const testCases = 2000

// stores runs fn on SQLite in a temporary directory and, when
// CASEKIT_TEST_DATABASE_URL is set, on PostgreSQL under a prefix no other
// run uses, dropped afterwards.
func stores(t *testing.T, fn func(t *testing.T, c config)) {
	t.Run("sqlite", func(t *testing.T) {
		fn(t, config{store: "sqlite", dir: t.TempDir(), tenant: "big"})
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := os.Getenv("CASEKIT_TEST_DATABASE_URL")
		if dsn == "" {
			t.Skip("CASEKIT_TEST_DATABASE_URL is not set: skipping the PostgreSQL load")
		}
		b := make([]byte, 3)
		rand.Read(b)
		prefix := "bl" + hex.EncodeToString(b) + "_"
		t.Cleanup(func() {
			ctx := context.Background()
			s, err := postgres.Open(ctx, dsn, postgres.WithPrefix(prefix))
			if err != nil {
				t.Errorf("cleanup: %v", err)
				return
			}
			defer s.Close()
			if err := s.DropTenant(ctx, "big"); err != nil && !errors.Is(err, casekit.ErrTenantNotFound) {
				t.Errorf("cleanup: %v", err)
			}
			if err := s.DropControl(ctx); err != nil {
				t.Errorf("cleanup: %v", err)
			}
		})
		fn(t, config{store: "postgres", dsn: dsn, prefix: prefix, tenant: "big"})
	})
}

// words splits text as casekit's search does for the generated text:
// lower-case runs of letters and digits.
func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	})
}

func hasAll(text string, ws []string) bool {
	have := words(text)
	for _, w := range ws {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}

// listAll pages through the list of f with the cursor and returns the
// case IDs in order.
func listAll(t *testing.T, ctx context.Context, d *casekit.Desk, f casekit.CaseFilter) []string {
	t.Helper()
	if f.Limit == 0 {
		f.Limit = 500
	}
	var ids []string
	for {
		p, err := d.ListCases(ctx, f)
		if err != nil {
			t.Fatalf("ListCases(%+v): %v", f, err)
		}
		for _, c := range p.Cases {
			ids = append(ids, c.ID)
		}
		if p.Next == "" {
			return ids
		}
		f.After = p.Next
	}
}

// TestLoadedTenantIsUsable loads a small tenant in bulk and checks that
// casekit reads it as its own: every list returns what a count of the
// generated data says, in order; a case and its messages and history
// read back as written; the next case opened gets the next number.
func TestLoadedTenantIsUsable(t *testing.T) {
	stores(t, func(t *testing.T, c config) {
		ctx := context.Background()
		e, err := openEnv(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		defer e.close()
		var all []loaded
		end := time.Now()
		if err := e.load(ctx, testCases, 7, end, &bytes.Buffer{}, func(l loaded) { all = append(all, l) }); err != nil {
			t.Fatal(err)
		}
		d := e.kit.Desk(c.tenant).As(casekit.Agent("agent-test"))

		// newest first: descending ID, which must be descending number too
		// (the IDs are UUIDv7s of the creation time, as casekit's).
		want := func(keep func(l *loaded) bool) []string {
			var ids []string
			for i := len(all) - 1; i >= 0; i-- {
				if keep(&all[i]) {
					ids = append(ids, all[i].c.ID)
				}
			}
			return ids
		}
		if got := listAll(t, ctx, d, casekit.CaseFilter{}); !slices.Equal(got, want(func(*loaded) bool { return true })) {
			t.Fatalf("the whole list (%d cases) is not the loaded cases newest first", len(got))
		}
		text := func(ws ...string) func(l *loaded) bool {
			return func(l *loaded) bool {
				if hasAll(l.c.Subject+" "+l.c.Description, ws) {
					return true
				}
				for _, m := range l.messages {
					if hasAll(m.Subject+" "+m.Body, ws) {
						return true
					}
				}
				return false
			}
		}
		statuses := map[string]int{}
		for _, l := range all {
			statuses[l.c.Status]++
		}
		if len(statuses) < 5 {
			t.Errorf("statuses %v: want most of the lifecycle", statuses)
		}
		checks := []struct {
			name string
			f    casekit.CaseFilter
			keep func(l *loaded) bool
		}{
			{"status in_progress", casekit.CaseFilter{Status: []string{casekit.StatusInProgress}},
				func(l *loaded) bool { return l.c.Status == casekit.StatusInProgress }},
			{"status closed, priority high", casekit.CaseFilter{Status: []string{casekit.StatusClosed}, Priority: []string{"high"}},
				func(l *loaded) bool { return l.c.Status == casekit.StatusClosed && l.c.Priority == "high" }},
			{"busiest customer", casekit.CaseFilter{CustomerID: customerID(0)},
				func(l *loaded) bool { return l.c.CustomerID == customerID(0) }},
			{"customer 40", casekit.CaseFilter{CustomerID: customerID(40)},
				func(l *loaded) bool { return l.c.CustomerID == customerID(40) }},
			{"common tag", casekit.CaseFilter{Tag: tagName(0)},
				func(l *loaded) bool { return slices.Contains(l.c.Tags, tagName(0)) }},
			{"rarer tag", casekit.CaseFilter{Tag: tagName(30)},
				func(l *loaded) bool { return slices.Contains(l.c.Tags, tagName(30)) }},
			{"one word", casekit.CaseFilter{Text: vocabulary[100]}, text(vocabulary[100])},
			{"two words", casekit.CaseFilter{Text: vocabulary[20] + " " + vocabulary[40]}, text(vocabulary[20], vocabulary[40])},
			{"quotes and operators are punctuation", casekit.CaseFilter{Text: `"` + vocabulary[20] + `" & | ! ' : * <-> (-` + vocabulary[40] + `)`},
				text(vocabulary[20], vocabulary[40])},
		}
		for _, ck := range checks {
			w := want(ck.keep)
			got := listAll(t, ctx, d, ck.f)
			if len(w) == 0 || len(w) == len(all) {
				t.Errorf("%s: %d of %d cases match: not a useful check", ck.name, len(w), len(all))
			}
			if !slices.Equal(got, w) {
				t.Errorf("%s: listed %d cases, want %d", ck.name, len(got), len(w))
			}
		}

		// Status sorted by priority: descending rank, then ascending ID.
		rank := map[string]int{"low": 10, "medium": 20, "high": 30, "critical": 40}
		var open []*loaded
		for i := range all {
			if s := all[i].c.Status; s == casekit.StatusNew || s == casekit.StatusInProgress {
				open = append(open, &all[i])
			}
		}
		slices.SortStableFunc(open, func(a, b *loaded) int { return rank[b.c.Priority] - rank[a.c.Priority] })
		var wantOpen []string
		for _, l := range open {
			wantOpen = append(wantOpen, l.c.ID)
		}
		if got := listAll(t, ctx, d, casekit.CaseFilter{Status: []string{casekit.StatusNew, casekit.StatusInProgress}, Sort: casekit.SortPriority}); !slices.Equal(got, wantOpen) {
			t.Errorf("status sorted by priority: listed %d cases, want %d in rank order", len(got), len(wantOpen))
		}

		// Small pages of the lists the store splits into arms (by priority,
		// status and where the words are) against one big page each.
		for _, f := range []casekit.CaseFilter{
			{Status: []string{casekit.StatusNew, casekit.StatusInProgress, casekit.StatusWaiting}, Sort: casekit.SortPriority},
			{Status: []string{casekit.StatusClosed}, Sort: casekit.SortPriorityDesc},
			{Text: vocabulary[60]},
			{Text: vocabulary[60], Sort: casekit.SortPriority},
			{Text: vocabulary[60], Sort: casekit.SortUpdatedDesc},
			{Text: vocabulary[60] + " " + vocabulary[30], Sort: casekit.SortDue},
		} {
			whole := listAll(t, ctx, d, f)
			f.Limit = 7
			if got := listAll(t, ctx, d, f); len(whole) < 20 || !slices.Equal(got, whole) {
				t.Errorf("%+v: pages of 7 list %d cases, one page %d", f, len(got), len(whole))
			}
		}

		// #number finds the case.
		mid := all[len(all)/2].c
		p, err := d.ListCases(ctx, casekit.CaseFilter{Text: "#" + strconv.FormatInt(mid.Number, 10)})
		if err != nil || len(p.Cases) != 1 || p.Cases[0].ID != mid.ID {
			t.Errorf("#%d: %v, %v", mid.Number, p, err)
		}

		// Bad input: a clear error naming the field, nothing listed.
		var ve *casekit.ValidationError
		_, err = d.ListCases(ctx, casekit.CaseFilter{Text: strings.Repeat(vocabulary[20]+" ", 10000/(len(vocabulary[20])+1))})
		if !errors.As(err, &ve) || !strings.Contains(err.Error(), "text") {
			t.Errorf("a 10,000-character search: %v, want a validation error on text", err)
		}

		// A loaded case reads back with its messages and history.
		l := all[len(all)/3]
		cs, err := d.Case(ctx, l.c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if cs.Number != l.c.Number || cs.Subject != l.c.Subject || cs.Status != l.c.Status || !slices.Equal(cs.Tags, l.c.Tags) ||
			!cs.CreatedAt.Equal(l.c.CreatedAt) || cs.CustomerID != l.c.CustomerID || cs.Contact.Email != l.c.ContactEmail {
			t.Errorf("Case(%s) = %+v, loaded %+v", l.c.ID, cs, l.c)
		}
		msgs, err := d.Messages(ctx, l.c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) != len(l.messages) {
			t.Fatalf("Messages: %d, loaded %d", len(msgs), len(l.messages))
		}
		for i, m := range msgs {
			if m.ID != l.messages[i].ID || m.Body != l.messages[i].Body || m.Public != l.messages[i].Public || string(m.Direction) != l.messages[i].Direction {
				t.Errorf("message %d: %+v, loaded %+v", i, m, l.messages[i])
			}
		}
		h, err := d.History(ctx, l.c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(h) != 1+len(l.messages) || h[0].Type != casekit.EventCaseOpened {
			t.Errorf("History: %d events, first %v; want case.opened and one per message", len(h), h)
		}

		// The counter continues after the load.
		nc, err := d.OpenCase(ctx, casekit.NewCase{Subject: "after the load", CustomerID: customerID(1)})
		if err != nil {
			t.Fatal(err)
		}
		if nc.Number != testCases+1 {
			t.Errorf("OpenCase after the load got #%d, want #%d", nc.Number, testCases+1)
		}
		if got := listAll(t, ctx, d, casekit.CaseFilter{Text: "after the load"}); !slices.Equal(got, []string{nc.ID}) {
			t.Errorf("search for the new case: %v", got)
		}
	})
}

// TestBenchRuns runs the tool itself on a small tenant: load, reuse,
// every query, and on PostgreSQL the plans.
func TestBenchRuns(t *testing.T) {
	stores(t, func(t *testing.T, c config) {
		args := []string{"-store", c.store, "-tenant", c.tenant, "-cases", "1500", "-iters", "2"}
		if c.store == "postgres" {
			args = append(args, "-dsn", c.dsn, "-prefix", c.prefix)
		} else {
			args = append(args, "-dir", c.dir)
		}
		var out, log bytes.Buffer
		if err := run(context.Background(), args, &out, &log); err != nil {
			t.Fatalf("%v\n%s", err, log.String())
		}
		if err := run(context.Background(), args, &out, &log); err == nil || !strings.Contains(err.Error(), "-reuse") {
			t.Errorf("a second load into the same tenant: %v, want a refusal naming -reuse", err)
		}
		out.Reset()
		if err := run(context.Background(), append(args, "-reuse", "-reports", "1"), &out, &log); err != nil {
			t.Fatalf("%v\n%s", err, log.String())
		}
		report := out.String()
		for _, q := range reportQueries(time.Now()) {
			if !strings.Contains(report, "| "+q.name+" |") {
				t.Errorf("the report has no line for %q", q.name)
			}
		}
		// The loader writes case_facts with the cases: a year's report of
		// the loaded cases opened in it (the load spans two years).
		if !regexp.MustCompile(`\| report, 12 months \|[^\n]*\| (7[0-9]{2}) opened`).MatchString(report) {
			t.Errorf("the 12-month report does not count about half of the 1,500 loaded cases:\n%s", report)
		}
		if !strings.Contains(report, "| export, all cases (CSV) |") || !strings.Contains(report, "1500 rows") {
			t.Errorf("the export did not write the 1,500 cases:\n%s", report)
		}
		for _, q := range queries(1500) {
			if !strings.Contains(report, "| "+q.name+" |") {
				t.Errorf("the report has no line for %q", q.name)
			}
		}
		if c.store == "postgres" && (!strings.Contains(report, "Execution Time") || !strings.Contains(report, ".cases AS c ")) {
			t.Errorf("no plans or SQL in the PostgreSQL report:\n%s", report)
		}
		if !strings.Contains(report, "is longer than 500 characters") {
			t.Errorf("the 10,000-character search did not report its validation error:\n%s", report)
		}
	})
}
