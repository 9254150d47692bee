-- registry

CREATE TABLE IF NOT EXISTS "main".tenants (
		id TEXT PRIMARY KEY,
		name TEXT NOT NULL,
		created_at TEXT NOT NULL);

CREATE TABLE IF NOT EXISTS "main".timer_wakeups (tenant TEXT PRIMARY KEY, due_us BIGINT NOT NULL);

CREATE TABLE IF NOT EXISTS "main".outbox_wakeups (tenant TEXT PRIMARY KEY, due_us BIGINT NOT NULL);

-- migration 0: the ledger

CREATE TABLE IF NOT EXISTS "main".casekit_migrations (
	version INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	applied_at TEXT NOT NULL);

-- migration 1: initial schema

CREATE TABLE "main".settings (
			id INTEGER PRIMARY KEY CHECK (id = 1),
			default_priority TEXT NOT NULL,
			auto_close_days INTEGER NOT NULL);

CREATE TABLE "main".statuses (
			key TEXT PRIMARY KEY,
			label TEXT NOT NULL,
			sort_order INTEGER NOT NULL,
			initial INTEGER NOT NULL DEFAULT 0,
			paused INTEGER NOT NULL DEFAULT 0,
			resolved INTEGER NOT NULL DEFAULT 0,
			final INTEGER NOT NULL DEFAULT 0,
			canceled INTEGER NOT NULL DEFAULT 0,
			reopen INTEGER NOT NULL DEFAULT 0,
			progress INTEGER NOT NULL DEFAULT 0);

CREATE TABLE "main".transitions (
			from_status TEXT NOT NULL,
			to_status TEXT NOT NULL,
			PRIMARY KEY (from_status, to_status));

CREATE TABLE "main".lookups (
			kind TEXT NOT NULL,
			key TEXT NOT NULL,
			label TEXT NOT NULL,
			rank INTEGER NOT NULL,
			action TEXT NOT NULL DEFAULT '',
			disabled INTEGER NOT NULL DEFAULT 0,
			PRIMARY KEY (kind, key));

CREATE TABLE "main".counters (
			name TEXT PRIMARY KEY,
			value BIGINT NOT NULL);

INSERT INTO "main".counters (name, value) VALUES ('case_number', 0);

CREATE TABLE "main".cases (
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
			tags TEXT,
			deadline TEXT,
			custom TEXT,
			assignee_id TEXT NOT NULL DEFAULT '',
			team_id TEXT NOT NULL DEFAULT '',
			queue_id TEXT NOT NULL DEFAULT '',
			support_level INTEGER NOT NULL DEFAULT 0,
			sla_id TEXT NOT NULL DEFAULT '',
			response_due TEXT,
			resolution_due TEXT,
			first_response_at TEXT,
			resolved_at TEXT,
			closed_at TEXT,
			status TEXT NOT NULL,
			closure_reason TEXT NOT NULL DEFAULT '',
			satisfaction INTEGER NOT NULL DEFAULT 0,
			satisfaction_comment TEXT NOT NULL DEFAULT '',
			created_by TEXT NOT NULL,
			created_at TEXT NOT NULL,
			updated_at TEXT NOT NULL,
			version BIGINT NOT NULL);

CREATE INDEX "main".cases_status_idx ON cases (status, id);

CREATE INDEX "main".cases_customer_idx ON cases (customer_id, id);

CREATE INDEX "main".cases_contact_idx ON cases (contact_id, id);

CREATE INDEX "main".cases_assignee_idx ON cases (assignee_id, id);

CREATE INDEX "main".cases_queue_idx ON cases (queue_id, id);

CREATE TABLE "main".activities (
			id TEXT PRIMARY KEY,
			case_id TEXT NOT NULL,
			kind TEXT NOT NULL,
			subject TEXT NOT NULL,
			description TEXT NOT NULL DEFAULT '',
			state TEXT NOT NULL,
			due TEXT,
			assignee_id TEXT NOT NULL DEFAULT '',
			notify_contact INTEGER NOT NULL DEFAULT 0,
			result TEXT NOT NULL DEFAULT '',
			created_by TEXT NOT NULL,
			created_at TEXT NOT NULL,
			updated_at TEXT NOT NULL,
			done_at TEXT,
			version BIGINT NOT NULL);

CREATE INDEX "main".activities_case_idx ON activities (case_id, id);

CREATE TABLE "main".notes (
			id TEXT PRIMARY KEY,
			case_id TEXT NOT NULL,
			subject TEXT NOT NULL,
			body TEXT NOT NULL,
			public INTEGER NOT NULL,
			created_by TEXT NOT NULL,
			created_at TEXT NOT NULL);

CREATE INDEX "main".notes_case_idx ON notes (case_id, id);

