// Package sqlstore is casekit's SQL store without its database: an
// implementation of store.Tx over any bun.IDB, the tenant registry and
// Kit.Run's work across tenants, the per-tenant migrations, and the
// converters between the Bun models and casekit's domain types. What
// differs between databases is one small interface, Dialect; a store
// (storage/postgres, storage/sqlite) is its dialect plus what is truly its
// own. A store for another database can live in a module of its own.
//
// # What is here
//
// One file per feature, as in package casekit:
//   - Tx (tx.go) is store.Tx on one tenant's schema: settings.go,
//     statuses.go, lookups.go, cases.go (with sort.go for the list's keyset
//     order and search.go for full-text search), activities.go,
//     content.go (notes, messages, attachments), events.go, timers.go,
//     outbox.go, and so on. It never opens a transaction: the store hands
//     it one.
//   - Registry (registry.go) is the tenants table and the per-queue wakeup
//     tables, with the cache of tenants seen; Host (host.go, work.go)
//     implements the store.Store methods that are the same everywhere:
//     Tenant, Tenants, Migrate, FireTimer, ClaimNotifications and
//     SettleNotifications.
//   - migrations.go is every tenant schema change, in neutral DDL: "?"
//     for the schema, placeholders for the types ({json}, {ts}, {bool},
//     {serial}, {false}, {true}: Types), and hooks where a dialect makes a
//     part its own way (HookSearch, HookCaseTags, HookCaseTagsByStore,
//     HookReplicaIdentity, HookWakeupIndexes).
//     Build, Migrate and Version run them; SchemaSQL prints them as a
//     dialect renders them. baseline.go squashes them (Squash) into the
//     script a new tenant is made from in one round trip (Baseline).
//   - The models are in models.go, and in package storage/sqlstore/rows
//     for the tables the load tools write as well.
//   - Package sqlstoretest holds the dialects' own tests: ReleasedDDL
//     holds the released migrations to the SQL they made.
//
// Every statement names its tables through the tenant's schema (bun.Ident),
// so nothing depends on search_path or other session state: SQLite passes
// "main", PostgreSQL the tenant's own schema.
//
// # What a store provides
//
// A store implements store.Store with:
//   - its Dialect, handed to NewRegistry, NewTx, Migrate and Version;
//   - where a tenant's tables live (a file, a schema) and how they are
//     made and dropped: CreateTenant makes the place, then runs Build (a
//     Baseline or every migration, then the seed) in one transaction on
//     it, and registers the tenant (Registry.Register) in the same
//     transaction where the registry shares the database, so that an
//     interrupted creation leaves nothing; DropTenant unregisters and
//     removes it;
//   - its connections (a pool, a handle per file) and how a transaction
//     on a tenant begins, which RunIn turns into an InTxFunc: InTx is
//     Registry.Require then InTxFunc.Run;
//   - its locks: PostgreSQL's advisory lock per tenant, which Migrate
//     takes at each step; SQLite's one writer per file;
//   - how its driver's errors map to casekit's: the classify function
//     given to NewTx and Registry.Register (ClassifyCode builds one from
//     the driver's error codes);
//   - an Access, how the Host reaches a tenant's transactions and moves a
//     wakeup safely. It embeds Host through an unexported alias (type
//     host = sqlstore.Host) and keeps its Registry in a field.
//
// # The Dialect contract
//
// Each method must guarantee what follows, or the conformance suite
// (casekit/casekittest) fails:
//   - Name names the store in errors.
//   - DDL returns a statement the database runs with the same effect on
//     every table as the neutral one has on PostgreSQL: the same columns
//     in the same order, keys, defaults and indexes, in the types of
//     Types.Put. It may rewrite any statement (SQLite moves the schema
//     from an index's table to its name), but never one differently
//     once released: migrations are append-only, and existing tenants
//     must still migrate (sqlstoretest.ReleasedDDL).
//   - Hook returns, for each Hook constant, statements that make what the
//     constant's doc says, in the form DDL takes, idempotent where it
//     says so.
//   - LockRows makes a SELECT keep the rows it read from every other
//     transaction's writes and locks until it ends, and with SkipLocked
//     skip rows another transaction holds: two claimers of notifications,
//     timers or queue cases never get one row. A database whose
//     transactions on a tenant run one at a time (SQLite's IMMEDIATE
//     ones) needs no clause.
//   - Upsert updates the row of the same key in place of inserting one,
//     in the same statement: two transactions saving one key never both
//     insert.
//   - Least names the two-argument minimum function.
//   - TextMatch matches a row exactly when every phrase of the terms is
//     in its text, by the words HookSearch indexed, reading that index;
//     SearchApart says whether its two halves (the case, its messages)
//     are best listed apart.
//   - JSONEquals compares a custom field's value in its JSON type.
//   - ValueList gives the aggregate of a group's values as a text list
//     sqlstore ranks in Go, or says there is none (sqlstore then reads
//     the values with statements of their own, as on SQLite, or above
//     MaxRankedValues values reads them sorted by the database).
//   - Fence ends a subquery so that its select list is computed before
//     the query around it reads it, or is empty.
//   - GroupKey makes a text expression compare by its bytes, or leaves
//     it as it is where it does already.
//   - ReportSetup returns statements valid at the start of a
//     transaction, changing nothing but that transaction's settings.
//   - FlowSlots is 1 or more: any number gives the same reports, and
//     more rows of case_flow spare concurrent writers a wait.
//
// The rest is SQL both databases share: the three upserts that compute
// their update (Registry.Wake, Tx.CountIntakeOpened, MoveFlow), window
// functions, aggregates with FILTER (WHERE ...), UPDATE ...
// RETURNING, UPDATE ... FROM (VALUES ...) (migration 31's step), CREATE
// TABLE ... IF NOT EXISTS, NULLS FIRST/LAST in ORDER BY, UNION of sub-selects each with its own ORDER BY
// and LIMIT, and text primary keys.
//
// # Adding a store for another database (MySQL)
//
// A MySQL (or MariaDB) store is a package beside storage/postgres, say
// storage/mysql, on Bun's mysqldialect and a database/sql driver:
//
//  1. Write its Dialect. Types: JSON as JSON, Time as DATETIME(6) (Bun
//     writes UTC), Bool as BOOLEAN, False and True as FALSE and TRUE,
//     Serial as BIGINT AUTO_INCREMENT PRIMARY KEY. DDL also rewrites what
//     MySQL spells otherwise: a TEXT key or indexed column becomes
//     VARCHAR(191) (MySQL indexes no TEXT without a length); DROP INDEX
//     ?.x becomes DROP INDEX x ON ?.t (t from the CREATE INDEX that made
//     x); migration 12's UPDATE ... FROM becomes a multi-table UPDATE.
//     Upsert is q.On("DUPLICATE KEY UPDATE") with col = VALUES(col) for
//     each column set. LockRows writes FOR UPDATE [OF t] [SKIP LOCKED]
//     (MySQL 8; MariaDB from 10.6 has SKIP LOCKED but no OF, which the
//     one-table queries that ask for it can drop). Least is LEAST.
//     HookSearch adds a FULLTEXT index on cases (subject, description)
//     and on messages (subject, body), the server set to index every word
//     (innodb_ft_min_token_size=1, no stopwords), and TextMatch is MATCH
//     (...) AGAINST (? IN BOOLEAN MODE) with each phrase as +"a b";
//     SearchApart true. HookCaseTags fills case_tags with JSON_TABLE (its
//     triggers, if any, HookCaseTagsByStore drops: the store writes the
//     rows); HookWakeupIndexes as PostgreSQL's, made
//     idempotent. JSONEquals compares JSON_EXTRACT(col, '$."key"') with
//     CAST(? AS JSON). ValueList is GROUP_CONCAT(v), with the session's
//     group_concat_max_len raised in ReportSetup to hold
//     MaxRankedValues values (or false, to read them apart); Fence empty;
//     ReportSetup that setting; FlowSlots 8, as PostgreSQL's, for InnoDB's row
//     locks.
//     HookReportFacts is ReportFacts with TIMESTAMPDIFF(MICROSECOND,
//     '1970-01-01', col).
//  2. Grow the interface where the shared SQL above is not MySQL's: the
//     three upserts written out (ON DUPLICATE KEY UPDATE; the wakeup's
//     LEAST(due_us, VALUES(due_us)); case_flow's opened + VALUES(opened));
//     FILTER (WHERE c) as SUM(CASE WHEN c THEN 1 ELSE 0 END); UPDATE ... RETURNING in
//     InsertCase and CountIntakeOpened (an UPDATE, then a SELECT in
//     the same transaction); NULLS FIRST and LAST (MySQL puts NULLs first
//     ascending: an "x IS NULL" sort key before the value). Each is one
//     method more, which PostgreSQL and SQLite implement with the SQL they
//     run now.
//  3. Write the store: where a tenant lives (a database per tenant, named
//     from a prefix and the tenant ID, as PostgreSQL's schemas), the pool,
//     the per-tenant lock (GET_LOCK in CreateTenant, DropTenant and as
//     Migrate's lock), the error classification (error 1062, duplicate
//     entry, to ErrConflict through ClassifyCode), and the Access, as
//     storage/postgres does.
//  4. Test it: the conformance suite (casekittest.RunStoreTests, each
//     test on a fresh store, its Harness with OpenAgain opening a second
//     pool on the databases and SkipLocked true) and sqlstoretest.ReleasedDDL with a golden
//     file it writes on its first run, to read and commit; then
//     Kit.Migrate on a tenant made by the previous release, as the
//     stores' own TestMigrationRanksExistingCases do.
package sqlstore
