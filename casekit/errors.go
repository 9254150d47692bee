package casekit

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors. Commands wrap them with the tenant and the case they are
// about; test for them with errors.Is.
var (
	// ErrNotFound: the case, activity or other record does not exist in this
	// tenant, or the acting customer may not see it.
	ErrNotFound = errors.New("casekit: not found")
	// ErrConflict: the record changed since the version the caller named
	// (a stale IfVersion), or a unique value is already taken.
	ErrConflict = errors.New("casekit: conflict")
	// ErrInvalidTransition: the tenant's transition table does not allow
	// moving the case from its status to the one asked for.
	ErrInvalidTransition = errors.New("casekit: invalid status transition")
	// ErrOpenActivities: the case still has open activities and the caller
	// did not ask for them to be canceled.
	ErrOpenActivities = errors.New("casekit: case has open activities")
	// ErrReadOnly: the case is resolved or in a final status and cannot be
	// edited until it is reopened.
	ErrReadOnly = errors.New("casekit: case is read-only")
	// ErrForbidden: the actor may not run this command.
	ErrForbidden = errors.New("casekit: forbidden")
	// ErrTenantNotFound: no tenant with this ID exists in the store.
	ErrTenantNotFound = errors.New("casekit: tenant not found")
	// ErrTenantExists: CreateTenant was asked for an ID already in use.
	ErrTenantExists = errors.New("casekit: tenant already exists")
)

// FieldError is one failed check on one input field.
type FieldError struct {
	// Field is the input field's name as in its JSON form, e.g. "subject"
	// or "contact.email".
	Field string
	// Rule is the check that failed: a validator/v10 tag such as
	// "required" or "max", or one of casekit's own: "known" (a value that
	// must come from a tenant lookup), "slug", "unique".
	Rule string
	// Message says what is wrong in words.
	Message string
}

// ValidationError reports bad input: every field that failed, with the rule
// it broke. A command that returns it has written nothing.
type ValidationError struct {
	Fields []FieldError
}

// Error lists every failed field.
func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Message
	}
	return "casekit: invalid input: " + strings.Join(parts, "; ")
}

// Field returns the failure for the named field, or nil when that field
// passed.
func (e *ValidationError) Field(name string) *FieldError {
	for i := range e.Fields {
		if e.Fields[i].Field == name {
			return &e.Fields[i]
		}
	}
	return nil
}

func invalid(field, rule, format string, args ...any) *ValidationError {
	return &ValidationError{Fields: []FieldError{{Field: field, Rule: rule, Message: fmt.Sprintf(format, args...)}}}
}

// validations collects field failures across several checks.
type validations struct{ fields []FieldError }

func (v *validations) add(field, rule, format string, args ...any) {
	v.fields = append(v.fields, FieldError{Field: field, Rule: rule, Message: fmt.Sprintf(format, args...)})
}

func (v *validations) merge(err error) error {
	var ve *ValidationError
	if errors.As(err, &ve) {
		v.fields = append(v.fields, ve.Fields...)
		return nil
	}
	return err
}

func (v *validations) err() error {
	if len(v.fields) == 0 {
		return nil
	}
	return &ValidationError{Fields: v.fields}
}

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
