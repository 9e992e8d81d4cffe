"""The pipeline: ingest, geocode, detect.

Each function here is one step of the flow (DESIGN.md): it reads from a store,
calls pure core functions, and writes the result back in one store call.
The clock comes in as ``now``; nothing here formats output for people.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd

from heatmap.core.ingest import Validated, validate_parts
from heatmap.core.mapping import Profile, apply_profile, check_header
from heatmap.core.policy import Policy, load_policy
from heatmap.detect.run import DetectParams, Labeller, detect, label_points
from heatmap.domain import OPEN_STATUSES
from heatmap.errors import InputError
from heatmap.geocode.base import Geocoder
from heatmap.io.exports import RawExport, read_export
from heatmap.service.exposure import keep_address_exposure
from heatmap.store.base import IngestPart, IngestWrite, SpotChanges, Store

#: Told ``(file, rows)`` as each part of a file is validated; a file's calls add up to its rows.
Progress = Callable[[str, int], None]
#: Told ``(done, total)`` complaints as each batch of geocoding is stored.
GeocodeProgress = Callable[[int, int], None]
#: Told the phase :func:`detect_spots` starts, one of :data:`DETECT_PHASES`.
DetectProgress = Callable[[str], None]
#: The phases of :func:`detect_spots`, in order.
DETECT_PHASES = ("reading complaints", "exposure", "detection, identities, routing", "writing")
COUNT_KEYS = ("read", "inserted", "updated", "unchanged", "quarantined")


def init_store(store: Store) -> list[int]:
    """Create or upgrade the schema; return the migrations applied."""
    return store.upgrade()


@dataclass
class IngestReport:
    totals: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNT_KEYS, 0))
    files: list[tuple[str, dict[str, int]]] = field(default_factory=list)
    geocoded: dict[str, int] = field(default_factory=dict)
    joined: int = 0
    #: (file, reason, rows with it, rows read) where one reason quarantined >= half a file
    mostly_bad: list[tuple[str, str, int, int]] = field(default_factory=list)


#: One reason quarantining at least this share of a file's rows is said out loud.
MOSTLY_BAD = 0.5


def ingest(
    store: Store,
    paths: Sequence[str | Path],
    *,
    now: datetime,
    geocoder: Geocoder | None = None,
    city: str | None = None,
    progress: Progress | None = None,
    policy: Policy | None = None,
    gazetteer_entries: pd.DataFrame | None = None,
    profile: Profile | None = None,
    geocoding: GeocodeProgress | None = None,
) -> IngestReport:
    """Read, validate and store CRM exports, one transaction per file.

    With a ``geocoder``, new address-only complaints are geocoded right away;
    without one they wait (precision empty) for :func:`geocode_pending`. Located
    complaints inside or near an open spot then join it at once (``policy.join``).
    ``gazetteer_entries`` (those the geocoder was built from) are kept in the store as
    its address exposure layer (houses per cell), which detection then expects by.
    ``profile`` maps files in other shapes to the contract; every file is read and its
    header checked before anything is written (a missing required column refuses all).
    """
    raws = [read_mapped(path, profile) for path in paths]
    if gazetteer_entries is not None:
        keep_address_exposure(store, gazetteer_entries)
    exports = [(str(path), raw) for path, raw in zip(paths, raws, strict=True)]
    formats = profile.date_formats if profile else ()
    values = {name: tuple(given) for name, given in profile.values.items()} if profile else None
    report = ingest_exports(store, exports, now=now, progress=progress, date_formats=formats, values=values)
    if geocoder is not None:
        report.geocoded = geocode_pending(store, geocoder, city=city, progress=geocoding)
    report.joined = join_recent(store, policy=policy or load_policy(), now=now)
    return report


def ingest_exports(
    store: Store,
    exports: Sequence[tuple[str, RawExport]],
    *,
    now: datetime,
    progress: Progress | None = None,
    key: bytes | None = None,
    date_formats: Sequence[str] = (),
    values: Mapping[str, Sequence[str]] | None = None,
) -> IngestReport:
    """Validate and store exports already read (``(source, raw)``), one transaction each:
    the storing half of :func:`ingest`, for callers holding rows in memory (the replay).
    Joining to open spots is left to the caller (:func:`join_recent`). ``date_formats``:
    those of the profile the exports were read by, named to a created_at not read;
    ``values``: its writings of segment, topic and channel, named to an unknown one."""
    key = store.secret() if key is None else key
    report = IngestReport()
    for path, raw in exports:
        reasons: Counter[str] = Counter()
        parts = _counted(
            validate_parts(
                raw,
                key=key,
                rows=part_rows(len(raw.rows)),
                first=5_000,
                date_formats=date_formats,
                values=values,
            ),
            path,
            progress,
            reasons,
        )
        first = next(parts)
        counts = store.apply_ingest(
            IngestWrite(
                source=path,
                at=now,
                read=len(raw.rows) + len(raw.broken),
                complaints=first.complaints,
                quarantine=first.quarantine,
                rest=(IngestPart(p.complaints, p.quarantine) for p in parts),
            )
        )
        report.files.append((path, counts))
        report.mostly_bad += [
            (path, reason, rows, counts["read"])
            for reason, rows in reasons.most_common()
            if counts["read"] and rows >= MOSTLY_BAD * counts["read"]
        ]
        for name in COUNT_KEYS:
            report.totals[name] += counts[name]
    return report


def read_mapped(path: str | Path, profile: Profile | None) -> RawExport:
    """An export read as ``profile`` says, its header checked, mapped to the contract."""
    chosen = profile or Profile(name="teplokarty")
    raw = read_export(path, chosen.reading)
    headers = [str(c) for c in raw.rows.columns]
    try:
        check_header(headers, chosen)
    except InputError as exc:
        raise InputError(f"{path}: {exc}{better_profile(headers, chosen.name)}") from exc
    raw.rows = apply_profile(raw.rows, chosen)
    return raw


def better_profile(headers: list[str], current: str) -> str:
    """A sentence naming the shipped profile that reads most of ``headers`` (three fields
    or more), when it is not ``current``; else empty."""
    from heatmap.io.profiles import guess_profile

    name, found = guess_profile(headers)[0]
    return (
        f" The {name} profile reads {found} of its fields: --profile {name}."
        if (name != current and found >= 3)
        else ""
    )


def _counted(
    parts: Iterator[Validated], path: str, progress: Progress | None, reasons: Counter[str]
) -> Iterator[Validated]:
    """``parts``, telling ``progress`` the rows of each as it is validated and counting
    each quarantine reason in ``reasons``."""
    for part in parts:
        if progress:
            progress(path, part.read)
        for joined in part.quarantine["reasons"].tolist():
            reasons.update(r for r in _reason_kinds(str(joined)))
        yield part


def _reason_kinds(joined: str) -> list[str]:
    """A row's reasons without the values they quote (so alike rows count together)."""
    return [r.split(" (got ", 1)[0].split(": ", 1)[0] for r in joined.split("; ") if r]


