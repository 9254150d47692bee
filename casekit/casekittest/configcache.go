package casekittest

import (
	"testing"

	"casekit.dev/casekit"
)

// testConfigCache checks that a kit caching a tenant's configuration sees
// every change another kit (another replica) makes, at its next command.
func testConfigCache(t *testing.T, newStore StoreFactory) {
	runEnvTests(t, newStore, []envTest{
		{"a second kit on the same store sees every configuration change", func(t *testing.T, e *Env) {
			ctx, admin := t.Context(), e.Agent()
			other, err := casekit.New(e.Store, casekit.WithClock(e.Clock), casekit.WithLogger(discard))
			must(t, err, "casekit.New")
			replica := other.Desk(e.Tenant).As(casekit.Agent(AgentID))
			open := func(in casekit.NewCase) (*casekit.Case, error) {
				in.Subject = "Through the replica"
				return replica.OpenCase(ctx, in)
			}
			c := try(open(casekit.NewCase{})).get(t)
			wantEqual(t, "medium", c.Priority, "default priority before the change")
			_, err = open(casekit.NewCase{Priority: "urgent"})
			wantRule(t, err, "an unknown priority", "priority", "known")
			_, err = open(casekit.NewCase{QueueID: "inbox"})
			wantInvalid(t, err, "an unknown queue", "queue_id")

			must(t, admin.Config().SaveSettings(ctx, casekit.Settings{DefaultPriority: "high", AutoCloseDays: 7}), "SaveSettings")
			wantEqual(t, "high", try(open(casekit.NewCase{})).get(t).Priority, "default priority after the other kit changed it")
			must(t, admin.Config().SaveLookup(ctx, casekit.Lookup{Kind: casekit.LookupPriority, Key: "urgent", Label: "Urgent", Rank: 99}), "SaveLookup")
			wantEqual(t, "urgent", try(open(casekit.NewCase{Priority: "urgent"})).get(t).Priority, "a priority the other kit added")
			must(t, admin.Config().SaveTeam(ctx, casekit.Team{ID: "support", Name: "Support"}), "SaveTeam")
			must(t, admin.Config().SaveQueue(ctx, casekit.Queue{ID: "inbox", Name: "Inbox", TeamID: "support"}), "SaveQueue")
			wantEqual(t, "support", try(open(casekit.NewCase{QueueID: "inbox"})).get(t).TeamID, "a queue the other kit added")
			must(t, admin.Config().SaveCustomField(ctx, casekit.CustomField{Key: "contract", Label: "Contract", Type: casekit.CustomText, Required: true}), "SaveCustomField")
			_, err = open(casekit.NewCase{})
			wantRule(t, err, "a required custom field the other kit defined", "custom.contract", "required")
			must(t, admin.Config().DeleteCustomField(ctx, "contract"), "DeleteCustomField")
			try(open(casekit.NewCase{})).get(t)

			// A refused change leaves the cache as good as it was.
			wantInvalid(t, admin.Config().SaveSettings(ctx, casekit.Settings{DefaultPriority: "nope", AutoCloseDays: 7}), "a refused settings change", "default_priority")
			wantEqual(t, "high", try(open(casekit.NewCase{})).get(t).Priority, "default priority after a refused change")

			// A tenant dropped and created again under its ID is a new tenant.
			must(t, e.Kit.DropTenant(ctx, e.Tenant), "DropTenant")
			low := casekit.DefaultSettings()
			low.DefaultPriority = "low"
			must(t, e.Kit.CreateTenant(ctx, casekit.TenantSpec{ID: e.Tenant, Settings: &low}), "CreateTenant again")
			wantEqual(t, "low", try(open(casekit.NewCase{})).get(t).Priority, "default priority of the tenant created again")
		}},
	})
}
