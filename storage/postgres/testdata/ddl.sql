-- registry

CREATE TABLE IF NOT EXISTS "casekit_control".tenants (
		id TEXT PRIMARY KEY,
		name TEXT NOT NULL,
		created_at TIMESTAMPTZ NOT NULL);

CREATE TABLE IF NOT EXISTS "casekit_control".timer_wakeups (tenant TEXT PRIMARY KEY, due_us BIGINT NOT NULL);

CREATE TABLE IF NOT EXISTS "casekit_control".outbox_wakeups (tenant TEXT PRIMARY KEY, due_us BIGINT NOT NULL);

CREATE INDEX IF NOT EXISTS timer_wakeups_due_idx ON "casekit_control".timer_wakeups (due_us);

CREATE INDEX IF NOT EXISTS outbox_wakeups_due_idx ON "casekit_control".outbox_wakeups (due_us);

-- migration 0: the ledger

CREATE TABLE IF NOT EXISTS "casekit_t_acme".casekit_migrations (
	version INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	applied_at TIMESTAMPTZ NOT NULL);

-- migration 1: initial schema

CREATE TABLE "casekit_t_acme".settings (
			id INTEGER PRIMARY KEY CHECK (id = 1),
			default_priority TEXT NOT NULL,
			auto_close_days INTEGER NOT NULL);

CREATE TABLE "casekit_t_acme".statuses (
			key TEXT PRIMARY KEY,
			label TEXT NOT NULL,
			sort_order INTEGER NOT NULL,
			initial BOOLEAN NOT NULL DEFAULT FALSE,
			paused BOOLEAN NOT NULL DEFAULT FALSE,
			resolved BOOLEAN NOT NULL DEFAULT FALSE,
			final BOOLEAN NOT NULL DEFAULT FALSE,
			canceled BOOLEAN NOT NULL DEFAULT FALSE,
			reopen BOOLEAN NOT NULL DEFAULT FALSE,
			progress BOOLEAN NOT NULL DEFAULT FALSE);

CREATE TABLE "casekit_t_acme".transitions (
			from_status TEXT NOT NULL,
			to_status TEXT NOT NULL,
			PRIMARY KEY (from_status, to_status));

CREATE TABLE "casekit_t_acme".lookups (
			kind TEXT NOT NULL,
			key TEXT NOT NULL,
			label TEXT NOT NULL,
			rank INTEGER NOT NULL,
			action TEXT NOT NULL DEFAULT '',
			disabled BOOLEAN NOT NULL DEFAULT FALSE,
			PRIMARY KEY (kind, key));

CREATE TABLE "casekit_t_acme".counters (
			name TEXT PRIMARY KEY,
			value BIGINT NOT NULL);

INSERT INTO "casekit_t_acme".counters (name, value) VALUES ('case_number', 0);

CREATE TABLE "casekit_t_acme".cases (
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
			tags JSONB,
			deadline TIMESTAMPTZ,
			custom JSONB,
			assignee_id TEXT NOT NULL DEFAULT '',
			team_id TEXT NOT NULL DEFAULT '',
			queue_id TEXT NOT NULL DEFAULT '',
			support_level INTEGER NOT NULL DEFAULT 0,
			sla_id TEXT NOT NULL DEFAULT '',
			response_due TIMESTAMPTZ,
			resolution_due TIMESTAMPTZ,
			first_response_at TIMESTAMPTZ,
			resolved_at TIMESTAMPTZ,
			closed_at TIMESTAMPTZ,
			status TEXT NOT NULL,
			closure_reason TEXT NOT NULL DEFAULT '',
			satisfaction INTEGER NOT NULL DEFAULT 0,
			satisfaction_comment TEXT NOT NULL DEFAULT '',
			created_by TEXT NOT NULL,
			created_at TIMESTAMPTZ NOT NULL,
			updated_at TIMESTAMPTZ NOT NULL,
			version BIGINT NOT NULL);

CREATE INDEX cases_status_idx ON "casekit_t_acme".cases (status, id);

CREATE INDEX cases_customer_idx ON "casekit_t_acme".cases (customer_id, id);

CREATE INDEX cases_contact_idx ON "casekit_t_acme".cases (contact_id, id);

