package casekit_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"casekit.dev/casekit"
	"casekit.dev/storage/sqlite"
)

// Embedding casekit: a store, a kit, a tenant, and a desk acting as an agent.
func Example() {
	ctx := context.Background()
	store, err := sqlite.Open(":memory:") // or sqlite.Open("./data"), postgres.Open(ctx, dsn)
	if err != nil {
		panic(err)
	}
	defer store.Close()
	kit, err := casekit.New(store, casekit.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		panic(err)
	}
	if err := kit.CreateTenant(ctx, casekit.TenantSpec{ID: "acme", Name: "Acme"}); err != nil {
		panic(err)
	}

	desk := kit.Desk("acme").As(casekit.Agent("u-17"))
	c, err := desk.OpenCase(ctx, casekit.NewCase{Subject: "Printer on fire", CustomerID: "cust-1"})
	if err != nil {
		panic(err)
	}
	fmt.Printf("#%d %s: %s, priority %s\n", c.Number, c.Subject, c.Status, c.Priority)

	task, _ := desk.AddActivity(ctx, c.ID, casekit.NewActivity{Kind: casekit.ActivityTask, Subject: "Send a technician"})
	_, err = desk.Resolve(ctx, c.ID, casekit.Resolution{})
	fmt.Println("resolve refused:", errors.Is(err, casekit.ErrOpenActivities))

	c, _ = desk.CompleteActivity(ctx, task.ID, casekit.Completion{
		Result:    "Fire out, printer replaced",
		CloseCase: &casekit.Closure{Reason: "fixed", Note: "Customer confirmed"},
	})
	fmt.Printf("#%d %s (%s)\n", c.Number, c.Status, c.ClosureReason)

	_, err = desk.UpdateCase(ctx, c.ID, casekit.CaseUpdate{Subject: ptr("Printer smoking")})
	fmt.Println("edit refused:", errors.Is(err, casekit.ErrReadOnly))
	// Output:
	// #1 Printer on fire: new, priority medium
	// resolve refused: true
	// #1 closed (fixed)
	// edit refused: true
}

func ptr[T any](v T) *T { return &v }

// A customer sees only their own cases and may comment on them.
func ExampleDesk_PostMessage() {
	ctx := context.Background()
	store, _ := sqlite.Open(":memory:")
	defer store.Close()
	kit, _ := casekit.New(store, casekit.WithLogger(slog.New(slog.DiscardHandler)))
	_ = kit.CreateTenant(ctx, casekit.TenantSpec{ID: "acme"})

	agent := kit.Desk("acme").As(casekit.Agent("u-17"))
	c, _ := agent.OpenCase(ctx, casekit.NewCase{Subject: "Where is my parcel?", CustomerID: "cust-1"})
	c, _ = agent.SetStatus(ctx, c.ID, casekit.StatusWaiting)
	fmt.Println(c.Status, c.AssigneeID == "")

	customer := kit.Desk("acme").As(casekit.Customer("cust-1"))
	_, _ = customer.PostMessage(ctx, c.ID, casekit.NewMessage{Body: "Still nothing, sorry"})
	c, _ = customer.Case(ctx, c.ID)
	fmt.Println(c.Status)

	stranger := kit.Desk("acme").As(casekit.Customer("cust-2"))
	_, err := stranger.Case(ctx, c.ID)
	fmt.Println(errors.Is(err, casekit.ErrNotFound))
	// Output:
	// waiting_for_response true
	// reopened
	// true
}
