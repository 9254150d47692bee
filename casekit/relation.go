package casekit

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"casekit.dev/casekit/casetype"
	"casekit.dev/casekit/store"
)

// These names live in package casetype, where the stores read them too;
// programs keep writing casekit.Name.
type (
	// LinkKind says how two cases are related.
	LinkKind = casetype.LinkKind
	// CaseLink is one stored relationship between two cases of a tenant.
	CaseLink = casetype.CaseLink
	// Merged counts what a merge moved from the source to the target.
	Merged = casetype.Merged
)

const (
	// LinkRelated: the cases are about the same thing.
	LinkRelated = casetype.LinkRelated
	// LinkDuplicate: From repeats To.
	LinkDuplicate = casetype.LinkDuplicate
	// LinkParent: From is the parent of To.
	LinkParent    = casetype.LinkParent
	EventLinked   = casetype.EventLinked
	EventUnlinked = casetype.EventUnlinked
	// EventMerged is recorded on the source of a merge, EventMergedIn on its
	// target.
	EventMerged   = casetype.EventMerged
	EventMergedIn = casetype.EventMergedIn
)

// NewLink is the input to Desk.LinkCases.
type NewLink struct {
	Kind   LinkKind `json:"kind" validate:"required,oneof=related duplicate parent"`
	FromID string   `json:"from_id" validate:"required,max=100"`
	ToID   string   `json:"to_id" validate:"required,max=100"`
}

// LinkRole is how a linked case stands to the case it is listed for.
type LinkRole string

// The link roles, read from the case the list is for.
const (
	RoleRelated      LinkRole = "related"       // a related case
	RoleDuplicateOf  LinkRole = "duplicate_of"  // this case repeats the other
	RoleDuplicatedBy LinkRole = "duplicated_by" // the other case repeats this one
	RoleParent       LinkRole = "parent"        // the other case is this one's parent
	RoleChild        LinkRole = "child"         // the other case is this one's child
)

// LinkedCase is one entry of Desk.LinkedCases: a link and the case at its
// other end.
type LinkedCase struct {
	Link CaseLink `json:"link"`
	Role LinkRole `json:"role"`
	Case *Case    `json:"case"`
}

// roleOf reads link l from the side of the case with ID id.
func roleOf(l CaseLink, id string) (LinkRole, string) {
	other := l.ToID
	if l.ToID == id {
		other = l.FromID
	}
	switch l.Kind {
	case LinkDuplicate:
		if l.FromID == id {
			return RoleDuplicateOf, other
		}
		return RoleDuplicatedBy, other
	case LinkParent:
		if l.FromID == id {
			return RoleChild, other
		}
		return RoleParent, other
	}
	return RoleRelated, other
}

// Merge is the input to Desk.Merge.
type Merge struct {
	// Note says why; it stands in both cases' history.
	Note string `json:"note" validate:"max=10000"`
}

// maxFamilyDepth bounds the walk up a case's parents; a deeper family is
// refused rather than walked for ever.
const maxFamilyDepth = 100

// LinkCases relates two cases of the tenant: related, duplicate (From
// repeats To) or parent (From is To's parent). A case is not linked to
// itself, two cases have at most one link, a case has at most one parent
// and a family never loops. The link stands in both cases' history.
func (d *Desk) LinkCases(ctx context.Context, in NewLink) (*CaseLink, error) {
	return runValue(d, ctx, "link cases", staffOnly, func(c *cmd) (*CaseLink, error) {
		return c.linkCases(in)
	})
}

// linkCases is LinkCases inside a command.
func (c *cmd) linkCases(in NewLink) (*CaseLink, error) {
	if err := validateStruct(in); err != nil {
		return nil, err
	}
	if in.FromID == in.ToID {
		return nil, invalid("to_id", "nefield", "a case cannot be linked to itself")
	}
	from, to, err := c.lockPair(in.FromID, in.ToID)
	if err != nil {
		return nil, err
	}
	if in.Kind == LinkRelated && from.ID > to.ID {
		from, to = to, from // related reads both ways: store it one way
	}
	l := CaseLink{ID: newID(), Kind: in.Kind, FromID: from.ID, ToID: to.ID, CreatedBy: c.actor, CreatedAt: c.now}
	if err := c.checkCaseLink(l); err != nil {
		return nil, err
	}
	if err := c.tx.InsertCaseLink(c.ctx, l); err != nil {
		return nil, fmt.Errorf("case %s: link to %s: %w", from.ID, to.ID, err)
	}
	c.recordLink(EventLinked, l, from, to, nil)
	return &l, nil
}

