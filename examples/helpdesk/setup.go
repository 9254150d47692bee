package main

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"casekit.dev/casekit"
)

// demoPeople are the sample agents (members of teams) and customers of
// -demo, who sign in with the picker. A customer's ID is
// casekit.EmailContactID of their address, the ID the web form gives the
// sender of a case, so the cases they open there are theirs in the
// portal.
func demoPeople() casekit.StaticDirectory {
	return casekit.StaticDirectory{
		People: []casekit.Person{
			{ID: "u-ava", Name: "Ava Martin", Email: "ava@acme.example"},
			{ID: "u-ben", Name: "Ben Okafor", Email: "ben@acme.example"},
			{ID: "u-cleo", Name: "Cleo Park", Email: "cleo@acme.example"},
			{ID: "u-dev", Name: "Dev Patel", Email: "dev@acme.example"},
			{ID: casekit.EmailContactID("ada@example.com"), Name: "Ada Lovelace", Email: "ada@example.com"},
			{ID: casekit.EmailContactID("grace@example.com"), Name: "Grace Hopper", Email: "grace@example.com"},
			{ID: casekit.EmailContactID("linus@example.com"), Name: "Linus Torvalds", Email: "linus@example.com"},
		},
		Teams: map[string][]string{
			"support":     {"u-ava", "u-ben", "u-cleo"},
			"billing":     {"u-cleo", "u-ben"},
			"second-line": {"u-dev"},
		},
	}
}

// teams are the tenant's teams, which agents' accounts name.
var teams = []casekit.Team{{ID: "support", Name: "Front-line support"}, {ID: "billing", Name: "Billing"}, {ID: "second-line", Name: "Second line"}}

// teamIDs are the IDs of teams.
func teamIDs() []string {
	ids := make([]string, len(teams))
	for i, t := range teams {
		ids[i] = t.ID
	}
	return ids
}

// admin is the agent who runs the tenant: the only one with casekit's
// admin role, so the only one who may change its configuration or delete
// a case. The others hold the default agent role.
const admin = "u-ava"

// setUp creates the tenant with its admin, teams, queues and SLA the
// first time; later starts find it and change nothing.
func setUp(ctx context.Context, kit *casekit.Kit) error {
	if _, err := kit.Tenant(ctx, tenant); err == nil {
		return nil
	} else if !errors.Is(err, casekit.ErrTenantNotFound) {
		return err
	}
	if err := kit.CreateTenant(ctx, casekit.TenantSpec{ID: tenant, Name: "Acme Ltd", Admins: []string{admin}}); err != nil {
		return err
	}
	d := kit.Desk(tenant).As(casekit.System)
	for _, t := range teams {
		if err := d.Config().SaveTeam(ctx, t); err != nil {
			return err
		}
	}
	h := time.Hour
	if err := d.Config().SaveSLA(ctx, casekit.SLA{ID: "standard", Name: "Standard", WarnBefore: h, Targets: []casekit.SLATarget{
		{Priority: "low", FirstResponse: 24 * h, Resolution: 120 * h},
		{Priority: "medium", FirstResponse: 8 * h, Resolution: 72 * h},
		{Priority: "high", FirstResponse: 4 * h, Resolution: 24 * h},
		{Priority: "critical", FirstResponse: h, Resolution: 8 * h},
	}}); err != nil {
		return err
	}
	for _, q := range []casekit.Queue{
		{ID: "general", Name: "General", TeamID: "support", SLAID: "standard"},
		{ID: "billing", Name: "Billing", TeamID: "billing", SLAID: "standard"},
		{ID: "second-line", Name: "Second line", TeamID: "second-line", SLAID: "standard"},
	} {
		if err := d.Config().SaveQueue(ctx, q); err != nil {
			return err
		}
	}
	// Mail to help@ opens cases in General, to billing@ in Billing; the
	// cases' reply addresses are help+<token>@acme.example.
	if err := d.Config().SaveMailSettings(ctx, casekit.MailSettings{Address: "help@acme.example", Mailboxes: []casekit.Mailbox{
		{Address: "help@acme.example", QueueID: "general"}, {Address: "billing@acme.example", QueueID: "billing"},
	}}); err != nil {
		return err
	}
	// The portal's pages are the defaults, with a way back to the sign-in
	// page added to the footer: a tenant override of one definition.
	_, err := d.Config().SaveTemplateOverride(ctx, "portal/layout", `{{define "brand"}}Acme Help Desk · Support{{end}}{{define "footer"}}<footer class="meta">Need something else? Open a new case at <a href="/form">/form</a> or reply to any of our messages. · <a href="/login">Sign out or switch user</a></footer>{{end}}`)
	return err
}

// shiftClock is the system clock, shifted into the past while the demo
// is seeded so that the sample cases have a history of days.
type shiftClock struct{ back atomic.Int64 }

// Now implements casekit.Clock.
func (c *shiftClock) Now() time.Time { return time.Now().Add(-time.Duration(c.back.Load())) }

func (c *shiftClock) setBack(d time.Duration) { c.back.Store(int64(d)) }
