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

// Contact is the snapshot of the customer contact taken when a case is
// opened, so the case keeps who asked even if the host's record changes.
type Contact struct {
	ID    string `json:"id,omitempty" validate:"max=200"`
	Name  string `json:"name,omitempty" validate:"max=200"`
	Email string `json:"email,omitempty" validate:"omitempty,email,max=320"`
	Phone string `json:"phone,omitempty" validate:"max=50"`
}

// Case is one customer-service case.
type Case struct {
	// ID is global and sortable by creation time (a UUIDv7).
	ID string `json:"id"`
	// Number is the tenant's human case number (#1042): 1, 2, 3, ... with no
	// gaps or duplicates.
	Number      int64   `json:"number"`
	Subject     string  `json:"subject"`
	Description string  `json:"description,omitempty"`
	CustomerID  string  `json:"customer_id,omitempty"`
	Contact     Contact `json:"contact"`
	// Type is a key of the tenant's case type lookup; empty for none.
	Type     string `json:"type,omitempty"`
	Category string `json:"category,omitempty"`
	// Priority is a key of the tenant's priority lookup.
	Priority string `json:"priority"`
	// Origin is how the case came in: a key of the origin lookup (phone,
	// email, web, portal, chat, api).
	Origin string `json:"origin,omitempty"`
	// Service is the product or service the case is about.
	Service  string         `json:"service,omitempty"`
	Tags     []string       `json:"tags,omitempty"`
	Deadline *time.Time     `json:"deadline,omitempty"`
	Custom   map[string]any `json:"custom,omitempty"`
	// AssigneeID is the agent working the case; TeamID the group; QueueID
	// the queue it waits in.
	AssigneeID   string `json:"assignee_id,omitempty"`
	TeamID       string `json:"team_id,omitempty"`
	QueueID      string `json:"queue_id,omitempty"`
	SupportLevel int    `json:"support_level,omitempty"`
	SLAID        string `json:"sla_id,omitempty"`

	// ResponseDue and ResolutionDue are the SLA's deadlines: the case's
	// creation plus the target for its priority plus the working time its
	// SLA clock stood still, counted on the SLA's business calendar.
	ResponseDue   *time.Time `json:"response_due,omitempty"`
	ResolutionDue *time.Time `json:"resolution_due,omitempty"`
	// SLAPausedAt is when the SLA clock stopped (the case entered a
	// paused, resolved, closed or canceled status); nil while it runs.
	SLAPausedAt *time.Time `json:"sla_paused_at,omitempty"`
	// SLAPausedFor is the working time the clock has stood still before
	// SLAPausedAt; the deadlines are pushed back by it.
	SLAPausedFor time.Duration `json:"sla_paused_for,omitempty"`

	FirstResponseAt *time.Time `json:"first_response_at,omitempty"`
	ResolvedAt      *time.Time `json:"resolved_at,omitempty"`
	ClosedAt        *time.Time `json:"closed_at,omitempty"`

	// Status is a key of the tenant's status lookup.
	Status        string `json:"status"`
	ClosureReason string `json:"closure_reason,omitempty"`
	// Satisfaction is the customer's rating level, 0 when not rated.
	Satisfaction        int    `json:"satisfaction,omitempty"`
	SatisfactionComment string `json:"satisfaction_comment,omitempty"`

	// MergedIntoID names the case this one was merged into.
	MergedIntoID string `json:"merged_into_id,omitempty"`
	// Process is where the case stands in its guided process, nil when it
	// never started one or the last was stopped.
	Process *ProcessState `json:"process,omitempty"`

	CreatedBy Actor     `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// Version grows by one with every change; pass it back as IfVersion.
	Version int64 `json:"version"`
}

// Age is how long the case has existed at now, or how long it lived until it
// was closed.
func (c *Case) Age(now time.Time) time.Duration {
	if c.ClosedAt != nil {
		return c.ClosedAt.Sub(c.CreatedAt)
	}
	return now.Sub(c.CreatedAt)
}

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

// CaseFilter selects cases for Desk.ListCases. Zero fields do not filter.
// A customer may not filter by assignee, team, queue, SLA, the due and
// breached filters, a tag not in Settings.PublicTags or a custom field
// they do not read: each is a *ValidationError on its field.
type CaseFilter struct {
	// Status keeps cases in any of these statuses.
	Status     []string `json:"status"`
	Priority   []string `json:"priority"`
	Type       string   `json:"type"`
	CustomerID string   `json:"customer_id"`
	AssigneeID string   `json:"assignee_id"`
	TeamID     string   `json:"team_id"`
	QueueID    string   `json:"queue_id"`
	Tag        string   `json:"tag"`
	// Tags keeps cases with any of these tags, or with all of them when
	// AllTags is set.
	Tags    []string `json:"tags" validate:"max=20,dive,required,max=100"`
	AllTags bool     `json:"all_tags"`
	// StatusFlags keeps cases whose status has any of these flags:
	// initial, progress, paused, reopen, resolved, final, canceled, or
	// active (neither final nor canceled). With Status as well, a case
	// passes when it matches either.
	StatusFlags   []string   `json:"status_flags" validate:"max=8,dive,oneof=initial progress paused reopen resolved final canceled active"`
	CreatedAfter  *time.Time `json:"created_after"`
	CreatedBefore *time.Time `json:"created_before"`
	// DeadlineBefore keeps cases whose deadline is before this time.
	DeadlineBefore *time.Time `json:"deadline_before"`
	SLAID          string     `json:"sla_id"`
	// ResponseDueBefore keeps cases still waiting for their first
	// response, with the SLA clock running, whose response is due before
	// this time; ResolutionDueBefore the same for the resolution.
	ResponseDueBefore   *time.Time `json:"response_due_before"`
	ResolutionDueBefore *time.Time `json:"resolution_due_before"`
	// Breached keeps cases with the SLA clock running whose first response
	// or resolution is overdue now.
	Breached bool `json:"breached"`
	// Text keeps cases whose subject and description, or one of whose
	// messages, hold every word; "quoted words" must stand together, in
	// order. Words are runs of letters and digits, matched whole and
	// without regard to case; punctuation separates them. "#1042" finds
	// case 1042. A customer's search never looks into internal messages.
	// A search holds at most 8 different words, a phrase's words included;
	// more is a ValidationError on "text" (rule "max_words").
	Text string `json:"text" validate:"max=500"`
	// Sort orders the list; empty means SortCreatedDesc, newest first. The
	// keys are the Sort constants: created, updated, priority and due, each
	// also with a leading "-" for the exact reverse order. Every order
	// ends with the case ID, so no two cases tie and pages never overlap.
	Sort string `json:"sort" validate:"omitempty,oneof=created -created updated -updated priority -priority due -due"`
	// Custom keeps cases whose custom fields hold these values, written as
	// text: "true", "42", "2026-11-23", an option. Each key must be one
	// of the tenant's custom fields.
	Custom map[string]string `json:"custom" validate:"max=20"`
	// After is the cursor from the previous page's Next, which must come
	// from a list with the same Sort. The page continues right after the
	// place the previous one ended, however cases have been opened,
	// changed or deleted since.
	After string `json:"after"`
	// Limit is the page size: 0 means 50, at most 500.
	Limit int `json:"limit" validate:"min=0,max=500"`
}

// CaseQuery is what a Store is asked to list: the filter, already checked,
// plus the restriction casekit adds for a customer actor. Its Sort is one
// of the Sort constants, or empty for SortCreatedDesc; the store ignores
// After and reads Position.
type CaseQuery struct {
	CaseFilter
	// VisibleTo, when not empty, keeps only cases whose CustomerID or
	// Contact.ID equals it.
	VisibleTo string
	// Position, when not nil, is where the previous page ended: the store
	// lists only the cases that come after it in the order of Sort.
	Position *CasePosition
	// Limit is the number of rows to return (already bounded).
	Limit int
	// Now is the time Breached is judged at.
	Now time.Time
	// Number, when not 0, keeps only the case with this number (Text was
	// "#1042").
	Number int64
	// CustomValues are Custom's values in their field's type (string,
	// float64 or bool), for the store to match exactly.
	CustomValues map[string]any
	// Terms are Text's search terms, all of which must match the case's
	// subject and description or one message (public ones only when
	// VisibleTo is set): each a word, or a phrase of words in order, in
	// lower case, letters and digits only. The store ignores Text.
	Terms [][]string
	// IDs, when not empty, keeps only the cases with these IDs (casekit
	// reads a case's linked cases with it, in one query).
	IDs []string
}

// The orders of CaseFilter.Sort. Each key without "-" and its "-" form are
// exact reverses of each other, down to the case ID that ends every order.
const (
	// SortCreated lists the oldest case first: ascending case ID, which is
	// the order cases were opened in (IDs are UUIDv7s).
	SortCreated = "created"
	// SortCreatedDesc lists the newest case first: descending case ID. It
	// is the default.
	SortCreatedDesc = "-created"
	// SortUpdated lists the case changed longest ago first: ascending
	// UpdatedAt, then ascending ID.
	SortUpdated = "updated"
	// SortUpdatedDesc lists the most recently changed case first:
	// descending UpdatedAt, then descending ID.
	SortUpdatedDesc = "-updated"
	// SortPriority lists the most urgent case first: descending rank of
	// its priority in the tenant's priority lookup, cases whose priority
	// is no longer in the lookup last, and within one rank the oldest case
	// first (ascending ID), much as Desk.Pick takes them.
	SortPriority = "priority"
	// SortPriorityDesc is SortPriority reversed: cases whose priority is
	// not in the lookup first, then ascending rank, and within one rank the
	// newest case first.
	SortPriorityDesc = "-priority"
	// SortDue lists cases by resolution deadline, the earliest first
	// (ascending ResolutionDue, then ascending ID); cases with none come
	// last, as if never due.
	SortDue = "due"
	// SortDueDesc is SortDue reversed: cases with no resolution deadline
	// first, then the latest ResolutionDue first, then descending ID.
	SortDueDesc = "-due"
)

// CasePosition is a place in a sorted list of cases: the values one case
// was sorted by when a page ended on it. A store lists the cases strictly
// after it, so the next page continues where the last one ended even if
// that case has since changed or gone.
type CasePosition struct {
	// ID is the case's ID, the last key of every order; for the created
	// sorts it is the only one.
	ID string
	// Time is the case's UpdatedAt for the updated sorts and its
	// ResolutionDue for the due sorts, nil when the case had no
	// resolution deadline.
	Time *time.Time
	// Rank is the rank of the case's priority for the priority sorts, nil
	// when the priority was not in the lookup.
	Rank *int
}

// CasePage is one page of cases, in the order of the filter's Sort.
type CasePage struct {
	Cases []*Case `json:"cases"`
	// Next is the cursor for the following page, empty on the last page.
	Next string `json:"next,omitempty"`
}

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
