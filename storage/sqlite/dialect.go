package sqlite

import (
	"strings"

	"github.com/uptrace/bun"
	bunschema "github.com/uptrace/bun/schema"

	"casekit.dev/storage/sqlstore"
)

// Dialect is SQLite's sqlstore.Dialect: JSON and times as text, booleans
// as integers; no row locks, since each file runs one writing
// transaction at a time; full-text search in FTS5 tables kept by
// triggers; custom fields by json_extract.
type Dialect struct{}

var _ sqlstore.Dialect = Dialect{}

// Name implements sqlstore.Dialect.
func (Dialect) Name() string { return "sqlite" }

// DDL implements sqlstore.Dialect with JSON and times as text (Bun
// writes every time in one UTC form whose text order is time order) and
// booleans as integers. SQLite qualifies an index's name with
// the schema, not its table: CREATE INDEX main.x ON t.
func (Dialect) DDL(stmt string) string {
	if rest, ok := strings.CutPrefix(stmt, "CREATE INDEX "); ok {
		name, on, _ := strings.Cut(rest, " ON ?.")
		return "CREATE INDEX ?." + name + " ON " + on
	}
	return sqlstore.Types{JSON: "TEXT", Time: "TEXT", Bool: "INTEGER", False: "0", True: "1",
		Serial: "INTEGER PRIMARY KEY AUTOINCREMENT"}.Put(stmt)
}

// hooks are SQLite's own parts of the schema (sqlstore.Dialect.Hook).
// Released ones never change: they are part of applied migrations.
var hooks = map[string][]string{
	// External-content FTS5 tables over the cases and the messages, kept
	// by triggers, with the unicode61 tokenizer keeping diacritics so
	// that PostgreSQL's 'simple' tsvector finds the same words.
	sqlstore.HookSearch: {
		`CREATE VIRTUAL TABLE ?.cases_fts USING fts5(subject, description,
			content='cases', tokenize='unicode61 remove_diacritics 0')`,
		`CREATE TRIGGER ?.cases_fts_ai AFTER INSERT ON cases BEGIN
			INSERT INTO cases_fts (rowid, subject, description) VALUES (new.rowid, new.subject, new.description);
		END`,
		`CREATE TRIGGER ?.cases_fts_ad AFTER DELETE ON cases BEGIN
			INSERT INTO cases_fts (cases_fts, rowid, subject, description) VALUES ('delete', old.rowid, old.subject, old.description);
		END`,
		`CREATE TRIGGER ?.cases_fts_au AFTER UPDATE OF subject, description ON cases BEGIN
			INSERT INTO cases_fts (cases_fts, rowid, subject, description) VALUES ('delete', old.rowid, old.subject, old.description);
			INSERT INTO cases_fts (rowid, subject, description) VALUES (new.rowid, new.subject, new.description);
		END`,
		`INSERT INTO ?.cases_fts (cases_fts) VALUES ('rebuild')`,
		`CREATE VIRTUAL TABLE ?.messages_fts USING fts5(subject, body,
			content='messages', tokenize='unicode61 remove_diacritics 0')`,
		`CREATE TRIGGER ?.messages_fts_ai AFTER INSERT ON messages BEGIN
			INSERT INTO messages_fts (rowid, subject, body) VALUES (new.rowid, new.subject, new.body);
		END`,
		`CREATE TRIGGER ?.messages_fts_ad AFTER DELETE ON messages BEGIN
			INSERT INTO messages_fts (messages_fts, rowid, subject, body) VALUES ('delete', old.rowid, old.subject, old.body);
		END`,
		`INSERT INTO ?.messages_fts (messages_fts) VALUES ('rebuild')`,
	},
	// case_tags filled from the cases there, then kept by triggers.
	sqlstore.HookCaseTags: {
		`INSERT OR IGNORE INTO ?.case_tags (tag, case_id)
			SELECT j.value, c.id FROM ?.cases AS c, json_each(c.tags) AS j WHERE json_type(c.tags) = 'array'`,
		`CREATE TRIGGER ?.case_tags_ai AFTER INSERT ON cases WHEN json_type(NEW.tags) = 'array' BEGIN
			INSERT OR IGNORE INTO case_tags (tag, case_id) SELECT value, NEW.id FROM json_each(NEW.tags);
		END`,
		`CREATE TRIGGER ?.case_tags_au AFTER UPDATE OF tags ON cases WHEN OLD.tags IS NOT NEW.tags BEGIN
			DELETE FROM case_tags WHERE case_id = OLD.id;
			INSERT OR IGNORE INTO case_tags (tag, case_id)
				SELECT value, NEW.id FROM json_each(NEW.tags) WHERE json_type(NEW.tags) = 'array';
		END`,
		`CREATE TRIGGER ?.case_tags_ad AFTER DELETE ON cases BEGIN
			DELETE FROM case_tags WHERE case_id = OLD.id;
		END`,
	},
	// The store keeps case_tags from migration 30 on (sqlstore's
	// writeTags): the triggers go.
	sqlstore.HookCaseTagsByStore: {
		`DROP TRIGGER ?.case_tags_ai`,
		`DROP TRIGGER ?.case_tags_au`,
		`DROP TRIGGER ?.case_tags_ad`,
	},
	// Nothing replicates a tenant's file.
	sqlstore.HookReplicaIdentity: {},
	// Migration 28's columns of case_facts and case_flow. Times are
	// text, "2006-01-02 15:04:05.999999+00:00" (Bun's UTC form): whole
	// seconds by unixepoch, the fraction's digits padded to six.
	sqlstore.HookReportFacts: sqlstore.ReportFacts(func(col string) string {
		return "(unixepoch(substr(" + col + ", 1, 19)) * 1000000 + CASE WHEN substr(" + col + ", 20, 1) = '.' THEN " +
			"CAST(substr(substr(" + col + ", 21, instr(substr(" + col + ", 21), '+') - 1) || '00000', 1, 6) AS INTEGER) ELSE 0 END)"
	}),
	// A UNIQUE column's index cannot be dropped without rebuilding the
	// table: events.id keeps it.
	sqlstore.HookEventIDUnique: {},
	// SQLite names a primary key's index after its table
	// (sqlite_autoindex_case_flow_1), whatever was renamed before.
	sqlstore.HookFlowKeyName: {},
	// SQLite keeps any text in any column and makes no TOAST tables:
	// casekit's validation bounds the values.
	sqlstore.HookBoundedText: {},
	// The control file holds few tenants: no index.
	sqlstore.HookWakeupIndexes: {},
}

