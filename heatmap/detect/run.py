"""One detection run as a pure function: complaints and open spots in, spot changes out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from heatmap.core.policy import Policy
from heatmap.core.priority import prioritise
from heatmap.core.routing import route
from heatmap.detect.h3 import label_h3
from heatmap.detect.identity import reconcile
from heatmap.detect.params import RULES as RULES  # re-exported from their old home
from heatmap.detect.params import DetectParams as DetectParams
from heatmap.detect.rerouting import reroute
from heatmap.detect.significance import EVIDENCE_COLUMNS, DbscanSteps, label_expected
from heatmap.detect.spots import summarise
from heatmap.detect.trend import label_trends
from heatmap.domain import OPEN_STATUSES, PRECISION_WEIGHT, SpotStatus
from heatmap.domain.columns import EVENT_COLUMNS, SPOT_COLUMNS
from heatmap.errors import DetectionError

#: Spot fields an engineer owns: detection never overwrites them on an open spot.
_KEPT_FIELDS = ("status", "queue", "sla_hours", "due_at", "eta", "cause", "engineer", "created_at", "kind")


@dataclass
class Detection:
    """What a run changes: spots to upsert, complaint memberships, lineage events."""

    spots: pd.DataFrame
    members: pd.DataFrame
    events: pd.DataFrame
    #: statuses of the stored spots this result was computed from
    expected: dict[str, str]


#: How a run turns candidate points into labels (the local engine, or Dask's).
Labeller = Callable[[pd.DataFrame, "DetectParams"], np.ndarray]


@dataclass(frozen=True)
class EngineLabeller:
    """A :data:`Labeller` (the count rule's labels) that also says where the expected
    rule's DBSCAN phases run — how an engine other than this process takes both rules."""

    count: Labeller
    dbscan: DbscanSteps

    def __call__(self, points: pd.DataFrame, params: DetectParams) -> np.ndarray:
        return self.count(points, params)


def _steps_of(labeller: Labeller) -> DbscanSteps | None:
    return labeller.dbscan if isinstance(labeller, EngineLabeller) else None


def label_points(
    points: pd.DataFrame,
    params: DetectParams,
    *,
    exposure: pd.DataFrame | None = None,
    now: datetime | None = None,
    history: pd.DataFrame | None = None,
    dbscan: DbscanSteps | None = None,
) -> np.ndarray:
    """Cluster label per point (-1 = noise) by the chosen method and rule, in this process.

    The expected rule (the default) also reads ``exposure`` (lat, lon, weight; None:
    uniform over the populated area), ``now`` (default: the latest ``created_at``) and
    the background ``history``; the count rule ignores them. ``dbscan`` runs the
    expected rule's DBSCAN phases elsewhere (None: in this process).
    """
    _check_params(params)
    if params.rule == "expected":
        if not len(points):
            return np.zeros(0, dtype=np.int64)
        at = _now_of(points, now)
        return label_expected(points, params, exposure=exposure, now=at, history=history, dbscan=dbscan)[0]
    weight = points["precision"].map(PRECISION_WEIGHT).fillna(0.0).to_numpy(float)
    args = (points["lat"].to_numpy(float), points["lon"].to_numpy(float), points["subscriber_id"].to_numpy())
    if params.method == "h3":
        return label_h3(*args, res=params.h3_res, min_subscribers=params.min_subscribers, weight=weight)
    if params.method == "dbscan":
        from heatmap.detect.dbscan import label_dbscan

        return label_dbscan(*args, eps_m=params.eps_m, min_subscribers=params.min_subscribers, weight=weight)
    raise DetectionError(f"unknown detection method {params.method!r}: use h3 or dbscan")


def _check_params(params: DetectParams) -> None:
    if params.method not in ("h3", "dbscan"):
        raise DetectionError(f"unknown detection method {params.method!r}: use h3 or dbscan")
    if params.rule not in RULES:
        raise DetectionError(f"unknown detection rule {params.rule!r}: use expected or count")
    if not 0 < params.q < 1:
        raise DetectionError(f"the false discovery rate q must lie in (0, 1), got {params.q}")


def _now_of(points: pd.DataFrame, now: datetime | None) -> pd.Timestamp:
    """``now`` in UTC; without it the latest complaint's time. Points without times are
    tested over the whole window only, so their ``now`` is never compared with anything."""
    if now is not None:
        at = pd.Timestamp(now)
        return at.tz_convert("UTC") if at.tzinfo else at.tz_localize("UTC")
    if "created_at" in points and points["created_at"].notna().any():
        return pd.to_datetime(points["created_at"], utc=True).max()
    return pd.Timestamp(0, tz="UTC")


def background(
    complaints: pd.DataFrame, spots: pd.DataFrame, *, params: DetectParams, now: datetime
) -> pd.DataFrame:
    """Located complaints older than the window: the place's own history, which the
    expected rule's baseline learns from, with ``history_weight`` — how much of each
    counts as the place's ordinary complaining.

    A complaint in no spot (or in a rejected one) counts whole. A spot's members are its
    place's ordinary complainants plus its excess, so each counts by the spot's expected
    share, expected / observed: the spot tells the history what was expected there and
    no more. Leaving spots out instead made a place whose month went into a chronic spot
    look quiet, and its ordinary complaints next month a "persistent" spot of their own.
    A spot of the count rule has no expected count; its members are left out.
    """
    if complaints.empty:
        return complaints
    window_from = pd.Timestamp(now) - pd.Timedelta(days=params.window_days)
    history_from = pd.Timestamp(now) - pd.Timedelta(days=params.history_days)
    spot = complaints["spot_id"]
    weight = np.where(spot.isna(), 1.0, spot.map(_ordinary_share(spots)).fillna(0.0).to_numpy(float))
    keep = (
        (complaints["created_at"] >= history_from)
        & (complaints["created_at"] < window_from)
        & complaints["lat"].notna()
        & (weight > 0)
        & (complaints["precision"].map(PRECISION_WEIGHT).fillna(0.0) > 0)
    )
    return complaints[keep].assign(history_weight=weight[keep.to_numpy()]).reset_index(drop=True)


def _ordinary_share(spots: pd.DataFrame) -> pd.Series:
    """Per spot id: the share of its complainants its place was expected to have
    (expected / observed, at most 1; a rejected spot's are all ordinary)."""
    if spots.empty:
        return pd.Series(dtype=np.float64)
    missing = pd.Series(np.nan, index=spots.index)
    observed = pd.to_numeric(spots["observed"], errors="coerce") if "observed" in spots else missing
    expected = pd.to_numeric(spots["expected"], errors="coerce") if "expected" in spots else missing
    share = (expected / observed.where(observed > 0)).clip(upper=1.0)
    share[spots["status"] == SpotStatus.REJECTED.value] = 1.0
    return pd.Series(share.to_numpy(np.float64), index=spots["id"].to_numpy())


def candidate_points(
    complaints: pd.DataFrame, spots: pd.DataFrame, *, params: DetectParams, now: datetime
) -> pd.DataFrame:
    """Complaints that take part: in the window, located, weighing > 0, not in a closed spot."""
    since = pd.Timestamp(now) - pd.Timedelta(days=params.window_days)
    closed = set(spots.loc[~spots["status"].isin(OPEN_STATUSES | {SpotStatus.MERGED}), "id"])
    keep = (
        (complaints["created_at"] >= since)
        & (complaints["created_at"] <= pd.Timestamp(now))
        & complaints["lat"].notna()
        & (complaints["precision"].map(PRECISION_WEIGHT).fillna(0.0) > 0)
        & ~complaints["spot_id"].isin(closed)
    )
    return complaints[keep].reset_index(drop=True)


def detect(
    complaints: pd.DataFrame,
    spots: pd.DataFrame,
    *,
    params: DetectParams,
    policy: Policy,
    now: datetime,
    sites: pd.DataFrame | None = None,
    alarms: pd.DataFrame | None = None,
    labeller: Labeller = label_points,
    exposure: pd.DataFrame | None = None,
) -> Detection:
    """Detect spots among ``complaints`` given every stored spot (``spots``).

    ``complaints`` may reach back ``params.history_days``: the expected rule learns each
    place's background from the older ones and labels each spot's trend; ``exposure``
    (lat, lon, weight) says where people are (None: uniform over the populated area).
    With ``sites`` (and ``alarms``), each spot gets the sites in reach, the worst
    alarm during its window and a suggested cause, which routing rules can use.
    """
    _check_params(params)
    points = candidate_points(complaints, spots, params=params, now=now)
    labels, explained = _labels(
        complaints, spots, points, params=params, now=now, labeller=labeller, exposure=exposure
    )
    points = points.assign(label=labels)
    clusters = summarise(points, labels, method=params.method, h3_res=params.h3_res, eps_m=params.eps_m)
    if explained is not None:
        clusters = clusters.join(explained, on="label")
    open_spots = spots[spots["status"].isin(OPEN_STATUSES)]
    rec = reconcile(clusters, points, open_spots, taken_ids=set(spots["id"]), now=now)
    found = rec.spots.assign(
        method=params.method, merged_into=None, updated_at=now, kind="detected", found_at=pd.Timestamp(now)
    )
    found = _with_evidence(found, explained)

    previous = open_spots.set_index("id")
    kept = found["previous_id"].notna()
    found = _keep_engineer_fields(found, kept, previous)
    members = points[points["label"] >= 0].assign(
        spot_id=lambda f: f["label"].map(dict(zip(found["label"], found["id"], strict=True)))
    )
    found = prioritise(found, members, policy, now=now)
    found = _with_network(found, sites, alarms, policy)
    routed = route(found.loc[~kept], policy)
    found.loc[~kept, ["queue", "sla_hours", "due_at"]] = routed[["queue", "sla_hours", "due_at"]]
    found.loc[~kept, "status"] = SpotStatus.QUEUED.value
    found, rerouted = reroute(found, kept, previous, policy, now)
    events = [rec.events, _routing_events(found.loc[~kept, "id"], routed, now)]
    events += [_escalation_events(found, previous, policy, now), rerouted]
    frames = [found]
    if len(rec.merged):
        merged = previous.loc[rec.merged["id"]].reset_index()
        merged["status"] = SpotStatus.MERGED.value
        merged["merged_into"] = rec.merged["merged_into"].to_numpy()
        merged["updated_at"] = now
        frames.append(merged)
    out = pd.concat([f.reindex(columns=list(SPOT_COLUMNS)) for f in frames], ignore_index=True)
    kept_events = [e for e in events if len(e)]
    all_events = (
        pd.concat(kept_events, ignore_index=True)
        if kept_events
        else pd.DataFrame(columns=list(EVENT_COLUMNS))
    )
    touched = set(out["id"]) & set(open_spots["id"])
    expected = {i: str(previous.at[i, "status"]) for i in sorted(touched)}
    return Detection(
        spots=out,
        members=rec.members,
        events=all_events.reindex(columns=list(EVENT_COLUMNS)),
        expected=expected,
    )


def _keep_engineer_fields(found: pd.DataFrame, kept: pd.Series, previous: pd.DataFrame) -> pd.DataFrame:
    """A spot that keeps its id keeps what engineers set on it (and a registered known
    issue the area the engineer gave it)."""
    for name in _KEPT_FIELDS:
        found[name] = found[name].astype(object) if name in found else None
        if kept.any():
            found.loc[kept, name] = [previous.at[i, name] for i in found.loc[kept, "id"]]
    known = kept & (found["kind"] == "known_issue")
    if known.any():
        found.loc[known, "geometry"] = [previous.at[i, "geometry"] for i in found.loc[known, "id"]]
    return found


def _routing_events(ids: pd.Series, routed: pd.DataFrame, now: datetime) -> pd.DataFrame:
    """A new → queued transition for each newly routed spot, naming its rule."""
    return pd.DataFrame(
        {
            "spot_id": ids,
            "at": now,
            "kind": "transition",
            "from_status": SpotStatus.NEW.value,
            "to_status": SpotStatus.QUEUED.value,
            "related_spot_id": None,
            "actor": "router",
            "note": "routed to " + routed["queue"] + " by rule «" + routed["routed_by"] + "»",
        }
    )


def _escalation_events(
    found: pd.DataFrame, previous: pd.DataFrame, policy: Policy, now: datetime
) -> pd.DataFrame:
    """An ``escalated`` event for each spot escalated in this run (a new spot was not)."""
    was_escalated = (
        found["id"].map(previous["escalated"]).eq(True)
        if len(previous)
        else pd.Series(False, index=found.index)
    )
    newly = found["escalated"].astype(bool) & ~was_escalated
    return pd.DataFrame(
        {
            "spot_id": found.loc[newly, "id"],
            "at": now,
            "kind": "escalated",
            "from_status": None,
            "to_status": None,
            "related_spot_id": None,
            "actor": "detector",
            "note": f"complainants at least doubled within {policy.escalation.doubling_hours:g} h",
        }
    )


def _labels(
    complaints: pd.DataFrame,
    spots: pd.DataFrame,
    points: pd.DataFrame,
    *,
    params: DetectParams,
    now: datetime,
    labeller: Labeller,
    exposure: pd.DataFrame | None,
) -> tuple[np.ndarray, pd.DataFrame | None]:
    """Labels of the candidate points and, by the expected rule, each label's evidence
    (observed, expected, excess, relative risk, p-value) and trend."""
    if not len(points):
        return np.zeros(0, dtype=np.int64), None
    if params.rule != "expected":
        return labeller(points, params), None
    at = _now_of(points, now)
    history = background(complaints, spots, params=params, now=now)
    labels, expectation, explained = label_expected(
        points, params, exposure=exposure, now=at, history=history, dbscan=_steps_of(labeller)
    )
    if len(explained):
        located = complaints[complaints["lat"].notna() & (complaints["created_at"] <= pd.Timestamp(now))]
        members = points.loc[labels >= 0, ["lat", "lon"]].assign(label=labels[labels >= 0])
        explained["trend"] = label_trends(
            members, located, expectation.cells, now=at, window_days=params.window_days
        )
    return labels, explained


def _with_evidence(found: pd.DataFrame, explained: pd.DataFrame | None) -> pd.DataFrame:
    """Evidence columns on every spot: the count rule keeps only ``observed``."""
    out = found.copy()
    for name in (*EVIDENCE_COLUMNS, "trend"):
        if name not in out:
            out[name] = None
    if explained is None:
        out["observed"] = out["subscribers"].astype(float)
    return out


def _with_network(
    spots: pd.DataFrame, sites: pd.DataFrame | None, alarms: pd.DataFrame | None, policy: Policy
) -> pd.DataFrame:
    """Add suggested_cause, alarm_site and alarm_severity from network correlation."""
    out = spots.copy()
    if sites is None or sites.empty or out.empty:
        out["suggested_cause"] = None
        out["alarm_site"] = None
        out["alarm_severity"] = None
        return out
    from heatmap.core.network import ALARM_COLUMNS, correlate

    found = correlate(
        out,
        sites,
        alarms if alarms is not None else pd.DataFrame(columns=list(ALARM_COLUMNS)),
        reach_m=policy.network.reach_m,
    ).set_index("id")
    for name in ("suggested_cause", "alarm_site", "alarm_severity"):
        out[name] = out["id"].map(found[name])
    return out
