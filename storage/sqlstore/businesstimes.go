package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"casekit.dev/casekit/casetype"
)

// StepBusinessTimes (migration 31) is the Go step that counts the
// business times migration 28 left NULL (businessTimes).
const StepBusinessTimes = "business times"

// businessPage is how many cases businessTimes reads and writes at a
// time: a page's values travel in one UPDATE per table.
const businessPage = 500

// businessCase is what businessTimes reads of a case.
type businessCase struct {
	ID                 string     `bun:"id"`
	SLAID              string     `bun:"sla_id"`
	CreatedAt          time.Time  `bun:"created_at"`
	FirstResponseAt    *time.Time `bun:"first_response_at"`
	ResolvedAt         *time.Time `bun:"resolved_at"`
	FirstResponseBiz   *int64     `bun:"first_response_business"`
	ResolutionBiz      *int64     `bun:"resolution_business"`
	firstResponse, res *int64     // what businessTimes counted, nanoseconds
}

// businessTimes counts, for every case on an SLA with a calendar that has
// a first response or resolution but no business time for it (those
// answered or resolved before migration 28, which counted only the cases
// on no calendar), the working time from its creation to it on the
// calendar of its SLA, as casekit counts it when the time is set
// (workTimes: around the clock when the calendar is gone), and writes it
// to the case and its facts. Cases are read in pages in ID order, so
// that a tenant of a million cases is never held in memory.
func businessTimes(ctx context.Context, t *Tx) error {
	slas, err := t.SLAs(ctx)
	if err != nil {
		return err
	}
	cals, err := t.Calendars(ctx)
	if err != nil {
		return err
	}
	clocks := map[string]*casetype.CalendarClock{}
	for _, c := range cals {
		if clocks[c.ID], err = c.Clock(); err != nil {
			return fmt.Errorf("stored calendar %q: %w", c.ID, err)
		}
	}
	bySLA := map[string]*casetype.CalendarClock{} // nil: the calendar is gone
	var ids []string
	for _, s := range slas {
		if s.CalendarID != "" {
			bySLA[s.ID] = clocks[s.CalendarID]
			ids = append(ids, s.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	for after := ""; ; {
		var page []businessCase
		err := t.db.NewSelect().TableExpr("?.cases AS c", t.schema).
			ColumnExpr("c.id, c.sla_id, c.created_at, c.first_response_at, c.resolved_at, c.first_response_business, c.resolution_business").
			Where("c.id > ? AND c.sla_id IN (?)", after, bun.In(ids)).
			Where("(c.first_response_at IS NOT NULL AND c.first_response_business IS NULL) OR (c.resolved_at IS NOT NULL AND c.resolution_business IS NULL)").
			OrderExpr("c.id").Limit(businessPage).Scan(ctx, &page)
		if err != nil || len(page) == 0 {
			return t.err(err, "cases without business times")
		}
		for i := range page {
			c := &page[i]
			count := func(at *time.Time, have *int64) *int64 {
				if at == nil || have != nil {
					return nil // COALESCE keeps the stored one
				}
				d := int64(bySLA[c.SLAID].Between(c.CreatedAt.Truncate(time.Microsecond), at.Truncate(time.Microsecond)))
				return &d
			}
			c.firstResponse, c.res = count(c.FirstResponseAt, c.FirstResponseBiz), count(c.ResolvedAt, c.ResolutionBiz)
		}
		if err := t.writeBusiness(ctx, page); err != nil {
			return err
		}
		after = page[len(page)-1].ID
	}
}

// writeBusiness writes the counted business times of page to the cases
// (nanoseconds) and their facts (microseconds, as rows.FactOf does),
// where they are NULL, in one UPDATE of each table from a VALUES list.
func (t *Tx) writeBusiness(ctx context.Context, page []businessCase) error {
	micros := func(ns *int64) *int64 {
		if ns == nil {
			return nil
		}
		us := *ns / 1000
		return &us
	}
	for _, u := range []struct {
		table, fr, res string
		scale          func(*int64) *int64
	}{
		{"cases", "first_response_business", "resolution_business", func(ns *int64) *int64 { return ns }},
		{"case_facts", "first_response_business_us", "resolution_business_us", micros},
	} {
		vals := make([]string, len(page))
		args := []any{t.schema}
		for i, c := range page {
			vals[i] = "(?, CAST(? AS BIGINT), CAST(? AS BIGINT))"
			args = append(args, c.ID, u.scale(c.firstResponse), u.scale(c.res))
		}
		_, err := t.db.NewRaw("UPDATE ?."+u.table+" SET "+u.fr+" = COALESCE("+u.fr+", v.column2), "+u.res+" = COALESCE("+u.res+", v.column3)"+
			" FROM (VALUES "+strings.Join(vals, ", ")+") AS v WHERE id = v.column1", args...).Exec(ctx)
		if err != nil {
			return t.err(err, "write business times to "+u.table)
		}
	}
	return nil
}
