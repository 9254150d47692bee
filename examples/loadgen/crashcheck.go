package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// check is one verdict of the crash test.
type check struct {
	n       int
	name    string
	ok      bool
	summary string
	details []string // what went wrong, or one line per tenant
}

// logOutbox makes every tenant's outbox log each notification it is
// given into the tenant's crashcheck_outbox_log, in the inserting
// transaction: the log then holds exactly the notifications of committed
// commands, and keeps them after delivery deletes them from the outbox.
// The log and its trigger belong to the test, not to casekit. Each lives
// in its tenant's schema so that on Citus (-move) they are colocated with
// the outbox on the tenant's worker and move with it; Citus makes the
// trigger only with citus.enable_unsafe_triggers, which PostgreSQL
// without Citus keeps as an unread placeholder.
func (ct *crashTest) logOutbox(ctx context.Context) error {
	tx, err := ct.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	stmts := []string{`SET LOCAL citus.enable_unsafe_triggers = on`}
	for _, id := range ct.ids {
		s := ct.schema(id)
		stmts = append(stmts,
			`CREATE TABLE `+s+`.crashcheck_outbox_log (
				id TEXT PRIMARY KEY,
				event_id TEXT NOT NULL,
				event_type TEXT NOT NULL)`,
			`CREATE FUNCTION `+s+`.crashcheck_log_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN
				INSERT INTO `+s+`.crashcheck_outbox_log (id, event_id, event_type) VALUES (NEW.id, NEW.event_id, NEW.event_type);
				RETURN NEW;
			END $$`,
			`CREATE TRIGGER crashcheck_log AFTER INSERT ON `+s+`.outbox
				FOR EACH ROW EXECUTE FUNCTION `+s+`.crashcheck_log_outbox()`)
	}
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", firstWords(s), err)
		}
	}
	return tx.Commit()
}

func (ct *crashTest) schema(tenant string) string {
	return pgx.Identifier{ct.store.Schema(tenant)}.Sanitize()
}

func firstWords(s string) string {
	f := strings.Fields(s)
	return strings.Join(f[:min(len(f), 4)], " ")
}

