package casekittest

import (
	"io"
	"time"

	"context"
	"math/rand/v2"
	"testing"

	"casekit.dev/casekit"
	"casekit.dev/casekit/store"
	"github.com/google/uuid"
)

// fixture is a customer's small world in a tenant: an active case with an
// open activity the customer is told of, an internal open activity, public
// and internal notes and messages, and a second case that is resolved.
type fixture struct {
	Customer       string
	CaseID         string
	Number         int64
	ActivityID     string // open, NotifyContact
	InternalActID  string // open, internal
	MessageID      string // public
	ResolvedCaseID string
	Team           string // the case's team
	Queue          string // the case's queue, worked by Team
	SpareTeam      string // a team nothing uses
	SpareQueue     string // a queue nothing uses
	AutoQueue      string // an empty queue that assigns, worked by Team
	SpareCalendar  string // a calendar nothing uses
	SpareSLA       string // an SLA nothing uses
	WatcherID      string // watching the case
	SpareField     string // a custom field nothing uses
	SpareProcess   string // a process nothing runs
	SpareTemplate  string // a template override
	SpareRole      string // a role no agent holds
	SpareTrigger   string // a disabled trigger
	SpareMacro     string // a macro that tags
	SpareWebhook   string // a disabled webhook subscription
}

// newFixture builds a fixture for customer in the env's tenant.
func (e *Env) newFixture(t testing.TB, customer string) *fixture {
	t.Helper()
	ctx, d := t.Context(), e.Agent()
	fx := &fixture{Customer: customer, Team: "fx-team", Queue: "fx-queue", SpareTeam: "fx-spare", SpareQueue: "fx-spare-queue", AutoQueue: "fx-auto-queue",
		SpareCalendar: "fx-spare-cal", SpareSLA: "fx-spare-sla", SpareField: "fx-spare-field", SpareProcess: "fx-spare-process",
		SpareTemplate: "message/case.canceled", SpareRole: "fx-spare-role", SpareTrigger: "fx-spare-trigger", SpareMacro: "fx-spare-macro",
		SpareWebhook: "fx-spare-webhook"}
	must(t, d.Config().SaveCustomField(ctx, casekit.CustomField{Key: fx.SpareField, Label: "Spare", Type: casekit.CustomText}), "save custom field")
	must(t, d.Config().SaveProcess(ctx, casekit.Process{Key: fx.SpareProcess, Label: "Spare", Stages: []casekit.Stage{{Key: "one", Label: "One"}}}), "save process")
	must(t, d.Config().SaveRole(ctx, casekit.Role{Key: fx.SpareRole, Name: "Spare", Permissions: []casekit.Permission{casekit.PermRead}}), "save role")
	must(t, d.Config().SaveTrigger(ctx, casekit.Trigger{Key: fx.SpareTrigger, Name: "Spare", When: []casekit.EventType{casekit.EventCaseOpened},
		Then: []casekit.Action{{Kind: casekit.ActionAddTags, Values: []string{"spare"}}}}), "save trigger")
	must(t, d.Config().SaveMacro(ctx, casekit.Macro{Key: fx.SpareMacro, Name: "Spare", Actions: []casekit.Action{{Kind: casekit.ActionAddTags, Values: []string{"macro"}}}}), "save macro")
	try(d.Config().SaveWebhook(ctx, casekit.Webhook{Key: fx.SpareWebhook, URL: "https://hooks.example.com/spare"})).get(t)
	// Straight through the store: the env's kit may have no template
	// engine to check the override with. A new config version, as
	// casekit sets with every configuration write, keeps caches true.
	e.InTx(t, func(ctx context.Context, tx store.Tx) error {
		o := casekit.TemplateOverride{Name: fx.SpareTemplate, Source: `{{define "subject"}}Canceled{{end}}`, UpdatedBy: casekit.System, UpdatedAt: e.Now()}
		if err := tx.SaveTemplateOverride(ctx, o); err != nil {
			return err
		}
		return tx.SetConfigVersion(ctx, rand.Int64N(1<<62)+1)
	})
	cal := officeCalendar()
	cal.ID = fx.SpareCalendar
	must(t, d.Config().SaveCalendar(ctx, cal), "save calendar")
	must(t, d.Config().SaveSLA(ctx, casekit.SLA{ID: fx.SpareSLA, Name: "Spare", Targets: targets()}), "save SLA")
	for _, id := range []string{fx.Team, fx.SpareTeam} {
		must(t, d.Config().SaveTeam(ctx, casekit.Team{ID: id, Name: "Team " + id}), "save team %s", id)
	}
	must(t, d.Config().SaveQueue(ctx, casekit.Queue{ID: fx.Queue, Name: "Widgets", TeamID: fx.Team}), "save queue")
	must(t, d.Config().SaveQueue(ctx, casekit.Queue{ID: fx.SpareQueue, Name: "Spare"}), "save queue")
	must(t, d.Config().SaveQueue(ctx, casekit.Queue{ID: fx.AutoQueue, Name: "Auto", TeamID: fx.Team, AssignMode: casekit.AssignRoundRobin}), "save queue")
	c := openWith(t, d, casekit.NewCase{Subject: "Broken widget of " + customer, CustomerID: customer, QueueID: fx.Queue})
	fx.CaseID, fx.Number = c.ID, c.Number
	a := try(d.AddActivity(ctx, c.ID, casekit.NewActivity{Kind: casekit.ActivityCall, Subject: "Call the customer", NotifyContact: true})).get(t)
	fx.ActivityID = a.ID
	fx.WatcherID = try(d.AddWatcher(ctx, c.ID, casekit.Watcher{Name: "Boss", Email: "boss@" + customer + ".example"})).get(t).ID
	fx.InternalActID = e.task(t, c.ID, "Check the logs").ID
	try(d.AddNote(ctx, c.ID, casekit.NewNote{Subject: "general", Body: "Public note", Public: true})).get(t)
	try(d.AddNote(ctx, c.ID, casekit.NewNote{Subject: "diagnosis", Body: "Internal note"})).get(t)
	m := try(d.PostMessage(ctx, c.ID, casekit.NewMessage{Body: "We are on it"})).get(t)
	fx.MessageID = m.ID
	try(d.PostMessage(ctx, c.ID, casekit.NewMessage{Body: "FYI, colleague", Internal: true})).get(t)
	r := openWith(t, d, casekit.NewCase{Subject: "Solved widget of " + customer, CustomerID: customer})
	try(d.Resolve(ctx, r.ID, casekit.Resolution{})).get(t)
	fx.ResolvedCaseID = r.ID
	return fx
}

