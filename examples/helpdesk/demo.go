package main

import (
	"context"
	"fmt"
	"time"

	"casekit.dev/casekit"
)

// demoCase is one sample case and the status the seed takes it to.
type demoCase struct {
	subject, description string
	customer             string // an e-mail address of a directory customer
	agent                string
	queue, priority, typ string
	tags                 []string
	to                   string // a status key
}

// demoCases are the sample cases, oldest first; the resolved ones come
// last so that auto-close (after 7 days) leaves them resolved for a while.
var demoCases = []demoCase{
	{"Invoice 2026-118 charged twice", "The November invoice was charged to my card twice.", "ada@example.com", "u-cleo", "billing", "high", "problem", []string{"invoice"}, casekit.StatusClosed},
	{"Printer on the 3rd floor prints blank pages", "Since Monday every page comes out blank. The toner is new.", "grace@example.com", "u-ava", "general", "medium", "problem", []string{"printer"}, casekit.StatusClosed},
	{"Cannot log in to the VPN", "It says my certificate expired.", "linus@example.com", "u-ben", "general", "high", "problem", []string{"vpn"}, casekit.StatusClosed},
	{"Order a second monitor", "A 27\" one for the design desk, please.", "ada@example.com", "u-ava", "general", "low", "request", nil, casekit.StatusCanceled},
	{"Refund for the cancelled training", "We cancelled the December course; please refund the fee.", "grace@example.com", "u-cleo", "billing", "medium", "request", []string{"refund"}, casekit.StatusClosed},
	{"Wrong VAT number on invoices", "Our VAT number changed in October.", "linus@example.com", "u-cleo", "billing", "medium", "problem", []string{"invoice"}, casekit.StatusClosed},
	{"Duplicate: printer blank pages", "Same as the other printer case.", "grace@example.com", "u-ava", "general", "low", "problem", []string{"printer"}, casekit.StatusCanceled},
	{"Laptop fan very loud", "The fan runs at full speed even when idle.", "ada@example.com", "u-ben", "general", "medium", "problem", []string{"hardware"}, casekit.StatusInProgress},
	{"Shared drive is read-only", "Since this morning nobody can save to S:.", "linus@example.com", "u-dev", "second-line", "critical", "problem", []string{"storage"}, casekit.StatusInProgress},
	{"How do I export my invoices?", "I need all of 2026 as PDF for the auditor.", "grace@example.com", "u-cleo", "billing", "low", "question", []string{"invoice"}, casekit.StatusWaiting},
	{"Email signature looks broken on phones", "The logo is huge on iOS.", "ada@example.com", "u-ava", "general", "low", "problem", []string{"email"}, casekit.StatusWaiting},
	{"Projector in room B does not find HDMI", "Tried two laptops.", "linus@example.com", "u-ben", "general", "medium", "problem", []string{"hardware"}, casekit.StatusReopened},
	{"Calendar invites arrive an hour late", "Only for people in the Berlin office.", "grace@example.com", "u-dev", "second-line", "high", "problem", []string{"email"}, casekit.StatusInProgress},
	{"New starter on Monday needs accounts", "Mail, VPN and the CRM for Alan.", "ada@example.com", "u-ava", "general", "high", "request", []string{"onboarding"}, casekit.StatusInProgress},
	{"Payment reminder although paid", "We paid invoice 2026-120 on the 3rd.", "linus@example.com", "u-cleo", "billing", "medium", "complaint", []string{"invoice"}, casekit.StatusWaiting},
	{"Wi-Fi drops in the meeting room", "Every 10 minutes or so.", "grace@example.com", "u-ben", "general", "medium", "problem", []string{"network"}, casekit.StatusInProgress},
	{"Please cancel our second licence", "We only need one seat from January.", "ada@example.com", "u-cleo", "billing", "low", "request", []string{"licence"}, casekit.StatusCanceled},
	{"Keyboard missing keys", "The E and R keys came off.", "linus@example.com", "", "general", "low", "request", []string{"hardware"}, casekit.StatusNew},
	{"Scanner saves files as empty PDFs", "Scan to mail works, scan to folder does not.", "grace@example.com", "", "general", "medium", "problem", []string{"printer"}, casekit.StatusNew},
	{"Credit note for the broken chair", "Delivered broken, sent back last week.", "ada@example.com", "", "billing", "medium", "request", []string{"refund"}, casekit.StatusNew},
	{"Database backup failed twice", "The nightly job ended with an error on Tue and Wed.", "linus@example.com", "", "second-line", "critical", "problem", []string{"storage"}, casekit.StatusNew},
	{"Can we get a copy of the contract?", "For our legal team.", "grace@example.com", "", "general", "low", "question", nil, casekit.StatusNew},
	{"Phone line crackles", "Only on the reception line.", "ada@example.com", "", "general", "high", "problem", []string{"phone"}, casekit.StatusNew},
	{"Access to the finance folder", "For Margaret, starting today.", "linus@example.com", "u-ben", "general", "medium", "request", []string{"access"}, casekit.StatusResolved},
	{"Password reset mail never arrives", "I asked three times; nothing in spam either.", "grace@example.com", "u-ava", "general", "medium", "problem", []string{"email"}, casekit.StatusResolved},
	{"Invoice address change", "Please send invoices to accounts@example.com.", "ada@example.com", "u-cleo", "billing", "low", "request", []string{"invoice"}, casekit.StatusResolved},
	{"Teams meetings have no sound", "Both the speaker and the headset are silent.", "linus@example.com", "u-dev", "second-line", "high", "problem", []string{"audio"}, casekit.StatusResolved},
	{"Monitor flickers", "The left screen flickers when it warms up.", "grace@example.com", "u-ben", "general", "low", "problem", []string{"hardware"}, casekit.StatusResolved},
	{"Two-factor app lost with old phone", "I got a new phone and cannot log in.", "ada@example.com", "u-ava", "general", "high", "problem", []string{"access"}, casekit.StatusInProgress},
	{"Quote for 20 more seats", "We are growing; what would 20 seats cost?", "linus@example.com", "", "billing", "medium", "question", []string{"licence"}, casekit.StatusNew},
}

