package casekit

import (
	"fmt"
	"slices"
)

// A customer reads the staff's records through a customer view: what the
// case says to them, never how the staff work it. The commands a customer
// may run pass what they return through the functions below, and nowhere
// else decides what a customer sees of a record.
//
// A customer's view of a case keeps its subject, description, contact,
// type, category, priority, origin, service, status, dates, deadline and
// the SLA's promises to them (ResponseDue, ResolutionDue); it drops the
// tags the tenant has not made public (Settings.PublicTags), the custom
// fields that are not CustomField.CustomerReads (all of them while the
// tenant defines none, since free-form values were never marked for
// customers), the assignee, team, queue, support level, SLA policy, the
// SLA clock's pause accounting and the guided process. Staff IDs go from
// every record a customer reads: an agent shows as Actor{Kind: agent}.

// customerRules are what a tenant lets its customers read.
type customerRules struct {
	tags   map[string]bool // Settings.PublicTags
	fields map[string]bool // the keys of the fields customers read
}

// customerRules reads the tenant's rules (from the kit's config cache).
func (c *cmd) customerRules() (*customerRules, error) {
	s, err := c.tx.Settings(c.ctx)
	if err != nil {
		return nil, err
	}
	defs, err := c.customFields()
	if err != nil {
		return nil, err
	}
	r := &customerRules{tags: make(map[string]bool, len(s.PublicTags)), fields: make(map[string]bool, len(defs))}
	for _, t := range s.PublicTags {
		r.tags[t] = true
	}
	for _, f := range defs {
		r.fields[f.Key] = true
	}
	return r, nil
}

// customFields returns the custom field definitions the actor may read:
// for a customer only those CustomerReads, so that an internal field's
// key, label and options are not shown either.
func (c *cmd) customFields() ([]CustomField, error) {
	defs, err := c.tx.CustomFields(c.ctx)
	if err != nil || !c.customer() {
		return defs, err
	}
	return keep(defs, CustomField.CustomerReads), nil
}

// shown returns cs as the actor may read it: cs itself for the staff, a
// customer's view of it (a copy: cs may still be notified about) for a
// customer.
func (c *cmd) shown(cs *Case) (*Case, error) {
	if !c.customer() || cs == nil {
		return cs, nil
	}
	r, err := c.customerRules()
	if err != nil {
		return nil, err
	}
	return r.view(cs), nil
}

// showing, deferred by a command that returns a case in *out, turns it
// into the actor's view as the command ends, however it ends well; the
// command's notifications still see the case itself.
func (c *cmd) showing(out **Case, err *error) {
	if *err == nil {
		*out, *err = c.shown(*out)
	}
}

// shownList returns a list of records as the actor may read it: for the
// staff the list itself, for a customer copies of its records, in place,
// that hide (one of the hide functions) has taken the internal data out
// of.
func shownList[T any](c *cmd, all []*T, hide func(*T)) []*T {
	if !c.customer() {
		return all
	}
	for i, x := range all {
		v := *x
		hide(&v)
		all[i] = &v
	}
	return all
}

// shownAll is shown for a list of cases, reading the rules once.
func (c *cmd) shownAll(cases []*Case) ([]*Case, error) {
	if !c.customer() || len(cases) == 0 {
		return cases, nil
	}
	r, err := c.customerRules()
	if err != nil {
		return nil, err
	}
	out := make([]*Case, len(cases))
	for i, cs := range cases {
		out[i] = r.view(cs)
	}
	return out, nil
}

// view is a customer's view of cs: a copy without what is internal.
func (r *customerRules) view(cs *Case) *Case {
	v := *cs
	v.Tags = keep(cs.Tags, func(t string) bool { return r.tags[t] })
	v.Custom = nil
	for k, val := range cs.Custom {
		if r.fields[k] {
			if v.Custom == nil {
				v.Custom = map[string]any{}
			}
			v.Custom[k] = val
		}
	}
	v.AssigneeID, v.TeamID, v.QueueID, v.SupportLevel, v.SLAID = "", "", "", 0, ""
	v.SLAPausedAt, v.SLAPausedFor = nil, 0
	v.Process = nil
	v.CreatedBy = shownActor(cs.CreatedBy)
	return &v
}

// shownActor is who did something as a customer may learn it: customers
// and the system as they are, an agent without their staff ID.
func shownActor(a Actor) Actor {
	if a.Kind == KindAgent {
		return Actor{Kind: KindAgent}
	}
	return a
}

