package casekit

import (
	"context"
	"fmt"

	"casekit.dev/casekit/casetype"
)

// These names live in package casetype, where the stores read them too;
// programs keep writing casekit.Name.
type (
	// LookupKind names one of a tenant's lookup lists.
	LookupKind = casetype.LookupKind
	// Lookup is one entry of a tenant lookup list.
	Lookup = casetype.Lookup
)

const (
	LookupPriority      = casetype.LookupPriority
	LookupCaseType      = casetype.LookupCaseType
	LookupOrigin        = casetype.LookupOrigin
	LookupClosureReason = casetype.LookupClosureReason
	LookupReopenReason  = casetype.LookupReopenReason
	LookupNoteSubject   = casetype.LookupNoteSubject
	LookupSatisfaction  = casetype.LookupSatisfaction
	LookupSupportLevel  = casetype.LookupSupportLevel
)

// LookupKinds lists every lookup kind.
var LookupKinds = []LookupKind{
	LookupPriority, LookupCaseType, LookupOrigin, LookupClosureReason,
	LookupReopenReason, LookupNoteSubject, LookupSatisfaction, LookupSupportLevel,
}

func lookupKindValid(k LookupKind) bool {
	for _, x := range LookupKinds {
		if k == x {
			return true
		}
	}
	return false
}

// Satisfaction actions: what a rating at a level does to the case (as
// casetype names them).
const (
	RatingReopens = casetype.RatingReopens
	RatingCloses  = casetype.RatingCloses
)

// DefaultLookups returns the lookup lists a new tenant starts with.
func DefaultLookups() []Lookup {
	l := func(kind LookupKind, key, label string, rank int) Lookup {
		return Lookup{Kind: kind, Key: key, Label: label, Rank: rank}
	}
	sat := func(level int, label, action string) Lookup {
		return Lookup{Kind: LookupSatisfaction, Key: string(rune('0' + level)), Label: label, Rank: level, Action: action}
	}
	return []Lookup{
		l(LookupPriority, "low", "Low", 10),
		l(LookupPriority, "medium", "Medium", 20),
		l(LookupPriority, "high", "High", 30),
		l(LookupPriority, "critical", "Critical", 40),

		l(LookupCaseType, "question", "Question", 10),
		l(LookupCaseType, "problem", "Problem", 20),
		l(LookupCaseType, "request", "Request", 30),
		l(LookupCaseType, "complaint", "Complaint", 40),

		l(LookupOrigin, "phone", "Phone", 10),
		l(LookupOrigin, "email", "E-mail", 20),
		l(LookupOrigin, "web", "Web form", 30),
		l(LookupOrigin, "portal", "Portal", 40),
		l(LookupOrigin, "chat", "Chat", 50),
		l(LookupOrigin, "api", "API", 60),

		l(LookupClosureReason, "fixed", "Problem solved", 10),
		l(LookupClosureReason, "answered", "Question answered", 20),
		l(LookupClosureReason, "workaround", "Workaround given", 30),
		l(LookupClosureReason, "no_response", "No response from customer", 40),
		l(LookupClosureReason, "duplicate", "Duplicate", 50),
		l(LookupClosureReason, "merged", "Merged into another case", 60),

		l(LookupReopenReason, "not_fixed", "Problem not solved", 10),
		l(LookupReopenReason, "new_information", "New information", 20),
		l(LookupReopenReason, "closed_by_mistake", "Closed by mistake", 30),
		l(LookupReopenReason, "customer_reply", "Customer replied", 40),
		l(LookupReopenReason, "low_rating", "Low satisfaction rating", 50),

		l(LookupNoteSubject, "general", "General", 10),
		l(LookupNoteSubject, "diagnosis", "Diagnosis", 20),
		l(LookupNoteSubject, "solution", "Solution", 30),
		l(LookupNoteSubject, "customer_call", "Customer call", 40),

		sat(1, "Very dissatisfied", RatingReopens),
		sat(2, "Dissatisfied", RatingReopens),
		sat(3, "Neutral", RatingCloses),
		sat(4, "Satisfied", RatingCloses),
		sat(5, "Very satisfied", RatingCloses),

		l(LookupSupportLevel, "1", "First line", 1),
		l(LookupSupportLevel, "2", "Second line", 2),
		l(LookupSupportLevel, "3", "Third line", 3),
	}
}

// Lookups returns one of the tenant's lookup lists, ordered by rank.
func (cf *Config) Lookups(ctx context.Context, kind LookupKind) ([]Lookup, error) {
	return runValue(cf.d, ctx, "lookups", customerRead, func(c *cmd) ([]Lookup, error) {
		if !lookupKindValid(kind) {
			return nil, invalid("kind", "known", "unknown lookup kind %q", kind)
		}
		return c.tx.Lookups(c.ctx, kind)
	})
}

// SaveLookup adds a lookup entry or replaces the one with the same kind and
// key. Only satisfaction levels carry an Action, and each needs one.
func (cf *Config) SaveLookup(ctx context.Context, l Lookup) error {
	return cf.d.run(ctx, "save lookup", adminOnly, func(c *cmd) error {
		var v validations
		if !lookupKindValid(l.Kind) {
			v.Add("kind", "known", "unknown lookup kind %q", l.Kind)
		}
		if err := v.Merge(validateStruct(l)); err != nil {
			return err
		}
		switch {
		case l.Kind == LookupSatisfaction && l.Action == "":
			v.Add("action", "required", "a satisfaction level needs an action: %q or %q", RatingReopens, RatingCloses)
		case l.Kind != LookupSatisfaction && l.Action != "":
			v.Add("action", "excluded", "only satisfaction levels have an action")
		}
		if l.Kind == LookupPriority && l.Disabled {
			if err := c.refuseDefaultPriority(&v, l.Key, "disabled"); err != nil {
				return err
			}
		}
		if err := v.Err(); err != nil {
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
		v.Add("key", "in_use", "priority %q is the tenant's default priority and cannot be %s", key, what)
	}
	return nil
}

// DeleteLookup removes a lookup entry. Cases that use it keep the key;
// disable an entry instead to keep its label. The default priority cannot be
// deleted.
func (cf *Config) DeleteLookup(ctx context.Context, kind LookupKind, key string) error {
	return cf.d.run(ctx, "delete lookup", adminOnly, func(c *cmd) error {
		var v validations
		if !lookupKindValid(kind) {
			return invalid("kind", "known", "unknown lookup kind %q", kind)
		}
		if kind == LookupPriority {
			if err := c.refuseDefaultPriority(&v, key, "deleted"); err != nil {
				return err
			}
		}
		if err := v.Err(); err != nil {
			return err
		}
		if err := c.tx.DeleteLookup(c.ctx, kind, key); err != nil {
			return fmt.Errorf("lookup %s %q: %w", kind, key, err)
		}
		c.record(nil, EventLookupChanged, map[string]any{"kind": string(kind), "key": key, "deleted": true})
		return nil
	})
}

func (c *cmd) lookups(kind LookupKind) (lookupSet, error) {
	ls, err := c.tx.Lookups(c.ctx, kind)
	if err != nil {
		return nil, err
	}
	return newLookupSet(ls), nil
}
