package casekit

import (
	"context"
	"fmt"
	"slices"

	"casekit.dev/casekit/casetype"
)

// These names live in package casetype, where the stores read them too;
// programs keep writing casekit.Name.
type (
	// Team is a group of agents a case can be assigned to.
	Team = casetype.Team
	// Queue is where unassigned cases wait until an agent picks them.
	Queue = casetype.Queue
)

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

// Teams lists the tenant's teams ordered by ID.
func (cf *Config) Teams(ctx context.Context) ([]Team, error) {
	return runValue(cf.d, ctx, "teams", staffRead, func(c *cmd) ([]Team, error) {
		return c.tx.Teams(c.ctx)
	})
}

// SaveTeam adds a team or renames the one with the same ID.
func (cf *Config) SaveTeam(ctx context.Context, t Team) error {
	return cf.d.run(ctx, "save team", adminOnly, func(c *cmd) error {
		if err := validateStruct(t); err != nil {
			return err
		}
		if err := c.tx.SaveTeam(c.ctx, t); err != nil {
			return fmt.Errorf("team %q: %w", t.ID, err)
		}
		c.record(nil, EventTeamChanged, map[string]any{"team_id": t.ID, "name": t.Name})
		return nil
	})
}

// DeleteTeam removes a team. It is refused with ErrConflict while a queue
// belongs to the team or an active case is assigned to it.
func (cf *Config) DeleteTeam(ctx context.Context, id string) error {
	return cf.d.run(ctx, "delete team", adminOnly, func(c *cmd) error {
		qs, err := c.tx.Queues(c.ctx)
		if err != nil {
			return err
		}
		for _, q := range qs {
			if q.TeamID == id {
				return fmt.Errorf("team %q works queue %q: move the queue first: %w", id, q.ID, ErrConflict)
			}
		}
		if n, err := c.activeCase(CaseFilter{TeamID: id}); err != nil || n != nil {
			if err == nil {
				err = fmt.Errorf("team %q has active case #%d: reassign it first: %w", id, n.Number, ErrConflict)
			}
			return err
		}
		if err := c.tx.DeleteTeam(c.ctx, id); err != nil {
			return fmt.Errorf("team %q: %w", id, err)
		}
		c.record(nil, EventTeamChanged, map[string]any{"team_id": id, "deleted": true})
		return nil
	})
}

// Queues lists the tenant's queues ordered by ID.
func (cf *Config) Queues(ctx context.Context) ([]Queue, error) {
	return runValue(cf.d, ctx, "queues", staffRead, func(c *cmd) ([]Queue, error) {
		return c.tx.Queues(c.ctx)
	})
}

// SaveQueue adds a queue or replaces the one with the same ID. Its team,
// when given, must exist; a queue that assigns its cases (AssignMode)
// needs one, and gives out the cases already waiting in it at once.
func (cf *Config) SaveQueue(ctx context.Context, q Queue) error {
	return cf.d.run(ctx, "save queue", adminOnly, func(c *cmd) error {
		var v validations
		if err := v.Merge(validateStruct(q)); err != nil {
			return err
		}
		if q.TeamID != "" {
			dist, err := c.distribution()
			if err != nil {
				return err
			}
			if _, ok := dist.teams[q.TeamID]; !ok {
				v.Add("team_id", "known", "unknown team %q", q.TeamID)
			}
		} else if q.AssignMode != AssignNone {
			v.Add("team_id", "required", "a queue that assigns its cases needs a team to assign them to")
		}
		if err := v.Err(); err != nil {
			return err
		}
		if q.SLAID != "" {
			book, err := c.slaBook()
			if err != nil {
				return err
			}
			if _, ok := book.slas[q.SLAID]; !ok {
				v.Add("sla_id", "known", "unknown SLA %q", q.SLAID)
			}
		}
		if err := v.Err(); err != nil {
			return err
		}
		if err := c.tx.SaveQueue(c.ctx, q); err != nil {
			return fmt.Errorf("queue %q: %w", q.ID, err)
		}
		c.dist = nil
		c.record(nil, EventQueueChanged, map[string]any{"queue_id": q.ID, "name": q.Name, "team_id": q.TeamID, "sla_id": q.SLAID,
			"assign_mode": string(q.AssignMode), "capacity": q.Capacity})
		if q.AssignMode == AssignNone {
			return nil
		}
		_, err := c.drain(q) // the cases waiting already
		return err
	})
}

// DeleteQueue removes a queue. It is refused with ErrConflict while an
// active case is in it.
func (cf *Config) DeleteQueue(ctx context.Context, id string) error {
	return cf.d.run(ctx, "delete queue", adminOnly, func(c *cmd) error {
		if n, err := c.activeCase(CaseFilter{QueueID: id}); err != nil || n != nil {
			if err == nil {
				err = fmt.Errorf("queue %q holds active case #%d: move it first: %w", id, n.Number, ErrConflict)
			}
			return err
		}
		if err := c.tx.DeleteQueue(c.ctx, id); err != nil {
			return fmt.Errorf("queue %q: %w", id, err)
		}
		c.dist = nil
		c.record(nil, EventQueueChanged, map[string]any{"queue_id": id, "deleted": true})
		return nil
	})
}
