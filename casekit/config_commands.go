package casekit

import (
	"context"
	"fmt"
	"reflect"
)

// Settings returns the tenant's case settings.
func (d *Desk) Settings(ctx context.Context) (Settings, error) {
	var out Settings
	err := d.run(ctx, "settings", staffRead, func(c *cmd) (err error) {
		out, err = c.tx.Settings(c.ctx)
		return err
	})
	return out, err
}

// UpdateSettings replaces the tenant's case settings. The default priority
// must be an enabled priority.
func (d *Desk) UpdateSettings(ctx context.Context, s Settings) error {
	return d.run(ctx, "update settings", adminOnly, func(c *cmd) error {
		s = s.filled()
		prios, err := c.tx.Lookups(c.ctx, LookupPriority)
		if err != nil {
			return err
		}
		if err := validateSettings(s, prios); err != nil {
			return err
		}
		old, err := c.tx.Settings(c.ctx)
		if err != nil {
			return err
		}
		if reflect.DeepEqual(old, s) {
			return nil
		}
		if err := c.tx.SaveSettings(c.ctx, s); err != nil {
			return err
		}
		c.record(nil, EventSettingsChanged, map[string]any{
			"default_priority":     []any{old.DefaultPriority, s.DefaultPriority},
			"auto_close_days":      []any{old.AutoCloseDays, s.AutoCloseDays},
			"first_reminder_days":  []any{old.FirstReminderDays, s.FirstReminderDays},
			"second_reminder_days": []any{old.SecondReminderDays, s.SecondReminderDays},
			"max_attachment_bytes": []any{old.MaxAttachmentBytes, s.MaxAttachmentBytes},
			"attachment_types":     []any{old.AttachmentTypes, s.AttachmentTypes},
			"public_tags":          []any{old.PublicTags, s.PublicTags},
		})
		return nil
	})
}

// Statuses returns the tenant's status lookup in display order.
func (d *Desk) Statuses(ctx context.Context) ([]Status, error) {
	var out []Status
	err := d.run(ctx, "statuses", customerRead, func(c *cmd) (err error) {
		out, err = c.tx.Statuses(c.ctx)
		return err
	})
	return out, err
}

// Transitions returns the tenant's allowed status transitions.
func (d *Desk) Transitions(ctx context.Context) ([]Transition, error) {
	var out []Transition
	err := d.run(ctx, "transitions", customerRead, func(c *cmd) (err error) {
		out, err = c.tx.Transitions(c.ctx)
		return err
	})
	return out, err
}

// AllowedStatuses returns the statuses a case may move to from its current
// one, in display order: what a status bar should offer.
func (d *Desk) AllowedStatuses(ctx context.Context, caseID string) ([]Status, error) {
	var out []Status
	err := d.run(ctx, "allowed statuses", staffRead, func(c *cmd) error {
		cs, err := c.load(caseID, false)
		if err != nil {
			return err
		}
		_, set, err := c.status(cs)
		if err != nil {
			return err
		}
		for _, st := range set.list {
			if set.can(cs.Status, st.Key) {
				out = append(out, st)
			}
		}
		return nil
	})
	return out, err
}