CREATE TABLE "main".messages (
			id TEXT PRIMARY KEY,
			case_id TEXT NOT NULL,
			direction TEXT NOT NULL,
			channel TEXT NOT NULL,
			sender TEXT NOT NULL DEFAULT '',
			recipients TEXT,
			subject TEXT NOT NULL DEFAULT '',
			body TEXT NOT NULL,
			in_reply_to TEXT NOT NULL DEFAULT '',
			public INTEGER NOT NULL,
			created_by TEXT NOT NULL,
			created_at TEXT NOT NULL);

CREATE INDEX "main".messages_case_idx ON messages (case_id, id);

CREATE TABLE "main".attachments (
			id TEXT PRIMARY KEY,
			case_id TEXT NOT NULL,
			owner_id TEXT NOT NULL,
			name TEXT NOT NULL,
			content_type TEXT NOT NULL,
			size BIGINT NOT NULL,
			blob_key TEXT NOT NULL,
			created_at TEXT NOT NULL);

CREATE INDEX "main".attachments_case_idx ON attachments (case_id, owner_id);

CREATE TABLE "main".events (
			seq INTEGER PRIMARY KEY AUTOINCREMENT,
			id TEXT NOT NULL UNIQUE,
			case_id TEXT NOT NULL DEFAULT '',
			case_number BIGINT NOT NULL DEFAULT 0,
			type TEXT NOT NULL,
			actor TEXT NOT NULL,
			at TEXT NOT NULL,
			data TEXT);

CREATE INDEX "main".events_case_idx ON events (case_id, seq);

-- migration 2: teams, queues and SLAs

CREATE TABLE "main".teams (
			id TEXT PRIMARY KEY,
			name TEXT NOT NULL);

CREATE TABLE "main".queues (
			id TEXT PRIMARY KEY,
			name TEXT NOT NULL,
			team_id TEXT NOT NULL DEFAULT '',
			sla_id TEXT NOT NULL DEFAULT '');

CREATE TABLE "main".calendars (
			id TEXT PRIMARY KEY,
			name TEXT NOT NULL,
			time_zone TEXT NOT NULL DEFAULT '',
			hours TEXT,
			holidays TEXT);

CREATE TABLE "main".slas (
			id TEXT PRIMARY KEY,
			name TEXT NOT NULL,
			calendar_id TEXT NOT NULL DEFAULT '',
			warn_before BIGINT NOT NULL DEFAULT 0,
			targets TEXT);

ALTER TABLE "main".settings ADD COLUMN first_reminder_days INTEGER NOT NULL DEFAULT 0;

ALTER TABLE "main".settings ADD COLUMN second_reminder_days INTEGER NOT NULL DEFAULT 0;

CREATE TABLE "main".timers (
			id TEXT PRIMARY KEY,
			case_id TEXT NOT NULL,
			kind TEXT NOT NULL,
			key TEXT NOT NULL DEFAULT '',
			due_us BIGINT NOT NULL,
			attempts INTEGER NOT NULL DEFAULT 0,
			last_error TEXT NOT NULL DEFAULT '',
			dead INTEGER NOT NULL DEFAULT 0);

CREATE INDEX "main".timers_due_idx ON timers (dead, due_us);

CREATE TABLE "main".outbox (
			id TEXT PRIMARY KEY,
			event_id TEXT NOT NULL,
			event_type TEXT NOT NULL,
			case_id TEXT NOT NULL DEFAULT '',
			case_number BIGINT NOT NULL DEFAULT 0,
			recipient_kind TEXT NOT NULL,
			recipient_id TEXT NOT NULL DEFAULT '',
			recipient_name TEXT NOT NULL DEFAULT '',
			recipient_email TEXT NOT NULL DEFAULT '',
			data TEXT,
			created_us BIGINT NOT NULL,
			due_us BIGINT NOT NULL,
			attempts INTEGER NOT NULL DEFAULT 0,
			last_error TEXT NOT NULL DEFAULT '',
			dead INTEGER NOT NULL DEFAULT 0);

CREATE INDEX "main".outbox_due_idx ON outbox (dead, due_us);

CREATE VIRTUAL TABLE "main".cases_fts USING fts5(subject, description,
			content='cases', tokenize='unicode61 remove_diacritics 0');

CREATE TRIGGER "main".cases_fts_ai AFTER INSERT ON cases BEGIN
			INSERT INTO cases_fts (rowid, subject, description) VALUES (new.rowid, new.subject, new.description);
		END;

CREATE TRIGGER "main".cases_fts_ad AFTER DELETE ON cases BEGIN
			INSERT INTO cases_fts (cases_fts, rowid, subject, description) VALUES ('delete', old.rowid, old.subject, old.description);
		END;

