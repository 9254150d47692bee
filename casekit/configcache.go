package casekit

import (
	"context"
	"math/rand/v2"
	"reflect"
	"sync"

	"casekit.dev/casekit/store"
)

// A tenant's configuration (settings, statuses, lookups, teams, queues,
// calendars, SLAs, custom fields, processes, template overrides, roles,
// triggers, macros, webhook subscriptions and the agents' roles) is read by almost every command and changed
// rarely. The kit keeps what it has read per tenant, tagged with the
// tenant's config version: a random number every configuration write
// replaces in the same transaction. A command reads the version (one
// small query) and takes what the cache holds for it; a change by any
// process, on any replica, gives a new version and so a fresh read. A
// transaction that changes configuration sets the new version at its
// first write and keeps reading through the cache under it: no other
// transaction can see that version before this one commits, and a
// rolled-back one leaves it unseen for ever. Each later write in the
// transaction drops what was cached under it.

// maxCachedTenants bounds the cache; past it, it starts again empty.
const maxCachedTenants = 10_000

// configCache holds configuration per tenant and version. It is safe for
// concurrent use.
type configCache struct {
	mu sync.Mutex
	m  map[string]*configEntry
}

type configEntry struct {
	version int64
	vals    map[string]any
}

func (c *configCache) get(tenant string, version int64, key string) (any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.m[tenant]
	if e == nil || e.version != version {
		return nil, false
	}
	v, ok := e.vals[key]
	return v, ok
}

func (c *configCache) put(tenant string, version int64, key string, v any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxCachedTenants {
		c.m = map[string]*configEntry{}
	}
	e := c.m[tenant]
	if e == nil || e.version != version {
		e = &configEntry{version: version, vals: map[string]any{}}
		c.m[tenant] = e
	}
	e.vals[key] = v
}

// drop forgets what is cached for the tenant at version.
func (c *configCache) drop(tenant string, version int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.m[tenant]; e != nil && e.version == version {
		delete(c.m, tenant)
	}
}

// configTx is a tenant transaction whose configuration reads go through
// the kit's cache and whose configuration writes bump the version.
type configTx struct {
	store.Tx
	cache   *configCache
	tenant  string
	version int64
	known   bool // version has been read
	owned   bool // version is the one this transaction set
}

func (k *Kit) configTx(tenant string, tx store.Tx) *configTx {
	return &configTx{Tx: tx, cache: &k.config, tenant: tenant}
}

// cachedRead serves key from the cache for the tenant's current version,
// loading and keeping it on a miss. What it hands out is a deep copy
// (deepCopy), so no caller can change the cached value, however deep the
// slice it edits.
func cachedRead[T any](ctx context.Context, t *configTx, key string, load func() (T, error)) (T, error) {
	v, err := cachedShared(ctx, t, key, load)
	if err != nil {
		return v, err
	}
	return deepCopy(v), nil
}

// cachedShared is cachedRead without the copy: the value it returns is
// the cached one, for casekit's own reads that never write to it (the
// triggers every command runs), which would otherwise copy the whole set
// on every command.
func cachedShared[T any](ctx context.Context, t *configTx, key string, load func() (T, error)) (T, error) {
	if !t.known {
		v, err := t.Tx.ConfigVersion(ctx)
		if err != nil {
			var zero T
			return zero, err
		}
		t.version, t.known = v, true
	}
	if v, ok := t.cache.get(t.tenant, t.version, key); ok {
		return v.(T), nil
	}
	v, err := load()
	if err != nil {
		return v, err
	}
	t.cache.put(t.tenant, t.version, key, v)
	return v, nil
}

// deepCopy copies v with every slice, map and pointer in it, at any
// depth, so the copy shares no memory that can be written through. It
// follows the value's type rather than a list of fields, so a field added
// to a configuration type later is copied too. Configuration holds no
// cycles, channels or functions.
func deepCopy[T any](v T) T {
	src := reflect.ValueOf(&v).Elem()
	if flat(src.Type()) {
		return v
	}
	var out T
	copyValue(reflect.ValueOf(&out).Elem(), src)
	return out
}

