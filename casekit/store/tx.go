package store

import (
	"context"
	"time"

	"casekit.dev/casekit/casetype"
)

// Tx is one transaction on one tenant's data, handed to the function
// Store.InTx, CreateTenant and FireTimer run; callers use it from one
// goroutine and never after that function returns. Methods that read a
// single record return ErrNotFound when it is missing. Times are stored
// with at least microsecond precision and read back in UTC.
type Tx interface {
	// ConfigVersion reads the tenant's configuration version;
	// SetConfigVersion replaces it. casekit sets a new random version in
	// every transaction that changes configuration, and caches what it
	// read of the configuration by version.
	ConfigVersion(ctx context.Context) (int64, error)
	SetConfigVersion(ctx context.Context, v int64) error

	// Settings and lookups.
	Settings(ctx context.Context) (casetype.Settings, error)
	SaveSettings(ctx context.Context, s casetype.Settings) error
	Statuses(ctx context.Context) ([]casetype.Status, error)
	// ReplaceStatuses replaces the whole status set and transition table.
	ReplaceStatuses(ctx context.Context, statuses []casetype.Status, transitions []casetype.Transition) error
	Transitions(ctx context.Context) ([]casetype.Transition, error)
	// Lookups lists one lookup kind ordered by Rank, then Key.
	Lookups(ctx context.Context, kind casetype.LookupKind) ([]casetype.Lookup, error)
	// SaveLookup inserts or replaces the entry with the same Kind and Key.
	SaveLookup(ctx context.Context, l casetype.Lookup) error
	// SaveLookups saves ls as SaveLookup would each, in order (of two
	// with the same Kind and Key the later wins), in fewer statements:
	// a new tenant's default lookups are some forty.
	SaveLookups(ctx context.Context, ls []casetype.Lookup) error
	// DeleteLookup removes an entry; ErrNotFound if there is none.
	DeleteLookup(ctx context.Context, kind casetype.LookupKind, key string) error

	// Teams lists the tenant's teams ordered by ID.
	Teams(ctx context.Context) ([]casetype.Team, error)
	// SaveTeam inserts or replaces the team with the same ID.
	SaveTeam(ctx context.Context, t casetype.Team) error
	// DeleteTeam removes a team; ErrNotFound if there is none.
	DeleteTeam(ctx context.Context, id string) error
	// Queues lists the tenant's queues ordered by ID.
	Queues(ctx context.Context) ([]casetype.Queue, error)
	// SaveQueue inserts or replaces the queue with the same ID.
	SaveQueue(ctx context.Context, q casetype.Queue) error
	// DeleteQueue removes a queue; ErrNotFound if there is none.
	DeleteQueue(ctx context.Context, id string) error
	// Calendars lists the tenant's business calendars ordered by ID.
	Calendars(ctx context.Context) ([]casetype.Calendar, error)
	// SaveCalendar inserts or replaces the calendar with the same ID.
	SaveCalendar(ctx context.Context, c casetype.Calendar) error
	// DeleteCalendar removes a calendar; ErrNotFound if there is none.
	DeleteCalendar(ctx context.Context, id string) error
	// SLAs lists the tenant's SLA policies ordered by ID.
	SLAs(ctx context.Context) ([]casetype.SLA, error)
	// SaveSLA inserts or replaces the SLA with the same ID.
	SaveSLA(ctx context.Context, s casetype.SLA) error
	// DeleteSLA removes an SLA; ErrNotFound if there is none.
	DeleteSLA(ctx context.Context, id string) error
	// Watchers lists a case's watchers in the order they were added.
	Watchers(ctx context.Context, caseID string) ([]casetype.Watcher, error)
	// AddWatcher stores a watcher; a second one with the same e-mail
	// address on the case gives ErrConflict.
	AddWatcher(ctx context.Context, w casetype.Watcher) error
	// RemoveWatcher deletes a watcher of the case; ErrNotFound if none.
	RemoveWatcher(ctx context.Context, caseID, id string) error
	// InsertPortalLink stores a portal link with its token's hash.
	InsertPortalLink(ctx context.Context, l casetype.PortalLink, tokenHash string) error
	// PortalLinks lists a case's portal links, oldest first.
	PortalLinks(ctx context.Context, caseID string) ([]casetype.PortalLink, error)
	// PortalLinkByHash finds the link with the token hash; ErrNotFound if
	// none.
	PortalLinkByHash(ctx context.Context, tokenHash string) (*casetype.PortalLink, error)
	// RevokePortalLink marks the case's link revoked at at; ErrNotFound if
	// there is no such link not yet revoked.
	RevokePortalLink(ctx context.Context, caseID, id string, at time.Time) error
	// CustomFields lists the tenant's custom field definitions by key.
	CustomFields(ctx context.Context) ([]casetype.CustomField, error)
	// SaveCustomField inserts or replaces the definition with the key.
	SaveCustomField(ctx context.Context, f casetype.CustomField) error
	// DeleteCustomField removes a definition; ErrNotFound if none.
	DeleteCustomField(ctx context.Context, key string) error
	// InsertCaseLink stores a link between two cases; one with the same
	// kind, from and to gives ErrConflict.
	InsertCaseLink(ctx context.Context, l casetype.CaseLink) error
	// CaseLinks lists the links from or to the case, oldest first.
	CaseLinks(ctx context.Context, caseID string) ([]casetype.CaseLink, error)
	// DeleteCaseLink removes a link; ErrNotFound if there is none.
	DeleteCaseLink(ctx context.Context, id string) error
	// MoveCaseContent moves a case's messages, activities and notes, with
	// their attachments, to another case and counts them (the Messages,
	// Activities and Notes of the result).
	MoveCaseContent(ctx context.Context, fromID, toID string) (casetype.Merged, error)
	// Processes lists the tenant's process definitions by key.
	Processes(ctx context.Context) ([]casetype.Process, error)
	// SaveProcess inserts or replaces the definition with the key.
	SaveProcess(ctx context.Context, p casetype.Process) error
	// DeleteProcess removes a definition; ErrNotFound if there is none.
	DeleteProcess(ctx context.Context, key string) error
	// Roles lists the tenant's own roles (not the built-in ones) by key.
	Roles(ctx context.Context) ([]casetype.Role, error)
	// SaveRole inserts or replaces the role with the same key.
	SaveRole(ctx context.Context, r casetype.Role) error
	// DeleteRole removes a role; ErrNotFound if there is none.
	DeleteRole(ctx context.Context, key string) error
	// AgentRole returns the key of the role stored for the agent, "" for
	// none.
	AgentRole(ctx context.Context, agentID string) (string, error)
	// AgentRoles lists the stored role assignments by agent ID.
	AgentRoles(ctx context.Context) ([]casetype.RoleAssignment, error)
	// SetAgentRole stores the agent's role, replacing any; an empty role
	// removes the agent's assignment.
	SetAgentRole(ctx context.Context, agentID, role string) error
	// InsertIntake records a web form submission; a second one with the
	// same key gives ErrConflict.
	InsertIntake(ctx context.Context, r IntakeRecord) error
	// IntakeByKey finds a submission by its idempotency key; ErrNotFound
	// if none.
	IntakeByKey(ctx context.Context, key string) (*IntakeRecord, error)
	// InsertIdempotency records an API request's idempotency key before
	// its command runs (Status 0). A key held by a record not yet expired
	// at r.CreatedAt gives ErrConflict; records expired by then, the
	// key's own included, are deleted first, so the table holds only
	// live keys.
	InsertIdempotency(ctx context.Context, r IdempotencyRecord) error
	// IdempotencyByKey finds the record of a key not yet expired at now;
	// ErrNotFound if none.
	IdempotencyByKey(ctx context.Context, key string, now time.Time) (*IdempotencyRecord, error)
	// FinishIdempotency stores the response of the request whose key
	// r.Key holds, or deletes the record when r.Status is 0, so that the
	// request may be tried again; ErrNotFound if there is no record.
	FinishIdempotency(ctx context.Context, r IdempotencyRecord) error
	// CountIntakeOpened counts one more case opened from addr in the
	// hour starting at hour and returns the hour's count, this one
	// included (an hour after an earlier one starts again from one). It
	// holds addr's count locked until the transaction ends, so that
	// concurrent callers for addr count one after the other.
	CountIntakeOpened(ctx context.Context, addr string, hour time.Time) (int, error)
	// MailSettings reads the tenant's mail settings; ErrNotFound when
	// none were saved.
	MailSettings(ctx context.Context) (casetype.MailSettings, error)
	// SaveMailSettings replaces the tenant's mail settings.
	SaveMailSettings(ctx context.Context, s casetype.MailSettings) error
	// InsertReplyToken stores a case's reply token; a token in use gives
	// ErrConflict.
	InsertReplyToken(ctx context.Context, t casetype.ReplyToken) error
	// ReplyTokens lists a case's reply tokens, oldest first, revoked ones
	// included.
	ReplyTokens(ctx context.Context, caseID string) ([]casetype.ReplyToken, error)
	// ReplyTokenByToken finds a token, revoked or not; ErrNotFound if none.
	ReplyTokenByToken(ctx context.Context, token string) (*casetype.ReplyToken, error)
	// RevokeReplyTokens marks the case's tokens not yet revoked revoked at
	// at and counts them.
	RevokeReplyTokens(ctx context.Context, caseID string, at time.Time) (int, error)
	// InsertMailAck records an acknowledgement sent to addr at at;
	// CountMailAcks counts those sent to addr since since;
	// DeleteMailAcks forgets those, to any address, sent before before.
	InsertMailAck(ctx context.Context, addr string, at time.Time) error
	CountMailAcks(ctx context.Context, addr string, since time.Time) (int, error)
	DeleteMailAcks(ctx context.Context, before time.Time) error
	// TemplateOverrides lists the tenant's template overrides by name.
	TemplateOverrides(ctx context.Context) ([]casetype.TemplateOverride, error)
	// SaveTemplateOverride inserts or replaces the override with the
	// same name.
	SaveTemplateOverride(ctx context.Context, o casetype.TemplateOverride) error
	// DeleteTemplateOverride removes an override; ErrNotFound if there is
	// none.
	DeleteTemplateOverride(ctx context.Context, name string) error
	// Enqueue adds notifications to the tenant's outbox, due at once, so
	// the store can find them without visiting every tenant.
	Enqueue(ctx context.Context, ns []casetype.Notification) error
	// DeadLetters lists the dead notifications, oldest first.
	DeadLetters(ctx context.Context) ([]casetype.Notification, error)
	// RetryDeadLetter makes a dead notification due at now with no
	// attempts; ErrNotFound if there is no dead one with the ID.
	RetryDeadLetter(ctx context.Context, id string, now time.Time) error
	// CaseTimers lists a case's timers, dead ones included, by due time.
	CaseTimers(ctx context.Context, caseID string) ([]casetype.Timer, error)
	// SetCaseTimers replaces the case's timers that are not dead with
	// timers, so the store can find the earliest due one without visiting
	// every tenant.
	SetCaseTimers(ctx context.Context, caseID string, timers []casetype.Timer) error
	// NextInQueue locks and returns the case Pick gives next: in the
	// queue, unassigned, in one of q.Statuses, most urgent priority first
	// (the order of q.Priorities; others after them), then oldest. Cases
	// another transaction holds locked are skipped, not waited for (FOR
	// UPDATE SKIP LOCKED where the database has it). ErrNotFound when no
	// case waits.
	NextInQueue(ctx context.Context, q PickQuery) (*casetype.Case, error)

	// LockAssigning takes the tenant's assignment lock and holds it until
	// the transaction ends (SELECT ... FOR UPDATE of one row; a store
	// whose transactions on a tenant run one at a time holds it already),
	// then returns each queue's round robin cursor: the agent the queue
	// gave a case to last, by queue ID. Two transactions never hold the
	// lock at once, and what the later one reads after taking it
	// (cursors, OpenAssigned, Availabilities) includes what the earlier
	// one committed, so no two assignments are made on the same counts.
	// casekit takes it after the rows of the cases it changed and before
	// any other case row it waits for.
	LockAssigning(ctx context.Context) (map[string]string, error)
	// SetAssignCursor records agentID as the agent queueID gave a case to
	// last.
	SetAssignCursor(ctx context.Context, queueID, agentID string) error
	// OpenAssigned counts, for each of agents, the cases assigned to them
	// whose status is one of statuses; an agent with none is left out. It
	// reads an index on (assignee_id, status), not every case.
	OpenAssigned(ctx context.Context, agents, statuses []string) (map[string]int, error)
	// Availabilities lists the stored availabilities of agents, or of
	// every agent when agents is nil, ordered by agent ID.
	Availabilities(ctx context.Context, agents []string) ([]casetype.Availability, error)
	// SaveAvailability inserts or replaces the availability of the agent
	// a.AgentID.
	SaveAvailability(ctx context.Context, a casetype.Availability) error

	// InsertCase stores a new case as casekit made it (ID, version and
	// times set) under the tenant's next case number, which it sets in
	// c.Number. Two transactions never get the same number, and a
	// rolled-back transaction's number is given again, so committed
	// numbers have no gaps. Taking the number makes the tenant's other
	// openings wait until this transaction ends (it is the one gapless
	// way), so casekit inserts a case as late in its command as it can.
	InsertCase(ctx context.Context, c *casetype.Case) error
	// Case loads a case; with lock set it is locked for the rest of the
	// transaction (SELECT ... FOR UPDATE where the database has it).
	Case(ctx context.Context, id string, lock bool) (*casetype.Case, error)
	// CaseByNumber is Case by the case's number in the tenant.
	CaseByNumber(ctx context.Context, number int64, lock bool) (*casetype.Case, error)
	// UpdateCase writes every field of c if the stored version is still
	// prevVersion, and ErrConflict otherwise.
	UpdateCase(ctx context.Context, c *casetype.Case, prevVersion int64) error
	// DeleteCase removes the case with its activities, notes, messages,
	// attachments and links. Its events stay.
	DeleteCase(ctx context.Context, id string) error
	// ListCases returns at most q.Limit cases matching q in the order of
	// q.Sort (see the Sort constants; empty is SortCreatedDesc), only those
	// strictly after q.Position when it is set. A priority sort ranks each
	// case by the rank of its priority in the tenant's priority lookup as
	// it stands in this transaction (Lookups, SaveLookup, DeleteLookup);
	// a case whose priority is not in the lookup ranks below every rank.
	ListCases(ctx context.Context, q CaseQuery) ([]*casetype.Case, error)
	// CountCases counts the cases matching q as ListCases would list them,
	// ignoring q.Position, q.Limit and q.Sort. When at most bound match,
	// n is their number and estimated false, and it reads no more than
	// bound+1 rows; otherwise estimated is true and n is an estimate
	// greater than bound (bound+1 where the store has none), so a count
	// never reads every case.
	CountCases(ctx context.Context, q CaseQuery, bound int) (n int64, estimated bool, err error)
	// ReportMetrics adds up the metrics of Desk.Report (casetype.Metrics)
	// of the cases matching q.CaseQuery (its Position, Limit and Sort
	// ignored) that exist now, judged by their current rows, in the
	// store, so that what it returns is a row per group and no case
	// crosses to casekit. The rules, which the conformance suite checks
	// against a brute-force count:
	//
	//   - A fact is in the period when its time t has From <= t < To:
	//     Opened by CreatedAt, Resolved by ResolvedAt, Closed by
	//     ClosedAt, Reopened by each case.reopened event, and a rating by
	//     the case's last case.rated event in the period, counted at the
	//     case's Satisfaction when that is above 0. A time group holds the
	//     facts whose time falls in it.
	//   - FirstResponse is over the cases opened in the period whose
	//     FirstResponseAt is in it (FirstResponseAt - CreatedAt),
	//     Resolution over those resolved in it (ResolvedAt - CreatedAt);
	//     the Business ones are the cases' FirstResponseBusiness and
	//     ResolutionBusiness over the same cases where set. Count, the
	//     nearest-rank median and 90th percentile (the ceil(n*p/100)-th
	//     smallest, exactly: never interpolated nor from a histogram) and
	//     the mean, the sum over the count truncated to the microsecond.
	//   - ResponseSLA and ResolutionSLA judge the cases opened in the
	//     period with that deadline: met or breached by FirstResponseAt
	//     (ResolvedAt) when it is before To, else breached when the
	//     clock's stop (SLAPausedAt if before AsOf, else AsOf) is after the
	//     deadline, else running.
	//   - A backlog at moment m is the cases with CreatedAt < m whose
	//     ResolvedAt and ClosedAt are each unset or not before m, split by
	//     their age m - CreatedAt: below AgeBuckets[0], [0] to [1], ...,
	//     from the last on.
	//   - ReopenRate and CSAT are left zero: casekit works them out.
	//
	// Its cost must not grow with the tenant's history: it reads the
	// period's facts (and the open cases' only when q has a filter or
	// groups by customer or tag), never every case, and keeps whatever
	// rollup it reads in the transactions that change the cases.
	ReportMetrics(ctx context.Context, q ReportScan) (*ReportTotals, error)

	// InsertActivity stores a new activity of a case.
	InsertActivity(ctx context.Context, a *casetype.Activity) error
	// Activity loads one activity; ErrNotFound if there is none.
	Activity(ctx context.Context, id string) (*casetype.Activity, error)
	// UpdateActivity writes every field of a.
	UpdateActivity(ctx context.Context, a *casetype.Activity) error
	// Activities lists a case's activities, oldest first.
	Activities(ctx context.Context, caseID string) ([]*casetype.Activity, error)

	// InsertNote stores the note with its attachments.
	InsertNote(ctx context.Context, n *casetype.Note) error
	// Notes lists a case's notes with their attachments, oldest first.
	Notes(ctx context.Context, caseID string) ([]*casetype.Note, error)
	// InsertMessage stores the message with its attachments.
	InsertMessage(ctx context.Context, m *casetype.Message) error
	// Message loads one message with its attachments; ErrNotFound if there
	// is none.
	Message(ctx context.Context, id string) (*casetype.Message, error)
	// Messages lists a case's messages with their attachments, oldest first.
	Messages(ctx context.Context, caseID string) ([]*casetype.Message, error)
	// AttachedKeys returns those of keys that an attachment (of a message
	// or a note, of any case) refers to as its blob, each once, in no
	// order.
	AttachedKeys(ctx context.Context, keys []string) ([]string, error)

	// Triggers lists the tenant's triggers ordered by Position, then Key.
	Triggers(ctx context.Context) ([]casetype.Trigger, error)
	// SaveTrigger inserts or replaces the trigger with the same Key.
	SaveTrigger(ctx context.Context, t casetype.Trigger) error
	// DeleteTrigger removes a trigger; ErrNotFound if there is none.
	DeleteTrigger(ctx context.Context, key string) error
	// Macros lists the tenant's macros ordered by Key.
	Macros(ctx context.Context) ([]casetype.Macro, error)
	// SaveMacro inserts or replaces the macro with the same Key.
	SaveMacro(ctx context.Context, m casetype.Macro) error
	// DeleteMacro removes a macro; ErrNotFound if there is none.
	DeleteMacro(ctx context.Context, key string) error
	// Webhooks lists the tenant's webhook subscriptions, secrets
	// included, ordered by Key.
	Webhooks(ctx context.Context) ([]casetype.Webhook, error)
	// SaveWebhook inserts or replaces the subscription with the same Key.
	SaveWebhook(ctx context.Context, w casetype.Webhook) error
	// DeleteWebhook removes a subscription, its delivery log and the
	// deliveries to it waiting in the outbox; ErrNotFound if there is
	// none.
	DeleteWebhook(ctx context.Context, key string) error
	// WebhookAttempts lists the newest limit entries of a subscription's
	// delivery log, newest first.
	WebhookAttempts(ctx context.Context, key string, limit int) ([]casetype.WebhookAttempt, error)

	// AppendEvents adds events to the history. Events are never changed.
	AppendEvents(ctx context.Context, events ...casetype.Event) error
	// Events lists a case's events in the order they were appended; an
	// empty caseID lists the tenant-level events (settings, lookups).
	Events(ctx context.Context, caseID string) ([]casetype.Event, error)
}

// PickQuery is what a Store is asked for when an agent picks from a queue.
type PickQuery struct {
	QueueID string
	// Statuses are the status keys a case may be picked in.
	Statuses []string
	// Priorities are the priority keys from the most urgent down.
	Priorities []string
}
