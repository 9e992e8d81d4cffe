-- Version 4: the close-out — an SMS outbox written with the resolution, delivery
-- reports, inbound replies, opt-outs and client ratings (every answer kept).
CREATE TABLE sms_outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    spot_id         TEXT NOT NULL REFERENCES spots (id),
    subscriber_id   TEXT NOT NULL,
    event           TEXT NOT NULL,
    msisdn          TEXT NOT NULL,
    address         TEXT,
    cause           TEXT,
    utc_offset_min  INTEGER NOT NULL,
    zone_source     TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'held', 'sending', 'sent',
                                        'delivered', 'undelivered', 'failed', 'cancelled')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    held_count      INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    claimed_at      TEXT,
    sent_at         TEXT,
    delivered_at    TEXT,
    gateway         TEXT,
    gateway_ref     TEXT,
    text            TEXT,
    parts           INTEGER,
    last_error      TEXT,
    link_expires_at TEXT,
    link_used_at    TEXT,
    UNIQUE (spot_id, subscriber_id, event)
);
CREATE INDEX sms_outbox_due ON sms_outbox (status, next_attempt_at);
CREATE INDEX sms_outbox_msisdn ON sms_outbox (msisdn, sent_at);

CREATE TABLE sms_reports (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    outbox_id INTEGER NOT NULL REFERENCES sms_outbox (id),
    at        TEXT NOT NULL,
    code      INTEGER NOT NULL,
    text      TEXT
);
CREATE INDEX sms_reports_outbox ON sms_reports (outbox_id);

CREATE TABLE sms_inbound (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    at        TEXT NOT NULL,
    msisdn    TEXT NOT NULL,
    outbox_id INTEGER REFERENCES sms_outbox (id),
    kind      TEXT NOT NULL,
    text      TEXT
);

CREATE TABLE sms_optouts (
    msisdn TEXT PRIMARY KEY,
    at     TEXT NOT NULL,
    source TEXT NOT NULL
);

CREATE TABLE ratings (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    spot_id       TEXT NOT NULL REFERENCES spots (id),
    subscriber_id TEXT NOT NULL,
    outbox_id     INTEGER REFERENCES sms_outbox (id),
    event         TEXT,
    rating        INTEGER CHECK (rating BETWEEN 1 AND 5),
    persists      INTEGER NOT NULL DEFAULT 0,
    comment       TEXT,
    channel       TEXT NOT NULL,
    at            TEXT NOT NULL,
    superseded_at TEXT
);
CREATE INDEX ratings_spot ON ratings (spot_id, subscriber_id);
CREATE UNIQUE INDEX ratings_current ON ratings (spot_id, subscriber_id) WHERE superseded_at IS NULL;