CREATE TRIGGER "main".cases_fts_au AFTER UPDATE OF subject, description ON cases BEGIN
			INSERT INTO cases_fts (cases_fts, rowid, subject, description) VALUES ('delete', old.rowid, old.subject, old.description);
			INSERT INTO cases_fts (rowid, subject, description) VALUES (new.rowid, new.subject, new.description);
		END;

INSERT INTO "main".cases_fts (cases_fts) VALUES ('rebuild');

CREATE VIRTUAL TABLE "main".messages_fts USING fts5(subject, body,
			content='messages', tokenize='unicode61 remove_diacritics 0');

CREATE TRIGGER "main".messages_fts_ai AFTER INSERT ON messages BEGIN
			INSERT INTO messages_fts (rowid, subject, body) VALUES (new.rowid, new.subject, new.body);
		END;

CREATE TRIGGER "main".messages_fts_ad AFTER DELETE ON messages BEGIN
			INSERT INTO messages_fts (messages_fts, rowid, subject, body) VALUES ('delete', old.rowid, old.subject, old.body);
		END;

INSERT INTO "main".messages_fts (messages_fts) VALUES ('rebuild');

CREATE TABLE "main".watchers (
			id TEXT PRIMARY KEY,
			case_id TEXT NOT NULL,
			name TEXT NOT NULL DEFAULT '',
			email TEXT NOT NULL,
			added_by TEXT NOT NULL,
			added_at TEXT NOT NULL,
			UNIQUE (case_id, email));

CREATE INDEX "main".timers_case_idx ON timers (case_id);

ALTER TABLE "main".cases ADD COLUMN service TEXT NOT NULL DEFAULT '';

ALTER TABLE "main".cases ADD COLUMN sla_paused_at TEXT;

ALTER TABLE "main".cases ADD COLUMN sla_paused_for BIGINT NOT NULL DEFAULT 0;

CREATE INDEX "main".cases_sla_idx ON cases (sla_id, id);

CREATE INDEX "main".cases_response_due_idx ON cases (response_due);

CREATE INDEX "main".cases_resolution_due_idx ON cases (resolution_due);

CREATE INDEX "main".cases_pick_idx ON cases (queue_id, assignee_id, priority, created_at, id);

CREATE INDEX "main".cases_team_idx ON cases (team_id, id);

-- migration 3: template overrides

CREATE TABLE "main".templates (
			name TEXT PRIMARY KEY,
			source TEXT NOT NULL,
			updated_by TEXT NOT NULL,
			updated_at TEXT NOT NULL);

-- migration 4: indexes for sorted lists

CREATE INDEX "main".cases_updated_idx ON cases (updated_at, id);

CREATE INDEX "main".cases_resolution_due_id_idx ON cases (resolution_due, id);

DROP INDEX "main".cases_resolution_due_idx;

-- migration 5: portal links

CREATE TABLE "main".portal_links (
			id TEXT PRIMARY KEY,
			case_id TEXT NOT NULL,
			token_hash TEXT NOT NULL UNIQUE,
			created_by TEXT NOT NULL,
			created_at TEXT NOT NULL,
			expires_at TEXT NOT NULL,
			revoked_at TEXT);

CREATE INDEX "main".portal_links_case_idx ON portal_links (case_id);

-- migration 6: attachment limits

ALTER TABLE "main".settings ADD COLUMN max_attachment_bytes BIGINT NOT NULL DEFAULT 10485760;

ALTER TABLE "main".settings ADD COLUMN attachment_types TEXT NOT NULL DEFAULT '["image/png","image/jpeg","image/gif","image/webp","application/pdf","text/plain","text/csv","application/zip","message/rfc822","application/msword","application/vnd.ms-excel","application/vnd.openxmlformats-officedocument.wordprocessingml.document","application/vnd.openxmlformats-officedocument.spreadsheetml.sheet","application/vnd.openxmlformats-officedocument.presentationml.presentation","application/vnd.oasis.opendocument.text","application/vnd.oasis.opendocument.spreadsheet"]';

-- migration 7: custom fields

CREATE TABLE "main".custom_fields (
			key TEXT PRIMARY KEY,
			label TEXT NOT NULL,
			type TEXT NOT NULL,
			required BOOLEAN NOT NULL DEFAULT FALSE,
			options TEXT NOT NULL);

-- migration 8: web form intake

CREATE TABLE "main".intake (
			key TEXT PRIMARY KEY,
			case_id TEXT NOT NULL DEFAULT '',
			remote_addr TEXT NOT NULL DEFAULT '',
			at TEXT NOT NULL,
			junk INTEGER NOT NULL DEFAULT 0,
			reason TEXT NOT NULL DEFAULT '');

CREATE INDEX "main".intake_addr_idx ON intake (remote_addr, at);

-- migration 9: relationships and guided processes

