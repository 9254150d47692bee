package casekittest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"casekit.dev/casekit"
	"casekit.dev/casekit/store"
	"casekit.dev/templates"
)

// testTemplates checks tenants' template overrides: stored by the store,
// checked before they are saved, used for the tenant's notifications
// only, and a template that fails on real data sends the notification to
// retry and dead letter with the reason, never failing the command.
func testTemplates(t *testing.T, newStore StoreFactory) {
	links := templates.WithLinks(func(n casekit.Notification) templates.Links {
		return templates.Links{
			Case: fmt.Sprintf("https://help.example.com/%s/cases/%d", n.Tenant, n.CaseNumber),
			Rate: func(l int) string {
				return fmt.Sprintf("https://help.example.com/%s/cases/%d/rate/%d", n.Tenant, n.CaseNumber, l)
			},
		}
	})
	engine := templates.New(links)
	env := func(t *testing.T, store store.Store, rec *Recorder) *Env {
		return NewEnv(t, store, casekit.WithNotifier(rec), casekit.WithTemplates(engine))
	}
	// resolved opens a case for a customer, resolves it, delivers and
	// returns the customer's notice.
	resolved := func(t *testing.T, e *Env, rec *Recorder, subject string) (*casekit.Case, casekit.Notification) {
		t.Helper()
		ctx, d := t.Context(), e.Agent()
		c := openWith(t, d, casekit.NewCase{Subject: subject, CustomerID: "cust-1", Contact: casekit.Contact{Name: "Ada", Email: "ada@example.com"}})
		try(d.Resolve(ctx, c.ID, casekit.Resolution{Summary: "fixed"})).get(t)
		_, err := e.Kit.RunDue(ctx)
		must(t, err, "RunDue")
		for _, n := range rec.Take() {
			if n.Event == casekit.EventResolved && n.Recipient.Kind == casekit.RecipientCustomer && n.CaseID == c.ID {
				return c, n
			}
		}
		t.Fatalf("no resolution notice for case %d", c.Number)
		return nil, casekit.Notification{}
	}

	t.Run("an override is checked, saved, used for its tenant only and removed", func(t *testing.T) {
		rec := &Recorder{}
		store := newStore(t)
		e, other := env(t, store, rec), env(t, store, rec)
		ctx, d := t.Context(), e.Agent()

		_, err := d.Config().SaveTemplateOverride(ctx, "message/case.resolved", "{{define \"subject\"}}\n{{env \"HOME\"}}{{end}}")
		if ve := wantInvalid(t, err, "host-reading template", "source"); ve != nil {
			if msg := ve.Field("source").Message; !strings.Contains(msg, "line 2") || !strings.Contains(msg, `"env" is not allowed`) {
				t.Errorf("the error %q does not name line 2 and the function", msg)
			}
		}
		_, err = d.Config().SaveTemplateOverride(ctx, "message/nope", `{{define "subject"}}x{{end}}`)
		wantInvalid(t, err, "unknown template name", "source")
		wantEqual(t, 0, len(try(d.Config().TemplateOverrides(ctx)).get(t)), "overrides after refused saves")

		src := `{{define "subject"}}Solved: #{{.Case.Number}} {{.Case.Subject}}{{end}}`
		o := try(d.Config().SaveTemplateOverride(ctx, "message/case.resolved", src)).get(t)
		got := try(d.Config().TemplateOverrides(ctx)).get(t)
		if len(got) != 1 || got[0].Name != "message/case.resolved" || got[0].Source != src || got[0].UpdatedBy != casekit.Agent(AgentID) ||
			!got[0].UpdatedAt.Equal(o.UpdatedAt) || !got[0].UpdatedAt.Equal(e.Now()) {
			t.Fatalf("overrides: %+v, want the one saved at %v", got, e.Now())
		}

		c, n := resolved(t, e, rec, "Printer <b>on fire</b>")
		m := n.Rendered
		if m == nil {
			t.Fatal("the notification reached the notifier without its rendered message")
		}
		wantEqual(t, fmt.Sprintf("Solved: #%d Printer <b>on fire</b>", c.Number), m.Subject, "overridden subject")
		rate := fmt.Sprintf(`href="https://help.example.com/%s/cases/%d/rate/5"`, e.Tenant, c.Number)
		if !strings.Contains(m.Text, "We have resolved") || !strings.Contains(m.HTML, rate) {
			t.Errorf("the default bodies with rating links are gone:\n%s\n%s", m.Text, m.HTML)
		}
		if strings.Contains(m.HTML, "<b>on fire</b>") || !strings.Contains(m.HTML, "&lt;b&gt;on fire&lt;/b&gt;") {
			t.Errorf("the HTML part does not escape the subject the customer typed:\n%s", m.HTML)
		}

		oc, on := resolved(t, other, rec, "Elsewhere")
		wantEqual(t, fmt.Sprintf("[#%d] Elsewhere — resolved", oc.Number), on.Rendered.Subject, "the other tenant's subject")

		// A bad save leaves the good override in place.
		_, err = d.Config().SaveTemplateOverride(ctx, "message/case.resolved", `{{define "subject"}}{{.Nope.Nope}}`)
		wantInvalid(t, err, "unparsable template", "source")
		wantEqual(t, src, try(d.Config().TemplateOverrides(ctx)).get(t)[0].Source, "override after a refused save")

		must(t, d.Config().DeleteTemplateOverride(ctx, "message/case.resolved"), "DeleteTemplate")
		wantIs(t, d.Config().DeleteTemplateOverride(ctx, "message/case.resolved"), casekit.ErrNotFound, "deleting it twice")
		c2, n2 := resolved(t, e, rec, "Again")
		wantEqual(t, fmt.Sprintf("[#%d] Again — resolved", c2.Number), n2.Rendered.Subject, "subject after the override is gone")
	})

	t.Run("a template that fails on real data is retried, then a dead letter with the reason", func(t *testing.T) {
		rec := &Recorder{}
		e := env(t, newStore(t), rec)
		ctx, d := t.Context(), e.Agent()
		// The sample data is case 1042, so the check passes.
		try(d.Config().SaveTemplateOverride(ctx, "message/case.resolved",
			`{{define "subject"}}{{if eq .Case.Number 1042}}ok{{else}}{{fail "no subject for this case"}}{{end}}{{end}}`)).get(t)
		c := openWith(t, d, casekit.NewCase{Subject: "Broken", Contact: casekit.Contact{Email: "ada@example.com"}})
		resolvedCase, err := d.Resolve(ctx, c.ID, casekit.Resolution{})
		must(t, err, "Resolve (the command must not fail for its notification)")
		wantEqual(t, casekit.StatusResolved, resolvedCase.Status, "status")
		for i := range casekit.MaxDeliveryAttempts {
			n, err := e.Kit.RunDue(ctx)
			if err == nil || !strings.Contains(err.Error(), "no subject for this case") {
				t.Fatalf("attempt %d: RunDue = %d, %v; want the render failure", i+1, n, err)
			}
			e.Clock.Advance(2 * time.Hour)
		}
		wantEqual(t, 0, len(rec.Take()), "notifications delivered")
		dead := try(d.Config().DeadLetters(ctx)).get(t)
		if len(dead) != 1 || dead[0].Attempts != casekit.MaxDeliveryAttempts || !strings.Contains(dead[0].LastError, "no subject for this case") ||
			!strings.Contains(dead[0].LastError, "line 1") {
			t.Fatalf("dead letters: %+v, want the notice with the template's error and line", dead)
		}
		must(t, d.Config().DeleteTemplateOverride(ctx, "message/case.resolved"), "DeleteTemplate")
		must(t, d.Config().RetryDeadLetter(ctx, dead[0].ID), "RetryDeadLetter")
		_, err = e.Kit.RunDue(ctx)
		must(t, err, "RunDue after the fix")
		got := rec.Take()
		if len(got) != 1 || got[0].ID != dead[0].ID || got[0].Rendered == nil || !strings.HasSuffix(got[0].Rendered.Subject, "Broken — resolved") {
			t.Fatalf("after the fix: %+v", got)
		}
	})

	t.Run("customers may not change templates; a kit without an engine refuses", func(t *testing.T) {
		rec := &Recorder{}
		store := newStore(t)
		e := env(t, store, rec)
		ctx := t.Context()
		_, err := e.Desk(casekit.Customer("cust-1")).Config().SaveTemplateOverride(ctx, "message/case.resolved", `{{define "subject"}}x{{end}}`)
		wantIs(t, err, casekit.ErrForbidden, "a customer saving a template")
		_, err = e.Desk(casekit.Customer("cust-1")).Config().TemplateOverrides(ctx)
		wantIs(t, err, casekit.ErrForbidden, "a customer listing templates")

		plain := NewEnv(t, store, casekit.WithNotifier(rec))
		_, err = plain.Agent().Config().SaveTemplateOverride(ctx, "message/case.resolved", `{{define "subject"}}x{{end}}`)
		wantIs(t, err, casekit.ErrNoTemplates, "saving without an engine")
		_, n := resolved(t, plain, rec, "Plain")
		if n.Rendered != nil {
			t.Errorf("a kit without an engine rendered %+v", n.Rendered)
		}
	})

	t.Run("no template renders inside a transaction, and a batch's renders stop in time", func(t *testing.T) {
		// Rendering may take the engine's whole time limit: inside a
		// transaction it would hold a pooled connection (and, for
		// SQLite, the tenant's write lock) all that while.
		store := &txWatch{Store: newStore(t)}
		watched := &engineFunc{TemplateEngine: engine, before: func(what string) {
			if store.open.Load() > 0 {
				t.Errorf("%s ran inside a transaction", what)
			}
		}}
		rec := &Recorder{}
		e := NewEnv(t, store, casekit.WithNotifier(rec), casekit.WithTemplates(watched))
		ctx, d := t.Context(), e.Agent()
		try(d.Config().SaveTemplateOverride(ctx, "message/case.resolved", `{{define "subject"}}Done{{end}}`)).get(t)
		c := e.open(t, "Printer", "cust-1")
		try(d.Resolve(ctx, c.ID, casekit.Resolution{})).get(t)
		_, err := e.Kit.RunDue(ctx)
		must(t, err, "RunDue")
		if len(rec.Take()) == 0 || watched.calls.Load() < 2 {
			t.Fatalf("nothing was checked and rendered (%d calls)", watched.calls.Load())
		}

		// Renders that each take the whole delivery timeout: the batch
		// stops at four of them, not one per notification.
		const cases = 16
		hang := &engineFunc{TemplateEngine: engine, hang: true}
		he := NewEnv(t, e.Store, casekit.WithNotifier(rec), casekit.WithTemplates(hang), casekit.WithDeliveryTimeout(50*time.Millisecond))
		for i := range cases {
			c := he.open(t, fmt.Sprintf("Hang %d", i), "cust-1")
			try(he.Agent().Cancel(ctx, c.ID, "test")).get(t)
		}
		start := time.Now()
		_, err = he.Kit.RunDue(ctx)
		took := time.Since(start)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("RunDue with hanging renders: %v, want a deadline error", err)
		}
		if n := hang.calls.Load(); n >= cases || took > cases*50*time.Millisecond*3/4 {
			t.Errorf("%d renders of %d ran, for %v: the batch outlived its four delivery timeouts", n, cases, took)
		}
	})
}

