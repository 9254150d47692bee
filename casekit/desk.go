package casekit

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"casekit.dev/casekit/store"
)

// Desk runs commands on one tenant as one actor. Get one from Kit.Desk and
// name the actor with As. A Desk is a small value: make one per request.
// It is safe for concurrent use.
type Desk struct {
	kit    *Kit
	tenant string
	actor  Actor
}

// As returns a copy of the desk acting as a.
func (d *Desk) As(a Actor) *Desk {
	c := *d
	c.actor = a
	return &c
}

// Tenant returns the desk's tenant ID.
func (d *Desk) Tenant() string { return d.tenant }

// Actor returns who the desk acts as.
func (d *Desk) Actor() Actor { return d.actor }

// access says who may run a command: which permission an agent needs
// (see Permission), and whether customers may run it too. System may run
// every command.
type access int

const (
	staffOnly    access = iota // agents who may work cases (PermWork)
	customerToo                // customers too, on what they may see; agents need PermWork
	staffRead                  // agents who may read (PermRead): viewers too
	customerRead               // customers too, on what they may see; agents need PermRead
	adminOnly                  // agents who may configure the tenant (PermConfigure)
	deleteOnly                 // agents who may delete cases (PermDelete)
	rolesOnly                  // agents who may manage roles (PermManageRoles)
	anyone                     // every actor, with no permission asked for
)

// customers reports whether customers may run commands of this access.
func (a access) customers() bool { return a == customerToo || a == customerRead || a == anyone }

// permission is what an agent must hold to run commands of this access,
// "" for none.
func (a access) permission() Permission {
	switch a {
	case staffRead, customerRead:
		return PermRead
	case adminOnly:
		return PermConfigure
	case deleteOnly:
		return PermDelete
	case rolesOnly:
		return PermManageRoles
	case anyone:
		return ""
	}
	return PermWork
}

// cmd is one command in flight: its transaction and what it gathered.
type cmd struct {
	ctx    context.Context
	tenant string
	dir    Directory
	tx     store.Tx
	actor  Actor
	now    time.Time
	set    *statusSet
	dist   *distribution
	book   *slaBook
	notify bool // the kit has a notifier: enqueue notifications
	// sender says the command writes for someone outside the staff (a web
	// form's stranger, as Desk.Intake runs as System): like a customer,
	// they set only the custom fields the tenant opens to them.
	sender bool
	// templates is the kit's TemplateEngine, nil without one: a notify
	// action's template is checked against what it has.
	templates TemplateEngine
	// authorize is the kit's Authorizer, nil to use the stored roles.
	authorize Authorizer
	// role is the acting agent's stored role, once looked up.
	role *Role
	// watchers caches each case's watchers for the notifications.
	watchers map[string][]Watcher
	// notices holds, by the index of an event, the notify and webhook
	// actions of the triggers that fired on it (runTriggers).
	notices map[int][]Action
	events  []Event
	// eventCases holds, for each event, the case it is about (nil for
	// tenant-level events), as the command leaves it.
	eventCases []*Case
	// The mail conversation (mail.go): the tenant's mail settings and the
	// cases' reply tokens, read once per command; the messages posted,
	// for the mail that carries them; the cases whose opening is not
	// acknowledged; the Message-ID of the mail a case was opened by.
	mail     *MailSettings
	tokens   map[string]string
	posted   map[string]*Message
	noAck    map[string]bool
	mailRefs map[string]string
	// linkTokens are the tokens of the portal links mailed, by link ID.
	linkTokens map[string]string
	// changed marks the cases the command inserted or wrote, whose rows
	// it holds: those auto-assignment looks at (autoassign.go).
	changed map[string]bool
	// assign is auto-assignment's state once the command holds the lock.
	assign *assigning
	// self is the acting agent's address in the Directory, once looked
	// up (ownAddress, mailout.go).
	self *string
}

// run checks the actor and runs fn in one store transaction, appending the
// events fn recorded before commit. Errors are wrapped with the command and
// tenant.
func (d *Desk) run(ctx context.Context, op string, who access, fn func(*cmd) error) error {
	err := d.runTx(ctx, who, fn)
	if err != nil {
		return fmt.Errorf("casekit: %s: tenant %q: %w", op, d.tenant, err)
	}
	return nil
}

// runValue is run for a command that returns what it read or made: it
// returns fn's value with run's error, so that a command is one call
// instead of a variable, a closure that sets it and a return.
func runValue[T any](d *Desk, ctx context.Context, op string, who access, fn func(*cmd) (T, error)) (T, error) {
	var out T
	err := d.run(ctx, op, who, func(c *cmd) (err error) {
		out, err = fn(c)
		return err
	})
	return out, err
}

// ofCase is runValue for a command that reads something of one case: it
// loads the case, refusing one the actor may not see as not found, and
// returns what read gives for it.
func ofCase[T any](d *Desk, ctx context.Context, op string, who access, caseID string, read func(*cmd, *Case) (T, error)) (T, error) {
	return runValue(d, ctx, op, who, func(c *cmd) (T, error) {
		cs, err := c.load(caseID, false)
		if err != nil {
			var zero T
			return zero, err
		}
		return read(c, cs)
	})
}

