-- +goose Up
-- Cases: the organisation's response to an incident, the departments it
-- engages in their roles, their tasks, the regulatory clocks and an
-- append-only timeline.

CREATE TABLE cases (
    id              TEXT PRIMARY KEY,
    title           TEXT NOT NULL,
    type            TEXT NOT NULL,    -- the playbook identifier
    severity        TEXT NOT NULL CHECK (severity IN ('SEV1', 'SEV2', 'SEV3', 'SEV4')),
    status          TEXT NOT NULL CHECK (status IN ('triage', 'investigating', 'contained', 'eradicated', 'recovered', 'closed')),
    summary         TEXT NOT NULL DEFAULT '',
    affected        TEXT NOT NULL DEFAULT '', -- flags separated by spaces
    confidential    BOOLEAN NOT NULL DEFAULT FALSE,
    plan            TEXT NOT NULL DEFAULT '{}', -- the playbook plan last applied (JSON)
    created_by      TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    aware_at        TIMESTAMPTZ NOT NULL,
    first_report_at TIMESTAMPTZ,
    acknowledged_at TIMESTAMPTZ,
    contained_at    TIMESTAMPTZ,
    recovered_at    TIMESTAMPTZ,
    closed_at       TIMESTAMPTZ
);
CREATE INDEX cases_updated ON cases (updated_at, id);
CREATE INDEX cases_status ON cases (status, updated_at);
-- Counting a filtered list reads these narrow indexes, not the wide rows.
CREATE INDEX cases_filters ON cases (status, severity, type);
CREATE INDEX cases_title ON cases (title);
-- Title search by word prefix (see titleQuery in cases.go).
CREATE INDEX cases_title_words ON cases USING gin (to_tsvector('simple', title));

-- Who may see a case. For a confidential case these and the security
-- team are the only ones who learn it exists.
CREATE TABLE case_participants (
    case_id  TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    user_id  TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    reason   TEXT NOT NULL, -- created, role:legal-counsel, added
    added_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (case_id, user_id)
);
CREATE INDEX case_participants_user ON case_participants (user_id, case_id);

CREATE TABLE case_roles (
    case_id         TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    role            TEXT NOT NULL,
    name            TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    department_id   TEXT REFERENCES departments (id) ON DELETE SET NULL,
    user_id         TEXT REFERENCES users (id) ON DELETE SET NULL,
    backup_user_id  TEXT REFERENCES users (id) ON DELETE SET NULL,
    engaged_at      TIMESTAMPTZ NOT NULL,
    acknowledged_at TIMESTAMPTZ,
    PRIMARY KEY (case_id, role)
);
CREATE INDEX case_roles_department ON case_roles (department_id, case_id);
CREATE INDEX case_roles_user ON case_roles (user_id);

CREATE TABLE case_tasks (
    id            TEXT PRIMARY KEY,
    case_id       TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    task_key      TEXT NOT NULL DEFAULT '', -- the playbook's task id
    role          TEXT NOT NULL,
    department_id TEXT REFERENCES departments (id) ON DELETE SET NULL,
    title         TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    due_at        TIMESTAMPTZ NOT NULL,
    status        TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
    done_at       TIMESTAMPTZ,
    done_by       TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX case_tasks_case ON case_tasks (case_id, due_at);
CREATE INDEX case_tasks_open ON case_tasks (status, due_at);

-- Recorded facts that start or satisfy regulatory clocks; the latest
-- recording of an event wins.
CREATE TABLE case_events (
    case_id     TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    event       TEXT NOT NULL,
    at          TIMESTAMPTZ NOT NULL,
    reference   TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL DEFAULT '', -- the person's name at the time
    recorded_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (case_id, event)
);

-- Append-only: nothing updates or deletes a line.
CREATE TABLE case_timeline (
    id         TEXT PRIMARY KEY,
    case_id    TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    body       TEXT NOT NULL,
    actor_id   TEXT NOT NULL DEFAULT '',
    actor_name TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX case_timeline_case ON case_timeline (case_id, created_at, id);

CREATE TABLE case_reviews (
    case_id              TEXT PRIMARY KEY REFERENCES cases (id) ON DELETE CASCADE,
    status               TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
    what_happened        TEXT NOT NULL DEFAULT '',
    timeline             TEXT NOT NULL DEFAULT '',
    went_well            TEXT NOT NULL DEFAULT '',
    was_hard             TEXT NOT NULL DEFAULT '',
    contributing_factors TEXT NOT NULL DEFAULT '',
    changes              TEXT NOT NULL DEFAULT '',
    opened_at            TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL,
    published_at         TIMESTAMPTZ
);

-- Each department's directory of who fills which case role.
CREATE TABLE duties (
    department_id  TEXT NOT NULL REFERENCES departments (id) ON DELETE CASCADE,
    role           TEXT NOT NULL,
    user_id        TEXT REFERENCES users (id) ON DELETE SET NULL,
    backup_user_id TEXT REFERENCES users (id) ON DELETE SET NULL,
    updated_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (department_id, role)
);

-- Escalations already sent, so that every replica's sweep sends each once:
-- a clock nearing or past its end, a task falling due.
CREATE TABLE case_alerts (
    case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    subject TEXT NOT NULL, -- clock:gdpr-33 or task:<id>
    level   TEXT NOT NULL, -- due-soon, overdue, due
    sent_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (case_id, subject, level)
);

CREATE INDEX reports_case ON reports (case_id) WHERE case_id IS NOT NULL;

-- +goose Down
DROP INDEX reports_case;
DROP TABLE case_alerts;
DROP TABLE duties;
DROP TABLE case_reviews;
DROP TABLE case_timeline;
DROP TABLE case_events;
DROP TABLE case_tasks;
DROP TABLE case_roles;
DROP TABLE case_participants;
DROP TABLE cases;