// loggedNotifications returns the logged notifications' IDs and tenants.
func (ct *crashTest) loggedNotifications(ctx context.Context) (map[string]string, error) {
	out := map[string]string{}
	for _, tenant := range ct.ids {
		rows, err := ct.db.QueryContext(ctx, `SELECT id FROM `+ct.schema(tenant)+`.crashcheck_outbox_log`)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = tenant
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// dbCase is a case row as the checks read it.
type dbCase struct {
	number  int64
	status  string
	version int64
}

// check reads the database and the client's journal and returns the four
// verdicts. It fails only when it cannot read.
func (ct *crashTest) check(ctx context.Context) ([]check, error) {
	j := ct.p.journal
	j.mu.Lock()
	defer j.mu.Unlock()
	ops := ct.res.Ops

	c1 := check{n: 1, name: "every command the client saw succeed is in the database"}
	c2 := check{n: 2, name: "case numbers per tenant have no duplicates and no gaps"}
	c3 := check{n: 3, name: "every notification of a committed command was delivered"}
	c4 := check{n: 4, name: "no command is half applied"}
	var (
		sawCases, sawMessages, sawStates             int
		missCases, wrongNumber, missMessages, behind int
		extraCases, extraMessages                    int
		totalCases, totalMessages, totalEvents       int
		numbersBad                                   bool
	)
	half := map[string]int{}
	var halfSamples []string
	for _, tenant := range ct.ids {
		s := ct.schema(tenant)
		cases := map[string]dbCase{}
		var numbers []int64
		err := ct.rows(ctx, func(sc func(...any) error) error {
			var id string
			var c dbCase
			if err := sc(&id, &c.number, &c.status, &c.version); err != nil {
				return err
			}
			cases[id] = c
			numbers = append(numbers, c.number)
			return nil
		}, `SELECT id, number, status, version FROM `+s+`.cases`)
		if err != nil {
			return nil, err
		}
		messages := map[string]bool{}
		err = ct.rows(ctx, func(sc func(...any) error) error {
			var id string
			if err := sc(&id); err != nil {
				return err
			}
			messages[id] = true
			return nil
		}, `SELECT id FROM `+s+`.messages`)
		if err != nil {
			return nil, err
		}
		totalCases += len(cases)
		totalMessages += len(messages)

		// 1. The journal against the rows.
		for id, number := range j.cases[tenant] {
			sawCases++
			c, ok := cases[id]
			switch {
			case !ok:
				missCases++
				c1.details = append(c1.details, fmt.Sprintf("%s: case %s (#%d) opened, but not in the database", tenant, id, number))
			case c.number != number:
				wrongNumber++
				c1.details = append(c1.details, fmt.Sprintf("%s: case %s opened as #%d, in the database as #%d", tenant, id, number, c.number))
			}
		}
		for id := range cases {
			if _, ok := j.cases[tenant][id]; !ok {
				extraCases++
			}
		}
		for id, caseID := range j.messages[tenant] {
			sawMessages++
			if !messages[id] {
				missMessages++
				c1.details = append(c1.details, fmt.Sprintf("%s: message %s on case %s posted, but not in the database", tenant, id, caseID))
			}
		}
		for id := range messages {
			if _, ok := j.messages[tenant][id]; !ok {
				extraMessages++
			}
		}
		for id, st := range j.states[tenant] {
			sawStates++
			c, ok := cases[id]
			if ok && (c.version < st.version || c.version == st.version && c.status != st.status) {
				behind++
				c1.details = append(c1.details, fmt.Sprintf("%s: case %s seen at version %d (%s), in the database at version %d (%s)",
					tenant, id, st.version, st.status, c.version, c.status))
			}
		}

		// 2. Numbers: 1..max, each once, and the counter at max.
		slices.Sort(numbers)
		var counter int64
		if err := ct.db.QueryRowContext(ctx, `SELECT value FROM `+s+`.counters WHERE name = 'case_number'`).Scan(&counter); err != nil {
			return nil, err
		}
		var dups, gaps []int64
		for i, n := range numbers {
			if i > 0 && n == numbers[i-1] {
				dups = append(dups, n)
			}
		}
		uniq := slices.Compact(slices.Clone(numbers))
		next := int64(1)
		for _, n := range uniq {
			for ; next < n; next++ {
				gaps = append(gaps, next)
			}
			next = n + 1
		}
		maxN := int64(0)
		if len(numbers) > 0 {
			maxN = numbers[len(numbers)-1]
		}
		line := fmt.Sprintf("%s: %d cases numbered #1..#%d, counter at %d", tenant, len(numbers), maxN, counter)
		if len(dups) > 0 || len(gaps) > 0 || counter != maxN || len(numbers) > 0 && numbers[0] < 1 {
			numbersBad = true
			line += fmt.Sprintf("; duplicates: %s; gaps: %s", sample(dups), sample(gaps))
			if counter != maxN {
				line += fmt.Sprintf("; the counter is not at the highest number, %d", maxN)
			}
		}
		c2.details = append(c2.details, line)

		// 4. Half-applied commands.
		for _, q := range []struct{ name, sql string }{
			{"cases without their case.opened event", `SELECT c.id FROM %[1]s.cases c WHERE NOT EXISTS (
				SELECT 1 FROM %[1]s.events e WHERE e.case_id = c.id AND e.type = 'case.opened')`},
			{"cases with more than one case.opened event", `SELECT case_id FROM %[1]s.events
				WHERE type = 'case.opened' GROUP BY case_id HAVING count(*) > 1`},
			{"cases whose status is not the one their last status event set", `SELECT c.id FROM %[1]s.cases c
				LEFT JOIN LATERAL (SELECT COALESCE(e.data->>'to', e.data->>'status') AS status FROM %[1]s.events e
					WHERE e.case_id = c.id AND (e.type = 'case.opened' OR e.data ? 'to')
					ORDER BY e.seq DESC LIMIT 1) last ON true
				WHERE last.status IS DISTINCT FROM c.status`},
			{"events whose case is missing", `SELECT e.id FROM %[1]s.events e
				WHERE e.case_id <> '' AND NOT EXISTS (SELECT 1 FROM %[1]s.cases c WHERE c.id = e.case_id)`},
			{"messages whose case is missing", `SELECT m.id FROM %[1]s.messages m
				WHERE NOT EXISTS (SELECT 1 FROM %[1]s.cases c WHERE c.id = m.case_id)`},
			{"messages without their message.posted event", `SELECT m.id FROM %[1]s.messages m
				WHERE NOT EXISTS (SELECT 1 FROM %[1]s.events e WHERE e.case_id = m.case_id
					AND e.type = 'message.posted' AND e.data->>'message_id' = m.id)`},
			{"message.posted events whose message is missing", `SELECT e.id FROM %[1]s.events e
				WHERE e.type = 'message.posted' AND NOT EXISTS (SELECT 1 FROM %[1]s.messages m WHERE m.id = e.data->>'message_id')`},
			{"timers whose case is missing", `SELECT t.id FROM %[1]s.timers t
				WHERE NOT EXISTS (SELECT 1 FROM %[1]s.cases c WHERE c.id = t.case_id)`},
			{"notifications whose event is missing", `SELECT l.id FROM %[1]s.crashcheck_outbox_log l
				WHERE NOT EXISTS (SELECT 1 FROM %[1]s.events e WHERE e.id = l.event_id)`},
		} {
			var ids []string
			err := ct.rows(ctx, func(sc func(...any) error) error {
				var id string
				if err := sc(&id); err != nil {
					return err
				}
				ids = append(ids, id)
				return nil
			}, fmt.Sprintf(q.sql, s))
			if err != nil {
				return nil, fmt.Errorf("%s: %w", q.name, err)
			}
			half[q.name] += len(ids)
			if len(ids) > 0 {
				halfSamples = append(halfSamples, fmt.Sprintf("%s: %d %s, e.g. %s", tenant, len(ids), q.name, strings.Join(ids[:min(len(ids), 3)], ", ")))
			}
		}
		var events int
		if err := ct.db.QueryRowContext(ctx, `SELECT count(*) FROM `+s+`.events`).Scan(&events); err != nil {
			return nil, err
		}
		totalEvents += events
	}

	// 1. The verdict: nothing the client saw is missing, and the database
	// holds no more cases or messages than the failed commands (unknown
	// outcome) can account for.
	failedOpens := ops[opOpen].Errors
	failedMessages := ops[opReply].Errors + ops[opComment].Errors
	c1.ok = missCases == 0 && wrongNumber == 0 && missMessages == 0 && behind == 0 &&
		extraCases <= failedOpens && extraMessages <= failedMessages
	c1.summary = fmt.Sprintf("%d cases opened (ID and number), %d messages posted, %d cases' newest status and version (%d status changes) seen; "+
		"missing %d cases, %d wrong numbers, %d messages, %d cases behind what a command returned",
		sawCases, sawMessages, sawStates, j.changes, missCases, wrongNumber, missMessages, behind)
	c1.details = append(capDetails(c1.details), fmt.Sprintf(
		"unknown outcome: the database has %d cases and %d messages the client did not see succeed, against %d opens and %d messages that failed (at most that many may have committed)",
		extraCases, extraMessages, failedOpens, failedMessages))

	c2.ok = !numbersBad
	c2.summary = fmt.Sprintf("%d cases in %d tenants", totalCases, len(ct.ids))

	// 3. Notifications: the outbox log against what the recorder was
	// handed, and what the outbox still holds.
	logged, err := ct.loggedNotifications(ctx)
	if err != nil {
		return nil, err
	}
	got := ct.rec.delivered()
	type outboxRow struct {
		tenant, id, lastError string
		attempts              int
		dead                  bool
		dueUS                 int64
	}
	var left []outboxRow
	for _, tenant := range ct.ids {
		err := ct.rows(ctx, func(sc func(...any) error) error {
			r := outboxRow{tenant: tenant}
			if err := sc(&r.id, &r.attempts, &r.dead, &r.lastError, &r.dueUS); err != nil {
				return err
			}
			left = append(left, r)
			return nil
		}, `SELECT id, attempts, dead, last_error, due_us FROM `+ct.schema(tenant)+`.outbox`)
		if err != nil {
			return nil, err
		}
	}
	var undelivered, phantom, dead, unlogged, leased, repeats int
	var dueIn time.Duration
	for id, tenant := range logged {
		if got[id] == 0 {
			undelivered++
			c3.details = append(c3.details, fmt.Sprintf("%s: notification %s committed, never delivered", tenant, id))
		}
	}
	for id, n := range got {
		if _, ok := logged[id]; !ok {
			phantom++
			c3.details = append(c3.details, fmt.Sprintf("notification %s delivered, but no committed command queued it", id))
		}
		if n > 1 {
			repeats++
		}
	}
	for _, r := range left {
		_, isLogged := logged[r.id]
		switch {
		case r.dead:
			dead++
			c3.details = append(c3.details, fmt.Sprintf("%s: notification %s is dead after %d attempts: %s", r.tenant, r.id, r.attempts, r.lastError))
		case !isLogged:
			unlogged++
			c3.details = append(c3.details, fmt.Sprintf("%s: notification %s is in the outbox but not in the log", r.tenant, r.id))
		case got[r.id] > 0:
			leased++
			dueIn = max(dueIn, time.UnixMicro(r.dueUS).Sub(ct.clock.Now()))
		}
	}
	c3.ok = undelivered == 0 && phantom == 0 && dead == 0 && unlogged == 0
	c3.summary = fmt.Sprintf("%d committed, %d of them delivered (%d more than once); %d never delivered, %d dead letters, %d delivered without a committed command",
		len(logged), len(logged)-undelivered, repeats, undelivered, dead, phantom)
	c3.details = capDetails(c3.details)
	if n := ct.rec.lateOnes(); n > 0 {
		c3.details = append(c3.details, fmt.Sprintf(
			"%d notifications were first delivered on a later attempt: a kill cut off an earlier claim, and casekit claimed them again once its lease ran out", n))
	}
	if leased > 0 {
		c3.details = append(c3.details, fmt.Sprintf(
			"%d delivered notifications are still in the outbox, leased: their settling was cut off (by a kill, or by stopping Kit.Run), so casekit delivers them again when the lease ends, within %v (at least once)",
			leased, dueIn.Round(time.Second)))
	}

	// 4.
	c4.ok = true
	var bad []string
	for name, n := range half {
		if n > 0 {
			c4.ok = false
			bad = append(bad, fmt.Sprintf("%d %s", n, name))
		}
	}
	slices.Sort(bad)
	c4.summary = fmt.Sprintf("%d cases, %d messages, %d events, %d notifications looked at", totalCases, totalMessages, totalEvents, len(logged))
	if c4.ok {
		c4.summary += "; every case has its one case.opened event and the status its last status event set, every message its case and event, every event its case, every notification its event"
	} else {
		c4.summary += "; " + strings.Join(bad, ", ")
		c4.details = capDetails(halfSamples)
	}
	return []check{c1, c2, c3, c4}, nil
}

// rows runs query and calls each with a scanner for every row.
func (ct *crashTest) rows(ctx context.Context, each func(scan func(...any) error) error, query string) error {
	rows, err := ct.db.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := each(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}

// sample prints up to five numbers of xs, or "none".
func sample(xs []int64) string {
	if len(xs) == 0 {
		return "none"
	}
	var parts []string
	for _, x := range xs[:min(len(xs), 5)] {
		parts = append(parts, fmt.Sprintf("#%d", x))
	}
	if len(xs) > 5 {
		parts = append(parts, fmt.Sprintf("... (%d in all)", len(xs)))
	}
	return strings.Join(parts, ", ")
}

// capDetails keeps the first ten lines and says how many more there were.
func capDetails(ds []string) []string {
	if len(ds) <= 10 {
		return ds
	}
	return append(ds[:10:10], fmt.Sprintf("... and %d more", len(ds)-10))
}
