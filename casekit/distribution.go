package casekit

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"casekit.dev/casekit/store"
)

// activeCase returns one case matching f that is in neither a final nor a
// canceled status, or nil.
func (c *cmd) activeCase(f CaseFilter) (*Case, error) {
	set, err := c.statuses()
	if err != nil {
		return nil, err
	}
	for _, s := range set.list {
		if !s.Final && !s.Canceled {
			f.Status = append(f.Status, s.Key)
		}
	}
	if len(f.Status) == 0 {
		return nil, nil
	}
	cases, err := c.tx.ListCases(c.ctx, store.CaseQuery{CaseFilter: f, Limit: 1})
	if err != nil || len(cases) == 0 {
		return nil, err
	}
	return cases[0], nil
}

// distribution is the tenant's teams and queues, loaded once per command.
type distribution struct {
	teams  map[string]Team
	queues map[string]Queue
}

func (c *cmd) distribution() (*distribution, error) {
	if c.dist != nil {
		return c.dist, nil
	}
	ts, err := c.tx.Teams(c.ctx)
	if err != nil {
		return nil, err
	}
	qs, err := c.tx.Queues(c.ctx)
	if err != nil {
		return nil, err
	}
	d := &distribution{teams: map[string]Team{}, queues: map[string]Queue{}}
	for _, t := range ts {
		d.teams[t.ID] = t
	}
	for _, q := range qs {
		d.queues[q.ID] = q
	}
	c.dist = d
	return d, nil
}

// member reports whether agent belongs to team. Without a Directory every
// agent belongs to every team.
func (c *cmd) member(team, agent string) (bool, error) {
	if c.dir == nil || team == "" || agent == "" {
		return true, nil
	}
	ids, err := c.dir.TeamMembers(c.ctx, c.tenant, team)
	if err != nil {
		return false, fmt.Errorf("directory: members of team %q: %w", team, err)
	}
	return slices.Contains(ids, agent), nil
}

// placement is where a case is to go: agent, team and queue, with the
// input field names that named them, for error messages.
type placement struct {
	agent, team, queue, sla                     string
	agentField, teamField, queueField, slaField string
	// queueTeam makes the queue's team, when it has one, replace team.
	queueTeam bool
}

// checkPlacement adds a failure to v for an unknown team or queue and for
// an agent the Directory does not list in the team. A queue with a team
// gives its team to a placement without one, or with queueTeam set.
func (c *cmd) checkPlacement(v *validations, p *placement) error {
	if p.sla != "" {
		book, err := c.slaBook()
		if err != nil {
			return err
		}
		if _, ok := book.slas[p.sla]; !ok {
			v.Add(p.slaField, "known", "unknown SLA %q", p.sla)
		}
	}
	if p.team == "" && p.queue == "" && (p.agent == "" || c.dir == nil) {
		return nil
	}
	dist, err := c.distribution()
	if err != nil {
		return err
	}
	if p.queue != "" {
		q, ok := dist.queues[p.queue]
		if !ok {
			v.Add(p.queueField, "known", "unknown queue %q", p.queue)
		} else {
			if q.TeamID != "" && (p.team == "" || p.queueTeam) {
				p.team = q.TeamID
			}
			if p.sla == "" {
				p.sla = q.SLAID
			}
		}
	}
	if p.team != "" {
		if _, ok := dist.teams[p.team]; !ok {
			v.Add(p.teamField, "known", "unknown team %q", p.team)
			return nil
		}
	}
	if p.agent != "" && c.dir != nil {
		if _, err := c.dir.Person(c.ctx, c.tenant, p.agent); errors.Is(err, ErrNotFound) {
			v.Add(p.agentField, "known", "the directory has no agent %q", p.agent)
			return nil
		} else if err != nil {
			return fmt.Errorf("directory: agent %q: %w", p.agent, err)
		}
		ok, err := c.member(p.team, p.agent)
		if err != nil {
			return err
		}
		if !ok {
			v.Add(p.agentField, "member", "agent %q is not a member of team %q", p.agent, p.team)
		}
	}
	return nil
}

