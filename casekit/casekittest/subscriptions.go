package casekittest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"casekit.dev/casekit"
	"casekit.dev/casekit/store"
)

// hookReceiver is an HTTP server on the loopback that takes webhook
// deliveries, answering the n-th request (from 1) with Answer(n), 200
// when Answer is nil. It is safe for concurrent use.
type hookReceiver struct {
	URL    string
	mu     sync.Mutex
	got    []hookRequest
	n      int
	Answer func(n int) int
}

// hookRequest is one request a hookReceiver took.
type hookRequest struct {
	Path    string
	Header  http.Header
	Body    []byte
	Payload map[string]any
}

func newHookReceiver(t testing.TB) *hookReceiver {
	r := &hookReceiver{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(req.Body, 1<<20))
		var payload map[string]any
		if err := json.Unmarshal(body, &payload); err != nil {
			t.Errorf("webhook body is no JSON object: %v: %s", err, body)
		}
		r.mu.Lock()
		r.n++
		status := http.StatusOK
		if r.Answer != nil {
			status = r.Answer(r.n)
		}
		r.got = append(r.got, hookRequest{Path: req.URL.Path, Header: req.Header.Clone(), Body: body, Payload: payload})
		r.mu.Unlock()
		w.WriteHeader(status)
		fmt.Fprintf(w, "answer %d", status)
	}))
	t.Cleanup(srv.Close)
	r.URL = srv.URL
	return r
}

// take returns the requests taken so far and forgets them.
func (r *hookReceiver) take() []hookRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.got
	r.got = nil
	return out
}

// webhookSchema compiles casekit.WebhookSchema, formats asserted, once.
var webhookSchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(casekit.WebhookSchema()))
	if err != nil {
		return nil, err
	}
	const url = "https://casekit.dev/schema/webhook-event.v1.json"
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(url, doc); err != nil {
		return nil, err
	}
	return c.Compile(url)
})

