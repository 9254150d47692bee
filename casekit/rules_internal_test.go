package casekit

import (
	"errors"
	"strings"
	"testing"
)

func TestValidateTenantID(t *testing.T) {
	for _, tc := range []struct {
		id   string
		rule string
	}{
		{"acme", ""},
		{"acme-2", ""},
		{"a", ""},
		{strings.Repeat("a", 48), ""},
		{"", "required"},
		{strings.Repeat("a", 49), "slug"},
		{"UPPER", "slug"},
		{"2acme", "slug"},
		{"acme-", "slug"},
		{"a_b", "slug"},
		{"a/b", "slug"},
		{"../etc", "slug"},
		{`x"; drop schema public; --`, "slug"},
	} {
		err := ValidateTenantID(tc.id)
		if tc.rule == "" {
			if err != nil {
				t.Errorf("ValidateTenantID(%q) = %v, want nil", tc.id, err)
			}
			continue
		}
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Field("tenant") == nil || ve.Field("tenant").Rule != tc.rule {
			t.Errorf("ValidateTenantID(%q) = %v, want rule %q on field tenant", tc.id, err, tc.rule)
		}
	}
}

func TestParseActorRoundTrip(t *testing.T) {
	for _, a := range []Actor{Agent("u-17"), Customer("c:3"), System} {
		got, err := ParseActor(a.String())
		if err != nil || got != a {
			t.Errorf("ParseActor(%q) = %v, %v; want %v", a.String(), got, err, a)
		}
	}
	for _, s := range []string{"", "agent", "agent:", "robot:1"} {
		if _, err := ParseActor(s); err == nil {
			t.Errorf("ParseActor(%q) succeeded, want an error", s)
		}
	}
}

func TestDefaultStatusSetIsValid(t *testing.T) {
	if err := validateStatusSet(DefaultStatuses(), DefaultTransitions()); err != nil {
		t.Fatal(err)
	}
}

func TestValidateStatusSetRefuses(t *testing.T) {
	mod := func(f func([]Status) []Status) []Status { return f(DefaultStatuses()) }
	for _, tc := range []struct {
		name     string
		statuses []Status
		ts       []Transition
		rule     string
	}{
		{"no initial", mod(func(s []Status) []Status { s[0].Initial = false; return s }), nil, "initial"},
		{"two initial", mod(func(s []Status) []Status { s[1].Initial = true; return s }), nil, "initial"},
		{"duplicate key", mod(func(s []Status) []Status { return append(s, s[2]) }), nil, "unique"},
		{"no resolved", mod(func(s []Status) []Status { s[4].Resolved = false; return s }), nil, "resolved"},
		{"no canceled", mod(func(s []Status) []Status { return s[:6] }), nil, "canceled"},
		{"canceled not final", mod(func(s []Status) []Status { s[6].Final = false; return s }), nil, "flags"},
		{"no reopen", mod(func(s []Status) []Status { s[3].Reopen = false; return s }), nil, "reopen"},
		{"unknown transition", DefaultStatuses(), []Transition{{From: "new", To: "limbo"}}, "known"},
	} {
		err := validateStatusSet(tc.statuses, tc.ts)
		var ve *ValidationError
		if !errors.As(err, &ve) {
			t.Errorf("%s: got %v, want a ValidationError", tc.name, err)
			continue
		}
		found := false
		for _, f := range ve.Fields {
			found = found || f.Rule == tc.rule
		}
		if !found {
			t.Errorf("%s: got %v, want rule %q", tc.name, err, tc.rule)
		}
	}
}

func TestCursorRoundTrip(t *testing.T) {
	id := newID()
	got, err := decodeCursor(encodeCursor(id))
	if err != nil || got != id {
		t.Fatalf("decodeCursor(encodeCursor(%s)) = %q, %v", id, got, err)
	}
	for _, bad := range []string{"x", "!!!", encodeCursor("not-a-uuid"), "YzE6"} {
		if _, err := decodeCursor(bad); err == nil {
			t.Errorf("decodeCursor(%q) succeeded", bad)
		}
	}
}

func TestValidationErrorNamesJSONFields(t *testing.T) {
	err := validateStruct(NewCase{Contact: Contact{Email: "nope"}, Tags: []string{""}})
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("got %v", err)
	}
	for field, rule := range map[string]string{"subject": "required", "contact.email": "email", "tags[0]": "required"} {
		if f := ve.Field(field); f == nil || f.Rule != rule {
			t.Errorf("field %s: got %+v, want rule %s (all: %v)", field, f, rule, err)
		}
	}
}
