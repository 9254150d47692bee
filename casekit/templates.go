package casekit

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"casekit.dev/casekit/casetype"
	"casekit.dev/casekit/store"
)

// These names live in package casetype, where the stores read them too;
// programs keep writing casekit.Name.
type (
	// RenderedMessage is a notification in words, as a mail says it: a
	// one-line subject, a plain text body and, optionally, an HTML body.
	RenderedMessage = casetype.RenderedMessage
	// TemplateOverride is a tenant's own version of one of the templates the
	// kit's TemplateEngine knows by name, such as "message/case.resolved".
	TemplateOverride = casetype.TemplateOverride
)

// TemplateEngine renders notifications and checks the templates tenants
// save. Package casekit.dev/templates provides one, sandboxed; the kit
// uses it through WithTemplates.
type TemplateEngine interface {
	// CheckTemplate reports whether source may become the tenant's
	// template called name, given the tenant's other overrides (name →
	// source): it must parse, use only allowed functions and render
	// against sample data. Its error names the line.
	CheckTemplate(ctx context.Context, name, source string, overrides map[string]string) error
	// RenderNotification renders n with the tenant's overrides.
	RenderNotification(ctx context.Context, n Notification, overrides map[string]string) (*RenderedMessage, error)
}

// WithTemplates makes the kit render every notification with e before it
// reaches the Notifier (in Notification.Rendered), using the tenant's
// template overrides, and lets tenants save overrides (Config.SaveTemplateOverride),
// which e checks first. A notification that fails to render is retried
// and then dead-lettered like a failed delivery, with the reason recorded.
func WithTemplates(e TemplateEngine) Option { return func(k *Kit) { k.templates = e } }

// ErrNoTemplates is returned by the template commands of a kit made
// without WithTemplates.
var ErrNoTemplates = errors.New("casekit: no template engine (use WithTemplates)")

// TemplateOverrides lists the tenant's template overrides, by name.
func (cf *Config) TemplateOverrides(ctx context.Context) ([]TemplateOverride, error) {
	return runValue(cf.d, ctx, "template overrides", staffRead, func(c *cmd) ([]TemplateOverride, error) {
		return c.tx.TemplateOverrides(c.ctx)
	})
}

// TemplateSources gives the tenant's template overrides as name →
// source, as a TemplateEngine takes them (for rendering portal pages).
func (cf *Config) TemplateSources(ctx context.Context) (map[string]string, error) {
	return runValue(cf.d, ctx, "template sources", staffRead, func(c *cmd) (map[string]string, error) {
		return c.overrides()
	})
}

// SaveTemplateOverride makes source the tenant's template called name, replacing
// the default or an earlier override. The kit's TemplateEngine checks it
// first: a template that does not parse, uses a function that is not
// allowed or fails on sample data is refused with a *ValidationError on
// field "source" naming the line, and nothing is saved.
//
// The check renders, which may take the engine's whole time limit, so it
// runs outside any transaction: SaveTemplateOverride reads the other overrides,
// checks, then saves in a transaction that first makes sure the other
// overrides are still the ones checked with (checking again if another
// save changed them meanwhile, a few times, then ErrConflict).
func (cf *Config) SaveTemplateOverride(ctx context.Context, name, source string) (*TemplateOverride, error) {
	fail := func(err error) (*TemplateOverride, error) {
		return nil, fmt.Errorf("casekit: save template: tenant %q: %w", cf.d.tenant, err)
	}
	for range saveTemplateTries {
		// Read as the command itself, so that an actor who may not
		// configure is refused before the check renders anything.
		var checked map[string]string
		err := cf.d.run(ctx, "save template override", adminOnly, func(c *cmd) (err error) {
			checked, err = c.overrides()
			return err
		})
		if err != nil {
			return nil, err
		}
		if cf.d.kit.templates == nil {
			return fail(ErrNoTemplates)
		}
		if name == "" || len(name) > 200 {
			return fail(invalid("name", "required", "a template name of 1 to 200 bytes is required"))
		}
		if err := cf.d.kit.templates.CheckTemplate(ctx, name, source, checked); err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return fail(ctxErr)
			}
			return fail(invalid("source", "template", "%v", err))
		}
		delete(checked, name)
		var out *TemplateOverride
		err = cf.d.run(ctx, "save template override", adminOnly, func(c *cmd) error {
			cur, err := c.overrides()
			if err != nil {
				return err
			}
			delete(cur, name)
			if !maps.Equal(cur, checked) {
				return nil // checked with other templates: check again
			}
			o := TemplateOverride{Name: name, Source: source, UpdatedBy: c.actor, UpdatedAt: c.now}
			if err := c.tx.SaveTemplateOverride(c.ctx, o); err != nil {
				return err
			}
			c.record(nil, EventTemplateChanged, map[string]any{"name": name, "bytes": len(source)})
			out = &o
			return nil
		})
		if err != nil || out != nil {
			return out, err
		}
	}
	return fail(fmt.Errorf("the other templates kept changing while this one was checked: %w", ErrConflict))
}