// wantDelivery checks one request: its signature with secret at the
// env's time (and not with another secret), its Casekit-Id, event and
// webhook headers against its body, and the body against the schema.
func wantDelivery(t testing.TB, e *Env, req hookRequest, secret string) {
	t.Helper()
	if err := casekit.VerifyWebhook([]byte(secret), req.Header, req.Body, e.Clock.Now(), 5*time.Minute); err != nil {
		t.Errorf("delivery %s: %v", req.Header.Get(casekit.WebhookHeaderID), err)
	}
	if err := casekit.VerifyWebhook([]byte(secret+"x"), req.Header, req.Body, e.Clock.Now(), 5*time.Minute); !errors.Is(err, casekit.ErrBadWebhookSignature) {
		t.Errorf("delivery %s verifies with another secret: %v", req.Header.Get(casekit.WebhookHeaderID), err)
	}
	p := req.Payload
	if req.Header.Get(casekit.WebhookHeaderID) != p["id"] || req.Header.Get(casekit.WebhookHeaderEvent) != p["type"] ||
		req.Header.Get(casekit.WebhookHeaderWebhook) != p["webhook"] || req.Header.Get("Content-Type") != "application/json" {
		t.Errorf("delivery headers %v do not match its body %s", req.Header, req.Body)
	}
	sch, err := webhookSchema()
	if err != nil {
		t.Fatalf("compiling casekit.WebhookSchema: %v", err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(req.Body))
	if err != nil {
		t.Fatalf("delivery body: %v", err)
	}
	if err := sch.Validate(inst); err != nil {
		t.Errorf("a %v delivery does not validate against webhook-event.v1.json: %v\n%s", p["type"], err, req.Body)
	}
}

// byHook groups requests by the subscription they went to.
func byHook(reqs []hookRequest) map[string][]hookRequest {
	out := map[string][]hookRequest{}
	for _, r := range reqs {
		k := r.Header.Get(casekit.WebhookHeaderWebhook)
		out[k] = append(out[k], r)
	}
	return out
}

// eventIDs lists the IDs of the events the requests carry, sorted.
func eventIDs(reqs []hookRequest) []string {
	var out []string
	for _, r := range reqs {
		ev, _ := r.Payload["event"].(map[string]any)
		id, _ := ev["id"].(string)
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// hookTest is one test of webhook subscriptions, on a store of its own
// asking.
type hookTest struct {
	name string
	run  func(t *testing.T, s store.Store)
}

// privateHooks builds an env whose kit lets webhooks reach the loopback,
// where the test's receivers listen.
func privateHooks(t testing.TB, s store.Store, opts ...casekit.Option) *Env {
	return NewEnv(t, s, append([]casekit.Option{casekit.WithPrivateWebhookTargets(true)}, opts...)...)
}

// testWebhooks checks tenants' webhook subscriptions: what saving
// refuses, every event of a command posted to the subscriptions that want
// it in the same transaction, signed and in the documented form, a
// rolled-back command posting nothing, retries and the delivery log, the
// trigger action, the dial-time guard and the secret's rotation. One test
// at a time: RunDue posts every tenant's deliveries.
func testWebhooks(t *testing.T, newStore StoreFactory) {
	for _, tc := range []hookTest{
		{"saving refuses a bad URL, a private address, an unknown event or a given secret, and changes nothing", func(t *testing.T, s store.Store) {
			e := NewEnv(t, s) // private targets forbidden, the default
			ctx, cf := t.Context(), e.Agent().Config()
			ok := "https://hooks.example.com/in"
			before := e.tenantState(t)
			for _, tc := range []struct {
				what, field, rule string
				w                 casekit.Webhook
			}{
				{"no key", "key", "required", casekit.Webhook{URL: ok}},
				{"a bad key", "key", "key", casekit.Webhook{Key: "a b", URL: ok}},
				{"no URL", "url", "required", casekit.Webhook{Key: "x"}},
				{"an ftp URL", "url", "url", casekit.Webhook{Key: "x", URL: "ftp://hooks.example.com/in"}},
				{"a URL with no host", "url", "url", casekit.Webhook{Key: "x", URL: "https:///in"}},
				{"a URL with a password", "url", "url", casekit.Webhook{Key: "x", URL: "https://u:p@hooks.example.com/in"}},
				{"a URL too long", "url", "max", casekit.Webhook{Key: "x", URL: ok + "?" + strings.Repeat("q", 2000)}},
				{"the loopback", "url", "public", casekit.Webhook{Key: "x", URL: "http://127.0.0.1:8080/in"}},
				{"localhost", "url", "public", casekit.Webhook{Key: "x", URL: "http://localhost/in"}},
				{"a name under localhost", "url", "public", casekit.Webhook{Key: "x", URL: "http://api.localhost./in"}},
				{"the IPv6 loopback", "url", "public", casekit.Webhook{Key: "x", URL: "http://[::1]:9/in"}},
				{"the loopback mapped into IPv6", "url", "public", casekit.Webhook{Key: "x", URL: "http://[::ffff:127.0.0.1]/in"}},
				{"a private address", "url", "public", casekit.Webhook{Key: "x", URL: "http://10.1.2.3/in"}},
				{"the cloud metadata address", "url", "public", casekit.Webhook{Key: "x", URL: "http://169.254.169.254/latest"}},
				{"the unspecified address", "url", "public", casekit.Webhook{Key: "x", URL: "http://0.0.0.0/in"}},
				{"an unknown event", "events[1]", "oneof", casekit.Webhook{Key: "x", URL: ok, Events: []casekit.EventType{casekit.EventCaseOpened, "case.exploded"}}},
				{"a secret of one's own", "secret", "excluded", casekit.Webhook{Key: "x", URL: ok, Secret: "mine"}},
				{"a long description", "description", "max", casekit.Webhook{Key: "x", URL: ok, Description: strings.Repeat("d", 501)}},
			} {
				_, err := cf.SaveWebhook(ctx, tc.w)
				wantRule(t, err, "SaveWebhook with "+tc.what, tc.field, tc.rule)
			}
			d := e.Agent()
			wantRule(t, d.Config().SaveTrigger(ctx, on("x", opened, nil, casekit.Action{Kind: casekit.ActionWebhook, Value: "nowhere"})),
				"a trigger posting to a missing subscription", "then[0].value", "exists")
			wantRule(t, d.Config().SaveMacro(ctx, casekit.Macro{Key: "x", Name: "X", Actions: []casekit.Action{{Kind: casekit.ActionWebhook, Value: "nowhere"}}}),
				"a macro posting to a webhook", "actions[0].kind", "oneof")
			wantEqual(t, before, e.tenantState(t), "the tenant after refused saves")

			// At most 20 per tenant; disabled, so nothing is queued for them.
			for i := range 20 {
				try(cf.SaveWebhook(ctx, casekit.Webhook{Key: fmt.Sprintf("h%d", i), URL: ok})).get(t)
			}
			_, err := cf.SaveWebhook(ctx, casekit.Webhook{Key: "h20", URL: ok})
			wantRule(t, err, "a 21st subscription", "key", "max")
			try(cf.SaveWebhook(ctx, casekit.Webhook{Key: "h0", URL: ok, Description: "changed"})).get(t)

			// A host that allows private targets takes the loopback.
			p := privateHooks(t, s)
			try(p.Agent().Config().SaveWebhook(ctx, casekit.Webhook{Key: "local", URL: "http://127.0.0.1:9/in"})).get(t)
		}},
		{"every event a command records reaches the subscriptions that want it, signed and in the documented form", func(t *testing.T, s store.Store) {
			rec := &Recorder{}
			e := privateHooks(t, s, casekit.WithNotifier(rec))
			ctx, d := t.Context(), e.Agent()
			r := newHookReceiver(t)
			all := try(d.Config().SaveWebhook(ctx, casekit.Webhook{Key: "all", URL: r.URL + "/all", Enabled: true, Description: "Everything"})).get(t)
			open := try(d.Config().SaveWebhook(ctx, casekit.Webhook{Key: "opened", URL: r.URL + "/opened", Enabled: true,
				Events: []casekit.EventType{casekit.EventCaseOpened}})).get(t)
			try(d.Config().SaveWebhook(ctx, casekit.Webhook{Key: "off", URL: r.URL + "/off"})).get(t)
			if !strings.HasPrefix(all.Secret, "whsec_") || len(all.Secret) < 40 || all.Secret == open.Secret || !all.Enabled || all.Description != "Everything" {
				t.Errorf("new subscriptions: %+v and %+v, want secrets of their own", all, open)
			}
			listed := try(d.Config().Webhooks(ctx)).get(t)
			if len(listed) != 3 || slices.ContainsFunc(listed, func(w casekit.Webhook) bool { return w.Secret != "" }) {
				t.Errorf("Webhooks: %+v, want three, without secrets", listed)
			}
			_, err := e.Kit.RunDue(ctx)
			must(t, err, "RunDue")
			r.take() // the subscriptions' own webhook.changed events
			rec.Take()

			mark := e.Tick()
			must(t, d.Config().SaveTeam(ctx, casekit.Team{ID: "desk", Name: "Desk"}), "SaveTeam")
			a := openWith(t, d, casekit.NewCase{Subject: "Printer on fire", CustomerID: "cust-1", Contact: casekit.Contact{Name: "Ada", Email: "ada@example.com"},
				Tags: []string{"fire"}})
			b := openWith(t, d, casekit.NewCase{Subject: "Printer on fire again", CustomerID: "cust-1"})
			try(d.UpdateCase(ctx, a.ID, casekit.CaseUpdate{Subject: ptr("Printer on fire, floor 2")})).get(t)
			try(d.Assign(ctx, a.ID, casekit.Assignment{Team: "desk", Agent: AgentID})).get(t)
			try(d.SetStatus(ctx, a.ID, casekit.StatusInProgress)).get(t)
			try(d.AddNote(ctx, a.ID, casekit.NewNote{Subject: "general", Body: "Smells of toner"})).get(t)
			try(d.PostMessage(ctx, a.ID, casekit.NewMessage{Body: "We are on it"})).get(t)
			act := try(d.AddActivity(ctx, a.ID, casekit.NewActivity{Kind: casekit.ActivityCall, Subject: "Call the fire brigade"})).get(t)
			try(d.CompleteActivity(ctx, act.ID, casekit.Completion{Result: "Came"})).get(t)
			w := try(d.AddWatcher(ctx, a.ID, casekit.Watcher{Name: "Boss", Email: "boss@example.com"})).get(t)
			must(t, d.RemoveWatcher(ctx, a.ID, w.ID), "RemoveWatcher")
			try(d.LinkCases(ctx, casekit.NewLink{Kind: casekit.LinkRelated, FromID: a.ID, ToID: b.ID})).get(t)
			try(d.Resolve(ctx, a.ID, casekit.Resolution{})).get(t)
			try(e.Desk(casekit.Customer("cust-1")).Rate(ctx, a.ID, casekit.Rating{Level: 5, Comment: "Fast"})).get(t)
			must(t, d.DeleteCase(ctx, b.ID, "a duplicate"), "DeleteCase")
			n, err := e.Kit.RunDue(ctx)
			must(t, err, "RunDue")

			got := byHook(r.take())
			if n < len(got["all"])+len(got["opened"]) {
				t.Errorf("RunDue counted %d deliveries, fewer than the %d posted", n, len(got["all"])+len(got["opened"]))
			}
			var want []string
			types := map[casekit.EventType]bool{}
			for _, evs := range [][]casekit.Event{e.history(t, a.ID), e.history(t, b.ID), e.tenantEvents(t)} {
				for _, ev := range evs {
					if !ev.At.Before(mark) {
						want = append(want, ev.ID)
						types[ev.Type] = true
					}
				}
			}
			slices.Sort(want)
			wantEqual(t, want, eventIDs(got["all"]), "the events posted to the subscription to every event")
			for _, typ := range []casekit.EventType{casekit.EventTeamChanged, casekit.EventCaseOpened, casekit.EventCaseUpdated, casekit.EventAssigned,
				casekit.EventStatusChanged, casekit.EventNoteAdded, casekit.EventMessagePosted, casekit.EventActivityAdded, casekit.EventActivityCompleted,
				casekit.EventWatcherAdded, casekit.EventWatcherRemoved, casekit.EventLinked, casekit.EventResolved, casekit.EventRated,
				casekit.EventClosed, casekit.EventCaseDeleted} {
				if !types[typ] {
					t.Errorf("the scenario recorded no %s event: the schema is not tried on it", typ)
				}
			}
			for _, req := range got["all"] {
				wantDelivery(t, e, req, all.Secret)
				if req.Path != "/all" {
					t.Errorf("a delivery of all went to %s", req.Path)
				}
			}
			if len(got["opened"]) != 2 {
				t.Errorf("the subscription to case.opened got %d deliveries, want 2", len(got["opened"]))
			}
			for _, req := range got["opened"] {
				wantDelivery(t, e, req, open.Secret)
				if req.Payload["type"] != string(casekit.EventCaseOpened) {
					t.Errorf("the subscription to case.opened got %v", req.Payload["type"])
				}
			}
			if len(got["off"]) > 0 {
				t.Errorf("a disabled subscription got %d deliveries", len(got["off"]))
			}
			ns := rec.Take()
			if len(ns) == 0 || slices.ContainsFunc(ns, func(n casekit.Notification) bool { return n.Recipient.Kind == casekit.RecipientWebhook }) {
				t.Errorf("the notifier got %v: want the notices, and no webhook delivery", who(ns))
			}
		}},
		{"a command that rolls back posts nothing", func(t *testing.T, s store.Store) {
			e := privateHooks(t, s)
			ctx, d := t.Context(), e.Agent()
			r := newHookReceiver(t)
			try(d.Config().SaveWebhook(ctx, casekit.Webhook{Key: "all", URL: r.URL, Enabled: true})).get(t)
			e.places(t, nil, casekit.Queue{ID: "gone", Name: "Gone"})
			must(t, d.Config().SaveTrigger(ctx, on("route", updated, nil, casekit.Action{Kind: casekit.ActionAssignQueue, Value: "gone"})), "SaveTrigger")
			must(t, d.Config().DeleteQueue(ctx, "gone"), "DeleteQueue")
			c := e.open(t, "Printer", "cust-1")
			_, err := e.Kit.RunDue(ctx)
			must(t, err, "RunDue")
			r.take()
			before := e.state(t, c.ID)
			_, err = d.UpdateCase(ctx, c.ID, casekit.CaseUpdate{Subject: ptr("Printer, again")})
			wantInvalid(t, err, "an update whose trigger fails", "then[0].queue")
			n, err := e.Kit.RunDue(ctx)
			must(t, err, "RunDue")
			if reqs := r.take(); n != 0 || len(reqs) > 0 {
				t.Errorf("a rolled-back command posted %d deliveries (RunDue %d)", len(reqs), n)
			}
			wantUnchanged(t, before, e.state(t, c.ID), "after the rolled-back update")
		}},
		{"a failing receiver is retried with backoff, every attempt in the log, until the delivery is dead", func(t *testing.T, s store.Store) {
			e := privateHooks(t, s)
			ctx, d := t.Context(), e.Agent()
			r := newHookReceiver(t)
			r.Answer = func(n int) int {
				if n <= 2 {
					return http.StatusInternalServerError
				}
				return http.StatusNoContent
			}
			w := try(d.Config().SaveWebhook(ctx, casekit.Webhook{Key: "flaky", URL: r.URL, Enabled: true, Events: opened})).get(t)
			e.open(t, "Printer", "cust-1")
			for i, step := range []time.Duration{0, time.Minute, 2 * time.Minute} {
				e.Clock.Advance(step)
				n, err := e.Kit.RunDue(ctx)
				if i < 2 && (n != 0 || err == nil || !strings.Contains(err.Error(), "500")) {
					t.Errorf("attempt %d: RunDue = %d, %v; want 0 and the receiver's 500", i+1, n, err)
				}
				if i == 2 && (n != 1 || err != nil) {
					t.Errorf("attempt 3: RunDue = %d, %v; want 1 delivered", n, err)
				}
				if n, err := e.Kit.RunDue(ctx); n != 0 || err != nil {
					t.Errorf("after attempt %d: RunDue again = %d, %v; want nothing due before the backoff", i+1, n, err)
				}
			}
			reqs := r.take()
			if len(reqs) != 3 {
				t.Fatalf("the receiver got %d requests, want 3", len(reqs))
			}
			for _, req := range reqs[1:] {
				if req.Header.Get(casekit.WebhookHeaderID) != reqs[0].Header.Get(casekit.WebhookHeaderID) || !bytes.Equal(req.Body, reqs[0].Body) {
					t.Errorf("a retry is another delivery: %s against %s", req.Body, reqs[0].Body)
				}
			}
			wantDelivery(t, e, reqs[2], w.Secret)
			log := try(d.Config().WebhookLog(ctx, "flaky")).get(t)
			var attempts, statuses []int
			var delivered []bool
			for _, a := range log {
				attempts, statuses, delivered = append(attempts, a.Attempt), append(statuses, a.Status), append(delivered, a.Delivered)
				if a.Webhook != "flaky" || a.DeliveryID != reqs[0].Header.Get(casekit.WebhookHeaderID) || a.Event != casekit.EventCaseOpened ||
					a.Duration <= 0 || (a.Delivered != (a.Error == "")) || (!a.Delivered && !strings.Contains(a.Error, "500")) {
					t.Errorf("log entry %+v", a)
				}
			}
			wantEqual(t, []int{3, 2, 1}, attempts, "the log's attempts, newest first")
			wantEqual(t, []int{204, 500, 500}, statuses, "the log's statuses")
			wantEqual(t, []bool{true, false, false}, delivered, "the log's deliveries")
			if dl := try(d.Config().DeadLetters(ctx)).get(t); len(dl) > 0 {
				t.Errorf("dead letters after a delivery: %v", who(dl))
			}

			// A receiver that never takes it: dead after MaxDeliveryAttempts,
			// then sent again from the dead letters.
			r.Answer = func(int) int { return http.StatusBadGateway }
			e.open(t, "Scanner", "cust-1")
			for range casekit.MaxDeliveryAttempts {
				_, err := e.Kit.RunDue(ctx)
				if err == nil {
					t.Error("RunDue against a failing receiver: no error")
				}
				e.Clock.Advance(2 * time.Hour)
			}
			dl := try(d.Config().DeadLetters(ctx)).get(t)
			if len(dl) != 1 || dl[0].Recipient != (casekit.Recipient{Kind: casekit.RecipientWebhook, ID: "flaky"}) || !strings.Contains(dl[0].LastError, "502") ||
				strings.Contains(dl[0].LastError, r.URL) {
				t.Fatalf("dead letters %+v, want the delivery, its error naming no URL", dl)
			}
			if got := len(r.take()); got != casekit.MaxDeliveryAttempts {
				t.Errorf("the receiver got %d attempts, want %d", got, casekit.MaxDeliveryAttempts)
			}
			r.Answer = nil
			must(t, d.Config().RetryDeadLetter(ctx, dl[0].ID), "RetryDeadLetter")
			if n, err := e.Kit.RunDue(ctx); n != 1 || err != nil {
				t.Errorf("RunDue after the retry = %d, %v; want 1", n, err)
			}
			if log := try(d.Config().WebhookLog(ctx, "flaky")).get(t); len(log) != 3+casekit.MaxDeliveryAttempts+1 || !log[0].Delivered {
				t.Errorf("the log holds %d entries, want %d, the newest delivered", len(log), 3+casekit.MaxDeliveryAttempts+1)
			}
		}},
		{"the delivery log keeps the newest entries of each subscription", func(t *testing.T, s store.Store) {
			e := privateHooks(t, s)
			ctx, d := t.Context(), e.Agent()
			for _, key := range []string{"busy", "quiet"} {
				try(d.Config().SaveWebhook(ctx, casekit.Webhook{Key: key, URL: "http://127.0.0.1:9/" + key})).get(t)
			}
			var results []store.Settlement
			for i := range store.WebhookLogSize + 5 {
				id := uuid.Must(uuid.NewV7()).String()
				n := casekit.Notification{ID: id, Tenant: e.Tenant, Event: casekit.EventCaseOpened, Recipient: casekit.Recipient{Kind: casekit.RecipientWebhook, ID: "busy"}}
				results = append(results, store.Settlement{Notification: n, Attempt: &casekit.WebhookAttempt{ID: id, Webhook: "busy", DeliveryID: id,
					EventID: id, Event: casekit.EventCaseOpened, Attempt: 1, At: e.Now().Add(time.Duration(i) * time.Second), Status: 200, Delivered: true,
					Duration: time.Millisecond}})
			}
			quiet := results[0]
			quiet.Attempt = &casekit.WebhookAttempt{ID: "quiet-1", Webhook: "quiet", DeliveryID: "q", EventID: "q", Event: casekit.EventCaseOpened,
				Attempt: 2, At: e.Now(), Status: 503, Error: "busy", Duration: time.Second}
			must(t, e.Store.SettleNotifications(ctx, append(results, quiet)), "SettleNotifications")
			log := try(d.Config().WebhookLog(ctx, "busy")).get(t)
			if len(log) != store.WebhookLogSize || log[0].At != results[len(results)-1].Attempt.At || log[len(log)-1].At != results[5].Attempt.At {
				t.Errorf("the busy log holds %d entries from %v to %v, want the newest %d", len(log), log[len(log)-1].At, log[0].At, store.WebhookLogSize)
			}
			wantEqual(t, *results[len(results)-1].Attempt, log[0], "the newest entry, as stored")
			wantEqual(t, []casekit.WebhookAttempt{*quiet.Attempt}, try(d.Config().WebhookLog(ctx, "quiet")).get(t), "the quiet log")
			must(t, d.Config().DeleteWebhook(ctx, "busy"), "DeleteWebhook")
			try(d.Config().SaveWebhook(ctx, casekit.Webhook{Key: "busy", URL: "http://127.0.0.1:9/busy"})).get(t)
			if log := try(d.Config().WebhookLog(ctx, "busy")).get(t); len(log) > 0 {
				t.Errorf("a subscription made again under a deleted one's key has its log: %d entries", len(log))
			}
			_, err := d.Config().WebhookLog(ctx, "nope")
			wantIs(t, err, casekit.ErrNotFound, "the log of no subscription")
		}},
		{"a trigger posts an event to a named subscription, once", func(t *testing.T, s store.Store) {
			e := privateHooks(t, s)
			ctx, d := t.Context(), e.Agent()
			r := newHookReceiver(t)
			crm := try(d.Config().SaveWebhook(ctx, casekit.Webhook{Key: "crm", URL: r.URL, Enabled: true, Events: []casekit.EventType{casekit.EventClosed}})).get(t)
			post := casekit.Action{Kind: casekit.ActionWebhook, Value: "crm"}
			must(t, d.Config().SaveTrigger(ctx, on("vip", opened, []casekit.Condition{cond("priority", casekit.OpIs, "high")}, post)), "SaveTrigger vip")
			must(t, d.Config().SaveTrigger(ctx, on("closing", []casekit.EventType{casekit.EventClosed}, nil, post)), "SaveTrigger closing")
			high := openWith(t, d, casekit.NewCase{Subject: "Urgent", CustomerID: "cust-1", Priority: "high"})
			openWith(t, d, casekit.NewCase{Subject: "Whenever", CustomerID: "cust-1", Priority: "low"})
			try(d.Resolve(ctx, high.ID, casekit.Resolution{})).get(t)
			try(d.Close(ctx, high.ID, casekit.Closure{Reason: "fixed", Note: "Done"})).get(t)
			_, err := e.Kit.RunDue(ctx)
			must(t, err, "RunDue")
			reqs := r.take()
			var got []string
			for _, req := range reqs {
				wantDelivery(t, e, req, crm.Secret)
				c, _ := req.Payload["case"].(map[string]any)
				got = append(got, fmt.Sprint(req.Payload["type"], " ", c["subject"]))
			}
			slices.Sort(got)
			wantEqual(t, []string{"case.closed Urgent", "case.opened Urgent"}, got, "what the subscription got")
			wantIs(t, d.Config().DeleteWebhook(ctx, "crm"), casekit.ErrConflict, "deleting a subscription a trigger posts to")
		}},
		{"a delivery dials no private address unless the host allows it; a disabled or deleted subscription gets none", func(t *testing.T, s store.Store) {
			e := privateHooks(t, s)
			ctx, d := t.Context(), e.Agent()
			r := newHookReceiver(t)
			w := casekit.Webhook{Key: "local", URL: r.URL, Enabled: true, Events: opened}
			try(d.Config().SaveWebhook(ctx, w)).get(t)
			e.open(t, "Printer", "cust-1")
			strict, err := casekit.New(e.Store, casekit.WithClock(e.Clock), casekit.WithLogger(discard))
			must(t, err, "casekit.New")
			if n, err := strict.RunDue(ctx); n != 0 || err == nil || !strings.Contains(err.Error(), "not public") {
				t.Errorf("RunDue of a kit that forbids private targets = %d, %v; want the dial refused", n, err)
			}
			if reqs := r.take(); len(reqs) > 0 {
				t.Errorf("a refused dial reached the receiver %d times", len(reqs))
			}
			log := try(d.Config().WebhookLog(ctx, "local")).get(t)
			if len(log) != 1 || log[0].Status != 0 || log[0].Delivered || !strings.Contains(log[0].Error, "not public") {
				t.Errorf("the log after a refused dial: %+v", log)
			}
			e.Clock.Advance(time.Minute)
			if n, err := e.Kit.RunDue(ctx); n != 1 || err != nil {
				t.Errorf("RunDue of a kit that allows private targets = %d, %v; want 1", n, err)
			}
			r.take()

			e.open(t, "Scanner", "cust-1")
			w.Enabled = false
			try(d.Config().SaveWebhook(ctx, w)).get(t)
			if n, err := e.Kit.RunDue(ctx); n != 0 || err != nil || len(r.take()) > 0 {
				t.Errorf("RunDue with the subscription disabled = %d, %v; want it dropped unsent", n, err)
			}
			if log := try(d.Config().WebhookLog(ctx, "local")).get(t); len(log) != 3 || log[0].Delivered || !strings.Contains(log[0].Error, "disabled") {
				t.Errorf("the log after a dropped delivery: %+v", log)
			}
			w.Enabled = true
			try(d.Config().SaveWebhook(ctx, w)).get(t)
			e.open(t, "Copier", "cust-1")
			must(t, d.Config().DeleteWebhook(ctx, "local"), "DeleteWebhook")
			if n, err := e.Kit.RunDue(ctx); n != 0 || err != nil || len(r.take()) > 0 {
				t.Errorf("RunDue with the subscription deleted = %d, %v; want it dropped unsent", n, err)
			}
			if dl := try(d.Config().DeadLetters(ctx)).get(t); len(dl) > 0 {
				t.Errorf("dead letters: %v", who(dl))
			}
		}},
		{"a rotated secret signs what is posted from then on, retries included", func(t *testing.T, s store.Store) {
			e := privateHooks(t, s)
			ctx, cf := t.Context(), e.Agent().Config()
			r := newHookReceiver(t)
			first := try(cf.SaveWebhook(ctx, casekit.Webhook{Key: "crm", URL: r.URL + "/old", Enabled: true, Events: opened})).get(t)
			changed := try(cf.SaveWebhook(ctx, casekit.Webhook{Key: "crm", URL: r.URL + "/new", Enabled: true, Events: opened})).get(t)
			if changed.Secret != "" || !changed.CreatedAt.Equal(first.CreatedAt) {
				t.Errorf("a changed subscription: %+v, want no secret shown and its creation kept", changed)
			}
			e.open(t, "Printer", "cust-1")
			secret := try(cf.RotateWebhookSecret(ctx, "crm")).get(t)
			if secret == first.Secret || !strings.HasPrefix(secret, "whsec_") {
				t.Errorf("rotated secret %q", secret)
			}
			_, err := e.Kit.RunDue(ctx)
			must(t, err, "RunDue")
			reqs := r.take()
			if len(reqs) != 1 || reqs[0].Path != "/new" {
				t.Fatalf("the receiver got %d requests, want 1 at the new URL", len(reqs))
			}
			wantDelivery(t, e, reqs[0], secret)
			if err := casekit.VerifyWebhook([]byte(first.Secret), reqs[0].Header, reqs[0].Body, e.Clock.Now(), time.Minute); err == nil {
				t.Error("a delivery after the rotation verifies with the old secret")
			}
			_, err = cf.RotateWebhookSecret(ctx, "nope")
			wantIs(t, err, casekit.ErrNotFound, "rotating no subscription")
			wantIs(t, cf.DeleteWebhook(ctx, "nope"), casekit.ErrNotFound, "deleting no subscription")
			kinds := map[string]bool{}
			for _, ev := range e.tenantEvents(t) {
				if ev.Type == casekit.EventWebhookChanged {
					kinds[fmt.Sprint(slices.Sorted(maps.Keys(ev.Data)))] = true
				}
			}
			if len(kinds) != 2 {
				t.Errorf("webhook.changed events: %v, want a save and a rotation", kinds)
			}
		}},
		{"every delivery of every command's events validates against the schema", testWebhookSchemaOverCommands},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, newStore(t)) })
	}
}

