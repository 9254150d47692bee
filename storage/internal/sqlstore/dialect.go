package sqlstore

import "strings"

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