// copyValue sets dst, a settable value, to a deep copy of src.
func copyValue(dst, src reflect.Value) {
	if flat(src.Type()) {
		dst.Set(src)
		return
	}
	switch src.Kind() {
	case reflect.Slice:
		if src.IsNil() {
			return
		}
		dst.Set(reflect.MakeSlice(src.Type(), src.Len(), src.Len()))
		if flat(src.Type().Elem()) {
			// Lookups, statuses, transitions: one copy of the
			// backing array, not a walk of every element.
			reflect.Copy(dst, src)
			return
		}
		for i := range src.Len() {
			copyValue(dst.Index(i), src.Index(i))
		}
	case reflect.Array:
		for i := range src.Len() {
			copyValue(dst.Index(i), src.Index(i))
		}
	case reflect.Map:
		if src.IsNil() {
			return
		}
		dst.Set(reflect.MakeMapWithSize(src.Type(), src.Len()))
		// One key, one value and one copy reused for every entry
		// (SetMapIndex stores copies of them): MapIter.Key and Value
		// would allocate both anew each time.
		k := reflect.New(src.Type().Key()).Elem()
		v := reflect.New(src.Type().Elem()).Elem()
		e := reflect.New(src.Type().Elem()).Elem()
		flatElem := flat(src.Type().Elem())
		for it := src.MapRange(); it.Next(); {
			k.SetIterKey(it)
			v.SetIterValue(it)
			if flatElem {
				dst.SetMapIndex(k, v)
				continue
			}
			e.SetZero()
			copyValue(e, v)
			dst.SetMapIndex(k, e)
		}
	case reflect.Pointer:
		if src.IsNil() {
			return
		}
		dst.Set(reflect.New(src.Type().Elem()))
		copyValue(dst.Elem(), src.Elem())
	case reflect.Interface:
		if src.IsNil() {
			return
		}
		e := reflect.New(src.Elem().Type()).Elem()
		copyValue(e, src.Elem())
		dst.Set(e)
	case reflect.Struct:
		// Unexported fields (time.Time's, for one) are copied as they
		// are; the exported ones deeply.
		dst.Set(src)
		for i := range src.NumField() {
			if src.Type().Field(i).IsExported() {
				copyValue(dst.Field(i), src.Field(i))
			}
		}
	default:
		dst.Set(src)
	}
}

// flatTypes caches flat's answer per type: commands copy the same few
// configuration types over and over.
var flatTypes sync.Map // reflect.Type → bool

// flat reports whether a value of type t shares no memory a caller could
// write through (no slice, map, pointer or interface in its exported
// fields), so that assigning it is a deep copy. Unexported fields are not
// looked into: copyValue copies them as they are anyway.
func flat(t reflect.Type) bool {
	if v, ok := flatTypes.Load(t); ok {
		return v.(bool)
	}
	var f bool
	switch t.Kind() {
	case reflect.Slice, reflect.Map, reflect.Pointer, reflect.Interface:
		f = false
	case reflect.Array:
		f = flat(t.Elem())
	case reflect.Struct:
		f = true
		for i := range t.NumField() {
			if t.Field(i).IsExported() && !flat(t.Field(i).Type) {
				f = false
				break
			}
		}
	default:
		f = true
	}
	flatTypes.Store(t, f)
	return f
}

// wrote gives the tenant a new config version after a configuration write
// that succeeded: once per transaction, which then owns the version;
// later writes drop what was cached under it.
func (t *configTx) wrote(ctx context.Context, err error) error {
	if err != nil {
		return err
	}
	if t.owned {
		t.cache.drop(t.tenant, t.version)
		return nil
	}
	v := newConfigVersion()
	if err := t.Tx.SetConfigVersion(ctx, v); err != nil {
		return err
	}
	t.version, t.known, t.owned = v, true, true
	return nil
}

// newConfigVersion returns a random positive version.
func newConfigVersion() int64 { return rand.Int64N(1<<62) + 1 }

func (t *configTx) Settings(ctx context.Context) (Settings, error) {
	return cachedRead(ctx, t, "settings", func() (Settings, error) { return t.Tx.Settings(ctx) })
}

func (t *configTx) Statuses(ctx context.Context) ([]Status, error) {
	return cachedRead(ctx, t, "statuses", func() ([]Status, error) { return t.Tx.Statuses(ctx) })
}

func (t *configTx) Transitions(ctx context.Context) ([]Transition, error) {
	return cachedRead(ctx, t, "transitions", func() ([]Transition, error) { return t.Tx.Transitions(ctx) })
}