// hideActivity, hideNote and hideMessage take out of a copy of a record
// what a customer may not read of it (shownList): an activity's assignee
// and its author's staff ID, a note's or a message's author's staff ID.
// Customers see only the activities the contact was told of
// (activitiesOf), result and all.
func hideActivity(a *Activity) { a.AssigneeID, a.CreatedBy = "", shownActor(a.CreatedBy) }

func hideNote(n *Note) { n.CreatedBy = shownActor(n.CreatedBy) }

func hideMessage(m *Message) { m.CreatedBy = shownActor(m.CreatedBy) }

// shownLink hides the staff ID of a link's author from a customer.
func (c *cmd) shownLink(l CaseLink) CaseLink {
	if c.customer() {
		l.CreatedBy = shownActor(l.CreatedBy)
	}
	return l
}

// customerFilter refuses a customer's filter on what a customer may not
// read: assignee, team, queue, SLA policy and the SLA clock's state, the
// tags the tenant has not made public and the custom fields customers do
// not read (customFilter, through customFields). Each is a
// ValidationError on its field that depends on the filter alone, never on
// the cases, so a refusal tells nothing about which cases hold what.
func (c *cmd) customerFilter(f CaseFilter) error {
	if !c.customer() {
		return nil
	}
	var v validations
	for _, x := range []struct {
		field string
		set   bool
	}{
		{"assignee_id", f.AssigneeID != ""}, {"team_id", f.TeamID != ""}, {"queue_id", f.QueueID != ""}, {"sla_id", f.SLAID != ""},
		{"response_due_before", f.ResponseDueBefore != nil}, {"resolution_due_before", f.ResolutionDueBefore != nil}, {"breached", f.Breached},
	} {
		if x.set {
			v.Add(x.field, "internal", "customers may not filter by %s", x.field)
		}
	}
	r, err := c.customerRules()
	if err != nil {
		return err
	}
	if f.Tag != "" && !r.tags[f.Tag] {
		v.Add("tag", "public", "is not a tag customers may filter by")
	}
	for i, t := range f.Tags {
		if !r.tags[t] {
			v.Add(fmt.Sprintf("tags[%d]", i), "public", "is not a tag customers may filter by")
		}
	}
	return v.Err()
}

// customerTags refuses, for a customer, tags the tenant has not made
// public: a customer may label their own case only with tags they could
// see on it, as a ValidationError on tags[i] that depends on the tags
// alone.
func (c *cmd) customerTags(tags []string) error {
	if !c.customer() || len(tags) == 0 {
		return nil
	}
	r, err := c.customerRules()
	if err != nil {
		return err
	}
	var v validations
	for i, t := range tags {
		if !r.tags[t] {
			v.Add(fmt.Sprintf("tags[%d]", i), "public", "is not a tag customers may set")
		}
	}
	return v.Err()
}

// customerNoticeKeys are the keys of a notification's data that customers
// and watchers receive: the case's own, then each event's. Anything else
// an event records (assignees, a resolution's summary, canceled internal
// activities, an activity's result, staff notes) stays with the staff,
// and an event not listed tells them only about the case: an event that
// comes to notify customers must list its keys here. A notifier such as
// a webhook forwards the data whole, so this list is all they learn.
var customerNoticeKeys = map[EventType][]string{
	"":                 {"subject", "status", "status_label", "status_flags", "priority", "resolution_due", "rating_levels"},
	EventStatusChanged: {"from", "to"},
	EventResolved:      {"from", "to"},
	EventCanceled:      {"from", "to", "reason"},
	EventActivityAdded: {"activity_id", "kind", "activity_subject"},
	EventMessagePosted: {"message_id", "direction", "channel", "excerpt"},
	// The link itself (its token) is added for the contact only, by mailData.
	EventPortalLinkMailed: {"link_id", "expires_at"},
	EventTimeElapsed:      {"since", "hours", "business_hours"},
	// The stage a case reached, which a stage's notice to watchers names.
	EventStageChanged: {"process", "to"},
}

// customerNotice keeps of a notification's data what a customer or
// watcher may read (customerNoticeKeys). The content of an event about
// something that is not public (an internal message) is dropped whatever
// its keys.
func customerNotice(ev EventType, data map[string]any) map[string]any {
	keys := customerNoticeKeys[""]
	if p, ok := data["public"]; !ok || p == true {
		keys = append(slices.Clip(keys), customerNoticeKeys[ev]...)
	}
	out := make(map[string]any, len(keys))
	for _, k := range keys {
		if v, ok := data[k]; ok {
			out[k] = v
		}
	}
	return out
}