// Assign places a case on an agent, a team and a queue, or takes it off
// them with the Clear fields. Fields left empty stay as they are; a queue
// with a team gives its team to a case that is given none. The case must be
// active (not resolved, closed or canceled). A change that changes nothing
// writes nothing.
func (d *Desk) Assign(ctx context.Context, id string, a Assignment) (*Case, error) {
	return runValue(d, ctx, "assign", staffOnly, func(c *cmd) (out *Case, err error) {
		var v validations
		if err := v.Merge(validateStruct(a)); err != nil {
			return nil, err
		}
		cs, err := c.loadEditable(id)
		if err != nil {
			return nil, err
		}
		p := placement{agent: cs.AssigneeID, team: cs.TeamID, queue: cs.QueueID, sla: cs.SLAID,
			agentField: "agent", teamField: "team", queueField: "queue", slaField: "sla",
			queueTeam: a.Queue != "" && a.Team == "" && !a.ClearTeam}
		set := func(dst *string, val string, clear bool) {
			if clear {
				*dst = ""
			}
			if val != "" {
				*dst = val
			}
		}
		set(&p.agent, a.Agent, a.ClearAgent)
		set(&p.team, a.Team, a.ClearTeam)
		set(&p.queue, a.Queue, a.ClearQueue)
		if err := c.checkPlacement(&v, &p); err != nil {
			return nil, err
		}
		if err := v.Err(); err != nil {
			return nil, err
		}
		out = cs
		var extra map[string]any
		if p.sla != cs.SLAID { // the new queue's default SLA
			extra = map[string]any{"sla_id": p.sla}
			cs.SLAID = p.sla
		}
		return out, c.place(cs, p.agent, p.team, p.queue, EventAssigned, extra)
	})
}

// place writes the new agent, team and queue and records ev with the
// changes, unless nothing changes.
func (c *cmd) place(cs *Case, agent, team, queue string, ev EventType, extra map[string]any) error {
	return c.placeAs(c.actor, cs, agent, team, queue, ev, extra)
}

// placeAs is place with the event recorded as by actor.
func (c *cmd) placeAs(actor Actor, cs *Case, agent, team, queue string, ev EventType, extra map[string]any) error {
	changes := map[string]any{}
	for _, f := range []struct {
		name     string
		dst      *string
		old, new string
	}{
		{"assignee_id", &cs.AssigneeID, cs.AssigneeID, agent},
		{"team_id", &cs.TeamID, cs.TeamID, team},
		{"queue_id", &cs.QueueID, cs.QueueID, queue},
	} {
		if f.old != f.new {
			changes[f.name] = []any{f.old, f.new}
			*f.dst = f.new
		}
	}
	if len(changes) == 0 && len(extra) == 0 {
		return nil
	}
	if err := c.save(cs); err != nil {
		return err
	}
	data := map[string]any{"changes": changes}
	for k, v := range extra {
		data[k] = v
	}
	c.recordAs(actor, cs, ev, data)
	return nil
}

// pickable returns the statuses a case may be picked in: those that are
// neither paused, resolved, final nor canceled.
func (c *cmd) pickable() ([]string, error) {
	set, err := c.statuses()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, s := range set.list {
		if !s.Paused && !s.Resolved && !s.Final && !s.Canceled {
			out = append(out, s.Key)
		}
	}
	return out, nil
}

// pickingAgent refuses actors other than agents, and agents the Directory
// does not list in the queue's team.
func (c *cmd) pickingAgent(queueID string) error {
	if c.actor.Kind != KindAgent {
		return fmt.Errorf("only an agent picks cases, not %s: %w", c.actor, ErrForbidden)
	}
	if queueID == "" {
		return nil
	}
	dist, err := c.distribution()
	if err != nil {
		return err
	}
	q, ok := dist.queues[queueID]
	if !ok {
		return nil
	}
	ok, err = c.member(q.TeamID, c.actor.ID)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("agent %q is not a member of team %q, which works queue %q: %w", c.actor.ID, q.TeamID, queueID, ErrForbidden)
	}
	return nil
}

