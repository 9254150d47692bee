package casekit

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
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
	tx     Tx
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
	// authorize is the kit's Authorizer, nil to use the stored roles.
	authorize Authorizer
	// role is the acting agent's stored role, once looked up.
	role *Role
	// watchers caches each case's watchers for the notifications.
	watchers map[string][]Watcher
	events   []Event
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

func (d *Desk) runTx(ctx context.Context, who access, fn func(*cmd) error) error {
	if !d.actor.valid() {
		return fmt.Errorf("no actor named (use Desk.As): %w", ErrForbidden)
	}
	if d.actor.Kind == KindCustomer && !who.customers() {
		return fmt.Errorf("a customer may not do this: %w", ErrForbidden)
	}
	if err := ValidateTenantID(d.tenant); err != nil {
		return err
	}
	return d.kit.store.InTx(ctx, d.tenant, func(ctx context.Context, tx Tx) error {
		c := &cmd{ctx: ctx, tenant: d.tenant, dir: d.kit.dir, tx: d.kit.configTx(d.tenant, tx), actor: d.actor, now: d.kit.now(), notify: d.kit.notifier != nil,
			authorize: d.kit.authorize}
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

// finish appends the events the command recorded and enqueues the
// notifications they call for, in the command's transaction.
func (c *cmd) finish() error {
	if len(c.events) == 0 {
		return nil
	}
	if err := c.tx.AppendEvents(c.ctx, c.events...); err != nil {
		return err
	}
	if !c.notify {
		return nil
	}
	ns, err := c.notifications()
	if err != nil || len(ns) == 0 {
		return err
	}
	return c.tx.Enqueue(c.ctx, ns)
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

func (c *cmd) customer() bool { return c.actor.Kind == KindCustomer }

// outsider reports whether the command writes for a customer or a web
// form's sender rather than for the staff.
func (c *cmd) outsider() bool { return c.customer() || c.sender }

// statuses loads the tenant's status set once per command.
func (c *cmd) statuses() (*statusSet, error) {
	if c.set != nil {
		return c.set, nil
	}
	list, err := c.tx.Statuses(c.ctx)
	if err != nil {
		return nil, err
	}
	ts, err := c.tx.Transitions(c.ctx)
	if err != nil {
		return nil, err
	}
	c.set = newStatusSet(list, ts)
	return c.set, nil
}

// status returns the case's current status from the lookup.
func (c *cmd) status(cs *Case) (Status, *statusSet, error) {
	set, err := c.statuses()
	if err != nil {
		return Status{}, nil, err
	}
	st, ok := set.get(cs.Status)
	if !ok {
		return Status{}, nil, fmt.Errorf("case %s has status %q, which is not in the tenant's status lookup", cs.ID, cs.Status)
	}
	return st, set, nil
}

func (c *cmd) lookups(kind LookupKind) (lookupSet, error) {
	ls, err := c.tx.Lookups(c.ctx, kind)
	if err != nil {
		return nil, err
	}
	return newLookupSet(ls), nil
}

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
	prev := cs.Version
	cs.Version++
	cs.UpdatedAt = c.now
	if err := c.tx.UpdateCase(c.ctx, cs, prev); err != nil {
		return fmt.Errorf("case %s: %w", cs.ID, err)
	}
	return c.scheduleTimers(cs)
}

// record adds a history event about cs (nil for tenant-level events).
func (c *cmd) record(cs *Case, typ EventType, data map[string]any) {
	e := Event{ID: newID(), Type: typ, Actor: c.actor, At: c.now, Data: data}
	if cs != nil {
		e.CaseID, e.CaseNumber = cs.ID, cs.Number
	}
	c.events = append(c.events, e)
	c.eventCases = append(c.eventCases, cs)
}

// Case returns one case by ID; a customer gets their view of it, without
// what is internal (see customerview.go), as from every command that
// returns them a case.
func (d *Desk) Case(ctx context.Context, id string) (*Case, error) {
	var out *Case
	err := d.run(ctx, "case", customerRead, func(c *cmd) (err error) {
		defer c.showing(&out, &err)
		out, err = c.load(id, false)
		return err
	})
	return out, err
}

// CaseView is a case with what its page shows, read in one transaction
// (Desk.CaseView): for a customer, only the public messages and notes and
// the activities the contact was told of, as Messages, Notes and
// Activities give them, and only the linked cases the customer may see.
type CaseView struct {
	Case       *Case        `json:"case"`
	Messages   []*Message   `json:"messages"`
	Notes      []*Note      `json:"notes"`
	Activities []*Activity  `json:"activities"`
	Linked     []LinkedCase `json:"linked"`
}

// CaseView returns a case with its messages, notes, activities and linked
// cases, read in one transaction, so that a page showing them all sees
// one state of the case and costs one round of reads instead of five.
func (d *Desk) CaseView(ctx context.Context, id string) (*CaseView, error) {
	var out *CaseView
	err := d.run(ctx, "case view", customerRead, func(c *cmd) error {
		cs, err := c.load(id, false)
		if err != nil {
			return err
		}
		v := &CaseView{}
		if v.Case, err = c.shown(cs); err != nil {
			return err
		}
		if v.Messages, err = c.messagesOf(cs); err != nil {
			return err
		}
		if v.Notes, err = c.notesOf(cs); err != nil {
			return err
		}
		if v.Activities, err = c.activitiesOf(cs); err != nil {
			return err
		}
		if v.Linked, err = c.linkedOf(cs); err != nil {
			return err
		}
		out = v
		return nil
	})
	return out, err
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

// CaseByNumber returns one case by its tenant case number.
func (d *Desk) CaseByNumber(ctx context.Context, number int64) (*Case, error) {
	var out *Case
	err := d.run(ctx, "case by number", customerRead, func(c *cmd) (err error) {
		defer c.showing(&out, &err)
		cs, err := c.tx.CaseByNumber(c.ctx, number, false)
		if err != nil {
			return fmt.Errorf("case #%d: %w", number, err)
		}
		if !c.visible(cs) {
			return fmt.Errorf("case #%d: %w", number, ErrNotFound)
		}
		out = cs
		return nil
	})
	return out, err
}

// History returns every event of a case in the order they happened. The
// history of a deleted case stays readable: it is the deletion's audit
// record. Customers may not read history.
func (d *Desk) History(ctx context.Context, id string) ([]Event, error) {
	var out []Event
	err := d.run(ctx, "history", staffRead, func(c *cmd) error {
		if id == "" { // not the tenant-level events: see ConfigHistory
			return fmt.Errorf("case %q: %w", id, ErrNotFound)
		}
		evs, err := c.tx.Events(c.ctx, id)
		if err != nil {
			return fmt.Errorf("case %s: %w", id, err)
		}
		if len(evs) == 0 {
			if _, err := c.load(id, false); err != nil {
				return err
			}
		}
		out = evs
		return nil
	})
	return out, err
}

const (
	defaultPageSize = 50
	maxPageSize     = 500
)

// ListCases returns one page of the cases matching f, in the order of
// f.Sort (newest first by default), and in Next the cursor for the page
// after it. A customer sees only their own cases, whatever the filter
// says, and may filter only by what they read (a *ValidationError on the
// field otherwise).
func (d *Desk) ListCases(ctx context.Context, f CaseFilter) (*CasePage, error) {
	var out *CasePage
	err := d.run(ctx, "list cases", customerRead, func(c *cmd) error {
		if err := validateStruct(f); err != nil {
			return err
		}
		if err := c.customerFilter(f); err != nil {
			return err
		}
		q := CaseQuery{CaseFilter: f, Limit: f.Limit, Now: c.now}
		q.Sort = sortOrDefault(f.Sort)
		if q.Limit == 0 {
			q.Limit = defaultPageSize
		}
		if f.After != "" {
			pos, err := decodeCursor(f.After, q.Sort)
			if err != nil {
				return err
			}
			q.Position = pos
		}
		var ranks map[string]int // for the cursor of a priority sort
		if sortsByPriority(q.Sort) {
			prios, err := c.tx.Lookups(c.ctx, LookupPriority)
			if err != nil {
				return err
			}
			ranks = make(map[string]int, len(prios))
			for _, p := range prios {
				ranks[p.Key] = p.Rank
			}
		}
		if c.customer() {
			q.VisibleTo = c.actor.ID
		}
		var err error
		if q.Number, q.Terms, err = parseSearch(f.Text); err != nil {
			return err
		}
		if len(f.Custom) > 0 {
			if q.CustomValues, err = c.customFilter(f.Custom); err != nil {
				return err
			}
		}
		if len(f.StatusFlags) > 0 {
			set, err := c.statuses()
			if err != nil {
				return err
			}
			keys := slices.Clone(f.Status)
			for _, s := range set.list {
				if slices.ContainsFunc(f.StatusFlags, s.hasFlag) && !slices.Contains(keys, s.Key) {
					keys = append(keys, s.Key)
				}
			}
			if len(keys) == 0 {
				out = &CasePage{}
				return nil // no status has the flags: nothing matches
			}
			q.Status = keys
		}
		if len(f.Status) > 0 {
			set, err := c.statuses()
			if err != nil {
				return err
			}
			var v validations
			for _, s := range f.Status {
				if _, ok := set.get(s); !ok {
					v.add("status", "known", "unknown status %q", s)
				}
			}
			if err := v.err(); err != nil {
				return err
			}
		}
		want := q.Limit
		q.Limit++
		cases, err := c.tx.ListCases(c.ctx, q)
		if err != nil {
			return err
		}
		out = &CasePage{Cases: cases}
		if len(cases) > want {
			out.Cases = cases[:want]
			out.Next = encodeCursor(q.Sort, positionOf(q.Sort, cases[want-1], ranks))
		}
		out.Cases, err = c.shownAll(out.Cases)
		return err
	})
	return out, err
}

// ConfigHistory returns the tenant-level events: changes to settings,
// statuses, transitions and lookups, oldest first.
func (d *Desk) ConfigHistory(ctx context.Context) ([]Event, error) {
	var out []Event
	err := d.run(ctx, "config history", staffRead, func(c *cmd) (err error) {
		out, err = c.tx.Events(c.ctx, "")
		return err
	})
	return out, err
}
