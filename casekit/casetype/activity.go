package casetype

import (
	"time"
)

// ActivityKind is what sort of work an activity is.
type ActivityKind string

// The kinds of activity.
const (
	ActivityTask       ActivityKind = "task"
	ActivityCall       ActivityKind = "call"
	ActivityEmail      ActivityKind = "email"
	ActivityMeeting    ActivityKind = "meeting"
	ActivityThirdParty ActivityKind = "third_party"
)

// ActivityState is where an activity stands.
type ActivityState string

// The states of an activity.
const (
	ActivityOpen      ActivityState = "open"
	ActivityCompleted ActivityState = "completed"
	ActivityCanceled  ActivityState = "canceled"
)

// Activity is a piece of work on a case: a task, call, e-mail, meeting or
// third-party communication.
type Activity struct {
	ID          string        `json:"id"`
	CaseID      string        `json:"case_id"`
	Kind        ActivityKind  `json:"kind"`
	Subject     string        `json:"subject"`
	Description string        `json:"description,omitempty"`
	State       ActivityState `json:"state"`
	Due         *time.Time    `json:"due,omitempty"`
	AssigneeID  string        `json:"assignee_id,omitempty"`
	// NotifyContact: the customer is told of this activity and sees it in
	// the portal. Activities without it are internal.
	NotifyContact bool       `json:"notify_contact"`
	Result        string     `json:"result,omitempty"`
	CreatedBy     Actor      `json:"created_by"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
	DoneAt        *time.Time `json:"done_at,omitempty"`
	Version       int64      `json:"version"`
}