func (t *configTx) Lookups(ctx context.Context, kind LookupKind) ([]Lookup, error) {
	return cachedRead(ctx, t, "lookups:"+string(kind), func() ([]Lookup, error) { return t.Tx.Lookups(ctx, kind) })
}

func (t *configTx) Teams(ctx context.Context) ([]Team, error) {
	return cachedRead(ctx, t, "teams", func() ([]Team, error) { return t.Tx.Teams(ctx) })
}

func (t *configTx) Queues(ctx context.Context) ([]Queue, error) {
	return cachedRead(ctx, t, "queues", func() ([]Queue, error) { return t.Tx.Queues(ctx) })
}

func (t *configTx) Calendars(ctx context.Context) ([]Calendar, error) {
	return cachedRead(ctx, t, "calendars", func() ([]Calendar, error) { return t.Tx.Calendars(ctx) })
}

func (t *configTx) SLAs(ctx context.Context) ([]SLA, error) {
	return cachedRead(ctx, t, "slas", func() ([]SLA, error) { return t.Tx.SLAs(ctx) })
}

func (t *configTx) CustomFields(ctx context.Context) ([]CustomField, error) {
	return cachedRead(ctx, t, "custom_fields", func() ([]CustomField, error) { return t.Tx.CustomFields(ctx) })
}

func (t *configTx) Processes(ctx context.Context) ([]Process, error) {
	return cachedRead(ctx, t, "processes", func() ([]Process, error) { return t.Tx.Processes(ctx) })
}

func (t *configTx) TemplateOverrides(ctx context.Context) ([]TemplateOverride, error) {
	return cachedRead(ctx, t, "templates", func() ([]TemplateOverride, error) { return t.Tx.TemplateOverrides(ctx) })
}

func (t *configTx) Roles(ctx context.Context) ([]Role, error) {
	return cachedRead(ctx, t, "roles", func() ([]Role, error) { return t.Tx.Roles(ctx) })
}

// AgentRole is cached per agent: every command of an agent asks for it.
func (t *configTx) AgentRole(ctx context.Context, agentID string) (string, error) {
	return cachedRead(ctx, t, "agent_role:"+agentID, func() (string, error) { return t.Tx.AgentRole(ctx, agentID) })
}

func (t *configTx) MailSettings(ctx context.Context) (MailSettings, error) {
	return cachedRead(ctx, t, "mail", func() (MailSettings, error) { return t.Tx.MailSettings(ctx) })
}

func (t *configTx) SaveMailSettings(ctx context.Context, s MailSettings) error {
	return t.wrote(ctx, t.Tx.SaveMailSettings(ctx, s))
}

func (t *configTx) SaveSettings(ctx context.Context, s Settings) error {
	return t.wrote(ctx, t.Tx.SaveSettings(ctx, s))
}

func (t *configTx) ReplaceStatuses(ctx context.Context, statuses []Status, transitions []Transition) error {
	return t.wrote(ctx, t.Tx.ReplaceStatuses(ctx, statuses, transitions))
}

func (t *configTx) SaveLookup(ctx context.Context, l Lookup) error {
	return t.wrote(ctx, t.Tx.SaveLookup(ctx, l))
}

func (t *configTx) SaveLookups(ctx context.Context, ls []Lookup) error {
	return t.wrote(ctx, t.Tx.SaveLookups(ctx, ls))
}

func (t *configTx) DeleteLookup(ctx context.Context, kind LookupKind, key string) error {
	return t.wrote(ctx, t.Tx.DeleteLookup(ctx, kind, key))
}

func (t *configTx) SaveTeam(ctx context.Context, x Team) error {
	return t.wrote(ctx, t.Tx.SaveTeam(ctx, x))
}

func (t *configTx) DeleteTeam(ctx context.Context, id string) error {
	return t.wrote(ctx, t.Tx.DeleteTeam(ctx, id))
}

func (t *configTx) SaveQueue(ctx context.Context, q Queue) error {
	return t.wrote(ctx, t.Tx.SaveQueue(ctx, q))
}

func (t *configTx) DeleteQueue(ctx context.Context, id string) error {
	return t.wrote(ctx, t.Tx.DeleteQueue(ctx, id))
}

func (t *configTx) SaveCalendar(ctx context.Context, c Calendar) error {
	return t.wrote(ctx, t.Tx.SaveCalendar(ctx, c))
}

