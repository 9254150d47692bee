package casekittest

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"casekit.dev/casekit"
)

// secretAgent assigns the customer view area's cases: a customer must
// never read this ID, nor the other internal things of secretCase.
const secretAgent = "agent-secret"

// customerWorld is a case of customer cust-a holding every kind of
// internal data, beside what the customer may read: a public tag
// ("billing") and an internal one ("vip"), custom fields for customers
// ("order", "size") and an internal one ("risk"), an assignee, team,
// queue, SLA, support level, a paused SLA clock, a completed activity the
// contact was told of and an internal one, both with results, and a
// linked case of the same customer.
type customerWorld struct {
	Case, Linked   *casekit.Case
	Told, Internal *casekit.Activity
}

func (e *Env) customerWorld(t *testing.T) *customerWorld {
	t.Helper()
	ctx, d := t.Context(), e.Agent()
	s := try(d.Config().Settings(ctx)).get(t)
	s.PublicTags = []string{" billing ", "billing"}
	must(t, d.Config().SaveSettings(ctx, s), "SaveSettings")
	for _, f := range []casekit.CustomField{
		{Key: "order", Label: "Order", Type: casekit.CustomText, Audience: casekit.AudienceCustomer},
		{Key: "size", Label: "Size", Type: casekit.CustomNumber, Audience: casekit.AudienceForm},
		{Key: "risk", Label: "Churn risk", Type: casekit.CustomSelect, Options: []string{"low", "high"}},
	} {
		must(t, d.Config().SaveCustomField(ctx, f), "SaveCustomField(%s)", f.Key)
	}
	e.slaSetup(t)
	e.places(t, []string{"team-a"}, casekit.Queue{ID: "qa", Name: "A", TeamID: "team-a"})
	w := &customerWorld{}
	w.Case = openWith(t, d, casekit.NewCase{Subject: "Invoice wrong", CustomerID: "cust-a", QueueID: "qa", TeamID: "team-a", AssigneeID: secretAgent,
		SLAID: "round", Tags: []string{"billing", "vip"}, Custom: map[string]any{"order": "A-1", "size": 3, "risk": "high"}})
	try(d.Escalate(ctx, w.Case.ID, casekit.Escalation{Level: 2, Agent: secretAgent})).get(t)
	w.Told = try(d.AddActivity(ctx, w.Case.ID, casekit.NewActivity{Kind: casekit.ActivityCall, Subject: "Call back", AssigneeID: secretAgent, NotifyContact: true})).get(t)
	try(d.CompleteActivity(ctx, w.Told.ID, casekit.Completion{Result: "Credit note sent"})).get(t)
	w.Internal = e.task(t, w.Case.ID, "Check fraud score")
	try(d.CompleteActivity(ctx, w.Internal.ID, casekit.Completion{Result: "Score 97: watch this one"})).get(t)
	try(d.PostMessage(ctx, w.Case.ID, casekit.NewMessage{Body: "We are on it"})).get(t)
	try(d.AddNote(ctx, w.Case.ID, casekit.NewNote{Subject: "general", Body: "Public note", Public: true})).get(t)
	e.Tick()
	w.Case = e.into(t, e.into(t, w.Case, casekit.StatusInProgress), casekit.StatusWaiting) // the SLA clock pauses
	w.Linked = openWith(t, d, casekit.NewCase{Subject: "Second invoice", CustomerID: "cust-a", AssigneeID: secretAgent, Tags: []string{"vip"}})
	try(d.LinkCases(ctx, casekit.NewLink{Kind: casekit.LinkRelated, FromID: w.Case.ID, ToID: w.Linked.ID})).get(t)
	w.Case = e.reload(t, w.Case.ID)
	if w.Case.AssigneeID != secretAgent || w.Case.SupportLevel != 2 || w.Case.SLAPausedAt == nil || w.Case.ResolutionDue == nil {
		t.Fatalf("the world's case lacks internal data to hide: %+v", w.Case)
	}
	return w
}