// fakeFixture names records that exist in no tenant.
func fakeFixture() *fixture {
	id := func() string { return uuid.Must(uuid.NewV7()).String() }
	return &fixture{Customer: "cust-x", CaseID: id(), Number: 424242, ActivityID: id(), InternalActID: id(), MessageID: id(), ResolvedCaseID: id(),
		Team: "no-team", Queue: "no-queue", SpareTeam: "no-spare", SpareQueue: "no-spare-queue", AutoQueue: "no-auto-queue", SpareCalendar: "no-cal", SpareSLA: "no-sla",
		SpareField: "no-field", SpareProcess: "no-process", SpareTemplate: "no/template", SpareRole: "no-role",
		SpareTrigger: "no-trigger", SpareMacro: "no-macro", SpareWebhook: "no-webhook"}
}

// command is one Desk command, with input that succeeds for staff on a
// fresh fixture.
type command struct {
	name string
	// own is what the fixture's customer gets: nil (allowed) or
	// ErrForbidden.
	own error
	// other is what another customer gets on the fixture: nil,
	// ErrForbidden, or ErrNotFound for a case they may not see.
	other error
	// onCase says the command names a case, activity or message of the
	// fixture.
	onCase bool
	run    func(ctx context.Context, d *casekit.Desk, fx *fixture) error
}

// agentOnly names the commands only an agent may run: the system gets
// ErrForbidden like a customer.
var agentOnly = map[string]bool{"Pick": true, "PickCase": true, "Availability": true, "SetAvailable": true}

