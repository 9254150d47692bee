package sqlstore

import (
	"regexp"
	"strings"
)

// The two passes here make a baseline's rows cheaper to write: a new
// tenant's server time is mostly its relations, but each statement the
// baseline sends costs its parse, plan and executor start too, and a
// statement over cases plans against every one of its indexes
// (BENCHMARKS.md, "Provisioning: the rows a new tenant does not need").

var (
	// updateDeleteRE matches an UPDATE or DELETE of a tenant table,
	// which changes only rows that table already holds.
	updateDeleteRE = regexp.MustCompile(`^(?:UPDATE|DELETE FROM) \?\.(\w+)\b`)
	// insertSelectRE matches an INSERT ... SELECT into a tenant table.
	insertSelectRE = regexp.MustCompile(`^INSERT INTO \?\.(\w+)\s*(?:\([^()]*\)\s*)?SELECT\b`)
	// insertRE matches any INSERT into a tenant table.
	insertRE = regexp.MustCompile(`^INSERT INTO \?\.(\w+)\b`)
	// shapeRE matches statements that only declare or reshape objects,
	// which put no rows anywhere.
	shapeRE = regexp.MustCompile(`^(?:CREATE|ALTER|DROP|COMMENT|ANALYZE)\b`)
	// spreadRE matches what could make a SELECT return rows though every
	// table it reads is empty: an aggregate (one row of no input), a
	// GROUP BY, a set operation, an outer join, VALUES, a function that
	// returns rows of itself, or a negated test (NOT EXISTS holds on
	// empty tables). A SELECT with none of them returns rows only from
	// the tables of its FROM, all of them joined.
	spreadRE = regexp.MustCompile(`(?i)\b(?:count|sum|min|max|avg|every|bool_and|bool_or|\w+_agg|GROUP|HAVING|UNION|INTERSECT|EXCEPT|LEFT|RIGHT|FULL|OUTER|VALUES|generate_series|unnest|NOT)\b`)
	// triggerOnRE names the table a CREATE TRIGGER is on.
	triggerOnRE = regexp.MustCompile(`^CREATE TRIGGER \w+ [^;]*? ON \?\.(\w+) `)
)

// emptyWorkGone leaves out of stmts, a baseline's statements in order,
// those that can change nothing because the tables they work on are
// still empty where they run: an UPDATE or DELETE of a table no earlier
// statement put rows in, and an INSERT ... SELECT that reads only such
// tables and nothing that returns rows of itself (spreadRE). They are
// the migrations' backfills of existing tenants' rows (a priority's
// rank onto its cases, the case_tags and case_facts made from cases),
// which a new tenant has none of. A table counts as holding rows after
// any INSERT into it that stays; every table does after a statement
// that is neither one of these nor a change of shape (shapeRE), whose
// effects squash does not know, or a write to a table with a trigger,
// which may write anywhere (and fires per statement on no rows too, so
// such a table keeps its UPDATEs and DELETEs). What is left out is held
// to the replayed history by the store's test that compares every
// table's row count.
func emptyWorkGone(stmts []string) []string {
	filled := map[string]bool{}    // tables that may hold rows
	triggered := map[string]bool{} // tables with a trigger
	anywhere := false              // every table may hold rows
	empty := func(table string) bool { return !anywhere && !filled[table] }
	out := stmts[:0:0]
	for _, s := range stmts {
		if m := updateDeleteRE.FindStringSubmatch(s); m != nil && empty(m[1]) && !triggered[m[1]] {
			continue
		}
		if m := insertSelectRE.FindStringSubmatch(s); m != nil && !triggered[m[1]] && !spreadRE.MatchString(s) && readsOnlyEmpty(s, empty) {
			continue
		}
		m := insertRE.FindStringSubmatch(s)
		if m == nil {
			m = updateDeleteRE.FindStringSubmatch(s)
		}
		switch {
		case m != nil && triggered[m[1]], m == nil && !shapeRE.MatchString(s):
			anywhere = true
		case m != nil:
			filled[m[1]] = true
		}
		if t := triggerOnRE.FindStringSubmatch(s); t != nil {
			triggered[t[1]] = true
		}
		if r := renameTableRE.FindStringSubmatch(s); r != nil {
			filled[r[2]], triggered[r[2]] = filled[r[1]], triggered[r[1]]
		}
		out = append(out, s)
	}
	return out
}

// readsOnlyEmpty reports whether the INSERT ... SELECT s names at least
// one table besides the one it writes, and only empty ones.
func readsOnlyEmpty(s string, empty func(string) bool) bool {
	read := false
	for _, n := range tableNameRE.FindAllStringSubmatch(s, -1)[1:] {
		if !empty(n[1]) {
			return false
		}
		read = true
	}
	return read
}

// valuesJoined joins each run of INSERT statements into one table of the
// same columns, each one row of VALUES and nothing after it, into one
// INSERT of all their rows in order: one statement to parse, plan and
// start where there were many (the default triggers are fifteen).
func valuesJoined(stmts []string) []string {
	out := stmts[:0:0]
	head := "" // the INSERT ... VALUES the last statement of out starts with, if it can take more rows
	for _, s := range stmts {
		h, row, ok := singleRow(s)
		if ok && h == head {
			out[len(out)-1] += ", " + row
			continue
		}
		head = ""
		if ok {
			head = h
		}
		out = append(out, s)
	}
	return out
}

// singleRow splits an INSERT INTO ?.table (columns) VALUES (...) of one
// row, with nothing after it, into its head up to VALUES and the row; ok
// is false for any other statement, and for a row with what rowEnd does
// not read (dollar quotes, backslashes, comments).
func singleRow(s string) (head, row string, ok bool) {
	if !insertRE.MatchString(s) {
		return "", "", false
	}
	i := strings.Index(s, ") VALUES (")
	if i < 0 || strings.Contains(s[:i], "SELECT") {
		return "", "", false
	}
	head, row = s[:i+len(") VALUES ")], s[i+len(") VALUES "):]
	if strings.ContainsAny(row, "$\\") || strings.Contains(row, "--") || strings.Contains(row, "/*") || rowEnd(row) != len(row) {
		return "", "", false
	}
	return head, row, true
}

// rowEnd returns the length of the parenthesized row row starts with,
// reading over quoted strings (two quotes in a row inside one stand for
// a quote), or -1 if it
// does not close.
func rowEnd(row string) int {
	depth, quoted := 0, false
	for i := 0; i < len(row); i++ {
		c := row[i]
		switch {
		case quoted:
			if c == '\'' {
				if i+1 < len(row) && row[i+1] == '\'' {
					i++
				} else {
					quoted = false
				}
			}
		case c == '\'':
			quoted = true
		case c == '(':
			depth++
		case c == ')':
			depth--
			if depth == 0 {
				return i + 1
			}
		}
	}
	return -1
}
