package casetype

import (
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

// target returns the SLA's target for a priority.
func (s SLA) Target(priority string) (SLATarget, bool) {
	for _, t := range s.Targets {
		if t.Priority == priority {
			return t, true
		}
	}
	return SLATarget{}, false
}
