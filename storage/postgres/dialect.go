package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/schema"

	"casekit.dev/storage/sqlstore"
)

// Dialect is PostgreSQL's sqlstore.Dialect: JSONB, TIMESTAMPTZ and
// identity columns; row locks FOR UPDATE [SKIP LOCKED]; full-text search
// on stored tsvector columns of the 'simple' configuration with GIN
// indexes; custom fields by jsonb containment.
type Dialect struct{}

var _ sqlstore.Dialect = Dialect{}

// Name implements sqlstore.Dialect.
func (Dialect) Name() string { return "postgres" }

// DDL implements sqlstore.Dialect: PostgreSQL reads the neutral DDL as
// it is, once its types are put in.
func (Dialect) DDL(stmt string) string {
	return sqlstore.Types{JSON: "JSONB", Time: "TIMESTAMPTZ", Bool: "BOOLEAN", False: "FALSE", True: "TRUE",
		Serial: "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"}.Put(stmt)
}

// hooks are PostgreSQL's own parts of the schema (sqlstore.Dialect.Hook).
// Released ones never change: they are part of applied migrations.
var hooks = map[string][]string{
	// Each row's words in a generated tsvector column, 'simple' (no
	// stemming, any language) so that SQLite's FTS5 finds the same, each
	// with its GIN index.
	sqlstore.HookSearch: {
		`ALTER TABLE ?.cases ADD COLUMN search tsvector
			GENERATED ALWAYS AS (to_tsvector('simple', subject || ' ' || description)) STORED`,
		`CREATE INDEX cases_search_idx ON ?.cases USING GIN (search)`,
		`ALTER TABLE ?.messages ADD COLUMN search tsvector
			GENERATED ALWAYS AS (to_tsvector('simple', subject || ' ' || body)) STORED`,
		`CREATE INDEX messages_search_idx ON ?.messages USING GIN (search)`,
	},
	// case_tags filled from the cases there, then kept by a trigger
	// function; ANALYZE gives the planner the tags' statistics at once.
	sqlstore.HookCaseTags: {
		`INSERT INTO ?.case_tags (tag, case_id)
			SELECT DISTINCT t, c.id FROM ?.cases AS c,
				jsonb_array_elements_text(CASE WHEN jsonb_typeof(c.tags) = 'array' THEN c.tags ELSE '[]'::jsonb END) AS t`,
		`CREATE FUNCTION ?.case_tags_sync() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF TG_OP <> 'INSERT' THEN
				DELETE FROM ?.case_tags WHERE case_id = OLD.id;
			END IF;
			IF TG_OP <> 'DELETE' AND jsonb_typeof(NEW.tags) = 'array' THEN
				INSERT INTO ?.case_tags (tag, case_id)
					SELECT DISTINCT t, NEW.id FROM jsonb_array_elements_text(NEW.tags) AS t;
			END IF;
			RETURN NULL;
		END $$`,
		`CREATE TRIGGER case_tags_ai AFTER INSERT ON ?.cases FOR EACH ROW
			WHEN (jsonb_typeof(NEW.tags) = 'array' AND NEW.tags <> '[]'::jsonb) EXECUTE FUNCTION ?.case_tags_sync()`,
		`CREATE TRIGGER case_tags_au AFTER UPDATE OF tags ON ?.cases FOR EACH ROW
			WHEN (OLD.tags IS DISTINCT FROM NEW.tags) EXECUTE FUNCTION ?.case_tags_sync()`,
		`CREATE TRIGGER case_tags_ad AFTER DELETE ON ?.cases FOR EACH ROW EXECUTE FUNCTION ?.case_tags_sync()`,
		`ANALYZE ?.case_tags`,
	},
	// The store keeps case_tags from migration 30 on (sqlstore's
	// writeTags): the triggers and their function go.
	sqlstore.HookCaseTagsByStore: {
		`DROP TRIGGER case_tags_ai ON ?.cases`,
		`DROP TRIGGER case_tags_au ON ?.cases`,
		`DROP TRIGGER case_tags_ad ON ?.cases`,
		`DROP FUNCTION ?.case_tags_sync()`,
	},
	// mail_acks has no primary key: logical replication (a Citus tenant
	// move) carries its deletes by the whole old row.
	sqlstore.HookReplicaIdentity: {
		`ALTER TABLE ?.mail_acks REPLICA IDENTITY FULL`,
	},
	// Migration 28's columns of case_facts and case_flow, from the
	// times in microseconds. The epoch of the interval since 1970, not of
	// the timestamptz itself: the latter's EXTRACT is STABLE (it reads
	// the time zone for other fields), and Citus refuses a STABLE function
	// of a column in an UPDATE ("STABLE functions used in UPDATE queries
	// cannot be called with column references"), even in the baseline of
	// a new, empty tenant; the subtraction and the interval's EXTRACT are
	// IMMUTABLE and give the same microseconds.
	sqlstore.HookReportFacts: sqlstore.ReportFacts(func(col string) string {
		return "(EXTRACT(EPOCH FROM " + col + " - TIMESTAMPTZ 'epoch') * 1000000)::BIGINT"
	}),
	// events.id UNIQUE is a constraint: its index goes with it.
	sqlstore.HookEventIDUnique: {
		`ALTER TABLE ?.events DROP CONSTRAINT events_id_key`,
	},
	// A baseline tenant, which never made the table migration 31
	// renamed away, has case_flow_pkey already.
	sqlstore.HookFlowKeyName: {
		`ALTER INDEX IF EXISTS ?.case_flow_pkey1 RENAME TO case_flow_pkey`,
	},
	// Each column's type is the bound casekit's validation holds its
	// values to (or casekit's own values' length), in characters, as
	// varchar counts them; a row of each table is then at most about
	// 1.9 kB (4 bytes a character in UTF-8), under the 2 kB past which
	// PostgreSQL gives a table a TOAST table. Each ALTER TABLE rewrites
	// its table once; a default is set again so that it reads as the
	// one CREATE TABLE declares with the new type (a new tenant's
	// baseline declares these types from the start: sqlstore.Squash).
	sqlstore.HookBoundedText: {
		// casekit's own counter names: case_number, config_version, assign_lock.
		`ALTER TABLE ?.counters ALTER COLUMN name TYPE VARCHAR(64)`,
		// Status keys (casetype.Status: key max 64, label max 200), and
		// the transitions between them (known keys).
		`ALTER TABLE ?.statuses ALTER COLUMN key TYPE VARCHAR(64), ALTER COLUMN label TYPE VARCHAR(200)`,
		`ALTER TABLE ?.transitions ALTER COLUMN from_status TYPE VARCHAR(64), ALTER COLUMN to_status TYPE VARCHAR(64)`,
		// casetype.Lookup: a known kind, key max 64, label max 200, action
		// reopen or close.
		`ALTER TABLE ?.lookups ALTER COLUMN kind TYPE VARCHAR(64), ALTER COLUMN key TYPE VARCHAR(64),
			ALTER COLUMN label TYPE VARCHAR(200), ALTER COLUMN action TYPE VARCHAR(64), ALTER COLUMN action SET DEFAULT ''`,
		// casetype.Team and casetype.Queue: keys (64), names max 200, an
		// assign mode of casetype.AssignMode.
		`ALTER TABLE ?.teams ALTER COLUMN id TYPE VARCHAR(64), ALTER COLUMN name TYPE VARCHAR(200)`,
		`ALTER TABLE ?.queues ALTER COLUMN id TYPE VARCHAR(64), ALTER COLUMN name TYPE VARCHAR(200),
			ALTER COLUMN team_id TYPE VARCHAR(64), ALTER COLUMN team_id SET DEFAULT '',
			ALTER COLUMN sla_id TYPE VARCHAR(64), ALTER COLUMN sla_id SET DEFAULT '',
			ALTER COLUMN assign_mode TYPE VARCHAR(32), ALTER COLUMN assign_mode SET DEFAULT ''`,
		// A case's tags (max 100 each) by the case's ID (casekit's, a UUID).
		`ALTER TABLE ?.case_tags ALTER COLUMN tag TYPE VARCHAR(100), ALTER COLUMN case_id TYPE VARCHAR(64)`,
		// Reply tokens casekit makes (replyTokenLen letters), by case ID.
		`ALTER TABLE ?.reply_tokens ALTER COLUMN token TYPE VARCHAR(64), ALTER COLUMN case_id TYPE VARCHAR(64)`,
		// A case's contact address (casetype.Contact: max 320).
		`ALTER TABLE ?.mail_acks ALTER COLUMN address TYPE VARCHAR(320)`,
		// The web form's remote address (casekit.Submission: max 100).
		`ALTER TABLE ?.intake_rate ALTER COLUMN remote_addr TYPE VARCHAR(100)`,
		// Agents' roles and availability (agent IDs max 200, role keys 64).
		`ALTER TABLE ?.agent_roles ALTER COLUMN agent_id TYPE VARCHAR(200), ALTER COLUMN role TYPE VARCHAR(64)`,
		`ALTER TABLE ?.agent_availability ALTER COLUMN agent_id TYPE VARCHAR(200)`,
	},
	// DueTenants reads the wakeups by due time, over many tenants.
	sqlstore.HookWakeupIndexes: {
		`CREATE INDEX IF NOT EXISTS timer_wakeups_due_idx ON ?.timer_wakeups (due_us)`,
		`CREATE INDEX IF NOT EXISTS outbox_wakeups_due_idx ON ?.outbox_wakeups (due_us)`,
	},
}

