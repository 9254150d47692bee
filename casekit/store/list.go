package store

import (
	"time"

	"casekit.dev/casekit/casetype"
)

// CaseQuery is what a Store is asked to list: the filter, already checked,
// plus the restriction casekit adds for a customer actor. Its Sort is one
// of the Sort constants, or empty for SortCreatedDesc; the store ignores
// After and reads Position.
type CaseQuery struct {
	casetype.CaseFilter
	// VisibleTo, when not empty, keeps only cases whose CustomerID or
	// Contact.ID equals it.
	VisibleTo string
	// Position, when not nil, is where the previous page ended: the store
	// lists only the cases that come after it in the order of Sort.
	Position *CasePosition
	// Limit is the number of rows to return (already bounded).
	Limit int
	// Now is the time Breached is judged at.
	Now time.Time
	// Number, when not 0, keeps only the case with this number (Text was
	// "#1042").
	Number int64
	// CustomValues are Custom's values in their field's type (string,
	// float64 or bool), for the store to match exactly.
	CustomValues map[string]any
	// Terms are Text's search terms, all of which must match the case's
	// subject and description or one message (public ones only when
	// VisibleTo is set): each a word, or a phrase of words in order, in
	// lower case, letters and digits only. The store ignores Text.
	Terms [][]string
	// IDs, when not empty, keeps only the cases with these IDs (casekit
	// reads a case's linked cases with it, in one query).
	IDs []string
}

// CasePosition is a place in a sorted list of cases: the values one case
// was sorted by when a page ended on it. A store lists the cases strictly
// after it, so the next page continues where the last one ended even if
// that case has since changed or gone.
type CasePosition struct {
	// ID is the case's ID, the last key of every order; for the created
	// sorts it is the only one.
	ID string
	// Time is the case's UpdatedAt for the updated sorts and its
	// ResolutionDue for the due sorts, nil when the case had no
	// resolution deadline.
	Time *time.Time
	// Rank is the rank of the case's priority for the priority sorts, nil
	// when the priority was not in the lookup.
	Rank *int
}
