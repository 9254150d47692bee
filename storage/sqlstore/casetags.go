package sqlstore

import (
	"slices"

	"github.com/uptrace/bun/schema"

	"casekit.dev/storage/sqlstore/rows"
)

// tagsRead is what a Tx read of one case's tags: the case's version and
// its case_tags rows then.
type tagsRead struct {
	version int64
	tags    []rows.CaseTag
}

// noteTags remembers the tags of the case row r, read in this
// transaction, so that writeTags can leave case_tags alone when an
// update keeps them.
func (t *Tx) noteTags(r *caseRow) {
	if t.tagsRead == nil {
		t.tagsRead = map[string]tagsRead{}
	}
	t.tagsRead[r.ID] = tagsRead{version: r.Version, tags: rows.TagsOf(r)}
}

// tagWrites returns the statements that keep case_tags (migration 13)
// for the case row c, which this transaction is inserting (inserted) or
// has just updated from prevVersion: the store's own statements, in the
// case's transaction, where triggers did it before migration 30, because
// Citus runs no trigger on a distributed table (docs/scale-out.md). An
// update that keeps the tags the transaction read at prevVersion needs
// none: every writer of a case moves its version (UpdateCase's check), so
// the rows read at prevVersion are the rows there. Any other update
// replaces the case's rows. It notes c's tags as read, as the
// transaction leaves them once the statements have run.
func (t *Tx) tagWrites(c *caseRow, prevVersion int64, inserted bool) []schema.QueryAppender {
	tags := rows.TagsOf(c)
	var qs []schema.QueryAppender
	if !inserted {
		old, ok := t.tagsRead[c.ID]
		if ok && old.version == prevVersion && slices.Equal(old.tags, tags) {
			t.tagsRead[c.ID] = tagsRead{version: c.Version, tags: tags}
			return nil
		}
		qs = append(qs, t.db.NewRaw("DELETE FROM ?.case_tags WHERE case_id = ?", t.schema, c.ID))
	}
	if len(tags) > 0 {
		qs = append(qs, t.ins(&tags, "case_tags").Returning(""))
	}
	t.noteTags(c)
	return qs
}
