package casekit

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"casekit.dev/casekit/casetype"
	"casekit.dev/casekit/store"
)

// Auto-assignment: a queue with an AssignMode hands its cases to its
// team's available agents by itself. The rule, in the command's own
// transaction:
//
//   - A case a command changes (opens, moves, releases, reopens, returns
//     to its queue on a customer's reply, or a trigger places) and leaves
//     unassigned in such a queue, in a status a case is picked in, is
//     given to an agent before the command's triggers run on it.
//   - When a command frees an agent (resolves, closes, cancels, deletes
//     or hands away a case assigned to them), makes one available, raises
//     a capacity or turns a queue's assignment on, the cases waiting
//     longest (most urgent first, as Pick takes them) in the queues
//     concerned are given out, at most AssignBatch per queue and command.
//   - Eligible agents are the members of the queue's team (its Directory;
//     without one, every agent who made themselves available) who are
//     available (an AvailabilityDirectory's say, else the stored
//     Availability; an agent never set is away) and hold fewer open cases
//     than their capacity. Round robin takes the first of them after the
//     queue's cursor (the agent it gave a case to last) in ID order;
//     least open the one with the fewest open cases, ties in that order.
//   - No eligible agent: the case waits in the queue unassigned, to be
//     picked or given out by the next command that frees an agent.
//   - Every assignment holds the tenant's assignment lock
//     (store.Tx.LockAssigning) until commit, so concurrent commands never
//     give out one case twice nor count an agent's cases stale.
//
// Each assignment is a case.assigned event by System with "auto_assign"
// (the mode) and "queue_id" in its data; the triggers then tell whom
// they tell of any assignment.

// These names live in package casetype, where the stores read them too;
// programs keep writing casekit.Name.
type (
	// AssignMode is how a queue chooses the agent it gives a case to.
	AssignMode = casetype.AssignMode
	// Availability is an agent's standing for the queues that assign.
	Availability = casetype.Availability
)

// The assignment modes of a queue, as casetype names them.
const (
	AssignNone       = casetype.AssignNone
	AssignRoundRobin = casetype.AssignRoundRobin
	AssignLeastOpen  = casetype.AssignLeastOpen
)

// EventAvailabilityChanged is recorded, about no case, when an agent's
// availability or capacity is set.
const EventAvailabilityChanged EventType = "agent.availability_changed"

// AssignBatch bounds the waiting cases one command gives out per queue,
// so that making an agent available in front of a long queue, or one
// Config.AssignWaiting, stays one short transaction; the rest go to the
// next command that frees someone (or the next AssignWaiting).
const AssignBatch = 25

// maxAssignees bounds the agents one queue chooses among (a team's
// members, by ID) and the availabilities a tenant stores.
const maxAssignees = 1000

// AvailabilityDirectory is a Directory that also says which agents are at
// work, for hosts that know it already (a presence service, a shift
// plan). With one, the host decides who is available:
// Desk.SetAvailable and Config.SetAvailability refuse to set it, and
// the host calls Config.AssignWaiting when someone comes to work, so
// that the waiting cases are given out.
type AvailabilityDirectory interface {
	Directory
	// Available returns those of agents who take assigned cases now. It
	// is called inside casekit's transactions, like the rest of the
	// Directory.
	Available(ctx context.Context, tenant string, agents []string) ([]string, error)
}

// AvailabilityUpdate changes an agent's availability: nil fields stay as
// they are.
type AvailabilityUpdate struct {
	Available *bool `json:"available"`
	// Capacity replaces the queues' capacity for the agent (0: no
	// limit); ClearCapacity gives the queues' back.
	Capacity      *int `json:"capacity" validate:"omitempty,min=0,max=100000,excluded_with=ClearCapacity"`
	ClearCapacity bool `json:"clear_capacity"`
}

// AgentLoad is an agent as auto-assignment sees them: their availability
// (the host's say with an AvailabilityDirectory) and the open cases
// (in a status neither resolved, final nor canceled) assigned to them.
type AgentLoad struct {
	Availability
	Open int `json:"open"`
}

