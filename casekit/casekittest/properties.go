package casekittest

import (
	"errors"
	"flag"
	"fmt"
	"slices"
	"testing"

	"pgregory.net/rapid"

	"casekit.dev/casekit"
)

// propertyChecks is how many random command sequences the properties
// area runs unless -rapid.checks says otherwise: each runs on a real
// store.
const propertyChecks = 25

// limitChecks lowers rapid's default number of checks unless the command
// line set one.
func limitChecks() {
	f := flag.Lookup("rapid.checks")
	if f == nil {
		return
	}
	set := false
	flag.Visit(func(v *flag.Flag) { set = set || v.Name == "rapid.checks" })
	if !set {
		_ = f.Value.Set(fmt.Sprint(propertyChecks))
	}
}

// propCase is what the property model knows of a case.
type propCase struct {
	env      *Env
	id       string
	customer string
	open     []string // IDs of its open activities
}

func testProperties(t *testing.T, newStore StoreFactory) {
	t.Run("random commands by agents and customers in two tenants keep every rule", func(t *testing.T) {
		limitChecks()
		store := newStore(t)
		tenants := []*Env{NewEnv(t, store), NewEnv(t, store)}
		run := 0
		rapid.Check(t, func(rt *rapid.T) {
			run++
			ctx := t.Context()
			// Customers of this run only: earlier runs' cases stay in the
			// tenants but belong to others.
			customers := [][]string{
				{fmt.Sprintf("r%d-a1", run), fmt.Sprintf("r%d-a2", run)},
				{fmt.Sprintf("r%d-b1", run)},
			}
			var cases []*propCase
			pickCase := func(rt *rapid.T) *propCase {
				return cases[rapid.IntRange(0, len(cases)-1).Draw(rt, "case")]
			}
			status := func(c *propCase) casekit.Status {
				got := try(c.env.Agent().Case(ctx, c.id)).get(t)
				for _, s := range try(c.env.Agent().Config().Statuses(ctx)).get(t) {
					if s.Key == got.Status {
						return s
					}
				}
				rt.Fatalf("case %s has unknown status %q", c.id, got.Status)
				return casekit.Status{}
			}
			open := func(rt *rapid.T) {
				ti := rapid.IntRange(0, 1).Draw(rt, "tenant")
				cust := rapid.SampledFrom(customers[ti]).Draw(rt, "customer")
				e := tenants[ti]
				d := e.Agent()
				if rapid.Bool().Draw(rt, "by the customer") {
					d = e.Desk(casekit.Customer(cust))
				}
				c, err := d.OpenCase(ctx, casekit.NewCase{Subject: "Random case", CustomerID: cust})
				if err != nil {
					rt.Fatalf("OpenCase: %v", err)
				}
				cases = append(cases, &propCase{env: e, id: c.ID, customer: cust})
			}
			// Most actions need a case: a run starts with one, so that
			// rapid never draws skipped actions until it gives up ("can't
			// find a valid action"), which a run of "add activity" draws
			// on an empty run once did.
			open(rt)
			rt.Repeat(map[string]func(*rapid.T){
				"open": open,
				"add activity": func(rt *rapid.T) {
					if len(cases) == 0 {
						rt.Skip("no case")
					}
					c := pickCase(rt)
					readOnly := status(c).ReadOnly()
					a, err := c.env.Agent().AddActivity(ctx, c.id, casekit.NewActivity{Kind: casekit.ActivityTask, Subject: "Work"})
					switch {
					case readOnly && !errors.Is(err, casekit.ErrReadOnly):
						rt.Fatalf("AddActivity on a read-only case: %v, want ErrReadOnly", err)
					case !readOnly && err != nil:
						rt.Fatalf("AddActivity: %v", err)
					case err == nil:
						c.open = append(c.open, a.ID)
					}
				},
				"complete activity": func(rt *rapid.T) {
					var withOpen []*propCase
					for _, c := range cases {
						if len(c.open) > 0 && !status(c).ReadOnly() {
							withOpen = append(withOpen, c)
						}
					}
					if len(withOpen) == 0 {
						rt.Skip("no open activity on an editable case")
					}
					c := rapid.SampledFrom(withOpen).Draw(rt, "case")
					if _, err := c.env.Agent().CompleteActivity(ctx, c.open[0], casekit.Completion{Result: "Done"}); err != nil {
						rt.Fatalf("CompleteActivity: %v", err)
					}
					c.open = c.open[1:]
				},
				"resolve": func(rt *rapid.T) {
					if len(cases) == 0 {
						rt.Skip("no case")
					}
					c := pickCase(rt)
					before := status(c)
					_, err := c.env.Agent().Resolve(ctx, c.id, casekit.Resolution{})
					switch {
					case err == nil && len(c.open) > 0:
						rt.Fatalf("Resolve succeeded with %d open activities", len(c.open))
					case err == nil && before.ReadOnly():
						rt.Fatalf("Resolve succeeded on a %s case", before.Key)
					case err != nil && len(c.open) > 0 && !before.ReadOnly() && !errors.Is(err, casekit.ErrOpenActivities):
						rt.Fatalf("Resolve with open activities: %v, want ErrOpenActivities", err)
					case err != nil && status(c).Key != before.Key:
						rt.Fatalf("a refused Resolve moved the case from %s to %s", before.Key, status(c).Key)
					}
				},
				"close": func(rt *rapid.T) {
					if len(cases) == 0 {
						rt.Skip("no case")
					}
					c := pickCase(rt)
					d := c.env.Agent()
					if rapid.Bool().Draw(rt, "by the customer") {
						d = c.env.Desk(casekit.Customer(c.customer))
					}
					_, err := d.Close(ctx, c.id, casekit.Closure{Reason: "fixed", Note: "Done", CancelOpenActivities: true})
					if err == nil {
						c.open = nil
					}
				},
				"reopen": func(rt *rapid.T) {
					if len(cases) == 0 {
						rt.Skip("no case")
					}
					c := pickCase(rt)
					_, _ = c.env.Agent().Reopen(ctx, c.id, casekit.Reopening{Reason: "not_fixed", Note: "Again"})
				},
				"edit": func(rt *rapid.T) {
					if len(cases) == 0 {
						rt.Skip("no case")
					}
					c := pickCase(rt)
					readOnly := status(c).ReadOnly()
					_, err := c.env.Agent().UpdateCase(ctx, c.id, casekit.CaseUpdate{Subject: ptr(rapid.StringMatching(`[a-z]{1,12}`).Draw(rt, "subject"))})
					if readOnly && !errors.Is(err, casekit.ErrReadOnly) {
						rt.Fatalf("UpdateCase on a read-only case: %v, want ErrReadOnly", err)
					}
					if !readOnly && err != nil {
						rt.Fatalf("UpdateCase: %v", err)
					}
				},
				"message": func(rt *rapid.T) {
					if len(cases) == 0 {
						rt.Skip("no case")
					}
					c := pickCase(rt)
					if rapid.Bool().Draw(rt, "from the customer") {
						_, _ = c.env.Desk(casekit.Customer(c.customer)).PostMessage(ctx, c.id, casekit.NewMessage{Body: "From the customer"})
					} else {
						_, _ = c.env.Agent().PostMessage(ctx, c.id, casekit.NewMessage{Body: "Secret", Internal: rapid.Bool().Draw(rt, "internal")})
					}
				},
				"link": func(rt *rapid.T) {
					if len(cases) < 2 {
						rt.Skip("fewer than two cases")
					}
					a, b := pickCase(rt), pickCase(rt)
					kind := rapid.SampledFrom([]casekit.LinkKind{casekit.LinkRelated, casekit.LinkDuplicate, casekit.LinkParent}).Draw(rt, "kind")
					_, err := a.env.Agent().LinkCases(ctx, casekit.NewLink{Kind: kind, FromID: a.id, ToID: b.id})
					if a.env != b.env && !errors.Is(err, casekit.ErrNotFound) {
						rt.Fatalf("linking to another tenant's case: %v, want ErrNotFound", err)
					}
				},
				"merge": func(rt *rapid.T) {
					if len(cases) < 2 {
						rt.Skip("fewer than two cases")
					}
					src, dst := pickCase(rt), pickCase(rt)
					editable := src.env == dst.env && !status(src).ReadOnly() && !status(dst).ReadOnly()
					_, err := src.env.Agent().Merge(ctx, src.id, dst.id, casekit.Merge{Note: "Same"})
					switch {
					case err == nil && (src.env != dst.env || src.customer != dst.customer):
						rt.Fatalf("merged case %s of %s into case %s of %s across tenants or customers", src.id, src.customer, dst.id, dst.customer)
					case err == nil && !editable:
						rt.Fatalf("merged a read-only case")
					case err != nil && editable && src.customer == dst.customer && src.id != dst.id:
						rt.Fatalf("Merge of two editable cases of one customer: %v", err)
					case err == nil:
						dst.open = append(dst.open, src.open...)
						src.open = nil
						if got := try(src.env.Agent().Case(ctx, src.id)).get(t); got.MergedIntoID != dst.id || !status(src).ReadOnly() {
							rt.Fatalf("merged source: status %s, merged into %q", got.Status, got.MergedIntoID)
						}
					}
				},
				"": func(rt *rapid.T) {
					for ti, e := range tenants {
						for _, cust := range customers[ti] {
							page := try(e.Desk(casekit.Customer(cust)).ListCases(ctx, casekit.CaseFilter{Limit: 500})).get(t)
							for _, c := range page.Cases {
								if c.CustomerID != cust && c.Contact.ID != cust {
									rt.Fatalf("customer %s lists case %s of %s", cust, c.ID, c.CustomerID)
								}
							}
						}
					}
					if len(cases) == 0 {
						return
					}
					c := pickCase(rt)
					ms := try(c.env.Desk(casekit.Customer(c.customer)).Messages(ctx, c.id)).get(t)
					for _, m := range ms {
						if !m.Public {
							rt.Fatalf("customer %s reads an internal message of case %s", c.customer, c.id)
						}
						if m.CreatedBy.Kind == casekit.KindCustomer && m.CreatedBy.ID != c.customer {
							rt.Fatalf("customer %s reads what %s wrote, on case %s", c.customer, m.CreatedBy.ID, c.id)
						}
					}
					for _, l := range try(c.env.Desk(casekit.Customer(c.customer)).LinkedCases(ctx, c.id)).get(t) {
						if l.Case.CustomerID != c.customer {
							rt.Fatalf("customer %s sees linked case %s of %s", c.customer, l.Case.ID, l.Case.CustomerID)
						}
					}
					for ti, e := range tenants {
						if e == c.env {
							for _, other := range customers[ti] {
								if other != c.customer {
									if _, err := e.Desk(casekit.Customer(other)).Case(ctx, c.id); !errors.Is(err, casekit.ErrNotFound) {
										rt.Fatalf("customer %s reads case %s of %s: %v", other, c.id, c.customer, err)
									}
								}
							}
							continue
						}
						if _, err := e.Agent().Case(ctx, c.id); !errors.Is(err, casekit.ErrNotFound) {
							rt.Fatalf("another tenant's agent reads case %s: %v", c.id, err)
						}
					}
				},
			})
			// Case numbers stay gap-free and unique in both tenants.
			for _, e := range tenants {
				var nums []int64
				f := casekit.CaseFilter{Limit: 500}
				for {
					page := try(e.Agent().ListCases(ctx, f)).get(t)
					nums = append(nums, numbers(page.Cases)...)
					if page.Next == "" {
						break
					}
					f.After = page.Next
				}
				slices.Sort(nums)
				for i, n := range nums {
					if n != int64(i+1) {
						rt.Fatalf("tenant %s: case numbers %v are not 1..%d", e.Tenant, nums, len(nums))
					}
				}
			}
		})
	})
}