// Pick gives the acting agent the next unassigned active case waiting in
// the queue: the most urgent priority first, then the oldest. Two agents
// picking at once never get the same case, and neither waits for the
// other. An empty queue gives ErrNotFound; an unknown queue a
// *ValidationError.
func (d *Desk) Pick(ctx context.Context, queue string) (*Case, error) {
	return runValue(d, ctx, "pick", staffOnly, func(c *cmd) (out *Case, err error) {
		dist, err := c.distribution()
		if err != nil {
			return nil, err
		}
		if _, ok := dist.queues[queue]; !ok {
			return nil, invalid("queue", "known", "unknown queue %q", queue)
		}
		if err := c.pickingAgent(queue); err != nil {
			return nil, err
		}
		statuses, err := c.pickable()
		if err != nil {
			return nil, err
		}
		prios, err := c.tx.Lookups(c.ctx, LookupPriority)
		if err != nil {
			return nil, err
		}
		slices.SortStableFunc(prios, func(a, b Lookup) int { return b.Rank - a.Rank })
		q := store.PickQuery{QueueID: queue, Statuses: statuses}
		for _, p := range prios {
			q.Priorities = append(q.Priorities, p.Key)
		}
		cs, err := c.tx.NextInQueue(c.ctx, q)
		if err != nil {
			return nil, fmt.Errorf("queue %q: %w", queue, err)
		}
		return cs, c.place(cs, c.actor.ID, cs.TeamID, cs.QueueID, EventAssigned, map[string]any{"picked": true})
	})
}

// PickCase gives one case to the acting agent. It fails with ErrConflict
// when another agent already has it; the agent's own case comes back
// unchanged. The case must be active.
func (d *Desk) PickCase(ctx context.Context, id string) (*Case, error) {
	return runValue(d, ctx, "pick case", staffOnly, func(c *cmd) (out *Case, err error) {
		if c.actor.Kind != KindAgent {
			return nil, fmt.Errorf("only an agent picks cases, not %s: %w", c.actor, ErrForbidden)
		}
		cs, err := c.loadEditable(id)
		if err != nil {
			return nil, err
		}
		out = cs
		switch cs.AssigneeID {
		case c.actor.ID:
			return out, nil
		case "":
		default:
			return out, fmt.Errorf("case %s: agent %q already has it: %w", cs.ID, cs.AssigneeID, ErrConflict)
		}
		if err := c.pickingAgent(cs.QueueID); err != nil {
			return out, err
		}
		return out, c.place(cs, c.actor.ID, cs.TeamID, cs.QueueID, EventAssigned, map[string]any{"picked": true})
	})
}

// Escalate moves a case up to a higher support level of the tenant's
// support_level lookup (by rank) and hands it to a new agent, a new team,
// or both. Given only a team, the case leaves its agent and waits for the
// team.
func (d *Desk) Escalate(ctx context.Context, id string, e Escalation) (*Case, error) {
	return runValue(d, ctx, "escalate", staffOnly, func(c *cmd) (out *Case, err error) {
		var v validations
		if err := v.Merge(validateStruct(e)); err != nil {
			return nil, err
		}
		cs, err := c.loadEditable(id)
		if err != nil {
			return nil, err
		}
		levels, err := c.tx.Lookups(c.ctx, LookupSupportLevel)
		if err != nil {
			return nil, err
		}
		i := slices.IndexFunc(levels, func(l Lookup) bool { return l.Rank == e.Level })
		switch {
		case e.Level <= cs.SupportLevel:
			v.Add("level", "gt", "case %s is at support level %d: escalate to a higher one, not %d", cs.ID, cs.SupportLevel, e.Level)
		case i < 0:
			v.Add("level", "known", "no support level ranked %d", e.Level)
		case levels[i].Disabled:
			v.Add("level", "known", "support level %d (%s) is disabled", e.Level, levels[i].Key)
		}
		p := placement{agent: e.Agent, team: cs.TeamID, queue: cs.QueueID,
			agentField: "agent", teamField: "team", queueField: "queue"}
		if e.Team != "" {
			p.team = e.Team
		}
		if err := c.checkPlacement(&v, &p); err != nil {
			return nil, err
		}
		if err := v.Err(); err != nil {
			return nil, err
		}
		extra := map[string]any{"from_level": cs.SupportLevel, "to_level": e.Level}
		if e.Reason != "" {
			extra["reason"] = e.Reason
		}
		cs.SupportLevel = e.Level
		return cs, c.place(cs, p.agent, p.team, cs.QueueID, EventEscalated, extra)
	})
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
