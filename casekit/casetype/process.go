package casetype

import (
	"strings"
	"time"
)

// Process is one of a tenant's guided business processes: ordered stages,
// each naming the case fields that must be filled before the case moves
// on to the next.
type Process struct {
	Key    string  `json:"key" validate:"required,key"`
	Label  string  `json:"label" validate:"required,max=200"`
	Stages []Stage `json:"stages" validate:"required,min=1,max=30,dive"`
}

// Stage is one step of a Process.
type Stage struct {
	Key   string `json:"key" validate:"required,key"`
	Label string `json:"label" validate:"required,max=200"`
	// Required names the fields NextStage wants filled before it leaves
	// the stage: subject, description, customer_id, contact.name,
	// contact.email, contact.phone, type, category, priority, service,
	// tags, deadline, assignee_id, team_id, queue_id, sla_id, or
	// custom.<key>.
	Required []string `json:"required" validate:"max=50,dive,required,max=200"`
	// OnEnter are the actions run, in the command that reaches the
	// stage (StartProcess for the first, NextStage or PreviousStage), as
	// a trigger's are: activities for the case's people, notices to the
	// assignee, team and watchers with a template of their own, field
	// changes. They are checked when the process is saved and again when
	// they run; recorded with the process and stage.
	OnEnter []Action `json:"on_enter,omitempty"`
}

// ProcessState is where a case stands in its process.
type ProcessState struct {
	// Key names the process and Stage the current stage.
	Key       string    `json:"key"`
	Stage     string    `json:"stage"`
	StartedAt time.Time `json:"started_at"`
	// FinishedAt is set once the last stage is passed; the process is
	// then no longer active and another may start.
	FinishedAt *time.Time `json:"finished_at,omitempty"`
}

// Active reports whether the process is still running.
func (p *ProcessState) Active() bool { return p != nil && p.FinishedAt == nil }

// The process event types.
const (
	EventProcessChanged  EventType = "process.changed" // a definition saved or deleted
	EventProcessStarted  EventType = "process.started"
	EventStageChanged    EventType = "process.stage_changed"
	EventProcessFinished EventType = "process.finished"
	EventProcessStopped  EventType = "process.stopped"
)

// IsStageField reports whether name is a case field a process stage may
// require, one Process.Missing can check (custom fields aside).
func IsStageField(name string) bool { return stageFields[name] != nil }

// stageFields are the case fields a stage may require.
var stageFields = map[string]func(*Case) bool{
	"subject":       func(c *Case) bool { return c.Subject != "" },
	"description":   func(c *Case) bool { return strings.TrimSpace(c.Description) != "" },
	"customer_id":   func(c *Case) bool { return c.CustomerID != "" },
	"contact.name":  func(c *Case) bool { return c.Contact.Name != "" },
	"contact.email": func(c *Case) bool { return c.Contact.Email != "" },
	"contact.phone": func(c *Case) bool { return c.Contact.Phone != "" },
	"type":          func(c *Case) bool { return c.Type != "" },
	"category":      func(c *Case) bool { return c.Category != "" },
	"priority":      func(c *Case) bool { return c.Priority != "" },
	"service":       func(c *Case) bool { return c.Service != "" },
	"tags":          func(c *Case) bool { return len(c.Tags) > 0 },
	"deadline":      func(c *Case) bool { return c.Deadline != nil },
	"assignee_id":   func(c *Case) bool { return c.AssigneeID != "" },
	"team_id":       func(c *Case) bool { return c.TeamID != "" },
	"queue_id":      func(c *Case) bool { return c.QueueID != "" },
	"sla_id":        func(c *Case) bool { return c.SLAID != "" },
}

// filled reports whether the case has a value for a stage's required
// field.
func filled(cs *Case, field string) bool {
	if key, ok := strings.CutPrefix(field, "custom."); ok {
		v, ok := cs.Custom[key]
		if s, isString := v.(string); isString {
			return strings.TrimSpace(s) != ""
		}
		return ok && v != nil
	}
	f := stageFields[field]
	return f != nil && f(cs)
}

// Missing returns the fields the case's current stage of process p
// requires that the case has not filled: what NextStage would refuse,
// for a host to show next to the Next button before anyone presses it.
// It is nil when the case is not running p or its stage is no longer in
// p.
func (p Process) Missing(c *Case) []string {
	if c == nil || !c.Process.Active() || c.Process.Key != p.Key {
		return nil
	}
	var out []string
	for _, s := range p.Stages {
		if s.Key != c.Process.Stage {
			continue
		}
		for _, f := range s.Required {
			if !filled(c, f) {
				out = append(out, f)
			}
		}
	}
	return out
}
