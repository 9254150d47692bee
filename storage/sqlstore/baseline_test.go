package sqlstore

import (
	"slices"
	"strings"
	"testing"
)

// hookDialect is a Dialect of which squash calls only Name and Hook.
type hookDialect struct{ Dialect }

func (hookDialect) Name() string { return "test" }

func (hookDialect) Hook(name string) ([]string, bool) {
	if name != "extra" {
		return nil, false
	}
	return []string{"ALTER TABLE ?.b ADD COLUMN z INTEGER", "CREATE INDEX b_z_idx ON ?.b (z)"}, true
}

// squash folds added columns into their tables in order, drops an index,
// a trigger (by name and table) or a function made and later dropped,
// a column's UNIQUE later dropped, and a table renamed and later dropped
// with every statement naming it, folds a column's new type (and its
// default set again as it was) into its table, past a REPLICA IDENTITY
// too, expands hooks, stops folding into a table changed otherwise
// (a default set to another value, a column it does not have,
// ADD COLUMN IF NOT EXISTS, ALTER TABLE ONLY), and keeps every other
// statement in its place.
func TestSquashFoldsTheHistory(t *testing.T) {
	ms := []migration{
		{1, "one", []string{
			"CREATE TABLE ?.a (id TEXT PRIMARY KEY)",
			"CREATE INDEX a_x_idx ON ?.a (id)",
			"INSERT INTO ?.a (id) VALUES ('x')",
			"CREATE TABLE ?.b (\n\tid TEXT,\n\tPRIMARY KEY (id))",
			"CREATE TABLE ?.d (\n\tid TEXT NOT NULL UNIQUE,\n\tn INTEGER UNIQUE)",
			"CREATE TABLE ?.flow (k TEXT PRIMARY KEY)",
			"CREATE INDEX flow_k_idx ON ?.flow (k)",
			"INSERT INTO ?.flow (k) SELECT id FROM ?.b",
			"CREATE TABLE ?.e (id TEXT)",
		}},
		{2, "two", []string{
			"ALTER TABLE ?.a ADD COLUMN n INTEGER NOT NULL DEFAULT 0",
			hook("extra"),
			"DROP INDEX ?.a_x_idx",
			"ALTER TABLE ?.a RENAME COLUMN n TO m",
			"ALTER TABLE ?.a ADD COLUMN k TEXT",
			"DROP INDEX ?.made_elsewhere",
			"ALTER TABLE ?.b ADD COLUMN IF NOT EXISTS z INTEGER",
			"ALTER TABLE ?.b ADD COLUMN y TEXT",
			"CREATE TABLE ?.c (id TEXT)",
			"ALTER TABLE ONLY ?.c ALTER COLUMN id SET NOT NULL",
			"ALTER TABLE ?.c ADD COLUMN w TEXT",
			"CREATE FUNCTION ?.f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$",
			"CREATE FUNCTION ?.g() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$",
			"CREATE TRIGGER t_ai AFTER INSERT ON ?.a FOR EACH ROW EXECUTE FUNCTION ?.f()",
			"CREATE TRIGGER t_au AFTER UPDATE OF n ON ?.a FOR EACH ROW EXECUTE FUNCTION ?.f()",
			"CREATE TRIGGER t_ai AFTER INSERT ON ?.b FOR EACH ROW EXECUTE FUNCTION ?.g()",
		}},
		{3, "three", []string{
			"DROP TRIGGER t_ai ON ?.a",
			"DROP TRIGGER t_au ON ?.a",
			"DROP FUNCTION ?.f()",
			"DROP TRIGGER made_elsewhere ON ?.a",
			"DROP FUNCTION ?.made_elsewhere()",
			"ALTER TABLE ?.flow RENAME TO flow_3",
			"CREATE TABLE ?.flow (k TEXT PRIMARY KEY, v INTEGER)",
			"INSERT INTO ?.flow (k, v) SELECT k, 0 FROM ?.flow_3",
			"DROP TABLE ?.flow_3",
			"DROP TABLE ?.e",
			"ALTER TABLE ?.d DROP CONSTRAINT d_id_key",
			"ALTER TABLE ?.c DROP CONSTRAINT c_id_key",
			"CREATE TABLE ?.r (\n\tkey TEXT PRIMARY KEY,\n\tlabel TEXT NOT NULL,\n\tkind TEXT NOT NULL DEFAULT '',\n\tn INTEGER)",
			"CREATE TABLE ?.s (id TEXT PRIMARY KEY, v TEXT NOT NULL DEFAULT 'a')",
			"CREATE TABLE ?.u (id TEXT PRIMARY KEY, v TEXT)",
			"ALTER TABLE ?.r REPLICA IDENTITY FULL",
		}},
		{4, "four", []string{
			"ALTER TABLE ?.r ALTER COLUMN key TYPE VARCHAR(64),\n\t\t\tALTER COLUMN kind TYPE VARCHAR(16), ALTER COLUMN kind SET DEFAULT ''",
			"ALTER TABLE ?.r ALTER COLUMN label TYPE VARCHAR(200)",
			"ALTER TABLE ?.r ADD COLUMN m INTEGER",
			"ALTER TABLE ?.s ALTER COLUMN v TYPE VARCHAR(8), ALTER COLUMN v SET DEFAULT 'b'",
			"ALTER TABLE ?.s ADD COLUMN w TEXT",
			"ALTER TABLE ?.u ALTER COLUMN w TYPE VARCHAR(8)",
		}},
	}
	want := []string{
		"CREATE TABLE ?.a (id TEXT PRIMARY KEY,\n\t\t\tn INTEGER NOT NULL DEFAULT 0)",
		"INSERT INTO ?.a (id) VALUES ('x')",
		"CREATE TABLE ?.b (\n\tid TEXT,\n\tPRIMARY KEY (id),\n\t\t\tz INTEGER)",
		"CREATE TABLE ?.d (\n\tid TEXT NOT NULL,\n\tn INTEGER UNIQUE)",
		"CREATE TABLE ?.e (id TEXT)",
		"CREATE INDEX b_z_idx ON ?.b (z)",
		"ALTER TABLE ?.a RENAME COLUMN n TO m",
		"ALTER TABLE ?.a ADD COLUMN k TEXT",
		"DROP INDEX ?.made_elsewhere",
		"ALTER TABLE ?.b ADD COLUMN IF NOT EXISTS z INTEGER",
		"ALTER TABLE ?.b ADD COLUMN y TEXT",
		"CREATE TABLE ?.c (id TEXT)",
		"ALTER TABLE ONLY ?.c ALTER COLUMN id SET NOT NULL",
		"ALTER TABLE ?.c ADD COLUMN w TEXT",
		"CREATE FUNCTION ?.g() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$",
		"CREATE TRIGGER t_ai AFTER INSERT ON ?.b FOR EACH ROW EXECUTE FUNCTION ?.g()",
		"DROP TRIGGER made_elsewhere ON ?.a",
		"DROP FUNCTION ?.made_elsewhere()",
		"CREATE TABLE ?.flow (k TEXT PRIMARY KEY, v INTEGER)",
		"DROP TABLE ?.e",
		"ALTER TABLE ?.c DROP CONSTRAINT c_id_key",
		"CREATE TABLE ?.r (\n\tkey VARCHAR(64) PRIMARY KEY,\n\tlabel VARCHAR(200) NOT NULL,\n\tkind VARCHAR(16) NOT NULL DEFAULT '',\n\tn INTEGER,\n\t\t\tm INTEGER)",
		"CREATE TABLE ?.s (id TEXT PRIMARY KEY, v TEXT NOT NULL DEFAULT 'a')",
		"CREATE TABLE ?.u (id TEXT PRIMARY KEY, v TEXT)",
		"ALTER TABLE ?.r REPLICA IDENTITY FULL",
		"ALTER TABLE ?.s ALTER COLUMN v TYPE VARCHAR(8), ALTER COLUMN v SET DEFAULT 'b'",
		"ALTER TABLE ?.s ADD COLUMN w TEXT",
		"ALTER TABLE ?.u ALTER COLUMN w TYPE VARCHAR(8)",
	}
	wantSquash(t, ms, want)
	ms[1].stmts = append(ms[1].stmts, hook("unknown"))
	if _, err := squash(hookDialect{}, ms); err == nil || !strings.Contains(err.Error(), `"unknown"`) {
		t.Errorf("an unknown hook gave %v, want an error naming it", err)
	}
}

