package casekittest

import (
	"bytes"
	"context"
	"io"
	"slices"
	"testing"

	"casekit.dev/casekit"
	"casekit.dev/casekit/store"
	"casekit.dev/storage/fsblob"
)

// testRelations checks case links (related, duplicate, parent/child) and
// merging a duplicate into its target.
func testRelations(t *testing.T, newStore StoreFactory) {
	runEnvTests(t, newStore, []envTest{
		{"the store lists the cases asked for by ID, and only them", func(t *testing.T, e *Env) {
			a, _, c, other := e.open(t, "A", "cust-1"), e.open(t, "B", "cust-1"), e.open(t, "C", "cust-1"), e.open(t, "D", "cust-2")
			e.InTx(t, func(ctx context.Context, tx store.Tx) error {
				for _, tc := range []struct {
					q    store.CaseQuery
					want []int64
				}{
					{store.CaseQuery{IDs: []string{c.ID, "no-such-case", a.ID, other.ID}, CaseFilter: casekit.CaseFilter{Sort: casekit.SortCreated}}, []int64{a.Number, c.Number, other.Number}},
					{store.CaseQuery{IDs: []string{c.ID, a.ID, other.ID}, VisibleTo: "cust-2"}, []int64{other.Number}},
					{store.CaseQuery{IDs: []string{c.ID, a.ID}, Limit: 1}, []int64{c.Number}},
				} {
					got, err := tx.ListCases(ctx, tc.q)
					if err != nil {
						return err
					}
					wantEqual(t, tc.want, numbers(got), "ListCases of IDs %v, visible to %q, limit %d", tc.q.IDs, tc.q.VisibleTo, tc.q.Limit)
				}
				return nil
			})
		}},
		{"links read both ways, with roles and history", func(t *testing.T, e *Env) {
			ctx, d := t.Context(), e.Agent()
			a, b, c, dup := e.open(t, "A", "cust-1"), e.open(t, "B", "cust-1"), e.open(t, "C", "cust-1"), e.open(t, "D", "cust-1")
			at := e.Tick()
			rel := try(d.LinkCases(ctx, casekit.NewLink{Kind: casekit.LinkRelated, FromID: b.ID, ToID: a.ID})).get(t)
			try(d.LinkCases(ctx, casekit.NewLink{Kind: casekit.LinkParent, FromID: a.ID, ToID: c.ID})).get(t)
			try(d.LinkCases(ctx, casekit.NewLink{Kind: casekit.LinkDuplicate, FromID: dup.ID, ToID: a.ID})).get(t)
			if rel.CreatedBy != casekit.Agent(AgentID) || !rel.CreatedAt.Equal(at) {
				t.Errorf("link made by %s at %s, want %s at %s", rel.CreatedBy, rel.CreatedAt, casekit.Agent(AgentID), at)
			}
			wantLinks(t, d, a.ID, map[string]casekit.LinkRole{b.ID: casekit.RoleRelated, c.ID: casekit.RoleChild, dup.ID: casekit.RoleDuplicatedBy})
			wantLinks(t, d, b.ID, map[string]casekit.LinkRole{a.ID: casekit.RoleRelated})
			wantLinks(t, d, c.ID, map[string]casekit.LinkRole{a.ID: casekit.RoleParent})
			wantLinks(t, d, dup.ID, map[string]casekit.LinkRole{a.ID: casekit.RoleDuplicateOf})
			for _, id := range []string{a.ID, b.ID} {
				var found bool
				for _, ev := range e.history(t, id) {
					if ev.Type == casekit.EventLinked && str(ev, "link_id") == rel.ID {
						found = str(ev, "kind") == "related" && str(ev, "role") == "related"
					}
				}
				if !found {
					t.Errorf("case %s: no related linked event for link %s", id, rel.ID)
				}
			}
			if ev := eventOf(t, e.history(t, c.ID), casekit.EventLinked); str(ev, "role") != "parent" || str(ev, "other_id") != a.ID {
				t.Errorf("child's linked event %v", ev.Data)
			}
			// Unlinking works from either end and stands in both histories.
			must(t, d.UnlinkCases(ctx, a.ID, rel.ID), "UnlinkCases")
			wantLinks(t, d, b.ID, nil)
			wantLinks(t, d, a.ID, map[string]casekit.LinkRole{c.ID: casekit.RoleChild, dup.ID: casekit.RoleDuplicatedBy})
			for _, id := range []string{a.ID, b.ID} {
				eventOf(t, e.history(t, id), casekit.EventUnlinked)
			}
			wantIs(t, d.UnlinkCases(ctx, a.ID, rel.ID), casekit.ErrNotFound, "unlinking twice")
			// Deleting a case takes its links with it.
			must(t, d.DeleteCase(ctx, c.ID, "mistake"), "DeleteCase")
			wantLinks(t, d, a.ID, map[string]casekit.LinkRole{dup.ID: casekit.RoleDuplicatedBy})
		}},
		{"bad links are refused and change nothing", func(t *testing.T, e *Env) {
			ctx, d := t.Context(), e.Agent()
			a, b, c := e.open(t, "A", "cust-1"), e.open(t, "B", "cust-1"), e.open(t, "C", "cust-1")
			link := func(kind casekit.LinkKind, from, to string) error {
				_, err := d.LinkCases(ctx, casekit.NewLink{Kind: kind, FromID: from, ToID: to})
				return err
			}
			must(t, link(casekit.LinkParent, a.ID, b.ID), "a parent of b")
			must(t, link(casekit.LinkParent, b.ID, c.ID), "b parent of c")
			before := []caseState{e.state(t, a.ID), e.state(t, b.ID), e.state(t, c.ID)}
			beforeLinks := [][]casekit.LinkedCase{linked(t, d, a.ID), linked(t, d, b.ID), linked(t, d, c.ID)}
			wantRule(t, link(casekit.LinkRelated, a.ID, a.ID), "a link to itself", "to_id", "nefield")
			wantRule(t, link("sibling", a.ID, b.ID), "an unknown kind", "kind", "oneof")
			wantRule(t, link(casekit.LinkRelated, "", b.ID), "no from", "from_id", "required")
			wantIs(t, link(casekit.LinkRelated, a.ID, "no-such-case"), casekit.ErrNotFound, "an unknown case")
			wantIs(t, link(casekit.LinkRelated, b.ID, a.ID), casekit.ErrConflict, "a second link between a and b")
			wantIs(t, link(casekit.LinkDuplicate, a.ID, b.ID), casekit.ErrConflict, "a second link of another kind")
			wantRule(t, link(casekit.LinkParent, c.ID, a.ID), "a loop", "to_id", "no_cycle")
			d2 := e.open(t, "D", "cust-1")
			wantRule(t, link(casekit.LinkParent, d2.ID, c.ID), "a second parent", "to_id", "one_parent")
			_, err := e.Desk(casekit.Customer("cust-1")).LinkCases(ctx, casekit.NewLink{Kind: casekit.LinkRelated, FromID: a.ID, ToID: d2.ID})
			wantIs(t, err, casekit.ErrForbidden, "a customer linking")
			wantIs(t, e.Desk(casekit.Customer("cust-1")).UnlinkCases(ctx, a.ID, beforeLinks[0][0].Link.ID), casekit.ErrForbidden, "a customer unlinking")
			wantIs(t, d.UnlinkCases(ctx, c.ID, beforeLinks[0][0].Link.ID), casekit.ErrNotFound, "unlinking another case's link")
			for i, id := range []string{a.ID, b.ID, c.ID} {
				wantUnchanged(t, before[i], e.state(t, id), "refused links, case %d", i)
				wantEqual(t, beforeLinks[i], linked(t, d, id), "links of case %d", i)
			}
		}},
		{"a customer sees only links to cases they may see", func(t *testing.T, e *Env) {
			ctx, d := t.Context(), e.Agent()
			mine, alsoMine, theirs := e.open(t, "Mine", "cust-1"), e.open(t, "Also mine", "cust-1"), e.open(t, "Theirs", "cust-2")
			try(d.LinkCases(ctx, casekit.NewLink{Kind: casekit.LinkRelated, FromID: mine.ID, ToID: alsoMine.ID})).get(t)
			try(d.LinkCases(ctx, casekit.NewLink{Kind: casekit.LinkRelated, FromID: mine.ID, ToID: theirs.ID})).get(t)
			wantLinks(t, e.Desk(casekit.Customer("cust-1")), mine.ID, map[string]casekit.LinkRole{alsoMine.ID: casekit.RoleRelated})
			wantLinks(t, e.Desk(casekit.Customer("cust-2")), theirs.ID, nil)
			_, err := e.Desk(casekit.Customer("cust-2")).LinkedCases(ctx, mine.ID)
			wantIs(t, err, casekit.ErrNotFound, "links of another customer's case")
			wantLinks(t, d, mine.ID, map[string]casekit.LinkRole{alsoMine.ID: casekit.RoleRelated, theirs.ID: casekit.RoleRelated})
		}},
		{"merge refusals change nothing", func(t *testing.T, e *Env) {
			ctx, d := t.Context(), e.Agent()
			src, dst := e.open(t, "Source", "cust-1"), e.open(t, "Target", "cust-1")
			other := e.open(t, "Other customer's", "cust-2")
			resolved := e.into(t, e.open(t, "Resolved", "cust-1"), casekit.StatusResolved)
			closed := e.into(t, e.open(t, "Closed", "cust-1"), casekit.StatusClosed)
			before := []caseState{e.state(t, src.ID), e.state(t, dst.ID), e.state(t, other.ID)}
			merge := func(from, to string) error {
				_, err := d.Merge(ctx, from, to, casekit.Merge{Note: "same problem"})
				return err
			}
			wantRule(t, merge(src.ID, src.ID), "merging into itself", "target_id", "nefield")
			wantRule(t, merge(src.ID, other.ID), "merging into another customer's case", "target_id", "same_customer")
			wantRule(t, merge(other.ID, src.ID), "merging another customer's case in", "target_id", "same_customer")
			wantIs(t, merge(src.ID, resolved.ID), casekit.ErrReadOnly, "merging into a resolved case")
			wantIs(t, merge(src.ID, closed.ID), casekit.ErrReadOnly, "merging into a closed case")
			wantIs(t, merge(resolved.ID, dst.ID), casekit.ErrReadOnly, "merging a resolved case")
			wantIs(t, merge(src.ID, "no-such-case"), casekit.ErrNotFound, "merging into an unknown case")
			_, err := e.Desk(casekit.Customer("cust-1")).Merge(ctx, src.ID, dst.ID, casekit.Merge{})
			wantIs(t, err, casekit.ErrForbidden, "a customer merging")
			_, err = d.Merge(ctx, src.ID, dst.ID, casekit.Merge{Note: string(make([]byte, 10001))})
			wantInvalid(t, err, "a note too long", "note")
			for i, id := range []string{src.ID, dst.ID, other.ID} {
				wantUnchanged(t, before[i], e.state(t, id), "refused merge, case %d", i)
			}
			// Merging must show no one outside anything new: not another
			// contact's case, not an internal case to a contact; a contact's
			// case may go into an internal one.
			x := openWith(t, d, casekit.NewCase{Subject: "X", Contact: casekit.Contact{ID: "email:x@example.com"}})
			y := openWith(t, d, casekit.NewCase{Subject: "Y", Contact: casekit.Contact{ID: "email:y@example.com"}})
			wantRule(t, merge(x.ID, y.ID), "merging into another contact's case", "target_id", "same_customer")
			internal := openWith(t, d, casekit.NewCase{Subject: "Internal"})
			wantRule(t, merge(internal.ID, x.ID), "merging an internal case into a contact's", "target_id", "same_customer")
			must(t, merge(x.ID, internal.ID), "merging a contact's case into an internal one")
		}},
		{"merge moves the duplicate's content and closes it", func(t *testing.T, e *Env) {
			blobs, err := fsblob.New(t.TempDir())
			must(t, err, "fsblob.New")
			e = NewEnv(t, e.Store, casekit.WithBlobStore(blobs))
			testMerge(t, e)
		}},
	})
}

