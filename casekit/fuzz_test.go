package casekit_test

import (
	"encoding/json"
	"errors"
	"testing"

	"casekit.dev/casekit"
	"casekit.dev/casekit/casekittest"
	"casekit.dev/storage/sqlite"
)

// FuzzCaseInput decodes arbitrary JSON into a NewCase and a CaseUpdate and
// runs them on SQLite: each command succeeds or is refused with a
// *casekit.ValidationError (or, for the update, ErrConflict on a stale
// IfVersion), never a store error or a panic; what was accepted reads back
// as given.
//
//	go test -run '^$' -fuzz FuzzCaseInput -fuzztime 60s ./casekit/
func FuzzCaseInput(f *testing.F) {
	for _, s := range [][2]string{
		{`{"subject":"Printer on fire","description":"smoke","contact":{"email":"ada@example.com"},"tags":["a","b"]}`, `{"if_version":1,"subject":"Printer","priority":"high"}`},
		{`{"subject":"x\u0000y"}`, `{"subject":""}`},
		{`{"subject":"\udcff"}`, `{"tags":["\u0000"]}`},
		{`{"subject":"d","deadline":"0001-01-01T00:00:00Z"}`, `{"deadline":"9999-12-31T23:59:59Z"}`},
		{`{"subject":"c","custom":{"a":{"b":[1,"\u0000",null]}}}`, `{"custom":{"k":1e308}}`},
		{`{"subject":"p","priority":"nope","team_id":"ghost","queue_id":"q","sla_id":"../x"}`, `{"priority":"low"}`},
		{`{"subject":"e","contact":{"email":"not an address","name":"<b>"}}`, `{"contact":{"email":"a@b.c"}}`},
		{`{"subject":"t","tags":["` + "x" + `",""]}`, `{"if_version":99,"type":"incident"}`},
	} {
		f.Add(s[0], s[1])
	}
	store, err := sqlite.Open(":memory:")
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { store.Close() }) // after the tenant is dropped
	kit, tenant := casekittest.NewKit(f, store)
	d := kit.Desk(tenant).As(casekit.Agent("a-1"))
	refused := func(err error, also ...error) bool {
		var ve *casekit.ValidationError
		if errors.As(err, &ve) {
			return true
		}
		for _, e := range also {
			if errors.Is(err, e) {
				return true
			}
		}
		return false
	}
	f.Fuzz(func(t *testing.T, newJSON, updateJSON string) {
		var in casekit.NewCase
		if json.Unmarshal([]byte(newJSON), &in) != nil {
			return
		}
		c, err := d.OpenCase(t.Context(), in)
		if err != nil {
			if !refused(err) {
				t.Fatalf("OpenCase(%s): %v", newJSON, err)
			}
			return
		}
		got, err := d.Case(t.Context(), c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Subject != in.Subject || got.Description != in.Description || got.Contact.Email != in.Contact.Email {
			t.Fatalf("read back %q %q %q, opened with %q %q %q", got.Subject, got.Description, got.Contact.Email, in.Subject, in.Description, in.Contact.Email)
		}
		var up casekit.CaseUpdate
		if json.Unmarshal([]byte(updateJSON), &up) != nil {
			return
		}
		u, err := d.UpdateCase(t.Context(), c.ID, up)
		if err != nil {
			if !refused(err, casekit.ErrConflict) {
				t.Fatalf("UpdateCase(%s): %v", updateJSON, err)
			}
			return
		}
		if up.Subject != nil && u.Subject != *up.Subject {
			t.Fatalf("subject %q after an update to %q", u.Subject, *up.Subject)
		}
	})
}
