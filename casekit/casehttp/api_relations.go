package casehttp

import (
	"context"
	"net/http"
	"time"

	"casekit.dev/casekit"
)

// mergeBody is the body of POST /cases/{id}/merge.
type mergeBody struct {
	TargetID string `json:"target_id"`
	Note     string `json:"note"`
}

// processBody is the body of POST /cases/{id}/process.
type processBody struct {
	Process string `json:"process"`
}

// portalLinkBody is the body of the portal link commands.
type portalLinkBody struct {
	// TTLSeconds is how long the link works; 0 for the default.
	TTLSeconds int64 `json:"ttl_seconds"`
}

// newPortalLink is what POST /cases/{id}/portal-links answers: the token,
// shown this once, and the link.
type newPortalLink struct {
	Token string              `json:"token"`
	Link  *casekit.PortalLink `json:"link"`
}

// relationRoutes watch, link, merge, run processes and make portal links.
var relationRoutes = []apiRoute{
	{method: "GET", path: "/cases/{id}/watchers", run: caseList((*casekit.Desk).Watchers)},
	{method: "POST", path: "/cases/{id}/watchers", run: created((*casekit.Desk).AddWatcher)},
	{method: "DELETE", path: "/cases/{id}/watchers/{watcher}", run: removed("watcher", (*casekit.Desk).RemoveWatcher)},
	{method: "GET", path: "/cases/{id}/links", run: caseList((*casekit.Desk).LinkedCases)},
	{method: "POST", path: "/cases/{id}/links", run: created(func(d *casekit.Desk, ctx context.Context, id string, in casekit.NewLink) (*casekit.CaseLink, error) {
		if in.FromID != id && in.ToID != id {
			return nil, &casekit.ValidationError{Fields: []casekit.FieldError{{Field: "from_id", Rule: "case", Message: "from_id or to_id must be the case in the path"}}}
		}
		return d.LinkCases(ctx, in)
	})},
	{method: "DELETE", path: "/cases/{id}/links/{link}", run: removed("link", (*casekit.Desk).UnlinkCases)},
	{method: "POST", path: "/cases/{id}/merge", run: caseCmd(func(d *casekit.Desk, ctx context.Context, id string, in mergeBody) (*casekit.Case, error) {
		return d.Merge(ctx, id, in.TargetID, casekit.Merge{Note: in.Note})
	})},
	{method: "POST", path: "/cases/{id}/process", run: caseCmd(func(d *casekit.Desk, ctx context.Context, id string, in processBody) (*casekit.Case, error) {
		return d.StartProcess(ctx, id, in.Process)
	})},
	{method: "DELETE", path: "/cases/{id}/process", run: caseAction((*casekit.Desk).StopProcess)},
	{method: "POST", path: "/cases/{id}/process/next", run: caseAction((*casekit.Desk).NextStage)},
	{method: "POST", path: "/cases/{id}/process/previous", run: caseAction((*casekit.Desk).PreviousStage)},
	{method: "GET", path: "/cases/{id}/portal-links", run: caseList((*casekit.Desk).PortalLinks)},
	{method: "POST", path: "/cases/{id}/portal-links", run: created(func(d *casekit.Desk, ctx context.Context, id string, in portalLinkBody) (newPortalLink, error) {
		token, l, err := d.CreatePortalLink(ctx, id, time.Duration(in.TTLSeconds)*time.Second)
		return newPortalLink{Token: token, Link: l}, err
	})},
	{method: "POST", path: "/cases/{id}/portal-links/mail", run: created(func(d *casekit.Desk, ctx context.Context, id string, in portalLinkBody) (*casekit.PortalLink, error) {
		return d.MailPortalLink(ctx, id, time.Duration(in.TTLSeconds)*time.Second)
	})},
	{method: "DELETE", path: "/cases/{id}/portal-links/{link}", run: removed("link", (*casekit.Desk).RevokePortalLink)},
}

// removed is a route that runs a Desk command removing the record named
// by the path parameter param from the case, and answers 204.
func removed(param string, run func(d *casekit.Desk, ctx context.Context, caseID, id string) error) func(c *call) error {
	return func(c *call) error {
		if err := c.noIfMatch(); err != nil {
			return err
		}
		if err := run(c.desk, c.r.Context(), c.path("id"), c.path(param)); err != nil {
			return err
		}
		c.w.WriteHeader(http.StatusNoContent)
		return nil
	}
}
