package smtp

import (
	"fmt"
	"strings"

	"casekit.dev/casekit"
)

// Render is the default renderer: a plain text mail whose subject names
// the case and the event, as in "[#42] Printer on fire — case resolved",
// and whose body lists the case number and subject, the event, the
// status and the priority. An agent's message to a customer or watcher is
// the message itself, under "[#42] Printer on fire". It never fails.
func Render(n casekit.Notification) (Message, error) {
	subject, _ := n.Data["subject"].(string)
	subject = strings.Join(strings.Fields(subject), " ")
	event := EventPhrase(n.Event)
	if body, ok := n.Data["body"].(string); ok && n.Event == casekit.EventMessagePosted && n.Recipient.Kind != casekit.RecipientAgent && n.Recipient.Kind != casekit.RecipientTeam {
		head := fmt.Sprintf("[#%d] %s", n.CaseNumber, subject)
		return Message{Subject: strings.TrimSpace(head), Text: body + "\n\n--\n" + head + "\nReply to this mail to answer.\n"}, nil
	}

	var s strings.Builder
	if n.CaseNumber != 0 {
		fmt.Fprintf(&s, "[#%d] ", n.CaseNumber)
	}
	if subject != "" {
		s.WriteString(subject + " — ")
	}
	s.WriteString(event)

	var b strings.Builder
	if n.Data["acknowledgement"] == true {
		fmt.Fprintf(&b, "We have your case #%d: %s\nTo add to it, reply to this mail.\n\n", n.CaseNumber, subject)
	}
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
