package casekittest

import (
	"fmt"
	"testing"
	"time"

	"casekit.dev/casekit"
)

// onboarding is a process whose stages act when reached: the first gives
// the assignee a task due in 4 business hours; the second gives each of
// the team's members one, and tells the assignee, the team and the
// watchers with the tenant's own template.
var onboarding = casekit.Process{Key: "onboarding", Label: "Onboarding", Stages: []casekit.Stage{
	{Key: "collect", Label: "Collect", OnEnter: []casekit.Action{{Kind: casekit.ActionAddActivity, Value: "Call the customer", DueHours: 4}}},
	{Key: "verify", Label: "Verify", OnEnter: []casekit.Action{
		{Kind: casekit.ActionAddActivity, Value: "Check the papers", To: casekit.NotifyTeam},
		{Kind: casekit.ActionNotify, To: casekit.NotifyAssignee, Template: "message/custom.stage"},
		{Kind: casekit.ActionNotify, To: casekit.NotifyTeam, Template: "message/custom.stage"},
		{Kind: casekit.ActionNotify, To: casekit.NotifyWatchers, Template: "message/custom.stage"},
	}},
}}

// testStageActions checks what a process stage does when a case reaches
// it, and what saving such a stage refuses.
func testStageActions(t *testing.T, newStore StoreFactory) {
	for _, tc := range []recorderTest{
		{"a stage creates activities for its people and tells them with its template", func(t *testing.T, e *Env, rec *Recorder) {
			ctx, d := t.Context(), e.Agent()
			e.places(t, []string{"team-a"})
			try(d.Config().SaveTemplateOverride(ctx, "message/custom.stage", `{{define "subject"}}#{{.Case.Number}} is at {{.Data.to}}{{end}}`)).get(t)
			must(t, d.Config().SaveProcess(ctx, onboarding), "SaveProcess")
			c := openWith(t, d, casekit.NewCase{Subject: "New account", CustomerID: "cust-1", AssigneeID: "agent-2", TeamID: "team-a", SLAID: "office"})
			try(d.AddWatcher(ctx, c.ID, casekit.Watcher{Name: "Boss", Email: "boss@example.com"})).get(t)
			_, err := e.Kit.RunDue(ctx)
			must(t, err, "RunDue")
			rec.Take()

			try(d.StartProcess(ctx, c.ID, "onboarding")).get(t)
			acts := try(d.Activities(ctx, c.ID)).get(t)
			due := monday.Add(4 * time.Hour).UTC() // 10:00 + 4 working hours
			if len(acts) != 1 || acts[0].Subject != "Call the customer" || acts[0].AssigneeID != "agent-2" || acts[0].Due == nil || !acts[0].Due.Equal(due) {
				t.Fatalf("activities after the first stage: %+v", acts)
			}
			try(d.NextStage(ctx, c.ID)).get(t)
			var mine []string
			for _, a := range try(d.Activities(ctx, c.ID)).get(t)[1:] {
				mine = append(mine, fmt.Sprintf("%s for %s", a.Subject, a.AssigneeID))
			}
			wantEqual(t, []string{"Check the papers for agent-1", "Check the papers for agent-2"}, mine, "the team's activities")
			_, err = e.Kit.RunDue(ctx)
			must(t, err, "RunDue after the stage")
			got := rec.Take()
			// The acting agent-1 is not told of their own doing; no default
			// trigger tells of an internal activity.
			wantEqual(t, []string{"process.stage_changed -> agent:agent-2", "process.stage_changed -> watcher:" + try(d.Watchers(ctx, c.ID)).get(t)[0].ID}, who(got), "who is told")
			for _, n := range got {
				if n.Event == casekit.EventStageChanged && (n.Template != "message/custom.stage" || n.Rendered == nil || n.Rendered.Subject != "#1 is at verify") {
					t.Errorf("the stage's notice to %s: template %q, %+v", n.Recipient.ID, n.Template, n.Rendered)
				}
			}
			added := eventsOf(e.history(t, c.ID), casekit.EventActivityAdded)
			if len(added) != 3 || added[2].Data["process"] != "onboarding" || added[2].Data["stage"] != "verify" {
				t.Errorf("the stage's activities in the history: %+v", added)
			}
		}},
		{"saving a stage refuses actions that cannot run, naming the field", func(t *testing.T, e *Env, rec *Recorder) {
			ctx, d := t.Context(), e.Agent()
			before := e.tenantState(t)
			stage := func(acts ...casekit.Action) casekit.Process {
				return casekit.Process{Key: "p", Label: "P", Stages: []casekit.Stage{{Key: "a", Label: "A"}, {Key: "b", Label: "B", OnEnter: acts}}}
			}
			for _, tc := range []struct {
				what, field, rule string
				p                 casekit.Process
			}{
				{"a missing template", "stages[1].on_enter[0].template", "known", stage(casekit.Action{Kind: casekit.ActionNotify, To: casekit.NotifyTeam, Template: "message/custom.nothing"})},
				{"an activity without subject", "stages[1].on_enter[0].value", "required", stage(casekit.Action{Kind: casekit.ActionAddActivity})},
				{"a notice to no one", "stages[1].on_enter[1].to", "oneof", stage(casekit.Action{Kind: casekit.ActionAddActivity, Value: "x"}, casekit.Action{Kind: casekit.ActionNotify, To: "all"})},
				{"a missing queue", "stages[1].on_enter[0].queue", "known", stage(casekit.Action{Kind: casekit.ActionAssignQueue, Value: "nowhere"})},
			} {
				wantRule(t, d.Config().SaveProcess(ctx, tc.p), tc.what, tc.field, tc.rule)
			}
			wantEqual(t, before, e.tenantState(t), "the tenant after refused processes")
		}},
		{"a stage's action that fails when reached fails the step", func(t *testing.T, e *Env, rec *Recorder) {
			ctx, d := t.Context(), e.Agent()
			e.places(t, []string{"team-a"}, casekit.Queue{ID: "q1", Name: "Q1"})
			must(t, d.Config().SaveProcess(ctx, casekit.Process{Key: "p", Label: "P", Stages: []casekit.Stage{{Key: "a", Label: "A"},
				{Key: "b", Label: "B", OnEnter: []casekit.Action{{Kind: casekit.ActionAddActivity, Value: "x"}, {Kind: casekit.ActionAssignQueue, Value: "q1"}}}}}), "SaveProcess")
			c := e.open(t, "Case", "cust-1")
			c = try(d.StartProcess(ctx, c.ID, "p")).get(t)
			must(t, d.Config().DeleteQueue(ctx, "q1"), "DeleteQueue")
			_, err := d.NextStage(ctx, c.ID)
			wantRule(t, err, "NextStage into a stage whose queue is gone", "stages[1].on_enter[1].queue", "known")
			wantEqual(t, c, e.reload(t, c.ID), "the case after the failed step")
			wantEqual(t, 0, len(try(d.Activities(ctx, c.ID)).get(t)), "activities after the failed step")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &Recorder{}
			tc.run(t, ruleEnv(t, newStore, rec), rec)
		})
	}
}
