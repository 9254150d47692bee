package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"casekit.dev/casekit"
)

// relationFields are the fields of the forms for a case's tags,
// watchers, links, merge and portal links.
var relationFields = map[string][]string{
	"tag":         {"tag"},
	"untag":       {"tag"},
	"watch":       {"email", "name"},
	"unwatch":     {},
	"link":        {"kind", "other"},
	"unlink":      {},
	"merge":       {"duplicate", "note"},
	"portal-link": {"days"},
	"revoke-link": {},
}

// relationAction runs one of those forms. It returns the notice to
// redirect with; or, for a merge not yet confirmed and a portal link
// just made, a form to show on the page instead.
func (a *app) relationAction(r *http.Request, req *request, c *casekit.Case, action string) (done string, show *form, err error) {
	ctx, d, v := r.Context(), req.desk, r.PostForm.Get
	switch action {
	case "tag", "untag":
		tag := strings.TrimSpace(v("tag"))
		if tag == "" {
			return "", nil, fieldError("tag", "required", "Type a tag.")
		}
		if action == "tag" {
			_, err = d.Tag(ctx, c.ID, tag)
		} else {
			_, err = d.Untag(ctx, c.ID, tag)
		}
		return action + "ged", nil, err
	case "watch":
		_, err = d.AddWatcher(ctx, c.ID, casekit.Watcher{Email: v("email"), Name: v("name")})
		return "watching", nil, err
	case "unwatch":
		return "unwatched", nil, d.RemoveWatcher(ctx, c.ID, v("id"))
	case "unlink":
		return "unlinked", nil, d.UnlinkCases(ctx, c.ID, v("id"))
	case "revoke-link":
		return "revoked", nil, d.RevokePortalLink(ctx, c.ID, v("id"))
	case "link":
		other, err := a.caseNamed(ctx, d, "other", v("other"))
		if err != nil {
			return "", nil, err
		}
		_, err = d.LinkCases(ctx, casekit.NewLink{Kind: casekit.LinkKind(v("kind")), FromID: c.ID, ToID: other.ID})
		return "linked", nil, err
	case "merge":
		return a.merge(r, req, c)
	case "portal-link":
		days, perr := strconv.Atoi(v("days"))
		if perr != nil || days < 1 || days > 365 {
			return "", nil, fieldError("days", "range", "Give a number of days from 1 to 365.")
		}
		token, _, err := d.CreatePortalLink(ctx, c.ID, time.Duration(days)*24*time.Hour)
		if err != nil {
			return "", nil, err
		}
		// The token is shown this once, on this page: never in an address.
		return "", &form{Values: map[string]string{"url": a.base.Load().(string) + "/portal/link/" + tenant + "/" + token}}, nil
	}
	return "", nil, fmt.Errorf("helpdesk: no relation action %q", action)
}

// caseNamed finds the case a form names by its number ("1042" or
// "#1042"); a ValidationError on field when there is none.
func (a *app) caseNamed(ctx context.Context, d *casekit.Desk, field, number string) (*casekit.Case, error) {
	n, err := strconv.ParseInt(strings.TrimPrefix(strings.TrimSpace(number), "#"), 10, 64)
	if err != nil || n <= 0 {
		return nil, fieldError(field, "number", "Give a case number such as 1042.")
	}
	c, err := d.CaseByNumber(ctx, n)
	if errors.Is(err, casekit.ErrNotFound) {
		return nil, fieldError(field, "exists", fmt.Sprintf("There is no case #%d.", n))
	}
	return c, err
}

// merge merges the duplicate the form names into c once the agent has
// seen what moves: the first post shows the preview, the second (with
// confirm) merges.
func (a *app) merge(r *http.Request, req *request, c *casekit.Case) (string, *form, error) {
	ctx, d, v := r.Context(), req.desk, r.PostForm.Get
	src, err := a.caseNamed(ctx, d, "duplicate", v("duplicate"))
	if err != nil {
		return "", nil, err
	}
	if v("confirm") == "yes" {
		_, err = d.Merge(ctx, src.ID, c.ID, casekit.Merge{Note: v("note")})
		return "merged", nil, err
	}
	view, err := d.CaseView(ctx, src.ID)
	if err != nil {
		return "", nil, err
	}
	watchers, err := d.Watchers(ctx, src.ID)
	if err != nil {
		return "", nil, err
	}
	files, open := 0, 0
	for _, m := range view.Messages {
		files += len(m.Attachments)
	}
	for _, n := range view.Notes {
		files += len(n.Attachments)
	}
	for _, act := range view.Activities {
		if act.State == casekit.ActivityOpen {
			open++
		}
	}
	f := &form{Open: true, Values: map[string]string{"duplicate": v("duplicate"), "note": v("note")}, Preview: []string{
		fmt.Sprintf("Merging #%d “%s” into this case #%d moves:", src.Number, src.Subject, c.Number),
		fmt.Sprintf("%d messages, %d notes and %d files", len(view.Messages), len(view.Notes), files),
		fmt.Sprintf("%d activities (%d open, which stay open here)", len(view.Activities), open),
		fmt.Sprintf("%d watchers and %d links", len(watchers), len(view.Linked)),
		fmt.Sprintf("#%d is then closed as merged, pointing here.", src.Number),
	}}
	return "", f, nil
}

// relations are what the case page lists of a case's watchers and
// portal links.
type relations struct {
	Watchers    []casekit.Watcher
	PortalLinks []casekit.PortalLink
	LinkKinds   []option
}

func (rel *relations) load(ctx context.Context, d *casekit.Desk, c *casekit.Case) (err error) {
	if rel.Watchers, err = d.Watchers(ctx, c.ID); err != nil {
		return err
	}
	rel.LinkKinds = []option{{"related", "related to"}, {"duplicate", "a duplicate of"}, {"parent", "a child of"}}
	rel.PortalLinks, err = d.PortalLinks(ctx, c.ID)
	return err
}

// caseRelation runs a relation form and redirects with its notice, or
// shows the page with the form it returned, or the refusal.
func (a *app) caseRelation(w http.ResponseWriter, r *http.Request, req *request, action string) {
	c, ok := a.loadCase(w, r, req)
	if !ok {
		return
	}
	done, show, err := a.relationAction(r, req, c, action)
	switch {
	case err != nil:
		a.refused(w, r, req, c, action, relationFields[action], err)
	case show != nil:
		a.showCase(w, r, req, c, http.StatusOK, map[string]*form{action: show})
	default:
		http.Redirect(w, r, fmt.Sprintf("/cases/%d?done=%s", c.Number, done), http.StatusSeeOther)
	}
}
