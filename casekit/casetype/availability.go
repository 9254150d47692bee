package casetype

import "time"

// Availability is an agent's standing for the queues that assign cases
// by themselves (Queue.AssignMode): whether they take cases now, and how
// many open ones they may hold, so that the host or the agent, not the
// queue, decides who is at work.
type Availability struct {
	AgentID string `json:"agent_id" validate:"required,max=200"`
	// Available says the agent takes assigned cases now. An agent
	// nobody has said anything about is away.
	Available bool `json:"available"`
	// Capacity, when set, replaces the Capacity of every queue for this
	// agent: the most open cases they may hold to be given one more; 0
	// for no limit.
	Capacity *int `json:"capacity,omitempty" validate:"omitempty,min=0,max=100000"`
	// UpdatedAt is when the availability was last set; zero for an agent
	// with none stored.
	UpdatedAt time.Time `json:"updated_at"`
}
