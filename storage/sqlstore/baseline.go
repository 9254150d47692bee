package sqlstore

import (
	"casekit.dev/casekit/store"
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// Baseline is a tenant schema at one version as one script: the tables,
// columns, indexes, functions and triggers that replaying every migration
// up to Version leaves, made more directly. A new tenant is built from it
// because replaying the history costs a catalog change for every step
// ever taken (a column added, an index made and later dropped) and a
// round trip for every statement; existing tenants still migrate step by
// step. Squash makes one from the migrations themselves, so it cannot
// fall behind them; a store that uses it holds it equal to the replayed
// history with a test that compares the two catalogs.
//
// The zero Baseline is no baseline: Build replays every migration.
type Baseline struct {
	// Version is the migration the script brings a new schema to.
	Version int
	// Stmts are the script's statements, in the form Dialect.DDL takes
	// (hooks included), "?" standing for the schema.
	Stmts []string
	// Whole sends the ledger table, the statements and the ledger's rows
	// as one text, one round trip, where the database runs every kind of
	// DDL statement sent together: PostgreSQL, not a Citus coordinator
	// (see baselineScripts). Each statement sent alone costs the client
	// and the server a round trip, about a tenth of a millisecond of CPU
	// apiece, some 70 a tenant (BENCHMARKS.md, "Provisioning: round
	// trips"). The zero value splits, which every database takes.
	Whole bool
}

// Build makes a new tenant's schema in the transaction of t from b, and
// seeds it through t: what a store's CreateTenant runs, so that creation
// is one transaction. The migration ledger, b's statements and the
// ledger's rows up to b.Version go to the database as a few scripts
// (baselineScripts); every migration after b.Version is then applied as
// Migrate would, so a baseline left behind by a new migration still
// builds the latest schema (only slower). The seed's writes are held and
// sent together where the dialect batches (holdDB).
func Build(ctx context.Context, t *Tx, b Baseline, seed func(context.Context, store.Tx) error) error {
	schema := string(t.schema)
	scripts, err := baselineScripts(t.db, t.dialect, schema, b)
	if err != nil {
		return err
	}
	for _, script := range scripts {
		if _, err := t.db.ExecContext(ctx, script); err != nil {
			if b.Whole { // the error names the statement's object; the first line would not
				return fmt.Errorf("baseline at version %d, sent whole: %w", b.Version, err)
			}
			return fmt.Errorf("baseline at version %d: %s: %w", b.Version, firstLine(script), err)
		}
	}
	for _, m := range migrations {
		if m.version <= b.Version {
			continue
		}
		if err := apply(ctx, t.db, t.dialect, schema, m); err != nil {
			return fmt.Errorf("migration %d (%s): %w", m.version, m.name, err)
		}
	}
	return t.holding(ctx, func() error { return seed(ctx, t) })
}

// baselineScripts renders the ledger table, b's statements and the
// ledger's rows for every migration up to b.Version as scripts, one round
// trip apiece: all of them as one where b.Whole says the database takes
// that, otherwise the CREATE TABLE, INSERT, UPDATE and ANALYZE statements
// between two others together, every other statement (CREATE INDEX,
// ALTER TABLE, ...) alone. A Citus coordinator (docs/scale-out.md) hands
// the workers the whole text it was sent for such a change to a
// distributed table, which they refuse when it holds more than one
// statement. A version no migration has is refused: the ledger would lie.
func baselineScripts(db bun.IDB, d Dialect, schema string, b Baseline) ([]string, error) {
	if b.Version < 0 || b.Version > LatestVersion() || (b.Version == 0) != (len(b.Stmts) == 0) {
		return nil, fmt.Errorf("%s: a baseline at version %d with %d statements: the version must be a migration's (1 to %d) and come with statements",
			d.Name(), b.Version, len(b.Stmts), LatestVersion())
	}
	stmts, err := render(db, d, schema, append([]string{migrationTable}, b.Stmts...))
	if err != nil {
		return nil, err
	}
	if b.Version > 0 {
		now := time.Now().UTC()
		q := db.NewRaw("INSERT INTO ?.casekit_migrations (version, name, applied_at) VALUES ", bun.Ident(schema)).String()
		var rows []string
		for _, m := range migrations {
			if m.version <= b.Version {
				rows = append(rows, db.NewRaw("(?, ?, ?)", m.version, m.name, now).String())
			}
		}
		stmts = append(stmts, q+strings.Join(rows, ", "))
	}
	if b.Whole {
		return []string{strings.Join(stmts, ";\n")}, nil
	}
	var scripts, run []string
	for _, s := range stmts {
		if batchable.MatchString(strings.TrimSpace(s)) {
			run = append(run, s)
			continue
		}
		if len(run) > 0 {
			scripts = append(scripts, strings.Join(run, ";\n"))
			run = nil
		}
		scripts = append(scripts, s)
	}
	if len(run) > 0 {
		scripts = append(scripts, strings.Join(run, ";\n"))
	}
	return scripts, nil
}

// batchable matches the statements baselineScripts sends together.
var batchable = regexp.MustCompile(`^(?:CREATE TABLE|INSERT INTO|UPDATE|ANALYZE) `)

// Squash returns the baseline of the latest version that d's store can
// build new tenants from: the migrations' statements in order, hooks
// expanded, with the history folded away where that is safe on an empty
// schema. A column added by ALTER TABLE ... ADD COLUMN joins its table's
// CREATE TABLE at the end of the list (after any table constraint, which
// PostgreSQL reads as the same table; SQLite would not, and replays), so
// the columns keep the order the migrations gave them, and a column's
// type changed by ALTER TABLE ... ALTER COLUMN ... TYPE is declared in
// its CREATE TABLE (retype), so that PostgreSQL makes the table once,
// as the rewrite leaves it (a table whose every text column is bounded
// gets no TOAST table either way), until the table
// is changed any other way (any other ALTER TABLE, ADD COLUMN IF NOT
// EXISTS included, or DROP TABLE; REPLICA IDENTITY, which stays in its
// place, leaves the columns alone), after which its statements stay as
// written; an index made and later dropped by DROP INDEX is never made.
// Every other statement stays as it is, so what Squash does not
// understand is replayed as written; the Go steps, which change existing
// rows of which a new tenant has none, are left out. Likewise a trigger made and later
// dropped by DROP TRIGGER, or a function of no arguments made and later
// dropped by DROP FUNCTION, is never made; a column's UNIQUE whose
// constraint ALTER TABLE ... DROP CONSTRAINT later drops (by the name
// PostgreSQL gives it, table_column_key) is never declared, while the
// table is still folded into. Nor is a table that is
// renamed by ALTER TABLE ... RENAME TO and later dropped under its new
// name (a table rebuilt under its old name, as case_flow was by
// migration 31): its CREATE TABLE, its rename and drop, and every
// statement naming it under either name in between (its indexes, the
// rows written into it and copied out of it) go with it, as on an empty
// schema it held only what such statements put there from the empty
// tables, and nothing it held outlives it; the store's test that
// compares a baseline tenant with a replayed one, catalog and every
// table's row count, holds this. Last, the migrations' backfills of rows
// a new tenant cannot have are left out (emptyWorkGone), and the rows
// inserted one statement each into the same table are inserted by one
// (valuesJoined).
func Squash(d Dialect) (Baseline, error) {
	stmts, err := squash(d, migrations)
	if err != nil {
		return Baseline{}, err
	}
	return Baseline{Version: LatestVersion(), Stmts: stmts}, nil
}

var (
	createTableRE = regexp.MustCompile(`^CREATE TABLE \?\.(\w+) \(`)
	addColumnRE   = regexp.MustCompile(`^ALTER TABLE \?\.(\w+) ADD COLUMN (\w[\s\S]*)$`)
	ifNotExistsRE = regexp.MustCompile(`^IF NOT EXISTS\b`)
	alterTableRE  = regexp.MustCompile(`^(?:ALTER|DROP) TABLE (?:IF EXISTS )?(?:ONLY )?\?\.(\w+)`)
	renameTableRE = regexp.MustCompile(`^ALTER TABLE \?\.(\w+) RENAME TO (\w+)$`)
	dropTableRE   = regexp.MustCompile(`^DROP TABLE \?\.(\w+)$`)
	tableNameRE   = regexp.MustCompile(`\?\.(\w+)`)
	dropUniqueRE  = regexp.MustCompile(`^ALTER TABLE \?\.(\w+) DROP CONSTRAINT (\w+)_key$`)
	// replicaIdentityRE matches a change of what logical replication
	// carries of a table's rows, which leaves its columns as they are.
	replicaIdentityRE = regexp.MustCompile(`^ALTER TABLE \?\.\w+ REPLICA IDENTITY \w+$`)
	// alterColumnsRE matches an ALTER TABLE of ALTER COLUMN clauses, which
	// retype may fold.
	alterColumnsRE = regexp.MustCompile(`^ALTER TABLE \?\.(\w+) (ALTER COLUMN [\s\S]*)$`)
	typeClauseRE   = regexp.MustCompile(`^ALTER COLUMN (\w+) TYPE (\w+(?:\(\d+\))?)$`)
	defaultRE      = regexp.MustCompile(`^ALTER COLUMN (\w+) SET DEFAULT ('[^',]*'|\d+)$`)
)

// retype folds clauses, the ALTER COLUMN clauses of one ALTER TABLE, into
// the CREATE TABLE *create: each TYPE clause replaces the type its
// column is declared with, and each SET DEFAULT must set the default the
// column already declares (a default set again after its column's new
// type, so that it reads as declared with that type, as a new table's
// does). Types are one word with a length or none (TEXT, VARCHAR(64)),
// defaults a quoted string or a number. It reports false, changing
// nothing, unless every clause is one of these and its column is
// declared exactly once in *create.
func retype(create *string, clauses string) bool {
	s := *create
	for _, clause := range strings.Split(clauses, ",") {
		clause = strings.Join(strings.Fields(clause), " ")
		if c := typeClauseRE.FindStringSubmatch(clause); c != nil {
			re := regexp.MustCompile(columnDecl(c[1]) + `\w+(?:\(\d+\))?([\s,)]|$)`)
			if len(re.FindAllStringIndex(s, -1)) != 1 {
				return false
			}
			s = re.ReplaceAllString(s, "${1}"+c[2]+"${2}")
			continue
		}
		if c := defaultRE.FindStringSubmatch(clause); c != nil {
			re := regexp.MustCompile(columnDecl(c[1]) + `[^,\n]*? DEFAULT ` + regexp.QuoteMeta(c[2]) + `(?:[\s,)]|$)`)
			if len(re.FindAllStringIndex(s, -1)) != 1 {
				return false
			}
			continue
		}
		return false
	}
	*create = s
	return true
}

// columnDecl is the pattern of the start of column col's declaration in
// a CREATE TABLE, up to its type, as the first submatch: the start of a
// line, an opening parenthesis or a comma, blanks, the name, blanks.
func columnDecl(col string) string {
	return `(?m)((?:^|[(,])\s*` + regexp.QuoteMeta(col) + `\s+)`
}

// dropUnique takes UNIQUE away from the one column of the CREATE TABLE
// *create of table whose constraint name (PostgreSQL's table_column, a
// column's UNIQUE, with _key after it) names: what dropping that
// constraint leaves. It reports false, changing nothing, unless exactly
// one such column declares UNIQUE.
func dropUnique(create *string, table, name string) bool {
	col, ok := strings.CutPrefix(name, table+"_")
	if !ok {
		return false
	}
	re := regexp.MustCompile(`(?m)^(\s*` + regexp.QuoteMeta(col) + `\s[^,\n]*?) UNIQUE\b`)
	if len(re.FindAllStringIndex(*create, -1)) != 1 {
		return false
	}
	*create = re.ReplaceAllString(*create, "$1")
	return true
}

// foldable are the kinds of object squash leaves out when a later
// statement drops them: each kind's CREATE and DROP, whose submatches
// name the object.
var foldable = []struct {
	kind         string
	create, drop *regexp.Regexp
}{
	{"index", regexp.MustCompile(`^CREATE (?:UNIQUE )?INDEX (\w+) ON `), regexp.MustCompile(`^DROP INDEX \?\.(\w+)$`)},
	{"trigger", regexp.MustCompile(`^CREATE TRIGGER (\w+) [^;]*? ON \?\.(\w+) `), regexp.MustCompile(`^DROP TRIGGER (\w+) ON \?\.(\w+)$`)},
	{"function", regexp.MustCompile(`^CREATE FUNCTION \?\.(\w+)\(\) `), regexp.MustCompile(`^DROP FUNCTION \?\.(\w+)\(\)$`)},
}

// objectOf names the object a statement of one of the foldable kinds
// makes (create) or drops, or returns "".
func objectOf(stmt string, create bool) string {
	for _, f := range foldable {
		re := f.drop
		if create {
			re = f.create
		}
		if m := re.FindStringSubmatch(stmt); m != nil {
			return f.kind + " " + strings.Join(m[1:], " on ")
		}
	}
	return ""
}

// squash folds the statements of ms, as Squash says.
func squash(d Dialect, ms []migration) ([]string, error) {
	var out []string
	tables := map[string]int{}  // table name to its CREATE TABLE in out
	made := map[string]int{}    // a foldable object (objectOf) to its CREATE in out
	renamed := map[string]int{} // a table renamed, by its new name, to its CREATE TABLE in out
	naming := map[int][]int{}   // a table's CREATE TABLE in out to the later statements naming it
	live := map[string]int{}    // every table by its name to its CREATE TABLE in out
	const gone = ""             // a statement folded away
	for _, m := range ms {
		for _, s := range m.stmts {
			if strings.HasPrefix(s, stepPrefix) {
				continue // work on existing rows: an empty tenant has none
			}
			group := []string{s}
			if name, ok := strings.CutPrefix(s, hookPrefix); ok {
				if group, ok = d.Hook(name); !ok {
					return nil, fmt.Errorf("%s: migration %d: the dialect makes no %q", d.Name(), m.version, name)
				}
			}
			for _, g := range group {
				g = strings.TrimSpace(g)
				if c := addColumnRE.FindStringSubmatch(g); c != nil && !ifNotExistsRE.MatchString(c[2]) {
					if i, ok := tables[c[1]]; ok {
						out[i] = out[i][:len(out[i])-1] + ",\n\t\t\t" + c[2] + ")"
						continue
					}
				}
				if c := dropUniqueRE.FindStringSubmatch(g); c != nil {
					if i, ok := tables[c[1]]; ok && dropUnique(&out[i], c[1], c[2]) {
						continue
					}
				}
				if c := alterColumnsRE.FindStringSubmatch(g); c != nil {
					if i, ok := tables[c[1]]; ok && retype(&out[i], c[2]) {
						continue
					}
				}
				if c := alterTableRE.FindStringSubmatch(g); c != nil && !replicaIdentityRE.MatchString(g) {
					delete(tables, c[1]) // changed otherwise: nothing more folds into it
				}
				if obj := objectOf(g, false); obj != "" {
					if i, ok := made[obj]; ok {
						out[i] = gone
						delete(made, obj)
						continue
					}
				}
				if c := dropTableRE.FindStringSubmatch(g); c != nil {
					if i, ok := renamed[c[1]]; ok { // renamed, now dropped: never made
						for _, j := range append(naming[i], i) {
							out[j] = gone
						}
						delete(renamed, c[1])
						delete(live, c[1])
						continue
					}
					delete(live, c[1])
				}
				for _, n := range tableNameRE.FindAllStringSubmatch(g, -1) {
					if i, ok := live[n[1]]; ok && !slices.Contains(naming[i], len(out)) {
						naming[i] = append(naming[i], len(out))
					}
				}
				if c := renameTableRE.FindStringSubmatch(g); c != nil {
					if i, ok := live[c[1]]; ok {
						delete(live, c[1])
						live[c[2]], renamed[c[2]] = i, i
					}
				}
				if c := createTableRE.FindStringSubmatch(g); c != nil {
					live[c[1]] = len(out)
					if strings.HasSuffix(g, ")") {
						tables[c[1]] = len(out)
					}
				}
				if obj := objectOf(g, true); obj != "" {
					made[obj] = len(out)
				}
				out = append(out, g)
			}
		}
	}
	return valuesJoined(emptyWorkGone(slices.DeleteFunc(out, func(s string) bool { return s == gone }))), nil
}
