package casekittest

import (
	"testing"

	"casekit.dev/casekit"
)

// triage is the process the processes area runs cases through.
var triage = casekit.Process{Key: "triage", Label: "Triage", Stages: []casekit.Stage{
	{Key: "identify", Label: "Identify", Required: []string{"type", "custom.product"}},
	{Key: "research", Label: "Research", Required: []string{"description", "category"}},
	{Key: "resolve", Label: "Resolve"},
}}

// testProcesses checks guided processes: definitions, NextStage refused
// until the stage's fields are filled, one active process per case, and
// the history of every step.
func testProcesses(t *testing.T, newStore StoreFactory) {
	runEnvTests(t, newStore, []envTest{
		{"definitions are checked and listed", func(t *testing.T, e *Env) {
			ctx, d := t.Context(), e.Agent()
			bad := func(p casekit.Process, what, field, rule string) {
				t.Helper()
				wantRule(t, d.Config().SaveProcess(ctx, p), what, field, rule)
			}
			bad(casekit.Process{Key: "x y", Label: "X", Stages: triage.Stages}, "a bad key", "key", "key")
			bad(casekit.Process{Key: "x", Label: "X"}, "no stages", "stages", "required")
			bad(casekit.Process{Key: "x", Label: "X", Stages: []casekit.Stage{{Key: "a", Label: "A"}, {Key: "a", Label: "Again"}}}, "a stage twice", "stages[1].key", "unique")
			bad(casekit.Process{Key: "x", Label: "X", Stages: []casekit.Stage{{Key: "a", Label: "A", Required: []string{"colour"}}}}, "an unknown field", "stages[0].required[0]", "known")
			bad(casekit.Process{Key: "x", Label: "X", Stages: []casekit.Stage{{Key: "a", Label: "A", Required: []string{"custom.bad key"}}}}, "a bad custom key", "stages[0].required[0]", "key")
			bad(casekit.Process{Key: "x", Label: "X", Stages: []casekit.Stage{{Key: "", Label: "A"}}}, "a stage without key", "stages[0].key", "required")
			must(t, d.Config().SaveProcess(ctx, triage), "SaveProcess")
			must(t, d.Config().SaveProcess(ctx, casekit.Process{Key: "onboarding", Label: "Onboarding", Stages: []casekit.Stage{{Key: "welcome", Label: "Welcome"}}}), "SaveProcess")
			got := try(d.Config().Processes(ctx)).get(t)
			wantEqual(t, []casekit.Process{{Key: "onboarding", Label: "Onboarding", Stages: []casekit.Stage{{Key: "welcome", Label: "Welcome"}}}, triage}, got, "process definitions")
			// With custom field definitions, a required custom field must be one.
			must(t, d.Config().SaveCustomField(ctx, casekit.CustomField{Key: "product", Label: "Product", Type: casekit.CustomText}), "SaveCustomField")
			bad(casekit.Process{Key: "x", Label: "X", Stages: []casekit.Stage{{Key: "a", Label: "A", Required: []string{"custom.serial"}}}}, "an undefined custom field", "stages[0].required[0]", "known")
			must(t, d.Config().SaveProcess(ctx, triage), "SaveProcess with the custom field defined")
			must(t, d.Config().DeleteProcess(ctx, "onboarding"), "DeleteProcess")
			wantIs(t, d.Config().DeleteProcess(ctx, "onboarding"), casekit.ErrNotFound, "deleting twice")
			wantIs(t, e.Desk(casekit.Customer("cust-1")).Config().SaveProcess(ctx, triage), casekit.ErrForbidden, "a customer defining a process")
			if evs := e.tenantEvents(t); evs[len(evs)-1].Type != casekit.EventProcessChanged {
				t.Errorf("last tenant event %s, want %s", evs[len(evs)-1].Type, casekit.EventProcessChanged)
			}
		}},
		{"next stage waits for the stage's fields", func(t *testing.T, e *Env) {
			ctx, d := t.Context(), e.Agent()
			must(t, d.Config().SaveProcess(ctx, triage), "SaveProcess")
			c := e.open(t, "Broken screen", "cust-1")
			started := e.Tick()
			c = try(d.StartProcess(ctx, c.ID, "triage")).get(t)
			if c.Process == nil || c.Process.Key != "triage" || c.Process.Stage != "identify" || !c.Process.StartedAt.Equal(started) || !c.Process.Active() {
				t.Fatalf("after StartProcess: %+v", c.Process)
			}
			wantEqual(t, c.Process, e.reload(t, c.ID).Process, "stored process state")
			before := e.state(t, c.ID)
			_, err := d.NextStage(ctx, c.ID)
			ve := wantInvalid(t, err, "next stage with nothing filled", "type", "custom.product")
			if ve != nil && len(ve.Fields) != 2 {
				t.Errorf("next stage names %v, want type and custom.product only", ve.Fields)
			}
			wantUnchanged(t, before, e.state(t, c.ID), "refused next stage")
			try(d.UpdateCase(ctx, c.ID, casekit.CaseUpdate{Type: ptr("problem"), Custom: map[string]any{"product": "  "}})).get(t)
			_, err = d.NextStage(ctx, c.ID)
			wantRule(t, err, "a blank custom value", "custom.product", "required")
			try(d.UpdateCase(ctx, c.ID, casekit.CaseUpdate{Custom: map[string]any{"product": "X200"}})).get(t)
			c = try(d.NextStage(ctx, c.ID)).get(t)
			if c.Process.Stage != "research" {
				t.Fatalf("after next stage: %+v", c.Process)
			}
			ev := eventOf(t, e.history(t, c.ID), casekit.EventStageChanged)
			if str(ev, "from") != "identify" || str(ev, "to") != "research" || str(ev, "process") != "triage" {
				t.Errorf("stage changed event %v", ev.Data)
			}
			// Back one stage needs nothing; before the first there is none.
			c = try(d.PreviousStage(ctx, c.ID)).get(t)
			if c.Process.Stage != "identify" {
				t.Fatalf("after previous stage: %+v", c.Process)
			}
			_, err = d.PreviousStage(ctx, c.ID)
			wantRule(t, err, "previous stage at the first", "stage", "first")
			c = try(d.NextStage(ctx, c.ID)).get(t)
			_, err = d.NextStage(ctx, c.ID)
			wantInvalid(t, err, "research without description and category", "description", "category")
			try(d.UpdateCase(ctx, c.ID, casekit.CaseUpdate{Description: ptr("Cracked in the corner"), Category: ptr("hardware")})).get(t)
			c = try(d.NextStage(ctx, c.ID)).get(t)
			if c.Process.Stage != "resolve" || !c.Process.Active() {
				t.Fatalf("at the last stage: %+v", c.Process)
			}
			finished := e.Tick()
			c = try(d.NextStage(ctx, c.ID)).get(t)
			if c.Process.Active() || c.Process.FinishedAt == nil || !c.Process.FinishedAt.Equal(finished) || c.Process.Stage != "resolve" {
				t.Fatalf("after the last stage: %+v", c.Process)
			}
			wantEqual(t, c.Process, e.reload(t, c.ID).Process, "stored finished process")
			_, err = d.NextStage(ctx, c.ID)
			wantIs(t, err, casekit.ErrNotFound, "next stage after the process finished")
			evs := e.history(t, c.ID)
			var steps []casekit.EventType
			for _, ev := range evs {
				switch ev.Type {
				case casekit.EventProcessStarted, casekit.EventStageChanged, casekit.EventProcessFinished:
					steps = append(steps, ev.Type)
				}
			}
			wantEqual(t, []casekit.EventType{casekit.EventProcessStarted, casekit.EventStageChanged, casekit.EventStageChanged,
				casekit.EventStageChanged, casekit.EventStageChanged, casekit.EventProcessFinished}, steps, "process history")
			// A finished process makes room for another.
			c = try(d.StartProcess(ctx, c.ID, "triage")).get(t)
			if c.Process.Stage != "identify" || !c.Process.Active() {
				t.Errorf("restarted process: %+v", c.Process)
			}
		}},
		{"one active process per case", func(t *testing.T, e *Env) {
			ctx, d := t.Context(), e.Agent()
			must(t, d.Config().SaveProcess(ctx, triage), "SaveProcess")
			must(t, d.Config().SaveProcess(ctx, casekit.Process{Key: "returns", Label: "Returns", Stages: []casekit.Stage{{Key: "label", Label: "Send label"}}}), "SaveProcess")
			c := e.open(t, "Return", "cust-1")
			_, err := d.NextStage(ctx, c.ID)
			wantIs(t, err, casekit.ErrNotFound, "next stage without a process")
			_, err = d.StopProcess(ctx, c.ID)
			wantIs(t, err, casekit.ErrNotFound, "stopping without a process")
			_, err = d.StartProcess(ctx, c.ID, "nope")
			wantRule(t, err, "an unknown process", "process", "known")
			_, err = e.Desk(casekit.Customer("cust-1")).StartProcess(ctx, c.ID, "triage")
			wantIs(t, err, casekit.ErrForbidden, "a customer starting a process")
			try(d.StartProcess(ctx, c.ID, "triage")).get(t)
			before := e.state(t, c.ID)
			_, err = d.StartProcess(ctx, c.ID, "returns")
			wantIs(t, err, casekit.ErrConflict, "a second process")
			_, err = d.StartProcess(ctx, c.ID, "triage")
			wantIs(t, err, casekit.ErrConflict, "the same process again")
			wantUnchanged(t, before, e.state(t, c.ID), "refused second process")
			c = try(d.StopProcess(ctx, c.ID)).get(t)
			if c.Process != nil {
				t.Fatalf("after StopProcess: %+v", c.Process)
			}
			if ev := eventOf(t, e.history(t, c.ID), casekit.EventProcessStopped); str(ev, "stage") != "identify" {
				t.Errorf("stopped event %v", ev.Data)
			}
			c = try(d.StartProcess(ctx, c.ID, "returns")).get(t)
			if c.Process.Key != "returns" {
				t.Errorf("after starting another: %+v", c.Process)
			}
			// A deleted definition leaves the case where it is, and stoppable.
			must(t, d.Config().DeleteProcess(ctx, "returns"), "DeleteProcess")
			_, err = d.NextStage(ctx, c.ID)
			wantIs(t, err, casekit.ErrNotFound, "next stage of a deleted process")
			try(d.StopProcess(ctx, c.ID)).get(t)
			// A read-only case takes no steps.
			r := e.into(t, e.open(t, "Done", "cust-1"), casekit.StatusResolved)
			_, err = d.StartProcess(ctx, r.ID, "triage")
			wantIs(t, err, casekit.ErrReadOnly, "starting a process on a resolved case")
		}},
	})
}
