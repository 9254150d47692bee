package sqlstore

import (
	"strings"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/schema"

	"casekit.dev/casekit"
)

// search is the full-text condition for q's terms: every term in the
// case's subject and description, or every term in one of its messages
// (public ones only when the query is a customer's). Terms hold letters
// and digits only (casekit.CaseQuery.Terms), and the query text is bound
// as a parameter, never spliced into the SQL.
func (t *Tx) search(q casekit.CaseQuery) schema.QueryWithArgs {
	inCase, inMessage := t.searchConds(q)
	return bun.SafeQuery("(? OR ?)", inCase, inMessage)
}

// searchConds are the two halves of search: the terms in the case's own
// text, and the terms in one of its messages. Each half alone can use
// its own index (PostgreSQL's GIN on the tsvector, SQLite's FTS table),
// which the two joined by OR cannot: listArms lists them apart on
// PostgreSQL.
func (t *Tx) searchConds(q casekit.CaseQuery) (inCase, inMessage schema.QueryWithArgs) {
	public := ""
	if q.VisibleTo != "" {
		public = " AND m.public"
	}
	if t.dialect == Postgres {
		tsq := tsQuery(q.Terms)
		return bun.SafeQuery("c.search @@ to_tsquery('simple', ?)", tsq),
			bun.SafeQuery(`EXISTS (SELECT 1 FROM ?.messages AS m WHERE m.case_id = c.id`+public+` AND m.search @@ to_tsquery('simple', ?))`,
				t.schema, tsq)
	}
	if public != "" {
		public = " AND m.public = 1"
	}
	fq := ftsQuery(q.Terms)
	return bun.SafeQuery("c.rowid IN (SELECT rowid FROM ?.cases_fts WHERE cases_fts MATCH ?)", t.schema, fq),
		bun.SafeQuery(`EXISTS (SELECT 1 FROM ?.messages AS m WHERE m.case_id = c.id`+public+` AND m.rowid IN (
			SELECT rowid FROM ?.messages_fts WHERE messages_fts MATCH ?))`, t.schema, t.schema, fq)
}

// tsQuery renders terms as a PostgreSQL tsquery: 'a' & ('b' <-> 'c').
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

// ftsQuery renders terms as an FTS5 query: "a" "b c" (every phrase).
func ftsQuery(terms [][]string) string {
	parts := make([]string, len(terms))
	for i, term := range terms {
		parts[i] = `"` + strings.Join(term, " ") + `"`
	}
	return strings.Join(parts, " ")
}
