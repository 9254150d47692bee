package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"casekit.dev/casekit"
)

// statusForm is the status editor's form for statuses and transitions,
// as a browser posts it (a saved row's key is a hidden field).
func statusForm(statuses []casekit.Status, ts []casekit.Transition) url.Values {
	v := url.Values{"rows": {strconv.Itoa(len(statuses) + 1)}}
	for i, s := range statuses {
		k := func(name string) string { return fmt.Sprintf("s%d.%s", i, name) }
		v.Set(k("saved"), "on")
		v.Set(k("key"), s.Key)
		v.Set(k("label"), s.Label)
		v.Set(k("order"), strconv.Itoa(s.Order))
		for j, f := range flagsOf(&s) {
			if *f {
				v.Set(k(statusFlags[j].Value), "on")
			}
		}
	}
	for _, t := range ts {
		v.Add("t", transitionValue(t.From, t.To))
	}
	return v
}

// The status editor saves what ReplaceStatuses takes; what it refuses comes
// back as typed with the library's errors next to the rows, columns and
// matrix they are about, and nothing changes.
func TestStatusEditor(t *testing.T) {
	a, srv := testApp(t, false)
	ctx := context.Background()
	d := a.kit.Desk(tenant).As(casekit.System)
	if _, err := d.OpenCase(ctx, casekit.NewCase{Subject: "In status new", Contact: casekit.Contact{Email: "x@example.com"}}); err != nil {
		t.Fatal(err)
	}
	ava := onlyTheAdmin(t, srv.URL, []string{"/admin/statuses"}, map[string]url.Values{"/admin/statuses": statusForm(casekit.DefaultStatuses(), nil)})
	_, page := ava.get("/admin/statuses")
	for _, want := range []string{`name="s0.key" value="new"`, `value="new&gt;in_progress" aria-label="New to In progress" checked`,
		`value="resolved&gt;closed" aria-label="Resolved to Closed" checked`, `value="closed&gt;resolved" aria-label="Closed to Resolved">`} {
		if !strings.Contains(page, want) {
			t.Fatalf("the editor lacks %q:\n%s", want, page)
		}
	}
	before, _ := d.Config().Statuses(ctx)
	beforeTs, _ := d.Config().Transitions(ctx)
	def, defTs := casekit.DefaultStatuses(), casekit.DefaultTransitions()
	refusals := []struct {
		name string
		form func() url.Values
		want []string // on the page
	}{
		{"no initial status", func() url.Values {
			v := statusForm(def, defTs)
			v.Del("s0.initial")
			v.Set("s1.label", "Being worked on")
			return v
		}, []string{`id="statuses-errors"`, "exactly one status must be initial", `value="Being worked on"`}},
		{"a key twice", func() url.Values {
			v := statusForm(def, defTs)
			v.Set("s7.key", "closed")
			v.Set("s7.label", "Closed again")
			return v
		}, []string{`<p class="error">status &#34;closed&#34; appears twice</p>`, `value="Closed again"`}},
		{"a status without a label", func() url.Values {
			v := statusForm(def, defTs)
			v.Set("s2.label", "")
			return v
		}, []string{`<th scope="col">Label<p class="error">is required</p>`}},
		{"an order that is no number", func() url.Values {
			v := statusForm(def, defTs)
			v.Set("s3.order", "late")
			return v
		}, []string{`id="s3-order-error">is not a whole number`, `value="late"`}},
		{"a transition to an unknown status", func() url.Values {
			return statusForm(def, append(defTs[:len(defTs):len(defTs)], casekit.Transition{From: "new", To: "limbo"}))
		}, []string{`id="transitions-errors"`, "names an unknown status"}},
		{"removing the status a case is in", func() url.Values {
			v := statusForm(def, defTs)
			v.Set("s0.remove", "on")
			v.Set("s1.initial", "on")
			return v
		}, []string{`is still used by case #1</p>`, `id="s0-remove" aria-label="Remove new" checked`}},
	}
	for _, r := range refusals {
		ava.get("/admin/statuses")
		status, page, _ := ava.post("/admin/statuses", r.form())
		if status != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d, want 422", r.name, status)
		}
		for _, want := range r.want {
			if !strings.Contains(page, want) {
				t.Errorf("%s: the page lacks %q:\n%s", r.name, want, page)
			}
		}
		if now, _ := d.Config().Statuses(ctx); !reflect.DeepEqual(now, before) {
			t.Fatalf("%s changed the statuses: %+v", r.name, now)
		}
		if now, _ := d.Config().Transitions(ctx); len(now) != len(beforeTs) {
			t.Fatalf("%s changed the transitions: %+v", r.name, now)
		}
	}
	if status, _, _ := ava.post("/admin/statuses", url.Values{"rows": {"1000"}}); status != http.StatusBadRequest {
		t.Errorf("a thousand rows: %d, want 400", status)
	}

	// A new status, On hold; then its transitions ticked; then On hold
	// removed, with the transitions that name it.
	ava.get("/admin/statuses")
	v := statusForm(def, defTs)
	v.Set("s7.key", "on_hold")
	v.Set("s7.label", "On hold")
	v.Set("s7.order", "35")
	v.Set("s7.paused", "on")
	if status, page, h := ava.post("/admin/statuses", v); status != http.StatusSeeOther || h.Get("Location") != "/admin/statuses?done=saved" {
		t.Fatalf("adding On hold: %d\n%s", status, page)
	}
	if _, page := ava.get("/admin/statuses?done=saved"); !strings.Contains(page, `aria-label="In progress to On hold">`) || !strings.Contains(page, "Saved.") {
		t.Fatalf("the matrix does not offer On hold:\n%s", page)
	}
	statuses, _ := d.Config().Statuses(ctx)
	v = statusForm(statuses, append(defTs, casekit.Transition{From: "in_progress", To: "on_hold"}, casekit.Transition{From: "on_hold", To: "in_progress"}))
	if status, page, _ := ava.post("/admin/statuses", v); status != http.StatusSeeOther {
		t.Fatalf("ticking On hold's transitions: %d\n%s", status, page)
	}
	ts, _ := d.Config().Transitions(ctx)
	if len(ts) != len(defTs)+2 {
		t.Fatalf("transitions %+v, want the default and On hold's two", ts)
	}
	if s, _ := d.Config().Statuses(ctx); len(s) != 8 || s[3].Key != "on_hold" || !s[3].Paused || s[3].Order != 35 {
		t.Fatalf("statuses %+v", s)
	}
	statuses, _ = d.Config().Statuses(ctx)
	v = statusForm(statuses, ts)
	v.Set("s3.remove", "on")
	if status, page, _ := ava.post("/admin/statuses", v); status != http.StatusSeeOther {
		t.Fatalf("removing On hold: %d\n%s", status, page)
	}
	if s, _ := d.Config().Statuses(ctx); len(s) != 7 {
		t.Fatalf("statuses after removing On hold %+v", s)
	}
	if ts, _ := d.Config().Transitions(ctx); len(ts) != len(defTs) {
		t.Fatalf("transitions after removing On hold %+v", ts)
	}
}
