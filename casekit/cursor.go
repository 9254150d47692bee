package casekit

import (
	"encoding/base64"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Page cursors: CasePage.Next and CaseFilter.After.
//
// A cursor is the unpadded base64url form of
//
//	c2:<sort>:<value>:<id>
//
// where sort is the list's Sort (SortCreatedDesc for the default), id the
// last case's ID in canonical UUID form, and value what the case was
// sorted by: nothing for the created sorts, UpdatedAt or ResolutionDue in
// Unix microseconds for the updated and due sorts, the priority's rank for
// the priority sorts, and nothing for a case with no deadline or with a
// priority not in the lookup. Everything in it is checked before it
// reaches a store; a cursor that fails is a *ValidationError on "after".
//
// Version c1, "c1:<id>", is from before lists could be sorted, when every
// list was newest first; it still continues a SortCreatedDesc list, which
// is ordered by ID alone, and is refused for the others.
const (
	cursorV1 = "c1:"
	cursorV2 = "c2:"
	// maxCursorLen bounds a cursor's encoded length; the longest one
	// encodes 71 bytes in 95 characters.
	maxCursorLen = 128
)

// sorts lists the keys of CaseFilter.Sort.
var sorts = []string{SortCreated, SortCreatedDesc, SortUpdated, SortUpdatedDesc, SortPriority, SortPriorityDesc, SortDue, SortDueDesc}

// The times a cursor may hold: the years 1 to 9999, which both stores keep.
var (
	minCursorTime = time.Date(1, time.January, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	maxCursorTime = time.Date(9999, time.December, 31, 23, 59, 59, 999999000, time.UTC).UnixMicro()
)

// sortOrDefault returns sort, or SortCreatedDesc for the empty default.
func sortOrDefault(sort string) string {
	if sort == "" {
		return SortCreatedDesc
	}
	return sort
}

// sortsByPriority reports whether sort needs the priority ranks.
func sortsByPriority(sort string) bool { return sort == SortPriority || sort == SortPriorityDesc }

// positionOf returns where c stands in a list sorted by sort, with ranks
// the priority ranks of the query.
func positionOf(sort string, c *Case, ranks map[string]int) CasePosition {
	p := CasePosition{ID: c.ID}
	switch sort {
	case SortUpdated, SortUpdatedDesc:
		p.Time = ptrTo(c.UpdatedAt.UTC())
	case SortDue, SortDueDesc:
		if c.ResolutionDue != nil {
			p.Time = ptrTo(c.ResolutionDue.UTC())
		}
	case SortPriority, SortPriorityDesc:
		if r, ok := ranks[c.Priority]; ok {
			p.Rank = &r
		}
	}
	return p
}

func ptrTo[T any](v T) *T { return &v }

// encodeCursor returns the cursor for position p in a list sorted by sort.
func encodeCursor(sort string, p CasePosition) string {
	var value string
	switch {
	case p.Time != nil:
		value = strconv.FormatInt(p.Time.UnixMicro(), 10)
	case p.Rank != nil:
		value = strconv.Itoa(*p.Rank)
	}
	return base64.RawURLEncoding.EncodeToString([]byte(cursorV2 + sortOrDefault(sort) + ":" + value + ":" + p.ID))
}

// decodeCursor reads a cursor for a list sorted by sort.
func decodeCursor(s, sort string) (*CasePosition, error) {
	sort = sortOrDefault(sort)
	malformed := invalid("after", "cursor", "malformed page cursor")
	if len(s) > maxCursorLen {
		return nil, malformed
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil {
		return nil, malformed
	}
	text := string(b)
	if id, ok := strings.CutPrefix(text, cursorV1); ok {
		if !canonicalUUID(id) {
			return nil, malformed
		}
		if sort != SortCreatedDesc {
			return nil, otherSort(SortCreatedDesc, sort)
		}
		return &CasePosition{ID: id}, nil
	}
	rest, ok := strings.CutPrefix(text, cursorV2)
	if !ok {
		return nil, malformed
	}
	parts := strings.Split(rest, ":")
	if len(parts) != 3 || !slices.Contains(sorts, parts[0]) || !canonicalUUID(parts[2]) {
		return nil, malformed
	}
	from, value, p := parts[0], parts[1], &CasePosition{ID: parts[2]}
	if from != sort {
		return nil, otherSort(from, sort)
	}
	switch sort {
	case SortCreated, SortCreatedDesc:
		if value != "" {
			return nil, malformed
		}
	case SortUpdated, SortUpdatedDesc, SortDue, SortDueDesc:
		if value == "" {
			if sort == SortUpdated || sort == SortUpdatedDesc {
				return nil, malformed // every case has an UpdatedAt
			}
			break
		}
		us, err := strconv.ParseInt(value, 10, 64)
		if err != nil || strconv.FormatInt(us, 10) != value || us < minCursorTime || us > maxCursorTime {
			return nil, malformed
		}
		p.Time = ptrTo(time.UnixMicro(us).UTC())
	case SortPriority, SortPriorityDesc:
		if value == "" {
			break
		}
		r, err := strconv.Atoi(value)
		if err != nil || strconv.Itoa(r) != value {
			return nil, malformed
		}
		p.Rank = &r
	}
	return p, nil
}

// canonicalUUID reports whether s is a UUID in the form casekit writes:
// lower-case hex with hyphens.
func canonicalUUID(s string) bool {
	u, err := uuid.Parse(s)
	return err == nil && u.String() == s
}

func otherSort(from, sort string) *ValidationError {
	return invalid("after", "cursor", "the cursor continues a list sorted by %q, not %q", from, sort)
}