// needs names the permission an agent must hold for each command that asks
// for another than casekit.PermWork, "" for none.
var needs = map[string]casekit.Permission{
	"Case": casekit.PermRead, "CaseView": casekit.PermRead, "CaseByNumber": casekit.PermRead, "ListCases": casekit.PermRead, "CountCases": casekit.PermRead, "Report": casekit.PermRead, "ExportCases": casekit.PermRead,
	"History": casekit.PermRead, "Activities": casekit.PermRead, "Notes": casekit.PermRead, "Messages": casekit.PermRead,
	"LinkedCases": casekit.PermRead, "Watchers": casekit.PermRead,
	"Config.Settings": casekit.PermRead, "Config.History": casekit.PermRead, "Config.Statuses": casekit.PermRead, "Config.Transitions": casekit.PermRead,
	"Config.Lookups": casekit.PermRead, "Config.Teams": casekit.PermRead, "Config.Queues": casekit.PermRead, "Config.Calendars": casekit.PermRead,
	"Config.SLAs": casekit.PermRead, "Config.DeadLetters": casekit.PermRead, "Config.CustomFields": casekit.PermRead, "Config.Processes": casekit.PermRead,
	"Config.TemplateOverrides": casekit.PermRead, "Config.TemplateSources": casekit.PermRead, "Config.Roles": casekit.PermRead, "Config.AgentRoles": casekit.PermRead,
	"Config.AgentRole": casekit.PermRead, "Config.MailSettings": casekit.PermRead, "Config.Triggers": casekit.PermRead, "Config.Macros": casekit.PermRead,
	"Availability": casekit.PermRead, "Config.Availabilities": casekit.PermRead,

	"Config.SaveSettings": casekit.PermConfigure, "Config.ReplaceStatuses": casekit.PermConfigure, "Config.SaveLookup": casekit.PermConfigure,
	"Config.DeleteLookup": casekit.PermConfigure, "Config.SaveTeam": casekit.PermConfigure, "Config.DeleteTeam": casekit.PermConfigure,
	"Config.SaveQueue": casekit.PermConfigure, "Config.DeleteQueue": casekit.PermConfigure, "Config.SaveCalendar": casekit.PermConfigure,
	"Config.DeleteCalendar": casekit.PermConfigure, "Config.SaveSLA": casekit.PermConfigure, "Config.DeleteSLA": casekit.PermConfigure,
	"Config.SaveCustomField": casekit.PermConfigure, "Config.DeleteCustomField": casekit.PermConfigure, "Config.SaveProcess": casekit.PermConfigure,
	"Config.DeleteProcess": casekit.PermConfigure, "Config.SaveTemplateOverride": casekit.PermConfigure, "Config.DeleteTemplateOverride": casekit.PermConfigure,
	"Config.SaveMailSettings": casekit.PermConfigure, "Config.SaveTrigger": casekit.PermConfigure, "Config.DeleteTrigger": casekit.PermConfigure, "Config.ReorderTriggers": casekit.PermConfigure,
	"Config.SaveMacro": casekit.PermConfigure, "Config.DeleteMacro": casekit.PermConfigure,
	"Config.SetAvailability": casekit.PermConfigure, "Config.AssignWaiting": casekit.PermConfigure,
	"Config.Webhooks": casekit.PermConfigure, "Config.SaveWebhook": casekit.PermConfigure, "Config.DeleteWebhook": casekit.PermConfigure,
	"Config.RotateWebhookSecret": casekit.PermConfigure, "Config.WebhookLog": casekit.PermConfigure,

	"DeleteCase":      casekit.PermDelete,
	"Config.SaveRole": casekit.PermManageRoles, "Config.DeleteRole": casekit.PermManageRoles, "Config.SetAgentRole": casekit.PermManageRoles,
	"Can": "",
}

// need returns the permission an agent must hold to run the command.
func need(name string) casekit.Permission {
	if p, ok := needs[name]; ok {
		return p
	}
	return casekit.PermWork
}