CREATE INDEX cases_assignee_idx ON "casekit_t_acme".cases (assignee_id, id);

CREATE INDEX cases_queue_idx ON "casekit_t_acme".cases (queue_id, id);

CREATE TABLE "casekit_t_acme".activities (
			id TEXT PRIMARY KEY,
			case_id TEXT NOT NULL,
			kind TEXT NOT NULL,
			subject TEXT NOT NULL,
			description TEXT NOT NULL DEFAULT '',
			state TEXT NOT NULL,
			due TIMESTAMPTZ,
			assignee_id TEXT NOT NULL DEFAULT '',
			notify_contact BOOLEAN NOT NULL DEFAULT FALSE,
			result TEXT NOT NULL DEFAULT '',
			created_by TEXT NOT NULL,
			created_at TIMESTAMPTZ NOT NULL,
			updated_at TIMESTAMPTZ NOT NULL,
			done_at TIMESTAMPTZ,
			version BIGINT NOT NULL);

CREATE INDEX activities_case_idx ON "casekit_t_acme".activities (case_id, id);

CREATE TABLE "casekit_t_acme".notes (
			id TEXT PRIMARY KEY,
			case_id TEXT NOT NULL,
			subject TEXT NOT NULL,
			body TEXT NOT NULL,
			public BOOLEAN NOT NULL,
			created_by TEXT NOT NULL,
			created_at TIMESTAMPTZ NOT NULL);

CREATE INDEX notes_case_idx ON "casekit_t_acme".notes (case_id, id);

CREATE TABLE "casekit_t_acme".messages (
			id TEXT PRIMARY KEY,
			case_id TEXT NOT NULL,
			direction TEXT NOT NULL,
			channel TEXT NOT NULL,
			sender TEXT NOT NULL DEFAULT '',
			recipients JSONB,
			subject TEXT NOT NULL DEFAULT '',
			body TEXT NOT NULL,
			in_reply_to TEXT NOT NULL DEFAULT '',
			public BOOLEAN NOT NULL,
			created_by TEXT NOT NULL,
			created_at TIMESTAMPTZ NOT NULL);

CREATE INDEX messages_case_idx ON "casekit_t_acme".messages (case_id, id);

CREATE TABLE "casekit_t_acme".attachments (
			id TEXT PRIMARY KEY,
			case_id TEXT NOT NULL,
			owner_id TEXT NOT NULL,
			name TEXT NOT NULL,
			content_type TEXT NOT NULL,
			size BIGINT NOT NULL,
			blob_key TEXT NOT NULL,
			created_at TIMESTAMPTZ NOT NULL);

CREATE INDEX attachments_case_idx ON "casekit_t_acme".attachments (case_id, owner_id);

CREATE TABLE "casekit_t_acme".events (
			seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
			id TEXT NOT NULL UNIQUE,
			case_id TEXT NOT NULL DEFAULT '',
			case_number BIGINT NOT NULL DEFAULT 0,
			type TEXT NOT NULL,
			actor TEXT NOT NULL,
			at TIMESTAMPTZ NOT NULL,
			data JSONB);

CREATE INDEX events_case_idx ON "casekit_t_acme".events (case_id, seq);

-- migration 2: teams, queues and SLAs

CREATE TABLE "casekit_t_acme".teams (
			id TEXT PRIMARY KEY,
			name TEXT NOT NULL);

CREATE TABLE "casekit_t_acme".queues (
			id TEXT PRIMARY KEY,
			name TEXT NOT NULL,
			team_id TEXT NOT NULL DEFAULT '',
			sla_id TEXT NOT NULL DEFAULT '');

CREATE TABLE "casekit_t_acme".calendars (
			id TEXT PRIMARY KEY,
			name TEXT NOT NULL,
			time_zone TEXT NOT NULL DEFAULT '',
			hours JSONB,
			holidays JSONB);

CREATE TABLE "casekit_t_acme".slas (
			id TEXT PRIMARY KEY,
			name TEXT NOT NULL,
			calendar_id TEXT NOT NULL DEFAULT '',
			warn_before BIGINT NOT NULL DEFAULT 0,
			targets JSONB);

