package casehttp

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"casekit.dev/casekit"
)

// ParseCaseFilter reads a casekit.CaseFilter from a query string, with
// the parameters named as the filter's JSON fields: status, priority,
// status_flags and tags take several values (repeated or comma
// separated); created_after, created_before, deadline_before,
// response_due_before and resolution_due_before are RFC 3339 times;
// breached and all_tags are booleans; limit is a number; "q" is an alias
// of "text"; "custom.<key>" filters on a custom field. An unknown parameter, a value that does not parse or a
// repeated single-valued parameter is a *casekit.ValidationError naming
// it; nothing else is checked here (Desk.ListCases checks the rest).
func ParseCaseFilter(q url.Values) (casekit.CaseFilter, error) {
	var (
		f    casekit.CaseFilter
		errs []casekit.FieldError
	)
	bad := func(field, rule, format string, args ...any) {
		errs = append(errs, casekit.FieldError{Field: field, Rule: rule, Message: fmt.Sprintf(format, args...)})
	}
	one := func(key string) (string, bool) {
		vs := q[key]
		if len(vs) > 1 {
			bad(key, "single", "is given %d times; it takes one value", len(vs))
			return "", false
		}
		return vs[0], true
	}
	list := func(key string) []string {
		var out []string
		for _, v := range q[key] {
			for s := range strings.SplitSeq(v, ",") {
				if s = strings.TrimSpace(s); s != "" {
					out = append(out, s)
				}
			}
		}
		if len(out) > 100 {
			bad(key, "max", "has %d values; at most 100", len(out))
			return nil
		}
		return out
	}
	when := func(key string) *time.Time {
		v, ok := one(key)
		if !ok || v == "" {
			return nil
		}
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			bad(key, "datetime", "%q is not an RFC 3339 time such as 2026-11-23T09:00:00Z", clip(v))
			return nil
		}
		return &t
	}
	flag := func(key string) bool {
		v, ok := one(key)
		if !ok || v == "" {
			return false
		}
		b, err := strconv.ParseBool(v)
		if err != nil {
			bad(key, "boolean", "%q is not true or false", clip(v))
		}
		return b
	}
	str := func(key string) string {
		v, _ := one(key)
		return v
	}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		switch k {
		case "status":
			f.Status = list(k)
		case "priority":
			f.Priority = list(k)
		case "status_flags":
			f.StatusFlags = list(k)
		case "tags":
			f.Tags = list(k)
		case "type":
			f.Type = str(k)
		case "customer_id":
			f.CustomerID = str(k)
		case "assignee_id":
			f.AssigneeID = str(k)
		case "team_id":
			f.TeamID = str(k)
		case "queue_id":
			f.QueueID = str(k)
		case "tag":
			f.Tag = str(k)
		case "sla_id":
			f.SLAID = str(k)
		case "text", "q":
			if _, dup := q["text"]; dup && k == "q" {
				bad("q", "single", "give text or q, not both")
				continue
			}
			f.Text = str(k)
		case "sort":
			f.Sort = str(k)
		case "after":
			f.After = str(k)
		case "all_tags":
			f.AllTags = flag(k)
		case "breached":
			f.Breached = flag(k)
		case "created_after":
			f.CreatedAfter = when(k)
		case "created_before":
			f.CreatedBefore = when(k)
		case "deadline_before":
			f.DeadlineBefore = when(k)
		case "response_due_before":
			f.ResponseDueBefore = when(k)
		case "resolution_due_before":
			f.ResolutionDueBefore = when(k)
		case "limit":
			if v, ok := one(k); ok && v != "" {
				n, err := strconv.Atoi(v)
				if err != nil {
					bad(k, "number", "%q is not a whole number", clip(v))
				}
				f.Limit = n
			}
		default:
			if key, ok := strings.CutPrefix(k, "custom."); ok && key != "" {
				if f.Custom == nil {
					f.Custom = map[string]string{}
				}
				f.Custom[key] = str(k)
				continue
			}
			bad(clip(k), "known", "is not a filter")
		}
	}
	if len(errs) > 0 {
		return casekit.CaseFilter{}, &casekit.ValidationError{Fields: errs}
	}
	return f, nil
}

// clip shortens what is echoed back in an error.
func clip(s string) string {
	if len(s) <= 64 {
		return s
	}
	return strings.ToValidUTF8(s[:64], "") + "…"
}