// A baseline whose version is no migration's, or that has a version and
// no statements (or statements and no version), is refused before
// anything is sent: the ledger would say what the schema is not.
func TestBaselineVersionChecked(t *testing.T) {
	for _, b := range []Baseline{
		{Version: LatestVersion() + 1, Stmts: []string{"CREATE TABLE ?.x (id TEXT)"}},
		{Version: -1, Stmts: []string{"CREATE TABLE ?.x (id TEXT)"}},
		{Version: 3},
		{Stmts: []string{"CREATE TABLE ?.x (id TEXT)"}},
	} {
		if _, err := baselineScripts(nil, hookDialect{}, "s", b); err == nil || !strings.Contains(err.Error(), "baseline at version") {
			t.Errorf("baseline %+v: %v, want a clear error", b, err)
		}
	}
}

// squash leaves out the UPDATEs, DELETEs and INSERT ... SELECTs that
// work on tables still empty where they run, and keeps those of tables
// an earlier statement may have put rows in (an INSERT, a statement it
// does not know, a write to a table with a trigger), those of a table
// with a trigger, and an INSERT ... SELECT that could return rows from
// empty tables (an aggregate, NOT EXISTS) or reads no table; then joins
// runs of one-row INSERTs into the same table and columns.
func TestSquashLeavesOutWorkOnEmptyTables(t *testing.T) {
	ms := []migration{
		{1, "one", []string{
			"CREATE TABLE ?.a (id TEXT PRIMARY KEY, n INTEGER)",
			"CREATE TABLE ?.b (id TEXT PRIMARY KEY, n INTEGER)",
			"CREATE TABLE ?.c (id TEXT PRIMARY KEY, n INTEGER)",
			"UPDATE ?.a SET n = 1",
			"DELETE FROM ?.a WHERE n = 0",
			"UPDATE ?.a AS x SET n = b.n FROM ?.b AS b WHERE b.id = x.id",
			"INSERT INTO ?.b (id, n)\n\tSELECT DISTINCT id, n FROM ?.a ORDER BY id",
			"INSERT INTO ?.b (id, n) SELECT 'x', count(*) FROM ?.a",
			"INSERT INTO ?.b (id, n) SELECT 'y', 1 WHERE NOT EXISTS (SELECT 1 FROM ?.a)",
			"INSERT INTO ?.b (id, n) SELECT 'z', 1",
			"INSERT INTO ?.c (id, n) VALUES ('p', 1)",
			"INSERT INTO ?.c (id, n) VALUES ('q (it''s ) here', 2)",
			"INSERT INTO ?.c (id, n) VALUES ('r', 3) ON CONFLICT (id) DO NOTHING",
			"INSERT INTO ?.c (id, n) VALUES ('s', 4)",
			"INSERT INTO ?.c (id) VALUES ('t')",
			"INSERT INTO ?.c (id, n) VALUES ('u', 5)",
			"INSERT INTO ?.c (id, n) VALUES ('v', 6), ('w', 7)",
			"INSERT INTO ?.c (id, n) VALUES ('$x', 8)",
			"UPDATE ?.c SET n = n + 1",
			"INSERT INTO ?.a (id, n) SELECT id, n FROM ?.c",
		}},
		{2, "two", []string{
			"CREATE TABLE ?.d (id TEXT PRIMARY KEY)",
			"CREATE TABLE ?.e (id TEXT PRIMARY KEY)",
			"DELETE FROM ?.e",
			"ALTER TABLE ?.c RENAME TO c_2",
			"UPDATE ?.c_2 SET n = 0",
			"CREATE TABLE ?.g (id TEXT PRIMARY KEY)",
			"UPDATE ?.g SET id = id",
			"CREATE TRIGGER d_au AFTER UPDATE ON ?.d FOR EACH STATEMENT EXECUTE FUNCTION ?.f()",
			"UPDATE ?.d SET id = id",
			"UPDATE ?.g SET id = id",
		}},
	}
	want := []string{
		"CREATE TABLE ?.a (id TEXT PRIMARY KEY, n INTEGER)",
		"CREATE TABLE ?.b (id TEXT PRIMARY KEY, n INTEGER)",
		"CREATE TABLE ?.c (id TEXT PRIMARY KEY, n INTEGER)",
		"INSERT INTO ?.b (id, n) SELECT 'x', count(*) FROM ?.a",
		"INSERT INTO ?.b (id, n) SELECT 'y', 1 WHERE NOT EXISTS (SELECT 1 FROM ?.a)",
		"INSERT INTO ?.b (id, n) SELECT 'z', 1",
		"INSERT INTO ?.c (id, n) VALUES ('p', 1), ('q (it''s ) here', 2)",
		"INSERT INTO ?.c (id, n) VALUES ('r', 3) ON CONFLICT (id) DO NOTHING",
		"INSERT INTO ?.c (id, n) VALUES ('s', 4)",
		"INSERT INTO ?.c (id) VALUES ('t')",
		"INSERT INTO ?.c (id, n) VALUES ('u', 5)",
		"INSERT INTO ?.c (id, n) VALUES ('v', 6), ('w', 7)",
		"INSERT INTO ?.c (id, n) VALUES ('$x', 8)",
		"UPDATE ?.c SET n = n + 1",
		"INSERT INTO ?.a (id, n) SELECT id, n FROM ?.c",
		"CREATE TABLE ?.d (id TEXT PRIMARY KEY)",
		"CREATE TABLE ?.e (id TEXT PRIMARY KEY)",
		"ALTER TABLE ?.c RENAME TO c_2",
		"UPDATE ?.c_2 SET n = 0",
		"CREATE TABLE ?.g (id TEXT PRIMARY KEY)",
		"CREATE TRIGGER d_au AFTER UPDATE ON ?.d FOR EACH STATEMENT EXECUTE FUNCTION ?.f()",
		"UPDATE ?.d SET id = id",
		"UPDATE ?.g SET id = id",
	}
	wantSquash(t, ms, want)
	unknown := []string{"CREATE TABLE ?.e (id TEXT PRIMARY KEY)", "SELECT ?.refill()", "DELETE FROM ?.e"}
	if got := emptyWorkGone(unknown); !slices.Equal(got, unknown) {
		t.Errorf("after a statement squash does not know, emptyWorkGone = %q, want all kept", got)
	}
}

// wantSquash fails t unless squash of ms, in hookDialect, gives want.
func wantSquash(t *testing.T, ms []migration, want []string) {
	t.Helper()
	got, err := squash(hookDialect{}, ms)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("squash =\n%s\nwant\n%s", strings.Join(got, ";\n"), strings.Join(want, ";\n"))
	}
}
