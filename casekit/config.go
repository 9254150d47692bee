package casekit

// Config is one tenant's configuration as one actor sees it: settings,
// statuses and transitions, lookups, teams, queues, calendars, SLAs,
// custom fields, processes, roles, mail settings, template overrides, the
// configuration history and the dead letters of the outbox. Get one from
// Desk.Config.
//
// Config keeps what configures the desk apart from the case work on Desk,
// and it is where the configuration permission applies: its reads need
// PermRead (a customer reads only the statuses, transitions, lookups and
// the custom fields of the customer's own audience, which a portal
// shows), its changes need PermConfigure (PermManageRoles for roles). Each change is one transaction that
// records an event in the tenant's history and gives the configuration a
// new version, so every Desk sees it at its next command.
type Config struct {
	d *Desk
}

// Config returns the tenant's configuration, read and changed as the
// Desk's actor.
func (d *Desk) Config() *Config {
	return &Config{d: d}
}
