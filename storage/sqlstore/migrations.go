package sqlstore

import (
	"casekit.dev/casekit/casetype"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// migration is one step of a tenant's schema. Statements are neutral DDL:
// "?" for the schema identifier, the {json}-style placeholders of
// Dialect.DDL, and hooks for what each dialect makes its own way.
type migration struct {
	version int
	name    string
	stmts   []string
}

// migrations is the ordered list of every tenant schema change. Append
// only: a released step never changes.
var migrations = []migration{
	{1, "initial schema", []string{
		`CREATE TABLE ?.settings (
			id INTEGER PRIMARY KEY CHECK (id = 1),
			default_priority TEXT NOT NULL,
			auto_close_days INTEGER NOT NULL)`,
		`CREATE TABLE ?.statuses (
			key TEXT PRIMARY KEY,
			label TEXT NOT NULL,
			sort_order INTEGER NOT NULL,
			initial {bool} NOT NULL DEFAULT {false},
			paused {bool} NOT NULL DEFAULT {false},
			resolved {bool} NOT NULL DEFAULT {false},
			final {bool} NOT NULL DEFAULT {false},
			canceled {bool} NOT NULL DEFAULT {false},
			reopen {bool} NOT NULL DEFAULT {false},
			progress {bool} NOT NULL DEFAULT {false})`,
		`CREATE TABLE ?.transitions (
			from_status TEXT NOT NULL,
			to_status TEXT NOT NULL,
			PRIMARY KEY (from_status, to_status))`,
		`CREATE TABLE ?.lookups (
			kind TEXT NOT NULL,
			key TEXT NOT NULL,
			label TEXT NOT NULL,
			rank INTEGER NOT NULL,
			action TEXT NOT NULL DEFAULT '',
			disabled {bool} NOT NULL DEFAULT {false},
			PRIMARY KEY (kind, key))`,
		`CREATE TABLE ?.counters (
			name TEXT PRIMARY KEY,
			value BIGINT NOT NULL)`,
		`INSERT INTO ?.counters (name, value) VALUES ('case_number', 0)`,
		`CREATE TABLE ?.cases (
			id TEXT PRIMARY KEY,
			number BIGINT NOT NULL UNIQUE,
			subject TEXT NOT NULL,
			description TEXT NOT NULL DEFAULT '',
			customer_id TEXT NOT NULL DEFAULT '',
			contact_id TEXT NOT NULL DEFAULT '',
			contact_name TEXT NOT NULL DEFAULT '',
			contact_email TEXT NOT NULL DEFAULT '',
			contact_phone TEXT NOT NULL DEFAULT '',
			type TEXT NOT NULL DEFAULT '',
			category TEXT NOT NULL DEFAULT '',
			priority TEXT NOT NULL,
			origin TEXT NOT NULL DEFAULT '',
			tags {json},
			deadline {ts},
			custom {json},
			assignee_id TEXT NOT NULL DEFAULT '',
			team_id TEXT NOT NULL DEFAULT '',
			queue_id TEXT NOT NULL DEFAULT '',
			support_level INTEGER NOT NULL DEFAULT 0,
			sla_id TEXT NOT NULL DEFAULT '',
			response_due {ts},
			resolution_due {ts},
			first_response_at {ts},
			resolved_at {ts},
			closed_at {ts},
			status TEXT NOT NULL,
			closure_reason TEXT NOT NULL DEFAULT '',
			satisfaction INTEGER NOT NULL DEFAULT 0,
			satisfaction_comment TEXT NOT NULL DEFAULT '',
			created_by TEXT NOT NULL,
			created_at {ts} NOT NULL,
			updated_at {ts} NOT NULL,
			version BIGINT NOT NULL)`,
		`CREATE INDEX cases_status_idx ON ?.cases (status, id)`,
		`CREATE INDEX cases_customer_idx ON ?.cases (customer_id, id)`,
		`CREATE INDEX cases_contact_idx ON ?.cases (contact_id, id)`,
		`CREATE INDEX cases_assignee_idx ON ?.cases (assignee_id, id)`,
		`CREATE INDEX cases_queue_idx ON ?.cases (queue_id, id)`,
		`CREATE TABLE ?.activities (
			id TEXT PRIMARY KEY,
			case_id TEXT NOT NULL,
			kind TEXT NOT NULL,
			subject TEXT NOT NULL,
			description TEXT NOT NULL DEFAULT '',
			state TEXT NOT NULL,
			due {ts},
			assignee_id TEXT NOT NULL DEFAULT '',
			notify_contact {bool} NOT NULL DEFAULT {false},
			result TEXT NOT NULL DEFAULT '',
			created_by TEXT NOT NULL,
			created_at {ts} NOT NULL,
			updated_at {ts} NOT NULL,
			done_at {ts},
			version BIGINT NOT NULL)`,
		`CREATE INDEX activities_case_idx ON ?.activities (case_id, id)`,
		`CREATE TABLE ?.notes (
			id TEXT PRIMARY KEY,
			case_id TEXT NOT NULL,
			subject TEXT NOT NULL,
			body TEXT NOT NULL,
			public {bool} NOT NULL,
			created_by TEXT NOT NULL,
			created_at {ts} NOT NULL)`,
		`CREATE INDEX notes_case_idx ON ?.notes (case_id, id)`,
		`CREATE TABLE ?.messages (
			id TEXT PRIMARY KEY,
			case_id TEXT NOT NULL,
			direction TEXT NOT NULL,
			channel TEXT NOT NULL,
			sender TEXT NOT NULL DEFAULT '',
			recipients {json},
			subject TEXT NOT NULL DEFAULT '',
			body TEXT NOT NULL,
			in_reply_to TEXT NOT NULL DEFAULT '',
			public {bool} NOT NULL,
			created_by TEXT NOT NULL,
			created_at {ts} NOT NULL)`,
		`CREATE INDEX messages_case_idx ON ?.messages (case_id, id)`,
		`CREATE TABLE ?.attachments (
			id TEXT PRIMARY KEY,
			case_id TEXT NOT NULL,
			owner_id TEXT NOT NULL,
			name TEXT NOT NULL,
			content_type TEXT NOT NULL,
			size BIGINT NOT NULL,
			blob_key TEXT NOT NULL,
			created_at {ts} NOT NULL)`,
		`CREATE INDEX attachments_case_idx ON ?.attachments (case_id, owner_id)`,
		`CREATE TABLE ?.events (
			seq {serial},
			id TEXT NOT NULL UNIQUE,
			case_id TEXT NOT NULL DEFAULT '',
			case_number BIGINT NOT NULL DEFAULT 0,
			type TEXT NOT NULL,
			actor TEXT NOT NULL,
			at {ts} NOT NULL,
			data {json})`,
		`CREATE INDEX events_case_idx ON ?.events (case_id, seq)`,
	}},
	{2, "teams, queues and SLAs", []string{
		`CREATE TABLE ?.teams (
			id TEXT PRIMARY KEY,
			name TEXT NOT NULL)`,
		`CREATE TABLE ?.queues (
			id TEXT PRIMARY KEY,
			name TEXT NOT NULL,
			team_id TEXT NOT NULL DEFAULT '',
			sla_id TEXT NOT NULL DEFAULT '')`,
		`CREATE TABLE ?.calendars (
			id TEXT PRIMARY KEY,
			name TEXT NOT NULL,
			time_zone TEXT NOT NULL DEFAULT '',
			hours {json},
			holidays {json})`,
		`CREATE TABLE ?.slas (
			id TEXT PRIMARY KEY,
			name TEXT NOT NULL,
			calendar_id TEXT NOT NULL DEFAULT '',
			warn_before BIGINT NOT NULL DEFAULT 0,
			targets {json})`,
		`ALTER TABLE ?.settings ADD COLUMN first_reminder_days INTEGER NOT NULL DEFAULT 0`,
		`ALTER TABLE ?.settings ADD COLUMN second_reminder_days INTEGER NOT NULL DEFAULT 0`,
		// Timers: durable, due at due_us (Unix microseconds, comparable in
		// every dialect); dead ones failed too often and wait for a human.
		`CREATE TABLE ?.timers (
			id TEXT PRIMARY KEY,
			case_id TEXT NOT NULL,
			kind TEXT NOT NULL,
			key TEXT NOT NULL DEFAULT '',
			due_us BIGINT NOT NULL,
			attempts INTEGER NOT NULL DEFAULT 0,
			last_error TEXT NOT NULL DEFAULT '',
			dead {bool} NOT NULL DEFAULT {false})`,
		`CREATE INDEX timers_due_idx ON ?.timers (dead, due_us)`,
		// The outbox: notifications from commit to delivery. due_us is
		// pushed forward while a runner holds one (its lease).
		`CREATE TABLE ?.outbox (
			id TEXT PRIMARY KEY,
			event_id TEXT NOT NULL,
			event_type TEXT NOT NULL,
			case_id TEXT NOT NULL DEFAULT '',
			case_number BIGINT NOT NULL DEFAULT 0,
			recipient_kind TEXT NOT NULL,
			recipient_id TEXT NOT NULL DEFAULT '',
			recipient_name TEXT NOT NULL DEFAULT '',
			recipient_email TEXT NOT NULL DEFAULT '',
			data {json},
			created_us BIGINT NOT NULL,
			due_us BIGINT NOT NULL,
			attempts INTEGER NOT NULL DEFAULT 0,
			last_error TEXT NOT NULL DEFAULT '',
			dead {bool} NOT NULL DEFAULT {false})`,
		`CREATE INDEX outbox_due_idx ON ?.outbox (dead, due_us)`,
		// Full-text search: the dialect's own (Dialect.Hook), finding the
		// same words in every store.
		hook(HookSearch),
		`CREATE TABLE ?.watchers (
			id TEXT PRIMARY KEY,
			case_id TEXT NOT NULL,
			name TEXT NOT NULL DEFAULT '',
			email TEXT NOT NULL,
			added_by TEXT NOT NULL,
			added_at {ts} NOT NULL,
			UNIQUE (case_id, email))`,
		`CREATE INDEX timers_case_idx ON ?.timers (case_id)`,
		`ALTER TABLE ?.cases ADD COLUMN service TEXT NOT NULL DEFAULT ''`,
		`ALTER TABLE ?.cases ADD COLUMN sla_paused_at {ts}`,
		`ALTER TABLE ?.cases ADD COLUMN sla_paused_for BIGINT NOT NULL DEFAULT 0`,
		`CREATE INDEX cases_sla_idx ON ?.cases (sla_id, id)`,
		`CREATE INDEX cases_response_due_idx ON ?.cases (response_due)`,
		`CREATE INDEX cases_resolution_due_idx ON ?.cases (resolution_due)`,
		// Pick reads the unassigned cases of one queue and priority,
		// oldest first.
		`CREATE INDEX cases_pick_idx ON ?.cases (queue_id, assignee_id, priority, created_at, id)`,
		`CREATE INDEX cases_team_idx ON ?.cases (team_id, id)`,
	}},
	{3, "template overrides", []string{
		`CREATE TABLE ?.templates (
			name TEXT PRIMARY KEY,
			source TEXT NOT NULL,
			updated_by TEXT NOT NULL,
			updated_at {ts} NOT NULL)`,
	}},
	{4, "indexes for sorted lists", []string{
		// ListCases by updated (a backward scan serves -updated) and by
		// resolution deadline; the second also serves ResolutionDueBefore.
		`CREATE INDEX cases_updated_idx ON ?.cases (updated_at, id)`,
		`CREATE INDEX cases_resolution_due_id_idx ON ?.cases (resolution_due, id)`,
		`DROP INDEX ?.cases_resolution_due_idx`,
	}},
	{5, "portal links", []string{
		`CREATE TABLE ?.portal_links (
			id TEXT PRIMARY KEY,
			case_id TEXT NOT NULL,
			token_hash TEXT NOT NULL UNIQUE,
			created_by TEXT NOT NULL,
			created_at {ts} NOT NULL,
			expires_at {ts} NOT NULL,
			revoked_at {ts})`,
		`CREATE INDEX portal_links_case_idx ON ?.portal_links (case_id)`,
	}},
	{6, "attachment limits", []string{
		// The defaults are casekit.DefaultSettings' (a test holds them equal).
		`ALTER TABLE ?.settings ADD COLUMN max_attachment_bytes BIGINT NOT NULL DEFAULT 10485760`,
		`ALTER TABLE ?.settings ADD COLUMN attachment_types {json} NOT NULL DEFAULT '["image/png","image/jpeg","image/gif","image/webp","application/pdf","text/plain","text/csv","application/zip","message/rfc822","application/msword","application/vnd.ms-excel","application/vnd.openxmlformats-officedocument.wordprocessingml.document","application/vnd.openxmlformats-officedocument.spreadsheetml.sheet","application/vnd.openxmlformats-officedocument.presentationml.presentation","application/vnd.oasis.opendocument.text","application/vnd.oasis.opendocument.spreadsheet"]'`,
	}},
	{7, "custom fields", []string{
		`CREATE TABLE ?.custom_fields (
			key TEXT PRIMARY KEY,
			label TEXT NOT NULL,
			type TEXT NOT NULL,
			required BOOLEAN NOT NULL DEFAULT FALSE,
			options {json} NOT NULL)`,
	}},
	{8, "web form intake", []string{
		`CREATE TABLE ?.intake (
			key TEXT PRIMARY KEY,
			case_id TEXT NOT NULL DEFAULT '',
			remote_addr TEXT NOT NULL DEFAULT '',
			at {ts} NOT NULL,
			junk {bool} NOT NULL DEFAULT {false},
			reason TEXT NOT NULL DEFAULT '')`,
		`CREATE INDEX intake_addr_idx ON ?.intake (remote_addr, at)`,
	}},
	{9, "relationships and guided processes", []string{
		`CREATE TABLE ?.case_links (
			id TEXT PRIMARY KEY,
			kind TEXT NOT NULL,
			from_id TEXT NOT NULL,
			to_id TEXT NOT NULL,
			created_by TEXT NOT NULL,
			created_at {ts} NOT NULL,
			UNIQUE (from_id, to_id, kind))`,
		`CREATE INDEX case_links_to_idx ON ?.case_links (to_id)`,
		`ALTER TABLE ?.cases ADD COLUMN merged_into_id TEXT NOT NULL DEFAULT ''`,
		`ALTER TABLE ?.cases ADD COLUMN process {json}`,
		`CREATE TABLE ?.processes (
			key TEXT PRIMARY KEY,
			label TEXT NOT NULL,
			stages {json} NOT NULL)`,
	}},
	{10, "configuration version", []string{
		// casekit caches each tenant's configuration by this version; every
		// configuration change sets a new random one (store.Tx.SetConfigVersion).
		`INSERT INTO ?.counters (name, value) VALUES ('config_version', 0)`,
	}},
	{11, "indexes for large tenants", []string{
		// The priority sorts read each priority apart, in ID order
		// (listArms): by status when the list filters on it, else all.
		`CREATE INDEX cases_status_priority_idx ON ?.cases (status, priority, id)`,
		`CREATE INDEX cases_priority_idx ON ?.cases (priority, id)`,
	}},
	{12, "priority ranks on cases", []string{
		// Each case keeps the rank of its priority in the tenant's lookup,
		// unrankedPriority when the lookup has no such key, so that an
		// index holds the priority sorts' order (see rankSQL). This
		// rewrites every case whose priority is ranked.
		`ALTER TABLE ?.cases ADD COLUMN priority_rank INTEGER NOT NULL DEFAULT ` + fmt.Sprint(unrankedPriority),
		`UPDATE ?.cases AS c SET priority_rank = l.rank FROM ?.lookups AS l
			WHERE l.kind = 'priority' AND l.key = c.priority`,
		`CREATE INDEX cases_status_rank_idx ON ?.cases (status, priority_rank DESC, id)`,
		`CREATE INDEX cases_rank_idx ON ?.cases (priority_rank DESC, id)`,
	}},
	{13, "case tags", []string{
		// Each tag of each case, kept from cases.tags by triggers, so that
		// the tag filters read (tag, case_id) from an index in the list's
		// order, and the planner has the tags' statistics: a rare tag, or
		// one on no case, is read from the index, not by walking the
		// cases until a page fills.
		`CREATE TABLE ?.case_tags (
			tag TEXT NOT NULL,
			case_id TEXT NOT NULL,
			PRIMARY KEY (tag, case_id))`,
		`CREATE INDEX case_tags_case_idx ON ?.case_tags (case_id)`,
		hook(HookCaseTags),
	}},
	{14, "attachments by blob key", []string{
		// Kit.SweepBlobs asks which blobs an attachment refers to.
		`CREATE INDEX attachments_key_idx ON ?.attachments (blob_key)`,
	}},
	{15, "custom field audience", []string{
		// Who besides the agents reads a field, and who may set it
		// (casetype.CustomFieldAudience); existing fields become internal.
		`ALTER TABLE ?.custom_fields ADD COLUMN audience TEXT NOT NULL DEFAULT 'internal'`,
	}},
	{16, "roles", []string{
		// The tenant's own roles (the built-in ones live in casekit) and
		// the role each agent was given; an agent with no row holds
		// casekit.DefaultRole.
		`CREATE TABLE ?.roles (
			key TEXT PRIMARY KEY,
			name TEXT NOT NULL,
			permissions {json} NOT NULL)`,
		`CREATE TABLE ?.agent_roles (
			agent_id TEXT PRIMARY KEY,
			role TEXT NOT NULL)`,
	}},
	{17, "the mail conversation", []string{
		// The tenant's mail settings: one JSON document (casetype.MailSettings).
		`CREATE TABLE ?.mail_settings (
			id INTEGER PRIMARY KEY,
			doc {json} NOT NULL)`,
		// Each case's reply tokens: the secret in its reply address and
		// thread references. A revoked token no longer joins mail to it.
		`CREATE TABLE ?.reply_tokens (
			token TEXT PRIMARY KEY,
			case_id TEXT NOT NULL,
			created_at {ts} NOT NULL,
			revoked_at {ts})`,
		`CREATE INDEX reply_tokens_case_idx ON ?.reply_tokens (case_id)`,
		// The acknowledgements sent, for the per-address hourly limit.
		`CREATE TABLE ?.mail_acks (
			address TEXT NOT NULL,
			at {ts} NOT NULL)`,
		`CREATE INDEX mail_acks_addr_idx ON ?.mail_acks (address, at)`,
		`CREATE INDEX mail_acks_at_idx ON ?.mail_acks (at)`,
		// A portal link mailed to the contact verifies the address it
		// went to when opened.
		`ALTER TABLE ?.portal_links ADD COLUMN verifies TEXT NOT NULL DEFAULT ''`,
	}},
	{18, "intake rate counters", []string{
		// store.Tx.CountIntakeOpened: each address's count of cases
		// opened through the web form in its latest clock hour (hour in
		// Unix seconds). One row per address, updated in the intake's
		// transaction, so concurrent posts from one address count one
		// after the other and a refused one counts nothing. The limit
		// no longer counts intake records, so their address index goes.
		`CREATE TABLE ?.intake_rate (
			remote_addr TEXT PRIMARY KEY,
			hour BIGINT NOT NULL,
			opened INTEGER NOT NULL)`,
		`DROP INDEX ?.intake_addr_idx`,
	}},
	{19, "public tags", []string{
		// The tags customers may see (casetype.Settings.PublicTags); a
		// tenant starts with none, so every existing tag stays internal.
		`ALTER TABLE ?.settings ADD COLUMN public_tags {json} NOT NULL DEFAULT '[]'`,
	}},
	{20, "message copies", []string{
		// The addresses an agent's mail was copied to (casetype.Message.Cc),
		// beside its To in recipients; none on existing messages.
		`ALTER TABLE ?.messages ADD COLUMN cc {json}`,
	}},
	{21, "API idempotency keys", []string{
		// casekit.IdempotencyRecord: the response an HTTP API request
		// with an Idempotency-Key got, kept until expires_at so that a
		// retry gets it again; expired rows go as new ones come in.
		`CREATE TABLE ?.idempotency (
			key TEXT PRIMARY KEY,
			fingerprint TEXT NOT NULL,
			status INTEGER NOT NULL,
			header {json} NOT NULL,
			body TEXT NOT NULL,
			created_at {ts} NOT NULL,
			expires_at {ts} NOT NULL)`,
		`CREATE INDEX idempotency_expires_idx ON ?.idempotency (expires_at)`,
	}},
	{23, "case facts for reports", []string{
		// Desk.Report reads, of each case opened, resolved or closed in a
		// period or open in it, its group values and times: case_facts
		// holds just those (rows.CaseFact), written with the case in the
		// same transaction, so a year of cases is a tenth of the pages of
		// cases. Each arm of the report's selection has its index; the
		// reopen and rating events of the period are read by type and time.
		`CREATE TABLE ?.case_facts (
			id TEXT PRIMARY KEY,
			status TEXT NOT NULL,
			priority TEXT NOT NULL,
			type TEXT NOT NULL DEFAULT '',
			queue_id TEXT NOT NULL DEFAULT '',
			team_id TEXT NOT NULL DEFAULT '',
			assignee_id TEXT NOT NULL DEFAULT '',
			origin TEXT NOT NULL DEFAULT '',
			customer_id TEXT NOT NULL DEFAULT '',
			created_at {ts} NOT NULL,
			first_response_at {ts},
			resolved_at {ts},
			closed_at {ts},
			response_due {ts},
			resolution_due {ts},
			sla_paused_at {ts},
			satisfaction INTEGER NOT NULL DEFAULT 0)`,
		`INSERT INTO ?.case_facts (id, status, priority, type, queue_id, team_id, assignee_id, origin, customer_id,
			created_at, first_response_at, resolved_at, closed_at, response_due, resolution_due, sla_paused_at, satisfaction)
			SELECT id, status, priority, type, queue_id, team_id, assignee_id, origin, customer_id,
			created_at, first_response_at, resolved_at, closed_at, response_due, resolution_due, sla_paused_at, satisfaction
			FROM ?.cases ORDER BY id`,
		`CREATE INDEX case_facts_created_idx ON ?.case_facts (created_at)`,
		`CREATE INDEX case_facts_resolved_idx ON ?.case_facts (resolved_at)`,
		`CREATE INDEX case_facts_closed_idx ON ?.case_facts (closed_at)`,
		`CREATE INDEX events_type_at_idx ON ?.events (type, at)`,
	}},
	{24, "triggers and macros", append([]string{
		// casekit.Trigger and casekit.Macro, each one JSON document; a
		// trigger's key and position are columns too, for its order.
		`CREATE TABLE ?.triggers (
			key TEXT PRIMARY KEY,
			position INTEGER NOT NULL,
			doc {json} NOT NULL)`,
		`CREATE TABLE ?.macros (
			key TEXT PRIMARY KEY,
			doc {json} NOT NULL)`,
	}, defaultTriggerRows()...)},
	{25, "auto-assignment", []string{
		// casekit.Queue.AssignMode and Capacity; existing queues leave
		// their cases to be picked, as before.
		`ALTER TABLE ?.queues ADD COLUMN assign_mode TEXT NOT NULL DEFAULT ''`,
		`ALTER TABLE ?.queues ADD COLUMN capacity INTEGER NOT NULL DEFAULT 0`,
		// casekit.Availability: an agent with no row is away.
		`CREATE TABLE ?.agent_availability (
			agent_id TEXT PRIMARY KEY,
			available {bool} NOT NULL,
			capacity INTEGER,
			updated_at {ts} NOT NULL)`,
		// store.Tx.SetAssignCursor: the agent each queue gave a case to last.
		`CREATE TABLE ?.assign_cursors (
			queue_id TEXT PRIMARY KEY,
			agent_id TEXT NOT NULL)`,
		// store.Tx.LockAssigning locks this row; its value stays 0.
		`INSERT INTO ?.counters (name, value) VALUES ('assign_lock', 0)`,
		// store.Tx.OpenAssigned counts an agent's open cases from it.
		`CREATE INDEX cases_assignee_status_idx ON ?.cases (assignee_id, status)`,
	}},
	{26, "webhook subscriptions", []string{
		// casekit.Webhook, one JSON document by its key (the secret in
		// it), and each subscription's delivery log (casekit.WebhookAttempt),
		// read newest first and cut to its newest entries as they come.
		// The deliveries themselves wait in the outbox.
		`CREATE TABLE ?.webhooks (
			key TEXT PRIMARY KEY,
			doc {json} NOT NULL)`,
		`CREATE TABLE ?.webhook_attempts (
			id TEXT PRIMARY KEY,
			webhook TEXT NOT NULL,
			delivery_id TEXT NOT NULL,
			event_id TEXT NOT NULL,
			event_type TEXT NOT NULL,
			attempt INTEGER NOT NULL,
			at {ts} NOT NULL,
			status INTEGER NOT NULL DEFAULT 0,
			error TEXT NOT NULL DEFAULT '',
			duration_us BIGINT NOT NULL DEFAULT 0,
			delivered {bool} NOT NULL DEFAULT {false})`,
		`CREATE INDEX webhook_attempts_idx ON ?.webhook_attempts (webhook, at, id)`,
	}},
	{27, "time rules and notice templates", []string{
		// A time rule's clock (casekit.TimerTrigger) keeps when it
		// started: its due time is counted from then again as the rule
		// and the calendar change.
		`ALTER TABLE ?.timers ADD COLUMN since_us BIGINT NOT NULL DEFAULT 0`,
		// The message template a notify action chose to word a notice
		// with, '' for the event's own.
		`ALTER TABLE ?.outbox ADD COLUMN template TEXT NOT NULL DEFAULT ''`,
	}},
	{28, "report aggregates", []string{
		// Desk.Report adds up in SQL (report.go): each case's facts row
		// gains its durations in microseconds, wall-clock and business
		// (counted by casekit on the case's calendar, kept on cases too),
		// and ended_at, when it stopped being open: the earlier of its
		// resolution and closing, never before its creation.
		`ALTER TABLE ?.cases ADD COLUMN first_response_business BIGINT`,
		`ALTER TABLE ?.cases ADD COLUMN resolution_business BIGINT`,
		`ALTER TABLE ?.case_facts ADD COLUMN ended_at {ts}`,
		`ALTER TABLE ?.case_facts ADD COLUMN first_response_us BIGINT`,
		`ALTER TABLE ?.case_facts ADD COLUMN resolution_us BIGINT`,
		`ALTER TABLE ?.case_facts ADD COLUMN first_response_business_us BIGINT`,
		`ALTER TABLE ?.case_facts ADD COLUMN resolution_business_us BIGINT`,
		// case_flow: of each day (UTC, days since 1970), the cases opened
		// and ended on it, in total (dim '') and by each value of the
		// columns a report groups the backlog by, so that the backlog at
		// a moment is a sum of days and the moment's own day, never a
		// read of every open case. Kept by the store in the transaction
		// that writes the case (flow.go).
		`CREATE TABLE ?.case_flow (
			dim TEXT NOT NULL,
			val TEXT NOT NULL,
			day INTEGER NOT NULL,
			opened INTEGER NOT NULL,
			ended INTEGER NOT NULL,
			PRIMARY KEY (dim, day, val))`,
		// The facts' new columns and the days of the cases there. The
		// business times of cases answered or resolved before: on a case
		// with no calendar the wall-clock ones; with a calendar they are
		// counted at the case's next change.
		hook(HookReportFacts),
		`CREATE INDEX case_facts_ended_idx ON ?.case_facts (ended_at)`,
	}},
	{30, "case tags kept by the store, tables that replicate", []string{
		// The store writes a case's case_tags rows with the case
		// (writeTags) instead of triggers, so that the same statements
		// run on PostgreSQL, on SQLite and on a Citus cluster, which
		// refuses triggers on distributed tables; and mail_acks, the one
		// table without a primary key, gets a replica identity, so that
		// Citus can move a tenant by logical replication
		// (docs/scale-out.md).
		hook(HookCaseTagsByStore),
		hook(HookReplicaIdentity),
	}},
	{31, "business times of calendar cases, case_flow slots", []string{
		// Migration 28 left the business times of the cases on an SLA
		// with a calendar answered or resolved before it NULL, to be
		// counted at each case's next change, so a report left them out:
		// counted here on the calendar's hours instead (businesstimes.go).
		step(StepBusinessTimes),
		// case_flow gains a slot (flow.go, MoveFlow): a day's count of a
		// value is the sum of its slots' rows, each transaction writing
		// one, so that concurrent commands do not queue on today's row.
		// The rows there are slot 0.
		`ALTER TABLE ?.case_flow RENAME TO case_flow_28`,
		`CREATE TABLE ?.case_flow (
			dim TEXT NOT NULL,
			val TEXT NOT NULL,
			day INTEGER NOT NULL,
			slot INTEGER NOT NULL DEFAULT 0,
			opened INTEGER NOT NULL,
			ended INTEGER NOT NULL,
			PRIMARY KEY (dim, day, val, slot))`,
		`INSERT INTO ?.case_flow (dim, val, day, slot, opened, ended) SELECT dim, val, day, 0, opened, ended FROM ?.case_flow_28`,
		`DROP TABLE ?.case_flow_28`,
	}},
	{32, "facts whose business times differ", []string{
		// A report sorts the business durations of a period for their
		// percentiles only when one of its facts has a business time that
		// is not its wall-clock one (report.go, sameBusiness): these
		// partial indexes hold just those facts, none on a tenant without
		// calendars, so the check reads no other.
		`CREATE INDEX case_facts_response_business_idx ON ?.case_facts (created_at)
			WHERE first_response_business_us IS DISTINCT FROM first_response_us`,
		`CREATE INDEX case_facts_resolution_business_idx ON ?.case_facts (resolved_at)
			WHERE resolution_business_us IS DISTINCT FROM resolution_us`,
	}},
	{33, "fewer relations a tenant", []string{
		// A new tenant's time is the server making its relations, an
		// index about 0.8 ms of CPU (BENCHMARKS.md, "Provisioning: what
		// each relation costs"). Every index of a tenant was reviewed
		// against the queries that read it, at a million cases; none is
		// a left prefix of another, and one is read by no query:
		// events.id's UNIQUE. No query reads an event by its ID, a
		// UUIDv7 casekit makes; its index cost each tenant a relation
		// and each event a write (a million cases: 3.5 million
		// entries). Where dropping it would rebuild the table (SQLite),
		// it stays.
		hook(HookEventIDUnique),
		// A new tenant, made from the baseline, never made the table
		// migration 31 renamed away, so its case_flow key has the name
		// the tenants migration 31 rebuilt case_flow in do not have.
		hook(HookFlowKeyName),
	}},
	{35, "facts' creation and end times in one index", []string{
		// The backlog's split by age (report.go, ageSpans) keeps, of the
		// cases opened in a period, those still open at one of its
		// moments: for a year by month, 48,000 of 500,000. With ended_at
		// beside created_at in the index it reads them from the index
		// alone, not from every row of the year. The index serves every
		// range of created_at that case_facts_created_idx did, which it
		// replaces; ended_at changes only with resolved_at or closed_at,
		// which are indexed already, so no update that could skip the
		// indexes (HOT) is lost.
		`CREATE INDEX case_facts_created_ended_idx ON ?.case_facts (created_at, ended_at)`,
		`DROP INDEX ?.case_facts_created_idx`,
	}},
	{36, "bounded text without TOAST tables", []string{
		// The tables whose every value casekit bounds (validation, or
		// values casekit makes itself) get column types of those bounds,
		// so that PostgreSQL gives them no TOAST table and its index,
		// two of a new tenant's relations each (HookBoundedText).
		hook(HookBoundedText),
	}},
}

// defaultTriggerRows inserts casetype.DefaultTriggers, the notification
// rules casekit had in code before migration 24, so that every tenant,
// new or migrated, starts with them. They are made from the Go value;
// TestReleasedMigrationsUnchanged holds them to their released SQL, so a
// change to the defaults for new tenants needs a migration of its own.
func defaultTriggerRows() []string {
	var out []string
	for _, t := range casetype.DefaultTriggers() {
		doc, err := json.Marshal(t)
		if err != nil {
			panic(err) // a Trigger always marshals
		}
		out = append(out, fmt.Sprintf("INSERT INTO ?.triggers (key, position, doc) VALUES ('%s', %d, '%s')",
			t.Key, t.Position, strings.ReplaceAll(string(doc), "'", "''")))
	}
	return out
}

// LatestVersion is the schema version this release writes.
func LatestVersion() int { return migrations[len(migrations)-1].version }

// migrationTable creates the tenant's own migration ledger.
const migrationTable = `CREATE TABLE IF NOT EXISTS ?.casekit_migrations (
	version INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	applied_at {ts} NOT NULL)`

// hookPrefix starts a statement that stands for a dialect's own ones.
const hookPrefix = "HOOK:"

// hook is the statement that stands for the dialect's own statements of
// the part of the schema named name (Dialect.Hook), run at its place.
func hook(name string) string { return hookPrefix + name }

// stepPrefix starts a statement that stands for a step written in Go
// (steps): work on a tenant's existing rows that SQL cannot do, run at
// its place in the migration's transaction. A schema is rendered without
// it (a comment names it), and a baseline, which builds empty tenants,
// leaves it out.
const stepPrefix = "STEP:"

// step is the statement that stands for the Go step named name.
func step(name string) string { return stepPrefix + name }

// steps are the migrations' Go steps by name, each given the tenant's
// store on the migration's transaction.
var steps = map[string]func(context.Context, *Tx) error{
	StepBusinessTimes: businessTimes,
}

// Version returns the tenant schema's current version, 0 for none.
func Version(ctx context.Context, db bun.IDB, d Dialect, schema string) (int, error) {
	if err := execDDL(ctx, db, d, schema, []string{migrationTable}); err != nil {
		return 0, fmt.Errorf("migration ledger: %w", err)
	}
	var v sql.NullInt64
	err := db.NewRaw("SELECT MAX(version) FROM ?.casekit_migrations", bun.Ident(schema)).Scan(ctx, &v)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("schema version: %w", err)
	}
	return int(v.Int64), nil
}

