package notify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"

	"casekit.dev/casekit"
	"casekit.dev/casekit/casekittest"
	"casekit.dev/notify"
	"casekit.dev/storage/sqlite"
)

var sample = casekit.Notification{ID: "n-1", Tenant: "acme", Event: casekit.EventResolved, CaseID: "c-1", CaseNumber: 7,
	Recipient: casekit.Recipient{Kind: casekit.RecipientCustomer, ID: "cust-1", Email: "ada@example.com"}, Attempts: 2}

func TestLogWritesEveryField(t *testing.T) {
	var buf bytes.Buffer
	n := notify.Log(slog.New(slog.NewJSONHandler(&buf, nil)))
	if err := n.Notify(context.Background(), sample); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("log line %q: %v", buf.String(), err)
	}
	for k, v := range map[string]any{"id": "n-1", "tenant": "acme", "event": "case.resolved", "case_id": "c-1",
		"case_number": 7.0, "recipient_kind": "customer", "recipient_id": "cust-1", "recipient_email": "ada@example.com", "attempt": 2.0} {
		if got[k] != v {
			t.Errorf("log field %s = %v, want %v", k, got[k], v)
		}
	}
}

func TestFanOutTriesEveryNotifier(t *testing.T) {
	ok1, ok2 := &casekittest.Recorder{}, &casekittest.Recorder{}
	failing := &casekittest.Recorder{Fail: func(casekit.Notification) error { return errors.New("smtp down") }}
	panicking := &casekittest.Recorder{Fail: func(casekit.Notification) error { panic("boom") }}
	err := notify.FanOut(ok1, failing, panicking, ok2).Notify(context.Background(), sample)
	if err == nil || !strings.Contains(err.Error(), "notifier 1: smtp down") || !strings.Contains(err.Error(), "notifier 2: panicked: boom") {
		t.Errorf("FanOut error = %v, want both failures named", err)
	}
	for i, r := range []*casekittest.Recorder{ok1, ok2} {
		if got := r.Got(); len(got) != 1 || got[0].ID != "n-1" {
			t.Errorf("notifier %d got %v", i, got)
		}
	}
	if err := notify.FanOut(ok1, ok2).Notify(context.Background(), sample); err != nil {
		t.Errorf("FanOut of working notifiers = %v", err)
	}
}

// End to end: the kit enqueues in the command's transaction and Kit.RunDue
// (Kit.Run in production) delivers through the notifier after commit.
func ExampleLog() {
	ctx := context.Background()
	store, _ := sqlite.Open(":memory:")
	defer store.Close()
	// Drop the time and the random ID so the output is the same each run.
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey || a.Key == "id" || a.Key == "case_id" {
			return slog.Attr{}
		}
		return a
	}}))
	kit, _ := casekit.New(store, casekit.WithNotifier(notify.Log(logger)), casekit.WithLogger(slog.New(slog.DiscardHandler)))
	_ = kit.CreateTenant(ctx, casekit.TenantSpec{ID: "acme"})
	desk := kit.Desk("acme").As(casekit.Agent("u-17"))
	c, _ := desk.OpenCase(ctx, casekit.NewCase{Subject: "Wrong size", CustomerID: "cust-1",
		Contact: casekit.Contact{Name: "Ada", Email: "ada@example.com"}})
	_, _ = desk.Cancel(ctx, c.ID, "ordered twice")
	n, _ := kit.RunDue(ctx)
	fmt.Println(n, "delivered")
	// Output:
	// level=INFO msg="casekit notification" tenant=acme event=case.canceled case_number=1 recipient_kind=customer recipient_id=cust-1 recipient_email=ada@example.com attempt=1
	// 1 delivered
}
