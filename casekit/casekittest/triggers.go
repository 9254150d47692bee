package casekittest

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"casekit.dev/casekit"
)

// on is a trigger, enabled, that does then when one of when happens and
// every condition holds.
func on(key string, when []casekit.EventType, conds []casekit.Condition, then ...casekit.Action) casekit.Trigger {
	return casekit.Trigger{Key: key, Name: "Trigger " + key, Enabled: true, When: when, If: conds, Then: then}
}

// opened and its kin are the events most test triggers fire on.
var (
	opened   = []casekit.EventType{casekit.EventCaseOpened}
	assigned = []casekit.EventType{casekit.EventAssigned}
	updated  = []casekit.EventType{casekit.EventCaseUpdated}
)

func tags(values ...string) casekit.Action {
	return casekit.Action{Kind: casekit.ActionAddTags, Values: values}
}

func cond(field string, op casekit.ConditionOp, values ...string) casekit.Condition {
	return casekit.Condition{Field: field, Op: op, Values: values}
}

// testTriggers checks triggers: the defaults, what saving refuses, the
// conditions, the actions and their record, the bounded depth, and a
// trigger whose action fails at run time.
func testTriggers(t *testing.T, newStore StoreFactory) {
	runEnvTests(t, newStore, []envTest{
		{"a tenant starts with the notification rules as triggers", func(t *testing.T, e *Env) {
			got := try(e.Agent().Config().Triggers(t.Context())).get(t)
			wantEqual(t, casekit.DefaultTriggers(), got, "a new tenant's triggers")
		}},
		{"saving refuses what cannot run and changes nothing", func(t *testing.T, e *Env) {
			ctx, d := t.Context(), e.Agent()
			e.places(t, []string{"t1"}, casekit.Queue{ID: "q1", Name: "Q1", TeamID: "t1"})
			must(t, d.Config().SaveTrigger(ctx, on("assigns", assigned, nil, casekit.Action{Kind: casekit.ActionSetPriority, Value: "high"})), "a trigger on assignment")
			must(t, d.Config().SaveCustomField(ctx, casekit.CustomField{Key: "plan", Label: "Plan", Type: casekit.CustomText}), "SaveCustomField")
			before := e.tenantState(t)
			for _, tc := range []struct {
				what, field, rule string
				tr                casekit.Trigger
			}{
				{"a bad key", "key", "key", on("a b", opened, nil, tags("x"))},
				{"no event", "when", "required", on("x", nil, nil, tags("x"))},
				{"an event about no case", "when[0]", "oneof", on("x", []casekit.EventType{casekit.EventSettingsChanged}, nil, tags("x"))},
				{"an unknown condition field", "if[0].field", "known", on("x", opened, []casekit.Condition{cond("colour", casekit.OpIs, "red")}, tags("x"))},
				{"an undefined custom field", "if[0].field", "known", on("x", opened, []casekit.Condition{cond("custom.serial", casekit.OpSet)}, tags("x"))},
				{"an unknown operator", "if[0].op", "oneof", on("x", opened, []casekit.Condition{cond("priority", "like", "high")}, tags("x"))},
				{"an operator without values", "if[0].values", "required", on("x", opened, []casekit.Condition{cond("priority", casekit.OpIs)}, tags("x"))},
				{"too many values", "if[0].values", "max", on("x", opened, []casekit.Condition{cond("subject", casekit.OpContains, strings.Split(strings.Repeat("w,", 51), ",")...)}, tags("x"))},
				{"a value too long", "if[0].values", "max", on("x", opened, []casekit.Condition{cond("subject", casekit.OpContains, strings.Repeat("w", 201))}, tags("x"))},
				{"no action", "then", "required", on("x", opened, nil)},
				{"an unknown action", "then[0].kind", "oneof", on("x", opened, nil, casekit.Action{Kind: "explode"})},
				{"an unknown priority", "then[0].value", "known", on("x", opened, nil, casekit.Action{Kind: casekit.ActionSetPriority, Value: "urgentest"})},
				{"a missing queue", "then[1].queue", "known", on("x", opened, nil, tags("x"), casekit.Action{Kind: casekit.ActionAssignQueue, Value: "nowhere"})},
				{"a missing team", "then[0].team", "known", on("x", opened, nil, casekit.Action{Kind: casekit.ActionAssignTeam, Value: "nobody"})},
				{"a notice to no one", "then[0].to", "oneof", on("x", opened, nil, casekit.Action{Kind: casekit.ActionNotify, To: "everyone"})},
				{"a notice to a bad address", "then[0].value", "email", on("x", opened, nil, casekit.Action{Kind: casekit.ActionNotify, To: casekit.NotifyAddress, Value: "not mail"})},
				{"a trigger that fires itself", "then[0]", "loop", on("x", updated, nil, tags("again"))},
				{"a loop through another trigger", "then[0]", "loop", on("x", updated, nil, casekit.Action{Kind: casekit.ActionAssignQueue, Value: "q1"})},
			} {
				wantRule(t, d.Config().SaveTrigger(ctx, tc.tr), tc.what, tc.field, tc.rule)
			}
			// Every kind of action casekit lists is one it checks: with
			// nothing but its kind, each is refused for what it lacks,
			// never as a kind it does not know.
			for _, k := range casekit.ActionKinds() {
				if ve := wantInvalid(t, d.Config().SaveTrigger(ctx, on("x", opened, nil, casekit.Action{Kind: k})), "a bare "+string(k)); ve != nil && ve.Field("then[0].kind") != nil {
					t.Errorf("a bare %s is refused as an unknown kind: %v", k, ve)
				}
			}
			wantEqual(t, before, e.tenantState(t), "the tenant after refused triggers")
			// Every event, condition field and operator casekit lists is
			// one a trigger may name (disabled: tagging on every event
			// loops).
			every := on("every", casekit.TriggerEvents(), nil, tags("seen"))
			every.Enabled = false
			for _, f := range casekit.ConditionFields() {
				every.If = append(every.If, cond(f, casekit.OpSet))
			}
			for _, op := range casekit.ConditionOps() {
				c := cond("priority", op, "high")
				if op == casekit.OpSet || op == casekit.OpUnset {
					c.Values = nil
				}
				every.If = append(every.If, c)
			}
			must(t, d.Config().SaveTrigger(ctx, every), "a trigger on every event, field and operator casekit lists")
			must(t, d.Config().DeleteTrigger(ctx, "every"), "DeleteTrigger")
			// Disabled, a loop is no loop.
			loop := on("x", updated, nil, tags("again"))
			loop.Enabled = false
			must(t, d.Config().SaveTrigger(ctx, loop), "a disabled trigger on its own event")
			must(t, d.Config().DeleteTrigger(ctx, "x"), "DeleteTrigger")
			wantIs(t, d.Config().DeleteTrigger(ctx, "x"), casekit.ErrNotFound, "deleting twice")
			// Reordering names every trigger once, or moves none.
			all := try(d.Config().Triggers(ctx)).get(t)
			keys := make([]string, len(all))
			for i, tr := range all {
				keys[len(all)-1-i] = tr.Key
			}
			before = e.tenantState(t)
			for _, tc := range []struct {
				what, rule string
				keys       []string
			}{
				{"one left out", "len", keys[1:]},
				{"one named twice", "oneof", append(slices.Clone(keys[1:]), keys[1])},
				{"one the tenant lacks", "oneof", append(slices.Clone(keys[1:]), "nowhere")},
			} {
				wantRule(t, d.Config().ReorderTriggers(ctx, tc.keys), "reordering with "+tc.what, "keys", tc.rule)
			}
			wantEqual(t, before, e.tenantState(t), "the tenant after refused reorderings")
			must(t, d.Config().ReorderTriggers(ctx, keys), "ReorderTriggers")
			got := try(d.Config().Triggers(ctx)).get(t)
			for i, tr := range got {
				if tr.Key != keys[i] || tr.Position != (i+1)*10 {
					t.Fatalf("after reordering, trigger %d is %s at %d; want %s at %d", i, tr.Key, tr.Position, keys[i], (i+1)*10)
				}
			}
		}},
		{"conditions test the event and its case", func(t *testing.T, e *Env) {
			ctx, d := t.Context(), e.Agent()
			must(t, d.Config().SaveCustomField(ctx, casekit.CustomField{Key: "plan", Label: "Plan", Type: casekit.CustomText}), "SaveCustomField")
			e.places(t, []string{"t1"}, casekit.Queue{ID: "q1", Name: "Q1", TeamID: "t1"})
			conds := []struct {
				c    casekit.Condition
				want bool
			}{
				{cond("priority", casekit.OpIs, "high", "critical"), true},
				{cond("priority", casekit.OpIsNot, "high"), false},
				{cond("status", casekit.OpIs, casekit.StatusNew), true},
				{cond("status_flags", casekit.OpContains, "initial"), true},
				{cond("status_flags", casekit.OpContains, "read_only"), false},
				{cond("origin", casekit.OpIs, "email"), true},
				{cond("queue", casekit.OpIs, "q1"), true},
				{cond("team", casekit.OpIs, "t1"), true},
				{cond("assignee", casekit.OpUnset), true},
				{cond("assignee", casekit.OpSet), false},
				{cond("customer", casekit.OpIs, "cust-1"), true},
				{cond("tags", casekit.OpContains, "billing"), true},
				{cond("tags", casekit.OpNotContains, "billing"), false},
				{cond("custom.plan", casekit.OpIs, "gold"), true},
				{cond("custom.plan", casekit.OpIs, "silver"), false},
				{cond("subject", casekit.OpContains, "REFUND"), true},
				{cond("subject", casekit.OpContains, "ref"), false}, // whole words
				{cond("actor", casekit.OpIs, "agent"), true},
				{cond("business_hours", casekit.OpIs, "true"), true}, // no SLA calendar: around the clock
				{cond("event.origin", casekit.OpIs, "email"), true},
				{cond("message.direction", casekit.OpSet), false}, // not a message
			}
			for i, tc := range conds {
				must(t, d.Config().SaveTrigger(ctx, on(fmt.Sprintf("c%d", i), opened, []casekit.Condition{tc.c}, tags(fmt.Sprintf("c%d", i)))), "SaveTrigger %d", i)
			}
			c := openWith(t, d, casekit.NewCase{Subject: "Refund, please", CustomerID: "cust-1", Priority: "high", Origin: "email",
				QueueID: "q1", Tags: []string{"billing"}, Custom: map[string]any{"plan": "gold"}})
			got := e.reload(t, c.ID).Tags
			for i, tc := range conds {
				if slices.Contains(got, fmt.Sprintf("c%d", i)) != tc.want {
					t.Errorf("condition %+v held %v, want %v", tc.c, !tc.want, tc.want)
				}
			}
		}},
		{"a trigger acts in the command and is in the history with its name", func(t *testing.T, e *Env) {
			ctx, d := t.Context(), e.Agent()
			e.places(t, []string{"billing"}, casekit.Queue{ID: "refunds", Name: "Refunds", TeamID: "billing"})
			tr := on("refunds", opened, []casekit.Condition{cond("subject", casekit.OpContains, "refund")},
				casekit.Action{Kind: casekit.ActionSetPriority, Value: "high"}, tags("refund"),
				casekit.Action{Kind: casekit.ActionAssignQueue, Value: "refunds"},
				casekit.Action{Kind: casekit.ActionAddWatcher, Value: "Boss@Example.com", Field: "Boss"},
				casekit.Action{Kind: casekit.ActionAddActivity, Value: "Check the invoice"})
			must(t, d.Config().SaveTrigger(ctx, tr), "SaveTrigger")
			c := e.open(t, "Refund for order 7", "cust-1")
			if c.Priority != "high" || !slices.Equal(c.Tags, []string{"refund"}) || c.QueueID != "refunds" || c.TeamID != "billing" {
				t.Errorf("OpenCase returned %s %v %s %s, want the trigger's changes", c.Priority, c.Tags, c.QueueID, c.TeamID)
			}
			wantEqual(t, c, e.reload(t, c.ID), "the stored case")
			ws := try(d.Watchers(ctx, c.ID)).get(t)
			if len(ws) != 1 || ws[0].Email != "boss@example.com" {
				t.Errorf("watchers %+v, want boss@example.com", ws)
			}
			if as := try(d.Activities(ctx, c.ID)).get(t); len(as) != 1 || as[0].Subject != "Check the invoice" {
				t.Errorf("activities %+v, want the trigger's", as)
			}
			evs := e.history(t, c.ID)
			want := []casekit.EventType{casekit.EventCaseOpened, casekit.EventCaseUpdated, casekit.EventAssigned, casekit.EventWatcherAdded, casekit.EventActivityAdded}
			if !slices.Equal(types(evs), want) {
				t.Fatalf("history %v, want %v", types(evs), want)
			}
			for _, ev := range evs[1:] {
				if str(ev, "trigger") != "refunds" || str(ev, "trigger_name") != "Trigger refunds" {
					t.Errorf("%s event %v does not name the trigger", ev.Type, ev.Data)
				}
			}
			other := e.open(t, "Printer jam", "cust-1")
			if other.Priority == "high" || len(e.history(t, other.ID)) != 1 {
				t.Errorf("a case the conditions do not fit was changed: %+v", other)
			}
		}},
		{"a trigger's changes fire triggers down to a fixed depth", func(t *testing.T, e *Env) {
			ctx, d := t.Context(), e.Agent()
			e.places(t, []string{"t1"})
			for _, tr := range []casekit.Trigger{
				on("d1", opened, nil, casekit.Action{Kind: casekit.ActionAssignTeam, Value: "t1"}),
				on("d2", assigned, nil, casekit.Action{Kind: casekit.ActionAddWatcher, Value: "w@example.com"}),
				on("d3", []casekit.EventType{casekit.EventWatcherAdded}, nil, casekit.Action{Kind: casekit.ActionAddActivity, Value: "Call"}),
				on("d4", []casekit.EventType{casekit.EventActivityAdded}, nil, casekit.Action{Kind: casekit.ActionSetPriority, Value: "critical"}),
			} {
				must(t, d.Config().SaveTrigger(ctx, tr), "SaveTrigger %s", tr.Key)
			}
			c := e.open(t, "Chain", "cust-1")
			got := types(e.history(t, c.ID))
			want := []casekit.EventType{casekit.EventCaseOpened, casekit.EventAssigned, casekit.EventWatcherAdded, casekit.EventActivityAdded}
			if !slices.Equal(got, want) || c.Priority == "critical" {
				t.Errorf("history %v, priority %s; want %v and the fourth trigger not fired", got, c.Priority, want)
			}
		}},
		{"an action that fails at run time fails the command, or is skipped and recorded", func(t *testing.T, e *Env) {
			ctx, d := t.Context(), e.Agent()
			e.places(t, nil, casekit.Queue{ID: "gone", Name: "Gone"})
			tr := on("route", opened, nil, tags("routed"), casekit.Action{Kind: casekit.ActionAssignQueue, Value: "gone"})
			must(t, d.Config().SaveTrigger(ctx, tr), "SaveTrigger")
			must(t, d.Config().DeleteQueue(ctx, "gone"), "DeleteQueue")
			_, err := d.OpenCase(ctx, casekit.NewCase{Subject: "Lost", CustomerID: "cust-1"})
			wantRule(t, err, "a trigger naming a deleted queue", "then[1].queue", "known")
			if cs := try(d.ListCases(ctx, casekit.CaseFilter{Limit: 5})).get(t).Cases; len(cs) != 0 {
				t.Errorf("the failed opening left %d cases", len(cs))
			}
			e.places(t, nil, casekit.Queue{ID: "gone", Name: "Gone"})
			tr.SkipFailed = true
			must(t, d.Config().SaveTrigger(ctx, tr), "SaveTrigger skipping")
			must(t, d.Config().DeleteQueue(ctx, "gone"), "DeleteQueue")
			c := e.open(t, "Lost", "cust-1")
			evs := e.history(t, c.ID)
			if !slices.Equal(types(evs), []casekit.EventType{casekit.EventCaseOpened, casekit.EventTriggerSkipped}) || str(evs[1], "trigger") != "route" || len(c.Tags) != 0 {
				t.Errorf("history %v, tags %v; want the skip recorded and nothing half applied", types(evs), c.Tags)
			}
		}},
	})
	runRecorderTests(t, newStore, []recorderTest{
		{"who is told is the tenant's to change", func(t *testing.T, e *Env, rec *Recorder) {
			ctx, d := t.Context(), e.Agent()
			deliver := func(what string, want ...string) {
				t.Helper()
				_, err := e.Kit.RunDue(ctx)
				must(t, err, "RunDue (%s)", what)
				wantEqual(t, want, who(rec.Take()), "%s", what)
			}
			c := e.open(t, "Hello", "cust-1")
			deliver("opened")
			assignee := try(d.Config().Triggers(ctx)).get(t)[5]
			if assignee.Key != "notify-new-assignee" {
				t.Fatalf("sixth default trigger %s", assignee.Key)
			}
			assignee.Enabled = false
			must(t, d.Config().SaveTrigger(ctx, assignee), "disabling a default")
			must(t, d.Config().SaveTrigger(ctx, on("urgent", []casekit.EventType{casekit.EventMessagePosted},
				[]casekit.Condition{cond("message.direction", casekit.OpIs, "inbound"), cond("message.body", casekit.OpContains, "urgent")},
				casekit.Action{Kind: casekit.ActionNotify, To: casekit.NotifyAddress, Value: "duty@example.com"})), "an address told of urgent mail")
			try(d.Assign(ctx, c.ID, casekit.Assignment{Agent: "agent-2"})).get(t)
			deliver("assigned with the rule disabled")
			cust := e.Desk(casekit.Customer("cust-1"))
			try(cust.PostMessage(ctx, c.ID, casekit.NewMessage{Body: "This is URGENT!"})).get(t)
			deliver("an urgent customer message", "message.posted -> agent:agent-2", "message.posted -> watcher:address:duty@example.com")
			try(cust.PostMessage(ctx, c.ID, casekit.NewMessage{Body: "Thanks"})).get(t)
			deliver("a calm customer message", "message.posted -> agent:agent-2")
		}},
	})
}
