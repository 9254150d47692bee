package sqlstore

import (
	"slices"
	"testing"
)

// TestLift holds what lift takes out of a statement as Bun writes it for
// PostgreSQL and what it leaves: values become parameters, the rest of
// the text stays, and a text it cannot read to the end is sent whole.
func TestLift(t *testing.T) {
	for _, c := range []struct {
		name, in, want string
		vals           []any
		ok             bool
	}{
		{"strings and integers",
			`SELECT "c"."id" FROM "ck_t_a".cases AS c WHERE (c.id = 'x''y') AND (c.version = 17) FOR UPDATE`,
			`SELECT "c"."id" FROM "ck_t_a".cases AS c WHERE (c.id = $1) AND (c.version = $2::int8) FOR UPDATE`,
			[]any{"x'y", "17"}, true},
		{"negative integers, NULL and booleans stay words",
			`INSERT INTO "s".case_flow AS w (dim, val, day, slot, opened, ended) VALUES ('status', 'new', '2026-12-07', 3, -1, 0), ('q', NULL, '2026-12-07', 3, 1, 0) ON CONFLICT DO NOTHING`,
			`INSERT INTO "s".case_flow AS w (dim, val, day, slot, opened, ended) VALUES ($1, $2, $3, $4::int8, -$5::int8, $6::int8), ($7, NULL, $8, $9::int8, $10::int8, $11::int8) ON CONFLICT DO NOTHING`,
			[]any{"status", "new", "2026-12-07", "3", "1", "0", "q", "2026-12-07", "3", "1", "0"}, true},
		{"identifiers with quotes and digits, a word with digits",
			`SELECT t1.a FROM "we""ird 'x' 5" AS t1 WHERE t1.b = 'it''s' AND dead = FALSE`,
			`SELECT t1.a FROM "we""ird 'x' 5" AS t1 WHERE t1.b = $1 AND dead = FALSE`,
			[]any{"it's"}, true},
		{"JSON, casts and text with semicolons, dashes and dollars inside",
			`UPDATE "s".cases AS c SET "custom" = '{"a":"x -- y; $1"}'::jsonb, "subject" = '/* no */' WHERE (c.id = 'k')`,
			`UPDATE "s".cases AS c SET "custom" = $1::jsonb, "subject" = $2 WHERE (c.id = $3)`,
			[]any{`{"a":"x -- y; $1"}`, "/* no */", "k"}, true},
		{"typed and prefixed literals, decimals and big numbers stay",
			`SELECT TIMESTAMPTZ 'epoch', interval '1 day', E'a\n', 1.5, 2e3, 99999999999999999999, x FROM t WHERE y = 'v'`,
			`SELECT TIMESTAMPTZ 'epoch', interval '1 day', E'a\n', 1.5, 2e3, 99999999999999999999, x FROM t WHERE y = $1`,
			[]any{"v"}, true},
		{"non-ASCII text", `SELECT 'ünïcödé €' AS s`, `SELECT $1 AS s`, []any{"ünïcödé €"}, true},
		{"a parameter already", `SELECT $1`, `SELECT $1`, nil, false},
		{"a line comment", "SELECT 1 -- one", "SELECT 1 -- one", nil, false},
		{"a block comment", "SELECT /* x */ 1", "SELECT /* x */ 1", nil, false},
		{"a literal left open", "SELECT 'x", "SELECT 'x", nil, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, vals, ok := lift(c.in)
			if ok != c.ok {
				t.Fatalf("lift(%q) ok = %v, want %v", c.in, ok, c.ok)
			}
			if !ok {
				return
			}
			if got != c.want {
				t.Errorf("lift(%q)\n got  %s\n want %s", c.in, got, c.want)
			}
			if !slices.Equal(vals, c.vals) {
				t.Errorf("lift(%q) values %q, want %q", c.in, vals, c.vals)
			}
		})
	}
}
