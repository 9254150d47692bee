package casetype

import (
	"fmt"
	"strings"
)

// ActorKind says what kind of party acts on a desk.
type ActorKind string

// The kinds of actor.
const (
	// KindAgent is a member of the service staff.
	KindAgent ActorKind = "agent"
	// KindCustomer is a customer or one of its contacts, acting through the
	// portal or e-mail. It sees only its own cases and public content.
	KindCustomer ActorKind = "customer"
	// KindSystem is the host or casekit itself: timers, imports, jobs.
	KindSystem ActorKind = "system"
)

// Actor is who runs a command. casekit does not own users: the host says who
// acts, by the ID it knows them by.
type Actor struct {
	Kind ActorKind `json:"kind"`
	ID   string    `json:"id,omitempty"`
}

// System is the actor for work done by the host or by casekit itself.
var System = Actor{Kind: KindSystem}

// String gives the actor as "agent:u-17", "customer:c-3" or "system".
func (a Actor) String() string {
	if a.Kind == KindSystem || a.ID == "" {
		return string(a.Kind)
	}
	return string(a.Kind) + ":" + a.ID
}

// IsZero reports whether no actor was named.
func (a Actor) IsZero() bool { return a.Kind == "" }

// ParseActor reads the form String writes.
func ParseActor(s string) (Actor, error) {
	kind, id, _ := strings.Cut(s, ":")
	switch ActorKind(kind) {
	case KindSystem:
		return System, nil
	case KindAgent, KindCustomer:
		if id == "" {
			return Actor{}, fmt.Errorf("casekit: actor %q has no ID", s)
		}
		return Actor{Kind: ActorKind(kind), ID: id}, nil
	}
	return Actor{}, fmt.Errorf("casekit: unknown actor %q", s)
}
