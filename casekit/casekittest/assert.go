package casekittest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"casekit.dev/casekit"
	"casekit.dev/casekit/store"
)

func ptr[T any](v T) *T { return &v }

// must stops the test on err.
func must(t testing.TB, err error, what string, args ...any) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", fmt.Sprintf(what, args...), err)
	}
}

// result is what a command returned, for try(cmd(...)).get(t).
type result[T any] struct {
	v   T
	err error
}

// try holds a command's results until get checks them.
func try[T any](v T, err error) result[T] { return result[T]{v, err} }

// get returns the command's value, or stops the test on its error.
func (r result[T]) get(t testing.TB) T {
	t.Helper()
	if r.err != nil {
		t.Fatalf("unexpected error: %v", r.err)
	}
	return r.v
}

// wantIs reports a failure unless errors.Is(err, target).
func wantIs(t testing.TB, err, target error, what string, args ...any) bool {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: got error %v, want %v", fmt.Sprintf(what, args...), err, target)
		return false
	}
	return true
}

// wantOK reports a failure when err is not nil.
func wantOK(t testing.TB, err error, what string, args ...any) bool {
	t.Helper()
	if err != nil {
		t.Errorf("%s: unexpected error: %v", fmt.Sprintf(what, args...), err)
		return false
	}
	return true
}

// wantInvalid reports a failure unless err is a *casekit.ValidationError
// naming every one of fields. It returns the error, or nil.
func wantInvalid(t testing.TB, err error, what string, fields ...string) *casekit.ValidationError {
	t.Helper()
	var ve *casekit.ValidationError
	if !errors.As(err, &ve) {
		t.Errorf("%s: got error %v, want a *casekit.ValidationError on %v", what, err, fields)
		return nil
	}
	for _, f := range fields {
		if ve.Field(f) == nil {
			t.Errorf("%s: validation error %v does not name field %q", what, err, f)
		}
	}
	return ve
}

// wantRule reports a failure unless err is a *casekit.ValidationError
// whose failure on field broke rule.
func wantRule(t testing.TB, err error, what, field, rule string) {
	t.Helper()
	ve := wantInvalid(t, err, what, field)
	if ve == nil {
		return
	}
	if f := ve.Field(field); f != nil && f.Rule != rule {
		t.Errorf("%s: field %q broke rule %q, want %q (%v)", what, field, f.Rule, rule, err)
	}
}

// wantEqual reports every difference between want and got; see diff.
func wantEqual(t testing.TB, want, got any, what string, args ...any) bool {
	t.Helper()
	if d := diff(want, got); len(d) > 0 {
		t.Errorf("%s differs:\n  %s", fmt.Sprintf(what, args...), strings.Join(d, "\n  "))
		return false
	}
	return true
}

// diff compares want and got field by field. Times compare with Equal and
// must be in UTC on the got side; nil and empty slices and maps are equal.
func diff(want, got any) []string {
	var out []string
	diffValue(&out, "", reflect.ValueOf(want), reflect.ValueOf(got))
	return out
}

var timeType = reflect.TypeOf(time.Time{})

func diffValue(out *[]string, path string, w, g reflect.Value) {
	if !w.IsValid() || !g.IsValid() {
		if w.IsValid() != g.IsValid() {
			*out = append(*out, fmt.Sprintf("%s: want %v, got %v", name(path), w, g))
		}
		return
	}
	if w.Type() != g.Type() {
		*out = append(*out, fmt.Sprintf("%s: want type %s, got %s", name(path), w.Type(), g.Type()))
		return
	}
	if w.Type() == timeType {
		wt, gt := w.Interface().(time.Time), g.Interface().(time.Time)
		if !wt.Equal(gt) {
			*out = append(*out, fmt.Sprintf("%s: want %s, got %s", name(path), wt.Format(time.RFC3339Nano), gt.Format(time.RFC3339Nano)))
		} else if !gt.IsZero() && gt.Location() != time.UTC {
			*out = append(*out, fmt.Sprintf("%s: %s is not in UTC", name(path), gt))
		}
		return
	}
	switch w.Kind() {
	case reflect.Pointer, reflect.Interface:
		if w.IsNil() || g.IsNil() {
			if w.IsNil() != g.IsNil() {
				*out = append(*out, fmt.Sprintf("%s: want %s, got %s", name(path), show(w), show(g)))
			}
			return
		}
		diffValue(out, path, w.Elem(), g.Elem())
	case reflect.Struct:
		for i := range w.NumField() {
			if !w.Type().Field(i).IsExported() {
				continue
			}
			diffValue(out, path+"."+w.Type().Field(i).Name, w.Field(i), g.Field(i))
		}
	case reflect.Slice:
		if w.Len() != g.Len() {
			*out = append(*out, fmt.Sprintf("%s: want %s, got %s", name(path), show(w), show(g)))
			return
		}
		for i := range w.Len() {
			diffValue(out, fmt.Sprintf("%s[%d]", path, i), w.Index(i), g.Index(i))
		}
	case reflect.Map:
		if w.Len() == 0 && g.Len() == 0 {
			return
		}
		if !reflect.DeepEqual(w.Interface(), g.Interface()) {
			*out = append(*out, fmt.Sprintf("%s: want %s, got %s", name(path), show(w), show(g)))
		}
	default:
		if !reflect.DeepEqual(w.Interface(), g.Interface()) {
			*out = append(*out, fmt.Sprintf("%s: want %s, got %s", name(path), show(w), show(g)))
		}
	}
}

