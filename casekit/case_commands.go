package casekit

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"time"
)

// OpenCase opens a case: it takes the tenant's next case number, the
// initial status and, when none is given, the default priority. A customer
// opens cases only for themself.
func (d *Desk) OpenCase(ctx context.Context, in NewCase) (*Case, error) {
	var out *Case
	err := d.run(ctx, "open case", customerToo, func(c *cmd) (err error) {
		defer c.showing(&out, &err)
		out, err = c.openCase(in)
		return err
	})
	return out, err
}

// openCase is OpenCase inside a command.
func (c *cmd) openCase(in NewCase) (*Case, error) {
	var out *Case
	if c.customer() {
		if (in.CustomerID != "" && in.CustomerID != c.actor.ID) || (in.Contact.ID != "" && in.Contact.ID != c.actor.ID) {
			// A case names who may see it (customer and contact): a
			// customer may not hand theirs to someone else.
			return nil, fmt.Errorf("a customer opens cases only for themself: %w", ErrForbidden)
		}
		if in.AssigneeID != "" || in.TeamID != "" || in.QueueID != "" || in.SLAID != "" {
			return nil, fmt.Errorf("a customer may not assign, queue or give an SLA to a case: %w", ErrForbidden)
		}
		if err := c.customerTags(in.Tags); err != nil {
			return nil, err
		}
		in.CustomerID = c.actor.ID
		if in.Origin == "" {
			in.Origin = "portal"
		}
	}
	if in.Origin == "" {
		in.Origin = "api"
	}
	in.Subject = strings.TrimSpace(in.Subject)
	var v validations
	if err := v.merge(validateStruct(in)); err != nil {
		return nil, err
	}
	settings, err := c.tx.Settings(c.ctx)
	if err != nil {
		return nil, err
	}
	if in.Priority == "" {
		in.Priority = settings.DefaultPriority
	}
	if err := c.checkLookups(&v, map[LookupKind][2]string{
		LookupPriority: {"priority", in.Priority},
		LookupCaseType: {"type", in.Type},
		LookupOrigin:   {"origin", in.Origin},
	}); err != nil {
		return nil, err
	}
	place := placement{agent: in.AssigneeID, team: in.TeamID, queue: in.QueueID, sla: in.SLAID,
		agentField: "assignee_id", teamField: "team_id", queueField: "queue_id", slaField: "sla_id"}
	if err := c.checkPlacement(&v, &place); err != nil {
		return nil, err
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	set, err := c.statuses()
	if err != nil {
		return nil, err
	}
	initial, ok := set.first(func(s Status) bool { return s.Initial })
	if !ok {
		return nil, fmt.Errorf("the tenant has no initial status")
	}
	custom, err := c.checkCustom(in.Custom, true)
	if err != nil {
		return nil, err
	}
	if len(custom) == 0 {
		custom = nil
	}
	cs := &Case{
		ID:      newID(),
		Subject: in.Subject, Description: in.Description,
		CustomerID: in.CustomerID, Contact: in.Contact,
		Type: in.Type, Category: in.Category, Priority: in.Priority, Origin: in.Origin,
		Tags: normalizeTags(in.Tags), Deadline: utcPtr(in.Deadline), Custom: custom,
		AssigneeID: place.agent, TeamID: place.team, QueueID: place.queue, SLAID: place.sla,
		Service:   in.Service,
		Status:    initial.Key,
		CreatedBy: c.actor, CreatedAt: c.now, UpdatedAt: c.now, Version: 1,
	}
	if err := c.runSLA(cs); err != nil {
		return nil, err
	}
	timers, err := c.newCaseTimers(cs)
	if err != nil {
		return nil, err
	}
	// The number is taken last: the counter row stays locked until
	// commit and serialises the tenant's openings, so every read and
	// check runs before it.
	if cs.Number, err = c.tx.NextCaseNumber(c.ctx); err != nil {
		return nil, err
	}
	if err := c.tx.InsertCase(c.ctx, cs); err != nil {
		return nil, fmt.Errorf("case #%d: %w", cs.Number, err)
	}
	if len(timers) > 0 {
		if err := c.tx.SetCaseTimers(c.ctx, cs.ID, timers); err != nil {
			return nil, err
		}
	}
	// A new case has no watchers yet: its notifications need not ask.
	if c.watchers == nil {
		c.watchers = map[string][]Watcher{}
	}
	c.watchers[cs.ID] = nil
	c.record(cs, EventCaseOpened, map[string]any{
		"number": cs.Number, "subject": cs.Subject, "status": cs.Status,
		"priority": cs.Priority, "origin": cs.Origin, "customer_id": cs.CustomerID,
	})
	out = cs
	return out, nil
}

// checkLookups adds a failure for every non-empty value that is not an
// enabled entry of its lookup. fields maps a lookup kind to (field, value).
func (c *cmd) checkLookups(v *validations, fields map[LookupKind][2]string) error {
	for _, kind := range slices.Sorted(maps.Keys(fields)) {
		fv := fields[kind]
		if fv[1] == "" {
			continue
		}
		set, err := c.lookups(kind)
		if err != nil {
			return err
		}
		set.check(v, fv[0], kind, fv[1])
	}
	return nil
}

// UpdateCase changes a case's fields. With IfVersion set, a case changed
// since that version gives ErrConflict and nothing is written. A resolved
// or final case gives ErrReadOnly.
func (d *Desk) UpdateCase(ctx context.Context, id string, u CaseUpdate) (*Case, error) {
	var out *Case
	err := d.run(ctx, "update case", staffOnly, func(c *cmd) error {
		var v validations
		if u.Subject != nil {
			trimmed := strings.TrimSpace(*u.Subject)
			u.Subject = &trimmed
		}
		if err := v.merge(validateStruct(u)); err != nil {
			return err
		}
		if u.Subject != nil && *u.Subject == "" {
			v.add("subject", "required", "is required")
		}
		if u.Deadline != nil && u.ClearDeadline {
			v.add("deadline", "excluded_with", "set a deadline or clear it, not both")
		}
		lk := map[LookupKind][2]string{}
		if u.Priority != nil {
			lk[LookupPriority] = [2]string{"priority", *u.Priority}
		}
		if u.Type != nil {
			lk[LookupCaseType] = [2]string{"type", *u.Type}
		}
		if err := c.checkLookups(&v, lk); err != nil {
			return err
		}
		if err := v.err(); err != nil {
			return err
		}
		cs, err := c.load(id, true)
		if err != nil {
			return err
		}
		if u.IfVersion != 0 && u.IfVersion != cs.Version {
			return fmt.Errorf("case %s is at version %d, not %d: %w", cs.ID, cs.Version, u.IfVersion, ErrConflict)
		}
		st, _, err := c.status(cs)
		if err != nil {
			return err
		}
		if st.ReadOnly() {
			return fmt.Errorf("case %s is %s; reopen it first: %w", cs.ID, st.Key, ErrReadOnly)
		}
		changes := map[string]any{}
		change := func(field string, dst any, val any) {
			old := reflect.ValueOf(dst).Elem()
			if reflect.DeepEqual(old.Interface(), val) {
				return
			}
			changes[field] = []any{old.Interface(), val}
			old.Set(reflect.ValueOf(val))
		}
		if u.Subject != nil {
			change("subject", &cs.Subject, *u.Subject)
		}
		if u.Description != nil {
			change("description", &cs.Description, *u.Description)
		}
		if u.Contact != nil {
			change("contact", &cs.Contact, *u.Contact)
		}
		if u.Type != nil {
			change("type", &cs.Type, *u.Type)
		}
		if u.Category != nil {
			change("category", &cs.Category, *u.Category)
		}
		if u.Priority != nil {
			change("priority", &cs.Priority, *u.Priority)
		}
		if u.Tags != nil {
			change("tags", &cs.Tags, normalizeTags(*u.Tags))
		}
		if u.Deadline != nil {
			change("deadline", &cs.Deadline, utcPtr(u.Deadline))
		}
		if u.ClearDeadline {
			change("deadline", &cs.Deadline, (*time.Time)(nil))
		}
		if u.Custom != nil {
			checked, err := c.checkCustom(u.Custom, false)
			if err != nil {
				return err
			}
			merged := maps.Clone(cs.Custom)
			if merged == nil {
				merged = map[string]any{}
			}
			for k, val := range checked {
				if val == nil {
					delete(merged, k)
				} else {
					merged[k] = val
				}
			}
			if len(merged) == 0 {
				merged = nil
			}
			change("custom", &cs.Custom, merged)
		}
		if len(changes) == 0 {
			out = cs
			return nil
		}
		if err := c.save(cs); err != nil {
			return err
		}
		c.record(cs, EventCaseUpdated, map[string]any{"changes": changes})
		out = cs
		return nil
	})
	return out, err
}

// DeleteCase removes a case opened by mistake with its activities, notes
// and messages. Its history stays, ending in a case.deleted event that
// holds the case as it was: the audit record. Its files stay in the blob
// store until Kit.SweepBlobs deletes them.
func (d *Desk) DeleteCase(ctx context.Context, id string, reason string) error {
	return d.run(ctx, "delete case", deleteOnly, func(c *cmd) error {
		if len(reason) > 1000 {
			return invalid("reason", "max", "is longer than 1000 characters")
		}
		cs, err := c.load(id, true)
		if err != nil {
			return err
		}
		if err := c.tx.DeleteCase(c.ctx, cs.ID); err != nil {
			return fmt.Errorf("case %s: %w", cs.ID, err)
		}
		c.record(cs, EventCaseDeleted, map[string]any{"reason": reason, "case": snapshot(cs)})
		return nil
	})
}

// snapshot gives the case's fields as a JSON-shaped map for an audit event.
func snapshot(cs *Case) map[string]any {
	m := map[string]any{
		"number": cs.Number, "subject": cs.Subject, "description": cs.Description,
		"customer_id": cs.CustomerID, "status": cs.Status, "priority": cs.Priority,
		"type": cs.Type, "origin": cs.Origin, "assignee_id": cs.AssigneeID,
		"created_by": cs.CreatedBy.String(), "created_at": cs.CreatedAt.Format(time.RFC3339Nano),
		"version": cs.Version,
	}
	if len(cs.Tags) > 0 {
		m["tags"] = cs.Tags
	}
	return m
}

// normalizeTags trims, drops empties and duplicates, keeping first order.
func normalizeTags(tags []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range tags {
		t = strings.TrimSpace(t)
		if t == "" || seen[t] {
			continue
		}
		seen[t] = true
		out = append(out, t)
	}
	return out
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC().Truncate(time.Microsecond)
	return &u
}

// Tag adds tags to a case; tags it has already stay once. Tagging needs
// an editable case; a call that adds nothing writes nothing.
func (d *Desk) Tag(ctx context.Context, id string, tags ...string) (*Case, error) {
	return d.retag(ctx, "tag", id, tags, func(have []string) []string { return normalizeTags(append(slices.Clone(have), tags...)) })
}

// Untag removes tags from a case; tags it does not have are ignored.
func (d *Desk) Untag(ctx context.Context, id string, tags ...string) (*Case, error) {
	drop := normalizeTags(tags)
	return d.retag(ctx, "untag", id, tags, func(have []string) []string {
		return slices.DeleteFunc(slices.Clone(have), func(t string) bool { return slices.Contains(drop, t) })
	})
}

func (d *Desk) retag(ctx context.Context, op, id string, tags []string, change func([]string) []string) (*Case, error) {
	var out *Case
	err := d.run(ctx, op, staffOnly, func(c *cmd) error {
		if err := validateStruct(struct {
			Tags []string `json:"tags" validate:"min=1,max=50,dive,required,max=100"`
		}{tags}); err != nil {
			return err
		}
		cs, err := c.loadEditable(id)
		if err != nil {
			return err
		}
		out = cs
		next := change(cs.Tags)
		if len(next) == 0 {
			next = nil
		}
		if slices.Equal(next, cs.Tags) {
			return nil
		}
		if len(next) > 50 {
			return invalid("tags", "max", "a case has at most 50 tags")
		}
		old := cs.Tags
		cs.Tags = next
		if err := c.save(cs); err != nil {
			return err
		}
		c.record(cs, EventCaseUpdated, map[string]any{"changes": map[string]any{"tags": []any{old, next}}})
		return nil
	})
	return out, err
}
