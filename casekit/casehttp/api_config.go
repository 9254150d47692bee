package casehttp

import (
	"context"
	"net/http"
	"reflect"

	"casekit.dev/casekit"
)

// statusSet is the body of PUT /config/statuses.
type statusSet struct {
	Statuses    []casekit.Status     `json:"statuses"`
	Transitions []casekit.Transition `json:"transitions"`
}

// templateBody is the body of PUT /config/templates/{name}.
type templateBody struct {
	Source string `json:"source"`
}

// webhookSecret is the answer of POST /config/webhooks/{key}/secret.
type webhookSecret struct {
	Secret string `json:"secret"`
}

// agentRoleBody is the body of PUT /config/agent-roles/{agent}.
type agentRoleBody struct {
	Role string `json:"role"`
}

// configRoutes read and change the tenant's configuration (Config): its
// reads need PermRead, its changes PermConfigure (PermManageRoles for
// roles), as Config decides.
var configRoutes = []apiRoute{
	{method: "GET", path: "/config/settings", run: configRead((*casekit.Config).Settings)},
	{method: "PUT", path: "/config/settings", run: configSave((*casekit.Config).SaveSettings, nil)},
	{method: "GET", path: "/config/statuses", run: configRead(func(cf *casekit.Config, ctx context.Context) (statusSet, error) {
		s, err := cf.Statuses(ctx)
		if err != nil {
			return statusSet{}, err
		}
		tr, err := cf.Transitions(ctx)
		return statusSet{Statuses: orEmpty(s), Transitions: orEmpty(tr)}, err
	})},
	{method: "PUT", path: "/config/statuses", run: configSave(func(cf *casekit.Config, ctx context.Context, in statusSet) error {
		return cf.ReplaceStatuses(ctx, in.Statuses, in.Transitions)
	}, nil)},
	{method: "GET", path: "/config/lookups/{kind}", run: func(c *call) error {
		ls, err := c.desk.Config().Lookups(c.r.Context(), casekit.LookupKind(c.path("kind")))
		if err != nil {
			return err
		}
		return c.reply(http.StatusOK, orEmpty(ls))
	}},
	{method: "PUT", path: "/config/lookups/{kind}/{key}", run: configSave(func(cf *casekit.Config, ctx context.Context, in casekit.Lookup) error {
		return cf.SaveLookup(ctx, in)
	}, func(c *call, in *casekit.Lookup) []keyField {
		return []keyField{{"kind", (*string)(&in.Kind), c.path("kind")}, {"key", &in.Key, c.path("key")}}
	})},
	{method: "DELETE", path: "/config/lookups/{kind}/{key}", run: func(c *call) error {
		if err := c.desk.Config().DeleteLookup(c.r.Context(), casekit.LookupKind(c.path("kind")), c.path("key")); err != nil {
			return err
		}
		return c.noContent()
	}},
	{method: "GET", path: "/config/teams", run: configRead((*casekit.Config).Teams)},
	{method: "PUT", path: "/config/teams/{key}", run: configSave((*casekit.Config).SaveTeam, keyed(func(t *casekit.Team) *string { return &t.ID }))},
	{method: "DELETE", path: "/config/teams/{key}", run: configDelete((*casekit.Config).DeleteTeam)},
	{method: "GET", path: "/config/queues", run: configRead((*casekit.Config).Queues)},
	{method: "PUT", path: "/config/queues/{key}", run: configSave((*casekit.Config).SaveQueue, keyed(func(q *casekit.Queue) *string { return &q.ID }))},
	{method: "DELETE", path: "/config/queues/{key}", run: configDelete((*casekit.Config).DeleteQueue)},
	{method: "GET", path: "/config/calendars", run: configRead((*casekit.Config).Calendars)},
	{method: "PUT", path: "/config/calendars/{key}", run: configSave((*casekit.Config).SaveCalendar, keyed(func(c *casekit.Calendar) *string { return &c.ID }))},
	{method: "DELETE", path: "/config/calendars/{key}", run: configDelete((*casekit.Config).DeleteCalendar)},
	{method: "GET", path: "/config/slas", run: configRead((*casekit.Config).SLAs)},
	{method: "PUT", path: "/config/slas/{key}", run: configSave((*casekit.Config).SaveSLA, keyed(func(s *casekit.SLA) *string { return &s.ID }))},
	{method: "DELETE", path: "/config/slas/{key}", run: configDelete((*casekit.Config).DeleteSLA)},
	{method: "GET", path: "/config/custom-fields", run: configRead((*casekit.Config).CustomFields)},
	{method: "PUT", path: "/config/custom-fields/{key}", run: configSave((*casekit.Config).SaveCustomField, keyed(func(f *casekit.CustomField) *string { return &f.Key }))},
	{method: "DELETE", path: "/config/custom-fields/{key}", run: configDelete((*casekit.Config).DeleteCustomField)},
	{method: "GET", path: "/config/processes", run: configRead((*casekit.Config).Processes)},
	{method: "PUT", path: "/config/processes/{key}", run: configSave((*casekit.Config).SaveProcess, keyed(func(p *casekit.Process) *string { return &p.Key }))},
	{method: "DELETE", path: "/config/processes/{key}", run: configDelete((*casekit.Config).DeleteProcess)},
	{method: "GET", path: "/config/roles", run: configRead((*casekit.Config).Roles)},
	{method: "PUT", path: "/config/roles/{key}", run: configSave((*casekit.Config).SaveRole, keyed(func(r *casekit.Role) *string { return &r.Key }))},
	{method: "DELETE", path: "/config/roles/{key}", run: configDelete((*casekit.Config).DeleteRole)},
	{method: "GET", path: "/config/agent-roles", run: configRead((*casekit.Config).AgentRoles)},
	{method: "GET", path: "/config/agent-roles/{key}", run: func(c *call) error {
		r, err := c.desk.Config().AgentRole(c.r.Context(), c.path("key"))
		if err != nil {
			return err
		}
		return c.reply(http.StatusOK, r)
	}},
	{method: "PUT", path: "/config/agent-roles/{key}", run: configSave(func(cf *casekit.Config, ctx context.Context, in agentRoleBody) error {
		return cf.SetAgentRole(ctx, agentFrom(ctx), in.Role)
	}, nil)},
	{method: "GET", path: "/config/mail", run: configRead((*casekit.Config).MailSettings)},
	{method: "PUT", path: "/config/mail", run: configSave((*casekit.Config).SaveMailSettings, nil)},
	{method: "GET", path: "/config/templates", run: configRead((*casekit.Config).TemplateOverrides)},
	{method: "PUT", path: "/config/templates/{key}", run: func(c *call) error {
		var in templateBody
		if err := c.decode(&in); err != nil {
			return err
		}
		o, err := c.desk.Config().SaveTemplateOverride(c.r.Context(), c.path("key"), in.Source)
		if err != nil {
			return err
		}
		return c.reply(http.StatusOK, o)
	}},
	{method: "DELETE", path: "/config/templates/{key}", run: configDelete((*casekit.Config).DeleteTemplateOverride)},
	{method: "GET", path: "/config/webhooks", run: configRead((*casekit.Config).Webhooks)},
	{method: "PUT", path: "/config/webhooks/{key}", run: func(c *call) error {
		var in casekit.Webhook
		if err := decodeKeyed(c, &in, keyed(func(w *casekit.Webhook) *string { return &w.Key })); err != nil {
			return err
		}
		w, err := c.desk.Config().SaveWebhook(c.r.Context(), in)
		if err != nil {
			return err
		}
		if w.Secret != "" { // a new subscription, its secret shown this once
			return c.reply(http.StatusCreated, w)
		}
		return c.reply(http.StatusOK, w)
	}},
	{method: "DELETE", path: "/config/webhooks/{key}", run: configDelete((*casekit.Config).DeleteWebhook)},
	{method: "POST", path: "/config/webhooks/{key}/secret", run: func(c *call) error {
		secret, err := c.desk.Config().RotateWebhookSecret(c.r.Context(), c.path("key"))
		if err != nil {
			return err
		}
		return c.reply(http.StatusOK, webhookSecret{Secret: secret})
	}},
	{method: "GET", path: "/config/webhooks/{key}/log", run: func(c *call) error {
		log, err := c.desk.Config().WebhookLog(c.r.Context(), c.path("key"))
		if err != nil {
			return err
		}
		return c.reply(http.StatusOK, orEmpty(log))
	}},
	{method: "GET", path: "/config/history", run: configRead((*casekit.Config).History)},
	{method: "GET", path: "/config/dead-letters", run: configRead((*casekit.Config).DeadLetters)},
	{method: "POST", path: "/config/dead-letters/{key}/retry", run: func(c *call) error {
		if err := c.desk.Config().RetryDeadLetter(c.r.Context(), c.path("key")); err != nil {
			return err
		}
		return c.noContent()
	}},
}

