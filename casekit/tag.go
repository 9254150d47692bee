package casekit

import (
	"context"
	"slices"
	"strings"
)

// normalizeTags trims, drops empties and duplicates, keeping first order.
func normalizeTags(tags []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range tags {
		t = strings.TrimSpace(t)
		if t == "" || seen[t] {
			continue
		}
		seen[t] = true
		out = append(out, t)
	}
	return out
}

// Tag adds tags to a case; tags it has already stay once. Tagging needs
// an editable case; a call that adds nothing writes nothing.
func (d *Desk) Tag(ctx context.Context, id string, tags ...string) (*Case, error) {
	return d.retag(ctx, "tag", id, tags, func(have []string) []string { return normalizeTags(append(slices.Clone(have), tags...)) })
}

// Untag removes tags from a case; tags it does not have are ignored.
func (d *Desk) Untag(ctx context.Context, id string, tags ...string) (*Case, error) {
	drop := normalizeTags(tags)
	return d.retag(ctx, "untag", id, tags, func(have []string) []string {
		return slices.DeleteFunc(slices.Clone(have), func(t string) bool { return slices.Contains(drop, t) })
	})
}

func (d *Desk) retag(ctx context.Context, op, id string, tags []string, change func([]string) []string) (*Case, error) {
	return runValue(d, ctx, op, staffOnly, func(c *cmd) (out *Case, err error) {
		if err := validateStruct(struct {
			Tags []string `json:"tags" validate:"min=1,max=50,dive,required,max=100"`
		}{tags}); err != nil {
			return nil, err
		}
		cs, err := c.loadEditable(id)
		if err != nil {
			return nil, err
		}
		out = cs
		next := change(cs.Tags)
		if len(next) == 0 {
			next = nil
		}
		if slices.Equal(next, cs.Tags) {
			return out, nil
		}
		if len(next) > 50 {
			return out, invalid("tags", "max", "a case has at most 50 tags")
		}
		old := cs.Tags
		cs.Tags = next
		if err := c.save(cs); err != nil {
			return out, err
		}
		c.record(cs, EventCaseUpdated, map[string]any{"changes": map[string]any{"tags": []any{old, next}}})
		return out, nil
	})
}