// Availability returns the acting agent's availability and load.
func (d *Desk) Availability(ctx context.Context) (AgentLoad, error) {
	return runValue(d, ctx, "availability", staffRead, func(c *cmd) (AgentLoad, error) {
		if c.actor.Kind != KindAgent {
			return AgentLoad{}, fmt.Errorf("only an agent has an availability, not %s: %w", c.actor, ErrForbidden)
		}
		loads, err := c.loads([]string{c.actor.ID})
		if err != nil {
			return AgentLoad{}, err
		}
		return loads[0], nil
	})
}

// SetAvailable makes the acting agent available for the queues that
// assign, or away. Becoming available gives them, in the same command,
// the cases waiting longest in those of their team's queues, up to their
// capacity.
func (d *Desk) SetAvailable(ctx context.Context, available bool) (AgentLoad, error) {
	return runValue(d, ctx, "set available", staffOnly, func(c *cmd) (AgentLoad, error) {
		if c.actor.Kind != KindAgent {
			return AgentLoad{}, fmt.Errorf("only an agent sets their availability, not %s: %w", c.actor, ErrForbidden)
		}
		return c.setAvailability(c.actor.ID, AvailabilityUpdate{Available: &available})
	})
}

// Availabilities lists, ordered by agent ID, the agents auto-assignment
// knows: every member of the tenant's teams (with a Directory) and every
// agent with a stored availability, at most 1,000.
func (cf *Config) Availabilities(ctx context.Context) ([]AgentLoad, error) {
	return runValue(cf.d, ctx, "availabilities", staffRead, func(c *cmd) ([]AgentLoad, error) {
		stored, err := c.tx.Availabilities(c.ctx, nil)
		if err != nil {
			return nil, err
		}
		var ids []string
		for _, a := range stored {
			ids = append(ids, a.AgentID)
		}
		if c.dir != nil {
			dist, err := c.distribution()
			if err != nil {
				return nil, err
			}
			for _, t := range slices.Sorted(maps.Keys(dist.teams)) {
				m, err := c.teamAgents(t)
				if err != nil {
					return nil, err
				}
				ids = append(ids, m...)
			}
		}
		slices.Sort(ids)
		ids = slices.Compact(ids)
		if len(ids) > maxAssignees {
			ids = ids[:maxAssignees]
		}
		return c.loads(ids)
	})
}

// SetAvailability sets an agent's availability or capacity, as an admin
// does for someone who forgot. With an AvailabilityDirectory, Available
// is the host's to say and is refused; capacities stay casekit's.
func (cf *Config) SetAvailability(ctx context.Context, agentID string, u AvailabilityUpdate) error {
	return cf.d.run(ctx, "set availability", adminOnly, func(c *cmd) error {
		_, err := c.setAvailability(agentID, u)
		return err
	})
}

// AssignWaiting gives out the cases waiting in an assigning queue to its
// eligible agents now, at most 25 per call, and returns how many it gave:
// what a host with an AvailabilityDirectory calls when someone comes to
// work, since casekit cannot see that happen.
func (cf *Config) AssignWaiting(ctx context.Context, queueID string) (int, error) {
	return runValue(cf.d, ctx, "assign waiting", adminOnly, func(c *cmd) (int, error) {
		dist, err := c.distribution()
		if err != nil {
			return 0, err
		}
		q, ok := dist.queues[queueID]
		if !ok {
			return 0, invalid("queue", "known", "unknown queue %q", queueID)
		}
		if q.AssignMode == AssignNone {
			return 0, invalid("queue", "assigning", "queue %q leaves its cases to be picked", queueID)
		}
		return c.drain(q)
	})
}

