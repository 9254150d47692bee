package casekittest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"casekit.dev/casekit"
	"casekit.dev/templates"
)

// waiting is a time rule: when the case enters a paused status ("waiting
// for response"), after hours (business hours when business is set) it
// does then, if the case is still paused.
func waiting(key string, hours int, business bool, then ...casekit.Action) casekit.Trigger {
	t := on(key, []casekit.EventType{casekit.EventStatusChanged}, []casekit.Condition{cond("status_flags", casekit.OpContains, "paused")}, then...)
	t.After = &casekit.Elapsed{Hours: hours, BusinessHours: business}
	return t
}

// remind tells the customer, with the time rules' own template;
// closeUnanswered closes the case for want of an answer.
var (
	remind          = casekit.Action{Kind: casekit.ActionNotify, To: casekit.NotifyCustomer}
	closeUnanswered = casekit.Action{Kind: casekit.ActionSetStatus, Value: casekit.StatusClosed, Field: "no_response"}
)

// monday is 10:00 on a working Monday of the office calendar.
var monday = time.Date(2031, time.March, 17, 10, 0, 0, 0, berlin)

// ruleEnv is an env whose kit delivers to rec, knows testDirectory and
// renders with the default templates, with the office calendar and SLAs
// saved and the clock at monday.
func ruleEnv(t *testing.T, newStore StoreFactory, rec *Recorder) *Env {
	e := NewEnv(t, newStore(t), casekit.WithNotifier(rec), casekit.WithDirectory(testDirectory), casekit.WithTemplates(templates.New()))
	e.slaSetup(t)
	e.Clock.Set(monday)
	return e
}

// elapsed returns the triggers whose time ran out on the case, in order.
func (e *Env) elapsed(t testing.TB, caseID string) []string {
	t.Helper()
	var out []string
	for _, ev := range eventsOf(e.history(t, caseID), casekit.EventTimeElapsed) {
		out = append(out, ev.Data["trigger"].(string))
	}
	return out
}

