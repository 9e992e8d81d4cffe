"""Two writers that read the same spot: the store lets exactly one of them write, on both stores.

A change names the status and the ``updated_at`` it was computed from
(:class:`heatmap.store.SpotChanges` ``expected`` and ``seen``); the store compares them
with the row it has locked for the write. Setting an ETA leaves the status as it was,
so only the time tells the second writer that the first one came before it.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pandas as pd
import pytest
import shapely

from heatmap.errors import ConflictError
from heatmap.store import Store, open_store
from heatmap.store.base import EVENT_COLUMNS, SPOT_COLUMNS, SpotChanges

NO_MEMBERS = pd.DataFrame(columns=["ticket_id", "spot_id"])


def stored_spot(store: Store, now: datetime) -> pd.Series:
    """Spot S1, queued and last changed at ``now``, as the store gives it back."""
    at = pd.Timestamp(now)
    shape = {
        "geometry": shapely.Point(39.88, 59.22).buffer(0.001),
        "centroid_lat": 59.22,
        "centroid_lon": 39.88,
    }
    counts = {"complaints": 4, "subscribers": 3, "priority": 12.5, "breakdown": {"segment": 1.0}}
    times = {"first_complaint_at": at, "last_complaint_at": at, "created_at": at, "updated_at": at}
    row = {**dict.fromkeys(SPOT_COLUMNS), **shape, **counts, **times}
    row.update(id="S1", status="queued", method="h3", kind="detected", escalated=False)
    events = pd.DataFrame(columns=list(EVENT_COLUMNS))
    store.apply_spot_changes(
        SpotChanges(at=now, spots=pd.DataFrame([row]), members=NO_MEMBERS, events=events)
    )
    return store.load_spots(ids=["S1"]).iloc[0]


def eta_change(read: pd.Series, *, at: datetime, eta: datetime, actor: str) -> SpotChanges:
    """What a writer who read ``read`` writes to set its ETA: guarded on what it read."""
    spot = read.to_frame().T.reset_index(drop=True)
    spot["eta"] = pd.Timestamp(eta)
    spot["updated_at"] = pd.Timestamp(at)
    event = {"spot_id": "S1", "at": at, "kind": "eta", "actor": actor, "eta": eta}
    return SpotChanges(
        at=at,
        spots=spot,
        members=NO_MEMBERS,
        events=pd.DataFrame([event], columns=list(EVENT_COLUMNS)),
        expected={"S1": str(read["status"])},
        seen={"S1": read["updated_at"]},
    )


def test_the_second_writer_with_the_same_updated_at_is_refused(store: Store, now: datetime) -> None:
    read = stored_spot(store, now)
    first = eta_change(read, at=now + timedelta(minutes=1), eta=now + timedelta(hours=2), actor="anna")
    second = eta_change(read, at=now + timedelta(minutes=2), eta=now + timedelta(hours=5), actor="boris")
    store.apply_spot_changes(first)
    version = store.spots_version()
    with pytest.raises(ConflictError, match=r"S1 changed meanwhile .*expected updated at"):
        store.apply_spot_changes(second)
    spot = store.load_spots(ids=["S1"]).iloc[0]
    assert spot["eta"] == pd.Timestamp(now + timedelta(hours=2))
    assert spot["updated_at"] == pd.Timestamp(now + timedelta(minutes=1))
    assert store.load_events("S1")["actor"].tolist() == ["anna"]  # nothing of the second
    assert store.spots_version() == version
    # reading again gives the writer what it needs to try again
    again = eta_change(spot, at=now + timedelta(minutes=3), eta=now + timedelta(hours=5), actor="boris")
    store.apply_spot_changes(again)
    assert store.load_events("S1")["actor"].tolist() == ["anna", "boris"]


def test_a_spot_gone_or_never_changed_is_told_apart(store: Store, now: datetime) -> None:
    read = stored_spot(store, now)
    ghost = eta_change(read, at=now, eta=now + timedelta(hours=1), actor="anna")
    ghost.seen = {"S2": pd.Timestamp(now)}
    with pytest.raises(ConflictError, match=r"S2 changed meanwhile \(now gone"):
        store.apply_spot_changes(ghost)
    unchanged = eta_change(read, at=now, eta=now + timedelta(hours=1), actor="anna")
    store.apply_spot_changes(unchanged)  # the same time as stored: no conflict
    assert store.load_events("S1")["actor"].tolist() == ["anna"]


def test_two_writers_at_once_exactly_one_wins(store: Store, now: datetime) -> None:
    """Two connections read the spot, then write together: one commits, one gets the conflict."""
    read = stored_spot(store, now)
    writers = [open_store(store.url), open_store(store.url)]
    changes = [
        eta_change(read, at=now + timedelta(minutes=n + 1), eta=now + timedelta(hours=n + 2), actor=name)
        for n, name in enumerate(("anna", "boris"))
    ]
    start = threading.Barrier(len(writers))
    outcomes: dict[str, str] = {}

    def write(writer: Store, change: SpotChanges) -> None:
        actor = str(change.events.at[0, "actor"])
        start.wait()
        try:
            writer.apply_spot_changes(change)
        except ConflictError:
            outcomes[actor] = "refused"
        else:
            outcomes[actor] = "written"

    threads = [threading.Thread(target=write, args=pair) for pair in zip(writers, changes, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for writer in writers:
        writer.close()
    assert sorted(outcomes.values()) == ["refused", "written"], outcomes
    (winner,) = [actor for actor, outcome in outcomes.items() if outcome == "written"]
    assert store.load_events("S1")["actor"].tolist() == [winner]
    won = changes[["anna", "boris"].index(winner)]
    assert store.load_spots(ids=["S1"]).iloc[0]["eta"] == won.spots.at[0, "eta"]