// lockPair loads and locks two cases, always in the same order so that two
// commands on the same pair never deadlock, and returns them as asked.
func (c *cmd) lockPair(a, b string) (*Case, *Case, error) {
	first, second := a, b
	if second < first {
		first, second = second, first
	}
	x, err := c.load(first, true)
	if err != nil {
		return nil, nil, err
	}
	y, err := c.load(second, true)
	if err != nil {
		return nil, nil, err
	}
	if x.ID != a {
		x, y = y, x
	}
	return x, y, nil
}

// checkCaseLink refuses a second link between the same two cases, a second
// parent and a loop in a family.
func (c *cmd) checkCaseLink(l CaseLink) error {
	links, err := c.tx.CaseLinks(c.ctx, l.FromID)
	if err != nil {
		return err
	}
	for _, x := range links {
		if x.FromID == l.ToID || x.ToID == l.ToID {
			return fmt.Errorf("cases %s and %s are already linked (%s): %w", l.FromID, l.ToID, x.Kind, ErrConflict)
		}
	}
	if l.Kind != LinkParent {
		return nil
	}
	if p, err := c.parentOf(l.ToID); err != nil {
		return err
	} else if p != "" {
		return invalid("to_id", "one_parent", "case %s already has a parent", l.ToID)
	}
	// Walk up from the new parent: meeting the child would close a loop.
	at := l.FromID
	for range maxFamilyDepth {
		if at == l.ToID {
			return invalid("to_id", "no_cycle", "case %s is an ancestor of case %s", l.ToID, l.FromID)
		}
		p, err := c.parentOf(at)
		if err != nil {
			return err
		}
		if p == "" {
			return nil
		}
		at = p
	}
	return invalid("from_id", "depth", "the family is deeper than %d cases", maxFamilyDepth)
}

// parentOf returns the ID of the case's parent, "" when it has none.
func (c *cmd) parentOf(id string) (string, error) {
	links, err := c.tx.CaseLinks(c.ctx, id)
	if err != nil {
		return "", err
	}
	for _, l := range links {
		if l.Kind == LinkParent && l.ToID == id {
			return l.FromID, nil
		}
	}
	return "", nil
}

// recordLink records ev on both ends of l.
func (c *cmd) recordLink(ev EventType, l CaseLink, from, to *Case, extra map[string]any) {
	for _, end := range []*Case{from, to} {
		role, other := roleOf(l, end.ID)
		otherCase := to
		if other == from.ID {
			otherCase = from
		}
		data := map[string]any{"link_id": l.ID, "kind": string(l.Kind), "role": string(role),
			"other_id": otherCase.ID, "other_number": otherCase.Number}
		for k, v := range extra {
			data[k] = v
		}
		c.record(end, ev, data)
	}
}

// UnlinkCases removes one of the case's links; ErrNotFound if the case
// has no link with the ID. The removal stands in both cases' history.
func (d *Desk) UnlinkCases(ctx context.Context, caseID, linkID string) error {
	return d.run(ctx, "unlink cases", staffOnly, func(c *cmd) error {
		links, err := c.tx.CaseLinks(c.ctx, caseID)
		if err != nil {
			return err
		}
		var l *CaseLink
		for i := range links {
			if links[i].ID == linkID {
				l = &links[i]
			}
		}
		if l == nil {
			if _, err := c.load(caseID, false); err != nil {
				return err
			}
			return fmt.Errorf("case %s: link %s: %w", caseID, linkID, ErrNotFound)
		}
		from, to, err := c.lockPair(l.FromID, l.ToID)
		if err != nil {
			return err
		}
		if err := c.tx.DeleteCaseLink(c.ctx, l.ID); err != nil {
			return fmt.Errorf("case %s: link %s: %w", caseID, linkID, err)
		}
		c.recordLink(EventUnlinked, *l, from, to, nil)
		return nil
	})
}

