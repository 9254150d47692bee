// Command embed shows casekit embedded in a program: it creates a tenant on
// SQLite, opens a case, adds an activity, tries to resolve (refused while
// the activity is open), completes the activity, resolves, closes with a
// reason, reopens, and prints the case history.
//
//	go run ./examples/embed            # in memory
//	go run ./examples/embed -data ./data  # one SQLite file per tenant in ./data
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"casekit.dev/casekit"
	"casekit.dev/storage/sqlite"
)

func main() {
	data := flag.String("data", ":memory:", "directory for the SQLite tenant files, or :memory:")
	flag.Parse()
	if err := run(context.Background(), os.Stdout, *data); err != nil {
		fmt.Fprintln(os.Stderr, "embed:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out io.Writer, data string) error {
	store, err := sqlite.Open(data)
	if err != nil {
		return err
	}
	defer store.Close()
	kit, err := casekit.New(store, casekit.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		return err
	}
	if err := kit.Migrate(ctx); err != nil {
		return err
	}
	tenant := "acme"
	if _, err := kit.Tenant(ctx, tenant); errors.Is(err, casekit.ErrTenantNotFound) {
		if err := kit.CreateTenant(ctx, casekit.TenantSpec{ID: tenant, Name: "Acme Ltd"}); err != nil {
			return err
		}
	} else if err != nil {
		return err
	}

	desk := kit.Desk(tenant).As(casekit.Agent("u-17"))
	c, err := desk.OpenCase(ctx, casekit.NewCase{
		Subject:    "Invoice 2211 charged twice",
		CustomerID: "cust-42",
		Contact:    casekit.Contact{Name: "Dana Smith", Email: "dana@example.com"},
		Type:       "problem",
		Origin:     "phone",
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "opened case #%d %q (%s, priority %s)\n", c.Number, c.Subject, c.Status, c.Priority)

	if c, err = desk.SetStatus(ctx, c.ID, casekit.StatusInProgress); err != nil {
		return err
	}
	fmt.Fprintf(out, "status %s, assigned to %s\n", c.Status, c.AssigneeID)

	act, err := desk.AddActivity(ctx, c.ID, casekit.NewActivity{Kind: casekit.ActivityCall, Subject: "Call the bank about the refund"})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "added activity %q\n", act.Subject)

	_, err = desk.Resolve(ctx, c.ID, casekit.Resolution{Summary: "Refunded"})
	var open *casekit.OpenActivitiesError
	if !errors.As(err, &open) {
		return fmt.Errorf("resolve should be refused while the call is open, got %v", err)
	}
	fmt.Fprintf(out, "resolve refused: %d open activity: %q\n", len(open.Activities), open.Activities[0].Subject)

	if _, err = desk.CompleteActivity(ctx, act.ID, casekit.Completion{Result: "Refund issued"}); err != nil {
		return err
	}
	if c, err = desk.Resolve(ctx, c.ID, casekit.Resolution{Summary: "Second charge refunded"}); err != nil {
		return err
	}
	fmt.Fprintf(out, "status %s\n", c.Status)
	if c, err = desk.Close(ctx, c.ID, casekit.Closure{Reason: "fixed", Note: "Customer confirmed the refund"}); err != nil {
		return err
	}
	fmt.Fprintf(out, "status %s (reason %s)\n", c.Status, c.ClosureReason)
	if c, err = desk.Reopen(ctx, c.ID, casekit.Reopening{Reason: "not_fixed", Note: "Charged a third time"}); err != nil {
		return err
	}
	fmt.Fprintf(out, "status %s\n", c.Status)

	history, err := desk.History(ctx, c.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\nhistory of case #%d:\n", c.Number)
	for _, e := range history {
		fmt.Fprintf(out, "  %s  %-20s %-12s %s\n", e.At.Format("15:04:05.000"), e.Type, e.Actor, describe(e))
	}
	return nil
}

// describe gives the details of an event worth a glance.
func describe(e casekit.Event) string {
	var parts []string
	for _, k := range []string{"subject", "from", "to", "reason", "note", "summary", "result"} {
		if v, ok := e.Data[k]; ok && v != "" {
			parts = append(parts, fmt.Sprintf("%s=%v", k, v))
		}
	}
	return strings.Join(parts, " ")
}