// setAvailability is SetAvailable and SetAvailability: it validates u,
// stores the change with an event, and gives the agent waiting cases
// when they are available.
func (c *cmd) setAvailability(agentID string, u AvailabilityUpdate) (AgentLoad, error) {
	var v validations
	if err := v.Merge(validateStruct(u)); err != nil {
		return AgentLoad{}, err
	}
	switch {
	case agentID == "" || len(agentID) > 200:
		v.Add("agent_id", "required", "names an agent in 1 to 200 bytes")
	case c.dir != nil:
		if _, err := c.dir.Person(c.ctx, c.tenant, agentID); errors.Is(err, ErrNotFound) {
			v.Add("agent_id", "known", "the directory has no agent %q", agentID)
		} else if err != nil {
			return AgentLoad{}, fmt.Errorf("directory: agent %q: %w", agentID, err)
		}
	}
	if _, host := c.dir.(AvailabilityDirectory); host && u.Available != nil {
		v.Add("available", "host", "the host's directory says who is available")
	}
	if err := v.Err(); err != nil {
		return AgentLoad{}, err
	}
	cur, err := c.tx.Availabilities(c.ctx, []string{agentID})
	if err != nil {
		return AgentLoad{}, err
	}
	a := Availability{AgentID: agentID}
	if len(cur) == 1 {
		a = cur[0]
	} else {
		all, err := c.tx.Availabilities(c.ctx, nil)
		if err != nil {
			return AgentLoad{}, err
		}
		if len(all) >= maxAssignees {
			return AgentLoad{}, invalid("agent_id", "max", "a tenant keeps the availability of at most %d agents", maxAssignees)
		}
	}
	was := a
	if u.Available != nil {
		a.Available = *u.Available
	}
	if u.Capacity != nil {
		a.Capacity = u.Capacity
	}
	if u.ClearCapacity {
		a.Capacity = nil
	}
	if len(cur) == 0 || a.Available != was.Available || !ptrEqual(a.Capacity, was.Capacity) {
		a.UpdatedAt = c.now
		if err := c.tx.SaveAvailability(c.ctx, a); err != nil {
			return AgentLoad{}, fmt.Errorf("agent %q: %w", agentID, err)
		}
		data := map[string]any{"agent_id": agentID, "available": a.Available}
		if a.Capacity != nil {
			data["capacity"] = *a.Capacity
		}
		c.record(nil, EventAvailabilityChanged, data)
		if err := c.drainFor(map[string]bool{agentID: true}); err != nil {
			return AgentLoad{}, err
		}
	}
	loads, err := c.loads([]string{agentID})
	if err != nil {
		return AgentLoad{}, err
	}
	return loads[0], nil
}

// loads returns the availability and open cases of each of ids, in order.
func (c *cmd) loads(ids []string) ([]AgentLoad, error) {
	stored, err := c.tx.Availabilities(c.ctx, ids)
	if err != nil {
		return nil, err
	}
	open, err := c.openStatuses()
	if err != nil {
		return nil, err
	}
	counts, err := c.tx.OpenAssigned(c.ctx, ids, open)
	if err != nil {
		return nil, err
	}
	avail, err := c.available(ids, stored)
	if err != nil {
		return nil, err
	}
	out := make([]AgentLoad, len(ids))
	for i, id := range ids {
		out[i].AgentID = id
		if j := slices.IndexFunc(stored, func(a Availability) bool { return a.AgentID == id }); j >= 0 {
			out[i].Availability = stored[j]
		}
		out[i].Available = avail[id]
		out[i].Open = counts[id]
	}
	return out, nil
}

// available says which of ids are available: the host's answer with an
// AvailabilityDirectory, else the stored availabilities.
func (c *cmd) available(ids []string, stored []Availability) (map[string]bool, error) {
	out := map[string]bool{}
	if host, ok := c.dir.(AvailabilityDirectory); ok {
		if len(ids) == 0 {
			return out, nil
		}
		yes, err := host.Available(c.ctx, c.tenant, slices.Clone(ids))
		if err != nil {
			return nil, fmt.Errorf("directory: availability: %w", err)
		}
		for _, id := range yes {
			if slices.Contains(ids, id) {
				out[id] = true
			}
		}
		return out, nil
	}
	for _, a := range stored {
		out[a.AgentID] = a.Available
	}
	return out, nil
}

// openStatuses are the statuses whose cases count against an agent's
// capacity: all but the resolved, final and canceled ones.
func (c *cmd) openStatuses() ([]string, error) {
	set, err := c.statuses()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, s := range set.list {
		if !s.ReadOnly() {
			out = append(out, s.Key)
		}
	}
	return out, nil
}

// assigning is what one command knows of auto-assignment once it holds
// the lock: the queues' cursors and the teams' members.
type assigning struct {
	cursors map[string]string
	members map[string][]string
}

