package casekit

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"casekit.dev/casekit/store"
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
	at := time.Date(2031, time.March, 14, 7, 26, 53, 589793000, time.UTC)
	rank, neg := 30, -7
	for _, tc := range []struct {
		sort string
		pos  store.CasePosition
	}{
		{SortCreated, store.CasePosition{ID: id}},
		{SortCreatedDesc, store.CasePosition{ID: id}},
		{SortUpdated, store.CasePosition{ID: id, Time: &at}},
		{SortUpdatedDesc, store.CasePosition{ID: id, Time: &at}},
		{SortDue, store.CasePosition{ID: id, Time: &at}},
		{SortDue, store.CasePosition{ID: id}},
		{SortDueDesc, store.CasePosition{ID: id, Time: &at}},
		{SortDueDesc, store.CasePosition{ID: id}},
		{SortPriority, store.CasePosition{ID: id, Rank: &rank}},
		{SortPriority, store.CasePosition{ID: id, Rank: &neg}},
		{SortPriority, store.CasePosition{ID: id}},
		{SortPriorityDesc, store.CasePosition{ID: id, Rank: &rank}},
		{SortPriorityDesc, store.CasePosition{ID: id}},
	} {
		cur := encodeCursor(tc.sort, tc.pos)
		if len(cur) > maxCursorLen {
			t.Errorf("cursor %q is longer than %d", cur, maxCursorLen)
		}
		got, err := decodeCursor(cur, tc.sort)
		if err != nil {
			t.Errorf("decodeCursor(encodeCursor(%s, %+v)) = %v", tc.sort, tc.pos, err)
			continue
		}
		if got.ID != id || (got.Time == nil) != (tc.pos.Time == nil) || (got.Time != nil && !got.Time.Equal(at)) ||
			got.Time != nil && got.Time.Location() != time.UTC ||
			(got.Rank == nil) != (tc.pos.Rank == nil) || (got.Rank != nil && *got.Rank != *tc.pos.Rank) {
			t.Errorf("decodeCursor(encodeCursor(%s, %+v)) = %+v", tc.sort, tc.pos, got)
		}
		for _, other := range sorts {
			if _, err := decodeCursor(cur, other); other != tc.sort && !isCursorError(err) {
				t.Errorf("a %s cursor in a %s list: got %v, want a cursor error", tc.sort, other, err)
			}
		}
	}
	// The default sort is SortCreatedDesc, and so are the c1 cursors from
	// before sorting.
	if got, err := decodeCursor(encodeCursor("", store.CasePosition{ID: id}), SortCreatedDesc); err != nil || got.ID != id {
		t.Errorf("a default-sort cursor in a -created list: %+v, %v", got, err)
	}
	v1 := b64("c1:" + id)
	for _, sort := range []string{"", SortCreatedDesc} {
		if got, err := decodeCursor(v1, sort); err != nil || got.ID != id || got.Time != nil || got.Rank != nil {
			t.Errorf("decodeCursor(c1 cursor, %q) = %+v, %v; want the ID", sort, got, err)
		}
	}
	for _, sort := range []string{SortCreated, SortUpdated, SortPriority, SortDueDesc} {
		if _, err := decodeCursor(v1, sort); !isCursorError(err) {
			t.Errorf("decodeCursor(c1 cursor, %q) = %v, want a cursor error", sort, err)
		}
	}
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func isCursorError(err error) bool {
	var ve *ValidationError
	return errors.As(err, &ve) && len(ve.Fields) == 1 && ve.Field("after") != nil && ve.Field("after").Rule == "cursor"
}

func TestCursorGarbage(t *testing.T) {
	id := newID()
	for _, tc := range []struct{ sort, cursor string }{
		{"", ""},
		{"", "x"},
		{"", "!!!"},
		{"", "garbage!"},
		{"", "' OR 1=1 --"},
		{"", "YzE6"}, // "c1:"
		{"", b64("c1:not-a-uuid")},
		{"", b64("c1:" + strings.ToUpper(id))},
		{"", b64("c1:{" + id + "}")},
		{"", b64(id)},
		{"", b64("c2:" + id)},
		{"", b64("c3:-created::" + id)},
		{"", b64("C2:-created::" + id)},
		{"", b64("c2:-created::" + id + ":")},
		{"", b64("c2:-created:" + id)},
		{"", b64("c2:-created:1:" + id)},
		{"", b64("c2:newest::" + id)},
		{"", b64("c2:-created::" + strings.ReplaceAll(id, "-", ""))},
		{"", b64("c2:-created::" + id)[1:]},
		{"", b64("c2:-created::"+id) + "="},
		{"", strings.Repeat("A", 10000)},
		{"", b64("c2:-created::" + id + strings.Repeat(" ", 200))},
		{SortUpdated, b64("c2:updated::" + id)},
		{SortUpdated, b64("c2:updated:abc:" + id)},
		{SortUpdated, b64("c2:updated:1.5:" + id)},
		{SortUpdated, b64("c2:updated:+15:" + id)},
		{SortUpdated, b64("c2:updated:015:" + id)},
		{SortUpdated, b64("c2:updated:99999999999999999999:" + id)},
		{SortUpdated, b64("c2:updated:-9223372036854775808:" + id)},
		{SortUpdated, b64("c2:updated:253402300800000000:" + id)}, // year 10000
		{SortDue, b64("c2:due:2031-03-14:" + id)},
		{SortDue, b64("c2:due:null:" + id)},
		{SortPriority, b64("c2:priority:high:" + id)},
		{SortPriority, b64("c2:priority:1e3:" + id)},
		{SortPriority, b64("c2:priority:-0:" + id)},
		{SortPriority, b64("c2:priority:99999999999999999999:" + id)},
		{SortPriority, b64("c2:priority:30:" + id + "'; DROP TABLE cases; --")},
		{SortCreated, b64("c2:created:5:" + id)},
	} {
		if got, err := decodeCursor(tc.cursor, tc.sort); !isCursorError(err) {
			t.Errorf("decodeCursor(%q, %q) = %+v, %v; want a cursor error", tc.cursor, tc.sort, got, err)
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
