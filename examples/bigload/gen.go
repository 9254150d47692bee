package main

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"casekit.dev/casekit"
	"casekit.dev/storage/sqlstore/rows"
)

// loaded is one generated case with what casekit would have written
// along with it: its messages and their events.
type loaded struct {
	c        rows.Case
	messages []rows.Message
	events   []rows.Event
}

// The shape of the data. Counts are chosen so that a filter on one value
// is selective but not trivial at a million cases.
const (
	customerCount = 20000
	agentCount    = 60
	tagCount      = 50
	// span is how far back the first case was opened.
	span = 2 * 365 * 24 * time.Hour
)

// vocabulary holds the words of subjects, descriptions and messages,
// most frequent first: word i is drawn with probability ∝ 1/(i+1)^1.07,
// so the first ones are in almost every case and the last ones in about
// one case in a hundred.
var vocabulary = dedupe(strings.Fields(`
the to and a i is of it my not on in for with we this have but can you
please was when after from our account error order again since all
help problem login password email page invoice payment cannot working
update app printer screen still customer new phone refund delivery
message report data file upload download settings user team access
browser server mobile office network connection shipment return order
billing subscription plan license key sync backup export import
dashboard notification calendar contact address profile photo video
audio camera battery charger cable adapter keyboard mouse monitor
laptop tablet router modem wifi bluetooth driver firmware version
install uninstall crash freeze slow timeout blank missing wrong
duplicate broken damaged late lost stuck locked expired declined
charged twice cancel upgrade downgrade renew transfer merge split
share print scan sign verify reset restore delete archive search
filter sort tag label folder attachment link button menu window tab
form field checkbox dropdown report chart graph table column row
cell formula template theme font color language translation timezone
currency tax discount coupon voucher gift card wallet bank transfer
paypal stripe receipt quote estimate contract warranty repair
replacement exchange pickup courier tracking warehouse stock
inventory supplier vendor partner reseller agency school hospital
clinic pharmacy restaurant hotel airline ticket booking reservation
seat boarding luggage baggage flight train bus taxi parking toll
insurance claim policy premium deductible coverage beneficiary
mortgage loan credit debit overdraft statement balance interest
pension salary payroll invoice2 ledger journal audit compliance gdpr
consent cookie tracking2 privacy breach phishing spam malware virus
firewall vpn certificate token session captcha otp authenticator
sso saml oauth ldap webhook api endpoint quota throttling latency
outage incident maintenance migration deployment rollback hotfix
patch release beta preview roadmap feature request feedback survey
rating complaint compliment escalation supervisor manager
ombudsman lawyer court zebra quartz fjord glyph vortex nimbus
kelvin saffron topaz mistral obsidian juniper marigold tundra
`))

func dedupe(words []string) []string {
	var out []string
	for _, w := range words {
		if !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

var (
	priorities      = []string{"low", "medium", "high", "critical"}
	priorityWeights = []int{30, 50, 15, 5}
	caseTypes       = []string{"question", "problem", "request", "complaint"}
	origins         = []string{"email", "portal", "phone", "web", "chat"}
)

// tagName returns tag i of the tenant's tagCount.
func tagName(i int) string { return fmt.Sprintf("tag%02d", i) }

// customerID returns customer i.
func customerID(i int) string { return fmt.Sprintf("cust-%05d", i) }

// generator makes the cases of one load, oldest first. It is
// deterministic for a seed, count and end time.
type generator struct {
	r                *rand.Rand
	words, customers *rand.Zipf
	tags             *rand.Zipf
	end, start       time.Time
	step             time.Duration
	count, next      int64
	idRand           *rand.ChaCha8
}

func newGenerator(seed uint64, count int64, end time.Time) *generator {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	g := &generator{
		r:         r,
		words:     rand.NewZipf(r, 1.07, 1, uint64(len(vocabulary)-1)),
		customers: rand.NewZipf(r, 1.2, 8, customerCount-1),
		tags:      rand.NewZipf(r, 1.1, 4, tagCount-1),
		end:       end.UTC().Truncate(time.Microsecond),
		count:     count,
		idRand:    rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8), byte(seed >> 16), 7}),
	}
	g.start = g.end.Add(-span)
	g.step = span / time.Duration(max(count, 1))
	return g
}