// runTx is run without the wrapping of its error: it checks the actor
// and the tenant, opens the store transaction, grants fn the command
// and, when fn succeeds, appends its events and notifications.
func (d *Desk) runTx(ctx context.Context, who access, fn func(*cmd) error) error {
	if !actorValid(d.actor) {
		return fmt.Errorf("no actor named (use Desk.As): %w", ErrForbidden)
	}
	if d.actor.Kind == KindCustomer && !who.customers() {
		return fmt.Errorf("a customer may not do this: %w", ErrForbidden)
	}
	if err := ValidateTenantID(d.tenant); err != nil {
		return err
	}
	return d.kit.store.InTx(ctx, d.tenant, func(ctx context.Context, tx store.Tx) error {
		c := &cmd{ctx: ctx, tenant: d.tenant, dir: d.kit.dir, tx: d.kit.configTx(d.tenant, tx), actor: d.actor, now: d.kit.now(), notify: d.kit.notifier != nil,
			authorize: d.kit.authorize, templates: d.kit.templates}
		if p := who.permission(); p != "" && d.actor.Kind == KindAgent {
			if err := c.permit(p); err != nil {
				return err
			}
		}
		if err := fn(c); err != nil {
			return err
		}
		return c.finish()
	})
}

// finish runs the tenant's triggers on the events the command recorded,
// appends the events, theirs too, and enqueues the notifications they
// call for and the deliveries to the tenant's webhook subscriptions, in
// the command's transaction.
func (c *cmd) finish() error {
	if len(c.events) == 0 {
		return nil
	}
	if err := c.runTriggers(); err != nil {
		return err
	}
	if err := c.tx.AppendEvents(c.ctx, c.events...); err != nil {
		return err
	}
	var out []Notification
	if c.notify {
		ns, err := c.notifications()
		if err != nil {
			return err
		}
		out = ns
	}
	hs, err := c.webhookDeliveries()
	if err != nil {
		return err
	}
	if out = append(out, hs...); len(out) == 0 {
		return nil
	}
	return c.tx.Enqueue(c.ctx, out)
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

func (c *cmd) customer() bool { return c.actor.Kind == KindCustomer }

// outsider reports whether the command writes for a customer or a web
// form's sender rather than for the staff.
func (c *cmd) outsider() bool { return c.customer() || c.sender }

// visible reports whether the acting customer may see the case.
func (c *cmd) visible(cs *Case) bool {
	if !c.customer() {
		return true
	}
	return cs.CustomerID == c.actor.ID || (cs.Contact.ID != "" && cs.Contact.ID == c.actor.ID) || c.actor.ID == CaseCustomer(cs.ID)
}

// load reads a case, locking it when lock is set, and hides it from a
// customer who may not see it.
func (c *cmd) load(id string, lock bool) (*Case, error) {
	cs, err := c.tx.Case(c.ctx, id, lock)
	if err != nil {
		return nil, fmt.Errorf("case %s: %w", id, err)
	}
	if !c.visible(cs) {
		return nil, fmt.Errorf("case %s: %w", id, ErrNotFound)
	}
	return cs, nil
}

// loadEditable locks a case and refuses with ErrReadOnly when its status is
// resolved or final.
func (c *cmd) loadEditable(id string) (*Case, error) {
	cs, err := c.load(id, true)
	if err != nil {
		return nil, err
	}
	st, _, err := c.status(cs)
	if err != nil {
		return nil, err
	}
	if st.ReadOnly() {
		return nil, fmt.Errorf("case %s is %s; reopen it first: %w", cs.ID, st.Key, ErrReadOnly)
	}
	return cs, nil
}

// save writes a changed case, bumping its version, after bringing its SLA
// clock and deadlines up to date.
func (c *cmd) save(cs *Case) error {
	if err := c.runSLA(cs); err != nil {
		return err
	}
	if err := c.workTimes(cs); err != nil {
		return err
	}
	prev := cs.Version
	cs.Version++
	cs.UpdatedAt = c.now
	if err := c.tx.UpdateCase(c.ctx, cs, prev); err != nil {
		return fmt.Errorf("case %s: %w", cs.ID, err)
	}
	c.markChanged(cs)
	return c.scheduleTimers(cs)
}

// markChanged notes that the command wrote cs.
func (c *cmd) markChanged(cs *Case) {
	if c.changed == nil {
		c.changed = map[string]bool{}
	}
	c.changed[cs.ID] = true
}

// record adds a history event about cs (nil for tenant-level events).
func (c *cmd) record(cs *Case, typ EventType, data map[string]any) {
	c.recordAs(c.actor, cs, typ, data)
}

// recordAs is record by another actor than the command's: System, for
// what casekit does by a tenant's rule.
func (c *cmd) recordAs(actor Actor, cs *Case, typ EventType, data map[string]any) {
	e := Event{ID: newID(), Type: typ, Actor: actor, At: c.now, Data: data}
	if cs != nil {
		e.CaseID, e.CaseNumber = cs.ID, cs.Number
	}
	c.events = append(c.events, e)
	c.eventCases = append(c.eventCases, cs)
}

// keep returns the items of all that ok accepts, nil for none.
func keep[T any](all []T, ok func(T) bool) []T {
	var out []T
	for _, v := range all {
		if ok(v) {
			out = append(out, v)
		}
	}
	return out
}
