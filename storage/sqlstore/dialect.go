package sqlstore

import (
	"strings"

	"github.com/uptrace/bun"
)

// Dialect is the SQL flavour a store speaks.
type Dialect int

// The dialects sqlstore writes.
const (
	SQLite Dialect = iota
	Postgres
)

// ddl rewrites the neutral DDL placeholders for the dialect:
// {json}, {ts}, {bool}, {serial}, {false}, {true}.
func (d Dialect) ddl(s string) string {
	var r *strings.Replacer
	if d == Postgres {
		r = strings.NewReplacer("{json}", "JSONB", "{ts}", "TIMESTAMPTZ", "{bool}", "BOOLEAN",
			"{serial}", "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", "{false}", "FALSE", "{true}", "TRUE")
	} else {
		r = strings.NewReplacer("{json}", "TEXT", "{ts}", "TEXT", "{bool}", "INTEGER",
			"{serial}", "INTEGER PRIMARY KEY AUTOINCREMENT", "{false}", "0", "{true}", "1")
	}
	return r.Replace(s)
}

// lockRows makes q lock the rows it reads until the transaction ends, with
// PostgreSQL's FOR clause ("UPDATE", "UPDATE SKIP LOCKED", ...). On SQLite
// it leaves q as it is: its transactions begin IMMEDIATE, taking the
// database's one write lock, so no other writer runs meanwhile and no row
// is ever skipped.
func (d Dialect) lockRows(q *bun.SelectQuery, clause string) *bun.SelectQuery {
	if d == Postgres {
		return q.For(clause)
	}
	return q
}

// least is the SQL function giving the smaller of its arguments, as the
// upserts of wakeups use it: LEAST on PostgreSQL, the scalar MIN on SQLite.
func (d Dialect) least() string {
	if d == Postgres {
		return "LEAST"
	}
	return "MIN"
}