CREATE TABLE "main".case_links (
			id TEXT PRIMARY KEY,
			kind TEXT NOT NULL,
			from_id TEXT NOT NULL,
			to_id TEXT NOT NULL,
			created_by TEXT NOT NULL,
			created_at TEXT NOT NULL,
			UNIQUE (from_id, to_id, kind));

CREATE INDEX "main".case_links_to_idx ON case_links (to_id);

ALTER TABLE "main".cases ADD COLUMN merged_into_id TEXT NOT NULL DEFAULT '';

ALTER TABLE "main".cases ADD COLUMN process TEXT;

CREATE TABLE "main".processes (
			key TEXT PRIMARY KEY,
			label TEXT NOT NULL,
			stages TEXT NOT NULL);

-- migration 10: configuration version

INSERT INTO "main".counters (name, value) VALUES ('config_version', 0);

-- migration 11: indexes for large tenants

CREATE INDEX "main".cases_status_priority_idx ON cases (status, priority, id);

CREATE INDEX "main".cases_priority_idx ON cases (priority, id);

-- migration 12: priority ranks on cases

ALTER TABLE "main".cases ADD COLUMN priority_rank INTEGER NOT NULL DEFAULT -2147483648;

UPDATE "main".cases AS c SET priority_rank = l.rank FROM "main".lookups AS l
			WHERE l.kind = 'priority' AND l.key = c.priority;

CREATE INDEX "main".cases_status_rank_idx ON cases (status, priority_rank DESC, id);

CREATE INDEX "main".cases_rank_idx ON cases (priority_rank DESC, id);

-- migration 13: case tags

CREATE TABLE "main".case_tags (
			tag TEXT NOT NULL,
			case_id TEXT NOT NULL,
			PRIMARY KEY (tag, case_id));

CREATE INDEX "main".case_tags_case_idx ON case_tags (case_id);

INSERT OR IGNORE INTO "main".case_tags (tag, case_id)
			SELECT j.value, c.id FROM "main".cases AS c, json_each(c.tags) AS j WHERE json_type(c.tags) = 'array';

CREATE TRIGGER "main".case_tags_ai AFTER INSERT ON cases WHEN json_type(NEW.tags) = 'array' BEGIN
			INSERT OR IGNORE INTO case_tags (tag, case_id) SELECT value, NEW.id FROM json_each(NEW.tags);
		END;

CREATE TRIGGER "main".case_tags_au AFTER UPDATE OF tags ON cases WHEN OLD.tags IS NOT NEW.tags BEGIN
			DELETE FROM case_tags WHERE case_id = OLD.id;
			INSERT OR IGNORE INTO case_tags (tag, case_id)
				SELECT value, NEW.id FROM json_each(NEW.tags) WHERE json_type(NEW.tags) = 'array';
		END;

CREATE TRIGGER "main".case_tags_ad AFTER DELETE ON cases BEGIN
			DELETE FROM case_tags WHERE case_id = OLD.id;
		END;

-- migration 14: attachments by blob key

CREATE INDEX "main".attachments_key_idx ON attachments (blob_key);

-- migration 15: custom field audience

ALTER TABLE "main".custom_fields ADD COLUMN audience TEXT NOT NULL DEFAULT 'internal';

-- migration 16: roles

CREATE TABLE "main".roles (
			key TEXT PRIMARY KEY,
			name TEXT NOT NULL,
			permissions TEXT NOT NULL);

CREATE TABLE "main".agent_roles (
			agent_id TEXT PRIMARY KEY,
			role TEXT NOT NULL);

-- migration 17: the mail conversation

CREATE TABLE "main".mail_settings (
			id INTEGER PRIMARY KEY,
			doc TEXT NOT NULL);

CREATE TABLE "main".reply_tokens (
			token TEXT PRIMARY KEY,
			case_id TEXT NOT NULL,
			created_at TEXT NOT NULL,
			revoked_at TEXT);

CREATE INDEX "main".reply_tokens_case_idx ON reply_tokens (case_id);

CREATE TABLE "main".mail_acks (
			address TEXT NOT NULL,
			at TEXT NOT NULL);

CREATE INDEX "main".mail_acks_addr_idx ON mail_acks (address, at);

CREATE INDEX "main".mail_acks_at_idx ON mail_acks (at);

ALTER TABLE "main".portal_links ADD COLUMN verifies TEXT NOT NULL DEFAULT '';

-- migration 18: intake rate counters

CREATE TABLE "main".intake_rate (
			remote_addr TEXT PRIMARY KEY,
			hour BIGINT NOT NULL,
			opened INTEGER NOT NULL);

DROP INDEX "main".intake_addr_idx;

-- migration 19: public tags

ALTER TABLE "main".settings ADD COLUMN public_tags TEXT NOT NULL DEFAULT '[]';