// txWatch is a store that counts the transactions open on it.
type txWatch struct {
	store.Store
	open atomic.Int32
}

func (s *txWatch) InTx(ctx context.Context, tenant string, fn func(context.Context, store.Tx) error) error {
	return s.Store.InTx(ctx, tenant, func(ctx context.Context, tx store.Tx) error {
		s.open.Add(1)
		defer s.open.Add(-1)
		return fn(ctx, tx)
	})
}

// engineFunc is a template engine that calls before ahead of each check
// and render of the engine it wraps, or, with hang, renders nothing and
// waits for its context to end, as a render that takes all its time.
type engineFunc struct {
	casekit.TemplateEngine
	before func(what string)
	hang   bool
	calls  atomic.Int32
}

func (e *engineFunc) CheckTemplate(ctx context.Context, name, source string, over map[string]string) error {
	e.calls.Add(1)
	if e.before != nil {
		e.before("CheckTemplate")
	}
	return e.TemplateEngine.CheckTemplate(ctx, name, source, over)
}

func (e *engineFunc) RenderNotification(ctx context.Context, n casekit.Notification, over map[string]string) (*casekit.RenderedMessage, error) {
	e.calls.Add(1)
	if e.hang {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	if e.before != nil {
		e.before("RenderNotification")
	}
	return e.TemplateEngine.RenderNotification(ctx, n, over)
}
