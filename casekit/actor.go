package casekit

import "casekit.dev/casekit/casetype"

// These names live in package casetype, where the stores read them too;
// programs keep writing casekit.Name.
type (
	// ActorKind says what kind of party acts on a desk.
	ActorKind = casetype.ActorKind
	// Actor is who runs a command.
	Actor = casetype.Actor
)

const (
	// KindAgent is a member of the service staff.
	KindAgent = casetype.KindAgent
	// KindCustomer is a customer or one of its contacts, acting through the
	// portal or e-mail.
	KindCustomer = casetype.KindCustomer
	// KindSystem is the host or casekit itself: timers, imports, jobs.
	KindSystem = casetype.KindSystem
)

var (
	// System is the actor for work done by the host or by casekit itself.
	System = casetype.System
)

// Agent returns the actor for the agent with this host user ID.
func Agent(id string) Actor { return Actor{Kind: KindAgent, ID: id} }

// Customer returns the actor for the customer (account or contact) with this
// host ID.
func Customer(id string) Actor { return Actor{Kind: KindCustomer, ID: id} }

func actorValid(a Actor) bool {
	switch a.Kind {
	case KindSystem:
		return true
	case KindAgent, KindCustomer:
		return a.ID != ""
	}
	return false
}

// ParseActor reads the form Actor.String writes.
func ParseActor(s string) (Actor, error) { return casetype.ParseActor(s) }
