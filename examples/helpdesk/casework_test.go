package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"casekit.dev/casekit"
)

// An agent opens a case for a caller found in the directory; a mistake
// first keeps what was typed.
func TestNewCaseForACaller(t *testing.T) {
	a, srv := testApp(t, false)
	ctx := context.Background()
	if err := a.kit.Desk(tenant).As(casekit.Agent(admin)).Config().SaveCustomField(ctx, casekit.CustomField{Key: "seats", Label: "Seats", Type: casekit.CustomNumber}); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, srv.URL)
	c.login("u-ben")
	if _, page := c.get("/cases/new?lookup=lovelace"); !strings.Contains(page, `<option value="`+ada+`"`) || strings.Contains(page, grace) {
		t.Fatalf("the look-up for lovelace does not offer Ada alone:\n%s", page)
	}
	status, page, _ := c.post("/cases/new", url.Values{"lookup": {"lovelace"}, "customer_id": {ada}, "description": {"Printer on fire"},
		"deadline": {"tomorrow"}, "custom.seats": {"many"}})
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("a case without subject: %d", status)
	}
	for _, want := range []string{"Printer on fire", `id="new-deadline-error"`, `id="new-custom-seats-error"`, `value="tomorrow"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the refused form lacks %q", want)
		}
	}
	if pg, _ := a.kit.Desk(tenant).As(casekit.System).ListCases(ctx, casekit.CaseFilter{}); len(pg.Cases) != 0 {
		t.Fatalf("a refused form opened %d cases", len(pg.Cases))
	}
	status, page, h := c.post("/cases/new", url.Values{"customer_id": {ada}, "subject": {"Printer on fire"}, "type": {"problem"},
		"queue_id": {"general"}, "deadline": {"2030-01-02T15:00"}, "custom.seats": {"12"}})
	if status != http.StatusSeeOther {
		t.Fatalf("opening the case: %d\n%s", status, page)
	}
	_, page = c.get(h.Get("Location"))
	for _, want := range []string{"The case is opened.", "Printer on fire", "Deadline <b>2030-01-02 15:00</b>", "ada@example.com"} {
		if !strings.Contains(page, want) {
			t.Errorf("the new case's page lacks %q", want)
		}
	}
	pg, _ := a.kit.Desk(tenant).As(casekit.System).ListCases(ctx, casekit.CaseFilter{})
	if len(pg.Cases) != 1 || pg.Cases[0].CustomerID != ada || pg.Cases[0].Custom["seats"] != 12.0 || pg.Cases[0].Origin != "phone" {
		t.Fatalf("cases %+v", pg.Cases)
	}
	// The list filters on type and deadline.
	for q, want := range map[string]bool{"type=problem": true, "type=question": false, "deadline_before=2030-01-03": true, "deadline_before=2030-01-02": false} {
		if _, page := c.get("/cases?" + q); strings.Contains(page, "Printer on fire") != want {
			t.Errorf("/cases?%s lists the case: %v, want %v", q, !want, want)
		}
	}
}

// An edit is saved against the version it was made on; a stale one says
// what changed and saves nothing.
func TestEditCaseWithVersionCheck(t *testing.T) {
	f := newCaseFixture(t, casekit.NewCase{Subject: "Wifi drops"})
	ctx, d, cs, c, path := f.ctx, f.d, f.cs, f.ben, f.path
	_, page := c.get(path)
	form := url.Values{"version": {itoa(cs.Version)}, "was.subject": {"Wifi drops"}, "subject": {"Wifi drops hourly"},
		"was.contact.phone": {""}, "contact.phone": {"+44 20 1234"}}
	if !strings.Contains(page, `name="was.subject" value="Wifi drops"`) || !strings.Contains(page, `name="version" value="`+itoa(cs.Version)+`"`) {
		t.Fatal("the edit form does not carry the version and the values it began with")
	}
	// Someone else changes the subject meanwhile.
	if _, err := d.UpdateCase(ctx, cs.ID, casekit.CaseUpdate{Subject: ptr("Wifi is down")}); err != nil {
		t.Fatal(err)
	}
	status, page, _ := c.post(path+"/edit", form)
	if status != http.StatusConflict || !strings.Contains(page, "subject is now “Wifi is down” (the form began with “Wifi drops”)") ||
		!strings.Contains(page, `value="Wifi drops hourly"`) {
		t.Fatalf("a stale edit: %d\n%s", status, page)
	}
	if got, _ := d.Case(ctx, cs.ID); got.Subject != "Wifi is down" || got.Contact.Phone != "" {
		t.Fatalf("a stale edit changed the case: %+v", got)
	}
	fresh, _ := d.Case(ctx, cs.ID)
	form.Set("version", itoa(fresh.Version))
	form.Set("was.subject", fresh.Subject)
	form.Set("subject", "")
	if status, page, _ := c.post(path+"/edit", form); status != http.StatusUnprocessableEntity || !strings.Contains(page, `id="edit-subject-error"`) {
		t.Fatalf("an empty subject: %d", status)
	}
	form.Set("subject", "Wifi drops hourly")
	if status, _, _ := c.post(path+"/edit", form); status != http.StatusSeeOther {
		t.Fatalf("saving again: %d", status)
	}
	if got, _ := d.Case(ctx, cs.ID); got.Subject != "Wifi drops hourly" || got.Contact.Phone != "+44 20 1234" || got.CustomerID != ada {
		t.Fatalf("after the edit: %+v", got)
	}
}

func ptr[T any](v T) *T { return &v }

// caseFixture is a helpdesk with one case Ben opened for Ada in General,
// and Ben signed in.
type caseFixture struct {
	app  *app
	base string
	ctx  context.Context
	d    *casekit.Desk // Ben's
	cs   *casekit.Case
	ben  *client
	path string // the case's page
}

func newCaseFixture(t *testing.T, nc casekit.NewCase) *caseFixture {
	t.Helper()
	a, srv := testApp(t, false)
	f := &caseFixture{app: a, base: srv.URL, ctx: context.Background(), d: a.kit.Desk(tenant).As(casekit.Agent("u-ben"))}
	nc.CustomerID, nc.QueueID = ada, "general"
	var err error
	if f.cs, err = f.d.OpenCase(f.ctx, nc); err != nil {
		t.Fatal(err)
	}
	f.ben = newClient(t, srv.URL)
	f.ben.login("u-ben")
	f.path = "/cases/" + itoa(f.cs.Number)
	return f
}

// A closed case offers none of the controls its status refuses, and says
// why; an activity completes with the case closed at once; only the
// admin deletes, and a deleted case's page says it is gone.
func TestControlsFollowTheCase(t *testing.T) {
	f := newCaseFixture(t, casekit.NewCase{Subject: "Invoice twice", Deadline: ptr(time.Now().Add(-time.Hour))})
	ctx, d, cs, ben, path := f.ctx, f.d, f.cs, f.ben, f.path
	act, err := d.AddActivity(ctx, cs.ID, casekit.NewActivity{Kind: casekit.ActivityCall, Subject: "Call back"})
	if err != nil {
		t.Fatal(err)
	}
	_, page := ben.get(path)
	for _, want := range []string{`id="reply-form"`, `id="open-activity"`, `id="open-note"`, `id="take-button"`, `id="open-edit"`, "overdue by", "complete-close-button"} {
		if !strings.Contains(page, want) {
			t.Errorf("an open case's page lacks %s", want)
		}
	}
	if strings.Contains(page, `id="open-delete"`) {
		t.Error("Ben, no admin, is offered to delete")
	}
	// The 403 page says what Ben's role lacks.
	if status, page, _ := ben.post(path+"/delete", url.Values{"reason": {"mistake"}}); status != http.StatusForbidden ||
		!strings.Contains(page, "Your role, Agent, lacks the “delete” permission, which an agent needs to delete cases.") {
		t.Errorf("Ben deleting: %d, want 403 with what his role lacks\n%s", status, page)
	}
	// Complete and close without a reason is refused; with one, done.
	actPath := path + "/activities/" + act.ID + "/complete"
	if status, page, _ := ben.post(actPath, url.Values{"result": {"Refunded"}, "close_case": {"on"}}); status != http.StatusUnprocessableEntity ||
		!strings.Contains(page, `value="Refunded"`) {
		t.Fatalf("complete and close without a reason: %d", status)
	}
	if status, _, _ := ben.post(actPath, url.Values{"result": {"Refunded"}, "close_case": {"on"}, "reason": {"fixed"}}); status != http.StatusSeeOther {
		t.Fatalf("complete and close: %d", status)
	}
	if got, _ := d.Case(ctx, cs.ID); got.Status != casekit.StatusClosed || got.ClosureReason != "fixed" {
		t.Fatalf("after complete and close: %s %s", got.Status, got.ClosureReason)
	}
	_, page = ben.get(path)
	for _, gone := range []string{`id="reply-form"`, `id="open-activity"`, `id="open-note"`, `id="take-button"`, `id="open-edit"`, `id="open-assign"`} {
		if strings.Contains(page, gone) {
			t.Errorf("a closed case's page offers %s", gone)
		}
	}
	if !strings.Contains(page, `id="readonly"`) {
		t.Error("a closed case's page does not say why it takes no work")
	}
	ava := newClient(t, f.base)
	ava.login(admin)
	if _, page := ava.get(path); !strings.Contains(page, `id="open-delete"`) {
		t.Fatal("the admin is not offered to delete")
	}
	if status, page, _ := ava.post(path+"/delete", url.Values{"reason": {" "}}); status != http.StatusUnprocessableEntity || !strings.Contains(page, "Say why") {
		t.Fatalf("deleting without a reason: %d", status)
	}
	status, _, h := ava.post(path+"/delete", url.Values{"reason": {"opened by mistake"}})
	if status != http.StatusSeeOther {
		t.Fatalf("deleting: %d", status)
	}
	if _, page := ava.get(h.Get("Location")); !strings.Contains(page, "The case was deleted.") {
		t.Error("no notice after deleting")
	}
	// casekit finds a case by number only while it exists, so the page
	// cannot tell a deleted case from one that never was: it says both.
	if status, page := ava.get(path); status != http.StatusNotFound || !strings.Contains(page, "it may have been deleted, or never existed") {
		t.Errorf("a deleted case's page: %d", status)
	}
	evs, err := d.History(ctx, cs.ID)
	if err != nil || len(evs) == 0 || evs[len(evs)-1].Type != casekit.EventCaseDeleted || evs[len(evs)-1].Data["reason"] != "opened by mistake" {
		t.Errorf("the deleted case's history: %v, %v", evs, err)
	}
}