// Hook implements sqlstore.Dialect.
func (Dialect) Hook(name string) ([]string, bool) {
	stmts, ok := hooks[name]
	return stmts, ok
}

// LockRows implements sqlstore.Dialect with FOR UPDATE (or KEY SHARE)
// [OF t] [SKIP LOCKED].
func (Dialect) LockRows(q *bun.SelectQuery, l sqlstore.Lock) *bun.SelectQuery {
	clause := "UPDATE"
	if l.KeyShare {
		clause = "KEY SHARE"
	}
	if l.Of != "" {
		clause += " OF " + l.Of
	}
	if l.SkipLocked {
		clause += " SKIP LOCKED"
	}
	return q.For(clause)
}

// Upsert implements sqlstore.Dialect with ON CONFLICT.
func (Dialect) Upsert(q *bun.InsertQuery, key string, set ...string) *bun.InsertQuery {
	return sqlstore.OnConflict(q, key, set...)
}

// Least implements sqlstore.Dialect.
func (Dialect) Least() string { return "LEAST" }

// TextMatch implements sqlstore.Dialect on the search column HookSearch
// made, which its GIN index serves.
func (Dialect) TextMatch(_ bun.Ident, _, alias string, terms [][]string) schema.QueryWithArgs {
	return bun.SafeQuery(alias+".search @@ to_tsquery('simple', ?)", tsQuery(terms))
}

