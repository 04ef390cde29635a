-- +goose Up
-- Action items: one list for every change the organisation committed to,
-- whether a post-incident review or the security committee decided it.

CREATE TABLE action_items (
    id                  TEXT PRIMARY KEY,
    title               TEXT NOT NULL,
    description         TEXT NOT NULL DEFAULT '',
    source_type         TEXT NOT NULL CHECK (source_type IN ('review', 'meeting', 'manual')),
    source_id           TEXT NOT NULL DEFAULT '',
    case_id             TEXT, -- set for a review's items, so confidential cases can hide them
    owner_department_id TEXT NOT NULL REFERENCES departments (id),
    owner_user_id       TEXT REFERENCES users (id) ON DELETE SET NULL,
    due_on              TEXT NOT NULL DEFAULT '', -- YYYY-MM-DD; sorts as text
    status              TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
    created_by          TEXT NOT NULL DEFAULT '',
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    done_at             TEXT
);
CREATE INDEX action_items_open ON action_items (status, due_on);
CREATE INDEX action_items_department ON action_items (owner_department_id, status, due_on);
CREATE INDEX action_items_source ON action_items (source_type, source_id);
CREATE INDEX action_items_case ON action_items (case_id);

-- +goose Down
DROP TABLE action_items;