// saveTemplateTries bounds how often SaveTemplateOverride checks again because
// another save changed the templates its check rendered with.
const saveTemplateTries = 3

// DeleteTemplateOverride removes the tenant's override of the template called
// name, so that the default applies again; ErrNotFound when there is
// none.
func (cf *Config) DeleteTemplateOverride(ctx context.Context, name string) error {
	return cf.d.run(ctx, "delete template override", adminOnly, func(c *cmd) error {
		if err := c.tx.DeleteTemplateOverride(c.ctx, name); err != nil {
			return fmt.Errorf("template %q: %w", name, err)
		}
		c.record(nil, EventTemplateChanged, map[string]any{"name": name, "deleted": true})
		return nil
	})
}

// overrides reads the tenant's template overrides as name → source.
func (c *cmd) overrides() (map[string]string, error) {
	list, err := c.tx.TemplateOverrides(c.ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(list))
	for _, o := range list {
		out[o.Name] = o.Source
	}
	return out, nil
}

// renderAll fills in Rendered on every notification of batch with the
// kit's template engine, reading each tenant's overrides once (in a
// transaction of its own: no render runs inside one). A notification
// that fails to render gets its failure in fails. Each render is bounded
// by the delivery timeout and the whole batch by renderBatchTimeout, so
// that rendering cannot outlive the lease on the batch: what is left when
// the batch's time is up fails, to be retried.
func (k *Kit) renderAll(ctx context.Context, batch []Notification) map[int]error {
	fails := map[int]error{}
	if k.templates == nil {
		return fails
	}
	ctx, cancel := context.WithTimeout(ctx, k.renderBatchTimeout())
	defer cancel()
	tenants := map[string][]int{}
	for i, n := range batch {
		if n.Recipient.Kind != RecipientWebhook { // posted as JSON, never rendered
			tenants[n.Tenant] = append(tenants[n.Tenant], i)
		}
	}
	for _, tenant := range slices.Sorted(maps.Keys(tenants)) {
		var over map[string]string
		rerr := k.store.InTx(ctx, tenant, func(ctx context.Context, tx store.Tx) error {
			c := &cmd{ctx: ctx, tenant: tenant, tx: k.configTx(tenant, tx), actor: System, now: k.now()}
			var err error
			over, err = c.overrides()
			return err
		})
		for _, i := range tenants[tenant] {
			if err := ctx.Err(); err != nil {
				fails[i] = fmt.Errorf("rendering: the batch's %v for rendering ran out: %w", k.renderBatchTimeout(), err)
				continue
			}
			if rerr != nil {
				fails[i] = fmt.Errorf("reading the tenant's templates: %w", rerr)
				continue
			}
			m, err := k.renderOne(ctx, batch[i], over)
			if err != nil {
				fails[i] = fmt.Errorf("rendering: %w", err)
				continue
			}
			batch[i].Rendered = m
		}
	}
	return fails
}

// renderBatchTimeout bounds the rendering of one delivery batch: four
// delivery timeouts, and at most a quarter of the lease, which leaves
// the rest of the lease to deliver.
func (k *Kit) renderBatchTimeout() time.Duration {
	return min(4*k.deliveryTimeout, deliveryLease/4)
}

// renderOne renders n, turning a panic into an error and bounding the
// call by the delivery timeout.
func (k *Kit) renderOne(ctx context.Context, n Notification, over map[string]string) (m *RenderedMessage, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("template engine panicked: %v", r)
		}
	}()
	ctx, cancel := context.WithTimeout(ctx, k.deliveryTimeout)
	defer cancel()
	return k.templates.RenderNotification(ctx, n, over)
}

// CustomTemplatePrefix starts the names of the message templates a
// tenant adds of its own ("message/custom.reminder"), for notify actions
// to name (Action.Template).
const CustomTemplatePrefix = "message/custom."

// templateNamer is a TemplateEngine that lists the templates it has.
type templateNamer interface{ Names() []string }

// checkTemplateName adds a failure on field unless name is a message
// template a notice can be worded with: one of the tenant's overrides,
// or one the kit's TemplateEngine has. A kit without an engine renders
// none, so it takes no template.
func (c *cmd) checkTemplateName(v *validations, field, name string) error {
	if c.templates == nil {
		v.Add(field, "known", "the kit renders no templates (WithTemplates)")
		return nil
	}
	if !strings.HasPrefix(name, "message/") || name == "message/layout" || len(name) > 200 {
		v.Add(field, "known", "%q is not the name of a message template", name)
		return nil
	}
	if n, ok := c.templates.(templateNamer); ok && slices.Contains(n.Names(), name) {
		return nil
	}
	over, err := c.overrides()
	if err != nil {
		return err
	}
	if _, ok := over[name]; !ok {
		v.Add(field, "known", "there is no template %q: save it first", name)
	}
	return nil
}
