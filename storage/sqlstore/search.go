package sqlstore

import (
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/schema"

	"casekit.dev/casekit/store"
)

// search is the full-text condition for q's terms: every term in the
// case's subject and description, or every term in one of its messages
// (public ones only when the query is a customer's). Terms hold letters
// and digits only (store.CaseQuery.Terms), and the dialect binds them
// as arguments, never splicing them into the SQL.
func (t *Tx) search(q store.CaseQuery) schema.QueryWithArgs {
	inCase, inMessage := t.searchConds(q)
	return bun.SafeQuery("(? OR ?)", inCase, inMessage)
}

// searchConds are the two halves of search: the terms in the case's own
// text, and the terms in one of its messages. Each half alone can use
// its own index, which the two joined by OR may not: listArms lists them
// apart where the dialect says so.
func (t *Tx) searchConds(q store.CaseQuery) (inCase, inMessage schema.QueryWithArgs) {
	public := ""
	if q.VisibleTo != "" {
		public = " AND m.public"
	}
	return t.dialect.TextMatch(t.schema, "cases", "c", q.Terms),
		bun.SafeQuery("EXISTS (SELECT 1 FROM ?.messages AS m WHERE m.case_id = c.id"+public+" AND ?)",
			t.schema, t.dialect.TextMatch(t.schema, "messages", "m", q.Terms))
}
