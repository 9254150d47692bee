package main

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"casekit.dev/casekit"
)

// The people and words the load uses. Every tenant has the same agents
// and customers; subjects and messages are built from a small vocabulary
// so that searches find something.
const (
	agentCount    = 20
	customerCount = 500
)

var (
	products = []string{"printer", "router", "laptop", "invoice", "subscription", "password", "account",
		"delivery", "refund", "scanner", "monitor", "keyboard", "license", "backup", "mailbox",
		"phone", "tablet", "headset", "dashboard", "report"}
	problems = []string{"is not working", "keeps crashing", "cannot log in", "shows the wrong amount",
		"arrived damaged", "is very slow", "shows an error", "is missing", "stopped syncing", "was charged twice"}
	extras = []string{"since the last update", "after the move", "for the whole team", "again",
		"every morning", "on the new site", "since Monday", ""}
	tagWords = []string{"vip", "hardware", "billing", "outage", "onboarding", "follow-up"}
)

func agentID(i int) string    { return fmt.Sprintf("agent-%02d", i) }
func customerID(i int) string { return fmt.Sprintf("cust-%04d", i) }

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// The queues, teams and SLA every tenant is configured with. The SLA
// counts around the clock (no calendar); critical cases are due within
// seconds, so some SLA warnings and breaches fire during a run.
var (
	teams  = []casekit.Team{{ID: "support", Name: "Support"}, {ID: "billing", Name: "Billing"}}
	queues = []casekit.Queue{
		{ID: "support", Name: "Support", TeamID: "support", SLAID: "standard"},
		{ID: "billing", Name: "Billing", TeamID: "billing", SLAID: "standard"},
	}
	queueIDs    = []string{"support", "billing"}
	standardSLA = casekit.SLA{ID: "standard", Name: "Standard", WarnBefore: 10 * time.Second, Targets: []casekit.SLATarget{
		{Priority: "low", FirstResponse: 8 * time.Hour, Resolution: 72 * time.Hour},
		{Priority: "medium", FirstResponse: 4 * time.Hour, Resolution: 48 * time.Hour},
		{Priority: "high", FirstResponse: time.Hour, Resolution: 8 * time.Hour},
		{Priority: "critical", FirstResponse: 20 * time.Second, Resolution: time.Minute},
	}}
)

// lookupKeys returns the keys of one of the default lookups, which every
// tenant the load creates has.
func lookupKeys(kind casekit.LookupKind) []string {
	var keys []string
	for _, l := range casekit.DefaultLookups() {
		if l.Kind == kind && !l.Disabled {
			keys = append(keys, l.Key)
		}
	}
	return keys
}

var (
	caseTypes      = lookupKeys(casekit.LookupCaseType)
	closureReasons = []string{"fixed", "answered", "workaround"}
	reopenReasons  = []string{"not_fixed", "new_information"}
)

// shape is one case to open: who opens it and with what.
type shape struct {
	actor casekit.Actor
	in    casekit.NewCase
}

// newShape draws a case: 35% opened by an agent from a call or an e-mail
// into a queue (an SLA, so timers), 25% from a web form by the system
// (the queue's team is told: an outbox row), 40% by a customer in the
// portal (no queue, no SLA).
func newShape(r *rand.Rand) shape {
	n := r.IntN(customerCount)
	cust := customerID(n)
	product, problem := pick(r, products), pick(r, problems)
	subject := strings.TrimSpace(fmt.Sprintf("%s %s %s", strings.ToUpper(product[:1])+product[1:], problem, pick(r, extras)))
	in := casekit.NewCase{
		Subject: subject,
		Description: fmt.Sprintf("Hello, our %s %s. Order %d, customer since %d. Please help, %s is waiting on it.",
			product, problem, 100000+r.IntN(900000), 2000+r.IntN(26), pick(r, products)),
		CustomerID: cust,
		Contact:    casekit.Contact{ID: cust, Name: fmt.Sprintf("Customer %d", n), Email: cust + "@example.com"},
		Type:       pick(r, caseTypes),
	}
	switch x := r.Float64(); {
	case x < 0.35:
		agent := agentID(r.IntN(agentCount))
		in.Origin = pick(r, []string{"phone", "email"})
		in.QueueID = pick(r, queueIDs)
		in.Priority = priority(r)
		if r.IntN(2) == 0 {
			in.AssigneeID = agent
		}
		for range r.IntN(3) {
			in.Tags = append(in.Tags, pick(r, tagWords))
		}
		return shape{actor: casekit.Agent(agent), in: in}
	case x < 0.60:
		in.Origin = "web"
		in.QueueID = pick(r, queueIDs)
		in.Custom = map[string]any{"form": "contact", "order": fmt.Sprint(100000 + r.IntN(900000))}
		return shape{actor: casekit.System, in: in}
	default:
		return shape{actor: casekit.Customer(cust), in: in}
	}
}

// priority draws a priority: low 20%, medium 45%, high 30%, critical 5%.
func priority(r *rand.Rand) string {
	switch x := r.Float64(); {
	case x < 0.20:
		return "low"
	case x < 0.65:
		return "medium"
	case x < 0.95:
		return "high"
	default:
		return "critical"
	}
}

// messageBody writes an agent's reply or a customer's comment.
func messageBody(r *rand.Rand, fromCustomer bool) string {
	templates := agentTemplates
	if fromCustomer {
		templates = customerTemplates
	}
	return fmt.Sprintf(pick(r, templates), pick(r, products), pick(r, problems))
}

var (
	customerTemplates = []string{
		"Any news? The %s still %s.", "Thanks, but the %s %s again.", "I tried that; the %s %s.",
		"Here is more detail: the %s %s when we restart it.",
	}
	agentTemplates = []string{
		"Thank you for reporting this. We are looking into why the %s %s.",
		"Could you send us a screenshot of the %s? We think it %s because of a setting.",
		"We have replaced the %s; please tell us whether it still %s.",
		"Internal: the %s %s for three other customers too.",
	}
)

// searchText draws what an agent or customer types into the search box:
// a word, two words, a "quoted phrase", or a case number.
func searchText(r *rand.Rand, number int64) string {
	switch r.IntN(4) {
	case 0:
		return pick(r, products)
	case 1:
		words := strings.Fields(pick(r, problems))
		return pick(r, products) + " " + words[len(words)-1]
	case 2:
		return `"` + pick(r, problems) + `"`
	default:
		return fmt.Sprintf("#%d", number)
	}
}