// demoMacros are the macros the demo's agents find on a case's page.
var demoMacros = []casekit.Macro{
	{Key: "refund", Name: "Refund requested", Actions: []casekit.Action{{Kind: casekit.ActionAddTags, Values: []string{"refund"}},
		{Kind: casekit.ActionAssignQueue, Value: "billing"}},
		Reply: "Hello {{contact_name}}, we have started the refund for case #{{number}}; it reaches your account in 3 to 5 working days."},
	{Key: "urgent", Name: "Urgent: to the second line", Actions: []casekit.Action{{Kind: casekit.ActionSetPriority, Value: "critical"},
		{Kind: casekit.ActionAssignQueue, Value: "second-line"}, {Kind: casekit.ActionAddActivity, Value: "Call the customer back within the hour"}}},
	{Key: "more-info", Name: "Ask for details", Actions: []casekit.Action{{Kind: casekit.ActionAddTags, Values: []string{"needs-info"}}},
		Reply: "Hello {{contact_name}}, to look into “{{subject}}” we need a little more: since when does it happen, and could you send a screenshot?"},
}

// seedDemo opens the sample cases and takes each to its status, with
// activities, notes and messages on the way, over the past 12 days (the
// clock is set back while it runs). A tenant that has cases already is
// left alone.
func seedDemo(ctx context.Context, kit *casekit.Kit, dir casekit.StaticDirectory, clock *shiftClock) error {
	sys := kit.Desk(tenant).As(casekit.System)
	pg, err := sys.ListCases(ctx, casekit.CaseFilter{Limit: 1})
	if err != nil {
		return err
	}
	if len(pg.Cases) > 0 {
		return nil
	}
	for _, m := range demoMacros {
		if err := sys.Config().SaveMacro(ctx, m); err != nil {
			return fmt.Errorf("macro %s: %w", m.Key, err)
		}
	}
	defer clock.setBack(0)
	back := 12 * 24 * time.Hour
	step := back / time.Duration(len(demoCases)+2)
	for i, dc := range demoCases {
		clock.setBack(back - time.Duration(i)*step)
		if err := seedCase(ctx, kit, dir, clock, dc); err != nil {
			return fmt.Errorf("%q: %w", dc.subject, err)
		}
	}
	return nil
}