// testTimeRules checks triggers on elapsed time: their clocks are timers
// on the case, started by the rule's event, stopped when the case leaves
// the rule's state, counted in business hours on the calendar as it
// stands when they run out; and what saving such rules, their actions
// and templates refuses.
func testTimeRules(t *testing.T, newStore StoreFactory) {
	for _, tc := range []recorderTest{
		{"a waiting case is reminded after N business hours and closed after M hours", func(t *testing.T, e *Env, rec *Recorder) {
			ctx, d := t.Context(), e.Agent()
			must(t, d.Config().SaveTrigger(ctx, waiting("remind", 8, true, remind)), "SaveTrigger(remind)")
			must(t, d.Config().SaveTrigger(ctx, waiting("close", 48, false, closeUnanswered)), "SaveTrigger(close)")
			c := openWith(t, d, casekit.NewCase{Subject: "Printer", CustomerID: "cust-1", Contact: casekit.Contact{Email: "ada@example.com"}, SLAID: "office"})
			c = e.into(t, c, casekit.StatusWaiting)
			// 8 working hours from Monday 10:00 end on Tuesday at 10:00;
			// 48 hours on the wall clock on Wednesday at 10:00. The paused
			// SLA sets no timers of its own.
			wantEqual(t, []string{"trigger/remind@24h0m0s", "trigger/close@48h0m0s"}, e.timerKinds(t, c.ID, monday), "the clocks")
			_, err := e.Kit.RunDue(ctx)
			must(t, err, "RunDue")
			rec.Take()

			e.Clock.Set(monday.Add(24*time.Hour - time.Second))
			e.runDue(t, 0, "just before the reminder")
			e.Clock.Set(monday.Add(24 * time.Hour))
			e.runDue(t, 2, "the reminder and its notice")
			wantEqual(t, []string{"remind"}, e.elapsed(t, c.ID), "rules run")
			got := rec.Take()
			wantEqual(t, []string{"trigger.elapsed -> customer:cust-1"}, who(got), "the reminder")
			if len(got) == 1 && (got[0].Rendered == nil || got[0].Rendered.Subject != "[#1] Printer — a reminder") {
				t.Errorf("the reminder reads %+v", got[0].Rendered)
			}
			wantEqual(t, casekit.StatusWaiting, e.reload(t, c.ID).Status, "status after the reminder")

			e.Clock.Set(monday.Add(48 * time.Hour))
			_, err = e.Kit.RunDue(ctx)
			must(t, err, "RunDue at the close")
			c = e.reload(t, c.ID)
			wantEqual(t, casekit.StatusClosed, c.Status, "status after M hours")
			wantEqual(t, "no_response", c.ClosureReason, "closure reason")
			wantEqual(t, []string{"remind", "close"}, e.elapsed(t, c.ID), "rules run")
			closed := eventsOf(e.history(t, c.ID), casekit.EventClosed)
			if len(closed) != 1 || closed[0].Data["trigger"] != "close" || closed[0].Data["note"] != `Closed by the trigger "Trigger close".` || closed[0].Actor != casekit.System {
				t.Errorf("the closing in the history: %+v", closed)
			}
			wantEqual(t, []string(nil), e.timerKinds(t, c.ID, monday), "clocks left")
		}},
		{"a customer's reply meanwhile stops the clocks; waiting again starts them again", func(t *testing.T, e *Env, rec *Recorder) {
			ctx, d := t.Context(), e.Agent()
			must(t, d.Config().SaveTrigger(ctx, waiting("remind", 8, true, remind)), "SaveTrigger(remind)")
			must(t, d.Config().SaveTrigger(ctx, waiting("close", 16, true, closeUnanswered)), "SaveTrigger(close)")
			c := openWith(t, d, casekit.NewCase{Subject: "Printer", CustomerID: "cust-1", SLAID: "office"})
			c = e.into(t, c, casekit.StatusWaiting)
			e.Clock.Set(monday.Add(20 * time.Hour)) // Tuesday 06:00
			try(e.Desk(casekit.Customer("cust-1")).PostMessage(ctx, c.ID, casekit.NewMessage{Body: "Here is the answer"})).get(t)
			if st := e.reload(t, c.ID).Status; st == casekit.StatusWaiting {
				t.Fatalf("the reply left the case %s", st)
			}
			if kinds := e.timerKinds(t, c.ID, monday); slices.ContainsFunc(kinds, func(k string) bool { return strings.HasPrefix(k, "trigger/") }) {
				t.Errorf("clocks after the reply: %v", kinds)
			}
			e.Clock.Set(monday.Add(7 * 24 * time.Hour))
			_, err := e.Kit.RunDue(ctx)
			must(t, err, "RunDue a week later")
			wantEqual(t, []string(nil), e.elapsed(t, c.ID), "rules run after the reply")
			if st := e.reload(t, c.ID).Status; st == casekit.StatusClosed {
				t.Errorf("the case closed after the customer answered")
			}
			// Waiting again: the clocks count from now (Monday 10:00 a week on).
			again := e.Now()
			e.into(t, e.reload(t, c.ID), casekit.StatusWaiting)
			wantEqual(t, []string{"trigger/remind@24h0m0s", "trigger/close@48h0m0s"}, e.timerKinds(t, c.ID, again), "the clocks started again")
		}},
		{"a holiday added meanwhile puts the rule off; a disabled rule does nothing", func(t *testing.T, e *Env, rec *Recorder) {
			ctx, d := t.Context(), e.Agent()
			must(t, d.Config().SaveTrigger(ctx, waiting("remind", 8, true, remind)), "SaveTrigger(remind)")
			other := waiting("tag", 8, true, tags("waited"))
			must(t, d.Config().SaveTrigger(ctx, other), "SaveTrigger(tag)")
			c := openWith(t, d, casekit.NewCase{Subject: "Printer", CustomerID: "cust-1", SLAID: "office"})
			e.into(t, c, casekit.StatusWaiting)
			other.Enabled = false
			must(t, d.Config().SaveTrigger(ctx, other), "disable the tag rule")
			cal := officeCalendar()
			cal.Holidays = append(cal.Holidays, "2031-03-18") // that Tuesday
			must(t, d.Config().SaveCalendar(ctx, cal), "SaveCalendar with a holiday")

			e.Clock.Set(monday.Add(24 * time.Hour))
			_, err := e.Kit.RunDue(ctx)
			must(t, err, "RunDue on the holiday")
			wantEqual(t, []string(nil), e.elapsed(t, c.ID), "rules run on the holiday")
			wantEqual(t, []string{"trigger/remind@48h0m0s"}, e.timerKinds(t, c.ID, monday), "the clock put off a day; the disabled rule's gone")
			e.Clock.Set(monday.Add(48 * time.Hour))
			_, err = e.Kit.RunDue(ctx)
			must(t, err, "RunDue the day after")
			wantEqual(t, []string{"remind"}, e.elapsed(t, c.ID), "rules run the day after")
			if slices.Contains(e.reload(t, c.ID).Tags, "waited") {
				t.Errorf("the disabled rule acted")
			}
		}},
		{"saving refuses bad time rules, statuses and templates, naming the field", func(t *testing.T, e *Env, rec *Recorder) {
			ctx, d := t.Context(), e.Agent()
			before := e.tenantState(t)
			notifyWith := func(tmpl string) casekit.Action {
				return casekit.Action{Kind: casekit.ActionNotify, To: casekit.NotifyCustomer, Template: tmpl}
			}
			for _, tc := range []struct {
				what, field, rule string
				tr                casekit.Trigger
			}{
				{"no hours", "after.hours", "range", waiting("x", 0, true, remind)},
				{"more than a year", "after.hours", "range", waiting("x", 8761, false, remind)},
				{"an unknown status", "then[0].value", "known", waiting("x", 8, true, casekit.Action{Kind: casekit.ActionSetStatus, Value: "gone"})},
				{"closing without a reason", "then[0].field", "required", waiting("x", 8, true, casekit.Action{Kind: casekit.ActionSetStatus, Value: casekit.StatusClosed})},
				{"closing with an unknown reason", "then[0].field", "known", waiting("x", 8, true, casekit.Action{Kind: casekit.ActionSetStatus, Value: casekit.StatusClosed, Field: "bored"})},
				{"two statuses", "then", "max", waiting("x", 8, true, closeUnanswered, closeUnanswered)},
				{"a missing template", "then[0].template", "known", waiting("x", 8, true, notifyWith("message/custom.nudge"))},
				{"a template that is no message", "then[0].template", "known", waiting("x", 8, true, notifyWith("portal/detail"))},
				{"a template on what is no notice", "then[0].template", "excluded_unless", waiting("x", 8, true, casekit.Action{Kind: casekit.ActionAddTags, Values: []string{"x"}, Template: "message/trigger.elapsed"})},
				{"an activity due too late", "then[0].due_hours", "range", waiting("x", 8, true, casekit.Action{Kind: casekit.ActionAddActivity, Value: "Call", DueHours: 9000})},
				{"an activity for no one", "then[0].to", "oneof", waiting("x", 8, true, casekit.Action{Kind: casekit.ActionAddActivity, Value: "Call", To: casekit.NotifyCustomer})},
			} {
				wantRule(t, d.Config().SaveTrigger(ctx, tc.tr), tc.what, tc.field, tc.rule)
			}
			wantRule(t, d.Config().SaveMacro(ctx, casekit.Macro{Key: "m", Name: "M", Actions: []casekit.Action{closeUnanswered}}), "a macro setting the status", "actions[0].kind", "oneof")
			wantEqual(t, before, e.tenantState(t), "the tenant after refused rules")

			// A tenant's own template, once saved, may be named; a time
			// rule whose actions lead back to its event is no loop.
			try(d.Config().SaveTemplateOverride(ctx, "message/custom.nudge", `{{define "subject"}}Still there? #{{.Case.Number}}{{end}}`)).get(t)
			must(t, d.Config().SaveTrigger(ctx, waiting("x", 8, true, notifyWith("message/custom.nudge"))), "a rule naming the saved template")
			back := waiting("back", 8, true, casekit.Action{Kind: casekit.ActionSetStatus, Value: casekit.StatusInProgress})
			back.When = append(back.When, casekit.EventCaseUpdated)
			must(t, d.Config().SaveTrigger(ctx, back), "a time rule on the events its actions record")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &Recorder{}
			tc.run(t, ruleEnv(t, newStore, rec), rec)
		})
	}
}
