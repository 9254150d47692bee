package casehttp_test

import (
	"regexp"
	"strings"
	"testing"

	"casekit.dev/casekit"
	"casekit.dev/casekit/store"
)

// TestPortalLabelsEveryMessage: the thread names who wrote each message
// and which way it went, so that a watcher's or a stranger's mail never
// reads as the support team's.
func TestPortalLabelsEveryMessage(t *testing.T) {
	eachStore(t, func(t *testing.T, store store.Store) {
		s := newSite(t, store)
		ctx := t.Context()
		d := s.agent()
		c, err := d.OpenCase(ctx, casekit.NewCase{Subject: "Printer", CustomerID: "ada", Contact: casekit.Contact{Email: "ada@example.com"}})
		if err != nil {
			t.Fatal(err)
		}
		sys := s.kit.Desk(s.tenant).As(casekit.System)
		for _, p := range []struct {
			desk *casekit.Desk
			m    casekit.NewMessage
		}{
			{d, casekit.NewMessage{Body: "m1 support mail"}},
			{sys, casekit.NewMessage{Direction: casekit.Inbound, Channel: casekit.ChannelEmail, From: "ADA@example.com", Body: "m2 ada mail"}},
			{sys, casekit.NewMessage{Direction: casekit.Inbound, Channel: casekit.ChannelEmail, From: "boss@example.com", Body: "m3 boss mail"}},
			{s.kit.Desk(s.tenant).As(casekit.Customer("ada")), casekit.NewMessage{Body: "m4 ada portal"}},
			{d, casekit.NewMessage{Direction: casekit.Inbound, Channel: casekit.ChannelPhone, Body: "m5 call logged"}},
		} {
			if _, err := p.desk.PostMessage(ctx, c.ID, p.m); err != nil {
				t.Fatal(err)
			}
		}
		code, page := s.browser("ada").get("/support/cases/1")
		if code != 200 {
			t.Fatalf("GET the case: %d", code)
		}
		entry := regexp.MustCompile(`(?s)<section class="card entry[^"]*" aria-label="message from ([^"]*)">\s*<p class="meta"><strong>[^<]*</strong>(?: <span class="way">([^<]*)</span>)?.*?<div class="body">([^<]*)</div>`)
		var got []string
		for _, m := range entry.FindAllStringSubmatch(page, -1) {
			got = append(got, strings.Join(m[1:], " | "))
		}
		want := []string{
			"Support | from support by e-mail | m1 support mail",
			"You | to support by e-mail | m2 ada mail",
			"boss@example.com | to support by e-mail | m3 boss mail",
			"You | to support in the portal | m4 ada portal",
			"Customer | to support by phone | m5 call logged",
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("thread:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
}