func seedCase(ctx context.Context, kit *casekit.Kit, dir casekit.StaticDirectory, clock *shiftClock, dc demoCase) error {
	later := func(d time.Duration) { clock.setBack(time.Duration(clock.back.Load()) - d) }
	custID := casekit.EmailContactID(dc.customer)
	cust, err := dir.Person(ctx, tenant, custID)
	if err != nil {
		return err
	}
	opener := kit.Desk(tenant).As(casekit.Customer(custID))
	c, err := opener.OpenCase(ctx, casekit.NewCase{Subject: dc.subject, Description: dc.description, CustomerID: custID,
		Contact: casekit.Contact{ID: custID, Name: cust.Name, Email: cust.Email}, Type: dc.typ, Priority: dc.priority})
	if err != nil {
		return err
	}
	sys := kit.Desk(tenant).As(casekit.System)
	if len(dc.tags) > 0 { // tags are the desk's labels, not the customer's
		if c, err = sys.Tag(ctx, c.ID, dc.tags...); err != nil {
			return err
		}
	}
	if c, err = sys.Assign(ctx, c.ID, casekit.Assignment{Queue: dc.queue}); err != nil {
		return err
	}
	if dc.to == casekit.StatusNew {
		return nil
	}
	if dc.to == casekit.StatusCanceled {
		later(20 * time.Minute)
		_, err := kit.Desk(tenant).As(casekit.Agent(agentFor(dc))).Cancel(ctx, c.ID, "Opened by mistake / no longer needed")
		return err
	}
	agent := kit.Desk(tenant).As(casekit.Agent(dc.agent))
	later(45 * time.Minute)
	if _, err := agent.PickCase(ctx, c.ID); err != nil {
		return err
	}
	if _, err := agent.SetStatus(ctx, c.ID, casekit.StatusInProgress); err != nil {
		return err
	}
	act, err := agent.AddActivity(ctx, c.ID, casekit.NewActivity{Kind: casekit.ActivityCall, Subject: "Call " + cust.Name + " about it"})
	if err != nil {
		return err
	}
	later(30 * time.Minute)
	if _, err := agent.PostMessage(ctx, c.ID, casekit.NewMessage{Direction: casekit.Outbound,
		Body: "Hello " + cust.Name + ", thanks for telling us. We are looking into it and will be back to you soon."}); err != nil {
		return err
	}
	if _, err := agent.AddNote(ctx, c.ID, casekit.NewNote{Subject: "diagnosis", Body: "First look: reproduced it here."}); err != nil {
		return err
	}
	switch dc.to {
	case casekit.StatusInProgress:
		return nil
	case casekit.StatusWaiting, casekit.StatusReopened:
		later(2 * time.Hour)
		if _, err := agent.PostMessage(ctx, c.ID, casekit.NewMessage{Direction: casekit.Outbound, Body: "Could you tell us since when this happens, and send a photo or screenshot?"}); err != nil {
			return err
		}
		if _, err := agent.SetStatus(ctx, c.ID, casekit.StatusWaiting); err != nil {
			return err
		}
		if dc.to == casekit.StatusWaiting {
			return nil
		}
		later(5 * time.Hour)
		_, err := kit.Desk(tenant).As(casekit.Customer(custID)).PostMessage(ctx, c.ID, casekit.NewMessage{Body: "Since last Tuesday. It happens every time."})
		return err
	}
	// Resolved or closed.
	later(3 * time.Hour)
	if _, err := agent.CompleteActivity(ctx, act.ID, casekit.Completion{Result: "Talked it through; fix agreed."}); err != nil {
		return err
	}
	if _, err := agent.AddNote(ctx, c.ID, casekit.NewNote{Subject: "solution", Body: "Fixed; told the customer.", Public: true}); err != nil {
		return err
	}
	if _, err := agent.Resolve(ctx, c.ID, casekit.Resolution{Summary: "Fixed and confirmed."}); err != nil {
		return err
	}
	if dc.to == casekit.StatusResolved {
		return nil
	}
	later(4 * time.Hour)
	if dc.priority == "high" { // the customer rates it, which closes it
		_, err := kit.Desk(tenant).As(casekit.Customer(custID)).Rate(ctx, c.ID, casekit.Rating{Level: 5, Comment: "Quick and friendly, thanks!"})
		return err
	}
	_, err = agent.Close(ctx, c.ID, casekit.Closure{Reason: "fixed", Note: "The customer confirmed on the phone."})
	return err
}

// agentFor is who cancels a case that nobody worked on.
func agentFor(dc demoCase) string {
	if dc.agent != "" {
		return dc.agent
	}
	return "u-ava"
}
