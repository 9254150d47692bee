package casekittest

import (
	"context"
	"math/rand/v2"
	"testing"

	"casekit.dev/casekit"
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
	SpareCalendar  string // a calendar nothing uses
	SpareSLA       string // an SLA nothing uses
	WatcherID      string // watching the case
	SpareField     string // a custom field nothing uses
	SpareProcess   string // a process nothing runs
	SpareTemplate  string // a template override
	SpareRole      string // a role no agent holds
}

// newFixture builds a fixture for customer in the env's tenant.
func (e *Env) newFixture(t testing.TB, customer string) *fixture {
	t.Helper()
	ctx, d := t.Context(), e.Agent()
	fx := &fixture{Customer: customer, Team: "fx-team", Queue: "fx-queue", SpareTeam: "fx-spare", SpareQueue: "fx-spare-queue",
		SpareCalendar: "fx-spare-cal", SpareSLA: "fx-spare-sla", SpareField: "fx-spare-field", SpareProcess: "fx-spare-process",
		SpareTemplate: "message/case.canceled", SpareRole: "fx-spare-role"}
	must(t, d.SaveCustomField(ctx, casekit.CustomField{Key: fx.SpareField, Label: "Spare", Type: casekit.CustomText}), "save custom field")
	must(t, d.SaveProcess(ctx, casekit.Process{Key: fx.SpareProcess, Label: "Spare", Stages: []casekit.Stage{{Key: "one", Label: "One"}}}), "save process")
	must(t, d.SaveRole(ctx, casekit.Role{Key: fx.SpareRole, Name: "Spare", Permissions: []casekit.Permission{casekit.PermRead}}), "save role")
	// Straight through the store: the env's kit may have no template
	// engine to check the override with. A new config version, as
	// casekit sets with every configuration write, keeps caches true.
	e.InTx(t, func(ctx context.Context, tx casekit.Tx) error {
		o := casekit.TemplateOverride{Name: fx.SpareTemplate, Source: `{{define "subject"}}Canceled{{end}}`, UpdatedBy: casekit.System, UpdatedAt: e.Now()}
		if err := tx.SaveTemplateOverride(ctx, o); err != nil {
			return err
		}
		return tx.SetConfigVersion(ctx, rand.Int64N(1<<62)+1)
	})
	cal := officeCalendar()
	cal.ID = fx.SpareCalendar
	must(t, d.SaveCalendar(ctx, cal), "save calendar")
	must(t, d.SaveSLA(ctx, casekit.SLA{ID: fx.SpareSLA, Name: "Spare", Targets: targets()}), "save SLA")
	for _, id := range []string{fx.Team, fx.SpareTeam} {
		must(t, d.SaveTeam(ctx, casekit.Team{ID: id, Name: "Team " + id}), "save team %s", id)
	}
	must(t, d.SaveQueue(ctx, casekit.Queue{ID: fx.Queue, Name: "Widgets", TeamID: fx.Team}), "save queue")
	must(t, d.SaveQueue(ctx, casekit.Queue{ID: fx.SpareQueue, Name: "Spare"}), "save queue")
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
		Team: "no-team", Queue: "no-queue", SpareTeam: "no-spare", SpareQueue: "no-spare-queue", SpareCalendar: "no-cal", SpareSLA: "no-sla",
		SpareField: "no-field", SpareProcess: "no-process", SpareTemplate: "no/template", SpareRole: "no-role"}
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
var agentOnly = map[string]bool{"Pick": true, "PickCase": true}