func name(path string) string {
	if path == "" {
		return "value"
	}
	return strings.TrimPrefix(path, ".")
}

func show(v reflect.Value) string {
	if (v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface || v.Kind() == reflect.Slice || v.Kind() == reflect.Map) && v.IsNil() {
		return "nil"
	}
	if b, err := json.Marshal(v.Interface()); err == nil {
		return string(b)
	}
	return fmt.Sprintf("%#v", v.Interface())
}

// wantTime reports a failure unless got is want, in UTC.
func wantTime(t testing.TB, got *time.Time, want time.Time, what string) {
	t.Helper()
	switch {
	case got == nil:
		t.Errorf("%s: got nil, want %s", what, want.Format(time.RFC3339Nano))
	case !got.Equal(want):
		t.Errorf("%s: got %s, want %s", what, got.Format(time.RFC3339Nano), want.Format(time.RFC3339Nano))
	case got.Location() != time.UTC:
		t.Errorf("%s: %s is not in UTC", what, got)
	}
}

// numbers returns the case numbers of cs in order.
func numbers(cs []*casekit.Case) []int64 {
	out := make([]int64, len(cs))
	for i, c := range cs {
		out[i] = c.Number
	}
	return out
}

// ids returns the case IDs of cs in order.
func ids(cs []*casekit.Case) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

// sameSet reports whether a and b hold the same strings, in any order.
func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// types returns the types of evs in order.
func types(evs []casekit.Event) []casekit.EventType {
	out := make([]casekit.EventType, len(evs))
	for i, ev := range evs {
		out[i] = ev.Type
	}
	return out
}

// str returns ev.Data[key] when it is a string.
func str(ev casekit.Event, key string) string {
	s, _ := ev.Data[key].(string)
	return s
}