ALTER TABLE "casekit_t_acme".settings ADD COLUMN first_reminder_days INTEGER NOT NULL DEFAULT 0;

ALTER TABLE "casekit_t_acme".settings ADD COLUMN second_reminder_days INTEGER NOT NULL DEFAULT 0;

CREATE TABLE "casekit_t_acme".timers (
			id TEXT PRIMARY KEY,
			case_id TEXT NOT NULL,
			kind TEXT NOT NULL,
			key TEXT NOT NULL DEFAULT '',
			due_us BIGINT NOT NULL,
			attempts INTEGER NOT NULL DEFAULT 0,
			last_error TEXT NOT NULL DEFAULT '',
			dead BOOLEAN NOT NULL DEFAULT FALSE);

CREATE INDEX timers_due_idx ON "casekit_t_acme".timers (dead, due_us);

CREATE TABLE "casekit_t_acme".outbox (
			id TEXT PRIMARY KEY,
			event_id TEXT NOT NULL,
			event_type TEXT NOT NULL,
			case_id TEXT NOT NULL DEFAULT '',
			case_number BIGINT NOT NULL DEFAULT 0,
			recipient_kind TEXT NOT NULL,
			recipient_id TEXT NOT NULL DEFAULT '',
			recipient_name TEXT NOT NULL DEFAULT '',
			recipient_email TEXT NOT NULL DEFAULT '',
			data JSONB,
			created_us BIGINT NOT NULL,
			due_us BIGINT NOT NULL,
			attempts INTEGER NOT NULL DEFAULT 0,
			last_error TEXT NOT NULL DEFAULT '',
			dead BOOLEAN NOT NULL DEFAULT FALSE);

CREATE INDEX outbox_due_idx ON "casekit_t_acme".outbox (dead, due_us);

ALTER TABLE "casekit_t_acme".cases ADD COLUMN search tsvector
			GENERATED ALWAYS AS (to_tsvector('simple', subject || ' ' || description)) STORED;

CREATE INDEX cases_search_idx ON "casekit_t_acme".cases USING GIN (search);

ALTER TABLE "casekit_t_acme".messages ADD COLUMN search tsvector
			GENERATED ALWAYS AS (to_tsvector('simple', subject || ' ' || body)) STORED;

CREATE INDEX messages_search_idx ON "casekit_t_acme".messages USING GIN (search);

CREATE TABLE "casekit_t_acme".watchers (
			id TEXT PRIMARY KEY,
			case_id TEXT NOT NULL,
			name TEXT NOT NULL DEFAULT '',
			email TEXT NOT NULL,
			added_by TEXT NOT NULL,
			added_at TIMESTAMPTZ NOT NULL,
			UNIQUE (case_id, email));

CREATE INDEX timers_case_idx ON "casekit_t_acme".timers (case_id);

ALTER TABLE "casekit_t_acme".cases ADD COLUMN service TEXT NOT NULL DEFAULT '';

ALTER TABLE "casekit_t_acme".cases ADD COLUMN sla_paused_at TIMESTAMPTZ;

ALTER TABLE "casekit_t_acme".cases ADD COLUMN sla_paused_for BIGINT NOT NULL DEFAULT 0;

CREATE INDEX cases_sla_idx ON "casekit_t_acme".cases (sla_id, id);

CREATE INDEX cases_response_due_idx ON "casekit_t_acme".cases (response_due);

CREATE INDEX cases_resolution_due_idx ON "casekit_t_acme".cases (resolution_due);

CREATE INDEX cases_pick_idx ON "casekit_t_acme".cases (queue_id, assignee_id, priority, created_at, id);

CREATE INDEX cases_team_idx ON "casekit_t_acme".cases (team_id, id);

-- migration 3: template overrides

CREATE TABLE "casekit_t_acme".templates (
			name TEXT PRIMARY KEY,
			source TEXT NOT NULL,
			updated_by TEXT NOT NULL,
			updated_at TIMESTAMPTZ NOT NULL);

-- migration 4: indexes for sorted lists

CREATE INDEX cases_updated_idx ON "casekit_t_acme".cases (updated_at, id);

CREATE INDEX cases_resolution_due_id_idx ON "casekit_t_acme".cases (resolution_due, id);

