package casetype

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

// Invalid returns a *ValidationError with one failure of field against
// rule.
func Invalid(field, rule, format string, args ...any) *ValidationError {
	return &ValidationError{Fields: []FieldError{{Field: field, Rule: rule, Message: fmt.Sprintf(format, args...)}}}
}

// Validations collects field failures across several checks, so that one
// *ValidationError names every bad field at once. casekit's commands use it
// as well as the checks here (Calendar.Validate).
type Validations struct{ fields []FieldError }

// Add records one failure of field against rule.
func (v *Validations) Add(field, rule, format string, args ...any) {
	v.fields = append(v.fields, FieldError{Field: field, Rule: rule, Message: fmt.Sprintf(format, args...)})
}

// Merge takes the fields of a *ValidationError into v and returns nil;
// any other error it returns unchanged, for the caller to stop on.
func (v *Validations) Merge(err error) error {
	var ve *ValidationError
	if errors.As(err, &ve) {
		v.fields = append(v.fields, ve.Fields...)
		return nil
	}
	return err
}

// Err returns the failures collected as one *ValidationError, or nil when
// there are none.
func (v *Validations) Err() error {
	if len(v.fields) == 0 {
		return nil
	}
	return &ValidationError{Fields: v.fields}
}
