"""Retention: personal data of closed complaints removed after a number of days.

One set of statements for both stores (the dialects differ only in placeholders and in
how a JSON key is dropped). A complaint is *closed* when it belongs to no open spot
(no spot, or a resolved, rejected or merged one); when it was made before the cut-off,
its phone number, its text and the address as typed are removed, and so is every copy
of them: the old values kept by ``complaint_changes``, the close-out SMS to it (number
and text, once the SMS is final), replies and delivery reports, the comment of its
rating. Bad rows kept in the quarantine (their raw lines hold whole rows) go after the
same time. What stays: the complaint itself with its time, pseudonymous subscriber
id, segment, topic, point and precision, so counts, spots, KPIs and history are
unchanged; ratings keep their score; opt-outs stay as long as they stand (they are
the client's own request not to be texted).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

__all__ = ["PURGED", "purge_statements"]

#: What :meth:`Store.purge_personal_data` reports, in order: rows changed per table.
PURGED: tuple[str, ...] = (
    "complaints",
    "complaint_changes",
    "sms_outbox",
    "sms_reports",
    "sms_inbound",
    "ratings",
    "quarantine",
)
_OPEN = "('new', 'queued', 'in_progress', 'reopened')"
_FINAL_SMS = "('sent', 'delivered', 'undelivered', 'failed', 'cancelled')"
_FREE = ("msisdn", "description", "address")


def purge_statements(
    dialect: Literal["sqlite", "postgis"], before: datetime | str
) -> list[tuple[str, str, tuple[Any, ...]]]:
    """``(table, statement, parameters)`` in the order to run them, in one transaction.

    ``before`` is the cut-off (an ISO text for SQLite, as it stores times; a datetime
    for PostGIS). Each statement changes only rows that still hold something to remove,
    so its row count is what it removed and running it twice changes nothing.
    """
    p = "?" if dialect == "sqlite" else "%s"
    closed = (
        f"c.created_at < {p} AND (c.spot_id IS NULL OR c.spot_id NOT IN "
        f"(SELECT id FROM spots WHERE status IN {_OPEN}))"
    )
    closed_spot = f"spot_id NOT IN (SELECT id FROM spots WHERE status IN {_OPEN})"
    if dialect == "sqlite":
        dropped = "json_remove(old_values, '$.msisdn', '$.description', '$.address')"
        holds = (
            "(json_extract(old_values, '$.msisdn') IS NOT NULL OR "
            "json_extract(old_values, '$.description') IS NOT NULL OR "
            "json_extract(old_values, '$.address') IS NOT NULL)"
        )
    else:
        dropped = "old_values - ARRAY['msisdn', 'description', 'address']"
        holds = "old_values ?| ARRAY['msisdn', 'description', 'address']"
    purged_outbox = f"SELECT id FROM sms_outbox WHERE msisdn = '' AND status IN {_FINAL_SMS}"
    return [
        (
            "complaints",
            f"UPDATE complaints SET msisdn = NULL, description = NULL, address = NULL "
            f"WHERE ticket_id IN (SELECT c.ticket_id FROM complaints c WHERE {closed}) "
            f"AND ({' OR '.join(f'{name} IS NOT NULL' for name in _FREE)})",
            (before,),
        ),
        (
            "complaint_changes",
            f"UPDATE complaint_changes SET old_values = {dropped} WHERE old_values IS NOT NULL "
            f"AND {holds} AND ticket_id IN (SELECT c.ticket_id FROM complaints c WHERE {closed})",
            (before,),
        ),
        (
            "sms_outbox",
            f"UPDATE sms_outbox SET msisdn = '', text = NULL WHERE created_at < {p} "
            f"AND status IN {_FINAL_SMS} AND {closed_spot} AND (msisdn <> '' OR text IS NOT NULL)",
            (before,),
        ),
        (
            "sms_reports",
            f"UPDATE sms_reports SET text = NULL WHERE text IS NOT NULL AND outbox_id IN ({purged_outbox})",
            (),
        ),
        (
            "sms_inbound",
            f"UPDATE sms_inbound SET msisdn = '', text = NULL WHERE at < {p} "
            f"AND (outbox_id IS NULL OR outbox_id IN ({purged_outbox})) "
            f"AND (msisdn <> '' OR text IS NOT NULL)",
            (before,),
        ),
        (
            "ratings",
            f"UPDATE ratings SET comment = NULL WHERE at < {p} AND comment IS NOT NULL AND {closed_spot}",
            (before,),
        ),
        ("quarantine", f"DELETE FROM quarantine WHERE at < {p}", (before,)),
    ]
