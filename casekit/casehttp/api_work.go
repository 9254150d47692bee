package casehttp

import (
	"context"
	"net/http"

	"casekit.dev/casekit"
)

// tagsBody is the body of POST /cases/{id}/tags.
type tagsBody struct {
	Tags []string `json:"tags"`
}

// workRoutes place, escalate, reclassify and tag cases.
var workRoutes = []apiRoute{
	{method: "POST", path: "/cases/{id}/assignment", run: caseCmd((*casekit.Desk).Assign)},
	{method: "POST", path: "/cases/{id}/pick", run: caseAction((*casekit.Desk).PickCase)},
	{method: "POST", path: "/queues/{queue}/pick", run: pickFromQueue},
	{method: "POST", path: "/cases/{id}/escalate", run: caseCmd((*casekit.Desk).Escalate)},
	{method: "POST", path: "/cases/{id}/reclassify", run: caseCmd((*casekit.Desk).Reclassify)},
	{method: "POST", path: "/cases/{id}/tags", run: caseCmd(func(d *casekit.Desk, ctx context.Context, id string, in tagsBody) (*casekit.Case, error) {
		return d.Tag(ctx, id, in.Tags...)
	})},
	{method: "DELETE", path: "/cases/{id}/tags/{tag}", run: untag},
	{method: "GET", path: "/permissions", run: permissions},
}

// pickFromQueue gives the agent the next case waiting in the queue.
func pickFromQueue(c *call) error {
	cs, err := c.desk.Pick(c.r.Context(), c.path("queue"))
	if err != nil {
		return err
	}
	return c.replyCase(http.StatusOK, cs)
}

// untag takes the tag in the path off the case.
func untag(c *call) error {
	cs, err := c.desk.Untag(c.r.Context(), c.path("id"), c.path("tag"))
	if err != nil {
		return err
	}
	return c.replyCase(http.StatusOK, cs)
}

// permissions lists the permissions the actor holds, for a front end to
// offer only what they may do.
func permissions(c *call) error {
	held := []casekit.Permission{}
	for _, p := range casekit.Permissions {
		ok, err := c.desk.Can(c.r.Context(), p)
		if err != nil {
			return err
		}
		if ok {
			held = append(held, p)
		}
	}
	return c.reply(http.StatusOK, map[string]any{"permissions": held})
}