func testMerge(t *testing.T, e *Env) {
	ctx, d := t.Context(), e.Agent()
	cust := e.Desk(casekit.Customer("cust-1"))
	src, dst := e.open(t, "Printer jams again", "cust-1"), e.open(t, "Printer jams", "cust-1")
	side := e.open(t, "Toner order", "cust-1")
	up := try(cust.Upload(ctx, src.ID, "jam.png", "image/png", bytes.NewReader([]byte("\x89PNG jam")))).get(t)
	msg := try(cust.PostMessage(ctx, src.ID, casekit.NewMessage{Body: "The paper came out crumpled", Attachments: []casekit.NewAttachment{*up}})).get(t)
	try(d.PostMessage(ctx, src.ID, casekit.NewMessage{Body: "Looking at it"})).get(t)
	open := e.task(t, src.ID, "Send technician")
	done := e.task(t, src.ID, "Call customer")
	try(d.CompleteActivity(ctx, done.ID, casekit.Completion{})).get(t)
	try(d.AddNote(ctx, src.ID, casekit.NewNote{Subject: "general", Body: "internal"})).get(t)
	try(d.AddWatcher(ctx, src.ID, casekit.Watcher{Email: "boss@example.com"})).get(t)
	try(d.AddWatcher(ctx, src.ID, casekit.Watcher{Email: "both@example.com"})).get(t)
	try(d.AddWatcher(ctx, dst.ID, casekit.Watcher{Email: "both@example.com"})).get(t)
	try(d.LinkCases(ctx, casekit.NewLink{Kind: casekit.LinkRelated, FromID: src.ID, ToID: side.ID})).get(t)
	try(d.LinkCases(ctx, casekit.NewLink{Kind: casekit.LinkRelated, FromID: src.ID, ToID: dst.ID})).get(t)
	try(d.PostMessage(ctx, dst.ID, casekit.NewMessage{Body: "First report"})).get(t)

	at := e.Tick()
	got := try(d.Merge(ctx, src.ID, dst.ID, casekit.Merge{Note: "same printer"})).get(t)
	if got.ID != dst.ID || got.Version <= dst.Version {
		t.Errorf("Merge returned case %s at version %d; want the target past version %d", got.ID, got.Version, dst.Version)
	}
	s := e.reload(t, src.ID)
	if s.Status != casekit.StatusClosed || s.ClosureReason != "merged" || s.MergedIntoID != dst.ID || s.ClosedAt == nil || !s.ClosedAt.Equal(at) {
		t.Errorf("source after merge: status %s, reason %q, merged into %q, closed at %v", s.Status, s.ClosureReason, s.MergedIntoID, s.ClosedAt)
	}
	_, err := d.UpdateCase(ctx, src.ID, casekit.CaseUpdate{Subject: ptr("edited")})
	wantIs(t, err, casekit.ErrReadOnly, "editing the merged source")

	// Everything moved.
	msgs := try(d.Messages(ctx, dst.ID)).get(t)
	if len(msgs) != 3 {
		t.Fatalf("target has %d messages, want 3", len(msgs))
	}
	if left := try(d.Messages(ctx, src.ID)).get(t); len(left) != 0 {
		t.Errorf("source kept %d messages", len(left))
	}
	acts := try(d.Activities(ctx, dst.ID)).get(t)
	if len(acts) != 2 || e.activity(t, dst.ID, open.ID).State != casekit.ActivityOpen || e.activity(t, dst.ID, done.ID).State != casekit.ActivityCompleted {
		t.Errorf("target's activities after merge: %d", len(acts))
	}
	if ns := try(d.Notes(ctx, dst.ID)).get(t); len(ns) != 1 {
		t.Errorf("target has %d notes, want 1", len(ns))
	}
	var emails []string
	for _, w := range try(d.Watchers(ctx, dst.ID)).get(t) {
		emails = append(emails, w.Email)
	}
	slices.Sort(emails)
	wantEqual(t, []string{"boss@example.com", "both@example.com"}, emails, "target's watchers")
	if ws := try(d.Watchers(ctx, src.ID)).get(t); len(ws) != 0 {
		t.Errorf("source kept %d watchers", len(ws))
	}
	wantLinks(t, d, src.ID, map[string]casekit.LinkRole{dst.ID: casekit.RoleDuplicateOf})
	wantLinks(t, d, dst.ID, map[string]casekit.LinkRole{src.ID: casekit.RoleDuplicatedBy, side.ID: casekit.RoleRelated})
	wantLinks(t, d, side.ID, map[string]casekit.LinkRole{dst.ID: casekit.RoleRelated})

	// The customer reads the moved conversation and its file on the target.
	var moved *casekit.Message
	for _, m := range try(cust.Messages(ctx, dst.ID)).get(t) {
		if m.ID == msg.ID {
			moved = m
		}
	}
	if moved == nil || len(moved.Attachments) != 1 {
		t.Fatalf("the customer does not see the moved message with its file on the target")
	}
	a, rc, err := cust.OpenAttachment(ctx, dst.ID, moved.Attachments[0].ID)
	must(t, err, "opening the moved file through the target")
	body, _ := io.ReadAll(rc)
	rc.Close()
	if a.Name != "jam.png" || string(body) != "\x89PNG jam" {
		t.Errorf("moved file %q holds %q", a.Name, body)
	}

	// Both histories tell the story.
	ev := eventOf(t, e.history(t, src.ID), casekit.EventMerged)
	wantEvent(t, ev, casekit.EventMerged, casekit.Agent(AgentID), at)
	if str(ev, "target_id") != dst.ID || str(ev, "note") != "same printer" || str(ev, "to") != casekit.StatusClosed {
		t.Errorf("merged event %v", ev.Data)
	}
	in := eventOf(t, e.history(t, dst.ID), casekit.EventMergedIn)
	moves, _ := in.Data["moved"].(map[string]any)
	for k, want := range map[string]float64{"messages": 2, "activities": 2, "notes": 1, "watchers": 1, "links": 1} {
		if n, _ := number(moves[k]); n != want {
			t.Errorf("merged_in event: moved %s = %v, want %v (%v)", k, moves[k], want, in.Data)
		}
	}
	if str(in, "source_id") != src.ID {
		t.Errorf("merged_in event %v", in.Data)
	}
	// The source's own history stays with it.
	if evs := e.history(t, src.ID); evs[0].Type != casekit.EventCaseOpened {
		t.Errorf("source history starts with %s", evs[0].Type)
	}
	// Search finds the target by the moved message's words.
	page := try(d.ListCases(ctx, casekit.CaseFilter{Text: "crumpled"})).get(t)
	wantEqual(t, []int64{dst.Number}, numbers(page.Cases), "search for a moved message's word")
}

// linked lists a case's links as the agent.
func linked(t testing.TB, d *casekit.Desk, id string) []casekit.LinkedCase {
	t.Helper()
	ls, err := d.LinkedCases(context.Background(), id)
	must(t, err, "LinkedCases(%s)", id)
	return ls
}

// wantLinks reports unless the case's links, as d sees them, are exactly
// want (other case ID → role).
func wantLinks(t testing.TB, d *casekit.Desk, id string, want map[string]casekit.LinkRole) {
	t.Helper()
	got := map[string]casekit.LinkRole{}
	for _, l := range linked(t, d, id) {
		if l.Case == nil {
			t.Errorf("case %s: link %s without its case", id, l.Link.ID)
			continue
		}
		got[l.Case.ID] = l.Role
	}
	if len(want) == 0 && len(got) == 0 {
		return
	}
	wantEqual(t, want, got, "links of case %s as %s", id, d.Actor())
}
