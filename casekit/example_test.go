package casekit_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

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
	if err := kit.CreateTenant(ctx, casekit.TenantSpec{ID: "acme", Name: "Acme", Admins: []string{"u-1"}}); err != nil {
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

// Agents pick the most urgent, then oldest, waiting case of a queue;
// nobody gets a case twice.
func ExampleDesk_Pick() {
	ctx := context.Background()
	store, _ := sqlite.Open(":memory:")
	defer store.Close()
	kit, _ := casekit.New(store, casekit.WithLogger(slog.New(slog.DiscardHandler)))
	_ = kit.CreateTenant(ctx, casekit.TenantSpec{ID: "acme"})
	admin := kit.Desk("acme").As(casekit.System)
	_ = admin.Config().SaveTeam(ctx, casekit.Team{ID: "support", Name: "Support"})
	_ = admin.Config().SaveQueue(ctx, casekit.Queue{ID: "inbox", Name: "Inbox", TeamID: "support"})
	for _, in := range []casekit.NewCase{
		{Subject: "Invoice question", Priority: "low", QueueID: "inbox"},
		{Subject: "Site down", Priority: "critical", QueueID: "inbox"},
		{Subject: "Password reset", Priority: "medium", QueueID: "inbox"},
	} {
		_, _ = admin.OpenCase(ctx, in)
	}
	for _, agent := range []string{"ann", "bob", "cy", "di"} {
		c, err := kit.Desk("acme").As(casekit.Agent(agent)).Pick(ctx, "inbox")
		if errors.Is(err, casekit.ErrNotFound) {
			fmt.Println(agent, "finds the queue empty")
			continue
		}
		fmt.Printf("%s picks #%d %s (%s, team %s)\n", agent, c.Number, c.Subject, c.Priority, c.TeamID)
	}
	// Output:
	// ann picks #2 Site down (critical, team support)
	// bob picks #3 Password reset (medium, team support)
	// cy picks #1 Invoice question (low, team support)
	// di finds the queue empty
}

// SLA deadlines count working hours on a business calendar, and Kit.RunDue
// (or Kit.Run, in production) fires the breach when one passes unmet.
func ExampleKit_RunDue() {
	ctx := context.Background()
	berlin, _ := time.LoadLocation("Europe/Berlin")
	clock := &fixedClock{t: time.Date(2026, 11, 20, 15, 0, 0, 0, berlin)} // a Friday afternoon
	store, _ := sqlite.Open(":memory:")
	defer store.Close()
	kit, _ := casekit.New(store, casekit.WithClock(clock), casekit.WithLogger(slog.New(slog.DiscardHandler)))
	_ = kit.CreateTenant(ctx, casekit.TenantSpec{ID: "acme", Admins: []string{"u-17"}}) // u-17 configures the SLA
	desk := kit.Desk("acme").As(casekit.Agent("u-17"))

	office := casekit.Calendar{ID: "office", Name: "Office", TimeZone: "Europe/Berlin"}
	for d := time.Monday; d <= time.Friday; d++ {
		office.Hours = append(office.Hours, casekit.WorkingHours{Day: d, Start: "09:00", End: "17:00"})
	}
	if err := desk.Config().SaveCalendar(ctx, office); err != nil {
		panic(err)
	}
	err := desk.Config().SaveSLA(ctx, casekit.SLA{ID: "standard", Name: "Standard", CalendarID: "office",
		Targets: []casekit.SLATarget{{Priority: "high", FirstResponse: 4 * time.Hour, Resolution: 16 * time.Hour}}})
	if err != nil {
		panic(err)
	}
	c, _ := desk.OpenCase(ctx, casekit.NewCase{Subject: "Printer", Priority: "high", SLAID: "standard"})
	fmt.Println("respond by", c.ResponseDue.In(berlin).Format("Mon 15:04"))
	fmt.Println("resolve by", c.ResolutionDue.In(berlin).Format("Mon 15:04"))

	clock.t = c.ResponseDue.Add(time.Minute)
	n, _ := kit.RunDue(ctx)
	evs, _ := desk.History(ctx, c.ID)
	fmt.Println(n, "timer fired:", evs[len(evs)-1].Type, evs[len(evs)-1].Data["deadline"])
	// Output:
	// respond by Mon 11:00
	// resolve by Tue 15:00
	// 1 timer fired: sla.breached response
}

// Merging a duplicate moves its conversation to the target and closes it.
func ExampleDesk_Merge() {
	ctx := context.Background()
	store, _ := sqlite.Open(":memory:")
	defer store.Close()
	kit, _ := casekit.New(store, casekit.WithLogger(slog.New(slog.DiscardHandler)))
	_ = kit.CreateTenant(ctx, casekit.TenantSpec{ID: "acme"})
	desk := kit.Desk("acme").As(casekit.Agent("u-17"))
	first, _ := desk.OpenCase(ctx, casekit.NewCase{Subject: "Printer jams", CustomerID: "c-1"})
	again, _ := desk.OpenCase(ctx, casekit.NewCase{Subject: "Printer jams again", CustomerID: "c-1"})
	_, _ = kit.Desk("acme").As(casekit.Customer("c-1")).PostMessage(ctx, again.ID, casekit.NewMessage{Body: "Still jamming"})

	target, err := desk.Merge(ctx, again.ID, first.ID, casekit.Merge{Note: "same printer"})
	if err != nil {
		panic(err)
	}
	msgs, _ := desk.Messages(ctx, target.ID)
	dup, _ := desk.Case(ctx, again.ID)
	links, _ := desk.LinkedCases(ctx, again.ID)
	fmt.Printf("#%d now has %d message: %q\n", target.Number, len(msgs), msgs[0].Body)
	fmt.Printf("#%d is %s (%s), %s #%d\n", dup.Number, dup.Status, dup.ClosureReason, links[0].Role, links[0].Case.Number)
	// Output:
	// #1 now has 1 message: "Still jamming"
	// #2 is closed (merged), duplicate_of #1
}

// A guided process refuses the next stage until the stage's fields are
// filled.
func ExampleDesk_NextStage() {
	ctx := context.Background()
	store, _ := sqlite.Open(":memory:")
	defer store.Close()
	kit, _ := casekit.New(store, casekit.WithLogger(slog.New(slog.DiscardHandler)))
	_ = kit.CreateTenant(ctx, casekit.TenantSpec{ID: "acme", Admins: []string{"u-17"}}) // u-17 defines the process
	desk := kit.Desk("acme").As(casekit.Agent("u-17"))
	_ = desk.Config().SaveProcess(ctx, casekit.Process{Key: "triage", Label: "Triage", Stages: []casekit.Stage{
		{Key: "identify", Label: "Identify", Required: []string{"category", "custom.product"}},
		{Key: "resolve", Label: "Resolve"},
	}})
	c, _ := desk.OpenCase(ctx, casekit.NewCase{Subject: "Broken screen"})
	c, _ = desk.StartProcess(ctx, c.ID, "triage")

	_, err := desk.NextStage(ctx, c.ID)
	var ve *casekit.ValidationError
	if errors.As(err, &ve) {
		for _, f := range ve.Fields {
			fmt.Println("missing:", f.Field)
		}
	}
	_, _ = desk.UpdateCase(ctx, c.ID, casekit.CaseUpdate{Category: ptr("hardware"), Custom: map[string]any{"product": "X200"}})
	c, _ = desk.NextStage(ctx, c.ID)
	fmt.Println("stage:", c.Process.Stage)
	// Output:
	// missing: category
	// missing: custom.product
	// stage: resolve
}

type fixedClock struct{ t time.Time }

func (c *fixedClock) Now() time.Time { return c.t }

// An agent with the viewer role reads but may not work cases; the admin
// the tenant started with gives roles.
func ExampleConfig_SetAgentRole() {
	ctx := context.Background()
	store, _ := sqlite.Open(":memory:")
	defer store.Close()
	kit, _ := casekit.New(store, casekit.WithLogger(slog.New(slog.DiscardHandler)))
	_ = kit.CreateTenant(ctx, casekit.TenantSpec{ID: "acme", Admins: []string{"u-1"}})
	admin := kit.Desk("acme").As(casekit.Agent("u-1"))
	c, _ := admin.OpenCase(ctx, casekit.NewCase{Subject: "Printer on fire"})

	_ = admin.Config().SetAgentRole(ctx, "u-17", casekit.RoleViewer)
	viewer := kit.Desk("acme").As(casekit.Agent("u-17"))
	_, err := viewer.Case(ctx, c.ID)
	fmt.Println("read:", err == nil)
	_, err = viewer.Tag(ctx, c.ID, "hardware")
	fmt.Println("tag refused:", errors.Is(err, casekit.ErrForbidden))
	ok, _ := viewer.Can(ctx, casekit.PermWork)
	fmt.Println("may work:", ok)
	// Output:
	// read: true
	// tag refused: true
	// may work: false
}
