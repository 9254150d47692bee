package casekit

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"time"

	"casekit.dev/casekit/casetype"
)

// These names live in package casetype, where the stores read them too;
// programs keep writing casekit.Name.
type (
	// Contact is the snapshot of the customer contact taken when a case is
	// opened, so the case keeps who asked even if the host's record changes.
	Contact = casetype.Contact
	// Case is one customer-service case.
	Case = casetype.Case
)

// NewCase is the input to Desk.OpenCase.
type NewCase struct {
	Subject     string  `json:"subject" validate:"required,max=300"`
	Description string  `json:"description" validate:"max=100000"`
	CustomerID  string  `json:"customer_id" validate:"max=200"`
	Contact     Contact `json:"contact"`
	Type        string  `json:"type" validate:"max=100"`
	Category    string  `json:"category" validate:"max=100"`
	// Priority is a priority key; empty takes the tenant's default.
	Priority string `json:"priority" validate:"max=100"`
	// Origin is an origin key; empty means "api" for agents and "portal"
	// for customers.
	Origin   string         `json:"origin" validate:"max=100"`
	Service  string         `json:"service" validate:"max=100"`
	Tags     []string       `json:"tags" validate:"max=50,dive,required,max=100"`
	Deadline *time.Time     `json:"deadline"`
	Custom   map[string]any `json:"custom" validate:"max=200"`
	// AssigneeID, TeamID and QueueID place the case at once.
	AssigneeID string `json:"assignee_id" validate:"max=200"`
	TeamID     string `json:"team_id" validate:"max=200"`
	QueueID    string `json:"queue_id" validate:"max=200"`
	// SLAID names the SLA policy; empty takes the queue's default SLA, if
	// any.
	SLAID string `json:"sla_id" validate:"omitempty,key"`
}

// CaseUpdate changes a case's fields. Nil fields stay as they are.
type CaseUpdate struct {
	// IfVersion, when not zero, makes the update fail with ErrConflict
	// unless the case is still at this version.
	IfVersion   int64      `json:"if_version"`
	Subject     *string    `json:"subject" validate:"omitempty,min=1,max=300"`
	Description *string    `json:"description" validate:"omitempty,max=100000"`
	Contact     *Contact   `json:"contact"`
	Type        *string    `json:"type" validate:"omitempty,max=100"`
	Category    *string    `json:"category" validate:"omitempty,max=100"`
	Priority    *string    `json:"priority" validate:"omitempty,min=1,max=100"`
	Tags        *[]string  `json:"tags" validate:"omitempty,max=50,dive,required,max=100"`
	Deadline    *time.Time `json:"deadline"`
	// ClearDeadline removes the deadline.
	ClearDeadline bool           `json:"clear_deadline"`
	Custom        map[string]any `json:"custom" validate:"max=200"`
}

// OpenCase opens a case: it takes the tenant's next case number, the
// initial status and, when none is given, the default priority. A customer
// opens cases only for themself.
func (d *Desk) OpenCase(ctx context.Context, in NewCase) (*Case, error) {
	return runValue(d, ctx, "open case", customerToo, func(c *cmd) (out *Case, err error) {
		defer c.showing(&out, &err)
		return c.openCase(in)
	})
}

// openCase is OpenCase inside a command.
func (c *cmd) openCase(in NewCase) (*Case, error) {
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
	if err := v.Merge(validateStruct(in)); err != nil {
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
	if err := v.Err(); err != nil {
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
	// Inserting the case takes its number, which locks the tenant's
	// counter row until commit and so serialises the tenant's openings:
	// every read and check runs before it.
	if err := c.tx.InsertCase(c.ctx, cs); err != nil {
		return nil, fmt.Errorf("case %s: %w", cs.ID, err)
	}
	c.markChanged(cs)
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
	return cs, nil
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
	return runValue(d, ctx, "update case", staffOnly, func(c *cmd) (out *Case, err error) {
		var v validations
		if u.Subject != nil {
			trimmed := strings.TrimSpace(*u.Subject)
			u.Subject = &trimmed
		}
		if err := v.Merge(validateStruct(u)); err != nil {
			return nil, err
		}
		if u.Subject != nil && *u.Subject == "" {
			v.Add("subject", "required", "is required")
		}
		if u.Deadline != nil && u.ClearDeadline {
			v.Add("deadline", "excluded_with", "set a deadline or clear it, not both")
		}
		lk := map[LookupKind][2]string{}
		if u.Priority != nil {
			lk[LookupPriority] = [2]string{"priority", *u.Priority}
		}
		if u.Type != nil {
			lk[LookupCaseType] = [2]string{"type", *u.Type}
		}
		if err := c.checkLookups(&v, lk); err != nil {
			return nil, err
		}
		if err := v.Err(); err != nil {
			return nil, err
		}
		cs, err := c.load(id, true)
		if err != nil {
			return nil, err
		}
		if u.IfVersion != 0 && u.IfVersion != cs.Version {
			return nil, fmt.Errorf("case %s is at version %d, not %d: %w", cs.ID, cs.Version, u.IfVersion, ErrConflict)
		}
		st, _, err := c.status(cs)
		if err != nil {
			return nil, err
		}
		if st.ReadOnly() {
			return nil, fmt.Errorf("case %s is %s; reopen it first: %w", cs.ID, st.Key, ErrReadOnly)
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
				return nil, err
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
			return cs, nil
		}
		if err := c.save(cs); err != nil {
			return out, err
		}
		c.record(cs, EventCaseUpdated, map[string]any{"changes": changes})
		return cs, nil
	})
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

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC().Truncate(time.Microsecond)
	return &u
}

// Case returns one case by ID; a customer gets their view of it, without
// what is internal (see customerview.go), as from every command that
// returns them a case.
func (d *Desk) Case(ctx context.Context, id string) (*Case, error) {
	return runValue(d, ctx, "case", customerRead, func(c *cmd) (out *Case, err error) {
		defer c.showing(&out, &err)
		return c.load(id, false)
	})
}

// CaseByNumber returns one case by its tenant case number.
func (d *Desk) CaseByNumber(ctx context.Context, number int64) (*Case, error) {
	return runValue(d, ctx, "case by number", customerRead, func(c *cmd) (out *Case, err error) {
		defer c.showing(&out, &err)
		cs, err := c.tx.CaseByNumber(c.ctx, number, false)
		if err != nil {
			return out, fmt.Errorf("case #%d: %w", number, err)
		}
		if !c.visible(cs) {
			return out, fmt.Errorf("case #%d: %w", number, ErrNotFound)
		}
		return cs, nil
	})
}
