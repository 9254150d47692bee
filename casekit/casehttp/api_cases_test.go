package casehttp_test

import (
	"net/http"
	"strings"
	"testing"

	"casekit.dev/casekit"
)

// TestAPICases runs the case and lifecycle routes and the conventions
// every route shares (problems, ETag and If-Match, Link pages,
// Idempotency-Key, bounds) against one kit.
func TestAPICases(t *testing.T) {
	k := newAPIKit(t)
	ag := k.agent()

	var c casekit.Case
	r := ag.do("POST", "/cases", map[string]any{"subject": "Printer on fire", "customer_id": "cust-1", "tags": []string{"hw"}}).
		want(t, http.StatusCreated, "open")
	r.json(t, &c)
	if c.Number != 1 || c.Status != casekit.StatusNew || r.header.Get("ETag") != `"1"` || r.header.Get("Location") != "/api/cases/"+c.ID {
		t.Fatalf("open: %+v, ETag %q, Location %q", c, r.header.Get("ETag"), r.header.Get("Location"))
	}
	for i := range 4 {
		ag.do("POST", "/cases", map[string]any{"subject": "Filler " + string(rune('a'+i)), "priority": "high"}).want(t, http.StatusCreated, "open more")
	}

	// Pages: two of five, then the Link's next page, then the last.
	var page casekit.CasePage
	r = ag.do("GET", "/cases?limit=2&sort=created", nil).want(t, http.StatusOK, "list")
	r.json(t, &page)
	link := r.header.Get("Link")
	if len(page.Cases) != 2 || page.Cases[0].ID != c.ID || !strings.HasPrefix(link, "</api/cases?") || !strings.HasSuffix(link, `>; rel="next"`) {
		t.Fatalf("page 1: %d cases, Link %q", len(page.Cases), link)
	}
	seen := 2
	for link != "" {
		next := strings.TrimPrefix(link[1:strings.Index(link, ">")], "/api")
		r = ag.do("GET", next, nil).want(t, http.StatusOK, "next page")
		page = casekit.CasePage{}
		r.json(t, &page)
		seen += len(page.Cases)
		link = r.header.Get("Link")
	}
	if seen != 5 {
		t.Errorf("the pages held %d cases, want 5", seen)
	}
	r = ag.do("GET", "/cases?priority=high&text=filler", nil).want(t, http.StatusOK, "filtered")
	r.json(t, &page)
	if len(page.Cases) != 4 || r.header.Get("Link") != "" {
		t.Errorf("filtered: %d cases, Link %q", len(page.Cases), r.header.Get("Link"))
	}
	ag.do("GET", "/cases?colour=red", nil).wantProblem(t, 422, "validation", "an unknown filter")
	ag.do("GET", "/cases?status=closed", nil).want(t, http.StatusOK, "no match")

	// Reads.
	ag.do("GET", "/cases/"+c.ID, nil).want(t, http.StatusOK, "get")
	ag.do("GET", "/case-numbers/1", nil).want(t, http.StatusOK, "by number")
	ag.do("GET", "/case-numbers/x", nil).wantProblem(t, 400, "bad-path", "a number that is none")
	ag.do("GET", "/cases/"+c.ID+"/view", nil).want(t, http.StatusOK, "view")
	ag.do("GET", "/cases/nope", nil).wantProblem(t, 404, "not-found", "an unknown case")

	// Updates with If-Match: the current version passes, a stale one is a 412
	// and writes nothing.
	r = ag.with("If-Match", `"1"`).do("PATCH", "/cases/"+c.ID, map[string]any{"subject": "Printer still on fire"}).want(t, 200, "update")
	if r.header.Get("ETag") != `"2"` {
		t.Errorf("after an update: ETag %q", r.header.Get("ETag"))
	}
	ag.with("If-Match", `"1"`).do("PATCH", "/cases/"+c.ID, map[string]any{"subject": "Stale"}).wantProblem(t, 412, "stale", "a stale If-Match")
	ag.with("If-Match", `W/"2"`).do("PATCH", "/cases/"+c.ID, map[string]any{"subject": "Weak"}).wantProblem(t, 400, "bad-if-match", "a weak tag")
	ag.do("PATCH", "/cases/"+c.ID, map[string]any{"if_version": 1, "subject": "Stale"}).wantProblem(t, 409, "conflict", "a stale if_version")
	ag.with("If-Match", `"2"`).do("POST", "/cases/"+c.ID+"/status", map[string]any{"status": "in_progress"}).
		wantProblem(t, 400, "bad-if-match", "If-Match where it is not honored")

	// Bad input: each a problem, nothing written.
	for _, tc := range []struct {
		name, body string
		status     int
		typ        string
	}{
		{"malformed JSON", `{"subject":`, 400, "bad-json"},
		{"an unknown field", `{"subject":"x","colour":"red"}`, 400, "bad-json"},
		{"a wrong type", `{"subject":42}`, 400, "bad-json"},
		{"trailing data", `{"subject":"x"} {}`, 400, "bad-json"},
		{"an empty body", ``, 400, "bad-json"},
		{"a body over the limit", `{"subject":"` + strings.Repeat("x", 70<<10) + `"}`, 413, "too-large"},
		{"a missing subject", `{"description":"no subject"}`, 422, "validation"},
	} {
		ag.do("POST", "/cases", tc.body).wantProblem(t, tc.status, tc.typ, tc.name)
	}
	// A field the body may not have, or has with the wrong type, is named
	// as a 422 names its fields.
	for body, want := range map[string]string{
		`{"subject":"x","colour":"red"}`:        `{"field":"colour","rule":"unknown"`,
		`{"subject":42}`:                        `{"field":"subject","rule":"type"`,
		`{"subject":"x","contact":{"email":7}}`: `{"field":"contact.email","rule":"type"`,
		`{"subject":"x","contact":{"fax":"1"}}`: `{"field":"fax","rule":"unknown"`,
	} {
		if r := ag.do("POST", "/cases", body).wantProblem(t, 400, "bad-json", body); !strings.Contains(string(r.body), want) {
			t.Errorf("%s: %s, want errors naming the field (%s)", body, r.body, want)
		}
	}
	// A hostile field name is named clipped, not echoed whole.
	long := strings.Repeat("y", 10_000)
	if r := ag.do("POST", "/cases", `{"subject":"x","`+long+`":1}`).wantProblem(t, 400, "bad-json", "a field name of 10,000 bytes"); len(r.body) > 1_000 || !strings.Contains(string(r.body), `"rule":"unknown"`) {
		t.Errorf("a field name of 10,000 bytes: %d bytes of problem, want it named clipped: %.200s", len(r.body), r.body)
	}
	r = ag.do("POST", "/cases", map[string]any{"subject": ""})
	if !strings.Contains(string(r.body), `"field":"subject"`) {
		t.Errorf("a validation problem names no field: %s", r.body)
	}
	ag.do("GET", "/cases?limit=500", nil).json(t, &page)
	if len(page.Cases) != 5 {
		t.Errorf("bad input wrote cases: %d, want 5", len(page.Cases))
	}

	// Who asks: nobody, another tenant, a viewer, a customer.
	k.as("").do("GET", "/cases", nil).wantProblem(t, 401, "unauthenticated", "no actor")
	if r := k.as("unavailable").do("POST", "/cases", map[string]any{"subject": "x"}).wantProblem(t, 503, "auth-unavailable", "credentials that cannot be checked"); r.header.Get("Retry-After") == "" {
		t.Errorf("a 503 without Retry-After")
	}
	client{k: k, actor: "agent:agent-1", tenant: "elsewhere"}.do("GET", "/cases", nil).wantProblem(t, 404, "tenant-not-found", "an unknown tenant")
	client{k: k, actor: "agent:agent-1", tenant: "Not A Slug"}.do("GET", "/cases", nil).wantProblem(t, 404, "tenant-not-found", "a tenant that is no slug")
	k.as("agent:someone").do("DELETE", "/cases/"+c.ID, nil).wantProblem(t, 403, "forbidden", "an agent may not delete")
	k.as("customer:cust-2").do("GET", "/cases/"+c.ID, nil).wantProblem(t, 404, "not-found", "another customer's case")
	k.as("customer:cust-1").do("GET", "/cases/"+c.ID, nil).want(t, 200, "the customer's own case")

	// Routes that do not exist.
	ag.do("GET", "/nothing", nil).wantProblem(t, 404, "no-route", "an unknown path")
	r = ag.do("PUT", "/cases", nil).wantProblem(t, 405, "method-not-allowed", "an unknown method")
	if allow := r.header.Get("Allow"); !strings.Contains(allow, "GET") || !strings.Contains(allow, "POST") {
		t.Errorf("405 Allow %q", allow)
	}

	// The lifecycle.
	ag.do("POST", "/cases/"+c.ID+"/status", map[string]any{"status": "in_progress"}).want(t, 200, "status")
	ag.do("POST", "/cases/"+c.ID+"/status", map[string]any{"status": "new"}).wantProblem(t, 409, "invalid-transition", "a move the table refuses")
	ag.do("POST", "/cases/"+c.ID+"/resolve", map[string]any{"summary": "Put out"}).want(t, 200, "resolve")
	ag.do("PATCH", "/cases/"+c.ID, map[string]any{"subject": "x"}).wantProblem(t, 409, "read-only", "a resolved case")
	ag.do("POST", "/cases/"+c.ID+"/rating", map[string]any{"level": 5, "comment": "Fast"}).want(t, 200, "rate")
	ag.do("POST", "/cases/"+c.ID+"/rating", map[string]any{"level": 4}).wantProblem(t, 409, "conflict", "a second rating")
	ag.do("POST", "/cases/"+c.ID+"/reopen", map[string]any{"reason": "not_fixed", "note": "Again"}).want(t, 200, "reopen")
	ag.do("POST", "/cases/"+c.ID+"/close", map[string]any{"reason": "fixed", "note": "Done"}).want(t, 200, "close")
	ag.do("POST", "/cases/"+page.Cases[0].ID+"/cancel", map[string]any{"reason": "duplicate"}).want(t, 200, "cancel")
	ag.do("POST", "/cases/"+page.Cases[1].ID+"/verify-contact", nil).wantProblem(t, 422, "validation", "verify no contact")
	var mailed casekit.Case
	ag.do("POST", "/cases", map[string]any{"subject": "By mail", "contact": map[string]any{"email": "ada@example.com"}}).json(t, &mailed)
	ag.do("POST", "/cases/"+mailed.ID+"/verify-contact", nil).want(t, 200, "verify contact").json(t, &mailed)
	if mailed.Contact.ID != "email:ada@example.com" {
		t.Errorf("verified contact %+v", mailed.Contact)
	}
	var hist []casekit.Event
	ag.do("GET", "/cases/"+c.ID+"/history", nil).want(t, 200, "history").json(t, &hist)
	if len(hist) < 6 {
		t.Errorf("history: %d events", len(hist))
	}

	// Idempotency-Key: a retry is one command; the key with another body a
	// 422; another actor's same key is theirs.
	idem := ag.with("Idempotency-Key", "open-42")
	first := idem.do("POST", "/cases", map[string]any{"subject": "Once"}).want(t, 201, "keyed open")
	again := idem.do("POST", "/cases", map[string]any{"subject": "Once"}).want(t, 201, "keyed retry")
	if string(first.body) != string(again.body) || again.header.Get("Idempotent-Replayed") != "true" || again.header.Get("Location") != first.header.Get("Location") {
		t.Errorf("the retry: %s %v, want the first response replayed", again.body, again.header)
	}
	idem.do("POST", "/cases", map[string]any{"subject": "Other"}).wantProblem(t, 422, "idempotency-key-reused", "the key with another body")
	k.as("agent:u-2").with("Idempotency-Key", "open-42").do("POST", "/cases", map[string]any{"subject": "Theirs"}).want(t, 201, "another agent's key")
	ag.with("Idempotency-Key", strings.Repeat("k", 256)).do("POST", "/cases", map[string]any{"subject": "x"}).wantProblem(t, 400, "bad-idempotency-key", "a key over 255 characters")
	failed := ag.with("Idempotency-Key", "fails")
	failed.do("POST", "/cases", map[string]any{"subject": ""}).wantProblem(t, 422, "validation", "a keyed request that fails")
	failed.do("POST", "/cases", map[string]any{"subject": ""}).wantProblem(t, 422, "validation", "its retry")
	ag.do("GET", "/cases?text=once", nil).json(t, &page)
	if len(page.Cases) != 1 {
		t.Errorf("a keyed open and its retry opened %d cases, want 1", len(page.Cases))
	}

	// Delete, with its reason.
	ag.do("DELETE", "/cases/"+page.Cases[0].ID+"?reason=test&x=1", nil).wantProblem(t, 400, "bad-query", "an unknown parameter")
	ag.do("DELETE", "/cases/"+page.Cases[0].ID+"?reason=test", nil).want(t, 204, "delete")
	ag.do("GET", "/cases/"+page.Cases[0].ID, nil).wantProblem(t, 404, "not-found", "a deleted case")
	if strings.Contains(k.logs.String(), "level=ERROR") {
		t.Errorf("errors logged: %s", k.logs)
	}
}
