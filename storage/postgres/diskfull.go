package postgres

import "errors"

// diskFullError is a server error with SQLSTATE 53100 (disk_full) in
// words a person can act on. It unwraps to the driver's error, so a
// caller still finds the *pgconn.PgError (or pgdriver.Error) and its
// code with errors.As.
type diskFullError struct{ cause error }

func (e *diskFullError) Error() string {
	return "the database server's disk is full (SQLSTATE 53100): nothing was written; free space on the server and try again: " + e.cause.Error()
}

func (e *diskFullError) Unwrap() error { return e.cause }

// diskFull wraps a disk_full error once and returns other errors as they
// are: a tablespace or data directory that fills part-way through a
// command (a tenant's provisioning writes a megabyte) must not surface as
// a bare "could not extend file", and a wrapped error is not wrapped
// again by the outer layers that also call it.
func diskFull(err error) error {
	var done *diskFullError
	if sqlState(err) != "53100" || errors.As(err, &done) {
		return err
	}
	return &diskFullError{cause: err}
}
