package main

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"

	"casekit.dev/casekit"
)

// with returns a copy of v with the pairs kv set.
func with(v url.Values, kv ...string) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = vs
	}
	for i := 0; i < len(kv); i += 2 {
		out.Set(kv[i], kv[i+1])
	}
	return out
}

// The trigger editor saves what SaveTrigger takes, shows its refusals
// next to the row and field they are about with what was typed, adds
// rows without saving, and the list moves, switches and deletes.
func TestTriggerEditor(t *testing.T) {
	a, srv := testApp(t, false)
	ctx := context.Background()
	d := a.kit.Desk(tenant).As(casekit.System)
	web := url.Values{"key": {"web-billing"}, "name": {"Web cases go to billing"}, "enabled": {"on"}, "if_rows": {"2"}, "then_rows": {"2"},
		"when.case.opened": {"on"}, "if.0.field": {"origin"}, "if.0.op": {"is"}, "if.0.values": {"web"},
		"then.1.kind": {"assign_queue"}, "then.1.value": {"billing"}} // the first action row left blank
	ava := onlyTheAdmin(t, srv.URL, []string{"/admin/triggers", "/admin/triggers/edit"}, map[string]url.Values{"/admin/triggers/save": web})
	ava.get("/admin/triggers/edit")
	posts(t, ava, []step{
		{"/admin/triggers/save", with(web, "if.0.field", "colour"), http.StatusUnprocessableEntity,
			[]string{`id="if-0-field" name="if.0.field" list="condition-fields" size="16" value="colour" aria-invalid="true"`, "&#34;colour&#34; is not a field a condition can test"}},
		{"/admin/triggers/save", with(web, "then.1.value", "nowhere"), http.StatusUnprocessableEntity,
			[]string{`id="act-then-1-value" name="then.1.value" value="nowhere" aria-invalid="true"`, "nowhere"}},
		{"/admin/triggers/save", with(web, "when.case.opened", "", "when.case.updated", "on", "then.1.kind", "add_tags", "then.1.values", "again"), http.StatusUnprocessableEntity,
			[]string{`<p class="error" id="then-1-error">its add_tags leads back to this trigger`}},
		{"/admin/triggers/save", with(web, "when.case.opened", ""), http.StatusUnprocessableEntity, []string{`id="when-error"`}},
		{"/admin/triggers/save", with(web, "add", "if"), http.StatusOK, []string{`name="if_rows" value="3"`, `id="if-2-field"`, `value="Web cases go to billing"`}},
		{"/admin/triggers/save", with(web, "key", "acknowledge-new-case"), http.StatusUnprocessableEntity, []string{"is the key of another trigger"}},
		{"/admin/triggers/save", web, http.StatusSeeOther, []string{"Saved.", "Web cases go to billing", "If <b>origin is web</b>", "Then Assign to queue: billing"}},
	})
	// Every event and condition field the editor offers is one the
	// library takes (saved disabled: on every event, tagging loops).
	every := url.Values{"key": {"every"}, "name": {"Every event"}, "if_rows": {fmt.Sprint(len(conditionFields))}, "then_rows": {"1"},
		"then.0.kind": {"add_tags"}, "then.0.values": {"seen"}}
	for _, ev := range triggerEvents {
		every.Set("when."+ev.Value, "on")
	}
	for i, f := range conditionFields {
		every.Set(fmt.Sprintf("if.%d.field", i), f.Value)
		every.Set(fmt.Sprintf("if.%d.op", i), "set")
	}
	posts(t, ava, []step{{"/admin/triggers/save", every, http.StatusSeeOther, []string{"Every event"}},
		{"/admin/triggers/delete", url.Values{"row": {"every"}}, http.StatusSeeOther, nil}})

	// A time rule that closes what waited too long and gives the team a
	// task: each refusal at the field it names, with what was typed.
	giveUp := url.Values{"key": {"give-up"}, "name": {"Close what the customer left"}, "enabled": {"on"}, "if_rows": {"1"}, "then_rows": {"2"},
		"when.case.status_changed": {"on"}, "if.0.field": {"status"}, "if.0.op": {"is"}, "if.0.values": {casekit.StatusWaiting},
		"after.hours": {"120"}, "after.business_hours": {"on"},
		"then.0.kind": {"set_status"}, "then.0.value": {"closed"}, "then.0.field": {"no_response"},
		"then.1.kind": {"add_activity"}, "then.1.value": {"Call the customer"}, "then.1.to": {"team"}, "then.1.due_hours": {"8"}}
	posts(t, ava, []step{
		{"/admin/triggers/save", with(giveUp, "after.hours", "soon"), http.StatusUnprocessableEntity,
			[]string{`id="after-hours" name="after.hours" size="6" value="soon" aria-invalid="true"`, "is not a whole number of hours"}},
		{"/admin/triggers/save", with(giveUp, "after.hours", "0"), http.StatusUnprocessableEntity,
			[]string{`<p class="error" id="after-hours-error">a time rule waits 1 to 8760 hours</p>`, `value="Close what the customer left"`}},
		{"/admin/triggers/save", with(giveUp, "after.hours", ""), http.StatusUnprocessableEntity, []string{`id="after-hours-error">how many business hours`}},
		{"/admin/triggers/save", with(giveUp, "then.0.field", ""), http.StatusUnprocessableEntity, []string{`id="act-then-0-field-error">closing needs a closure reason`}},
		{"/admin/triggers/save", with(giveUp, "then.0.value", "gone"), http.StatusUnprocessableEntity,
			[]string{`id="act-then-0-value" name="then.0.value" value="gone" aria-invalid="true"`}},
		{"/admin/triggers/save", with(giveUp, "then.1.due_hours", "eight"), http.StatusUnprocessableEntity,
			[]string{`id="act-then-1-due_hours" name="then.1.due_hours" value="eight" aria-invalid="true"`, "is not a whole number of hours"}},
		{"/admin/triggers/save", with(giveUp, "then.1.due_hours", "9000"), http.StatusUnprocessableEntity, []string{`id="act-then-1-due_hours-error">an activity is due 0 to 8760 hours`}},
		{"/admin/triggers/save", with(giveUp, "then.1.template", "message/case.opened"), http.StatusUnprocessableEntity, []string{`id="act-then-1-template-error">only a notice has a template`}},
		{"/admin/triggers/save", with(giveUp, "then.1.kind", "notify", "then.1.to", "customer", "then.1.template", "message/custom.nudge"), http.StatusUnprocessableEntity,
			[]string{`id="act-then-1-template-error">there is no template`}},
		{"/admin/triggers/save", giveUp, http.StatusSeeOther, []string{"When: Status changed; then, after 120 business hours, if the case still meets",
			"Then Set status: closed · closure reason no_response; Add a task: the team · Call the customer · due in 8 business hours"}},
	})
	if _, page := ava.get("/admin/triggers/edit?key=give-up"); !contains(page, `id="after-hours" name="after.hours" size="6" value="120"`,
		`name="after.business_hours" id="after-business" checked`, `name="then.1.due_hours" value="8"`, `<option value="team" selected>`) {
		t.Fatalf("the editor of a time rule:\n%s", page)
	}

	ts, _ := d.Config().Triggers(ctx)
	if i := slices.IndexFunc(ts, func(t casekit.Trigger) bool { return t.Key == "give-up" }); i < 0 || ts[i].After == nil || *ts[i].After != (casekit.Elapsed{Hours: 120, BusinessHours: true}) ||
		!reflect.DeepEqual(ts[i].Then[1], casekit.Action{Kind: casekit.ActionAddActivity, Value: "Call the customer", To: casekit.NotifyTeam, DueHours: 8}) {
		t.Fatalf("the saved time rule: %+v", ts)
	}
	if err := d.Config().DeleteTrigger(ctx, "give-up"); err != nil {
		t.Fatal(err)
	}
	ts, _ = d.Config().Triggers(ctx)
	last := ts[len(ts)-1]
	if last.Key != "web-billing" || last.Position != ts[len(ts)-2].Position+10 || len(last.If) != 1 || len(last.Then) != 1 {
		t.Fatalf("the saved trigger: %+v", last)
	}
	c, err := d.OpenCase(ctx, casekit.NewCase{Subject: "From the web", Origin: "web", Contact: casekit.Contact{Email: "x@example.com"}})
	if err != nil || c.QueueID != "billing" {
		t.Fatalf("a web case after the trigger: %v, queue %q", err, c.QueueID)
	}
	if _, page := ava.get("/admin/triggers/edit?key=web-billing"); !contains(page, `value="billing"`, `name="then_rows" value="2"`, `id="trigger-key" value="web-billing" disabled`) {
		t.Fatalf("the editor of a saved trigger:\n%s", page)
	}
	if status, _ := ava.get("/admin/triggers/edit?key=nope"); status != http.StatusNotFound {
		t.Fatalf("the editor of no trigger: %d", status)
	}

	// A loop saved disabled through the library cannot be switched on.
	loop := casekit.Trigger{Key: "loop", Name: "Loop", Position: 1000, When: []casekit.EventType{casekit.EventCaseUpdated},
		Then: []casekit.Action{{Kind: casekit.ActionAddTags, Values: []string{"x"}}}}
	if err := d.Config().SaveTrigger(ctx, loop); err != nil {
		t.Fatal(err)
	}
	first := ts[0].Key
	row := func(k string) url.Values { return url.Values{"row": {k}} }
	ava.get("/admin/triggers")
	posts(t, ava, []step{
		{"/admin/triggers/up", row("web-billing"), http.StatusSeeOther, []string{"Moved."}},
		{"/admin/triggers/up", row(first), http.StatusConflict, []string{"That trigger is already first."}},
		{"/admin/triggers/down", row("loop"), http.StatusConflict, []string{"already last"}},
		{"/admin/triggers/enable", row("loop"), http.StatusUnprocessableEntity, []string{"“Loop” was not changed:", "leads back to this trigger"}},
		{"/admin/triggers/disable", row("web-billing"), http.StatusSeeOther, []string{"Disabled."}},
		{"/admin/triggers/enable", row("web-billing"), http.StatusSeeOther, []string{"Enabled."}},
		{"/admin/triggers/delete", row("loop"), http.StatusSeeOther, []string{"Deleted."}},
		{"/admin/triggers/delete", row("loop"), http.StatusNotFound, []string{"no such trigger"}},
		{"/admin/triggers/explode", row("web-billing"), http.StatusNotFound, nil},
	})
	ts, _ = d.Config().Triggers(ctx)
	keys := rowsOf(ts, func(t casekit.Trigger) string { return t.Key })
	if i := slices.Index(keys, "web-billing"); i != len(keys)-2 || !ts[i].Enabled || slices.Contains(keys, "loop") {
		t.Fatalf("after the moves: %v (web-billing enabled %v)", keys, ts[i].Enabled)
	}
}

