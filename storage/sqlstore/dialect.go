package sqlstore

import (
	"strings"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/schema"
)

// Dialect is everything sqlstore's SQL leaves to the database: the one
// interface a store for another database implements (the package doc says
// how, and what each method must guarantee). Every other statement
// sqlstore writes is SQL that PostgreSQL and SQLite both read as it is.
//
// The stores' own dialects are postgres.Dialect and sqlite.Dialect.
type Dialect interface {
	// Name names the store in its errors: "postgres", "sqlite".
	Name() string

	// DDL renders one neutral statement of the migrations or of the
	// registry (see migrations.go) for the database: it replaces the
	// placeholders {json}, {ts}, {bool}, {serial}, {false} and {true}, and
	// rewrites what the database spells otherwise. Every "?" it leaves
	// stands for the quoted schema.
	DDL(stmt string) string

	// Hook returns the statements of the part of the schema the database
	// builds its own way, named by one of the Hook constants, in the form
	// DDL takes; false for a name it does not know, which fails the
	// migration. They run at the hook's place, in its migration's
	// transaction.
	Hook(name string) (stmts []string, ok bool)

	// LockRows makes q lock the rows it reads as l says, until the
	// transaction ends; or returns q as it is where the database runs one
	// writing transaction at a time, so that no row is ever held by
	// another.
	LockRows(q *bun.SelectQuery, l Lock) *bun.SelectQuery

	// Upsert makes the insert q, where its row has the key (a unique
	// column list: "id", "kind, key") of a row already there, update that
	// row instead, setting its set columns to q's values. OnConflict is
	// the SQL PostgreSQL and SQLite share.
	Upsert(q *bun.InsertQuery, key string, set ...string) *bun.InsertQuery

	// Least is the name of the SQL function of two values giving the
	// smaller, as the upsert of a wakeup keeps the earlier due time.
	Least() string

	// TextMatch is the condition that the row alias of table ("cases" or
	// "messages") in the schema in holds every one of terms, each a
	// phrase of words (letters and digits only) that follow each other:
	// for cases in subject or description, for messages in subject or
	// body. It reads the index HookSearch made, and binds the terms as
	// arguments.
	TextMatch(in bun.Ident, table, alias string, terms [][]string) schema.QueryWithArgs

	// SearchApart reports whether a search lists the cases whose own text
	// matches apart from those with a matching message, because each
	// half reads an index of its own that one OR of the two cannot.
	SearchApart() bool

	// JSONEquals is the condition that the JSON object in column col has
	// key (a custom-field key: letters, digits, '_' and '-', never a
	// quote) equal to val, a string, number or bool compared in its JSON
	// type: true never matches the string "true" nor the number 1.
	JSONEquals(col, key string, val any) schema.QueryWithArgs

	// ValueList returns the aggregate expression of the list of the
	// values of the integer expression v over a group's rows where it is
	// not NULL, in any order, as text: the integers in decimal, separated
	// by anything but digits and '-' ("{1,2,3}", "1,2,3"), NULL for none;
	// sqlstore ranks them in Go (facts). ok false says there is
	// none, or the database would build it in the program's own memory
	// before its size could be checked; sqlstore then reads the values
	// with a query per kind of fact, or above MaxRankedValues values
	// reads them sorted by the database, a query per duration.
	ValueList(v string) (list string, ok bool)

	// Fence is the end of a subquery in FROM that makes the database
	// compute the subquery's select list before the outer query reads it,
	// rather than merging the two (which would compute an expression
	// again for every use of it, and sort a grouping's input with every
	// column the expressions read); "" to leave it to the database.
	Fence() string

	// GroupKey returns the SQL a report groups the text expression expr
	// by: expr compared byte by byte, which is equality as in any
	// deterministic collation (so the groups are the same) but cheaper to
	// sort by than a language's collation. The groups' order is not the
	// database's to keep: casekit sorts them.
	GroupKey(expr string) string

	// ReportSetup returns the statements a report runs first in its
	// transaction: settings for its statements alone, such as the memory
	// its sorts may take.
	ReportSetup() []string

	// FlowSlots is how many rows of case_flow a day's count of a value
	// is spread over, each transaction writing one of them, so that
	// concurrent commands do not queue on one row until they commit: 1
	// where the database runs one writing transaction at a time.
	FlowSlots() int
}

// OnConflict is Dialect.Upsert in the SQL PostgreSQL and SQLite share:
// ON CONFLICT (key) DO UPDATE SET col = EXCLUDED.col, ...
func OnConflict(q *bun.InsertQuery, key string, set ...string) *bun.InsertQuery {
	q = q.On("CONFLICT (" + key + ") DO UPDATE")
	for _, col := range set {
		q = q.Set(col + " = EXCLUDED." + col)
	}
	return q
}

