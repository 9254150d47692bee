package casekittest

import (
	"context"
	"errors"
	"slices"
	"testing"

	"casekit.dev/casekit"
	"casekit.dev/casekit/store"
	"github.com/google/uuid"
)

// errInjected is the error faultyTx returns.
var errInjected = errors.New("casekittest: injected store failure")

// faultyStore wraps the store under test so that one Tx method fails, after
// the command has written other things in the same transaction: the store
// must roll all of them back.
type faultyStore struct {
	store.Store
	failOn string // "AppendEvents" or "UpdateCase"
}

func (s *faultyStore) InTx(ctx context.Context, tenant string, fn func(context.Context, store.Tx) error) error {
	return s.Store.InTx(ctx, tenant, func(ctx context.Context, tx store.Tx) error {
		return fn(ctx, &faultyTx{Tx: tx, failOn: s.failOn})
	})
}

type faultyTx struct {
	store.Tx
	failOn string
}

func (tx *faultyTx) AppendEvents(ctx context.Context, events ...casekit.Event) error {
	if tx.failOn == "AppendEvents" {
		return errInjected
	}
	return tx.Tx.AppendEvents(ctx, events...)
}

func (tx *faultyTx) UpdateCase(ctx context.Context, c *casekit.Case, prevVersion int64) error {
	if tx.failOn == "UpdateCase" {
		return errInjected
	}
	return tx.Tx.UpdateCase(ctx, c, prevVersion)
}

// faulty returns a desk on the env's tenant, as the agent, whose store
// fails on the Tx method named.
func (e *Env) faulty(t testing.TB, failOn string) *casekit.Desk {
	t.Helper()
	kit, err := casekit.New(&faultyStore{Store: e.Store, failOn: failOn}, casekit.WithClock(e.Clock), casekit.WithLogger(discard))
	must(t, err, "casekit.New")
	return kit.Desk(e.Tenant).As(casekit.Agent(AgentID))
}