// needs names the permission an agent must hold for each command that asks
// for another than casekit.PermWork, "" for none.
var needs = map[string]casekit.Permission{
	"Case": casekit.PermRead, "CaseView": casekit.PermRead, "CaseByNumber": casekit.PermRead, "ListCases": casekit.PermRead,
	"History": casekit.PermRead, "Activities": casekit.PermRead, "Notes": casekit.PermRead, "Messages": casekit.PermRead,
	"LinkedCases": casekit.PermRead, "Watchers": casekit.PermRead, "Timers": casekit.PermRead, "AllowedStatuses": casekit.PermRead,
	"Settings": casekit.PermRead, "ConfigHistory": casekit.PermRead, "Statuses": casekit.PermRead, "Transitions": casekit.PermRead,
	"Lookups": casekit.PermRead, "Teams": casekit.PermRead, "Queues": casekit.PermRead, "Calendars": casekit.PermRead,
	"SLAs": casekit.PermRead, "DeadLetters": casekit.PermRead, "CustomFields": casekit.PermRead, "Processes": casekit.PermRead,
	"Templates": casekit.PermRead, "TemplateSources": casekit.PermRead, "Roles": casekit.PermRead, "AgentRoles": casekit.PermRead,
	"AgentRole": casekit.PermRead, "MailSettings": casekit.PermRead,

	"UpdateSettings": casekit.PermConfigure, "SetStatuses": casekit.PermConfigure, "SaveLookup": casekit.PermConfigure,
	"DeleteLookup": casekit.PermConfigure, "SaveTeam": casekit.PermConfigure, "DeleteTeam": casekit.PermConfigure,
	"SaveQueue": casekit.PermConfigure, "DeleteQueue": casekit.PermConfigure, "SaveCalendar": casekit.PermConfigure,
	"DeleteCalendar": casekit.PermConfigure, "SaveSLA": casekit.PermConfigure, "DeleteSLA": casekit.PermConfigure,
	"SaveCustomField": casekit.PermConfigure, "DeleteCustomField": casekit.PermConfigure, "SaveProcess": casekit.PermConfigure,
	"DeleteProcess": casekit.PermConfigure, "SaveTemplate": casekit.PermConfigure, "DeleteTemplate": casekit.PermConfigure,
	"UpdateMailSettings": casekit.PermConfigure,

	"DeleteCase": casekit.PermDelete,
	"SaveRole":   casekit.PermManageRoles, "DeleteRole": casekit.PermManageRoles, "SetAgentRole": casekit.PermManageRoles,
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
		{"Settings", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.Settings(ctx)
			return err
		}},
		{"ConfigHistory", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.ConfigHistory(ctx)
			return err
		}},
		{"UpdateSettings", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			return d.UpdateSettings(ctx, casekit.Settings{DefaultPriority: "high", AutoCloseDays: 3})
		}},
		{"MailSettings", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.MailSettings(ctx)
			return err
		}},
		{"UpdateMailSettings", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			return d.UpdateMailSettings(ctx, casekit.MailSettings{Address: "help@acme.example", AckLimit: 5})
		}},
		{"RevokeReplyTokens", forbidden, forbidden, true, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.RevokeReplyTokens(ctx, fx.CaseID)
			return err
		}},
		{"Statuses", nil, nil, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.Statuses(ctx)
			return err
		}},
		{"Transitions", nil, nil, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.Transitions(ctx)
			return err
		}},
		{"AllowedStatuses", forbidden, forbidden, true, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.AllowedStatuses(ctx, fx.CaseID)
			return err
		}},
		{"SetStatuses", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			return d.SetStatuses(ctx, statuses, casekit.DefaultTransitions())
		}},
		{"Lookups", nil, nil, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.Lookups(ctx, casekit.LookupPriority)
			return err
		}},
		{"SaveLookup", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			return d.SaveLookup(ctx, casekit.Lookup{Kind: casekit.LookupCaseType, Key: "billing", Label: "Billing", Rank: 50})
		}},
		{"DeleteLookup", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			return d.DeleteLookup(ctx, casekit.LookupCaseType, "complaint")
		}},
		{"Teams", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.Teams(ctx)
			return err
		}},
		{"SaveTeam", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			return d.SaveTeam(ctx, casekit.Team{ID: "billing", Name: "Billing"})
		}},
		{"DeleteTeam", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			return d.DeleteTeam(ctx, fx.SpareTeam)
		}},
		{"Queues", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.Queues(ctx)
			return err
		}},
		{"SaveQueue", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			return d.SaveQueue(ctx, casekit.Queue{ID: "billing", Name: "Billing", TeamID: fx.Team})
		}},
		{"DeleteQueue", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			return d.DeleteQueue(ctx, fx.SpareQueue)
		}},
		{"Assign", forbidden, forbidden, true, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.Assign(ctx, fx.CaseID, casekit.Assignment{Agent: "agent-7", Team: fx.Team})
			return err
		}},
		{"Unassign", forbidden, forbidden, true, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.Unassign(ctx, fx.CaseID)
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
		{"Calendars", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.Calendars(ctx)
			return err
		}},
		{"SaveCalendar", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			return d.SaveCalendar(ctx, officeCalendar())
		}},
		{"DeleteCalendar", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			return d.DeleteCalendar(ctx, fx.SpareCalendar)
		}},
		{"SLAs", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.SLAs(ctx)
			return err
		}},
		{"SaveSLA", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			return d.SaveSLA(ctx, casekit.SLA{ID: "gold", Name: "Gold", Targets: targets()})
		}},
		{"DeleteSLA", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			return d.DeleteSLA(ctx, fx.SpareSLA)
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
		{"DeadLetters", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.DeadLetters(ctx)
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
		{"Timers", forbidden, forbidden, true, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.Timers(ctx, fx.CaseID)
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
		{"CustomFields", nil, nil, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.CustomFields(ctx)
			return err
		}},
		{"SaveCustomField", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			return d.SaveCustomField(ctx, casekit.CustomField{Key: "contract", Label: "Contract", Type: casekit.CustomText})
		}},
		{"DeleteCustomField", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			return d.DeleteCustomField(ctx, fx.SpareField)
		}},
		{"Processes", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.Processes(ctx)
			return err
		}},
		{"SaveProcess", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			return d.SaveProcess(ctx, casekit.Process{Key: "triage", Label: "Triage", Stages: []casekit.Stage{{Key: "look", Label: "Look"}}})
		}},
		{"DeleteProcess", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			return d.DeleteProcess(ctx, fx.SpareProcess)
		}},
		{"Templates", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.Templates(ctx)
			return err
		}},
		{"TemplateSources", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.TemplateSources(ctx)
			return err
		}},
		{"SaveTemplate", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.SaveTemplate(ctx, "message/case.resolved", `{{define "subject"}}Solved: #{{.Case.Number}}{{end}}`)
			return err
		}},
		{"DeleteTemplate", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			return d.DeleteTemplate(ctx, fx.SpareTemplate)
		}},
		{"Roles", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.Roles(ctx)
			return err
		}},
		{"AgentRoles", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.AgentRoles(ctx)
			return err
		}},
		{"AgentRole", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.AgentRole(ctx, "agent-9")
			return err
		}},
		{"SaveRole", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			return d.SaveRole(ctx, casekit.Role{Key: "helpers", Name: "Helpers", Permissions: []casekit.Permission{casekit.PermRead}})
		}},
		{"DeleteRole", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			return d.DeleteRole(ctx, fx.SpareRole)
		}},
		{"SetAgentRole", forbidden, forbidden, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			return d.SetAgentRole(ctx, "agent-9", casekit.RoleViewer)
		}},
		{"Can", nil, nil, false, func(ctx context.Context, d *casekit.Desk, fx *fixture) error {
			_, err := d.Can(ctx, casekit.PermConfigure)
			return err
		}},
	}
}