// configRead is a route that answers one Config read; a list is [] when
// empty.
func configRead[T any](read func(cf *casekit.Config, ctx context.Context) (T, error)) func(c *call) error {
	return func(c *call) error {
		v, err := read(c.desk.Config(), c.r.Context())
		if err != nil {
			return err
		}
		return c.reply(http.StatusOK, emptyList(v))
	}
}

// emptyList turns a nil slice into an empty one, so that a list is []
// in JSON, never null.
func emptyList(v any) any {
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Slice && rv.IsNil() {
		return reflect.MakeSlice(rv.Type(), 0, 0).Interface()
	}
	return v
}

// keyField is a field of a saved record that the path names too.
type keyField struct {
	name  string
	field *string
	path  string
}

// keyed names the record's key field, which the path's {key} fills in.
func keyed[T any](field func(*T) *string) func(c *call, in *T) []keyField {
	return func(c *call, in *T) []keyField { return []keyField{{"key", field(in), c.path("key")}} }
}

// configSave is a route that saves the JSON body with a Config command
// and answers 204. The keys the path names fill in the body's; a body
// naming another is a 422.
func configSave[T any](save func(cf *casekit.Config, ctx context.Context, in T) error, keys func(c *call, in *T) []keyField) func(c *call) error {
	return func(c *call) error {
		var in T
		if err := decodeKeyed(c, &in, keys); err != nil {
			return err
		}
		if err := save(c.desk.Config(), context.WithValue(c.r.Context(), pathKey{}, c.path("key")), in); err != nil {
			return err
		}
		return c.noContent()
	}
}

