package casekit

import (
	"fmt"
	"maps"
)

// checkSetStatus adds a failure for a set_status action naming a status
// the tenant does not have, or closing without one of the tenant's
// closure reasons in Field.
func (c *cmd) checkSetStatus(v *validations, field func(string) string, a Action) error {
	set, err := c.statuses()
	if err != nil {
		return err
	}
	to, ok := set.get(a.Value)
	switch {
	case !ok:
		v.Add(field("value"), "known", "%q is not one of the tenant's statuses", a.Value)
	case to.Final && !to.Canceled && a.Field == "":
		v.Add(field("field"), "required", "closing needs a closure reason")
	case to.Final && !to.Canceled:
		return c.checkLookups(v, map[LookupKind][2]string{LookupClosureReason: {field("field"), a.Field}})
	}
	return nil
}

// planStatus works out a set_status action on the case as next stands:
// the move must be one the tenant's transition table allows, and a
// resolved or closed case only closes or cancels (reopening needs a
// person's reason). A move it cannot make is a ValidationError on
// field, so that a trigger with SkipFailed skips it.
func (c *cmd) planStatus(r *actionResult, next *Case, a Action, field string) error {
	cur, set, err := c.status(next)
	if err != nil {
		return err
	}
	to, _ := set.get(a.Value) // checkActions made sure it is there
	if to.Key == cur.Key {
		r.Status, r.closure = "", ""
		return nil
	}
	if (cur.ReadOnly() && !to.Final) || !set.can(cur.Key, to.Key) {
		return invalid(field, "transition", "case %s cannot move from %s to %s", next.ID, cur.Key, to.Key)
	}
	r.Status, r.closure = to.Key, a.Field
	return nil
}

// applyStatus makes the move planStatus worked out, after the actions'
// other changes, as SetStatus, Resolve, Close or Cancel would, canceling
// open activities on the way to a resolved or final status: a rule has
// no one to ask about them. The move's event gets data too; a closure's
// note names the rule.
func (c *cmd) applyStatus(cs *Case, r *actionResult, data map[string]any) error {
	cur, set, err := c.status(cs)
	if err != nil {
		return err
	}
	to, _ := set.get(r.Status)
	switch {
	case to.Canceled:
		err = c.cancel(cs, cur, to, "")
	case to.Final:
		err = c.closeTo(cs, cur, to, Closure{Reason: r.closure, Note: "Closed by " + ruleName(data) + ".", CancelOpenActivities: true})
	case to.Resolved:
		err = c.resolve(cs, cur, to, Resolution{CancelOpenActivities: true})
	default:
		err = c.moveTo(cs, cur, to, EventStatusChanged, nil)
	}
	if err != nil {
		return err
	}
	maps.Copy(c.events[len(c.events)-1].Data, data) // the move's event is the last recorded
	return nil
}

// ruleName says which rule acted, from the data apply records with its
// changes.
func ruleName(data map[string]any) string {
	if name := str(data["trigger_name"]); name != "" {
		return fmt.Sprintf("the trigger %q", name)
	}
	return fmt.Sprintf("stage %q of process %q", str(data["stage"]), str(data["process"]))
}