// Migrate brings one tenant schema to the latest version, one migration
// per transaction on db, each begun with lock (the store's lock on the
// tenant, if it has one, else nil), and reports the versions before and
// after. A crash leaves the schema at the last committed step; the next
// call finishes the rest.
func Migrate(ctx context.Context, db bun.IDB, d Dialect, schema string, lock func(context.Context, bun.IDB) error) (from, to int, err error) {
	from, err = Version(ctx, db, d, schema)
	if err != nil {
		return 0, 0, err
	}
	to = from
	for _, m := range migrations {
		if m.version <= to {
			continue
		}
		err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			if lock != nil {
				if err := lock(ctx, tx); err != nil {
					return err
				}
			}
			// Re-read inside the transaction: another process may have
			// applied this step meanwhile.
			cur, err := Version(ctx, tx, d, schema)
			if err != nil || cur >= m.version {
				return err
			}
			return apply(ctx, tx, d, schema, m)
		})
		if err != nil {
			return from, to, fmt.Errorf("migration %d (%s): %w", m.version, m.name, err)
		}
		to = m.version
	}
	return from, to, nil
}

// apply runs one migration's statements and steps, in order, and records
// it, on db as given (the caller's transaction).
func apply(ctx context.Context, db bun.IDB, d Dialect, schema string, m migration) error {
	for _, s := range m.stmts {
		if name, ok := strings.CutPrefix(s, stepPrefix); ok {
			if err := steps[name](ctx, NewTx(db, d, schema, nil)); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			continue
		}
		if err := execDDL(ctx, db, d, schema, []string{s}); err != nil {
			return err
		}
	}
	_, err := db.NewRaw("INSERT INTO ?.casekit_migrations (version, name, applied_at) VALUES (?, ?, ?)",
		bun.Ident(schema), m.version, m.name, time.Now().UTC()).Exec(ctx)
	return err
}