// Types are a dialect's words for the placeholders of neutral DDL.
type Types struct {
	// JSON is {json}: a JSON document, read and written as text.
	JSON string
	// Time is {ts}: an instant, compared in time order.
	Time string
	// Bool is {bool}, False and True its literals {false} and {true}.
	Bool, False, True string
	// Serial is {serial}: an integer primary key numbering rows as they
	// are inserted.
	Serial string
}

// Put puts the types in place of stmt's placeholders, for Dialect.DDL.
func (t Types) Put(stmt string) string {
	return strings.NewReplacer("{json}", t.JSON, "{ts}", t.Time, "{bool}", t.Bool,
		"{serial}", t.Serial, "{false}", t.False, "{true}", t.True).Replace(stmt)
}

// Lock says how a query locks the rows it reads.
type Lock struct {
	// Of names the table (by its alias) whose rows are locked, where a
	// query reads more than one; "" locks them all.
	Of string
	// SkipLocked skips the rows another transaction holds instead of
	// waiting for them.
	SkipLocked bool
	// KeyShare takes the weakest lock that still keeps the rows from being
	// locked for update or deleted until the transaction ends (FOR KEY
	// SHARE), where a plain lock would make every transaction that reads
	// the row wait for the last: other holders of it, and updates of
	// columns that are not the key, go on.
	KeyShare bool
}

// The dialect's own parts of the schema, which Dialect.Hook returns.
const (
	// HookSearch (migration 2) makes the full-text index of the cases'
	// subject and description and the messages' subject and body, fills
	// it, and keeps it up to date as rows change; the words are split on
	// every character that is not a letter or digit, kept as written
	// (diacritics too) and compared without case, so every store finds
	// the same cases.
	HookSearch = "search"
	// HookCaseTags (migration 13) fills case_tags (tag, case_id) with the
	// strings of each case's tags array, once each, and keeps it equal to
	// them as cases are inserted, updated and deleted.
	HookCaseTags = "case tags"
	// HookCaseTagsByStore (migration 30) removes what HookCaseTags made
	// to keep case_tags (triggers, their functions), leaving the table
	// and its rows: from then on the store writes them in the statements
	// that write the case (Citus runs no trigger on a distributed table).
	HookCaseTagsByStore = "case tags by the store"
	// HookReplicaIdentity (migration 30) gives each tenant table without
	// a primary key what logical replication needs to carry its updates
	// and deletes (on PostgreSQL REPLICA IDENTITY FULL), so that Citus
	// can move a tenant's schema between nodes while it works; none
	// where nothing replicates.
	HookReplicaIdentity = "replica identity"
	// HookWakeupIndexes (the registry) makes whatever index DueTenants
	// wants on the due_us of timer_wakeups and outbox_wakeups; none may
	// do. It runs each time a store opens: its statements must be
	// idempotent.
	HookWakeupIndexes = "wakeup indexes"
	// HookReportFacts (migration 28) fills the columns migration 28
	// added to case_facts from the times there (ended_at, the earlier of
	// resolved_at and closed_at but not before created_at; the
	// durations in microseconds) and case_flow from case_facts: the
	// statements ReportFacts makes from the dialect's microseconds of a
	// time column.
	HookReportFacts = "report facts"
	// HookEventIDUnique (migration 33) drops the uniqueness of events.id
	// where that takes no more than dropping its index: no query reads
	// an event by its ID, which casekit makes (a UUIDv7), so the index
	// is a relation each new tenant pays for and a write each event
	// pays for. A store that cannot drop it without rebuilding the
	// table (SQLite's UNIQUE column) keeps it.
	HookEventIDUnique = "event ID unique"
	// HookFlowKeyName (migration 33) names case_flow's primary key as a
	// new tenant's baseline names it, where migration 31 named it
	// otherwise: PostgreSQL named the key of the table migration 31 made
	// case_flow_pkey1, the one it renamed away still holding
	// case_flow_pkey. It must do nothing on a schema whose key already
	// has the name.
	HookFlowKeyName = "case_flow key name"
	// HookBoundedText (migration 36) gives the text columns of the
	// tables whose every value casekit bounds (a status key, a lookup
	// label, a team's name, a reply token, ...) a type of that bound,
	// where the store's table then needs no TOAST table: PostgreSQL makes
	// one, with its index, for a table whose row could outgrow 2 kB, at a
	// cost of about 0.8 ms of CPU a table to every new tenant
	// (BENCHMARKS.md, "Provisioning without the TOAST tables casekit
	// never fills"). The bounds are casekit's validation's, which refuses
	// a longer value before any store sees it; a longer value written
	// past casekit would stop the migration of its tenant with the
	// database's error, the transaction rolled back. A store that makes
	// no such table keeps its columns.
	HookBoundedText = "bounded text"
)
