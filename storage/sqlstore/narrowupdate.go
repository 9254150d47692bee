package sqlstore

import (
	"bytes"
	"reflect"

	"github.com/uptrace/bun/schema"
)

// insertOnlyCaseCols are the cases columns no update sets: the key and
// what never changes after the insert.
var insertOnlyCaseCols = []string{"id", "number", "created_by", "created_at"}

// fixedCaseCols are the cases columns an update never compares: the
// insert-only ones, and priority_rank, which an update sets from the
// priority when it sets priority (rankSQL), and a rank change rewrites in
// place (lookups.go).
var fixedCaseCols = func() map[string]bool {
	m := map[string]bool{"priority_rank": true}
	for _, c := range insertOnlyCaseCols {
		m[c] = true
	}
	return m
}()

// caseLiterals is the SQL literal of each of the case row r's updatable
// columns as the store writes it, in the order of the row model's data
// fields (nil for the fixed ones). Literals are copies, so a caller that
// later changes the case's tags or custom map in place changes no
// snapshot; comparing them tells exactly whether an UPDATE would write
// the column's value back unchanged.
func (t *Tx) caseLiterals(r *caseRow) [][]byte {
	gen := schema.NewQueryGen(t.db.Dialect())
	fields := t.caseFields()
	strct := reflect.ValueOf(r).Elem()
	out := make([][]byte, len(fields))
	var buf []byte
	for i, f := range fields {
		if fixedCaseCols[f.Name] {
			continue
		}
		start := len(buf)
		buf = f.AppendValue(gen, buf, strct)
		out[i] = buf[start:len(buf):len(buf)]
	}
	return out
}

// caseFields are the data fields of the cases row model, from Bun's own
// table schema, so that a column added to the model is compared too.
func (t *Tx) caseFields() []*schema.Field {
	return t.db.Dialect().Tables().Get(reflect.TypeFor[caseRow]()).DataFields
}

// changedCaseCols returns the columns whose literal in now differs from
// was (both caseLiterals of one case), and whether priority is among
// them. An UPDATE that sets only these leaves PostgreSQL less to do: the
// stored generated search column (subject and description) is computed
// again only when the UPDATE sets one of its inputs, and the new row
// version carries fewer bytes of text to parse and check.
func (t *Tx) changedCaseCols(was, now [][]byte) (cols []string, priority bool) {
	for i, f := range t.caseFields() {
		if fixedCaseCols[f.Name] || bytes.Equal(was[i], now[i]) {
			continue
		}
		cols = append(cols, f.Name)
		priority = priority || f.Name == "priority"
	}
	return cols, priority
}
