package sqlstore

import (
	"errors"
	"fmt"

	"casekit.dev/casekit/casetype"
)

// DriverError is a driver error classified as one of casekit's sentinels:
// errors.Is finds both the sentinel and, through errors.As, the driver's
// own error.
type DriverError struct {
	Sentinel error
	Cause    error
}

func (e *DriverError) Error() string { return fmt.Sprintf("%v: %v", e.Sentinel, e.Cause) }

// Unwrap gives both the sentinel and the driver's error.
func (e *DriverError) Unwrap() []error { return []error{e.Sentinel, e.Cause} }

// Conflict wraps a unique-violation error from the driver.
func Conflict(cause error) error { return &DriverError{Sentinel: casetype.ErrConflict, Cause: cause} }

// ClassifyCode returns a classifier that turns errors whose code (read by
// code) is one of unique into ErrConflict, leaving others as they are.
func ClassifyCode[E error](code func(E) string, unique ...string) func(error) error {
	return func(err error) error {
		var de E
		if errors.As(err, &de) {
			c := code(de)
			for _, u := range unique {
				if c == u {
					return Conflict(err)
				}
			}
		}
		return err
	}
}