// LinkedCases lists the case's links, oldest first, each with the case at
// its other end and the role that case plays. A customer sees only the
// links to cases they may see themself.
func (d *Desk) LinkedCases(ctx context.Context, caseID string) ([]LinkedCase, error) {
	return ofCase(d, ctx, "linked cases", customerRead, caseID, (*cmd).linkedOf)
}

// linkedOf lists the cases linked to cs that the actor may see, in the
// links' order, read in one query.
func (c *cmd) linkedOf(cs *Case) ([]LinkedCase, error) {
	links, err := c.tx.CaseLinks(c.ctx, cs.ID)
	if err != nil || len(links) == 0 {
		return nil, err
	}
	ids := make([]string, len(links))
	for i, l := range links {
		_, ids[i] = roleOf(l, cs.ID)
	}
	others, err := c.tx.ListCases(c.ctx, store.CaseQuery{CaseFilter: CaseFilter{Sort: SortCreated}, IDs: ids})
	if err == nil {
		others, err = c.shownAll(others)
	}
	if err != nil {
		return nil, fmt.Errorf("case %s: linked cases: %w", cs.ID, err)
	}
	byID := make(map[string]*Case, len(others))
	for _, oc := range others {
		byID[oc.ID] = oc
	}
	var out []LinkedCase
	for _, l := range links {
		role, other := roleOf(l, cs.ID)
		if oc, ok := byID[other]; ok && c.visible(oc) {
			out = append(out, LinkedCase{Link: c.shownLink(l), Role: role, Case: oc})
		}
	}
	return out, nil
}

// Merge merges a duplicate into a target case. The source's messages,
// activities (open ones stay open, on the target), notes, attachments,
// watchers and links move to the target; the source closes with the
// closure reason "merged" (or the tenant's first one when it has no such
// reason), points at the target in MergedIntoID and gets a duplicate link
// to it. Both cases' histories record the merge with what moved. Both
// cases must be editable (ErrReadOnly otherwise), and everyone who may see
// the target in the portal must already see the source (same customer and
// contact), so that no customer comes to read another's conversation: a
// ValidationError on target_id otherwise. It returns the target.
func (d *Desk) Merge(ctx context.Context, sourceID, targetID string, m Merge) (*Case, error) {
	return runValue(d, ctx, "merge", staffOnly, func(c *cmd) (out *Case, err error) {
		if err := validateStruct(m); err != nil {
			return nil, err
		}
		if sourceID == targetID {
			return nil, invalid("target_id", "nefield", "a case cannot be merged into itself")
		}
		src, dst, err := c.lockPair(sourceID, targetID)
		if err != nil {
			return nil, err
		}
		for _, cs := range []*Case{src, dst} {
			st, _, err := c.status(cs)
			if err != nil {
				return nil, err
			}
			if st.ReadOnly() {
				return nil, fmt.Errorf("case %s is %s; reopen it before merging: %w", cs.ID, st.Key, ErrReadOnly)
			}
		}
		if !sameParty(src, dst) {
			return nil, invalid("target_id", "same_customer", "case #%d belongs to another customer than case #%d", dst.Number, src.Number)
		}
		set, err := c.statuses()
		if err != nil {
			return nil, err
		}
		closed, ok := set.first(func(s Status) bool { return s.Final && !s.Canceled })
		if !ok {
			return nil, fmt.Errorf("the tenant has no closed status")
		}
		reason, err := c.closureReason("merged")
		if err != nil {
			return nil, err
		}
		moved, err := c.tx.MoveCaseContent(c.ctx, src.ID, dst.ID)
		if err != nil {
			return nil, fmt.Errorf("case %s: move to %s: %w", src.ID, dst.ID, err)
		}
		if moved.Watchers, err = c.moveWatchers(src, dst); err != nil {
			return nil, err
		}
		if moved.Links, err = c.moveLinks(src, dst); err != nil {
			return nil, err
		}
		dup := CaseLink{ID: newID(), Kind: LinkDuplicate, FromID: src.ID, ToID: dst.ID, CreatedBy: c.actor, CreatedAt: c.now}
		if err := c.tx.InsertCaseLink(c.ctx, dup); err != nil {
			return nil, fmt.Errorf("case %s: link to %s: %w", src.ID, dst.ID, err)
		}
		counts := map[string]any{"messages": moved.Messages, "activities": moved.Activities,
			"notes": moved.Notes, "watchers": moved.Watchers, "links": moved.Links}

		from := src.Status
		now := c.now
		src.Status, src.ClosedAt, src.ClosureReason, src.MergedIntoID = closed.Key, &now, reason, dst.ID
		if err := c.save(src); err != nil {
			return nil, err
		}
		c.record(src, EventMerged, map[string]any{"target_id": dst.ID, "target_number": dst.Number,
			"note": m.Note, "from": from, "to": closed.Key, "reason": reason, "moved": counts, "link_id": dup.ID})
		if err := c.save(dst); err != nil {
			return nil, err
		}
		c.record(dst, EventMergedIn, map[string]any{"source_id": src.ID, "source_number": src.Number,
			"note": m.Note, "moved": counts, "link_id": dup.ID})
		return dst, nil
	})
}

