package casehttp_test

import (
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"casekit.dev/casekit"
	"casekit.dev/casekit/casehttp"
	"casekit.dev/casekit/casekittest"
	"casekit.dev/storage/sqlite"
)

func TestParseCaseFilter(t *testing.T) {
	q, _ := url.ParseQuery("status=new,in_progress&status=reopened&priority=high&status_flags=active&tags=a,b&all_tags=true" +
		"&type=incident&customer_id=c-1&assignee_id=a-1&team_id=t&queue_id=qa&tag=vip&sla_id=gold&q=%22blank+page%22" +
		"&sort=-updated&after=xyz&limit=20&custom.plan=pro&breached=1&created_after=2026-11-01T00:00:00Z&resolution_due_before=2026-11-30T12:00:00%2B01:00")
	got, err := casehttp.ParseCaseFilter(q)
	if err != nil {
		t.Fatal(err)
	}
	after := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	due := time.Date(2026, 11, 30, 11, 0, 0, 0, time.UTC)
	want := casekit.CaseFilter{Status: []string{"new", "in_progress", "reopened"}, Priority: []string{"high"}, StatusFlags: []string{"active"},
		Tags: []string{"a", "b"}, AllTags: true, Type: "incident", CustomerID: "c-1", AssigneeID: "a-1", TeamID: "t", QueueID: "qa",
		Tag: "vip", SLAID: "gold", Text: `"blank page"`, Sort: "-updated", After: "xyz", Limit: 20, Breached: true,
		Custom: map[string]string{"plan": "pro"}}
	if got.CreatedAfter == nil || !got.CreatedAfter.Equal(after) || got.ResolutionDueBefore == nil || !got.ResolutionDueBefore.Equal(due) {
		t.Fatalf("times: %v %v", got.CreatedAfter, got.ResolutionDueBefore)
	}
	got.CreatedAfter, got.ResolutionDueBefore = nil, nil
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
	for raw, field := range map[string]string{
		"colour=red":                        "colour",
		"created_before=yesterday":          "created_before",
		"breached=maybe":                    "breached",
		"limit=ten":                         "limit",
		"sort=a&sort=b":                     "sort",
		"text=a&q=b":                        "q",
		"tags=" + strings.Repeat("x,", 101): "tags",
	} {
		q, _ := url.ParseQuery(raw)
		_, err := casehttp.ParseCaseFilter(q)
		var ve *casekit.ValidationError
		if !errors.As(err, &ve) || ve.Field(field) == nil {
			t.Errorf("%s: got %v, want a ValidationError on %s", raw, err, field)
		}
	}
}

// FuzzCaseFilter feeds arbitrary query strings through ParseCaseFilter
// and Desk.ListCases on SQLite, as an agent and as a customer: the answer
// is a page or a *casekit.ValidationError, never a SQL error or a panic.
//
//	go test -run '^$' -fuzz FuzzCaseFilter -fuzztime 60s ./casekit/casehttp/
func FuzzCaseFilter(f *testing.F) {
	for _, s := range []string{
		"status=new&q=printer", "q=%231042", "q=%22unclosed", "q=a+OR+b+-c+*+%28%29+%3A+%27", "sort=priority&limit=1",
		"sort=due&after=YzI6ZHVlOjoxMjM", "status_flags=active,paused", "tags=a,b&all_tags=1", "breached=true",
		"created_after=2026-01-01T00:00:00Z&created_before=0001-01-01T00:00:00Z", "limit=-1", "limit=100000",
		"priority=%00", "text=" + strings.Repeat("x", 600), "status=nope", "after=%FF%FE",
	} {
		f.Add(s)
	}
	store, err := sqlite.Open(":memory:")
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { store.Close() }) // after the tenant is dropped
	kit, tenant := casekittest.NewKit(f, store)
	agent := kit.Desk(tenant).As(casekit.Agent("a-1"))
	for _, s := range []string{"Printer on fire", "Invoice wrong", "Blank page"} {
		if _, err := agent.OpenCase(f.Context(), casekit.NewCase{Subject: s, Description: "about " + s, CustomerID: "c-1"}); err != nil {
			f.Fatal(err)
		}
	}
	customer := kit.Desk(tenant).As(casekit.Customer("c-1"))
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		filter, err := casehttp.ParseCaseFilter(q)
		var ve *casekit.ValidationError
		if err != nil {
			if !errors.As(err, &ve) {
				t.Fatalf("ParseCaseFilter(%q): %v is not a ValidationError", raw, err)
			}
			return
		}
		for _, d := range []*casekit.Desk{agent, customer} {
			if _, err := d.ListCases(t.Context(), filter); err != nil && !errors.As(err, &ve) {
				t.Fatalf("ListCases(%+v) as %s: %v is not a ValidationError", filter, d.Actor(), err)
			}
		}
	})
}
