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

// The macro editor saves what SaveMacro takes and shows its refusals on
// the row and field; the case page's menu previews a macro, applies it at
// the previewed version, and shows what it would do now when the case
// changed since.
func TestMacroEditorAndMenu(t *testing.T) {
	a, srv := testApp(t, false)
	ctx := context.Background()
	d := a.kit.Desk(tenant).As(casekit.System)
	refund := url.Values{"key": {"refund"}, "name": {"Refund requested"}, "then_rows": {"3"},
		"then.0.kind": {"set_priority"}, "then.0.value": {"high"}, "then.2.kind": {"add_tags"}, "then.2.values": {"refund, money"},
		"reply": {"We are refunding case {{number}}, {{contact_name}}."}}
	ava := onlyTheAdmin(t, srv.URL, []string{"/admin/macros", "/admin/macros/edit"}, map[string]url.Values{"/admin/macros/save": refund})
	ava.get("/admin/macros/edit")
	posts(t, ava, []step{
		{"/admin/macros/save", with(refund, "then.2.kind", "assign_queue", "then.2.value", "nowhere"), http.StatusUnprocessableEntity,
			[]string{`id="act-then-2-value" name="then.2.value" value="nowhere" aria-invalid="true"`}},
		{"/admin/macros/save", with(refund, "then.0.kind", "notify", "then.0.to", "customer"), http.StatusUnprocessableEntity,
			[]string{`only a trigger notifies`}},
		{"/admin/macros/save", with(refund, "reply", "Dear {{password}}"), http.StatusUnprocessableEntity,
			[]string{`id="macro-reply-error"`, "Dear {{password}}</textarea>"}},
		{"/admin/macros/save", url.Values{"key": {"empty"}, "name": {"Empty"}, "then_rows": {"1"}}, http.StatusUnprocessableEntity,
			[]string{"a macro does something or replies"}},
		{"/admin/macros/save", with(refund, "add", "then"), http.StatusOK, []string{`name="then_rows" value="4"`, `id="then-3-kind"`}},
		{"/admin/macros/save", refund, http.StatusSeeOther, []string{"Saved.", "Set priority: high; Add tags: refund, money", "Replies: “We are refunding"}},
		{"/admin/macros/save", refund, http.StatusUnprocessableEntity, []string{"is the key of another macro"}},
		{"/admin/macros/save", with(refund, "row", "refund", "name", "Refund"), http.StatusSeeOther, []string{"Saved.", ">Refund</a>"}},
		{"/admin/macros/save", with(refund, "row", "gone"), http.StatusNotFound, nil},
	})
	if ms, _ := d.Config().Macros(ctx); len(ms) != 1 || ms[0].Name != "Refund" || len(ms[0].Actions) != 2 || !slices.Equal(ms[0].Actions[1].Values, []string{"refund", "money"}) {
		t.Fatalf("macros %+v", ms)
	}

	c, err := d.OpenCase(ctx, casekit.NewCase{Subject: "Money back", Priority: "low", Contact: casekit.Contact{Name: "Zoe", Email: "zoe@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	u := fmt.Sprintf("/cases/%d", c.Number)
	_, page := ava.get(u + "?macro=refund")
	for _, want := range []string{"priority: low → high", "tags: — → refund, money", fmt.Sprintf("Sends the customer: “We are refunding case %d, Zoe.”", c.Number),
		fmt.Sprintf(`name="version" value="%d"`, c.Version)} {
		if !strings.Contains(page, want) {
			t.Fatalf("the preview lacks %q:\n%s", want, page)
		}
	}
	if _, page := ava.get(u + "?macro=nope"); !strings.Contains(page, "There is no such macro") {
		t.Fatalf("the preview of no macro:\n%s", page)
	}
	// Someone tags the case after the preview: nothing is applied, and
	// the page shows what the macro would do now.
	if _, err := d.Tag(ctx, c.ID, "urgent"); err != nil {
		t.Fatal(err)
	}
	apply := url.Values{"macro": {"refund"}, "version": {fmt.Sprint(c.Version)}}
	posts(t, ava, []step{
		{u + "/macro", apply, http.StatusConflict, []string{"Someone changed the case after you looked at the macro", "tags: urgent → urgent, refund, money",
			fmt.Sprintf(`name="version" value="%d"`, c.Version+1)}},
		{u + "/macro", url.Values{"macro": {"refund"}}, http.StatusUnprocessableEntity, []string{"look at what it does first"}},
		{u + "/macro", with(apply, "version", fmt.Sprint(c.Version+1)), http.StatusSeeOther, []string{"The macro was applied.", "We are refunding case"}},
	})
	got, _ := d.Case(ctx, c.ID)
	if got.Priority != "high" || !slices.Equal(got.Tags, []string{"urgent", "refund", "money"}) {
		t.Fatalf("after the macro: priority %q, tags %v", got.Priority, got.Tags)
	}
	posts(t, ava, []step{
		{"/admin/macros/delete", url.Values{"row": {"refund"}}, http.StatusSeeOther, []string{"Deleted.", "No macros yet."}},
		{"/admin/macros/delete", url.Values{"row": {"refund"}}, http.StatusNotFound, []string{"not found"}},
	})
}