// uuidAt returns a UUIDv7 for time t, as casekit's IDs are: ordered by
// time, so the case ID order is the order cases were opened in.
func (g *generator) uuidAt(t time.Time) string {
	var b [16]byte
	_, _ = g.idRand.Read(b[:])
	ms := uint64(t.UnixMilli())
	var ts [8]byte
	binary.BigEndian.PutUint64(ts[:], ms)
	copy(b[:6], ts[2:])
	b[6] = 0x70 | (b[6] & 0x0f)
	b[8] = 0x80 | (b[8] & 0x3f)
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

func (g *generator) text(min, max int) string {
	n := min + g.r.IntN(max-min+1)
	w := make([]string, n)
	for i := range w {
		w[i] = vocabulary[g.words.Uint64()]
	}
	return strings.Join(w, " ")
}

func (g *generator) pick(vals []string, weights []int) string {
	total := 0
	for _, w := range weights {
		total += w
	}
	n := g.r.IntN(total)
	for i, w := range weights {
		if n < w {
			return vals[i]
		}
		n -= w
	}
	return vals[len(vals)-1]
}

// status picks a case's status from its age: recent cases are still open,
// old ones closed, with a few stuck waiting on the customer.
func (g *generator) status(age time.Duration) string {
	keys := []string{casekit.StatusNew, casekit.StatusInProgress, casekit.StatusWaiting, casekit.StatusReopened,
		casekit.StatusResolved, casekit.StatusClosed, casekit.StatusCanceled}
	switch {
	case age < 3*24*time.Hour:
		return g.pick(keys, []int{40, 40, 14, 1, 5, 0, 0})
	case age < 30*24*time.Hour:
		return g.pick(keys, []int{4, 22, 20, 4, 40, 5, 5})
	default:
		return g.pick(keys, []int{0, 1, 2, 0, 0, 92, 5})
	}
}

// done reports whether every case was generated.
func (g *generator) done() bool { return g.next >= g.count }

// nextCase generates case number g.next+1.
func (g *generator) nextCase() loaded {
	g.next++
	n := g.next
	created := g.start.Add(time.Duration(n-1)*g.step + time.Duration(g.r.Int64N(int64(g.step/2)+1))).Truncate(time.Microsecond)
	age := g.end.Sub(created)
	cust := int(g.customers.Uint64())
	contact := fmt.Sprintf("%s-c%d", customerID(cust), g.r.IntN(3))
	email := contact + "@example.com"
	origin := origins[g.r.IntN(len(origins))]
	var tags []string
	for range g.r.IntN(5) { // 0 to 4 tags
		if t := tagName(int(g.tags.Uint64())); !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	customer := casekit.Customer(customerID(cust)).String()
	createdBy := customer
	if origin == "phone" || origin == "email" {
		createdBy = casekit.Agent(fmt.Sprintf("agent-%02d", g.r.IntN(agentCount))).String()
	}
	status := g.status(age)
	c := rows.Case{
		ID: g.uuidAt(created), Number: n,
		Subject: g.text(3, 8), Description: g.text(12, 40),
		CustomerID: customerID(cust), ContactID: contact, ContactName: "Contact " + contact, ContactEmail: email,
		Type: caseTypes[g.r.IntN(len(caseTypes))], Priority: g.pick(priorities, priorityWeights),
		Origin: origin, Tags: tags, Status: status, CreatedBy: createdBy,
		CreatedAt: created, UpdatedAt: created, Version: 1,
	}
	c.PriorityRank = rows.Rank(casekit.DefaultLookups(), c.Priority)
	if status != casekit.StatusNew {
		c.AssigneeID = fmt.Sprintf("agent-%02d", g.r.IntN(agentCount))
	}
	l := loaded{}
	opened := rows.Event{ID: g.uuidAt(created), CaseID: c.ID, CaseNumber: n, Type: string(casekit.EventCaseOpened),
		Actor: createdBy, At: created, Data: map[string]any{"number": n, "subject": c.Subject, "status": casekit.StatusNew,
			"priority": c.Priority, "origin": origin, "customer_id": c.CustomerID}}
	l.events = append(l.events, opened)

	// 1 to 4 messages: the customer's first, then replies, spread over at
	// most three days but never past the end.
	msgs := 1 + g.r.IntN(4)
	window := min(72*time.Hour, age*9/10)
	at := created
	for i := range msgs {
		if i > 0 {
			at = at.Add(time.Duration(g.r.Int64N(int64(window/time.Duration(msgs)) + 1))).Truncate(time.Microsecond)
		} else {
			at = at.Add(time.Second)
		}
		m := rows.Message{ID: g.uuidAt(at), CaseID: c.ID, Subject: "Re: " + c.Subject, Body: g.text(10, 60), Public: true, CreatedAt: at}
		if i == 0 || i%2 == 0 {
			m.Direction, m.Channel, m.Sender = string(casekit.Inbound), string(casekit.ChannelEmail), email
			m.Recipients = []string{"support@example.com"}
			m.CreatedBy = customer
		} else {
			agent := c.AssigneeID
			if agent == "" {
				agent = "agent-00"
			}
			m.Direction, m.Channel, m.CreatedBy = string(casekit.Outbound), string(casekit.ChannelEmail), casekit.Agent(agent).String()
			m.Recipients = []string{email}
			m.Public = g.r.IntN(10) > 0 // one reply in ten is internal
			if m.Public && c.FirstResponseAt == nil {
				fr := at
				c.FirstResponseAt = &fr
			}
		}
		l.messages = append(l.messages, m)
		l.events = append(l.events, rows.Event{ID: g.uuidAt(at), CaseID: c.ID, CaseNumber: n,
			Type: string(casekit.EventMessagePosted), Actor: m.CreatedBy, At: at,
			Data: map[string]any{"message_id": m.ID, "direction": m.Direction, "channel": m.Channel,
				"public": m.Public, "excerpt": excerpt(m.Body)}})
		c.UpdatedAt = at
		c.Version++
	}
	switch status {
	case casekit.StatusResolved, casekit.StatusClosed:
		res := minTime(c.UpdatedAt.Add(time.Hour), g.end)
		c.ResolvedAt, c.UpdatedAt = &res, res
		c.Version++
		if status == casekit.StatusClosed {
			cl := minTime(res.Add(7*24*time.Hour), g.end)
			c.ClosedAt, c.UpdatedAt = &cl, cl
			c.Version++
		}
	case casekit.StatusCanceled:
		cl := minTime(c.UpdatedAt.Add(time.Hour), g.end)
		c.ClosedAt, c.UpdatedAt = &cl, cl
		c.Version++
	}
	// The business times casekit counts when the first response or
	// resolution is set: on no SLA's calendar, the wall-clock ones.
	c.FirstResponseBiz, c.ResolutionBiz = nanosSince(created, c.FirstResponseAt), nanosSince(created, c.ResolvedAt)
	l.c = c
	return l
}

// nanosSince is the time from start to t in nanoseconds, nil for nil t.
func nanosSince(start time.Time, t *time.Time) *int64 {
	if t == nil {
		return nil
	}
	ns := int64(t.Sub(start))
	return &ns
}

// excerpt is the message excerpt casekit puts in the message.posted
// event: the body cut at 500 runes, with "…" when cut.
func excerpt(s string) string {
	r := []rune(s)
	if len(r) <= 500 {
		return s
	}
	return strings.TrimSpace(string(r[:500])) + "…"
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
