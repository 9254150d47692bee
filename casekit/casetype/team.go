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
}
