package casetype

// Macro is a tenant's named set of actions an agent applies to a case in
// one go, with an optional public reply: "Refund requested: tag refund,
// set priority high, queue billing, tell the customer we are on it".
type Macro struct {
	Key     string   `json:"key" validate:"required,key"`
	Name    string   `json:"name" validate:"required,max=200"`
	Actions []Action `json:"actions"`
	// Reply, when set, is posted as a public message after the actions:
	// a template in which {{number}}, {{subject}}, {{status}},
	// {{priority}} and {{contact_name}} stand for the case's, as the
	// actions leave it.
	Reply string `json:"reply,omitempty" validate:"max=100000"`
}
