package templates

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"casekit.dev/casekit"
)

// Message is what a message template is given as its data (dot).
type Message struct {
	// Tenant is the tenant's ID.
	Tenant string
	// Event is the event type, e.g. "case.resolved"; EventID its ID.
	Event   string
	EventID string
	// Recipient is who the message is for: Kind is agent, customer, team
	// or watcher.
	Recipient Recipient
	// Case is the case the event is about.
	Case Case
	// Data is the event's own data, e.g. "from" and "to" of a status
	// change, "excerpt" of a message, "reason" of a cancellation.
	Data map[string]any
	// Ratings are the rating links of a resolution notice to a customer,
	// best level first; empty otherwise.
	Ratings []Rating
	// At is when the event happened.
	At time.Time
}

// Recipient is the person a message is for.
type Recipient struct {
	Kind  string
	Name  string
	Email string
}

// Case is what a message may say about its case.
type Case struct {
	Number int64
	// Subject is as the customer or agent typed it: the HTML part
	// escapes it.
	Subject     string
	Status      string
	StatusLabel string
	// StatusFlags are the status's flags: initial, progress, paused,
	// reopen, resolved, final, canceled.
	StatusFlags []string
	Priority    string
	// ResolutionDue is the resolution deadline, if the case has one.
	ResolutionDue *time.Time
	// URL is where the recipient reads the case, if the host said.
	URL string
}

// Rating is one rating link.
type Rating struct {
	Level int
	URL   string
}

// messageData turns a notification, as it comes from the outbox (its Data
// through JSON), into a template's data.
func messageData(n casekit.Notification, links Links) *Message {
	d := n.Data
	m := &Message{
		Tenant: n.Tenant, Event: string(n.Event), EventID: n.EventID, At: n.CreatedAt,
		Recipient: Recipient{Kind: string(n.Recipient.Kind), Name: n.Recipient.Name, Email: n.Recipient.Email},
		Case: Case{
			Number: n.CaseNumber, Subject: str(d["subject"]), Status: str(d["status"]),
			StatusLabel: str(d["status_label"]), Priority: str(d["priority"]),
			StatusFlags: strs(d["status_flags"]), ResolutionDue: timeOf(d["resolution_due"]),
		},
		Data: d,
	}
	if m.Case.StatusLabel == "" {
		m.Case.StatusLabel = m.Case.Status
	}
	m.Case.URL = links.Case
	if links.Rate != nil {
		for _, l := range ints(d["rating_levels"]) {
			m.Ratings = append(m.Ratings, Rating{Level: l, URL: links.Rate(l)})
		}
		slices.SortFunc(m.Ratings, func(a, b Rating) int { return b.Level - a.Level })
	}
	return m
}

func str(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	}
	return fmt.Sprint(v)
}

func strs(v any) []string {
	switch x := v.(type) {
	case []string:
		return x
	case []any:
		out := make([]string, 0, len(x))
		for _, s := range x {
			out = append(out, str(s))
		}
		return out
	}
	return nil
}

func ints(v any) []int {
	var out []int
	switch x := v.(type) {
	case []int:
		return x
	case []any:
		for _, i := range x {
			switch n := i.(type) {
			case float64:
				out = append(out, int(n))
			case int:
				out = append(out, n)
			case json.Number:
				if v, err := n.Int64(); err == nil {
					out = append(out, int(v))
				}
			}
		}
	}
	return out
}

func timeOf(v any) *time.Time {
	switch x := v.(type) {
	case time.Time:
		return &x
	case *time.Time:
		return x
	case string:
		if t, err := time.Parse(time.RFC3339Nano, x); err == nil {
			return &t
		}
	}
	return nil
}

// sampleLinks are the links a template is checked with.
var sampleLinks = Links{
	Case: "https://support.example.com/acme/cases/1042?t=a&b=<c>",
	Rate: func(level int) string {
		return fmt.Sprintf("https://support.example.com/acme/cases/1042/rate?level=%d", level)
	},
}

// sampleNotifications are what a template is checked against: the event
// as each kind of recipient may get it, with every field filled in and
// with the optional ones left out.
func sampleNotifications(ev casekit.EventType) []casekit.Notification {
	at := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	due := at.Add(52 * time.Hour).Format(time.RFC3339Nano)
	full := map[string]any{
		"subject": "Printer <b>on fire</b> & \"smoking\"", "status": "in_progress", "status_label": "In progress",
		"status_flags": []any{"progress"}, "priority": "high", "resolution_due": due,
		"from": "new", "to": "in_progress", "reason": "no_response", "excerpt": "It is still smoking.\nWhat now?",
		"rating_levels": []any{1.0, 2.0, 3.0, 4.0, 5.0}, "assignee_id": "a-1", "team_id": "t-1",
		"changes":        map[string]any{"assignee_id": map[string]any{"from": nil, "to": "a-1"}},
		"notify_contact": true, "activity_id": "x", "activity_subject": "Call back about the printer", "kind": "call",
		"deadline": "resolution", "due": due, "message_id": "m",
		"direction": "inbound", "channel": "portal", "public": true,
		"level": 2.0, "label": "Dissatisfied", "comment": "Still <broken>.", "action": "reopen", "unassigned": "a-1",
		"trigger": "remind-waiting", "trigger_name": "Remind a customer we wait for", "since": at.Add(-24 * time.Hour).Format(time.RFC3339Nano),
		"hours": 24.0, "business_hours": true, "process": "onboarding", "stage": "verify",
	}
	mk := func(kind casekit.RecipientKind, name string, data map[string]any) casekit.Notification {
		return casekit.Notification{ID: "00000000-0000-7000-8000-000000000001", Tenant: "acme", EventID: "00000000-0000-7000-8000-000000000002",
			Event: ev, CaseID: "00000000-0000-7000-8000-000000000003", CaseNumber: 1042,
			Recipient: casekit.Recipient{Kind: kind, ID: "r-1", Name: name, Email: "someone@example.com"},
			Data:      data, CreatedAt: at}
	}
	return []casekit.Notification{
		mk(casekit.RecipientCustomer, "Ada <Lovelace>", full),
		mk(casekit.RecipientAgent, "Grace Hopper", full),
		mk(casekit.RecipientWatcher, "", full),
		mk(casekit.RecipientTeam, "", map[string]any{"subject": "Printer", "status": "new"}),
	}
}