DROP INDEX "casekit_t_acme".cases_resolution_due_idx;

-- migration 5: portal links

CREATE TABLE "casekit_t_acme".portal_links (
			id TEXT PRIMARY KEY,
			case_id TEXT NOT NULL,
			token_hash TEXT NOT NULL UNIQUE,
			created_by TEXT NOT NULL,
			created_at TIMESTAMPTZ NOT NULL,
			expires_at TIMESTAMPTZ NOT NULL,
			revoked_at TIMESTAMPTZ);

CREATE INDEX portal_links_case_idx ON "casekit_t_acme".portal_links (case_id);

-- migration 6: attachment limits

ALTER TABLE "casekit_t_acme".settings ADD COLUMN max_attachment_bytes BIGINT NOT NULL DEFAULT 10485760;

ALTER TABLE "casekit_t_acme".settings ADD COLUMN attachment_types JSONB NOT NULL DEFAULT '["image/png","image/jpeg","image/gif","image/webp","application/pdf","text/plain","text/csv","application/zip","message/rfc822","application/msword","application/vnd.ms-excel","application/vnd.openxmlformats-officedocument.wordprocessingml.document","application/vnd.openxmlformats-officedocument.spreadsheetml.sheet","application/vnd.openxmlformats-officedocument.presentationml.presentation","application/vnd.oasis.opendocument.text","application/vnd.oasis.opendocument.spreadsheet"]';

-- migration 7: custom fields

CREATE TABLE "casekit_t_acme".custom_fields (
			key TEXT PRIMARY KEY,
			label TEXT NOT NULL,
			type TEXT NOT NULL,
			required BOOLEAN NOT NULL DEFAULT FALSE,
			options JSONB NOT NULL);

-- migration 8: web form intake

CREATE TABLE "casekit_t_acme".intake (
			key TEXT PRIMARY KEY,
			case_id TEXT NOT NULL DEFAULT '',
			remote_addr TEXT NOT NULL DEFAULT '',
			at TIMESTAMPTZ NOT NULL,
			junk BOOLEAN NOT NULL DEFAULT FALSE,
			reason TEXT NOT NULL DEFAULT '');

CREATE INDEX intake_addr_idx ON "casekit_t_acme".intake (remote_addr, at);

-- migration 9: relationships and guided processes

CREATE TABLE "casekit_t_acme".case_links (
			id TEXT PRIMARY KEY,
			kind TEXT NOT NULL,
			from_id TEXT NOT NULL,
			to_id TEXT NOT NULL,
			created_by TEXT NOT NULL,
			created_at TIMESTAMPTZ NOT NULL,
			UNIQUE (from_id, to_id, kind));

CREATE INDEX case_links_to_idx ON "casekit_t_acme".case_links (to_id);

ALTER TABLE "casekit_t_acme".cases ADD COLUMN merged_into_id TEXT NOT NULL DEFAULT '';

ALTER TABLE "casekit_t_acme".cases ADD COLUMN process JSONB;

CREATE TABLE "casekit_t_acme".processes (
			key TEXT PRIMARY KEY,
			label TEXT NOT NULL,
			stages JSONB NOT NULL);

-- migration 10: configuration version

INSERT INTO "casekit_t_acme".counters (name, value) VALUES ('config_version', 0);

-- migration 11: indexes for large tenants

CREATE INDEX cases_status_priority_idx ON "casekit_t_acme".cases (status, priority, id);

CREATE INDEX cases_priority_idx ON "casekit_t_acme".cases (priority, id);

-- migration 12: priority ranks on cases

ALTER TABLE "casekit_t_acme".cases ADD COLUMN priority_rank INTEGER NOT NULL DEFAULT -2147483648;

UPDATE "casekit_t_acme".cases AS c SET priority_rank = l.rank FROM "casekit_t_acme".lookups AS l
			WHERE l.kind = 'priority' AND l.key = c.priority;

CREATE INDEX cases_status_rank_idx ON "casekit_t_acme".cases (status, priority_rank DESC, id);

CREATE INDEX cases_rank_idx ON "casekit_t_acme".cases (priority_rank DESC, id);

-- migration 13: case tags

