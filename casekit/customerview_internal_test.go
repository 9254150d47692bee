package casekit

import (
	"maps"
	"slices"
	"testing"
)

// TestCustomerNoticeKeepsOnlyWhatCustomersRead checks the allow-list
// customers' and watchers' notifications pass through, including what no
// command sends them yet: a message's content only when it is public.
func TestCustomerNoticeKeepsOnlyWhatCustomersRead(t *testing.T) {
	base := map[string]any{"subject": "Broken", "status": "resolved", "priority": "high", "resolution_due": "2026-12-01T10:00:00Z"}
	with := func(m map[string]any) map[string]any {
		out := maps.Clone(base)
		maps.Copy(out, m)
		return out
	}
	for _, tc := range []struct {
		ev   EventType
		data map[string]any
		want []string
	}{
		{EventResolved, with(map[string]any{"from": "new", "to": "resolved", "summary": "Refunded", "assignee_id": "a-1", "canceled_activities": []string{"x"}}),
			[]string{"from", "priority", "resolution_due", "status", "subject", "to"}},
		{EventMessagePosted, with(map[string]any{"message_id": "m-1", "public": true, "excerpt": "Hello", "channel": "email"}),
			[]string{"channel", "excerpt", "message_id", "priority", "resolution_due", "status", "subject"}},
		{EventMessagePosted, with(map[string]any{"message_id": "m-2", "public": false, "excerpt": "FYI, colleague", "channel": "email"}),
			[]string{"priority", "resolution_due", "status", "subject"}},
		{EventAssigned, with(map[string]any{"changes": map[string]any{"assignee_id": []any{"", "a-1"}}}),
			[]string{"priority", "resolution_due", "status", "subject"}},
	} {
		got := slices.Sorted(maps.Keys(customerNotice(tc.ev, tc.data)))
		if !slices.Equal(got, tc.want) {
			t.Errorf("customerNotice(%s, %v) keeps %v, want %v", tc.ev, tc.data, got, tc.want)
		}
	}
}
