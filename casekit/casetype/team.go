package casetype

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
	// AssignMode makes the queue hand each case that waits in it
	// unassigned to one of its team's available agents by itself, so
	// nobody has to pick it; empty (AssignNone) leaves the cases to be
	// picked. A queue that assigns needs a team.
	AssignMode AssignMode `json:"assign_mode,omitempty" validate:"omitempty,oneof=round_robin least_open"`
	// Capacity is the most open cases an agent may hold for the queue to
	// give them one more, so that nobody is buried while others wait; 0
	// for no limit. An agent's own Availability.Capacity replaces it.
	Capacity int `json:"capacity,omitempty" validate:"min=0,max=100000"`
}

// AssignMode is how a queue chooses the agent it gives a case to.
type AssignMode string

// The assignment modes of a queue.
const (
	// AssignNone leaves the queue's cases to be picked.
	AssignNone AssignMode = ""
	// AssignRoundRobin gives each case to the next eligible agent after
	// the one the queue gave the last case to, in the order of their IDs.
	AssignRoundRobin AssignMode = "round_robin"
	// AssignLeastOpen gives each case to the eligible agent holding the
	// fewest open cases, the next in round robin order among equals.
	AssignLeastOpen AssignMode = "least_open"
)