// sameParty reports whether everyone who may see b in the portal (its
// customer and its contact) could already see a, so that moving a's
// conversation into b shows it to no one new.
func sameParty(a, b *Case) bool {
	for _, who := range []string{b.CustomerID, b.Contact.ID} {
		if who != "" && who != a.CustomerID && who != a.Contact.ID {
			return false
		}
	}
	return true
}

// moveWatchers moves the source's watchers to the target, skipping
// addresses already watching it, and counts those that moved.
func (c *cmd) moveWatchers(src, dst *Case) (int, error) {
	ws, err := c.tx.Watchers(c.ctx, src.ID)
	if err != nil {
		return 0, err
	}
	have, err := c.tx.Watchers(c.ctx, dst.ID)
	if err != nil {
		return 0, err
	}
	delete(c.watchers, dst.ID) // the notifications read them afresh
	seen := map[string]bool{}
	for _, w := range have {
		seen[strings.ToLower(w.Email)] = true
	}
	n := 0
	for _, w := range ws {
		if err := c.tx.RemoveWatcher(c.ctx, src.ID, w.ID); err != nil {
			return 0, fmt.Errorf("case %s: watcher %s: %w", src.ID, w.Email, err)
		}
		if seen[strings.ToLower(w.Email)] {
			continue
		}
		w.CaseID = dst.ID
		if err := c.tx.AddWatcher(c.ctx, w); err != nil {
			return 0, fmt.Errorf("case %s: watcher %s: %w", dst.ID, w.Email, err)
		}
		seen[strings.ToLower(w.Email)] = true
		n++
	}
	return n, nil
}

// moveLinks re-points the source's links at the target. A link that would
// join the target to itself or repeat one it has, give it a second
// parent or close a loop is dropped.
func (c *cmd) moveLinks(src, dst *Case) (int, error) {
	links, err := c.tx.CaseLinks(c.ctx, src.ID)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, l := range links {
		if err := c.tx.DeleteCaseLink(c.ctx, l.ID); err != nil {
			return 0, err
		}
		nl := l
		nl.ID = newID()
		if nl.FromID == src.ID {
			nl.FromID = dst.ID
		}
		if nl.ToID == src.ID {
			nl.ToID = dst.ID
		}
		if nl.FromID == nl.ToID {
			continue
		}
		if nl.Kind == LinkRelated && nl.FromID > nl.ToID {
			nl.FromID, nl.ToID = nl.ToID, nl.FromID
		}
		var ve *ValidationError
		if err := c.checkCaseLink(nl); errors.Is(err, ErrConflict) || errors.As(err, &ve) {
			continue
		} else if err != nil {
			return 0, err
		}
		if err := c.tx.InsertCaseLink(c.ctx, nl); err != nil {
			return 0, err
		}
		n++
	}
	return n, nil
}
