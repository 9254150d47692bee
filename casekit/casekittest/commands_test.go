package casekittest

import (
	"reflect"
	"testing"

	"casekit.dev/casekit"
)

// TestEveryCommandIsListed keeps commands() whole: every method of Desk
// and Config that runs a command has its row, so the permission, tenant
// isolation and rollback tests reach a command the day it is added.
func TestEveryCommandIsListed(t *testing.T) {
	listed := map[string]bool{}
	for _, c := range commands() {
		if listed[c.name] {
			t.Errorf("command %s is listed twice", c.name)
		}
		listed[c.name] = true
	}
	// Not commands: the accessors of a Desk, and Can, which asks about
	// the actor and is tried by the permission tests on its own.
	accessors := map[string]bool{"Tenant": true, "Actor": true, "As": true, "Config": true, "Can": true}
	// Commands whose fixture the table cannot build yet (a blob store, a
	// notifier, a running process, a token): each has its permission and
	// isolation cases in its own file of the suite. A name leaves this
	// list when its row is added.
	for _, name := range []string{"CreatePortalLink", "DiscardUploads", "Inbound", "Intake", "MailPortalLink", "Merge",
		"NextStage", "OpenAttachment", "OpenPortalLink", "PortalLink", "PortalLinks", "PreviousStage", "Rate", "ReplyAddress",
		"RevokePortalLink", "StopProcess", "UnlinkCases", "Upload", "VerifyContact", "Config.RetryDeadLetter"} {
		listed[name] = true
	}
	want := map[string]bool{}
	for prefix, typ := range map[string]reflect.Type{"": reflect.TypeFor[*casekit.Desk](), "Config.": reflect.TypeFor[*casekit.Config]()} {
		for m := range typ.Methods() {
			if prefix == "" && accessors[m.Name] {
				continue
			}
			want[prefix+m.Name] = true
			if !listed[prefix+m.Name] {
				t.Errorf("%s%s has no row in commands()", prefix, m.Name)
			}
		}
	}
	for name := range listed {
		if !want[name] && name != "Can" {
			t.Errorf("commands() lists %s, which is no method of Desk or Config", name)
		}
	}
	for name := range needs {
		if !want[name] && name != "Can" {
			t.Errorf("needs names %s, which is no method of Desk or Config", name)
		}
	}
}
