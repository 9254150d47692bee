package main

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"casekit.dev/casekit"
)

// Tags, watchers, links, a merge after its preview and a portal link
// shown once, all from the case page.
func TestCaseRelations(t *testing.T) {
	f := newCaseFixture(t, casekit.NewCase{Subject: "Screen flickers"})
	ctx, d, cs, c, path := f.ctx, f.d, f.cs, f.ben, f.path
	open := func(subject string) *casekit.Case {
		cs, err := d.OpenCase(ctx, casekit.NewCase{Subject: subject, CustomerID: ada, QueueID: "general"})
		if err != nil {
			t.Fatal(err)
		}
		return cs
	}
	dup, other := open("Screen flickers again"), open("Keyboard")
	if _, err := d.AddNote(ctx, dup.ID, casekit.NewNote{Subject: "diagnosis", Body: "same as the first"}); err != nil {
		t.Fatal(err)
	}
	c.get(path)
	for _, step := range []struct {
		action string
		form   url.Values
		status int
		want   string // on the page after
	}{
		{"tag", url.Values{"tag": {" "}}, http.StatusUnprocessableEntity, "Type a tag."},
		{"tag", url.Values{"tag": {"vip"}}, http.StatusSeeOther, `<span class="tag">vip</span>`},
		{"untag", url.Values{"tag": {"vip"}}, http.StatusSeeOther, "No tags."},
		{"watch", url.Values{"email": {"boss@"}, "name": {"The boss"}}, http.StatusUnprocessableEntity, `value="The boss"`},
		{"watch", url.Values{"email": {"boss@example.com"}, "name": {"The boss"}}, http.StatusSeeOther, "&lt;boss@example.com&gt;"},
		{"link", url.Values{"kind": {"related"}, "other": {"#999999"}}, http.StatusUnprocessableEntity, "There is no case #999999."},
		{"link", url.Values{"kind": {"related"}, "other": {"#" + itoa(other.Number)}}, http.StatusSeeOther, "related: <a href=\"/cases/" + itoa(other.Number)},
		{"merge", url.Values{"duplicate": {itoa(dup.Number)}, "note": {"same screen"}}, http.StatusOK, "0 messages, 1 notes and 0 files"},
		{"portal-link", url.Values{"days": {"0"}}, http.StatusUnprocessableEntity, "Give a number of days"},
	} {
		status, page, h := c.post(path+"/"+step.action, step.form)
		if status == http.StatusSeeOther {
			_, page = c.get(h.Get("Location"))
		}
		if status != step.status || !strings.Contains(page, step.want) {
			t.Fatalf("%s %v: %d, want %d and a page with %q", step.action, step.form, status, step.status, step.want)
		}
	}
	if got, _ := d.Case(ctx, dup.ID); got.Status == casekit.StatusClosed {
		t.Fatal("the merge preview merged")
	}
	status, _, _ := c.post(path+"/merge", url.Values{"duplicate": {itoa(dup.Number)}, "note": {"same screen"}, "confirm": {"yes"}})
	if got, _ := d.Case(ctx, dup.ID); status != http.StatusSeeOther || got.MergedIntoID != cs.ID {
		t.Fatalf("merging: %d, %+v", status, got)
	}
	if notes, _ := d.Notes(ctx, cs.ID); len(notes) != 1 {
		t.Errorf("the note did not move: %d notes", len(notes))
	}
	// The portal link is shown once, works without an account, and is
	// revoked from the page.
	status, page, _ := c.post(path+"/portal-link", url.Values{"days": {"7"}})
	m := regexp.MustCompile(`id="new-portal-link" value="([^"]+)"`).FindStringSubmatch(page)
	if status != http.StatusOK || m == nil {
		t.Fatalf("making a portal link: %d", status)
	}
	if _, again := c.get(path); strings.Contains(again, m[1]) {
		t.Fatal("the portal link is shown again")
	}
	visitor := newClient(t, f.base)
	if status, _ := visitor.get(strings.TrimPrefix(m[1], f.base)); status != http.StatusSeeOther && status != http.StatusOK {
		t.Fatalf("opening the portal link: %d", status)
	}
	links, _ := d.PortalLinks(ctx, cs.ID)
	if len(links) != 1 {
		t.Fatalf("%d portal links", len(links))
	}
	if status, _, _ := c.post(path+"/revoke-link", url.Values{"id": {links[0].ID}}); status != http.StatusSeeOther {
		t.Fatalf("revoking: %d", status)
	}
	if links, _ := d.PortalLinks(ctx, cs.ID); links[0].RevokedAt == nil {
		t.Fatal("the link is not revoked")
	}
	if status, _ := newClient(t, f.base).get(strings.TrimPrefix(m[1], f.base)); status == http.StatusOK || status == http.StatusSeeOther {
		t.Fatalf("a revoked link opens: %d", status)
	}
}
