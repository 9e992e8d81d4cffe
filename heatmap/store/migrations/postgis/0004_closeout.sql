-- Version 4 (PostGIS): the close-out — SMS outbox, delivery reports, inbound replies,
-- opt-outs and ratings. Mirrors sqlite/0004_closeout.sql.
CREATE TABLE sms_outbox (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    spot_id         text NOT NULL REFERENCES spots (id),
    subscriber_id   text NOT NULL,
    event           text NOT NULL,
    msisdn          text NOT NULL,
    address         text,
    cause           text,
    utc_offset_min  integer NOT NULL,
    zone_source     text NOT NULL,
    status          text NOT NULL CHECK (status IN ('pending', 'held', 'sending', 'sent',
                                        'delivered', 'undelivered', 'failed', 'cancelled')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    held_count      integer NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    claimed_at      timestamptz,
    sent_at         timestamptz,
    delivered_at    timestamptz,
    gateway         text,
    gateway_ref     text,
    text            text,
    parts           integer,
    last_error      text,
    link_expires_at timestamptz,
    link_used_at    timestamptz,
    UNIQUE (spot_id, subscriber_id, event)
);
CREATE INDEX sms_outbox_due ON sms_outbox (status, next_attempt_at);
CREATE INDEX sms_outbox_msisdn ON sms_outbox (msisdn, sent_at);

CREATE TABLE sms_reports (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    outbox_id bigint NOT NULL REFERENCES sms_outbox (id),
    at        timestamptz NOT NULL,
    code      integer NOT NULL,
    text      text
);
CREATE INDEX sms_reports_outbox ON sms_reports (outbox_id);

CREATE TABLE sms_inbound (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at        timestamptz NOT NULL,
    msisdn    text NOT NULL,
    outbox_id bigint REFERENCES sms_outbox (id),
    kind      text NOT NULL,
    text      text
);

CREATE TABLE sms_optouts (
    msisdn text PRIMARY KEY,
    at     timestamptz NOT NULL,
    source text NOT NULL
);

CREATE TABLE ratings (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    spot_id       text NOT NULL REFERENCES spots (id),
    subscriber_id text NOT NULL,
    outbox_id     bigint REFERENCES sms_outbox (id),
    event         text,
    rating        integer CHECK (rating BETWEEN 1 AND 5),
    persists      integer NOT NULL DEFAULT 0,
    comment       text,
    channel       text NOT NULL,
    at            timestamptz NOT NULL,
    superseded_at timestamptz
);
CREATE INDEX ratings_spot ON ratings (spot_id, subscriber_id);
CREATE UNIQUE INDEX ratings_current ON ratings (spot_id, subscriber_id) WHERE superseded_at IS NULL;