CREATE TABLE "casekit_t_acme".case_tags (
			tag TEXT NOT NULL,
			case_id TEXT NOT NULL,
			PRIMARY KEY (tag, case_id));

CREATE INDEX case_tags_case_idx ON "casekit_t_acme".case_tags (case_id);

INSERT INTO "casekit_t_acme".case_tags (tag, case_id)
			SELECT DISTINCT t, c.id FROM "casekit_t_acme".cases AS c,
				jsonb_array_elements_text(CASE WHEN jsonb_typeof(c.tags) = 'array' THEN c.tags ELSE '[]'::jsonb END) AS t;

CREATE FUNCTION "casekit_t_acme".case_tags_sync() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF TG_OP <> 'INSERT' THEN
				DELETE FROM "casekit_t_acme".case_tags WHERE case_id = OLD.id;
			END IF;
			IF TG_OP <> 'DELETE' AND jsonb_typeof(NEW.tags) = 'array' THEN
				INSERT INTO "casekit_t_acme".case_tags (tag, case_id)
					SELECT DISTINCT t, NEW.id FROM jsonb_array_elements_text(NEW.tags) AS t;
			END IF;
			RETURN NULL;
		END $$;

CREATE TRIGGER case_tags_ai AFTER INSERT ON "casekit_t_acme".cases FOR EACH ROW
			WHEN (jsonb_typeof(NEW.tags) = 'array' AND NEW.tags <> '[]'::jsonb) EXECUTE FUNCTION "casekit_t_acme".case_tags_sync();

CREATE TRIGGER case_tags_au AFTER UPDATE OF tags ON "casekit_t_acme".cases FOR EACH ROW
			WHEN (OLD.tags IS DISTINCT FROM NEW.tags) EXECUTE FUNCTION "casekit_t_acme".case_tags_sync();

CREATE TRIGGER case_tags_ad AFTER DELETE ON "casekit_t_acme".cases FOR EACH ROW EXECUTE FUNCTION "casekit_t_acme".case_tags_sync();

ANALYZE "casekit_t_acme".case_tags;

-- migration 14: attachments by blob key

CREATE INDEX attachments_key_idx ON "casekit_t_acme".attachments (blob_key);

-- migration 15: custom field audience

ALTER TABLE "casekit_t_acme".custom_fields ADD COLUMN audience TEXT NOT NULL DEFAULT 'internal';

-- migration 16: roles

CREATE TABLE "casekit_t_acme".roles (
			key TEXT PRIMARY KEY,
			name TEXT NOT NULL,
			permissions JSONB NOT NULL);

CREATE TABLE "casekit_t_acme".agent_roles (
			agent_id TEXT PRIMARY KEY,
			role TEXT NOT NULL);

-- migration 17: the mail conversation

CREATE TABLE "casekit_t_acme".mail_settings (
			id INTEGER PRIMARY KEY,
			doc JSONB NOT NULL);

CREATE TABLE "casekit_t_acme".reply_tokens (
			token TEXT PRIMARY KEY,
			case_id TEXT NOT NULL,
			created_at TIMESTAMPTZ NOT NULL,
			revoked_at TIMESTAMPTZ);

CREATE INDEX reply_tokens_case_idx ON "casekit_t_acme".reply_tokens (case_id);

CREATE TABLE "casekit_t_acme".mail_acks (
			address TEXT NOT NULL,
			at TIMESTAMPTZ NOT NULL);

CREATE INDEX mail_acks_addr_idx ON "casekit_t_acme".mail_acks (address, at);

CREATE INDEX mail_acks_at_idx ON "casekit_t_acme".mail_acks (at);

ALTER TABLE "casekit_t_acme".portal_links ADD COLUMN verifies TEXT NOT NULL DEFAULT '';

-- migration 18: intake rate counters

CREATE TABLE "casekit_t_acme".intake_rate (
			remote_addr TEXT PRIMARY KEY,
			hour BIGINT NOT NULL,
			opened INTEGER NOT NULL);

DROP INDEX "casekit_t_acme".intake_addr_idx;

-- migration 19: public tags

ALTER TABLE "casekit_t_acme".settings ADD COLUMN public_tags JSONB NOT NULL DEFAULT '[]';

