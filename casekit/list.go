package casekit

import (
	"context"
	"encoding/base64"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"casekit.dev/casekit/casetype"
	"casekit.dev/casekit/store"
)

// These names live in package casetype, where the stores read them too;
// programs keep writing casekit.Name.
type (
	// CaseFilter selects cases for Desk.ListCases.
	CaseFilter = casetype.CaseFilter
)

const (
	// SortCreated lists the oldest case first: ascending case ID, which is the
	// order cases were opened in (IDs are UUIDv7s).
	SortCreated = casetype.SortCreated
	// SortCreatedDesc lists the newest case first: descending case ID.
	SortCreatedDesc = casetype.SortCreatedDesc
	// SortUpdated lists the case changed longest ago first: ascending
	// UpdatedAt, then ascending ID.
	SortUpdated = casetype.SortUpdated
	// SortUpdatedDesc lists the most recently changed case first: descending
	// UpdatedAt, then descending ID.
	SortUpdatedDesc = casetype.SortUpdatedDesc
	// SortPriority lists the most urgent case first: descending rank of its
	// priority in the tenant's priority lookup, cases whose priority is no
	// longer in the lookup last, and within one rank the oldest case first
	// (ascending ID), much as Desk.Pick takes them.
	SortPriority = casetype.SortPriority
	// SortPriorityDesc is SortPriority reversed: cases whose priority is not
	// in the lookup first, then ascending rank, and within one rank the newest
	// case first.
	SortPriorityDesc = casetype.SortPriorityDesc
	// SortDue lists cases by resolution deadline, the earliest first
	// (ascending ResolutionDue, then ascending ID); cases with none come last,
	// as if never due.
	SortDue = casetype.SortDue
	// SortDueDesc is SortDue reversed: cases with no resolution deadline
	// first, then the latest ResolutionDue first, then descending ID.
	SortDueDesc = casetype.SortDueDesc
)

// CasePage is one page of cases, in the order of the filter's Sort.
type CasePage struct {
	Cases []*Case `json:"cases"`
	// Next is the cursor for the following page, empty on the last page.
	Next string `json:"next,omitempty"`
}

const (
	defaultPageSize = 50
	maxPageSize     = 500
)

// ListCases returns one page of the cases matching f, in the order of
// f.Sort (newest first by default), and in Next the cursor for the page
// after it. A customer sees only their own cases, whatever the filter
// says, and may filter only by what they read (a *ValidationError on the
// field otherwise).
func (d *Desk) ListCases(ctx context.Context, f CaseFilter) (*CasePage, error) {
	return runValue(d, ctx, "list cases", customerRead, func(c *cmd) (out *CasePage, err error) {
		q, ok, err := c.caseQuery(f)
		if err != nil {
			return nil, err
		}
		if !ok {
			return &CasePage{}, nil
		}
		var ranks map[string]int // for the cursor of a priority sort
		if sortsByPriority(q.Sort) {
			prios, err := c.tx.Lookups(c.ctx, LookupPriority)
			if err != nil {
				return nil, err
			}
			ranks = make(map[string]int, len(prios))
			for _, p := range prios {
				ranks[p.Key] = p.Rank
			}
		}
		want := q.Limit
		q.Limit++
		cases, err := c.tx.ListCases(c.ctx, q)
		if err != nil {
			return out, err
		}
		out = &CasePage{Cases: cases}
		if len(cases) > want {
			out.Cases = cases[:want]
			out.Next = encodeCursor(q.Sort, positionOf(q.Sort, cases[want-1], ranks))
		}
		out.Cases, err = c.shownAll(out.Cases)
		return out, err
	})
}

var (
	caseNumberRE = regexp.MustCompile(`^#([0-9]{1,18})$`)
	wordRE       = regexp.MustCompile(`[\p{L}\p{N}]+`)
)

// maxSearchWords bounds the words of one search, phrases' words included.
// A case must hold every word, so each word more narrows the list while
// it costs the index another posting list: on a tenant of a million
// cases, eight words that are each in 10–20% of them take PostgreSQL's
// GIN indexes about 0.2 s to intersect (BENCHMARKS.md). More words are
// refused, not dropped, so a search never means less than what was typed.
const maxSearchWords = 8