// SearchApart implements sqlstore.Dialect: a case's search column and its
// messages' have a GIN index each, which one OR of the two cannot use.
func (Dialect) SearchApart() bool { return true }

// tsQuery renders terms as a tsquery: 'a' & ('b' <-> 'c').
func tsQuery(terms [][]string) string {
	parts := make([]string, len(terms))
	for i, term := range terms {
		words := make([]string, len(term))
		for j, w := range term {
			words[j] = "'" + w + "'"
		}
		parts[i] = "(" + strings.Join(words, " <-> ") + ")"
	}
	return strings.Join(parts, " & ")
}

// JSONEquals implements sqlstore.Dialect by jsonb containment, which
// compares in the JSON type.
func (Dialect) JSONEquals(col, key string, val any) schema.QueryWithArgs {
	b, _ := json.Marshal(map[string]any{key: val})
	return bun.SafeQuery(col+" @> ?::jsonb", string(b))
}

// EstimateRows implements sqlstore.RowEstimator with the planner's row
// estimate for query, read from EXPLAIN (FORMAT JSON): what the table
// statistics say, without running it. Autovacuum keeps the statistics
// current; a tenant loaded in bulk needs an ANALYZE.
func (Dialect) EstimateRows(ctx context.Context, db bun.IDB, query string) (int64, error) {
	var plan string
	if err := db.NewRaw("EXPLAIN (FORMAT JSON) ?", bun.Safe(query)).Scan(ctx, &plan); err != nil {
		return 0, err
	}
	var out []struct {
		Plan struct {
			Rows float64 `json:"Plan Rows"`
		} `json:"Plan"`
	}
	if err := json.Unmarshal([]byte(plan), &out); err != nil || len(out) == 0 {
		return 0, fmt.Errorf("reading the plan's row estimate: %v", err)
	}
	return int64(out[0].Plan.Rows), nil
}

// ValueList implements sqlstore.Dialect with array_agg, whose text
// form is {1,2,3}. The array is built in the server's memory, 8 bytes a
// value, where percentile_disc's sorts spilled to disk past work_mem: a
// year at a million cases is some 900,000 values, 7 MB; the report's
// guard keeps those it sends within sqlstore.MaxRankedValues.
func (Dialect) ValueList(v string) (string, bool) {
	return "array_agg(" + v + ") FILTER (WHERE " + v + " IS NOT NULL)", true
}

// Fence implements sqlstore.Dialect: PostgreSQL merges a subquery into
// the query around it unless it has an OFFSET, even 0.
func (Dialect) Fence() string { return " OFFSET 0" }

// Batches implements sqlstore.Batcher: statements without arguments go by
// the simple query protocol, several to a round trip.
func (Dialect) Batches() bool { return true }

// ReportSetup implements sqlstore.Dialect, for the report's
// transaction alone. Its groups are hashed, not sorted: a report has
// few (casekit reads at most MaxGroups of them), but the planner cannot
// know that of a time group's key, an expression of a subquery's
// columns, and guesses a tenth of the rows (85,000 for a year at a
// million cases), too many to hash in its estimate, so it sorts half a
// million rows to group them; enable_sort off leaves a sort only where
// nothing else can do (a report's ranks read in order). Its hash tables
// and those sorts may take 64 MB, where the default work_mem of 4 MB
// spills to disk. And no JIT: a report's statements cost enough for the
// planner to compile them with inlining and optimization, which for the
// nested CASEs of a year's time groups took 12 s of a 15.7 s statement
// (auto_explain at a million cases), against an evaluation that
// compiled code would save a fraction of.
func (Dialect) ReportSetup() []string {
	return []string{"SET LOCAL work_mem = '64MB'", "SET LOCAL jit = off", "SET LOCAL enable_sort = off"}
}

// GroupKey implements sqlstore.Dialect: COLLATE "C", whose comparisons
// are memcmp. In the database's collation (C.UTF-8 here) each is a
// strcoll, and a year's report by assignee sorts half a million rows by
// the assignee: 0.85 of the statement's time with "C" (BENCHMARKS.md,
// "A year by month and by assignee (migration 35)").
func (Dialect) GroupKey(expr string) string { return expr + ` COLLATE "C"` }

// FlowSlots implements sqlstore.Dialect: eight, so that eight commands
// writing the same day's counts of a tenant mostly take different rows.
func (Dialect) FlowSlots() int { return 8 }
