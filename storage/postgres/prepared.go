package postgres

import (
	"context"
	"fmt"

	"github.com/hashicorp/golang-lru/v2/simplelru"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"

	"casekit.dev/storage/sqlstore"
)

// A tenant's hot statements go with their values as parameters
// (sqlstore.Tx.Prepare): the ones a command sends alone through
// database/sql, with pgx.QueryExecModeCacheStatement ahead of the values,
// which puts each text in pgx's statement cache of the connection (512
// texts, least recently used out, DEALLOCATEd before the next statement);
// the ones it sends together (sqlstore.Tx.Batch) on the pgx connection
// itself, as a pgx batch of statements prepared by name, whose texts a
// cache of the store's own (batchCache below) bounds in the same way.
// Each text names the tenant's schema, so a connection holds a tenant's
// statements apart from another's: a connection serves at most
// WithTenantBudget tenants (100 by default), and a tenant that has not
// come back within the last few hundred texts of its connection prepares
// its statements again, a round trip each.

// batchCacheCap is how many texts of batches (sqlstore.Tx.Batch) a
// connection keeps prepared; as many as pgx's own statement cache keeps
// by default.
const batchCacheCap = 512

// batchCacheKey names, in a connection's pgconn.PgConn.CustomData, the
// texts of batches it has prepared: a *simplelru.LRU[string, struct{}],
// which lives and dies with the connection.
const batchCacheKey = "casekit.batches"

// batcher returns the sqlstore.Batch of a transaction on db: the
// connection of Open's pool, whose pgx connection sends the batch;
// nil, for statements sent as one text, where the store prepares nothing
// or db is no single connection (New's pool, whose transactions
// database/sql places).
func (s *Store) batcher(db bun.IDB) sqlstore.Batch {
	c, ok := db.(bun.Conn)
	if !ok || len(s.lead) == 0 {
		return nil
	}
	return func(ctx context.Context, stmts []sqlstore.Stmt) (n int64, err error) {
		err = c.Raw(func(dc any) error {
			sc, ok := dc.(*stdlib.Conn)
			if !ok {
				return fmt.Errorf("postgres: the pool's driver connection is %T, not pgx's", dc)
			}
			n, err = sendPrepared(ctx, sc.Conn(), stmts)
			return err
		})
		return n, err
	}
}

// sendPrepared sends stmts on conn as one pgx batch, each text prepared
// by name: the texts the connection has not prepared are, one round trip
// each, and those the cache lets go are deallocated first. It returns the
// rows affected by the last statement, or the first error.
func sendPrepared(ctx context.Context, conn *pgx.Conn, stmts []sqlstore.Stmt) (int64, error) {
	data := conn.PgConn().CustomData()
	cache, _ := data[batchCacheKey].(*simplelru.LRU[string, struct{}])
	if cache == nil {
		var err error
		if cache, err = simplelru.NewLRU[string, struct{}](batchCacheCap, nil); err != nil {
			return 0, err
		}
		data[batchCacheKey] = cache
	}
	b := &pgx.Batch{}
	for _, st := range stmts {
		if !cache.Contains(st.Text) {
			if cache.Len() >= batchCacheCap {
				old, _, _ := cache.RemoveOldest()
				if err := conn.Deallocate(ctx, old); err != nil {
					return 0, err
				}
			}
			// Named by the text itself: pgx names the statement by its
			// digest and finds it by its text, in a batch too.
			if _, err := conn.Prepare(ctx, st.Text, st.Text); err != nil {
				return 0, err
			}
			cache.Add(st.Text, struct{}{})
		} else {
			cache.Get(st.Text) // the most recently used now
		}
		b.Queue(st.Text, st.Args...)
	}
	br := conn.SendBatch(ctx, b)
	var n int64
	for range stmts {
		tag, err := br.Exec()
		if err != nil {
			br.Close()
			return 0, err
		}
		n = tag.RowsAffected()
	}
	return n, br.Close()
}
