package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"github.com/uptrace/bun"
)

// Bun writes every value into a statement's text, so every statement a
// command sends is text the database has not seen: PostgreSQL parses and
// plans it anew, which was 38% of a status change's backend CPU
// (BENCHMARKS.md, "Where a status change's CPU goes"). The statements
// every create and status change sends (the hot ones: the locking load of
// a case, the reads of its activities and timers, the case number, the
// events, the wakeup) go, where the store asks for it (Tx.Prepare), with
// their values lifted out of Bun's text as parameters: the text is then
// the same for every case of a tenant, and the driver prepares it once
// per connection and runs the prepared statement after.

// Prepare makes t send its hot statements with their values as
// parameters ($1, $2, ...), lead ahead of them in the arguments: what
// makes the driver prepare each text once per connection and reuse it
// (for pgx, pgx.QueryExecModeCacheStatement). Without it, or with no
// lead, every statement goes as Bun writes it. It returns t.
func (t *Tx) Prepare(lead ...any) *Tx {
	t.lead = lead
	return t
}

// conner is a Bun query that can be bound to a connection of its own.
type conner[Q any] interface{ Conn(bun.IConn) Q }

// prepared binds the Bun query q on db to the connection that sends it
// with its values as parameters, where lead is set and db is one of
// Bun's executors or a holdDB on one (a command's Tx, RunIn: the query
// then goes after the writes held before it); otherwise it returns q as
// it is. Bun still runs its hooks, writes the text and scans the rows;
// only what reaches the driver changes (params).
func prepared[Q conner[Q]](db bun.IDB, lead []any, q Q) Q {
	if len(lead) == 0 {
		return q
	}
	if h, ok := db.(*holdDB); ok {
		return q.Conn(params{conn{h}, lead})
	}
	c, ok := underHooks(db)
	if !ok {
		return q
	}
	return q.Conn(params{c, lead})
}

// prep is prepared on the Tx's executor.
func prep[Q conner[Q]](t *Tx, q Q) Q { return prepared(t.db, t.lead, q) }

// params is the connection of a prepared query: Bun hands it the text
// with the values written in, and it sends the text with the values
// lifted out (lift) to the connection under Bun, lead first.
type params struct {
	c    bun.IConn
	lead []any
}

func (p params) args(query string) (string, []any) {
	text, vals, ok := lift(query)
	if !ok {
		return query, nil // the text as Bun wrote it, sent as Bun would send it
	}
	return text, append(append(make([]any, 0, len(p.lead)+len(vals)), p.lead...), vals...)
}

func (p params) ExecContext(ctx context.Context, query string, _ ...any) (sql.Result, error) {
	text, args := p.args(query)
	return p.c.ExecContext(ctx, text, args...)
}

func (p params) QueryContext(ctx context.Context, query string, _ ...any) (*sql.Rows, error) {
	text, args := p.args(query)
	return p.c.QueryContext(ctx, text, args...)
}

func (p params) QueryRowContext(ctx context.Context, query string, _ ...any) *sql.Row {
	text, args := p.args(query)
	return p.c.QueryRowContext(ctx, text, args...)
}

