package casekit

import (
	"fmt"
	"time"
)

// SLA is a service-level policy: how soon a case must get its first
// response and its resolution, by priority, counted in the working time of
// a business calendar.
type SLA struct {
	ID   string `json:"id" validate:"required,key"`
	Name string `json:"name" validate:"required,max=200"`
	// CalendarID names the business calendar the targets are counted in;
	// empty counts around the clock.
	CalendarID string `json:"calendar_id,omitempty" validate:"omitempty,key"`
	// WarnBefore is how long before a deadline, in wall-clock time, the
	// case records an SLA warning; 0 warns not at all.
	WarnBefore time.Duration `json:"warn_before" validate:"min=0"`
	// Targets holds one target per priority key. A case whose priority has
	// no target gets no deadlines.
	Targets []SLATarget `json:"targets" validate:"required,min=1,max=50,dive"`
}

// SLATarget is an SLA's targets for one priority, in working time.
type SLATarget struct {
	Priority      string        `json:"priority" validate:"required,max=64"`
	FirstResponse time.Duration `json:"first_response"`
	Resolution    time.Duration `json:"resolution"`
}

// maxSLATarget bounds a target: ten years of working time.
const maxSLATarget = 10 * 365 * 24 * time.Hour

// validateSLA checks an SLA's fields and that every target is positive,
// names a known priority once, and gives a resolution no sooner than the
// first response.
func validateSLA(s SLA, prios lookupSet) error {
	var v validations
	if err := v.merge(validateStruct(s)); err != nil {
		return err
	}
	seen := map[string]bool{}
	for i, t := range s.Targets {
		f := func(name string) string { return fmt.Sprintf("targets[%d].%s", i, name) }
		if _, ok := prios[t.Priority]; !ok && t.Priority != "" {
			v.add(f("priority"), "known", "unknown priority %q", t.Priority)
		}
		if seen[t.Priority] {
			v.add(f("priority"), "unique", "priority %q has two targets", t.Priority)
		}
		seen[t.Priority] = true
		for _, d := range []struct {
			name string
			val  time.Duration
		}{{"first_response", t.FirstResponse}, {"resolution", t.Resolution}} {
			switch {
			case d.val <= 0:
				v.add(f(d.name), "gt", "must be a positive duration, not %v", d.val)
			case d.val > maxSLATarget:
				v.add(f(d.name), "max", "must be at most %v", maxSLATarget)
			}
		}
		if t.FirstResponse > 0 && t.Resolution > 0 && t.Resolution < t.FirstResponse {
			v.add(f("resolution"), "gtefield", "must not be sooner than the first response (%v)", t.FirstResponse)
		}
	}
	return v.err()
}

// target returns the SLA's target for a priority.
func (s SLA) target(priority string) (SLATarget, bool) {
	for _, t := range s.Targets {
		if t.Priority == priority {
			return t, true
		}
	}
	return SLATarget{}, false
}

// Reclassification changes what a case is about and which SLA it runs
// under; the deadlines are computed again. Nil fields stay as they are; an
// empty SLA string takes the case off any SLA.
type Reclassification struct {
	Type     *string `json:"type" validate:"omitempty,max=100"`
	Category *string `json:"category" validate:"omitempty,max=100"`
	Service  *string `json:"service" validate:"omitempty,max=100"`
	SLA      *string `json:"sla" validate:"omitempty,max=64"`
	// Reason says why, for the history.
	Reason string `json:"reason" validate:"max=2000"`
}
