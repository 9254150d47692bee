package casekit

import (
	"context"
	"errors"
	"fmt"
	"strconv"
)

// ErrNotResolved: the case cannot be rated because it is not resolved
// (or closed after its resolution).
var ErrNotResolved = errors.New("casekit: case is not resolved")

// Rate records a satisfaction rating of a resolved case and does what the
// tenant's satisfaction lookup says for its level: RatingReopens moves the
// case to the reopen status and clears the assignee, so the team sees it
// again (reason "low_rating"); RatingCloses closes it (reason "fixed").
// A case that closed before it was rated (by auto-close, say) keeps the
// rating and its status. A case is rated once: a second rating is
// ErrConflict; a case that is neither resolved nor closed is
// ErrNotResolved. Customers may rate their own cases.
func (d *Desk) Rate(ctx context.Context, id string, r Rating) (*Case, error) {
	return runValue(d, ctx, "rate", customerToo, func(c *cmd) (out *Case, err error) {
		defer c.showing(&out, &err)
		if err := validateStruct(r); err != nil {
			return out, err
		}
		levels, err := c.tx.Lookups(c.ctx, LookupSatisfaction)
		if err != nil {
			return out, err
		}
		var level *Lookup
		for i := range levels {
			if levels[i].Rank == r.Level && !levels[i].Disabled {
				level = &levels[i]
			}
		}
		if level == nil {
			return out, invalid("level", "known", "%d is not one of the tenant's satisfaction levels", r.Level)
		}
		cs, err := c.load(id, true)
		if err != nil {
			return out, err
		}
		out = cs
		if cs.Satisfaction != 0 {
			return out, fmt.Errorf("case %s was already rated %d: %w", cs.ID, cs.Satisfaction, ErrConflict)
		}
		cur, set, err := c.status(cs)
		if err != nil {
			return out, err
		}
		if cur.Canceled || (!cur.Resolved && !cur.Final) {
			return out, fmt.Errorf("case %s is %s: %w", cs.ID, cur.Key, ErrNotResolved)
		}
		cs.Satisfaction, cs.SatisfactionComment = r.Level, r.Comment
		action := level.Action
		if cur.Final {
			action = "" // closed before it was rated: keep the rating only
		}
		c.record(cs, EventRated, map[string]any{"level": r.Level, "label": level.Label, "comment": r.Comment, "action": action})
		switch action {
		case RatingReopens:
			to, ok := set.first(func(s Status) bool { return s.Reopen && !s.ReadOnly() })
			if !ok || !set.can(cur.Key, to.Key) {
				return out, c.save(cs) // the tenant's table keeps the case where it is
			}
			data := map[string]any{"reason": "low_rating", "rating": r.Level}
			if cs.AssigneeID != "" {
				data["unassigned"] = cs.AssigneeID
			}
			cs.AssigneeID = ""
			return out, c.reopen(cs, cur, to, data)
		case RatingCloses:
			reason, err := c.closureReason("fixed")
			if err != nil {
				return out, err
			}
			return out, c.close(cs, Closure{Reason: reason, Note: "Rated " + strconv.Itoa(r.Level) + " (" + level.Label + ")", CancelOpenActivities: true})
		}
		return out, c.save(cs)
	})
}

// closureReason returns want if it is an enabled closure reason of the
// tenant, or else the first enabled one.
func (c *cmd) closureReason(want string) (string, error) {
	ls, err := c.tx.Lookups(c.ctx, LookupClosureReason)
	if err != nil {
		return "", err
	}
	first := ""
	for _, l := range ls {
		if l.Disabled {
			continue
		}
		if l.Key == want {
			return want, nil
		}
		if first == "" {
			first = l.Key
		}
	}
	if first == "" {
		return "", fmt.Errorf("the tenant has no closure reason")
	}
	return first, nil
}