// lift returns the PostgreSQL statement text query, as Bun writes it,
// with each value in it replaced by a parameter, and the values, each as
// its text: a string literal ('...', its quotes doubled) becomes $n,
// which the database types from where it stands as it would the literal;
// an integer becomes $n::int8, so that its type is fixed (a bare
// parameter of unknown type has none a unary minus or an operator of two
// unknowns can choose). Identifiers, keywords, NULL, TRUE and FALSE stay.
// A literal with a prefix (E'x', B'1', U&'x'), one after a type name (TYPE
// 'text', where the grammar wants a literal) and any number with a point
// or an exponent stay as they are. ok is false for a text lift does not
// read to the end: a dollar sign outside a literal (a parameter or dollar
// quoting already), a comment, or a literal left open. The statements
// prepared hold no positional ORDER BY or GROUP BY (a number there is a
// column's position, not a value).
func lift(query string) (text string, vals []any, ok bool) {
	var b strings.Builder
	b.Grow(len(query) + 16)
	param := func(v string, cast string) {
		vals = append(vals, v)
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(len(vals)))
		b.WriteString(cast)
	}
	for i := 0; i < len(query); {
		c := query[i]
		switch {
		case c == '"': // an identifier, "" inside
			j := i + 1
			for j < len(query) {
				if query[j] == '"' {
					if j+1 < len(query) && query[j+1] == '"' {
						j += 2
						continue
					}
					break
				}
				j++
			}
			j = min(j+1, len(query))
			b.WriteString(query[i:j])
			i = j
		case c == '\'':
			j, val, closed := stringLiteral(query, i)
			if !closed {
				return query, nil, false
			}
			if i > 0 && wordByte(query[i-1]) || typeBefore(query[:i]) {
				b.WriteString(query[i:j])
			} else {
				param(val, "")
			}
			i = j
		case isDigit(c) && (i == 0 || !wordByte(query[i-1]) && query[i-1] != '.'):
			j := i
			for j < len(query) && isDigit(query[j]) {
				j++
			}
			if j < len(query) && (query[j] == '.' || query[j] == 'e' || query[j] == 'E' || wordByte(query[j])) {
				// a decimal, an exponent or not a number: as it is
				for j < len(query) && (wordByte(query[j]) || query[j] == '.' ||
					(query[j] == '+' || query[j] == '-') && (query[j-1] == 'e' || query[j-1] == 'E')) {
					j++
				}
				b.WriteString(query[i:j])
			} else if _, err := strconv.ParseInt(query[i:j], 10, 64); err != nil {
				b.WriteString(query[i:j])
			} else {
				param(query[i:j], "::int8")
			}
			i = j
		case wordByte(c): // a word: keyword or bare identifier, digits in it included
			j := i
			for j < len(query) && wordByte(query[j]) {
				j++
			}
			b.WriteString(query[i:j])
			i = j
		case c == '$' || c == '-' && strings.HasPrefix(query[i:], "--") || c == '/' && strings.HasPrefix(query[i:], "/*"):
			return query, nil, false
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String(), vals, true
}

// stringLiteral reads the standard string literal that starts at
// query[i], a quote, and returns the index after it and its value.
func stringLiteral(query string, i int) (end int, val string, ok bool) {
	var v strings.Builder
	j := i + 1
	for j < len(query) {
		if query[j] == '\'' {
			if j+1 < len(query) && query[j+1] == '\'' {
				v.WriteByte('\'')
				j += 2
				continue
			}
			return j + 1, v.String(), true
		}
		v.WriteByte(query[j])
		j++
	}
	return 0, "", false
}

// typeNames are the words before a literal that make it a typed literal
// (TIMESTAMPTZ 'epoch'), which the grammar wants as a literal.
var typeNames = map[string]bool{
	"timestamptz": true, "timestamp": true, "date": true, "time": true, "timetz": true, "interval": true,
	"json": true, "jsonb": true, "text": true, "uuid": true, "bigint": true, "int": true, "integer": true,
	"int8": true, "int4": true, "smallint": true, "boolean": true, "bool": true, "numeric": true,
	"real": true, "float8": true, "bytea": true, "varchar": true, "char": true, "zone": true,
}

// typeBefore reports whether the word just before a literal (spaces
// skipped) is a type name.
func typeBefore(head string) bool {
	head = strings.TrimRight(head, " \t\n")
	k := len(head)
	for k > 0 && wordByte(head[k-1]) {
		k--
	}
	return k < len(head) && typeNames[strings.ToLower(head[k:])]
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// wordByte reports whether c continues a word: a keyword or a bare
// identifier (letters, digits, '_', and bytes of non-ASCII letters).
func wordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || isDigit(c) || c == '_' || c >= 0x80
}

// Stmt is a statement of a Batch: its text, $n for its parameters, and
// the parameters' values, as lift returns them.
type Stmt struct {
	Text string
	Args []any
}

// Batch sends stmts, in order, in one round trip, each text prepared once
// per connection, and stops at the first that fails, whose error it
// returns; otherwise it returns the rows affected by the last.
type Batch func(ctx context.Context, stmts []Stmt) (int64, error)

// Batch makes t send the statements it sends together (execAll) through
// b, with their values as parameters, where t prepares (Prepare) and runs
// on Bun's transaction; nil keeps them one text of values written in,
// sent by the simple protocol. It returns t.
func (t *Tx) Batch(b Batch) *Tx {
	t.batch = b
	return t
}

// batchConn is the connection Bun runs a Batch on: Bun's hooks see the
// statements' text with the values written in, as they would the simple
// protocol's batch, and the statements go through the Batch.
type batchConn struct {
	b     Batch
	stmts []Stmt
}

func (c batchConn) ExecContext(ctx context.Context, _ string, _ ...any) (sql.Result, error) {
	n, err := c.b(ctx, c.stmts)
	if err != nil {
		return nil, err
	}
	return rowsAffected(n), nil
}

func (c batchConn) QueryContext(context.Context, string, ...any) (*sql.Rows, error) {
	return nil, errBatchRows
}

// QueryRowContext is never called: Bun's Exec, the one query made on a
// batchConn, reads no row.
func (c batchConn) QueryRowContext(context.Context, string, ...any) *sql.Row { return nil }

var errBatchRows = errors.New("sqlstore: a batch reads no rows")

// rowsAffected is the sql.Result of a Batch.
type rowsAffected int64

func (rowsAffected) LastInsertId() (int64, error)   { return 0, errors.New("sqlstore: no insert ID") }
func (n rowsAffected) RowsAffected() (int64, error) { return int64(n), nil }

// batched returns the statements texts (each as Bun wrote it) with their
// values lifted out, and false where t sends no Batch or one of them
// cannot be lifted.
func (t *Tx) batched(texts []string) ([]Stmt, bool) {
	if t.batch == nil || len(t.lead) == 0 {
		return nil, false
	}
	db := t.db
	if h, ok := db.(*holdDB); ok {
		db = h.IDB
	}
	switch db.(type) {
	case bun.Tx, bun.Conn: // a transaction on the batch's connection (RunIn's or RunCommitting's)
	default:
		return nil, false
	}
	stmts := make([]Stmt, len(texts))
	for i, q := range texts {
		text, vals, ok := lift(q)
		if !ok {
			return nil, false
		}
		stmts[i] = Stmt{text, vals}
	}
	return stmts, true
}
