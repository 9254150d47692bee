package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"casekit.dev/casekit"
)

// secretRE finds the secret the webhook page shows once.
var secretRE = regexp.MustCompile(`id="new-secret" value="([^"]+)"`)

// The webhook page adds, edits and deletes subscriptions, shows a new or
// rotated secret once, refuses at the field it names keeping what was
// typed, and shows each subscription's delivery log; only admins open it.
func TestWebhookSubscriptions(t *testing.T) {
	type delivery struct {
		h    http.Header
		body []byte
	}
	got := make(chan delivery, 10)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- delivery{r.Header, b}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer rcv.Close()
	a, srv := testApp(t, false, func(c *appConfig) { c.PrivateWebhooks = true }) // the receiver is on this host
	ctx := context.Background()
	d := a.kit.Desk(tenant).As(casekit.System)
	crm := url.Values{"key": {"crm"}, "url": {rcv.URL + "/hook"}, "description": {"The CRM"}, "enabled": {"on"}, "event.case.opened": {"on"}}
	pages := []string{"/admin/webhooks", "/admin/webhooks/edit", "/admin/webhooks/log?key=crm"}
	ava := onlyTheAdmin(t, srv.URL, pages, map[string]url.Values{"/admin/webhooks/save": crm,
		"/admin/webhooks/rotate": {"row": {"crm"}}, "/admin/webhooks/delete": {"row": {"crm"}}})
	customer := newClient(t, srv.URL)
	customer.login(grace)
	for _, p := range pages {
		if status, _ := customer.get(p); status != http.StatusForbidden {
			t.Errorf("a customer opening %s: %d, want 403", p, status)
		}
	}

	ava.get("/admin/webhooks/edit")
	posts(t, ava, []step{
		{"/admin/webhooks/save", with(crm, "url", "ftp://crm.example/hook"), http.StatusUnprocessableEntity,
			[]string{`id="webhook-url" name="url" value="ftp://crm.example/hook"`, `id="webhook-url-error">&#34;ftp://crm.example/hook&#34; is not an http or https URL`, `value="The CRM"`}},
		{"/admin/webhooks/save", with(crm, "event.nope.happened", "on"), http.StatusUnprocessableEntity,
			[]string{`id="events-error">&#34;nope.happened&#34; is not an event type casekit records`, `id="event-nope.happened" checked`, `id="event-case.opened" checked`}},
		{"/admin/webhooks/save", with(crm, "key", "a b"), http.StatusUnprocessableEntity, []string{`id="webhook-key-error"`}},
	})
	status, page, _ := ava.post("/admin/webhooks/save", crm)
	m := secretRE.FindStringSubmatch(page)
	if status != http.StatusOK || m == nil || !contains(page, "shown only once", `id="webhook-crm"`, "Events: Case opened") {
		t.Fatalf("saving a new subscription: %d, want the list with its secret\n%s", status, page)
	}
	secret := m[1]
	if _, page := ava.get("/admin/webhooks"); strings.Contains(page, secret) {
		t.Fatal("the list shows the secret again")
	}

	// A case opened is posted, signed with that secret, and logged.
	if _, err := d.OpenCase(ctx, casekit.NewCase{Subject: "Hooked", Contact: casekit.Contact{Email: "x@example.com"}}); err != nil {
		t.Fatal(err)
	}
	select {
	case dl := <-got:
		if err := casekit.VerifyWebhook([]byte(secret), dl.h, dl.body, time.Now(), time.Minute); err != nil || dl.h.Get(casekit.WebhookHeaderWebhook) != "crm" {
			t.Fatalf("the delivery: %v, %v", err, dl.h)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no delivery reached the receiver")
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, page := ava.get("/admin/webhooks/log?key=crm")
		if contains(page, "<code>case.opened</code>", "<td>204</td>", "<td>delivered</td>") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the log shows no delivery:\n%s", page)
		}
		time.Sleep(50 * time.Millisecond)
	}

	status, page, _ = ava.post("/admin/webhooks/rotate", url.Values{"row": {"crm"}})
	if m := secretRE.FindStringSubmatch(page); status != http.StatusOK || m == nil || m[1] == secret {
		t.Fatalf("rotating: %d, want a new secret shown\n%s", status, page)
	}
	edited := url.Values{"row": {"crm"}, "url": {rcv.URL + "/v2"}, "description": {"The CRM, v2"}}
	posts(t, ava, []step{
		{"/admin/webhooks/save", edited, http.StatusSeeOther, []string{"Saved.", "Events: every event", rcv.URL + "/v2", ">disabled<"}},
		{"/admin/webhooks/save", crm, http.StatusUnprocessableEntity, []string{"is the key of another subscription"}},
		{"/admin/webhooks/save", with(edited, "row", "gone"), http.StatusNotFound, nil},
	})
	if _, page := ava.get("/admin/webhooks/edit?key=crm"); !contains(page, `id="webhook-key" value="crm" disabled`, `value="The CRM, v2"`) || strings.Contains(page, secret) {
		t.Fatalf("the editor of a saved subscription:\n%s", page)
	}

	// A trigger posts to it: it cannot be deleted until the trigger goes.
	toCRM := url.Values{"key": {"to-crm"}, "name": {"Resolved cases to the CRM"}, "enabled": {"on"}, "if_rows": {"1"}, "then_rows": {"1"},
		"when.case.resolved": {"on"}, "then.0.kind": {"webhook"}, "then.0.value": {"crm"}}
	ava.get("/admin/triggers/edit")
	posts(t, ava, []step{
		{"/admin/triggers/save", with(toCRM, "then.0.value", "erp"), http.StatusUnprocessableEntity,
			[]string{`id="act-then-0-value-error">&#34;erp&#34; is not one of the tenant&#39;s webhook subscriptions`}},
		{"/admin/triggers/save", toCRM, http.StatusSeeOther, []string{"Post to a webhook subscription: crm"}},
		{"/admin/webhooks/delete", url.Values{"row": {"crm"}}, http.StatusConflict, []string{"Refused: webhook &#34;crm&#34;: trigger &#34;to-crm&#34; posts to it: change the trigger first."}},
		{"/admin/triggers/delete", url.Values{"row": {"to-crm"}}, http.StatusSeeOther, nil},
		{"/admin/webhooks/delete", url.Values{"row": {"crm"}}, http.StatusSeeOther, []string{"Deleted.", "No subscriptions"}},
		{"/admin/webhooks/delete", url.Values{"row": {"crm"}}, http.StatusNotFound, []string{"There is no such webhook subscription"}},
		{"/admin/webhooks/rotate", url.Values{"row": {"crm"}}, http.StatusNotFound, []string{"There is no such webhook subscription"}},
		{"/admin/webhooks/explode", url.Values{"row": {"crm"}}, http.StatusNotFound, nil},
	})
	for _, p := range []string{"/admin/webhooks/log?key=crm", "/admin/webhooks/edit?key=crm"} {
		if status, _ := ava.get(p); status != http.StatusNotFound {
			t.Errorf("%s of a deleted subscription: %d, want 404", p, status)
		}
	}

	// A helpdesk that keeps webhooks off its own network refuses a
	// receiver there, at the URL, keeping what was typed.
	_, strict := testApp(t, false)
	strictAva := newClient(t, strict.URL)
	strictAva.login(admin)
	strictAva.get("/admin/webhooks/edit")
	posts(t, strictAva, []step{{"/admin/webhooks/save", crm, http.StatusUnprocessableEntity,
		[]string{`value="` + rcv.URL + `/hook" aria-invalid="true"`, `id="webhook-url-error">127.0.0.1 is a loopback, private or link-local address`}}})
}
