package casekit

import (
	"context"
	"fmt"
	"strings"
)

// AddWatcher makes a third party a watcher of a case: from then on they are
// told what the customer is told (processing started, waiting, resolved,
// canceled, activities that notify the contact) and never anything
// internal. Addresses are kept in lower case; one already watching the
// case gives ErrConflict.
func (d *Desk) AddWatcher(ctx context.Context, caseID string, w Watcher) (*Watcher, error) {
	return runValue(d, ctx, "add watcher", staffOnly, func(c *cmd) (out *Watcher, err error) {
		w.Email = strings.ToLower(strings.TrimSpace(w.Email))
		w.Name = strings.TrimSpace(w.Name)
		if err := validateStruct(w); err != nil {
			return nil, err
		}
		cs, err := c.load(caseID, true)
		if err != nil {
			return nil, err
		}
		w.ID, w.CaseID, w.AddedBy, w.AddedAt = newID(), cs.ID, c.actor, c.now
		if err := c.tx.AddWatcher(c.ctx, w); err != nil {
			return nil, fmt.Errorf("case %s: watcher %s: %w", cs.ID, w.Email, err)
		}
		delete(c.watchers, cs.ID) // the notifications read them afresh
		c.record(cs, EventWatcherAdded, map[string]any{"watcher_id": w.ID, "email": w.Email, "name": w.Name})
		return &w, nil
	})
}

// RemoveWatcher stops telling a watcher about the case.
func (d *Desk) RemoveWatcher(ctx context.Context, caseID, watcherID string) error {
	return d.run(ctx, "remove watcher", staffOnly, func(c *cmd) error {
		cs, err := c.load(caseID, true)
		if err != nil {
			return err
		}
		if err := c.tx.RemoveWatcher(c.ctx, cs.ID, watcherID); err != nil {
			return fmt.Errorf("case %s: watcher %s: %w", cs.ID, watcherID, err)
		}
		c.record(cs, EventWatcherRemoved, map[string]any{"watcher_id": watcherID})
		return nil
	})
}

// Watchers lists a case's watchers in the order they were added.
func (d *Desk) Watchers(ctx context.Context, caseID string) ([]Watcher, error) {
	return ofCase(d, ctx, "watchers", staffRead, caseID, func(c *cmd, cs *Case) ([]Watcher, error) {
		return c.tx.Watchers(c.ctx, cs.ID)
	})
}
