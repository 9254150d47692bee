package casekit

import "context"

// CaseView is a case with what its page shows, read in one transaction
// (Desk.CaseView): for a customer, only the public messages and notes and
// the activities the contact was told of, as Messages, Notes and
// Activities give them, and only the linked cases the customer may see.
// Allowed lists the statuses the case may move to from its current one,
// in display order (what a status bar offers); it is empty for a
// customer, who sets no status.
type CaseView struct {
	Case       *Case        `json:"case"`
	Messages   []*Message   `json:"messages"`
	Notes      []*Note      `json:"notes"`
	Activities []*Activity  `json:"activities"`
	Linked     []LinkedCase `json:"linked"`
	Allowed    []Status     `json:"allowed,omitempty"`
}

// CaseView returns a case with its messages, notes, activities, linked
// cases and the statuses it may move to, read in one transaction, so that a page showing them all sees
// one state of the case and costs one round of reads instead of five.
func (d *Desk) CaseView(ctx context.Context, id string) (*CaseView, error) {
	return runValue(d, ctx, "case view", customerRead, func(c *cmd) (out *CaseView, err error) {
		cs, err := c.load(id, false)
		if err != nil {
			return nil, err
		}
		v := &CaseView{}
		if v.Case, err = c.shown(cs); err != nil {
			return nil, err
		}
		if v.Messages, err = c.messagesOf(cs); err != nil {
			return nil, err
		}
		if v.Notes, err = c.notesOf(cs); err != nil {
			return nil, err
		}
		if v.Activities, err = c.activitiesOf(cs); err != nil {
			return nil, err
		}
		if v.Linked, err = c.linkedOf(cs); err != nil {
			return nil, err
		}
		if c.actor.Kind != KindCustomer {
			if v.Allowed, err = c.allowedStatuses(cs); err != nil {
				return nil, err
			}
		}
		return v, nil
	})
}