// webhookUnreached are the event types testWebhookSchemaOverCommands
// does not record, each needing a world of its own: mail settings and
// reply tokens, auto-close settings, a status table with new
// transitions. The scenario of the webhooks area's second test covers
// none of them either.
var webhookUnreached = []casekit.EventType{casekit.EventCloseReminder, casekit.EventAutoCloseSkipped, casekit.EventPortalLinkMailed,
	casekit.EventContactVerified, casekit.EventReplyTokensRevoked, casekit.EventTransitionsChanged}

// testWebhookSchemaOverCommands posts every event that the fixture, a few
// commands the table leaves out and every command of commands() record,
// the latter run one after the other on one fixture (the deletions of
// configuration and the commands that end a case's working life last),
// to a subscription to every event, and checks each delivery against the
// schema: the form documented holds for every event type but
// webhookUnreached.
func testWebhookSchemaOverCommands(t *testing.T, s store.Store) {
	e := privateHooks(t, s)
	ctx, d := t.Context(), e.Agent()
	r := newHookReceiver(t)
	hook := try(d.Config().SaveWebhook(ctx, casekit.Webhook{Key: "all", URL: r.URL, Enabled: true})).get(t)
	fx := e.newFixture(t, "cust-1")

	// What commands() does not reach; a time rule's clock runs out below.
	timed := on("timed", opened, nil, casekit.Action{Kind: casekit.ActionAddTags, Values: []string{"waited"}})
	timed.After = &casekit.Elapsed{Hours: 1}
	must(t, d.Config().SaveTrigger(ctx, timed), "SaveTrigger")
	must(t, d.Config().SaveSLA(ctx, casekit.SLA{ID: "hooks", Name: "Hooks", Targets: targets(), WarnBefore: time.Hour}), "SaveSLA")
	openWith(t, d, casekit.NewCase{Subject: "Late", CustomerID: fx.Customer, SLAID: "hooks", Priority: "high"}) // its SLA timers fire below
	try(e.Desk(casekit.Customer(fx.Customer)).Rate(ctx, fx.ResolvedCaseID, casekit.Rating{Level: 4})).get(t)
	must(t, d.Config().SaveProcess(ctx, casekit.Process{Key: "hooks", Label: "Hooks", Stages: []casekit.Stage{{Key: "one", Label: "One"}, {Key: "two", Label: "Two"}}}), "SaveProcess")
	try(d.StartProcess(ctx, fx.CaseID, "hooks")).get(t)
	try(d.NextStage(ctx, fx.CaseID)).get(t)
	try(d.NextStage(ctx, fx.CaseID)).get(t)
	try(d.StartProcess(ctx, fx.CaseID, "hooks")).get(t)
	try(d.StopProcess(ctx, fx.CaseID)).get(t)
	other := e.open(t, "Another", fx.Customer)
	l := try(d.LinkCases(ctx, casekit.NewLink{Kind: casekit.LinkRelated, FromID: fx.CaseID, ToID: other.ID})).get(t)
	must(t, d.UnlinkCases(ctx, fx.CaseID, l.ID), "UnlinkCases")
	try(d.Merge(ctx, other.ID, fx.CaseID, casekit.Merge{Note: "the same"})).get(t)
	_, link, err := d.CreatePortalLink(ctx, fx.CaseID, time.Hour)
	must(t, err, "CreatePortalLink")
	must(t, d.RevokePortalLink(ctx, fx.CaseID, link.ID), "RevokePortalLink")
	try(d.Cancel(ctx, e.open(t, "Mistake", fx.Customer).ID, "opened by mistake")).get(t)
	e.places(t, nil, casekit.Queue{ID: "gone", Name: "Gone"})
	skip := on("skip", updated, nil, casekit.Action{Kind: casekit.ActionAssignQueue, Value: "gone"})
	skip.SkipFailed = true
	must(t, d.Config().SaveTrigger(ctx, skip), "SaveTrigger")
	must(t, d.Config().DeleteQueue(ctx, "gone"), "DeleteQueue")
	try(d.UpdateCase(ctx, e.open(t, "Skipped", fx.Customer).ID, casekit.CaseUpdate{Subject: ptr("Skipped, changed")})).get(t)

	last := func(name string) int {
		if i := slices.Index([]string{"Resolve", "Close", "Reopen", "Cancel", "DeleteCase"}, name); i >= 0 {
			return 2 + i
		}
		if strings.HasPrefix(name, "Config.Delete") {
			return 1
		}
		return 0
	}
	cmds := commands()
	slices.SortStableFunc(cmds, func(a, b command) int { return last(a.name) - last(b.name) })
	for _, cmd := range cmds {
		_ = cmd.run(ctx, d, fx) // some find the fixture changed by those before: fewer events, no harm
	}
	types := map[casekit.EventType]bool{}
	for _, step := range []time.Duration{0, 3*time.Hour + 30*time.Minute, 30 * 24 * time.Hour} { // then the SLA's warning, then the rest
		e.Clock.Advance(step)
		for {
			n, err := e.Kit.RunDue(ctx)
			must(t, err, "RunDue")
			if n == 0 {
				break
			}
		}
		for _, req := range r.take() { // signed at this step's time
			wantDelivery(t, e, req, hook.Secret)
			types[casekit.EventType(fmt.Sprint(req.Payload["type"]))] = true
		}
	}
	for _, typ := range casekit.EventTypes() {
		if !types[typ] && !slices.Contains(webhookUnreached, typ) {
			t.Errorf("no %s event was delivered: its form is not checked", typ)
		}
	}
}
