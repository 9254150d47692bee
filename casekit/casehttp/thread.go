package casehttp

import (
	"slices"
	"strings"

	"casekit.dev/casekit"
	"casekit.dev/templates"
)

// messageEntry is a message as the portal's thread shows it, labelled by
// who wrote it and which way it went: the visitor's own ("You"), a mail
// from the case's contact address ("You") or from another address (that
// address: a watcher, a colleague the mail was forwarded to), a customer
// of the case in the portal ("Customer"), or support's.
func messageEntry(m *casekit.Message, me casekit.Actor, contact string) templates.Entry {
	e := templates.Entry{Kind: "message", Subject: m.Subject, Body: m.Body, At: m.CreatedAt}
	how := map[casekit.Channel]string{casekit.ChannelEmail: "by e-mail", casekit.ChannelPortal: "in the portal",
		casekit.ChannelChat: "by chat", casekit.ChannelPhone: "by phone"}[m.Channel]
	switch {
	case m.Direction == casekit.Outbound:
		e.Author, e.Way = "Support", strings.TrimSpace("from support "+how)
		return e
	case m.CreatedBy == me, m.From != "" && strings.EqualFold(m.From, contact):
		e.Mine, e.Author = true, "You"
	case m.From != "" && m.CreatedBy.Kind != casekit.KindCustomer:
		e.Author = m.From
	default:
		e.Author = "Customer"
	}
	e.Way = strings.TrimSpace("to support " + how)
	return e
}

// relationLabels names each link role for the customer.
var relationLabels = map[casekit.LinkRole]string{
	casekit.RoleRelated:      "Related",
	casekit.RoleDuplicateOf:  "Duplicate of",
	casekit.RoleDuplicatedBy: "Duplicated by",
	casekit.RoleParent:       "Parent",
	casekit.RoleChild:        "Child",
}

// sortThread orders the thread by time, keeping messages before notes
// before activities at the same instant.
func sortThread(t []templates.Entry) {
	slices.SortStableFunc(t, func(a, b templates.Entry) int { return a.At.Compare(b.At) })
}