// SetStatuses replaces the tenant's status lookup and transition table. The
// set must keep exactly one initial status and at least one resolved,
// closed, canceled and reopen status, and must keep every status that a
// case is in.
func (d *Desk) SetStatuses(ctx context.Context, statuses []Status, transitions []Transition) error {
	return d.run(ctx, "set statuses", adminOnly, func(c *cmd) error {
		var v validations
		for i := range statuses {
			if err := validateStruct(statuses[i]); err != nil {
				if err := v.merge(err); err != nil {
					return err
				}
			}
		}
		if err := v.merge(validateStatusSet(statuses, transitions)); err != nil {
			return err
		}
		if err := v.err(); err != nil {
			return err
		}
		old, err := c.tx.Statuses(c.ctx)
		if err != nil {
			return err
		}
		keep := map[string]bool{}
		for _, s := range statuses {
			keep[s.Key] = true
		}
		for _, s := range old {
			if keep[s.Key] {
				continue
			}
			inUse, err := c.tx.ListCases(c.ctx, CaseQuery{CaseFilter: CaseFilter{Status: []string{s.Key}}, Limit: 1})
			if err != nil {
				return err
			}
			if len(inUse) > 0 {
				v.add("statuses", "in_use", "status %q is still used by case #%d", s.Key, inUse[0].Number)
			}
		}
		if err := v.err(); err != nil {
			return err
		}
		if err := c.tx.ReplaceStatuses(c.ctx, statuses, transitions); err != nil {
			return err
		}
		keys := make([]string, len(statuses))
		for i, s := range statuses {
			keys[i] = s.Key
		}
		c.record(nil, EventStatusesChanged, map[string]any{"statuses": keys, "transitions": len(transitions)})
		return nil
	})
}

// Lookups returns one of the tenant's lookup lists, ordered by rank.
func (d *Desk) Lookups(ctx context.Context, kind LookupKind) ([]Lookup, error) {
	var out []Lookup
	err := d.run(ctx, "lookups", customerRead, func(c *cmd) error {
		if !kind.valid() {
			return invalid("kind", "known", "unknown lookup kind %q", kind)
		}
		var err error
		out, err = c.tx.Lookups(c.ctx, kind)
		return err
	})
	return out, err
}

// SaveLookup adds a lookup entry or replaces the one with the same kind and
// key. Only satisfaction levels carry an Action, and each needs one.
func (d *Desk) SaveLookup(ctx context.Context, l Lookup) error {
	return d.run(ctx, "save lookup", adminOnly, func(c *cmd) error {
		var v validations
		if !l.Kind.valid() {
			v.add("kind", "known", "unknown lookup kind %q", l.Kind)
		}
		if err := v.merge(validateStruct(l)); err != nil {
			return err
		}
		switch {
		case l.Kind == LookupSatisfaction && l.Action == "":
			v.add("action", "required", "a satisfaction level needs an action: %q or %q", RatingReopens, RatingCloses)
		case l.Kind != LookupSatisfaction && l.Action != "":
			v.add("action", "excluded", "only satisfaction levels have an action")
		}
		if l.Kind == LookupPriority && l.Disabled {
			if err := c.refuseDefaultPriority(&v, l.Key, "disabled"); err != nil {
				return err
			}
		}
		if err := v.err(); err != nil {
			return err
		}
		if err := c.tx.SaveLookup(c.ctx, l); err != nil {
			return err
		}
		c.record(nil, EventLookupChanged, map[string]any{"kind": string(l.Kind), "key": l.Key, "label": l.Label, "disabled": l.Disabled})
		return nil
	})
}

func (c *cmd) refuseDefaultPriority(v *validations, key, what string) error {
	s, err := c.tx.Settings(c.ctx)
	if err != nil {
		return err
	}
	if s.DefaultPriority == key {
		v.add("key", "in_use", "priority %q is the tenant's default priority and cannot be %s", key, what)
	}
	return nil
}

// DeleteLookup removes a lookup entry. Cases that use it keep the key;
// disable an entry instead to keep its label. The default priority cannot be
// deleted.
func (d *Desk) DeleteLookup(ctx context.Context, kind LookupKind, key string) error {
	return d.run(ctx, "delete lookup", adminOnly, func(c *cmd) error {
		var v validations
		if !kind.valid() {
			return invalid("kind", "known", "unknown lookup kind %q", kind)
		}
		if kind == LookupPriority {
			if err := c.refuseDefaultPriority(&v, key, "deleted"); err != nil {
				return err
			}
		}
		if err := v.err(); err != nil {
			return err
		}
		if err := c.tx.DeleteLookup(c.ctx, kind, key); err != nil {
			return fmt.Errorf("lookup %s %q: %w", kind, key, err)
		}
		c.record(nil, EventLookupChanged, map[string]any{"kind": string(kind), "key": key, "deleted": true})
		return nil
	})
}