// decodeKeyed decodes the JSON body into in and fills in the keys the
// path names; a body naming another is a 422.
func decodeKeyed[T any](c *call, in *T, keys func(c *call, in *T) []keyField) error {
	if err := c.decode(in); err != nil {
		return err
	}
	if keys == nil {
		return nil
	}
	for _, k := range keys(c, in) {
		if *k.field != "" && *k.field != k.path {
			return &casekit.ValidationError{Fields: []casekit.FieldError{{Field: k.name, Rule: "path", Message: "differs from the path's " + k.name}}}
		}
		*k.field = k.path
	}
	return nil
}

// configDelete is a route that deletes the configuration record the
// path's {key} names, and answers 204.
func configDelete(del func(cf *casekit.Config, ctx context.Context, key string) error) func(c *call) error {
	return func(c *call) error {
		if err := del(c.desk.Config(), c.r.Context(), c.path("key")); err != nil {
			return err
		}
		return c.noContent()
	}
}

// pathKey carries the path's {key} to a save that needs it beside the
// body (SetAgentRole's agent).
type pathKey struct{}

// agentFrom is the agent the path of PUT /config/agent-roles/{key}
// names.
func agentFrom(ctx context.Context) string {
	s, _ := ctx.Value(pathKey{}).(string)
	return s
}