// leaks lists what of a customer's view of a case is internal.
func leaks(c *casekit.Case) []string {
	var out []string
	for _, tag := range c.Tags {
		if tag != "billing" {
			out = append(out, "tag "+tag)
		}
	}
	for k := range c.Custom {
		if k != "order" && k != "size" {
			out = append(out, "custom."+k)
		}
	}
	for what, has := range map[string]bool{
		"assignee": c.AssigneeID != "", "team": c.TeamID != "", "queue": c.QueueID != "", "SLA": c.SLAID != "",
		"support level": c.SupportLevel != 0, "SLA pause": c.SLAPausedAt != nil || c.SLAPausedFor != 0, "process": c.Process != nil,
		"author's staff ID": c.CreatedBy.Kind == casekit.KindAgent && c.CreatedBy.ID != "",
	} {
		if has {
			out = append(out, what)
		}
	}
	slices.Sort(out)
	return out
}

func testCustomerView(t *testing.T, newStore StoreFactory) {
	// Alone, before the parallel tests: Kit.RunDue delivers every
	// tenant's notifications.
	t.Run("notifications to a customer and watchers carry no internal data, those to agents all of it", func(t *testing.T) {
		rec := &Recorder{}
		e := NewEnv(t, newStore(t), casekit.WithNotifier(rec))
		ctx, d := t.Context(), e.Agent()
		c := openWith(t, d, casekit.NewCase{Subject: "Invoice wrong", CustomerID: "cust-a", Contact: casekit.Contact{Email: "a@example.com"},
			Tags: []string{"vip"}, Custom: map[string]any{"risk": "high"}})
		try(d.AddWatcher(ctx, c.ID, casekit.Watcher{Email: "boss@example.com"})).get(t)
		e.into(t, c, casekit.StatusInProgress) // assigns the agent: "assignee_id" in the event
		try(e.Desk(casekit.Customer("cust-a")).PostMessage(ctx, c.ID, casekit.NewMessage{Body: "Any news?"})).get(t)
		try(d.AddActivity(ctx, c.ID, casekit.NewActivity{Kind: casekit.ActivityCall, Subject: "Call back", AssigneeID: secretAgent, NotifyContact: true})).get(t)
		internal := e.task(t, c.ID, "Check fraud score")
		try(d.Resolve(ctx, c.ID, casekit.Resolution{Summary: "Refunded against policy", CancelOpenActivities: true})).get(t)
		_, err := e.Kit.RunDue(ctx)
		must(t, err, "RunDue")
		var told []string
		for _, n := range rec.Take() {
			if n.Tenant != e.Tenant {
				continue
			}
			raw := try(json.Marshal(n.Data)).get(t)
			if n.Recipient.Kind == casekit.RecipientAgent {
				if n.Event == casekit.EventMessagePosted && n.Data["excerpt"] != "Any news?" {
					t.Errorf("the agent's notice of the customer's message lost its excerpt: %s", raw)
				}
				continue
			}
			told = append(told, string(n.Event)+" -> "+string(n.Recipient.Kind))
			for _, secret := range []string{AgentID, secretAgent, "Refunded", internal.ID, "vip", "risk", "assignee_id", "summary", "canceled_activities"} {
				if strings.Contains(string(raw), secret) {
					t.Errorf("%s to a %s carries %q: %s", n.Event, n.Recipient.Kind, secret, raw)
				}
			}
			if n.Data["subject"] != "Invoice wrong" || (n.Event == casekit.EventActivityAdded && n.Data["activity_subject"] != "Call back") ||
				(n.Event == casekit.EventResolved && n.Recipient.Kind == casekit.RecipientCustomer && n.Data["rating_levels"] == nil) {
				t.Errorf("%s to a %s lost what the customer may read: %s", n.Event, n.Recipient.Kind, raw)
			}
		}
		slices.Sort(told)
		wantEqual(t, []string{"activity.added -> customer", "activity.added -> watcher", "case.resolved -> customer", "case.resolved -> watcher",
			"case.status_changed -> customer", "case.status_changed -> watcher"}, told, "notifications to the customer and the watcher")
		if ev := eventOf(t, e.history(t, c.ID), casekit.EventResolved); ev.Data["summary"] != "Refunded against policy" {
			t.Errorf("the history lost the resolution summary: %v", ev.Data)
		}
	})
	runEnvTests(t, newStore, []envTest{
		{"a customer reads no internal tags, custom fields, assignee, team, queue or SLA internals of a case", func(t *testing.T, e *Env) {
			ctx := t.Context()
			w := e.customerWorld(t)
			cust := e.Desk(casekit.Customer("cust-a"))
			view := try(cust.CaseView(ctx, w.Case.ID)).get(t)
			reads := []struct {
				name  string
				cases func() ([]*casekit.Case, error)
			}{
				{"Case", func() ([]*casekit.Case, error) { c, err := cust.Case(ctx, w.Case.ID); return []*casekit.Case{c}, err }},
				{"CaseByNumber", func() ([]*casekit.Case, error) {
					c, err := cust.CaseByNumber(ctx, w.Case.Number)
					return []*casekit.Case{c}, err
				}},
				{"ListCases", func() ([]*casekit.Case, error) {
					p, err := cust.ListCases(ctx, casekit.CaseFilter{Tags: []string{"billing"}, Custom: map[string]string{"order": "A-1"}})
					return p.Cases, err
				}},
				{"CaseView", func() ([]*casekit.Case, error) { return []*casekit.Case{view.Case, view.Linked[0].Case}, nil }},
				{"LinkedCases", func() ([]*casekit.Case, error) {
					ls, err := cust.LinkedCases(ctx, w.Case.ID)
					return []*casekit.Case{ls[0].Case}, err
				}},
				{"OpenCase", func() ([]*casekit.Case, error) {
					c, err := cust.OpenCase(ctx, casekit.NewCase{Subject: "Also", Tags: []string{"billing"}}) // an internal tag is refused (permissions)
					return []*casekit.Case{c}, err
				}},
				{"Rate", func() ([]*casekit.Case, error) {
					try(e.Agent().Resolve(ctx, w.Linked.ID, casekit.Resolution{})).get(t)
					c, err := cust.Rate(ctx, w.Linked.ID, casekit.Rating{Level: 2}) // reopens it: the team sees it
					return []*casekit.Case{c}, err
				}},
			}
			for _, r := range reads {
				cases, err := r.cases()
				must(t, err, "%s as the customer", r.name)
				if len(cases) == 0 || slices.Contains(cases, nil) {
					t.Fatalf("%s as the customer gave no case", r.name)
				}
				for _, c := range cases {
					if l := leaks(c); len(l) > 0 {
						t.Errorf("%s as the customer shows case #%d's internal data: %v", r.name, c.Number, l)
					}
				}
			}
			want := *w.Case
			want.Tags, want.Custom = []string{"billing"}, map[string]any{"order": "A-1", "size": 3.0}
			want.AssigneeID, want.TeamID, want.QueueID, want.SLAID, want.SupportLevel, want.SLAPausedAt, want.SLAPausedFor = "", "", "", "", 0, nil, 0
			want.CreatedBy = casekit.Actor{Kind: casekit.KindAgent}
			wantEqual(t, &want, view.Case, "the customer's view of the case (the SLA's deadlines are theirs)")
			wantEqual(t, []casekit.CustomField{{Key: "order", Label: "Order", Type: casekit.CustomText, Audience: casekit.AudienceCustomer},
				{Key: "size", Label: "Size", Type: casekit.CustomNumber, Audience: casekit.AudienceForm}}, try(cust.Config().CustomFields(ctx)).get(t), "custom fields as the customer")

			// Activities: only the one the contact was told of, result and
			// all, without the staff's IDs; the same in the case view.
			for name, acts := range map[string][]*casekit.Activity{"Activities": try(cust.Activities(ctx, w.Case.ID)).get(t), "CaseView": view.Activities} {
				if len(acts) != 1 || acts[0].ID != w.Told.ID || acts[0].Result != "Credit note sent" || acts[0].AssigneeID != "" || acts[0].CreatedBy.ID != "" {
					t.Errorf("%s as the customer: %s; want only the told activity, with its result and no staff IDs", name, try(json.Marshal(acts)).get(t))
				}
			}
			for _, m := range try(cust.Messages(ctx, w.Case.ID)).get(t) {
				if m.CreatedBy != (casekit.Actor{Kind: casekit.KindAgent}) {
					t.Errorf("a message as the customer reads it is by %v, want an agent with no ID", m.CreatedBy)
				}
			}
			for _, n := range try(cust.Notes(ctx, w.Case.ID)).get(t) {
				if n.CreatedBy != (casekit.Actor{Kind: casekit.KindAgent}) {
					t.Errorf("a note as the customer reads it is by %v, want an agent with no ID", n.CreatedBy)
				}
			}
			if l := try(cust.LinkedCases(ctx, w.Case.ID)).get(t); l[0].Link.CreatedBy.ID != "" {
				t.Errorf("a link as the customer reads it names its author %v", l[0].Link.CreatedBy)
			}
			if l := leaks(try(cust.Close(ctx, w.Case.ID, casekit.Closure{Reason: "fixed", Note: "Thanks"})).get(t)); len(l) > 0 {
				t.Errorf("Close as the customer shows internal data: %v", l)
			}
			// The staff still read everything, and the customer's reads
			// changed nothing of it.
			if c := e.reload(t, w.Case.ID); c.AssigneeID != secretAgent || len(c.Tags) != 2 || len(c.Custom) != 3 || c.SLAID != "round" {
				t.Errorf("the agent's case after the customer's reads: %+v", c)
			}
			if acts := try(e.Agent().Activities(ctx, w.Case.ID)).get(t); len(acts) != 2 || acts[1].Result != "Score 97: watch this one" {
				t.Errorf("the agent's activities: %s", try(json.Marshal(acts)).get(t))
			}
		}},
		{"a tenant without field definitions shows customers no custom values", func(t *testing.T, e *Env) {
			c := openWith(t, e.Agent(), casekit.NewCase{Subject: "Free-form", CustomerID: "cust-a", Custom: map[string]any{"note": "pays late"}})
			if got := try(e.Desk(casekit.Customer("cust-a")).Case(t.Context(), c.ID)).get(t); got.Custom != nil {
				t.Errorf("the customer reads free-form custom values %v", got.Custom)
			}
		}},
		{"a customer's filter on internal data is refused alike whether or not a case holds it", func(t *testing.T, e *Env) {
			ctx := t.Context()
			w := e.customerWorld(t)
			cust := e.Desk(casekit.Customer("cust-a"))
			soon := e.Now().Add(365 * 24 * time.Hour)
			filters := []struct {
				field, rule string
				f           casekit.CaseFilter
			}{
				{"assignee_id", "internal", casekit.CaseFilter{AssigneeID: secretAgent}},
				{"team_id", "internal", casekit.CaseFilter{TeamID: "team-a"}},
				{"queue_id", "internal", casekit.CaseFilter{QueueID: "qa"}},
				{"sla_id", "internal", casekit.CaseFilter{SLAID: "round"}},
				{"response_due_before", "internal", casekit.CaseFilter{ResponseDueBefore: &soon}},
				{"resolution_due_before", "internal", casekit.CaseFilter{ResolutionDueBefore: &soon}},
				{"breached", "internal", casekit.CaseFilter{Breached: true}},
				{"tag", "public", casekit.CaseFilter{Tag: "vip"}},
				{"tags[1]", "public", casekit.CaseFilter{Tags: []string{"billing", "vip"}}},
				{"tags[0]", "public", casekit.CaseFilter{Tags: []string{"no-such-tag"}}},
				{"custom.risk", "known", casekit.CaseFilter{Custom: map[string]string{"risk": "high"}}},
				{"custom.no_such", "known", casekit.CaseFilter{Custom: map[string]string{"no_such": "x"}}},
			}
			// The customer's answer is the same while their case holds the
			// tag, the internal field and the assignee and after it lost
			// them.
			errs := map[string]string{}
			for _, round := range []string{"held", "gone"} {
				for _, tc := range filters {
					err := errOf(cust.ListCases(ctx, tc.f))
					wantRule(t, err, "customer ListCases by "+tc.field+" ("+round+")", tc.field, tc.rule)
					if err == nil {
						continue
					}
					if prev, ok := errs[tc.field]; ok && prev != err.Error() {
						t.Errorf("customer ListCases by %s: %q while the case held it, %q after", tc.field, prev, err)
					}
					errs[tc.field] = err.Error()
				}
				if round == "held" {
					try(e.Agent().Untag(ctx, w.Case.ID, "vip")).get(t)
					try(e.Agent().UpdateCase(ctx, w.Case.ID, casekit.CaseUpdate{Custom: map[string]any{"risk": nil}})).get(t)
					try(e.Agent().Assign(ctx, w.Case.ID, casekit.Assignment{ClearAgent: true})).get(t)
				}
			}
			// What customers read they may filter by.
			for _, f := range []casekit.CaseFilter{{Tag: "billing"}, {Tags: []string{"billing"}}, {Custom: map[string]string{"size": "3"}}, {Sort: casekit.SortDue}} {
				if p := try(cust.ListCases(ctx, f)).get(t); !slices.Contains(ids(p.Cases), w.Case.ID) {
					t.Errorf("customer ListCases(%+v) = %v, want their case", f, numbers(p.Cases))
				}
			}
		}},
	})
}