// SchemaSQL returns every statement of the registry (in the schema
// control) and of a tenant's migrations (in the schema tenant), as d
// renders them and the database receives them, under a comment line per
// part: to review what a dialect makes, and to hold the released
// migrations to their SQL (sqlstoretest.ReleasedDDL).
func SchemaSQL(db bun.IDB, d Dialect, control, tenant string) (string, error) {
	var b strings.Builder
	part := func(title, schema string, stmts []string) error {
		sql, err := render(db, d, schema, stmts)
		fmt.Fprintf(&b, "-- %s\n\n", title)
		for _, s := range sql {
			fmt.Fprintf(&b, "%s;\n\n", s)
		}
		return err
	}
	if err := part("registry", control, registryDDL); err != nil {
		return "", err
	}
	if err := part("migration 0: the ledger", tenant, []string{migrationTable}); err != nil {
		return "", err
	}
	for _, m := range migrations {
		if err := part(fmt.Sprintf("migration %d: %s", m.version, m.name), tenant, m.stmts); err != nil {
			return "", err
		}
	}
	return b.String(), nil
}

// execDDL runs stmts, rendered by render, on db.
func execDDL(ctx context.Context, db bun.IDB, d Dialect, schema string, stmts []string) error {
	sql, err := render(db, d, schema, stmts)
	if err != nil {
		return err
	}
	for _, s := range sql {
		if _, err := db.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", firstLine(s), err)
		}
	}
	return nil
}

// render turns neutral statements into d's: a hook becomes the dialect's
// statements, each goes through Dialect.DDL, and every "?" left becomes
// the quoted schema.
func render(db bun.IDB, d Dialect, schema string, stmts []string) ([]string, error) {
	var out []string
	for _, s := range stmts {
		if name, ok := strings.CutPrefix(s, stepPrefix); ok {
			out = append(out, "-- a step in Go: "+name)
			continue
		}
		group := []string{s}
		if name, ok := strings.CutPrefix(s, hookPrefix); ok {
			if group, ok = d.Hook(name); !ok {
				return nil, fmt.Errorf("%s: the dialect makes no %q", d.Name(), name)
			}
		}
		for _, g := range group {
			g = d.DDL(g)
			out = append(out, db.NewRaw(g, slices.Repeat([]any{bun.Ident(schema)}, strings.Count(g, "?"))...).String())
		}
	}
	return out, nil
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return strings.TrimSpace(line)
}
