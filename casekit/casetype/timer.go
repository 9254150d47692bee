package casetype

import (
	"time"
)

// TimerKind names what a timer does when it fires.
type TimerKind string

// The timers casekit sets.
const (
	// TimerSLAWarning records an SLA warning some time before a deadline.
	TimerSLAWarning TimerKind = "sla.warning"
	// TimerSLABreach records that a deadline passed unmet.
	TimerSLABreach TimerKind = "sla.breach"
	// TimerReminder asks the customer to reevaluate a resolved case that
	// is waiting to close.
	TimerReminder TimerKind = "autoclose.reminder"
	// TimerAutoClose closes a resolved case after the tenant's waiting
	// period.
	TimerAutoClose TimerKind = "autoclose"
	// TimerTrigger is the clock of a time rule (Trigger.After): its Key
	// is the trigger's key, its Since when the clock started.
	TimerTrigger TimerKind = "trigger"
)

// Timer is a durable row with a due time, written in the transaction of
// the command that sets it and fired by Kit.Run after it is due, once.
type Timer struct {
	ID     string    `json:"id"`
	CaseID string    `json:"case_id"`
	Kind   TimerKind `json:"kind"`
	// Key tells timers of one kind on a case apart: "response" or
	// "resolution" for SLA timers, "1" or "2" for reminders.
	Key string    `json:"key,omitempty"`
	Due time.Time `json:"due"`
	// Since is when a time rule's clock started (TimerTrigger), from
	// which its due time is counted again when it fires; zero for the
	// other kinds.
	Since time.Time `json:"since,omitzero"`
	// Attempts counts the failed firings; LastError is the latest's error.
	Attempts  int    `json:"attempts,omitempty"`
	LastError string `json:"last_error,omitempty"`
	// Dead timers failed MaxTimerAttempts times and fire no more.
	Dead bool `json:"dead,omitempty"`
}

// Event types the timers record.
const (
	EventSLAWarning       EventType = "sla.warning"
	EventSLABreached      EventType = "sla.breached"
	EventCloseReminder    EventType = "case.close_reminder"
	EventAutoCloseSkipped EventType = "case.autoclose_skipped"
)
