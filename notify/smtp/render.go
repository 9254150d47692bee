package smtp

import (
	"fmt"
	"strings"

	"casekit.dev/casekit"
)

// Render is the default renderer: a plain text mail whose subject names
// the case and the event, as in "[#42] Printer on fire — case resolved",
// and whose body lists the case number and subject, the event, the
// status and the priority. It never fails.
func Render(n casekit.Notification) (Message, error) {
	subject, _ := n.Data["subject"].(string)
	subject = strings.Join(strings.Fields(subject), " ")
	event := EventPhrase(n.Event)

	var s strings.Builder
	if n.CaseNumber != 0 {
		fmt.Fprintf(&s, "[#%d] ", n.CaseNumber)
	}
	if subject != "" {
		s.WriteString(subject + " — ")
	}
	s.WriteString(event)

	var b strings.Builder
	switch {
	case n.CaseNumber != 0 && subject != "":
		fmt.Fprintf(&b, "Case #%d: %s\n", n.CaseNumber, subject)
	case n.CaseNumber != 0:
		fmt.Fprintf(&b, "Case #%d\n", n.CaseNumber)
	case subject != "":
		fmt.Fprintf(&b, "Case: %s\n", subject)
	}
	fmt.Fprintf(&b, "Event: %s\n", event)
	for _, k := range []string{"status", "priority"} {
		if v, ok := n.Data[k]; ok && v != nil && fmt.Sprint(v) != "" {
			fmt.Fprintf(&b, "%s%s: %v\n", strings.ToUpper(k[:1]), k[1:], v)
		}
	}
	b.WriteString("\nThis message was sent automatically.\n")
	return Message{Subject: s.String(), Text: b.String()}, nil
}

// EventPhrase says an event type in words for a subject line, e.g.
// "case resolved" for casekit.EventResolved and "new message" for
// casekit.EventMessagePosted; an unknown type reads as its words.
func EventPhrase(t casekit.EventType) string {
	switch t {
	case casekit.EventCaseOpened:
		return "new case"
	case casekit.EventStatusChanged:
		return "status changed"
	case casekit.EventMessagePosted:
		return "new message"
	case casekit.EventSLAWarning:
		return "SLA warning"
	case casekit.EventSLABreached:
		return "SLA breached"
	}
	return strings.NewReplacer(".", " ", "_", " ").Replace(string(t))
}