// number reads a JSON-ish number of any Go type.
func number(v any) (float64, bool) {
	switch n := v.(type) {
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case int32:
		return float64(n), true
	case float64:
		return n, true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}

// strings returns v as a []string when it is a list of strings, whatever
// Go type a store decoded it into.
func stringList(v any) ([]string, bool) {
	switch l := v.(type) {
	case []string:
		return l, true
	case []any:
		out := make([]string, len(l))
		for i, x := range l {
			s, ok := x.(string)
			if !ok {
				return nil, false
			}
			out[i] = s
		}
		return out, true
	}
	return nil, false
}

// caseState is everything stored about one case, read straight from the
// store, to show that a refused command changed nothing.
type caseState struct {
	Case       *casekit.Case
	CaseErr    string
	Activities []*casekit.Activity
	Notes      []*casekit.Note
	Messages   []*casekit.Message
	Events     []casekit.Event
}

// state reads everything stored about case id.
func (e *Env) state(t testing.TB, id string) caseState {
	t.Helper()
	var s caseState
	e.InTx(t, func(ctx context.Context, tx store.Tx) error {
		var err error
		if s.Case, err = tx.Case(ctx, id, false); err != nil {
			if !errors.Is(err, casekit.ErrNotFound) {
				return err
			}
			s.CaseErr = "not found"
		}
		if s.Activities, err = tx.Activities(ctx, id); err != nil {
			return err
		}
		if s.Notes, err = tx.Notes(ctx, id); err != nil {
			return err
		}
		if s.Messages, err = tx.Messages(ctx, id); err != nil {
			return err
		}
		s.Events, err = tx.Events(ctx, id)
		return err
	})
	return s
}

// wantUnchanged reports every difference between two states of a case.
func wantUnchanged(t testing.TB, before, after caseState, what string, args ...any) {
	t.Helper()
	wantEqual(t, before, after, "%s: stored case state", fmt.Sprintf(what, args...))
}

// tenantState is a tenant's configuration and tenant-level history.
type tenantState struct {
	Settings    casekit.Settings
	Statuses    []casekit.Status
	Transitions []casekit.Transition
	Lookups     map[casekit.LookupKind][]casekit.Lookup
	Teams       []casekit.Team
	Queues      []casekit.Queue
	Calendars   []casekit.Calendar
	SLAs        []casekit.SLA
	Fields      []casekit.CustomField
	Processes   []casekit.Process
	Templates   []casekit.TemplateOverride
	Roles       []casekit.Role
	AgentRoles  []casekit.RoleAssignment
	Triggers    []casekit.Trigger
	Macros      []casekit.Macro
	Available   []casekit.Availability
	Webhooks    []casekit.Webhook
	Events      []casekit.Event
}

// tenantState reads the tenant's configuration straight from the store.
func (e *Env) tenantState(t testing.TB) tenantState {
	t.Helper()
	s := tenantState{Lookups: map[casekit.LookupKind][]casekit.Lookup{}}
	e.InTx(t, func(ctx context.Context, tx store.Tx) error {
		var err error
		if s.Settings, err = tx.Settings(ctx); err != nil {
			return err
		}
		if s.Statuses, err = tx.Statuses(ctx); err != nil {
			return err
		}
		if s.Transitions, err = tx.Transitions(ctx); err != nil {
			return err
		}
		slices.SortFunc(s.Transitions, func(a, b casekit.Transition) int {
			return strings.Compare(a.From+"\x00"+a.To, b.From+"\x00"+b.To)
		})
		for _, k := range casekit.LookupKinds {
			if s.Lookups[k], err = tx.Lookups(ctx, k); err != nil {
				return err
			}
		}
		if s.Teams, err = tx.Teams(ctx); err != nil {
			return err
		}
		if s.Queues, err = tx.Queues(ctx); err != nil {
			return err
		}
		if s.Calendars, err = tx.Calendars(ctx); err != nil {
			return err
		}
		if s.SLAs, err = tx.SLAs(ctx); err != nil {
			return err
		}
		if s.Fields, err = tx.CustomFields(ctx); err != nil {
			return err
		}
		if s.Processes, err = tx.Processes(ctx); err != nil {
			return err
		}
		if s.Templates, err = tx.TemplateOverrides(ctx); err != nil {
			return err
		}
		if s.Roles, err = tx.Roles(ctx); err != nil {
			return err
		}
		if s.AgentRoles, err = tx.AgentRoles(ctx); err != nil {
			return err
		}
		if s.Triggers, err = tx.Triggers(ctx); err != nil {
			return err
		}
		if s.Macros, err = tx.Macros(ctx); err != nil {
			return err
		}
		if s.Available, err = tx.Availabilities(ctx, nil); err != nil {
			return err
		}
		if s.Webhooks, err = tx.Webhooks(ctx); err != nil {
			return err
		}
		s.Events, err = tx.Events(ctx, "")
		return err
	})
	return s
}

// tenantEvents returns the tenant-level events (those about no case) as
// Config.History gives them to an agent.
func (e *Env) tenantEvents(t testing.TB) []casekit.Event {
	t.Helper()
	evs, err := e.Agent().Config().History(t.Context())
	must(t, err, "Config.History")
	var raw []casekit.Event
	e.InTx(t, func(ctx context.Context, tx store.Tx) (err error) {
		raw, err = tx.Events(ctx, "")
		return err
	})
	wantEqual(t, raw, evs, "ConfigHistory against tx.Events(\"\")")
	return evs
}

// history returns a case's history as the agent sees it.
func (e *Env) history(t testing.TB, id string) []casekit.Event {
	t.Helper()
	evs, err := e.Agent().History(t.Context(), id)
	must(t, err, "History(%s)", id)
	return evs
}

// open opens a case as the agent with the subject and customer given and
// stops the test if it fails.
func (e *Env) open(t testing.TB, subject, customer string) *casekit.Case {
	t.Helper()
	c, err := e.Agent().OpenCase(t.Context(), casekit.NewCase{Subject: subject, CustomerID: customer})
	must(t, err, "OpenCase(%q)", subject)
	return c
}

// openWith opens a case as d and stops the test if it fails.
func openWith(t testing.TB, d *casekit.Desk, in casekit.NewCase) *casekit.Case {
	t.Helper()
	c, err := d.OpenCase(t.Context(), in)
	must(t, err, "OpenCase(%q) as %s", in.Subject, d.Actor())
	return c
}

// task adds an open task to a case as the agent.
func (e *Env) task(t testing.TB, caseID, subject string) *casekit.Activity {
	t.Helper()
	a, err := e.Agent().AddActivity(t.Context(), caseID, casekit.NewActivity{Kind: casekit.ActivityTask, Subject: subject})
	must(t, err, "AddActivity(%q)", subject)
	return a
}

// reload reads a case again as the agent.
func (e *Env) reload(t testing.TB, id string) *casekit.Case {
	t.Helper()
	c, err := e.Agent().Case(t.Context(), id)
	must(t, err, "Case(%s)", id)
	return c
}

// activity reads one activity of a case as the agent.
func (e *Env) activity(t testing.TB, caseID, id string) *casekit.Activity {
	t.Helper()
	as, err := e.Agent().Activities(t.Context(), caseID)
	must(t, err, "Activities(%s)", caseID)
	for _, a := range as {
		if a.ID == id {
			return a
		}
	}
	t.Fatalf("activity %s is not among the activities of case %s", id, caseID)
	return nil
}

// into moves a case into status key the way an agent would: SetStatus for
// active statuses, Resolve, Close or Cancel for the others.
func (e *Env) into(t testing.TB, c *casekit.Case, key string) *casekit.Case {
	t.Helper()
	ctx, d := t.Context(), e.Agent()
	var err error
	switch key {
	case casekit.StatusNew:
		return c
	case casekit.StatusInProgress, casekit.StatusWaiting:
		c, err = d.SetStatus(ctx, c.ID, key)
	case casekit.StatusReopened:
		if c, err = d.Resolve(ctx, c.ID, casekit.Resolution{}); err == nil {
			c, err = d.Reopen(ctx, c.ID, casekit.Reopening{Reason: "not_fixed", Note: "again"})
		}
	case casekit.StatusResolved:
		c, err = d.Resolve(ctx, c.ID, casekit.Resolution{})
	case casekit.StatusClosed:
		c, err = d.Close(ctx, c.ID, casekit.Closure{Reason: "fixed", Note: "done"})
	case casekit.StatusCanceled:
		c, err = d.Cancel(ctx, c.ID, "not needed")
	default:
		t.Fatalf("into: unknown status %q", key)
	}
	must(t, err, "move case to %s", key)
	if c.Status != key {
		t.Fatalf("move case to %s: case is %s", key, c.Status)
	}
	return c
}

// eventOf returns the last event of type typ in evs.
func eventOf(t testing.TB, evs []casekit.Event, typ casekit.EventType) casekit.Event {
	t.Helper()
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].Type == typ {
			return evs[i]
		}
	}
	t.Fatalf("no %s event in %v", typ, types(evs))
	return casekit.Event{}
}

// wantEvent reports a failure unless ev is of type typ, by actor, at at.
func wantEvent(t testing.TB, ev casekit.Event, typ casekit.EventType, actor casekit.Actor, at time.Time) {
	t.Helper()
	if ev.Type != typ {
		t.Errorf("event %s: want type %s", ev.Type, typ)
	}
	if ev.Actor != actor {
		t.Errorf("%s event by %s, want %s", ev.Type, ev.Actor, actor)
	}
	if !ev.At.Equal(at) || ev.At.Location() != time.UTC {
		t.Errorf("%s event at %s, want %s in UTC", ev.Type, ev.At, at.Format(time.RFC3339Nano))
	}
	if ev.ID == "" {
		t.Errorf("%s event has no ID", ev.Type)
	}
}