// The editors' menus are the library's lists: the library lists nothing
// the editor has no words for, and the editor has words for nothing the
// library lacks; the menus offer every value, a macro's only the kinds
// a macro takes.
func TestEditorNamesWhatTheLibraryLists(t *testing.T) {
	values := func(opts []option) []string {
		return slices.DeleteFunc(rowsOf(opts, func(o option) string { return o.Value }), func(v string) bool { return v == "" })
	}
	for _, tc := range []struct {
		what          string
		listed, named []string
		menu          []option
	}{
		{"events", stringsOf(casekit.TriggerEvents()), keysOf(eventNames), triggerEvents},
		{"condition fields", casekit.ConditionFields(), keysOf(fieldNames), conditionFields},
		{"operators", stringsOf(casekit.ConditionOps()), keysOf(opNames), conditionOps},
		{"actions", stringsOf(casekit.ActionKinds()), keysOf(kindNames), actionKinds},
		{"notify targets", stringsOf(casekit.NotifyTargets()), keysOf(targetNames), notifyTargets},
		{"a macro's actions", stringsOf(casekit.MacroActionKinds()), nil, macroKinds},
		{"webhook events", stringsOf(casekit.EventTypes()), nil, webhookEvents},
	} {
		if tc.named != nil {
			for _, v := range tc.listed {
				if !slices.Contains(tc.named, v) {
					t.Errorf("%s: casekit lists %q, which the editor has no words for", tc.what, v)
				}
			}
			for _, v := range tc.named {
				if !slices.Contains(tc.listed, v) {
					t.Errorf("%s: the editor has words for %q, which casekit does not list", tc.what, v)
				}
			}
		}
		if got := values(tc.menu); !slices.Equal(got, tc.listed) {
			t.Errorf("%s: the menu offers %v, casekit lists %v", tc.what, got, tc.listed)
		}
	}
}

func stringsOf[T ~string](vs []T) []string {
	return rowsOf(vs, func(v T) string { return string(v) })
}

func keysOf[T ~string](m map[T]string) []string {
	return stringsOf(slices.Collect(maps.Keys(m)))
}

// contains reports whether page holds every one of wants.
func contains(page string, wants ...string) bool {
	for _, w := range wants {
		if !strings.Contains(page, w) {
			return false
		}
	}
	return true
}
