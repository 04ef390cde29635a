-- +goose Up
-- Delivery: the outbox behind notifications. AddNotification writes, in the
-- change's own transaction, one delivery per outside channel (email, each
-- matching webhook); a worker claims due deliveries with a lease, sends,
-- and records the outcome. Nothing is deleted: a message ends delivered,
-- dead (dead-lettered, visible) or skipped.

CREATE TABLE webhooks (
    id              TEXT PRIMARY KEY,
    url             TEXT NOT NULL,
    format          TEXT NOT NULL DEFAULT 'standard' CHECK (format IN ('standard', 'slack', 'teams')),
    min_urgency     TEXT NOT NULL DEFAULT 'normal' CHECK (min_urgency IN ('critical', 'normal', 'low')),
    events          TEXT NOT NULL DEFAULT '', -- space-separated notification kinds; empty means all
    secret          TEXT NOT NULL,            -- whsec_…; kept to sign every message, shown once at creation
    created_by      TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    disabled_at     TEXT,                     -- set when the receiver answered 410 Gone
    disabled_reason TEXT NOT NULL DEFAULT ''
);

CREATE TABLE notification_preferences (
    user_id     TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    email       TEXT NOT NULL DEFAULT 'critical normal', -- urgencies that also go out by email; in-app is always on
    digest      TEXT NOT NULL DEFAULT 'weekly' CHECK (digest IN ('none', 'daily', 'weekly')),
    quiet_start TEXT NOT NULL DEFAULT '', -- HH:MM in time_zone; empty: no quiet hours
    quiet_end   TEXT NOT NULL DEFAULT '',
    time_zone   TEXT NOT NULL DEFAULT 'UTC',
    updated_at  TEXT NOT NULL
);

CREATE TABLE deliveries (
    id              TEXT PRIMARY KEY, -- also the message id receivers see on every attempt
    notification_id TEXT NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    channel         TEXT NOT NULL CHECK (channel IN ('email', 'webhook')),
    webhook_id      TEXT REFERENCES webhooks (id) ON DELETE CASCADE, -- set exactly for channel webhook
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead', 'skipped')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_at         TEXT NOT NULL, -- due from then (quiet hours and backoff push it later)
    lease_until     TEXT,          -- a worker owns it until then; an expired lease is free again (crash)
    lease_owner     TEXT NOT NULL DEFAULT '', -- random per claim, so a late worker cannot record over a newer one
    first_try_at    TEXT,
    last_attempt_at TEXT,
    last_status     INTEGER NOT NULL DEFAULT 0, -- HTTP status or SMTP code; 0 for no answer
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    delivered_at    TEXT
);
CREATE INDEX deliveries_due ON deliveries (status, next_at);
CREATE INDEX deliveries_webhook ON deliveries (webhook_id, created_at);
CREATE INDEX deliveries_notification ON deliveries (notification_id);

-- Acknowledge links of critical notifications: only a keyed SHA-256 of the
-- token is kept; a token works once.
CREATE TABLE ack_tokens (
    token_hash      TEXT PRIMARY KEY,
    notification_id TEXT NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    expires_at      TEXT NOT NULL,
    used_at         TEXT
);
CREATE INDEX ack_tokens_notification ON ack_tokens (notification_id);

-- Escalations: a durable timer per critical notification with a chain.
-- step is the index in chain of the next person to tell; done_at ends it.
CREATE TABLE escalations (
    id          TEXT PRIMARY KEY, -- the first notification's id
    chain       TEXT NOT NULL,    -- space-separated user ids, in order
    step        INTEGER NOT NULL DEFAULT 0,
    every_ms    INTEGER NOT NULL,
    due_at      TEXT NOT NULL,
    lease_until TEXT,
    done_at     TEXT,
    done_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX escalations_due ON escalations (done_at, due_at);
-- Which notifications belong to which escalation: acknowledging any stops it.
ALTER TABLE notifications ADD COLUMN escalation_id TEXT;
-- Aggregation: like events within a window collapse into one notification,
-- which counts the repeats ("12 more people reported this campaign").
ALTER TABLE notifications ADD COLUMN repeats INTEGER NOT NULL DEFAULT 0;
CREATE INDEX notifications_collapse ON notifications (user_id, kind, object_type, object_id, created_at);

-- Digests sent, one row per person and period, so a restart or a second
-- replica never sends one twice.
CREATE TABLE digest_runs (
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    period     TEXT NOT NULL, -- 2026-11-27 (daily) or 2026-W48 (weekly)
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, period)
);

-- +goose Down
DROP TABLE digest_runs;
DROP INDEX notifications_collapse;
ALTER TABLE notifications DROP COLUMN repeats;
ALTER TABLE notifications DROP COLUMN escalation_id;
DROP TABLE escalations;
DROP TABLE ack_tokens;
DROP TABLE deliveries;
DROP TABLE notification_preferences;
DROP TABLE webhooks;
