package casekit

import (
	"context"
	"fmt"
	"slices"
)

// Team is a group of agents a case can be assigned to. casekit keeps the
// team's ID and name; who belongs to it is the host's to say, through its
// Directory.
type Team struct {
	ID   string `json:"id" validate:"required,key"`
	Name string `json:"name" validate:"required,max=200"`
}

// Queue is where unassigned cases wait until an agent picks them.
type Queue struct {
	ID   string `json:"id" validate:"required,key"`
	Name string `json:"name" validate:"required,max=200"`
	// TeamID is the team that works the queue; empty for none. With a
	// Directory, only its members may pick from the queue, and a case put
	// in the queue without a team takes this one.
	TeamID string `json:"team_id,omitempty" validate:"omitempty,key"`
	// SLAID is the SLA a case opened in or moved to the queue takes when
	// it has none.
	SLAID string `json:"sla_id,omitempty" validate:"omitempty,key"`
}

// Person is someone the host's Directory knows: an agent or a customer.
type Person struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email,omitempty"`
}

// Directory is the host's view of its people: casekit does not own users.
// It is called inside casekit's transactions, so it must be quick and must
// not call back into the Kit.
type Directory interface {
	// Person returns the person with the ID, or an error wrapping
	// ErrNotFound.
	Person(ctx context.Context, tenant, id string) (Person, error)
	// TeamMembers returns the agent IDs of the team's members.
	TeamMembers(ctx context.Context, tenant, teamID string) ([]string, error)
}

// StaticDirectory is a Directory held in memory, the same for every
// tenant: for tests, examples and hosts with a fixed staff.
type StaticDirectory struct {
	People []Person
	// Teams maps a team ID to its members' agent IDs.
	Teams map[string][]string
}

// Person implements Directory.
func (d StaticDirectory) Person(_ context.Context, _, id string) (Person, error) {
	for _, p := range d.People {
		if p.ID == id {
			return p, nil
		}
	}
	return Person{}, fmt.Errorf("person %q: %w", id, ErrNotFound)
}

// TeamMembers implements Directory.
func (d StaticDirectory) TeamMembers(_ context.Context, _, teamID string) ([]string, error) {
	return slices.Clone(d.Teams[teamID]), nil
}

// Assignment places a case: on an agent, a team and a queue. Empty fields
// leave the case as it is; the Clear fields empty them.
type Assignment struct {
	Agent string `json:"agent" validate:"omitempty,max=200,excluded_with=ClearAgent"`
	Team  string `json:"team" validate:"omitempty,key,excluded_with=ClearTeam"`
	Queue string `json:"queue" validate:"omitempty,key,excluded_with=ClearQueue"`

	ClearAgent bool `json:"clear_agent"`
	ClearTeam  bool `json:"clear_team"`
	ClearQueue bool `json:"clear_queue"`
}

// Escalation moves a case to a higher support level and hands it to a new
// agent, a new team, or both.
type Escalation struct {
	// Level is the support level's rank in the tenant's support_level
	// lookup, above the case's current level.
	Level int    `json:"level" validate:"min=1"`
	Agent string `json:"agent" validate:"required_without=Team,omitempty,max=200"`
	Team  string `json:"team" validate:"omitempty,key"`
	// Reason says why, for the history.
	Reason string `json:"reason" validate:"max=2000"`
}