// parseSearch reads CaseFilter.Text: "#1042" is a case number; otherwise
// the text's words and "quoted phrases", lower-cased, letters and digits
// only, each once. Text with no word searches nothing. More than
// maxSearchWords words is a ValidationError on "text".
func parseSearch(text string) (number int64, terms [][]string, err error) {
	text = strings.TrimSpace(text)
	if m := caseNumberRE.FindStringSubmatch(text); m != nil {
		n, err := strconv.ParseInt(m[1], 10, 64)
		if err == nil && n > 0 {
			return n, nil, nil
		}
	}
	words := 0
	add := func(term []string) {
		if !slices.ContainsFunc(terms, func(t []string) bool { return slices.Equal(t, term) }) {
			terms = append(terms, term)
			words += len(term)
		}
	}
	for i, part := range strings.Split(text, `"`) {
		found := wordRE.FindAllString(strings.ToLower(part), -1)
		if i%2 == 1 && len(found) > 1 { // inside quotes: one phrase
			add(found)
			continue
		}
		for _, w := range found {
			add([]string{w})
		}
	}
	if words > maxSearchWords {
		return 0, nil, invalid("text", "max_words", "has %d different words; a search may have at most %d", words, maxSearchWords)
	}
	return 0, terms, nil
}

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
func positionOf(sort string, c *Case, ranks map[string]int) store.CasePosition {
	p := store.CasePosition{ID: c.ID}
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
func encodeCursor(sort string, p store.CasePosition) string {
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
func decodeCursor(s, sort string) (*store.CasePosition, error) {
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
		return &store.CasePosition{ID: id}, nil
	}
	rest, ok := strings.CutPrefix(text, cursorV2)
	if !ok {
		return nil, malformed
	}
	parts := strings.Split(rest, ":")
	if len(parts) != 3 || !slices.Contains(sorts, parts[0]) || !canonicalUUID(parts[2]) {
		return nil, malformed
	}
	from, value, p := parts[0], parts[1], &store.CasePosition{ID: parts[2]}
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

// caseQuery checks f as ListCases, CountCases, ExportCases and Report
// read it and turns it into the query a store runs: the page size and
// cursor, the customer's restriction, the search terms, the custom
// values, the status flags as statuses. ok is false when the filter can
// match no case at all (no status has the flags asked for).
func (c *cmd) caseQuery(f CaseFilter) (q store.CaseQuery, ok bool, err error) {
	if err := validateStruct(f); err != nil {
		return q, false, err
	}
	if err := c.customerFilter(f); err != nil {
		return q, false, err
	}
	q = store.CaseQuery{CaseFilter: f, Limit: f.Limit, Now: c.now}
	q.Sort = sortOrDefault(f.Sort)
	if q.Limit == 0 {
		q.Limit = defaultPageSize
	}
	if f.After != "" {
		if q.Position, err = decodeCursor(f.After, q.Sort); err != nil {
			return q, false, err
		}
	}
	if c.customer() {
		q.VisibleTo = c.actor.ID
	}
	if q.Number, q.Terms, err = parseSearch(f.Text); err != nil {
		return q, false, err
	}
	if len(f.Custom) > 0 {
		if q.CustomValues, err = c.customFilter(f.Custom); err != nil {
			return q, false, err
		}
	}
	if len(f.StatusFlags) > 0 {
		set, err := c.statuses()
		if err != nil {
			return q, false, err
		}
		keys := slices.Clone(f.Status)
		for _, s := range set.list {
			if slices.ContainsFunc(f.StatusFlags, func(flag string) bool { return statusHasFlag(s, flag) }) && !slices.Contains(keys, s.Key) {
				keys = append(keys, s.Key)
			}
		}
		if len(keys) == 0 {
			return q, false, nil // no status has the flags: nothing matches
		}
		q.Status = keys
	}
	if len(f.Status) > 0 {
		set, err := c.statuses()
		if err != nil {
			return q, false, err
		}
		var v validations
		for _, s := range f.Status {
			if _, ok := set.get(s); !ok {
				v.Add("status", "known", "unknown status %q", s)
			}
		}
		if err := v.Err(); err != nil {
			return q, false, err
		}
	}
	return q, true, nil
}
