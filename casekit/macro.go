package casekit

import (
	"casekit.dev/casekit/casetype"
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// These names live in package casetype, where the stores read them too;
// programs keep writing casekit.Name.
type (
	// Macro is a tenant's named set of actions an agent applies to a case in
	Macro = casetype.Macro
)

// MacroPreview is what applying a macro would do to a case.
type MacroPreview struct {
	// Case is the case as the macro's actions would leave it.
	Case *Case `json:"case"`
	// Changes are its changed fields, field → [old, new].
	Changes map[string]any `json:"changes,omitempty"`
	// Watchers and Activities are those the macro would add.
	Watchers   []Watcher   `json:"watchers,omitempty"`
	Activities []*Activity `json:"activities,omitempty"`
	// Reply is the reply it would post, filled in.
	Reply string `json:"reply,omitempty"`
}

// EventMacroChanged is recorded when a macro is saved or deleted; a
// macro applied leaves the events of what it changed, each with the
// macro's key and name.
const EventMacroChanged EventType = "macro.changed"

// maxMacros bounds a tenant's macros.
const maxMacros = 500

// replyFields are the placeholders a macro's reply may use.
var replyFields = map[string]func(*Case) string{
	"number":       func(c *Case) string { return strconv.FormatInt(c.Number, 10) },
	"subject":      func(c *Case) string { return c.Subject },
	"status":       func(c *Case) string { return c.Status },
	"priority":     func(c *Case) string { return c.Priority },
	"contact_name": func(c *Case) string { return c.Contact.Name },
}

var placeholderRE = regexp.MustCompile(`\{\{\s*([^{}]*?)\s*\}\}`)

// Macros lists the tenant's macros by key.
func (cf *Config) Macros(ctx context.Context) ([]Macro, error) {
	return runValue(cf.d, ctx, "macros", staffRead, func(c *cmd) ([]Macro, error) {
		return c.tx.Macros(c.ctx)
	})
}

// SaveMacro adds or replaces a macro. Its actions are checked as a
// trigger's are (a macro does not notify: its reply speaks), and its
// reply may use only the placeholders Macro names.
func (cf *Config) SaveMacro(ctx context.Context, m Macro) error {
	return cf.d.run(ctx, "save macro", adminOnly, func(c *cmd) error {
		m.Name = strings.TrimSpace(m.Name)
		var v validations
		if err := v.Merge(validateStruct(m)); err != nil {
			return err
		}
		if len(m.Actions) == 0 && strings.TrimSpace(m.Reply) == "" {
			v.Add("actions", "required", "a macro does something or replies")
		}
		if err := c.checkActions(&v, "actions", m.Actions, false); err != nil {
			return err
		}
		for _, p := range placeholderRE.FindAllStringSubmatch(m.Reply, -1) {
			if replyFields[p[1]] == nil {
				v.Add("reply", "template", "{{%s}} is not one of %v", p[1], slices.Sorted(maps.Keys(replyFields)))
				break
			}
		}
		if err := v.Err(); err != nil {
			return err
		}
		all, err := c.tx.Macros(c.ctx)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(all, func(o Macro) bool { return o.Key == m.Key }) && len(all) >= maxMacros {
			return invalid("key", "max", "a tenant has at most %d macros", maxMacros)
		}
		if err := c.tx.SaveMacro(c.ctx, m); err != nil {
			return err
		}
		c.record(nil, EventMacroChanged, map[string]any{"key": m.Key, "name": m.Name})
		return nil
	})
}

// DeleteMacro removes a macro; ErrNotFound if there is none.
func (cf *Config) DeleteMacro(ctx context.Context, key string) error {
	return cf.d.run(ctx, "delete macro", adminOnly, func(c *cmd) error {
		if err := c.tx.DeleteMacro(c.ctx, key); err != nil {
			return fmt.Errorf("macro %q: %w", key, err)
		}
		c.record(nil, EventMacroChanged, map[string]any{"key": key, "deleted": true})
		return nil
	})
}

// ApplyMacro runs a macro's actions on an editable case and posts its
// reply, as one command: the changes are recorded with the macro's key
// and name, and an action that cannot run as the tenant now stands (a
// queue deleted since) fails it all with a ValidationError naming the
// action ("actions[1].queue"). ifVersion, when not zero, is the version
// of the case the agent decided on (PreviewMacro's Case.Version): a case
// changed since fails with ErrConflict and nothing is applied, since the
// macro would no longer do what the preview showed. It returns the case
// as it leaves it.
func (d *Desk) ApplyMacro(ctx context.Context, caseID, key string, ifVersion int64) (*Case, error) {
	return runValue(d, ctx, "apply macro", staffOnly, func(c *cmd) (*Case, error) {
		m, cs, r, err := c.macroPlan(caseID, key, ifVersion)
		if err != nil {
			return nil, err
		}
		if err := c.apply(cs, r, map[string]any{"macro": m.Key, "macro_name": m.Name}); err != nil {
			return nil, err
		}
		if m.Reply != "" {
			if _, err := c.postMessage(cs.ID, NewMessage{Body: fillReply(m.Reply, cs)}); err != nil {
				return nil, err
			}
			return c.load(cs.ID, false)
		}
		return cs, nil
	})
}

// PreviewMacro returns what ApplyMacro would do to the case, writing
// nothing. Its Case.Version is the version the preview was worked out
// on, for ApplyMacro's ifVersion.
func (d *Desk) PreviewMacro(ctx context.Context, caseID, key string) (*MacroPreview, error) {
	return runValue(d, ctx, "preview macro", staffOnly, func(c *cmd) (*MacroPreview, error) {
		m, _, r, err := c.macroPlan(caseID, key, 0)
		if err != nil {
			return nil, err
		}
		p := &MacroPreview{Case: r.Case, Changes: maps.Clone(r.Changes), Watchers: r.Watchers, Activities: r.Activities}
		maps.Copy(p.Changes, r.Placed)
		if len(p.Changes) == 0 {
			p.Changes = nil
		}
		if m.Reply != "" {
			p.Reply = fillReply(m.Reply, r.Case)
		}
		return p, nil
	})
}

// macroPlan loads the macro and the case, locked and editable and at
// ifVersion unless that is zero, and works out what the macro's actions
// do to it.
func (c *cmd) macroPlan(caseID, key string, ifVersion int64) (*Macro, *Case, *actionResult, error) {
	all, err := c.tx.Macros(c.ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	i := slices.IndexFunc(all, func(m Macro) bool { return m.Key == key })
	if i < 0 {
		return nil, nil, nil, fmt.Errorf("macro %q: %w", key, ErrNotFound)
	}
	cs, err := c.loadEditable(caseID)
	if err != nil {
		return nil, nil, nil, err
	}
	if ifVersion != 0 && ifVersion != cs.Version {
		return nil, nil, nil, fmt.Errorf("case %s is at version %d, not %d: %w", cs.ID, cs.Version, ifVersion, ErrConflict)
	}
	r, err := c.plan(cs, "actions", all[i].Actions, false)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("macro %q: %w", key, err)
	}
	return &all[i], cs, r, nil
}

// fillReply fills a macro reply's placeholders in from the case.
func fillReply(reply string, cs *Case) string {
	return placeholderRE.ReplaceAllStringFunc(reply, func(p string) string {
		if f := replyFields[placeholderRE.FindStringSubmatch(p)[1]]; f != nil {
			return f(cs)
		}
		return p
	})
}
