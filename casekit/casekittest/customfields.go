package casekittest

import (
	"testing"

	"casekit.dev/casekit"
)

// testCustomFields checks custom field definitions: every write of
// Custom is checked against them, values are kept in their type, and
// the list filters on them.
func testCustomFields(t *testing.T, newStore StoreFactory) {
	define := func(t *testing.T, e *Env) {
		t.Helper()
		for _, f := range []casekit.CustomField{
			{Key: "contract", Label: "Contract number", Type: casekit.CustomText, Required: true},
			{Key: "seats", Label: "Seats", Type: casekit.CustomNumber},
			{Key: "renewal", Label: "Renewal", Type: casekit.CustomDate},
			{Key: "plan", Label: "Plan", Type: casekit.CustomSelect, Options: []string{"basic", "pro"}},
			{Key: "vip", Label: "VIP", Type: casekit.CustomBool},
		} {
			must(t, e.Agent().Config().SaveCustomField(t.Context(), f), "SaveCustomField(%s)", f.Key)
		}
	}
	runEnvTests(t, newStore, []envTest{
		{"definitions are checked and listed", func(t *testing.T, e *Env) {
			ctx, d := t.Context(), e.Agent()
			wantRule(t, d.Config().SaveCustomField(ctx, casekit.CustomField{Key: "p", Label: "P", Type: casekit.CustomSelect}), "a select without options", "options", "required")
			wantRule(t, d.Config().SaveCustomField(ctx, casekit.CustomField{Key: "n", Label: "N", Type: casekit.CustomNumber, Options: []string{"x"}}), "options on a number", "options", "excluded")
			wantRule(t, d.Config().SaveCustomField(ctx, casekit.CustomField{Key: "bad key!", Label: "B", Type: casekit.CustomText}), "a bad key", "key", "key")
			wantRule(t, d.Config().SaveCustomField(ctx, casekit.CustomField{Key: "c", Label: "C", Type: "colour"}), "an unknown type", "type", "oneof")
			define(t, e)
			got := try(d.Config().CustomFields(ctx)).get(t)
			if len(got) != 5 || got[0].Key != "contract" || !got[0].Required || got[1].Key != "plan" || len(got[1].Options) != 2 {
				t.Fatalf("definitions: %+v", got)
			}
			if got[0].Audience != "" || got[0].CustomerReads() || got[0].CustomerSets() {
				t.Errorf("a field saved with no audience is not internal: %+v", got[0])
			}
			must(t, d.Config().DeleteCustomField(ctx, "vip"), "DeleteCustomField")
			wantIs(t, d.Config().DeleteCustomField(ctx, "vip"), casekit.ErrNotFound, "deleting twice")
		}},
		{"a field's audience is kept, replaced on a second save and checked", func(t *testing.T, e *Env) {
			ctx, d := t.Context(), e.Agent()
			wantRule(t, d.Config().SaveCustomField(ctx, casekit.CustomField{Key: "a", Label: "A", Type: casekit.CustomText, Audience: "everyone"}), "an unknown audience", "audience", "oneof")
			for _, step := range []struct {
				audience    casekit.CustomFieldAudience
				reads, sets bool
			}{{casekit.AudienceForm, true, true}, {casekit.AudienceCustomer, true, false}, {casekit.AudienceInternal, false, false}} {
				must(t, d.Config().SaveCustomField(ctx, casekit.CustomField{Key: "size", Label: "Size", Type: casekit.CustomText, Audience: step.audience}), "SaveCustomField(%s)", step.audience)
				got := try(d.Config().CustomFields(ctx)).get(t)
				if len(got) != 1 || got[0].CustomerReads() != step.reads || got[0].CustomerSets() != step.sets {
					t.Errorf("after saving with audience %q: %+v", step.audience, got)
				}
			}
		}},
		{"writes are checked against the definitions", func(t *testing.T, e *Env) {
			ctx, d := t.Context(), e.Agent()
			free := openWith(t, d, casekit.NewCase{Subject: "Before definitions", Custom: map[string]any{"anything": []any{1, "x"}}})
			define(t, e)
			_, err := d.OpenCase(ctx, casekit.NewCase{Subject: "Missing required"})
			wantRule(t, err, "a missing required field", "custom.contract", "required")
			for key, val := range map[string]any{"seats": "many", "renewal": "next week", "plan": "gold", "vip": "yes", "contract": 42, "colour": "red"} {
				_, err := d.OpenCase(ctx, casekit.NewCase{Subject: "Bad " + key, Custom: map[string]any{"contract": "C-1", key: val}})
				wantInvalid(t, err, "custom "+key+"="+fmtAny(val), "custom."+key)
			}
			c := openWith(t, d, casekit.NewCase{Subject: "Good", Custom: map[string]any{"contract": "C-1", "seats": "12", "renewal": "2027-01-31", "plan": "pro", "vip": true}})
			want := map[string]any{"contract": "C-1", "seats": 12.0, "renewal": "2027-01-31", "plan": "pro", "vip": true}
			wantEqual(t, want, e.reload(t, c.ID).Custom, "stored custom values")
			_, err = d.UpdateCase(ctx, c.ID, casekit.CaseUpdate{Custom: map[string]any{"contract": nil}})
			wantRule(t, err, "deleting a required field", "custom.contract", "required")
			_, err = d.UpdateCase(ctx, c.ID, casekit.CaseUpdate{Custom: map[string]any{"plan": "gold"}})
			wantRule(t, err, "a select value not among the options", "custom.plan", "select")
			u := try(d.UpdateCase(ctx, c.ID, casekit.CaseUpdate{Custom: map[string]any{"seats": 15, "vip": nil}})).get(t)
			wantEqual(t, map[string]any{"contract": "C-1", "seats": 15.0, "renewal": "2027-01-31", "plan": "pro"}, u.Custom, "custom after the update")
			// A case from before the definitions keeps its values until they are written.
			wantEqual(t, map[string]any{"anything": []any{1.0, "x"}}, e.reload(t, free.ID).Custom, "free-form values kept")
		}},
		{"a customer sets only the fields open to the form", func(t *testing.T, e *Env) {
			ctx, me := t.Context(), e.Desk(casekit.Customer("cust-1"))
			open := func(custom map[string]any) error {
				_, err := me.OpenCase(ctx, casekit.NewCase{Subject: "Mine", Custom: custom})
				return err
			}
			// With no definitions, Custom is free-form for the staff only.
			wantRule(t, open(map[string]any{"anything": "x"}), "a field with none defined", "custom.anything", "known")
			for _, f := range []casekit.CustomField{
				{Key: "contract", Label: "Contract", Type: casekit.CustomText, Required: true},
				{Key: "tier", Label: "Tier", Type: casekit.CustomText, Audience: casekit.AudienceCustomer},
				{Key: "size", Label: "Size", Type: casekit.CustomText, Required: true, Audience: casekit.AudienceForm},
			} {
				must(t, e.Agent().Config().SaveCustomField(ctx, f), "SaveCustomField(%s)", f.Key)
			}
			for key, why := range map[string]string{"contract": "an internal field", "tier": "a field the customer only reads", "nope": "an undefined field"} {
				wantRule(t, open(map[string]any{"size": "M", key: "x"}), why, "custom."+key, "known")
			}
			wantRule(t, open(nil), "a required form field left out", "custom.size", "required")
			// The internal required field is the staff's to fill.
			wantOK(t, open(map[string]any{"size": "M"}), "a form field alone")
			wantEqual(t, 1, len(try(e.Agent().ListCases(ctx, casekit.CaseFilter{})).get(t).Cases), "cases")
		}},
		{"the list filters on custom fields in their type", func(t *testing.T, e *Env) {
			ctx, d := t.Context(), e.Agent()
			define(t, e)
			a := openWith(t, d, casekit.NewCase{Subject: "A", Custom: map[string]any{"contract": "C-1", "seats": 10, "plan": "pro", "vip": true, "renewal": "2027-01-31"}})
			b := openWith(t, d, casekit.NewCase{Subject: "B", Custom: map[string]any{"contract": "C-2", "seats": 10.5, "plan": "basic", "vip": false}})
			openWith(t, d, casekit.NewCase{Subject: "C", Custom: map[string]any{"contract": "1"}})
			for name, tc := range map[string]struct {
				filter map[string]string
				want   []int64
			}{
				"text":            {map[string]string{"contract": "C-2"}, []int64{b.Number}},
				"number":          {map[string]string{"seats": "10"}, []int64{a.Number}},
				"fraction":        {map[string]string{"seats": "10.5"}, []int64{b.Number}},
				"select and bool": {map[string]string{"plan": "pro", "vip": "true"}, []int64{a.Number}},
				"false":           {map[string]string{"vip": "false"}, []int64{b.Number}},
				"date":            {map[string]string{"renewal": "2027-01-31"}, []int64{a.Number}},
				"none":            {map[string]string{"contract": "C-3"}, nil},
			} {
				got := numbers(try(d.ListCases(ctx, casekit.CaseFilter{Custom: tc.filter})).get(t).Cases)
				wantEqual(t, tc.want, got, "filter %s", name)
			}
			_, err := d.ListCases(ctx, casekit.CaseFilter{Custom: map[string]string{"colour": "red"}})
			wantRule(t, err, "filter on an unknown field", "custom.colour", "known")
			_, err = d.ListCases(ctx, casekit.CaseFilter{Custom: map[string]string{"seats": "many"}})
			wantRule(t, err, "a number filter that is not a number", "custom.seats", "number")
			_, err = d.ListCases(ctx, casekit.CaseFilter{Custom: map[string]string{"vip": "maybe"}})
			wantRule(t, err, "a bool filter that is not a bool", "custom.vip", "bool")
		}},
	})
}

func fmtAny(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int:
		return "int"
	}
	return "?"
}
