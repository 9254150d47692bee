package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
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
		every.Set(fmt.Sprintf("if.%d.field", i), f)
		every.Set(fmt.Sprintf("if.%d.op", i), "set")
	}
	posts(t, ava, []step{{"/admin/triggers/save", every, http.StatusSeeOther, []string{"Every event"}},
		{"/admin/triggers/delete", url.Values{"row": {"every"}}, http.StatusSeeOther, nil}})

	ts, _ := d.Config().Triggers(ctx)
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

// contains reports whether page holds every one of wants.
func contains(page string, wants ...string) bool {
	for _, w := range wants {
		if !strings.Contains(page, w) {
			return false
		}
	}
	return true
}
