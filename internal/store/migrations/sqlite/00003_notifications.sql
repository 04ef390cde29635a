-- +goose Up
-- Notifications: the in-app channel of the outbox. A change writes the
-- notifications it causes in its own transaction, so there is never one
-- without the other.

CREATE TABLE notifications (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE, -- the one person who may see it
    urgency     TEXT NOT NULL DEFAULT 'normal' CHECK (urgency IN ('critical', 'normal', 'low')),
    kind        TEXT NOT NULL, -- report.answered, report.message, campaign.decided …
    title       TEXT NOT NULL,
    body        TEXT NOT NULL DEFAULT '',
    link        TEXT NOT NULL DEFAULT '', -- a local path such as /reports/{id}, never an outside address
    object_type TEXT NOT NULL DEFAULT '',
    object_id   TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    read_at     TEXT, -- NULL while unread
    acked_at    TEXT  -- NULL until acknowledged
);
CREATE INDEX notifications_user ON notifications (user_id, read_at, created_at);

-- +goose Down
DROP TABLE notifications;