def part_rows(total: int, *, parts: int = 4, smallest: int = 20_000, largest: int = 40_000) -> int:
    """Rows per validated part: a few parts, so that validating one overlaps writing another,
    and none so big that the write of the last one is a long wait on its own."""
    return min(largest, max(smallest, -(-total // parts)))


def join_recent(store: Store, *, policy: Policy, now: datetime) -> int:
    """Join located complaints without a spot to the open spot covering them."""
    from heatmap.service.workflow import join_complaints

    if store.load_spots(statuses=sorted(OPEN_STATUSES)).empty:
        return 0
    since = pd.Timestamp(now) - pd.Timedelta(days=policy.join.window_days)
    recent = store.load_complaints(since=since.to_pydatetime())
    joined = join_complaints(store, recent, now=now, policy=policy, reach_m=policy.join.reach_m)
    return len(joined)


def geocode_pending(
    store: Store,
    geocoder: Geocoder,
    *,
    city: str | None = None,
    batch: int = 50_000,
    gazetteer_entries: pd.DataFrame | None = None,
    progress: GeocodeProgress | None = None,
) -> dict[str, int]:
    """Geocode every complaint still waiting for a point; counts by precision; ``progress``
    is told the complaints done after each batch.

    ``gazetteer_entries`` (those the geocoder was built from) are kept in the store as
    its address exposure layer, as by :func:`ingest`.
    """
    if gazetteer_entries is not None:
        keep_address_exposure(store, gazetteer_entries)
    pending = store.load_complaints(pending_geocode=True)
    counts: dict[str, int] = {}
    for start in range(0, len(pending), batch):
        part = pending.iloc[start : start + batch]
        answer = geocoder.geocode(part["address"].tolist(), city=city)
        answer = answer.reset_index(drop=True)
        geocodes = pd.DataFrame(
            {
                "ticket_id": part["ticket_id"].to_numpy(),
                "lat": answer["lat"],
                "lon": answer["lon"],
                "precision": answer["precision"],
                "geo_score": answer["score"],
                "matched_address": answer["matched"],
                "geo_reason": answer["reason"],
            }
        )
        store.save_geocodes(geocodes)
        for precision, n in geocodes["precision"].value_counts().items():
            counts[str(precision)] = counts.get(str(precision), 0) + int(n)
        if progress:
            progress(start + len(part), len(pending))
    return counts


@dataclass
class DetectReport:
    spots: int
    new: int
    merged: int
    complaints_in_spots: int
    method: str
    rule: str = "count"
    #: where the expected counts came from: subscribers, addresses, gazetteer, uniform
    exposure: str = "none"


def detect_spots(
    store: Store,
    *,
    params: DetectParams,
    policy: Policy,
    now: datetime,
    labeller: Labeller = label_points,
    gazetteer: Path | None = None,
    exposure: tuple[pd.DataFrame | None, str] | None = None,
    progress: DetectProgress | None = None,
) -> DetectReport:
    """Run detection over the stored complaints and write the result in one transaction.

    The expected rule reads ``params.history_days`` of complaints and the exposure the
    store holds (a subscriber layer, else the address layer), else ``gazetteer``'s
    houses, else none (uniform over the populated area). ``exposure`` gives those points
    and their source's name instead (a caller that read them once, :func:`exposure_points`).
    A spot whose complaints gave no address takes ``gazetteer``'s nearest house's
    (:func:`addressed_by_houses`). ``progress`` is told each phase as it starts
    (:data:`DETECT_PHASES`).
    """
    tell = progress or (lambda _phase: None)
    tell(DETECT_PHASES[0])
    days = max(params.window_days, params.history_days if params.rule == "expected" else 0.0)
    since = pd.Timestamp(now) - pd.Timedelta(days=days)
    complaints = store.load_complaints(since=since.to_pydatetime())
    spots = store.load_spots()
    tell(DETECT_PHASES[1])
    if params.rule != "expected":
        points, source = None, "none"
    else:
        points, source = exposure if exposure is not None else exposure_points(store, gazetteer)
    tell(DETECT_PHASES[2])
    result = detect(
        complaints,
        spots,
        params=params,
        policy=policy,
        now=now,
        sites=store.load_sites(),
        alarms=store.load_alarms(),
        labeller=labeller,
        exposure=points,
    )
    tell(DETECT_PHASES[3])
    written = addressed_by_houses(result.spots, gazetteer)
    store.apply_spot_changes(
        SpotChanges(
            at=now, spots=written, members=result.members, events=result.events, expected=result.expected
        )
    )
    created = result.events[result.events["kind"].isin(["created", "split"])]
    active = written[written["status"] != "merged"]
    return DetectReport(
        spots=len(active),
        new=len(created),
        merged=int((written["status"] == "merged").sum()),
        complaints_in_spots=int(active["complaints"].sum()),
        method=params.method,
        rule=params.rule,
        exposure=source,
    )


def addressed_by_houses(spots: pd.DataFrame, gazetteer: Path | None) -> pd.DataFrame:
    """``spots`` where one without an address (its complaints came with coordinates only)
    is named after ``gazetteer``'s house nearest its centre, marked as such
    (:func:`heatmap.detect.nearest_house.with_nearest_addresses`); the file is read only
    when a spot needs it."""
    from heatmap.detect.nearest_house import with_nearest_addresses, without_address

    if gazetteer is None or not without_address(spots).any():
        return spots
    from heatmap.geocode.gazetteer import load_gazetteer

    return with_nearest_addresses(spots, load_gazetteer(gazetteer))


def exposure_points(store: Store, gazetteer: Path | None) -> tuple[pd.DataFrame | None, str]:
    """Exposure points for the expected rule and the name of their source: the store's
    subscriber layer, else its address layer, else ``gazetteer``'s houses, else none."""
    from heatmap.detect.exposure import SOURCES, layer_points

    for source in SOURCES:
        layer = store.load_exposure(source)
        if len(layer):
            return layer_points(layer), source
    if gazetteer is not None:
        from heatmap.service.exposure import gazetteer_exposure

        return gazetteer_exposure(gazetteer), "gazetteer"
    return None, "uniform"
