package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/user"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// needCrashTest skips the test when this machine cannot run the crash
// test (no PostgreSQL server binaries, not Linux, root without a postgres
// user), or fails it when CASEKIT_REQUIRE_CRASHTEST=1, as .ci/run sets.
func needCrashTest(t *testing.T) {
	t.Helper()
	why := ""
	if runtime.GOOS != "linux" {
		why = notLinux
	} else if _, err := findPGBin(""); err != nil {
		why = err.Error()
	} else if os.Geteuid() == 0 {
		if _, err := user.Lookup("postgres"); err != nil {
			why = "running as root, the crash test needs a postgres user to run PostgreSQL as: " + err.Error()
		}
	}
	if why == "" {
		return
	}
	if os.Getenv("CASEKIT_REQUIRE_CRASHTEST") == "1" {
		t.Fatalf("CASEKIT_REQUIRE_CRASHTEST=1, but the crash test cannot run: %s", why)
	}
	t.Skipf("skipping the crash test: %s (set CASEKIT_REQUIRE_CRASHTEST=1 to fail instead; .ci/run does)", why)
}

// TestCrashRecovery is the crash test's short version: the realistic mix
// on a PostgreSQL cluster of its own, the server SIGKILLed and restarted
// twice, then the four checks, each of which must pass. It then damages
// the database in four ways and wants each check to catch its own.
func TestCrashRecovery(t *testing.T) {
	needCrashTest(t)
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	args := []string{"-crash", "-kills", "2", "-duration", "12s", "-tenants", "3", "-workers", "6",
		"-poll", "200ms", "-leap", "-seed", "11"}
	c, err := parseFlags(args, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	ct, err := newCrashTest(ctx, c, &stdout, &stderr)
	if err != nil {
		t.Fatalf("start: %v\n%s", err, stderr.String())
	}
	t.Cleanup(ct.close)
	if err := ct.load(ctx); err != nil {
		t.Fatalf("load: %v\n%s", err, stdout.String())
	}
	ct.drain(ctx)
	checks, err := ct.check(ctx)
	if err != nil {
		t.Fatalf("check: %v", err)
	}
	ct.report(checks)
	t.Logf("loadgen %s:\n%s", strings.Join(args, " "), stdout.String())
	for _, ch := range checks {
		if !ch.ok {
			t.Errorf("check %d failed: %s: %s\n%s", ch.n, ch.name, ch.summary, strings.Join(ch.details, "\n"))
		}
	}
	if len(ct.outages) != 2 {
		t.Errorf("%d kills, want 2", len(ct.outages))
	}
	total := ct.res.Total()
	if total.OK == 0 || total.Errors == 0 {
		t.Errorf("ok %d, errors %d: want both, the load running and the kills cutting commands off", total.OK, total.Errors)
	}
	if n := ct.cl.logLines("automatic recovery in progress"); n != 2 {
		t.Errorf("the server log shows %d crash recoveries, want 2", n)
	}
	if t.Failed() {
		return
	}

	t.Run("the checks catch damage", func(t *testing.T) {
		tenant := ct.ids[0]
		s := ct.schema(tenant)
		var caseID string
		for id := range ct.p.journal.cases[tenant] {
			caseID = id
			break
		}
		// The damage sets the case's version below the newest the client
		// saw; the stored one may be higher still (a message posted under
		// it bumps it without the journal seeing the version).
		seen := ct.p.journal.states[tenant][caseID].version
		var stored int64
		if err := ct.db.QueryRowContext(ctx, `SELECT version FROM `+s+`.cases WHERE id = $1`, caseID).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		var eventID string
		if err := ct.db.QueryRowContext(ctx, `SELECT id FROM `+s+`.events WHERE case_id = $1 ORDER BY seq LIMIT 1`, caseID).Scan(&eventID); err != nil {
			t.Fatal(err)
		}
		for _, d := range []struct {
			what       string
			do, undo   string
			args       []any // of do; undo takes the first, or undoArgs
			wantFailed int
			undoArgs   []any
		}{
			{"a case's version set back", `UPDATE ` + s + `.cases SET version = $2 WHERE id = $1`,
				`UPDATE ` + s + `.cases SET version = $2 WHERE id = $1`, []any{caseID, seen - 1}, 1, []any{caseID, stored}},
			{"the case number counter moved on", `UPDATE ` + s + `.counters SET value = value + 1 WHERE name = $1`,
				`UPDATE ` + s + `.counters SET value = value - 1 WHERE name = $1`, []any{"case_number"}, 2, nil},
			{"a committed notification nobody delivered", `INSERT INTO ` + s + `.crashcheck_outbox_log (id, event_id, event_type) VALUES ('undelivered', $1, 'case.opened')`,
				`DELETE FROM ` + s + `.crashcheck_outbox_log WHERE id = 'undelivered'`, []any{eventID}, 3, []any{}},
			{"an event whose case is gone", `UPDATE ` + s + `.events SET case_id = 'gone-' || case_id WHERE id = $1`,
				`UPDATE ` + s + `.events SET case_id = substr(case_id, 6) WHERE id = $1`, []any{eventID}, 4, nil},
		} {
			if _, err := ct.db.ExecContext(ctx, d.do, d.args...); err != nil {
				t.Fatalf("%s: %v", d.what, err)
			}
			checks, err := ct.check(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var failed []int
			for _, ch := range checks {
				if !ch.ok {
					failed = append(failed, ch.n)
				}
			}
			if !slices.Equal(failed, []int{d.wantFailed}) {
				t.Errorf("%s: checks %v failed, want only %d", d.what, failed, d.wantFailed)
			}
			undo := d.undoArgs
			if undo == nil {
				undo = d.args[:1]
			}
			if _, err := ct.db.ExecContext(ctx, d.undo, undo...); err != nil {
				t.Fatalf("undo %s: %v", d.what, err)
			}
		}
	})
}

func TestCrashFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-crash", "-dsn", "postgres://x"}, "-dsn does not apply"},
		{[]string{"-crash", "-store", "sqlite"}, "-store does not apply"},
		{[]string{"-crash", "-count", "10"}, "-count does not apply"},
		{[]string{"-crash", "-kills", "0"}, "-kills must be"},
		{[]string{"-crash", "-drain", "0s"}, "-drain must be"},
		{[]string{"-kills", "3"}, "-kills goes with -crash"},
		{[]string{"-leap"}, "-leap goes with -crash"},
		{[]string{"-move", "-crash", "-dsn", "postgres://x"}, "give one"},
		{[]string{"-move", "-dsn", ""}, "-move needs -dsn"},
		{[]string{"-move", "-dsn", "postgres://x", "-pgbin", "/usr/bin"}, "-pgbin does not apply"},
		{[]string{"-move", "-dsn", "postgres://x", "-kills", "0"}, "-kills must be"},
	} {
		_, err := parseFlags(tc.args, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("parseFlags(%q) = %v, want an error saying %q", tc.args, err, tc.want)
		}
	}
	c, err := parseFlags([]string{"-crash"}, io.Discard)
	if err != nil || c.store != "postgres" || c.kills != 5 || c.drain != 3*time.Minute || c.leap {
		t.Errorf("parseFlags(-crash) = %+v, %v", c, err)
	}
	c, err = parseFlags([]string{"-move", "-dsn", "postgres://x", "-kills", "2"}, io.Discard)
	if err != nil || !c.move || !c.crash || c.store != "postgres" || c.dsn != "postgres://x" || c.kills != 2 {
		t.Errorf("parseFlags(-move) = %+v, %v", c, err)
	}
}

func TestFindPGBin(t *testing.T) {
	if _, err := findPGBin(t.TempDir()); err == nil || !strings.Contains(err.Error(), "no initdb and postgres there") {
		t.Errorf("findPGBin(empty dir) = %v, want an error", err)
	}
	for v, want := range map[string]int{
		"postgres (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)": 15,
		"postgres (PostgreSQL) 9.6.24":                         9,
		"postgres":                                             0,
	} {
		if got := majorVersion(v); got != want {
			t.Errorf("majorVersion(%q) = %d, want %d", v, got, want)
		}
	}
}