// commands lists every Desk command.
func commands() []command {
	forbidden, notFound := casekit.ErrForbidden, casekit.ErrNotFound
	statuses := casekit.DefaultStatuses()
	statuses[0].Label = "Brand new"
	return []command{
		{"OpenCase", nil, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.OpenCase(ctx, casekit.NewCase{Subject: "Another one", CustomerID: fx.Customer})
			return err
		}},
		{"Case", nil, notFound, true, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.Case(ctx, fx.CaseID)
			return err
		}},
		{"CaseByNumber", nil, notFound, true, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.CaseByNumber(ctx, fx.Number)
			return err
		}},
		{"ListCases", nil, nil, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.ListCases(ctx, casekit.CaseFilter{})
			return err
		}},
		{"CountCases", nil, nil, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.CountCases(ctx, casekit.CaseFilter{})
			return err
		}},
		{"Report", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			now := time.Now()
			_, err := d.Report(ctx, casekit.ReportQuery{From: now.Add(-time.Hour), To: now})
			return err
		}},
		{"ExportCases", nil, nil, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			return d.ExportCases(ctx, io.Discard, casekit.CaseFilter{})
		}},
		{"History", forbidden, forbidden, true, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.History(ctx, fx.CaseID)
			return err
		}},
		{"UpdateCase", forbidden, forbidden, true, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.UpdateCase(ctx, fx.CaseID, casekit.CaseUpdate{Subject: ptr("Changed subject")})
			return err
		}},
		{"DeleteCase", forbidden, forbidden, true, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			return d.DeleteCase(ctx, fx.CaseID, "opened by mistake")
		}},
		{"SetStatus", forbidden, forbidden, true, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.SetStatus(ctx, fx.CaseID, casekit.StatusInProgress)
			return err
		}},
		{"Resolve", forbidden, forbidden, true, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.Resolve(ctx, fx.CaseID, casekit.Resolution{CancelOpenActivities: true})
			return err
		}},
		{"Close", nil, notFound, true, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.Close(ctx, fx.CaseID, casekit.Closure{Reason: "fixed", Note: "All good", CancelOpenActivities: true})
			return err
		}},
		{"Reopen", forbidden, forbidden, true, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.Reopen(ctx, fx.ResolvedCaseID, casekit.Reopening{Reason: "not_fixed", Note: "It broke again"})
			return err
		}},
		{"Cancel", forbidden, forbidden, true, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.Cancel(ctx, fx.CaseID, "no longer needed")
			return err
		}},
		{"AddActivity", forbidden, forbidden, true, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.AddActivity(ctx, fx.CaseID, casekit.NewActivity{Kind: casekit.ActivityTask, Subject: "More work"})
			return err
		}},
		{"UpdateActivity", forbidden, forbidden, true, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.UpdateActivity(ctx, fx.ActivityID, casekit.ActivityUpdate{Subject: ptr("Call them twice")})
			return err
		}},
		{"CompleteActivity", forbidden, forbidden, true, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.CompleteActivity(ctx, fx.ActivityID, casekit.Completion{Result: "Called"})
			return err
		}},
		{"CancelActivity", forbidden, forbidden, true, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.CancelActivity(ctx, fx.ActivityID, "not needed")
			return err
		}},
		{"Activities", nil, notFound, true, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.Activities(ctx, fx.CaseID)
			return err
		}},
		{"AddNote", forbidden, forbidden, true, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.AddNote(ctx, fx.CaseID, casekit.NewNote{Subject: "general", Body: "A note"})
			return err
		}},
		{"Notes", nil, notFound, true, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.Notes(ctx, fx.CaseID)
			return err
		}},
		{"PostMessage", nil, notFound, true, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.PostMessage(ctx, fx.CaseID, casekit.NewMessage{Body: "Any news?"})
			return err
		}},
		{"Messages", nil, notFound, true, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.Messages(ctx, fx.CaseID)
			return err
		}},
		{"Config.Settings", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.Config().Settings(ctx)
			return err
		}},
		{"Config.History", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.Config().History(ctx)
			return err
		}},
		{"Config.SaveSettings", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			return d.Config().SaveSettings(ctx, casekit.Settings{DefaultPriority: "high", AutoCloseDays: 3})
		}},
		{"Config.MailSettings", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.Config().MailSettings(ctx)
			return err
		}},
		{"Config.SaveMailSettings", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			return d.Config().SaveMailSettings(ctx, casekit.MailSettings{Address: "help@acme.example", AckLimit: 5})
		}},
		{"RevokeReplyTokens", forbidden, forbidden, true, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.RevokeReplyTokens(ctx, fx.CaseID)
			return err
		}},
		{"Config.Statuses", nil, nil, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.Config().Statuses(ctx)
			return err
		}},
		{"Config.Transitions", nil, nil, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.Config().Transitions(ctx)
			return err
		}},
		{"Config.ReplaceStatuses", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			return d.Config().ReplaceStatuses(ctx, statuses, casekit.DefaultTransitions())
		}},
		{"Config.Lookups", nil, nil, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.Config().Lookups(ctx, casekit.LookupPriority)
			return err
		}},
		{"Config.SaveLookup", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			return d.Config().SaveLookup(ctx, casekit.Lookup{Kind: casekit.LookupCaseType, Key: "billing", Label: "Billing", Rank: 50})
		}},
		{"Config.DeleteLookup", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			return d.Config().DeleteLookup(ctx, casekit.LookupCaseType, "complaint")
		}},
		{"Config.Teams", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.Config().Teams(ctx)
			return err
		}},
		{"Config.SaveTeam", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			return d.Config().SaveTeam(ctx, casekit.Team{ID: "billing", Name: "Billing"})
		}},
		{"Config.DeleteTeam", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			return d.Config().DeleteTeam(ctx, fx.SpareTeam)
		}},
		{"Config.Queues", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.Config().Queues(ctx)
			return err
		}},
		{"Config.SaveQueue", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			return d.Config().SaveQueue(ctx, casekit.Queue{ID: "billing", Name: "Billing", TeamID: fx.Team})
		}},
		{"Config.DeleteQueue", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			return d.Config().DeleteQueue(ctx, fx.SpareQueue)
		}},
		{"Assign", forbidden, forbidden, true, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.Assign(ctx, fx.CaseID, casekit.Assignment{Agent: "agent-7", Team: fx.Team})
			return err
		}},
		{"Availability", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.Availability(ctx)
			return err
		}},
		{"SetAvailable", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.SetAvailable(ctx, true)
			return err
		}},
		{"Config.Availabilities", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.Config().Availabilities(ctx)
			return err
		}},
		{"Config.SetAvailability", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			return d.Config().SetAvailability(ctx, "agent-7", casekit.AvailabilityUpdate{Available: ptr(true), Capacity: ptr(3)})
		}},
		{"Config.AssignWaiting", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.Config().AssignWaiting(ctx, fx.AutoQueue)
			return err
		}},
		{"Pick", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.Pick(ctx, fx.Queue)
			return err
		}},
		{"PickCase", forbidden, forbidden, true, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.PickCase(ctx, fx.CaseID)
			return err
		}},
		{"Config.Calendars", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.Config().Calendars(ctx)
			return err
		}},
		{"Config.SaveCalendar", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			return d.Config().SaveCalendar(ctx, officeCalendar())
		}},
		{"Config.DeleteCalendar", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			return d.Config().DeleteCalendar(ctx, fx.SpareCalendar)
		}},
		{"Config.SLAs", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.Config().SLAs(ctx)
			return err
		}},
		{"Config.SaveSLA", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			return d.Config().SaveSLA(ctx, casekit.SLA{ID: "gold", Name: "Gold", Targets: targets()})
		}},
		{"Config.DeleteSLA", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			return d.Config().DeleteSLA(ctx, fx.SpareSLA)
		}},
		{"AddWatcher", forbidden, forbidden, true, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.AddWatcher(ctx, fx.CaseID, casekit.Watcher{Email: "supplier@example.com"})
			return err
		}},
		{"RemoveWatcher", forbidden, forbidden, true, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			return d.RemoveWatcher(ctx, fx.CaseID, fx.WatcherID)
		}},
		{"Watchers", forbidden, forbidden, true, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.Watchers(ctx, fx.CaseID)
			return err
		}},
		{"Config.DeadLetters", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.Config().DeadLetters(ctx)
			return err
		}},
		{"Tag", forbidden, forbidden, true, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.Tag(ctx, fx.CaseID, "vip")
			return err
		}},
		{"Untag", forbidden, forbidden, true, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.Untag(ctx, fx.CaseID, "vip")
			return err
		}},
		{"Reclassify", forbidden, forbidden, true, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.Reclassify(ctx, fx.CaseID, casekit.Reclassification{Category: ptr("widgets"), SLA: ptr(fx.SpareSLA)})
			return err
		}},
		{"Escalate", forbidden, forbidden, true, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.Escalate(ctx, fx.CaseID, casekit.Escalation{Level: 2, Team: fx.SpareTeam, Reason: "needs a specialist"})
			return err
		}},
		{"CaseView", nil, notFound, true, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.CaseView(ctx, fx.CaseID)
			return err
		}},
		{"LinkedCases", nil, notFound, true, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.LinkedCases(ctx, fx.CaseID)
			return err
		}},
		{"LinkCases", forbidden, forbidden, true, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.LinkCases(ctx, casekit.NewLink{Kind: casekit.LinkRelated, FromID: fx.CaseID, ToID: fx.ResolvedCaseID})
			return err
		}},
		{"StartProcess", forbidden, forbidden, true, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.StartProcess(ctx, fx.CaseID, fx.SpareProcess)
			return err
		}},
		{"Config.CustomFields", nil, nil, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.Config().CustomFields(ctx)
			return err
		}},
		{"Config.SaveCustomField", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			return d.Config().SaveCustomField(ctx, casekit.CustomField{Key: "contract", Label: "Contract", Type: casekit.CustomText})
		}},
		{"Config.DeleteCustomField", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			return d.Config().DeleteCustomField(ctx, fx.SpareField)
		}},
		{"Config.Triggers", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.Config().Triggers(ctx)
			return err
		}},
		{"Config.SaveTrigger", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			return d.Config().SaveTrigger(ctx, casekit.Trigger{Key: "vip", Name: "VIP", Enabled: true, When: []casekit.EventType{casekit.EventCaseOpened},
				If:   []casekit.Condition{{Field: "customer", Op: casekit.OpIs, Values: []string{"cust-vip"}}},
				Then: []casekit.Action{{Kind: casekit.ActionSetPriority, Value: "high"}}})
		}},
		{"Config.DeleteTrigger", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			return d.Config().DeleteTrigger(ctx, fx.SpareTrigger)
		}},
		{"Config.ReorderTriggers", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			ts, err := d.Config().Triggers(ctx)
			if err != nil {
				return err
			}
			keys := make([]string, len(ts)) // the last first
			for i, t := range ts {
				keys[len(ts)-1-i] = t.Key
			}
			return d.Config().ReorderTriggers(ctx, keys)
		}},
		{"Config.Macros", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.Config().Macros(ctx)
			return err
		}},
		{"Config.SaveMacro", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			return d.Config().SaveMacro(ctx, casekit.Macro{Key: "urgent", Name: "Urgent", Actions: []casekit.Action{{Kind: casekit.ActionSetPriority, Value: "high"}}})
		}},
		{"Config.DeleteMacro", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			return d.Config().DeleteMacro(ctx, fx.SpareMacro)
		}},
		{"Config.Webhooks", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.Config().Webhooks(ctx)
			return err
		}},
		{"Config.SaveWebhook", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.Config().SaveWebhook(ctx, casekit.Webhook{Key: "crm", URL: "https://hooks.example.com/crm", Events: []casekit.EventType{casekit.EventCaseOpened}})
			return err
		}},
		{"Config.DeleteWebhook", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			return d.Config().DeleteWebhook(ctx, fx.SpareWebhook)
		}},
		{"Config.RotateWebhookSecret", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.Config().RotateWebhookSecret(ctx, fx.SpareWebhook)
			return err
		}},
		{"Config.WebhookLog", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.Config().WebhookLog(ctx, fx.SpareWebhook)
			return err
		}},
		{"ApplyMacro", forbidden, forbidden, true, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.ApplyMacro(ctx, fx.CaseID, fx.SpareMacro, 0)
			return err
		}},
		{"PreviewMacro", forbidden, forbidden, true, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.PreviewMacro(ctx, fx.CaseID, fx.SpareMacro)
			return err
		}},
		{"Config.Processes", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.Config().Processes(ctx)
			return err
		}},
		{"Config.SaveProcess", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			return d.Config().SaveProcess(ctx, casekit.Process{Key: "triage", Label: "Triage", Stages: []casekit.Stage{{Key: "look", Label: "Look"}}})
		}},
		{"Config.DeleteProcess", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			return d.Config().DeleteProcess(ctx, fx.SpareProcess)
		}},
		{"Config.TemplateOverrides", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.Config().TemplateOverrides(ctx)
			return err
		}},
		{"Config.TemplateSources", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.Config().TemplateSources(ctx)
			return err
		}},
		{"Config.SaveTemplateOverride", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.Config().SaveTemplateOverride(ctx, "message/case.resolved", `{{define "subject"}}Solved: #{{.Case.Number}}{{end}}`)
			return err
		}},
		{"Config.DeleteTemplateOverride", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			return d.Config().DeleteTemplateOverride(ctx, fx.SpareTemplate)
		}},
		{"Config.Roles", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.Config().Roles(ctx)
			return err
		}},
		{"Config.AgentRoles", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.Config().AgentRoles(ctx)
			return err
		}},
		{"Config.AgentRole", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.Config().AgentRole(ctx, "agent-9")
			return err
		}},
		{"Config.SaveRole", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			return d.Config().SaveRole(ctx, casekit.Role{Key: "helpers", Name: "Helpers", Permissions: []casekit.Permission{casekit.PermRead}})
		}},
		{"Config.DeleteRole", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			return d.Config().DeleteRole(ctx, fx.SpareRole)
		}},
		{"Config.SetAgentRole", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			return d.Config().SetAgentRole(ctx, "agent-9", casekit.RoleViewer)
		}},
		{"Can", nil, nil, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.Can(ctx, casekit.PermConfigure)
			return err
		}},
	}
}
