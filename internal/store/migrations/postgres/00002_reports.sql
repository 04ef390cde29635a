-- +goose Up
-- Reports: what anyone in the organisation saw that looked wrong.

CREATE TABLE campaigns (
    id                TEXT PRIMARY KEY,
    fingerprint       TEXT NOT NULL UNIQUE, -- exact key: sender domain, normalised subject, URL set
    signature         TEXT NOT NULL DEFAULT '', -- MinHash of the first report's body, hex
    title             TEXT NOT NULL,
    sender_domain     TEXT NOT NULL DEFAULT '',
    status            TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'decided')),
    decision          TEXT NOT NULL DEFAULT '' CHECK (decision IN ('', 'malicious', 'spam', 'safe', 'simulation')),
    decision_note     TEXT NOT NULL DEFAULT '',
    decided_by        TEXT REFERENCES users (id),
    decided_at        TIMESTAMPTZ,
    report_count      INTEGER NOT NULL DEFAULT 0,
    first_reported_at TIMESTAMPTZ NOT NULL,
    last_reported_at  TIMESTAMPTZ NOT NULL,
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX campaigns_last ON campaigns (status, last_reported_at);

-- LSH band keys of each campaign's signature: near-duplicate candidates are
-- found by equal band keys, one index lookup per band, never by comparing all pairs.
CREATE TABLE campaign_bands (
    band_key    TEXT NOT NULL,
    campaign_id TEXT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    PRIMARY KEY (band_key, campaign_id)
);

CREATE TABLE reports (
    id             TEXT PRIMARY KEY,
    kind           TEXT NOT NULL CHECK (kind IN ('phishing', 'payment-fraud', 'suspicious-behaviour', 'lost-device', 'shadow-it', 'data-exposure', 'mistake', 'other')),
    title          TEXT NOT NULL,
    description    TEXT NOT NULL DEFAULT '',
    details        TEXT NOT NULL DEFAULT '{}', -- the kind's own answers, JSON
    status         TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'triaging', 'resolved', 'closed')),
    source         TEXT NOT NULL CHECK (source IN ('portal', 'api', 'email', 'anonymous')),
    -- NULL for anonymous reports and unknown mail senders: no identity is kept.
    reporter_id    TEXT REFERENCES users (id),
    anonymous      BOOLEAN NOT NULL DEFAULT FALSE,
    department_id  TEXT REFERENCES departments (id), -- the reporter's department when they reported
    campaign_id    TEXT REFERENCES campaigns (id),
    duplicate_of   TEXT REFERENCES reports (id),
    assignee_id    TEXT REFERENCES users (id),
    case_id        TEXT, -- the response capability links cases here
    simulation     BOOLEAN NOT NULL DEFAULT FALSE,
    verdict_level  TEXT NOT NULL DEFAULT '',
    verdict_score  INTEGER NOT NULL DEFAULT 0,
    verdict        TEXT NOT NULL DEFAULT '[]', -- the signals that produced the verdict, JSON
    resolution     TEXT NOT NULL DEFAULT '', -- the answer shown to the reporter
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX reports_status ON reports (status, created_at);
CREATE INDEX reports_reporter ON reports (reporter_id, created_at);
CREATE INDEX reports_department ON reports (department_id, created_at);
CREATE INDEX reports_campaign ON reports (campaign_id);

CREATE TABLE report_indicators (
    report_id TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    type      TEXT NOT NULL, -- url, domain, ip, email, attachment-sha256, attachment-name
    value     TEXT NOT NULL,
    note      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (report_id, type, value)
);
CREATE INDEX report_indicators_value ON report_indicators (type, value);

CREATE TABLE report_messages (
    id         TEXT PRIMARY KEY,
    report_id  TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    author     TEXT NOT NULL CHECK (author IN ('reporter', 'security')),
    author_id  TEXT REFERENCES users (id), -- NULL for an anonymous reporter
    body       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX report_messages_report ON report_messages (report_id, created_at);

CREATE TABLE report_attachments (
    id           TEXT PRIMARY KEY,
    report_id    TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    compressed   BOOLEAN NOT NULL DEFAULT FALSE, -- data is gzip (original messages kept as evidence)
    data         BYTEA NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX report_attachments_report ON report_attachments (report_id);

-- Anonymous receipts: a receipt is a public selector plus a secret. Only
-- the selector's hash (for an index lookup) and a slow hash of the whole
-- receipt are kept.
CREATE TABLE anonymous_receipts (
    selector_hash TEXT NOT NULL,
    verifier      TEXT NOT NULL, -- argon2id of the whole receipt
    report_id     TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    PRIMARY KEY (selector_hash, report_id)
);

-- +goose Down
DROP TABLE anonymous_receipts;
DROP TABLE report_attachments;
DROP TABLE report_messages;
DROP TABLE report_indicators;
DROP TABLE reports;
DROP TABLE campaign_bands;
DROP TABLE campaigns;
