package casekittest

import (
	"slices"
	"strings"
	"testing"

	"casekit.dev/casekit"
)

func testValidation(t *testing.T, newStore StoreFactory) {
	runEnvTests(t, newStore, []envTest{
		{"OpenCase refuses bad input, naming the field, and writes nothing", func(t *testing.T, e *Env) {
			ctx := t.Context()
			many := make([]string, 51)
			for i := range many {
				many[i] = "t" + strings.Repeat("x", i)
			}
			for _, tc := range []struct {
				name, field, rule string
				in                casekit.NewCase
			}{
				{"no subject", "subject", "required", casekit.NewCase{}},
				{"a blank subject", "subject", "required", casekit.NewCase{Subject: " \t\n "}},
				{"a subject over 300 characters", "subject", "max", casekit.NewCase{Subject: strings.Repeat("s", 301)}},
				{"a description over 100000 characters", "description", "max", casekit.NewCase{Subject: "s", Description: strings.Repeat("d", 100001)}},
				{"a bad contact e-mail", "contact.email", "email", casekit.NewCase{Subject: "s", Contact: casekit.Contact{Email: "ada-at-example"}}},
				{"a contact name over 200 characters", "contact.name", "max", casekit.NewCase{Subject: "s", Contact: casekit.Contact{Name: strings.Repeat("n", 201)}}},
				{"a customer ID over 200 characters", "customer_id", "max", casekit.NewCase{Subject: "s", CustomerID: strings.Repeat("c", 201)}},
				{"an unknown priority", "priority", "known", casekit.NewCase{Subject: "s", Priority: "urgent"}},
				{"an unknown type", "type", "known", casekit.NewCase{Subject: "s", Type: "rant"}},
				{"an unknown origin", "origin", "known", casekit.NewCase{Subject: "s", Origin: "pigeon"}},
				{"an empty tag", "tags[1]", "required", casekit.NewCase{Subject: "s", Tags: []string{"ok", ""}}},
				{"51 tags", "tags", "max", casekit.NewCase{Subject: "s", Tags: many}},
			} {
				wantRule(t, errOf(e.Agent().OpenCase(ctx, tc.in)), "OpenCase with "+tc.name, tc.field, tc.rule)
			}
			// Every failed field at once.
			err := errOf(e.Agent().OpenCase(ctx, casekit.NewCase{Contact: casekit.Contact{Email: "nope"}, Priority: "urgent", Type: "rant"}))
			if ve := wantInvalid(t, err, "OpenCase with four bad fields", "subject", "contact.email", "priority", "type"); ve != nil && len(ve.Fields) != 4 {
				t.Errorf("OpenCase with four bad fields: %d field errors, want 4: %v", len(ve.Fields), err)
			}
			// Nothing was written: the next case is #1, alone, with one event.
			c := e.open(t, "Valid", "cust-1")
			if c.Number != 1 {
				t.Errorf("first valid case has number %d, want 1", c.Number)
			}
			if page := try(e.Agent().ListCases(ctx, casekit.CaseFilter{})).get(t); !slices.Equal(ids(page.Cases), []string{c.ID}) {
				t.Errorf("ListCases = %v, want only the valid case", numbers(page.Cases))
			}
			if evs := e.history(t, c.ID); !slices.Equal(types(evs), []casekit.EventType{casekit.EventCaseOpened}) {
				t.Errorf("history of the valid case = %v, want only case.opened", types(evs))
			}
			if evs := e.tenantEvents(t); len(evs) != 0 {
				t.Errorf("refused OpenCase calls left tenant events %v", types(evs))
			}
		}},
		{"ListCases refuses a bad filter", func(t *testing.T, e *Env) {
			ctx := t.Context()
			e.open(t, "Some case", "cust-1")
			for _, tc := range []struct {
				name, field string
				f           casekit.CaseFilter
			}{
				{"a negative limit", "limit", casekit.CaseFilter{Limit: -1}},
				{"a limit over 500", "limit", casekit.CaseFilter{Limit: 501}},
				{"text over 500 characters", "text", casekit.CaseFilter{Text: strings.Repeat("w", 501)}},
				{"an unknown status", "status", casekit.CaseFilter{Status: []string{"new", "limbo"}}},
			} {
				wantInvalid(t, errOf(e.Agent().ListCases(ctx, tc.f)), "ListCases with "+tc.name, tc.field)
			}
			if page := try(e.Agent().ListCases(ctx, casekit.CaseFilter{Limit: 500})).get(t); len(page.Cases) != 1 {
				t.Errorf("ListCases with Limit 500 = %d cases, want 1", len(page.Cases))
			}
		}},
		{"Resolve refuses a summary over 100000 characters", func(t *testing.T, e *Env) {
			c := e.open(t, "Resolve", "cust-1")
			before := e.state(t, c.ID)
			wantRule(t, errOf(e.Agent().Resolve(t.Context(), c.ID, casekit.Resolution{Summary: strings.Repeat("s", 100001)})), "Resolve with a long summary", "summary", "max")
			wantUnchanged(t, before, e.state(t, c.ID), "after the refused Resolve")
		}},
		{"a ValidationError lists every failed field with its rule and a message", func(t *testing.T, e *Env) {
			err := errOf(e.Agent().OpenCase(t.Context(), casekit.NewCase{Subject: "", Priority: "urgent"}))
			ve := wantInvalid(t, err, "OpenCase", "subject", "priority")
			if ve == nil {
				return
			}
			for _, f := range ve.Fields {
				if f.Rule == "" || f.Message == "" {
					t.Errorf("field error %+v lacks a rule or a message", f)
				}
				if !strings.Contains(err.Error(), f.Field) {
					t.Errorf("error %q does not mention the field %q", err, f.Field)
				}
			}
			if ve.Field("description") != nil {
				t.Errorf("Field(description) = %+v for a field that passed", ve.Field("description"))
			}
		}},
	})
}
