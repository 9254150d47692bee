package casehttp

import (
	"context"

	"casekit.dev/casekit"
)

// statusChange is the body of POST /cases/{id}/status.
type statusChange struct {
	Status string `json:"status"`
}

// reasonBody is the body of the commands that take only a reason.
type reasonBody struct {
	Reason string `json:"reason"`
}

// lifecycleRoutes move a case through its statuses, and rate it.
var lifecycleRoutes = []apiRoute{
	{method: "POST", path: "/cases/{id}/status", run: caseCmd(func(d *casekit.Desk, ctx context.Context, id string, in statusChange) (*casekit.Case, error) {
		return d.SetStatus(ctx, id, in.Status)
	})},
	{method: "POST", path: "/cases/{id}/resolve", run: caseCmd((*casekit.Desk).Resolve)},
	{method: "POST", path: "/cases/{id}/close", run: caseCmd((*casekit.Desk).Close)},
	{method: "POST", path: "/cases/{id}/reopen", run: caseCmd((*casekit.Desk).Reopen)},
	{method: "POST", path: "/cases/{id}/cancel", run: caseCmd(func(d *casekit.Desk, ctx context.Context, id string, in reasonBody) (*casekit.Case, error) {
		return d.Cancel(ctx, id, in.Reason)
	})},
	{method: "POST", path: "/cases/{id}/rating", run: caseCmd((*casekit.Desk).Rate)},
	{method: "POST", path: "/cases/{id}/verify-contact", run: caseAction((*casekit.Desk).VerifyContact)},
}
