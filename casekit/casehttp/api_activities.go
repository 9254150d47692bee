package casehttp

import (
	"context"

	"casekit.dev/casekit"
)

// activityRoutes add, change, complete and cancel a case's activities.
var activityRoutes = []apiRoute{
	{method: "GET", path: "/cases/{id}/activities", run: caseList((*casekit.Desk).Activities)},
	{method: "POST", path: "/cases/{id}/activities", run: created((*casekit.Desk).AddActivity)},
	{method: "PATCH", path: "/activities/{id}", run: command((*casekit.Desk).UpdateActivity)},
	{method: "POST", path: "/activities/{id}/complete", run: caseCmd((*casekit.Desk).CompleteActivity)},
	{method: "POST", path: "/activities/{id}/cancel", run: command(func(d *casekit.Desk, ctx context.Context, id string, in reasonBody) (*casekit.Activity, error) {
		return d.CancelActivity(ctx, id, in.Reason)
	})},
}
