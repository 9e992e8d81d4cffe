"""The transactional outbox: which SMS a resolution owes, planned as rows.

When a spot is resolved, :func:`resolution_outbox` plans one message per distinct
complainant who left a mobile number and has not opted out; the workflow writes
the rows with the status change in one transaction
(:class:`heatmap.store.base.SpotChanges` ``outbox``), so a resolution never loses
its notifications and a failed resolution never sends any. The store skips a row
whose (spot, subscriber, event) it holds already, so each is owed exactly once.
``event`` is ``resolved:N`` — the spot's N-th resolution (a spot reopened and fixed
again tells its clients again).
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from heatmap.closeout.zones import ZoneBook, default_zone_book
from heatmap.domain.outbox import NEW_OUTBOX_COLUMNS, SmsStatus
from heatmap.store.base import Store

__all__ = ["plan_outbox", "resolution_event", "resolution_outbox"]


def resolution_event(events: pd.DataFrame) -> str:
    """``resolved:N`` for the resolution about to be recorded, given the spot's events."""
    done = ((events["kind"] == "transition") & (events["to_status"] == "resolved")).sum()
    return f"resolved:{int(done) + 1}"


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def plan_outbox(
    spot: pd.Series,
    complaints: pd.DataFrame,
    *,
    optouts: set[str],
    event: str,
    now: datetime,
    zones: ZoneBook,
) -> pd.DataFrame:
    """Rows (:data:`NEW_OUTBOX_COLUMNS`) owed to the spot's complainants. Pure.

    Per subscriber the latest complaint with a number gives the number and the
    place for the time zone (its address names the city, its region the region).
    """
    with_number = complaints[complaints["msisdn"].fillna("").astype(str).str.len() > 0]
    latest = with_number.sort_values(["created_at", "ticket_id"]).drop_duplicates(
        "subscriber_id", keep="last"
    )
    latest = latest[~latest["msisdn"].isin(optouts)]
    spot_address = _text(spot.get("address"))
    cause = _text(spot.get("cause")) or _text(spot.get("suggested_cause"))
    rows = []
    for complaint in latest.sort_values("subscriber_id").itertuples(index=False):
        region = _text(complaint.region) or _text(spot.get("region"))
        raw, matched = _text(complaint.address), _text(complaint.matched_address)
        place = " ; ".join(a for a in (raw, matched) if a)  # "г Вологда …" names the city
        offset, source = zones.offset(address=place, region=region, msisdn=complaint.msisdn)
        rows.append(
            {
                "spot_id": spot["id"],
                "subscriber_id": complaint.subscriber_id,
                "event": event,
                "msisdn": complaint.msisdn,
                "address": spot_address or matched or raw,
                "cause": cause,
                "utc_offset_min": offset,
                "zone_source": source,
                "status": SmsStatus.PENDING.value,
                "next_attempt_at": now,
                "created_at": now,
                "updated_at": now,
            }
        )
    return pd.DataFrame(rows, columns=list(NEW_OUTBOX_COLUMNS))


def resolution_outbox(store: Store, spot: pd.Series, *, now: datetime) -> pd.DataFrame:
    """The outbox rows a resolution of ``spot`` writes (read from the store, planned purely)."""
    spot_id = str(spot["id"])
    return plan_outbox(
        spot,
        store.load_complaints(spot_ids=[spot_id]),
        optouts=set(store.load_optouts()["msisdn"]),
        event=resolution_event(store.load_events(spot_id)),
        now=now,
        zones=default_zone_book(),
    )
