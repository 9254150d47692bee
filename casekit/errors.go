package casekit

import (
	"fmt"
	"strings"

	"casekit.dev/casekit/casetype"
)

// These names live in package casetype, where the stores read them too;
// programs keep writing casekit.Name.
type (
	// FieldError is one failed check on one input field.
	FieldError = casetype.FieldError
	// ValidationError reports bad input: every field that failed, with the
	// rule it broke.
	ValidationError = casetype.ValidationError
)

var (
	// ErrNotFound: the case, activity or other record does not exist in this
	// tenant, or the acting customer may not see it.
	ErrNotFound = casetype.ErrNotFound
	// ErrConflict: the record changed since the version the caller named (a
	// stale IfVersion), or a unique value is already taken.
	ErrConflict = casetype.ErrConflict
	// ErrInvalidTransition: the tenant's transition table does not allow
	// moving the case from its status to the one asked for.
	ErrInvalidTransition = casetype.ErrInvalidTransition
	// ErrOpenActivities: the case still has open activities and the caller did
	// not ask for them to be canceled.
	ErrOpenActivities = casetype.ErrOpenActivities
	// ErrReadOnly: the case is resolved or in a final status and cannot be
	// edited until it is reopened.
	ErrReadOnly = casetype.ErrReadOnly
	// ErrForbidden: the actor may not run this command.
	ErrForbidden = casetype.ErrForbidden
	// ErrTenantNotFound: no tenant with this ID exists in the store.
	ErrTenantNotFound = casetype.ErrTenantNotFound
	// ErrTenantExists: CreateTenant was asked for an ID already in use.
	ErrTenantExists = casetype.ErrTenantExists
)

// ActivityRef names an activity in an error.
type ActivityRef struct {
	ID      string
	Subject string
}

// OpenActivitiesError is returned when a case cannot be resolved or closed
// because activities are still open. It names them and matches
// ErrOpenActivities.
type OpenActivitiesError struct {
	CaseID     string
	Activities []ActivityRef
}

// Error names the open activities by subject and ID, so that the message
// alone tells an agent what to finish or cancel.
func (e *OpenActivitiesError) Error() string {
	names := make([]string, len(e.Activities))
	for i, a := range e.Activities {
		names[i] = fmt.Sprintf("%q (%s)", a.Subject, a.ID)
	}
	return fmt.Sprintf("casekit: case %s has %d open activities: %s", e.CaseID, len(e.Activities), strings.Join(names, ", "))
}

// Is reports whether target is ErrOpenActivities.
func (e *OpenActivitiesError) Is(target error) bool { return target == ErrOpenActivities }

// TransitionError is returned when the tenant's transition table does not
// allow a status change. It matches ErrInvalidTransition.
type TransitionError struct {
	From, To string
}

// Error names both statuses, so that the message alone says which move
// the table refused.
func (e *TransitionError) Error() string {
	return fmt.Sprintf("casekit: status %q cannot change to %q", e.From, e.To)
}

// Is reports whether target is ErrInvalidTransition.
func (e *TransitionError) Is(target error) bool { return target == ErrInvalidTransition }

// validations collects field failures; see casetype.Validations.
type validations = casetype.Validations

// invalid returns a *ValidationError with one failure; see
// casetype.Invalid.
var invalid = casetype.Invalid
