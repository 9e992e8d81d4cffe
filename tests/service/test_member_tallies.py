"""A join recounts and prioritises from its spots' members tallied: the same spots as from
the members themselves (:func:`recount`, :func:`prioritise`), to the last bit."""

from __future__ import annotations

import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from heatmap.core.policy import load_policy
from heatmap.core.priority import prioritise
from heatmap.detect.run import DetectParams
from heatmap.detect.spots import recount
from heatmap.service import detect_spots, ingest, workflow
from heatmap.service.member_tallies import prioritise_tallied, recount_tallied, tallied
from heatmap.service.pipeline import ingest_exports, read_mapped
from heatmap.store import Store

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
POLICY = load_policy()
#: escalating from two complainants, so that a handful of them can double
EAGER = POLICY.model_copy(update={"escalation": POLICY.escalation.model_copy(update={"min_subscribers": 2})})
KEYS = ["spot_id", "subscriber_id", "segment", "topic"]
COMPARED = [
    "complaints",
    "subscribers",
    "first_complaint_at",
    "last_complaint_at",
    "dominant_topic",
    "priority",
    "breakdown",
    "escalated",
]

member = st.tuples(
    st.sampled_from(["S1", "S2"]),
    st.sampled_from("abcd"),
    st.sampled_from(["mass", "vip", "gold"]),  # gold: no weight in the policy
    st.sampled_from([None, "", "no_coverage", "slow_data"]),
    st.sampled_from([np.nan, 0.0, 0.1, 10.5, 1234.567, 5e5]),
    st.sampled_from([0, 30, 600, 1430, 1440, 1450, 2000, 2900]),  # minutes before NOW: windows of 24 h
)


Drawn = tuple[str, str, str, str | None, float, int]
#: ticket, made at, caller, segment, LTV, topic, lat, lon
Row = tuple[str, datetime, str, str, str, str, float, float]


def members_of(drawn: list[Drawn]) -> pd.DataFrame:
    spot, subscriber, segment, topic, ltv, minutes = zip(*drawn, strict=True)
    made = pd.Timestamp(NOW) - pd.to_timedelta(np.array(minutes), unit="min")
    return pd.DataFrame(
        {
            "ticket_id": [f"T{i}" for i in range(len(drawn))],
            "spot_id": spot,
            "subscriber_id": subscriber,
            "segment": segment,
            "topic": pd.Series(topic, dtype=object),
            "ltv": np.array(ltv, dtype=float),
            "created_at": made,
        }
    )


def grouped(members: pd.DataFrame) -> pd.DataFrame:
    """Members tallied as a store does (:meth:`load_member_tallies`)."""
    return (
        members.assign(ltv=members["ltv"].fillna(0.0))
        .groupby(KEYS, dropna=False)
        .agg(
            complaints=("ticket_id", "size"),
            first_at=("created_at", "min"),
            last_at=("created_at", "max"),
            ltv=("ltv", "max"),
        )
        .reset_index()
    )


SPOTS = pd.DataFrame(
    {
        "id": ["S1", "S2", "S3"],  # S3 has no members: its counts stay
        "complaints": [1, 1, 4],
        "subscribers": [1, 1, 3],
        "first_complaint_at": [pd.Timestamp(NOW)] * 3,
        "last_complaint_at": [pd.Timestamp(NOW)] * 3,
        "dominant_topic": ["no_data", None, "no_4g"],
        "excess": [np.nan, 2.5, np.nan],
    }
)


@settings(max_examples=60, deadline=None)
@given(st.lists(member, min_size=1, max_size=40), st.integers(0, 40))
def test_tallies_give_what_the_members_give(drawn: list[Drawn], stored: int) -> None:
    members = members_of(drawn)
    # the members already in come tallied from the store, the joining ones one by one
    tallies = pd.concat([grouped(members.iloc[:stored]), tallied(members.iloc[stored:])], ignore_index=True)
    counted = recount_tallied(SPOTS, tallies)
    pd.testing.assert_frame_equal(counted, recount(SPOTS, members), check_exact=True)
    for policy in (POLICY, EAGER):
        expected = prioritise(counted, members, policy, now=NOW)
        scored = prioritise_tallied(counted, tallies, policy, now=NOW)
        pd.testing.assert_frame_equal(scored, expected, check_exact=True)


def export(path: Path, rows: list[Row]) -> Path:
    lines = [
        f"{t},{at.isoformat()},8916{zlib.crc32(who.encode()) % 10**7:07d},{seg},{ltv},{topic},,{lat},{lon},R"
        for t, at, who, seg, ltv, topic, lat, lon in rows
    ]
    header = "ticket_id,created_at,msisdn,segment,ltv,topic,description,lat,lon,region\n"
    path.write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def place_rows(prefix: str, n: int, start: datetime, hours: int, seed: int) -> list[Row]:
    """``n`` complaints over ``hours`` around two places, callers often calling again."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        lat, lon = (59.2200, 39.8800) if rng.random() < 0.6 else (59.2600, 39.9300)
        who = int(rng.integers(0, n // 2 + 1))
        rows.append(
            (
                f"{prefix}{i}",
                start + timedelta(minutes=int(rng.integers(0, hours * 60))),
                f"who{who}",
                ("mass", "mass", "vip", "b2b")[who % 4],
                rng.choice(["", "0", "150", "2500.75"]),
                rng.choice(["", "no_coverage", "slow_data"]),
                lat + rng.normal(0, 2e-4),
                lon + rng.normal(0, 2e-4),
            )
        )
    return rows


def test_a_join_writes_the_spots_a_full_recount_gives(store: Store, tmp_path: Path) -> None:
    first = datetime(2026, 11, 19, 6, tzinfo=UTC)
    ingest(store, [export(tmp_path / "a.csv", place_rows("A", 60, first, 20, 1))], now=first, policy=POLICY)
    detect_spots(store, params=DetectParams(rule="count"), policy=POLICY, now=first + timedelta(hours=20))
    before = store.load_spots(statuses=["queued", "new"])
    assert len(before) == 2
    later = first + timedelta(hours=30)  # callers of the first day call again
    rows = place_rows("B", 40, later, 10, 2)
    path = export(tmp_path / "b.csv", rows)
    ingest_exports(store, [(str(path), read_mapped(path, None))], now=later)  # stored, not joined
    free = store.load_complaints(ticket_ids=[r[0] for r in rows])
    now = later + timedelta(hours=11)  # the growth and doubling windows (24 h) split the first day
    joined = workflow.join_complaints(store, free, now=now, policy=POLICY, reach_m=POLICY.join.reach_m)
    assert len(joined) >= 10 and set(joined["spot_id"]) == set(before["id"])
    members = store.load_complaints(spot_ids=before["id"].tolist())
    expected = prioritise(recount(before, members), members, POLICY, now=now).set_index("id")
    after = store.load_spots(ids=before["id"].tolist()).set_index("id")
    pd.testing.assert_frame_equal(after.loc[expected.index, COMPARED], expected[COMPARED], check_dtype=False)
    assert (after["updated_at"] == pd.Timestamp(now)).all()
    notes = store.load_events()
    notes = notes[notes["kind"] == "joined"].set_index("spot_id")["note"].sort_index()
    per_spot = joined.groupby("spot_id").size().sort_index()
    assert notes.tolist() == [f"{n} complaint(s) joined" for n in per_spot]