// lockAssigning takes the tenant's assignment lock once per command.
func (c *cmd) lockAssigning() (*assigning, error) {
	if c.assign != nil {
		return c.assign, nil
	}
	cursors, err := c.tx.LockAssigning(c.ctx)
	if err != nil {
		return nil, err
	}
	c.assign = &assigning{cursors: cursors, members: map[string][]string{}}
	return c.assign, nil
}

// teamAgents returns the agents a queue of the team chooses among, by
// ID: the team's members in the Directory, or without one every agent
// with a stored availability; at most maxAssignees.
func (c *cmd) teamAgents(team string) ([]string, error) {
	if c.assign != nil {
		if m, ok := c.assign.members[team]; ok {
			return m, nil
		}
	}
	var ids []string
	if c.dir != nil {
		m, err := c.dir.TeamMembers(c.ctx, c.tenant, team)
		if err != nil {
			return nil, fmt.Errorf("directory: members of team %q: %w", team, err)
		}
		ids = slices.Clone(m)
	} else {
		stored, err := c.tx.Availabilities(c.ctx, nil)
		if err != nil {
			return nil, err
		}
		for _, a := range stored {
			ids = append(ids, a.AgentID)
		}
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if len(ids) > maxAssignees {
		ids = ids[:maxAssignees]
	}
	if c.assign != nil {
		c.assign.members[team] = ids
	}
	return ids, nil
}

// chooseAgent takes the lock and returns the agent queue q gives its next
// case to, "" when no one is eligible.
func (c *cmd) chooseAgent(q Queue) (string, error) {
	st, err := c.lockAssigning()
	if err != nil {
		return "", err
	}
	ids, err := c.teamAgents(q.TeamID)
	if err != nil || len(ids) == 0 {
		return "", err
	}
	stored, err := c.tx.Availabilities(c.ctx, ids)
	if err != nil {
		return "", err
	}
	avail, err := c.available(ids, stored)
	if err != nil {
		return "", err
	}
	ids = keep(ids, func(id string) bool { return avail[id] })
	if len(ids) == 0 {
		return "", nil
	}
	open, err := c.openStatuses()
	if err != nil {
		return "", err
	}
	counts, err := c.tx.OpenAssigned(c.ctx, ids, open)
	if err != nil {
		return "", err
	}
	capacity := func(id string) int {
		if j := slices.IndexFunc(stored, func(a Availability) bool { return a.AgentID == id }); j >= 0 && stored[j].Capacity != nil {
			return *stored[j].Capacity
		}
		return q.Capacity
	}
	ids = keep(ids, func(id string) bool { n := capacity(id); return n == 0 || counts[id] < n })
	if len(ids) == 0 {
		return "", nil
	}
	// Round robin order: the agents after the cursor, then the rest.
	cursor := st.cursors[q.ID]
	at, _ := slices.BinarySearch(ids, cursor)
	if at < len(ids) && ids[at] == cursor {
		at++
	}
	order := append(slices.Clone(ids[at:]), ids[:at]...)
	if q.AssignMode == AssignLeastOpen {
		return slices.MinFunc(order, func(a, b string) int { return cmp.Compare(counts[a], counts[b]) }), nil
	}
	return order[0], nil
}

// autoAssign applies the rule at the top of this file to the command's
// events from start on: it gives an agent to each case the command
// changed and left waiting in an assigning queue, then gives out the
// waiting cases of the queues of the agents the command freed.
func (c *cmd) autoAssign(start int) error {
	if start >= len(c.events) {
		return nil
	}
	dist, err := c.distribution()
	if err != nil {
		return err
	}
	if !dist.assigns() {
		return nil
	}
	latest := map[string]*Case{}
	deleted := map[string]bool{}
	freed := map[string]bool{}
	for i := start; i < len(c.events); i++ {
		ev, cs := c.events[i], c.eventCases[i]
		if ch, ok := ev.Data["changes"].(map[string]any); ok {
			if pair, ok := ch["assignee_id"].([]any); ok && len(pair) == 2 {
				if old, _ := pair[0].(string); old != "" {
					freed[old] = true
				}
			}
		}
		if cs == nil {
			continue
		}
		switch ev.Type {
		case EventResolved, EventClosed, EventCanceled, EventMerged, EventCaseDeleted:
			if cs.AssigneeID != "" {
				freed[cs.AssigneeID] = true
			}
		}
		if ev.Type == EventCaseDeleted {
			deleted[cs.ID] = true
		}
		if o := latest[cs.ID]; o == nil || cs.Version > o.Version {
			latest[cs.ID] = cs
		}
	}
	pickable, err := c.pickable()
	if err != nil {
		return err
	}
	var waiting []*Case
	for id, cs := range latest {
		q := dist.queues[cs.QueueID]
		if c.changed[id] && !deleted[id] && cs.AssigneeID == "" && q.AssignMode != AssignNone && slices.Contains(pickable, cs.Status) {
			waiting = append(waiting, cs)
		}
	}
	slices.SortFunc(waiting, func(a, b *Case) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
	for _, cs := range waiting {
		if _, err := c.giveOut(dist.queues[cs.QueueID], cs); err != nil {
			return err
		}
	}
	return c.drainFor(freed)
}

// drainFor gives out the waiting cases of the assigning queues the
// agents work: those of their teams, or all without a Directory.
func (c *cmd) drainFor(agents map[string]bool) error {
	if len(agents) == 0 {
		return nil
	}
	dist, err := c.distribution()
	if err != nil {
		return err
	}
	for _, id := range slices.Sorted(maps.Keys(dist.queues)) {
		q := dist.queues[id]
		if q.AssignMode == AssignNone {
			continue
		}
		members, err := c.teamAgents(q.TeamID)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(members, func(m string) bool { return agents[m] }) {
			continue
		}
		if _, err := c.drain(q); err != nil {
			return err
		}
	}
	return nil
}

// drain gives out the cases waiting in q, in the order Pick takes them,
// until none waits, no agent is eligible or AssignBatch are given; it
// returns how many it gave. The lock comes first: the cases are then
// locked skipping those another transaction holds, never waited for.
func (c *cmd) drain(q Queue) (int, error) {
	if _, err := c.lockAssigning(); err != nil {
		return 0, err
	}
	statuses, err := c.pickable()
	if err != nil {
		return 0, err
	}
	prios, err := c.tx.Lookups(c.ctx, LookupPriority)
	if err != nil {
		return 0, err
	}
	slices.SortStableFunc(prios, func(a, b Lookup) int { return b.Rank - a.Rank })
	pq := store.PickQuery{QueueID: q.ID, Statuses: statuses}
	for _, p := range prios {
		pq.Priorities = append(pq.Priorities, p.Key)
	}
	n := 0
	for n < AssignBatch {
		cs, err := c.tx.NextInQueue(c.ctx, pq)
		if errors.Is(err, ErrNotFound) {
			break
		}
		if err != nil {
			return n, fmt.Errorf("queue %q: %w", q.ID, err)
		}
		ok, err := c.giveOut(q, cs)
		if err != nil || !ok {
			return n, err
		}
		n++
	}
	return n, nil
}

// giveOut assigns cs, waiting in q, to the agent q chooses, as System,
// and moves q's cursor; false when no agent is eligible.
func (c *cmd) giveOut(q Queue, cs *Case) (bool, error) {
	agent, err := c.chooseAgent(q)
	if err != nil || agent == "" {
		return false, err
	}
	team := cs.TeamID
	if team == "" {
		team = q.TeamID
	}
	extra := map[string]any{"auto_assign": string(q.AssignMode), "queue_id": q.ID}
	if err := c.placeAs(System, cs, agent, team, cs.QueueID, EventAssigned, extra); err != nil {
		return false, err
	}
	if err := c.tx.SetAssignCursor(c.ctx, q.ID, agent); err != nil {
		return false, err
	}
	c.assign.cursors[q.ID] = agent
	return true, nil
}

// assigns reports whether any of the tenant's queues assigns its cases.
func (d *distribution) assigns() bool {
	for _, q := range d.queues {
		if q.AssignMode != AssignNone {
			return true
		}
	}
	return false
}

// ptrEqual reports whether two optional values are both unset or equal.
func ptrEqual[T comparable](a, b *T) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}
