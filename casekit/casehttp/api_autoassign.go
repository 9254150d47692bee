package casehttp

import (
	"context"
	"net/http"

	"casekit.dev/casekit"
)

// availableBody is the body of PUT /availability.
type availableBody struct {
	Available bool `json:"available"`
}

// autoAssignRoutes are the agent's own availability, the admin's view
// and changes of everyone's, and giving out a queue's waiting cases.
var autoAssignRoutes = []apiRoute{
	{method: "GET", path: "/availability", run: func(c *call) error {
		l, err := c.desk.Availability(c.r.Context())
		if err != nil {
			return err
		}
		return c.reply(http.StatusOK, l)
	}},
	{method: "PUT", path: "/availability", run: func(c *call) error {
		var in availableBody
		if err := c.decode(&in); err != nil {
			return err
		}
		l, err := c.desk.SetAvailable(c.r.Context(), in.Available)
		if err != nil {
			return err
		}
		return c.reply(http.StatusOK, l)
	}},
	{method: "GET", path: "/config/availability", run: configRead((*casekit.Config).Availabilities)},
	{method: "PATCH", path: "/config/availability/{key}", run: configSave(func(cf *casekit.Config, ctx context.Context, in casekit.AvailabilityUpdate) error {
		return cf.SetAvailability(ctx, agentFrom(ctx), in)
	}, nil)},
	{method: "POST", path: "/queues/{queue}/assign-waiting", run: func(c *call) error {
		n, err := c.desk.Config().AssignWaiting(c.r.Context(), c.path("queue"))
		if err != nil {
			return err
		}
		return c.reply(http.StatusOK, map[string]int{"assigned": n})
	}},
}