func testRollback(t *testing.T, newStore StoreFactory) {
	runEnvTests(t, newStore, []envTest{
		{"a refused complete & close leaves the activity open", func(t *testing.T, e *Env) {
			ctx := t.Context()
			c := e.open(t, "Work", "cust-1")
			a := e.task(t, c.ID, "Task")
			other := e.task(t, c.ID, "Other")
			before := e.state(t, c.ID)
			e.Tick()
			// Both refusals come after the activity was written as completed.
			err := errOf(e.Agent().CompleteActivity(ctx, a.ID, casekit.Completion{CloseCase: &casekit.Closure{Reason: "fixed", Note: "n"}}))
			wantOpenActivities(t, err, c.ID, []*casekit.Activity{other}, "complete & close with another open activity")
			err = errOf(e.Agent().CompleteActivity(ctx, a.ID, casekit.Completion{CloseCase: &casekit.Closure{Reason: "bored", Note: "n"}}))
			wantRule(t, err, "complete & close with an unknown reason", "reason", "known")
			wantUnchanged(t, before, e.state(t, c.ID), "after refused complete & close")
		}},
		{"a refused Resolve or Close leaves no partial write", func(t *testing.T, e *Env) {
			ctx := t.Context()
			c := e.into(t, e.open(t, "Work", "cust-1"), casekit.StatusInProgress)
			a := e.task(t, c.ID, "Task")
			before := e.state(t, c.ID)
			e.Tick()
			wantOpenActivities(t, errOf(e.Agent().Resolve(ctx, c.ID, casekit.Resolution{})), c.ID, []*casekit.Activity{a}, "Resolve")
			wantOpenActivities(t, errOf(e.Agent().SetStatus(ctx, c.ID, casekit.StatusResolved)), c.ID, []*casekit.Activity{a}, "SetStatus(resolved)")
			wantOpenActivities(t, errOf(e.Agent().Close(ctx, c.ID, casekit.Closure{Reason: "fixed", Note: "n"})), c.ID, []*casekit.Activity{a}, "Close")
			wantUnchanged(t, before, e.state(t, c.ID), "after refused Resolve and Close")
		}},
		{"a store failure at the end of a command rolls back all of it", func(t *testing.T, e *Env) {
			ctx := t.Context()
			fx := e.newFixture(t, "cust-1")
			waiting := e.into(t, e.open(t, "Waiting", "cust-1"), casekit.StatusWaiting)
			before, beforeResolved, beforeWaiting, beforeTenant := e.state(t, fx.CaseID), e.state(t, fx.ResolvedCaseID), e.state(t, waiting.ID), e.tenantState(t)
			e.Tick()
			events, updates := e.faulty(t, "AppendEvents"), e.faulty(t, "UpdateCase")
			customer := updates.As(casekit.Customer("cust-1"))
			for _, tc := range []struct {
				name string
				err  error
			}{
				{"OpenCase", errOf(events.OpenCase(ctx, casekit.NewCase{Subject: "Lost"}))},
				{"Resolve canceling activities", errOf(events.Resolve(ctx, fx.CaseID, casekit.Resolution{CancelOpenActivities: true}))},
				{"Cancel", errOf(events.Cancel(ctx, fx.CaseID, "no"))},
				{"Close canceling activities", errOf(updates.Close(ctx, fx.CaseID, casekit.Closure{Reason: "fixed", Note: "n", CancelOpenActivities: true}))},
				{"complete & close", errOf(updates.CompleteActivity(ctx, fx.ActivityID, casekit.Completion{CloseCase: &casekit.Closure{Reason: "fixed", Note: "n", CancelOpenActivities: true}}))},
				{"CompleteActivity", errOf(events.CompleteActivity(ctx, fx.ActivityID, casekit.Completion{Result: "r"}))},
				{"AddNote", errOf(events.AddNote(ctx, fx.CaseID, casekit.NewNote{Subject: "general", Body: "lost"}))},
				{"first PostMessage", errOf(updates.PostMessage(ctx, waiting.ID, casekit.NewMessage{Body: "lost"}))},
				{"a customer reply that reopens", errOf(customer.PostMessage(ctx, waiting.ID, casekit.NewMessage{Body: "lost"}))},
				{"Reopen", errOf(events.Reopen(ctx, fx.ResolvedCaseID, casekit.Reopening{Reason: "not_fixed", Note: "n"}))},
				{"DeleteCase", events.DeleteCase(ctx, fx.CaseID, "lost")},
				{"SaveSettings", events.Config().SaveSettings(ctx, casekit.Settings{DefaultPriority: "low", AutoCloseDays: 1})},
				{"SaveLookup", events.Config().SaveLookup(ctx, casekit.Lookup{Kind: casekit.LookupOrigin, Key: "fax", Label: "Fax"})},
				{"DeleteLookup", events.Config().DeleteLookup(ctx, casekit.LookupOrigin, "chat")},
				{"ReplaceStatuses", events.Config().ReplaceStatuses(ctx, casekit.DefaultStatuses(), casekit.DefaultTransitions()[2:])},
			} {
				wantIs(t, tc.err, errInjected, "%s with a failing store", tc.name)
			}
			wantUnchanged(t, before, e.state(t, fx.CaseID), "a case after failed commands")
			wantUnchanged(t, beforeResolved, e.state(t, fx.ResolvedCaseID), "a resolved case after failed commands")
			wantUnchanged(t, beforeWaiting, e.state(t, waiting.ID), "a waiting case after failed commands")
			wantEqual(t, beforeTenant, e.tenantState(t), "tenant configuration after failed commands")
			if n := e.open(t, "Next", "cust-1").Number; n != 4 {
				t.Errorf("case opened after a failed OpenCase has number %d, want 4: the failed one's number is given again", n)
			}
		}},
		{"a rolled-back transaction leaves nothing", func(t *testing.T, e *Env) {
			ctx := t.Context()
			c := e.open(t, "Existing", "cust-1")
			a := e.task(t, c.ID, "Existing task")
			before, beforeTenant := e.state(t, c.ID), e.tenantState(t)
			now := e.Tick()
			newID := uuid.Must(uuid.NewV7()).String()
			boom := errors.New("roll back")
			err := e.Store.InTx(ctx, e.Tenant, func(ctx context.Context, tx store.Tx) error {
				nc := &casekit.Case{ID: newID, Subject: "Ghost", Priority: "medium", Status: "new", CreatedBy: casekit.System, CreatedAt: now, UpdatedAt: now, Version: 1}
				up := *c
				up.Subject, up.Version = "Ghost edit", 2
				act := *a
				act.State, act.Version = casekit.ActivityCompleted, 2
				for _, step := range []func() error{
					func() error { return tx.InsertCase(ctx, nc) },
					func() error { return tx.UpdateCase(ctx, &up, 1) },
					func() error { return tx.UpdateActivity(ctx, &act) },
					func() error {
						return tx.InsertActivity(ctx, &casekit.Activity{ID: uuid.Must(uuid.NewV7()).String(), CaseID: c.ID, Kind: casekit.ActivityTask, Subject: "Ghost", State: casekit.ActivityOpen, CreatedBy: casekit.System, CreatedAt: now, UpdatedAt: now, Version: 1})
					},
					func() error {
						return tx.InsertNote(ctx, &casekit.Note{ID: uuid.Must(uuid.NewV7()).String(), CaseID: c.ID, Subject: "general", Body: "Ghost", CreatedBy: casekit.System, CreatedAt: now,
							Attachments: []casekit.Attachment{{ID: uuid.Must(uuid.NewV7()).String(), CaseID: c.ID, Name: "g", ContentType: "text/plain", Key: "g", CreatedAt: now}}})
					},
					func() error {
						return tx.InsertMessage(ctx, &casekit.Message{ID: uuid.Must(uuid.NewV7()).String(), CaseID: c.ID, Direction: casekit.Outbound, Channel: casekit.ChannelEmail, Body: "Ghost", Public: true, CreatedBy: casekit.System, CreatedAt: now})
					},
					func() error {
						return tx.AppendEvents(ctx, casekit.Event{ID: uuid.Must(uuid.NewV7()).String(), CaseID: c.ID, CaseNumber: c.Number, Type: casekit.EventCaseUpdated, Actor: casekit.System, At: now},
							casekit.Event{ID: uuid.Must(uuid.NewV7()).String(), Type: casekit.EventSettingsChanged, Actor: casekit.System, At: now})
					},
					func() error { return tx.SaveSettings(ctx, casekit.Settings{DefaultPriority: "low", AutoCloseDays: 1}) },
					func() error {
						return tx.SaveLookup(ctx, casekit.Lookup{Kind: casekit.LookupOrigin, Key: "fax", Label: "Fax"})
					},
					func() error { return tx.DeleteLookup(ctx, casekit.LookupOrigin, "chat") },
					func() error {
						return tx.ReplaceStatuses(ctx, casekit.DefaultStatuses()[:6], casekit.DefaultTransitions()[:3])
					},
				} {
					if err := step(); err != nil {
						return err
					}
				}
				// The transaction reads its own writes.
				if got, err := tx.Case(ctx, newID, false); err != nil || got.Subject != "Ghost" {
					t.Errorf("tx.Case of a case inserted in the same transaction = %v, %v", got, err)
				}
				if s, err := tx.Settings(ctx); err != nil || s.DefaultPriority != "low" {
					t.Errorf("tx.Settings after SaveSettings in the same transaction = %+v, %v", s, err)
				}
				return boom
			})
			wantIs(t, err, boom, "InTx")
			wantUnchanged(t, before, e.state(t, c.ID), "the existing case after a rolled-back transaction")
			wantEqual(t, beforeTenant, e.tenantState(t), "tenant configuration after a rolled-back transaction")
			wantIs(t, errOf(e.Agent().Case(ctx, newID)), casekit.ErrNotFound, "Case inserted in a rolled-back transaction")
			if got := e.open(t, "Real", "cust-1"); got.Number != 2 {
				t.Errorf("case opened after a rolled-back InsertCase has number %d, want 2", got.Number)
			}
		}},
		{"a committed transaction keeps all its writes", func(t *testing.T, e *Env) {
			ctx := t.Context()
			now := e.Tick()
			var nc *casekit.Case
			e.InTx(t, func(ctx context.Context, tx store.Tx) error {
				nc = &casekit.Case{ID: uuid.Must(uuid.NewV7()).String(), Subject: "Direct", Priority: "medium", Status: "new",
					Tags: []string{"x"}, CreatedBy: casekit.System, CreatedAt: now, UpdatedAt: now, Version: 1}
				if err := tx.InsertCase(ctx, nc); err != nil {
					return err
				}
				return tx.AppendEvents(ctx, casekit.Event{ID: uuid.Must(uuid.NewV7()).String(), CaseID: nc.ID, CaseNumber: nc.Number, Type: casekit.EventCaseOpened, Actor: casekit.System, At: now, Data: map[string]any{"k": "v"}})
			})
			wantEqual(t, nc, e.reload(t, nc.ID), "case written straight to the store")
			evs := e.history(t, nc.ID)
			if len(evs) != 1 || evs[0].Data["k"] != "v" {
				t.Errorf("history of a case written straight to the store = %+v", evs)
			}
			if n := e.open(t, "Next", "").Number; n != nc.Number+1 {
				t.Errorf("next number %d, want %d", n, nc.Number+1)
			}
			if !slices.Contains(ids(try(e.Agent().ListCases(ctx, casekit.CaseFilter{})).get(t).Cases), nc.ID) {
				t.Errorf("ListCases lacks the case written straight to the store")
			}
		}},
	})
}
