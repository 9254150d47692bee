package sqlstore

import (
	"slices"

	"github.com/uptrace/bun/schema"

	"casekit.dev/storage/sqlstore/rows"
)

// caseRead is what a Tx read, or wrote, of one case: the case's version
// and, as of that version, its case_tags rows, its case_facts row and the
// literals of its columns (caseLiterals), from which an update sets only
// the columns it changes.
// Every writer of a case moves its version (UpdateCase's check) and writes
// its tags and facts in the same transaction, so a case at that version
// has those rows stored: an update from it needs to read neither.
type caseRead struct {
	version int64
	tags    []rows.CaseTag
	fact    *rows.CaseFact
	cols    [][]byte
	locked  bool // the transaction holds the case row's lock: it read it FOR UPDATE, inserted or updated it
}

// noteRead remembers the case row r, read or written in this transaction,
// so that an update from its version can leave case_tags alone when it
// keeps the tags (tagWrites), move case_flow from r's facts without
// reading them again (factWrites), and, given cols, r's caseLiterals, set
// only the columns it changes (UpdateCase). locked says the transaction
// holds the row's lock. Only a row read FOR UPDATE, which the command is
// about to change, or one just updated, pays for its literals: a read of
// a case to show it, or a new case, does not.
func (t *Tx) noteRead(r *caseRow, cols [][]byte, locked bool) {
	if t.read == nil {
		t.read = map[string]caseRead{}
	}
	t.read[r.ID] = caseRead{version: r.Version, tags: rows.TagsOf(r), fact: rows.FactOf(r), cols: cols, locked: locked}
}

// readAt returns what the transaction read of case id at version, if
// that is the version it read.
func (t *Tx) readAt(id string, version int64) (caseRead, bool) {
	r, ok := t.read[id]
	return r, ok && r.version == version
}

// tagWrites returns the statements that keep case_tags (migration 13)
// for the case row c, which this transaction is inserting (inserted) or
// has just updated from old, what it read of the case at the version the
// update started from (known: it did). The store's own statements, in the
// case's transaction, where triggers did it before migration 30, because
// Citus runs no trigger on a distributed table (docs/scale-out.md). An
// update that keeps the tags read at that version needs none: the rows
// read then are the rows there. Any other update replaces the case's rows.
func (t *Tx) tagWrites(c *caseRow, old caseRead, known, inserted bool) []schema.QueryAppender {
	tags := rows.TagsOf(c)
	if !inserted && known && slices.Equal(old.tags, tags) {
		return nil
	}
	var qs []schema.QueryAppender
	if !inserted {
		qs = append(qs, t.db.NewRaw("DELETE FROM ?.case_tags WHERE case_id = ?", t.schema, c.ID))
	}
	if len(tags) > 0 {
		qs = append(qs, t.ins(&tags, "case_tags").Returning(""))
	}
	return qs
}