func (t *configTx) DeleteCalendar(ctx context.Context, id string) error {
	return t.wrote(ctx, t.Tx.DeleteCalendar(ctx, id))
}

func (t *configTx) SaveSLA(ctx context.Context, s SLA) error {
	return t.wrote(ctx, t.Tx.SaveSLA(ctx, s))
}

func (t *configTx) DeleteSLA(ctx context.Context, id string) error {
	return t.wrote(ctx, t.Tx.DeleteSLA(ctx, id))
}

func (t *configTx) SaveCustomField(ctx context.Context, f CustomField) error {
	return t.wrote(ctx, t.Tx.SaveCustomField(ctx, f))
}

func (t *configTx) DeleteCustomField(ctx context.Context, key string) error {
	return t.wrote(ctx, t.Tx.DeleteCustomField(ctx, key))
}

func (t *configTx) SaveProcess(ctx context.Context, p Process) error {
	return t.wrote(ctx, t.Tx.SaveProcess(ctx, p))
}

func (t *configTx) DeleteProcess(ctx context.Context, key string) error {
	return t.wrote(ctx, t.Tx.DeleteProcess(ctx, key))
}

func (t *configTx) SaveTemplateOverride(ctx context.Context, o TemplateOverride) error {
	return t.wrote(ctx, t.Tx.SaveTemplateOverride(ctx, o))
}

func (t *configTx) DeleteTemplateOverride(ctx context.Context, name string) error {
	return t.wrote(ctx, t.Tx.DeleteTemplateOverride(ctx, name))
}

func (t *configTx) SaveRole(ctx context.Context, r Role) error {
	return t.wrote(ctx, t.Tx.SaveRole(ctx, r))
}

func (t *configTx) DeleteRole(ctx context.Context, key string) error {
	return t.wrote(ctx, t.Tx.DeleteRole(ctx, key))
}

func (t *configTx) SetAgentRole(ctx context.Context, agentID, role string) error {
	return t.wrote(ctx, t.Tx.SetAgentRole(ctx, agentID, role))
}

func (t *configTx) Triggers(ctx context.Context) ([]Trigger, error) {
	return cachedRead(ctx, t, "triggers", func() ([]Trigger, error) { return t.Tx.Triggers(ctx) })
}

// runningTriggers are the triggers as runTriggers reads them: the cached
// set itself, which running only reads.
func (t *configTx) runningTriggers(ctx context.Context) ([]Trigger, error) {
	return cachedShared(ctx, t, "triggers", func() ([]Trigger, error) { return t.Tx.Triggers(ctx) })
}

func (t *configTx) SaveTrigger(ctx context.Context, x Trigger) error {
	return t.wrote(ctx, t.Tx.SaveTrigger(ctx, x))
}

func (t *configTx) DeleteTrigger(ctx context.Context, key string) error {
	return t.wrote(ctx, t.Tx.DeleteTrigger(ctx, key))
}

func (t *configTx) Macros(ctx context.Context) ([]Macro, error) {
	return cachedRead(ctx, t, "macros", func() ([]Macro, error) { return t.Tx.Macros(ctx) })
}

func (t *configTx) SaveMacro(ctx context.Context, m Macro) error {
	return t.wrote(ctx, t.Tx.SaveMacro(ctx, m))
}

func (t *configTx) DeleteMacro(ctx context.Context, key string) error {
	return t.wrote(ctx, t.Tx.DeleteMacro(ctx, key))
}

func (t *configTx) Webhooks(ctx context.Context) ([]Webhook, error) {
	return cachedRead(ctx, t, "webhooks", func() ([]Webhook, error) { return t.Tx.Webhooks(ctx) })
}

// runningWebhooks are the subscriptions as every command's deliveries
// match them: the cached set itself, which matching only reads.
func (t *configTx) runningWebhooks(ctx context.Context) ([]Webhook, error) {
	return cachedShared(ctx, t, "webhooks", func() ([]Webhook, error) { return t.Tx.Webhooks(ctx) })
}

func (t *configTx) SaveWebhook(ctx context.Context, w Webhook) error {
	return t.wrote(ctx, t.Tx.SaveWebhook(ctx, w))
}

func (t *configTx) DeleteWebhook(ctx context.Context, key string) error {
	return t.wrote(ctx, t.Tx.DeleteWebhook(ctx, key))
}