// Hook implements sqlstore.Dialect.
func (Dialect) Hook(name string) ([]string, bool) {
	stmts, ok := hooks[name]
	return stmts, ok
}

// LockRows implements sqlstore.Dialect by leaving q as it is: the store's
// transactions begin IMMEDIATE, taking the file's one write lock, so no
// other writer runs meanwhile and no row is ever skipped.
func (Dialect) LockRows(q *bun.SelectQuery, _ sqlstore.Lock) *bun.SelectQuery { return q }

// Upsert implements sqlstore.Dialect with ON CONFLICT.
func (Dialect) Upsert(q *bun.InsertQuery, key string, set ...string) *bun.InsertQuery {
	return sqlstore.OnConflict(q, key, set...)
}

// Least implements sqlstore.Dialect with the scalar MIN.
func (Dialect) Least() string { return "MIN" }

// TextMatch implements sqlstore.Dialect on the table's FTS5 index, which
// HookSearch made.
func (Dialect) TextMatch(in bun.Ident, table, alias string, terms [][]string) bunschema.QueryWithArgs {
	fts := table + "_fts"
	return bun.SafeQuery(alias+".rowid IN (SELECT rowid FROM ?."+fts+" WHERE "+fts+" MATCH ?)", in, ftsQuery(terms))
}

// SearchApart implements sqlstore.Dialect: SQLite reads each half's FTS
// matches whole and sorts them, slower than its one scan newest first
// (BENCHMARKS.md), so the search stays one condition.
func (Dialect) SearchApart() bool { return false }

// ftsQuery renders terms as an FTS5 query: "a" "b c" (every phrase).
func ftsQuery(terms [][]string) string {
	parts := make([]string, len(terms))
	for i, term := range terms {
		parts[i] = `"` + strings.Join(term, " ") + `"`
	}
	return strings.Join(parts, " ")
}

// JSONEquals implements sqlstore.Dialect with json_extract, where a JSON
// true is 1 and so would match the number 1: a bool is compared by
// json_type instead.
func (Dialect) JSONEquals(col, key string, val any) bunschema.QueryWithArgs {
	path := `$."` + key + `"` // keys are checked: no quotes
	if b, ok := val.(bool); ok {
		return bun.SafeQuery("json_type("+col+", ?) = ?", path, map[bool]string{true: "true", false: "false"}[b])
	}
	return bun.SafeQuery("json_extract("+col+", ?) = ?", path, val)
}

// ValueList implements sqlstore.Dialect: none. SQLite runs in the
// program's own memory, where group_concat would hold every value of a
// period as text before anything could check their number; sqlstore
// reads the counts first and then the values, or reads them sorted by
// SQLite where Go would hold more than sqlstore.MaxRankedValues.
func (Dialect) ValueList(string) (string, bool) { return "", false }

// Fence implements sqlstore.Dialect: an OFFSET, which SQLite does not
// flatten into the outer query (its query flattener's rule 14), so each
// fact row's values are computed once, not again for each use of them by
// the outer query: a year by month, whose outer query reads each time
// group key several times, takes 0.66 of its time, a year by assignee
// 0.76 (BENCHMARKS.md, "SQLite's subqueries fenced"). LIMIT -1 is no
// limit; SQLite takes an OFFSET only after a LIMIT.
func (Dialect) Fence() string { return " LIMIT -1 OFFSET 0" }

// ReportSetup implements sqlstore.Dialect: nothing to set.
func (Dialect) ReportSetup() []string { return nil }

// GroupKey implements sqlstore.Dialect: expr as it is, SQLite comparing
// text by its bytes (BINARY) unless told otherwise.
func (Dialect) GroupKey(expr string) string { return expr }

// FlowSlots implements sqlstore.Dialect: SQLite writes one transaction at
// a time, so one row is never waited on longer than the database is.
func (Dialect) FlowSlots() int { return 1 }
