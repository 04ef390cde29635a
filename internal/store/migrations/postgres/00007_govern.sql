-- +goose Up
-- Govern: the risk register with each department's impact, the
-- organisation's controls mapped to frameworks with their evidence, the
-- security committee, security reviews of new projects, and the app catalogue.

CREATE TABLE risks (
    id                  TEXT PRIMARY KEY,
    title               TEXT NOT NULL,
    description         TEXT NOT NULL DEFAULT '',
    category            TEXT NOT NULL DEFAULT '',
    owner_department_id TEXT NOT NULL REFERENCES departments (id),
    owner_user_id       TEXT REFERENCES users (id) ON DELETE SET NULL,
    -- 5×5 matrix: every score is 1–5
    inherent_likelihood INTEGER NOT NULL CHECK (inherent_likelihood BETWEEN 1 AND 5),
    inherent_impact     INTEGER NOT NULL CHECK (inherent_impact BETWEEN 1 AND 5),
    residual_likelihood INTEGER NOT NULL CHECK (residual_likelihood BETWEEN 1 AND 5),
    residual_impact     INTEGER NOT NULL CHECK (residual_impact BETWEEN 1 AND 5),
    -- overall residual score (1–25), rolled up from the departmental impacts; kept for sorting and the agenda
    score               INTEGER NOT NULL DEFAULT 1,
    treatment           TEXT NOT NULL CHECK (treatment IN ('mitigate', 'transfer', 'avoid', 'accept')),
    treatment_plan      TEXT NOT NULL DEFAULT '',
    review_on           TEXT NOT NULL DEFAULT '', -- YYYY-MM-DD
    acceptance          TEXT NOT NULL DEFAULT '' CHECK (acceptance IN ('', 'pending', 'approved')),
    head_signoff_by     TEXT NOT NULL DEFAULT '',
    head_signoff_at     TIMESTAMPTZ,
    security_signoff_by TEXT NOT NULL DEFAULT '',
    security_signoff_at TIMESTAMPTZ,
    created_by          TEXT NOT NULL DEFAULT '',
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX risks_owner ON risks (owner_department_id);
CREATE INDEX risks_score ON risks (score, created_at);

CREATE TABLE risk_impacts (
    risk_id       TEXT NOT NULL REFERENCES risks (id) ON DELETE CASCADE,
    department_id TEXT NOT NULL REFERENCES departments (id),
    concern       TEXT NOT NULL DEFAULT '',
    statement     TEXT NOT NULL DEFAULT '',
    score         INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    updated_by    TEXT NOT NULL DEFAULT '',
    updated_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (risk_id, department_id)
);
CREATE INDEX risk_impacts_department ON risk_impacts (department_id);

CREATE TABLE controls (
    id                  TEXT PRIMARY KEY,
    title               TEXT NOT NULL,
    description         TEXT NOT NULL DEFAULT '',
    owner_department_id TEXT NOT NULL REFERENCES departments (id),
    status              TEXT NOT NULL CHECK (status IN ('not-started', 'partial', 'implemented', 'not-applicable')),
    justification       TEXT NOT NULL DEFAULT '', -- why not applicable, for the Statement of Applicability
    created_by          TEXT NOT NULL DEFAULT '',
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX controls_owner ON controls (owner_department_id);

-- A control satisfies framework requirements, named by the framework's own identifiers.
CREATE TABLE control_mappings (
    control_id     TEXT NOT NULL REFERENCES controls (id) ON DELETE CASCADE,
    framework_id   TEXT NOT NULL,
    requirement_id TEXT NOT NULL,
    PRIMARY KEY (control_id, framework_id, requirement_id)
);
CREATE INDEX control_mappings_framework ON control_mappings (framework_id, requirement_id);

CREATE TABLE risk_controls (
    risk_id    TEXT NOT NULL REFERENCES risks (id) ON DELETE CASCADE,
    control_id TEXT NOT NULL REFERENCES controls (id) ON DELETE CASCADE,
    PRIMARY KEY (risk_id, control_id)
);

CREATE TABLE evidence (
    id           TEXT PRIMARY KEY,
    control_id   TEXT NOT NULL REFERENCES controls (id) ON DELETE CASCADE,
    title        TEXT NOT NULL,
    url          TEXT NOT NULL DEFAULT '', -- a link, or empty for a file
    filename     TEXT NOT NULL DEFAULT '',
    content_type TEXT NOT NULL DEFAULT '',
    size         INTEGER NOT NULL DEFAULT 0,
    data         BYTEA,
    valid_until  TEXT NOT NULL DEFAULT '', -- YYYY-MM-DD; empty: does not expire
    added_by     TEXT NOT NULL DEFAULT '',
    added_by_name TEXT NOT NULL DEFAULT '',
    reminded_at  TIMESTAMPTZ, -- when its owner was told it expires; NULL: not yet
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX evidence_control ON evidence (control_id, valid_until);
CREATE INDEX evidence_valid_until ON evidence (valid_until);

-- Frameworks imported from OSCAL catalogs; the shipped ones live in code.
CREATE TABLE frameworks (
    id           TEXT PRIMARY KEY,
    title        TEXT NOT NULL,
    version      TEXT NOT NULL DEFAULT '',
    requirements TEXT NOT NULL, -- JSON array of frameworks.Requirement
    created_by   TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL
);

CREATE TABLE committee_members (
    user_id       TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    department_id TEXT NOT NULL REFERENCES departments (id),
    created_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE meetings (
    id               TEXT PRIMARY KEY,
    title            TEXT NOT NULL,
    starts_at        TIMESTAMPTZ NOT NULL,
    duration_minutes INTEGER NOT NULL CHECK (duration_minutes BETWEEN 1 AND 1440),
    location         TEXT NOT NULL DEFAULT '',
    minutes          TEXT NOT NULL DEFAULT '',
    -- bumped on every change, so calendars replace the event (RFC 5545 SEQUENCE)
    sequence         INTEGER NOT NULL DEFAULT 0,
    created_by       TEXT NOT NULL DEFAULT '',
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX meetings_starts ON meetings (starts_at);

-- Free agenda items; the rest of the agenda is built from what changed.
CREATE TABLE meeting_items (
    id         TEXT PRIMARY KEY,
    meeting_id TEXT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    title      TEXT NOT NULL,
    notes      TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX meeting_items_meeting ON meeting_items (meeting_id, created_at);

-- The decisions register: each decision names what it decided on.
CREATE TABLE decisions (
    id          TEXT PRIMARY KEY,
    meeting_id  TEXT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    text        TEXT NOT NULL,
    object_type TEXT NOT NULL DEFAULT '', -- risk, control, evidence, project-review, action-item, agenda-item, or empty
    object_id   TEXT NOT NULL DEFAULT '',
    created_by  TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX decisions_meeting ON decisions (meeting_id, created_at);
CREATE INDEX decisions_object ON decisions (object_type, object_id);

CREATE TABLE project_reviews (
    id            TEXT PRIMARY KEY,
    title         TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    vendor        TEXT NOT NULL DEFAULT '',
    cost          INTEGER NOT NULL DEFAULT 0 CHECK (cost >= 0), -- yearly, in whole currency units
    data          TEXT NOT NULL DEFAULT '', -- comma-separated: personal-data, employee-data, payment-data, customer-data, confidential-ip
    departments   TEXT NOT NULL DEFAULT '', -- comma-separated department ids using it
    integrations  BOOLEAN NOT NULL DEFAULT FALSE,
    sso           BOOLEAN NOT NULL DEFAULT FALSE,
    new_contract  BOOLEAN NOT NULL DEFAULT FALSE,
    app_name      TEXT NOT NULL DEFAULT '', -- the app it adds to the catalogue when approved
    status        TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'approved-with-conditions', 'rejected')),
    requester_id  TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX project_reviews_status ON project_reviews (status, created_at);

CREATE TABLE review_signoffs (
    review_id  TEXT NOT NULL REFERENCES project_reviews (id) ON DELETE CASCADE,
    duty       TEXT NOT NULL CHECK (duty IN ('security', 'legal', 'hr', 'finance', 'it')),
    decision   TEXT NOT NULL DEFAULT '' CHECK (decision IN ('', 'approve', 'approve-with-conditions', 'reject')),
    conditions TEXT NOT NULL DEFAULT '',
    decided_by TEXT NOT NULL DEFAULT '',
    decided_by_name TEXT NOT NULL DEFAULT '',
    decided_at TIMESTAMPTZ,
    PRIMARY KEY (review_id, duty)
);

CREATE TABLE apps (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('approved', 'tolerated', 'banned')),
    description TEXT NOT NULL DEFAULT '',
    alternative TEXT NOT NULL DEFAULT '', -- the safer approved app, for a banned one
    reason      TEXT NOT NULL DEFAULT '',
    review_id   TEXT REFERENCES project_reviews (id) ON DELETE SET NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX apps_name_key ON apps (lower(name));

-- +goose Down
DROP TABLE apps;
DROP TABLE review_signoffs;
DROP TABLE project_reviews;
DROP TABLE decisions;
DROP TABLE meeting_items;
DROP TABLE meetings;
DROP TABLE committee_members;
DROP TABLE frameworks;
DROP TABLE evidence;
DROP TABLE risk_controls;
DROP TABLE control_mappings;
DROP TABLE controls;
DROP TABLE risk_impacts;
DROP TABLE risks;
