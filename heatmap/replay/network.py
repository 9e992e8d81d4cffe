"""The simulated network: sites over the city and the alarms its OSS raises.

Pure: the houses, the incidents and the configuration in, frames out.

* **Sites** — one per square of ``site_spacing_m`` that holds houses, on the house
  nearest the square's centre (operators put sites on roofs where people live).
* **Alarms of incidents** — an incident whose cause has ``alarm_share`` > 0 raises,
  with that chance, one alarm on the site nearest its centre, critical with the chance
  ``alarm_critical`` (else major), of the cause's kind, from the incident's start until
  it actually ends (the fix that holds, or power coming back): so its end is known only
  as the replay goes (:func:`alarms_at`). Capacity and coverage gaps raise none.
* **Other alarms** — ``other_alarms_per_day`` alarms at sites drawn uniformly, mostly
  warnings and minor ones, lasting hours, about nothing anyone complains of: the noise
  an operator's alarm list always has.
* **The NOC** — an alarmed fault is also worked from its alarm, whatever the product
  shows: with the chance ``noc_fix_share`` the incident ends ``noc_dispatch_hours`` plus
  the cause's time to fix after its alarm (:func:`noc_fixes`), unless it ended before.
  Without this an undetected incident's alarm would stay on for the rest of the replay.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from heatmap.core.network import ALARM_COLUMNS, SITE_COLUMNS
from heatmap.replay.config import ReplayConfig

__all__ = ["PLANNED_ALARM_COLUMNS", "alarms_at", "incident_ends", "noc_fixes", "plan_alarms", "plan_sites"]

#: The planned alarms: the stored columns and the incident behind each (-1: none).
PLANNED_ALARM_COLUMNS = (*ALARM_COLUMNS, "incident")
_M_PER_DEG = 111_195.0
#: Alarm kinds the product reads (``heatmap.core.network.alarm_kinds``) per cause.
_KIND = {"equipment_failure": "equipment", "power": "power", "transport_link": "transport_link"}
_TEXT = {
    "equipment": "Авария оборудования БС",
    "power": "Пропадание питания БС",
    "transport_link": "Авария транспортного канала",
}
_OTHER_SEVERITY = (("warning", 0.45), ("minor", 0.40), ("major", 0.15))


def plan_sites(houses: pd.DataFrame, *, spacing_m: float) -> pd.DataFrame:
    """Sites (:data:`SITE_COLUMNS`) on a square grid of ``spacing_m`` over the houses."""
    lat, lon = houses["lat"].to_numpy(float), houses["lon"].to_numpy(float)
    lat0 = float(np.median(lat))
    y = lat * _M_PER_DEG / spacing_m
    x = lon * _M_PER_DEG * np.cos(np.radians(lat0)) / spacing_m
    cell = pd.DataFrame({"i": np.floor(x).astype(np.int64), "j": np.floor(y).astype(np.int64)})
    offset = (x - cell["i"] - 0.5) ** 2 + (y - cell["j"] - 0.5) ** 2
    nearest = offset.groupby([cell["i"], cell["j"]], sort=True).idxmin().to_numpy()
    return pd.DataFrame(
        {
            "site_id": [f"SIM{n:05d}" for n in range(len(nearest))],
            "lat": lat[nearest],
            "lon": lon[nearest],
            "technology": "LTE",
            "band": None,
            "azimuth": np.nan,
        }
    ).loc[:, list(SITE_COLUMNS)]


def plan_alarms(
    incidents: pd.DataFrame, sites: pd.DataFrame, config: ReplayConfig, rng: np.random.Generator
) -> pd.DataFrame:
    """Alarms (:data:`PLANNED_ALARM_COLUMNS`): the incidents' (end not yet known, NaT) and
    the others' (with their end), oldest first."""
    rows = []
    s_lat, s_lon = sites["lat"].to_numpy(float), sites["lon"].to_numpy(float)
    for row in incidents.itertuples(index=False):
        spec = config.causes[str(row.cause)]
        raised = rng.random() < spec.alarm_share
        critical = rng.random() < spec.alarm_critical
        if not raised or str(row.cause) not in _KIND or not len(sites):
            continue
        dy = (s_lat - float(row.lat)) * _M_PER_DEG
        dx = (s_lon - float(row.lon)) * _M_PER_DEG * np.cos(np.radians(float(row.lat)))
        kind = _KIND[str(row.cause)]
        rows.append(
            {
                "site_id": str(sites["site_id"].iloc[int(np.argmin(np.hypot(dx, dy)))]),
                "severity": "critical" if critical else "major",
                "start": row.start,
                "end": pd.NaT,
                "kind": kind,
                "text": _TEXT[kind],
                "incident": int(row.incident),
            }
        )
    planned = pd.DataFrame(rows, columns=list(PLANNED_ALARM_COLUMNS))
    frames = [f for f in (planned, _other_alarms(sites, config, rng)) if len(f)]
    if not frames:
        return planned
    alarms = pd.concat(frames, ignore_index=True)
    alarms["start"] = pd.to_datetime(alarms["start"], utc=True)
    alarms["end"] = pd.to_datetime(alarms["end"], utc=True)
    return alarms.sort_values(["start", "site_id"], kind="stable").reset_index(drop=True)


def _other_alarms(sites: pd.DataFrame, config: ReplayConfig, rng: np.random.Generator) -> pd.DataFrame:
    n = int(rng.poisson(config.other_alarms_per_day * config.days)) if len(sites) else 0
    start = pd.Timestamp(config.start) + pd.to_timedelta(rng.uniform(0, config.days * 24, n), unit="h")
    lasting = pd.to_timedelta(rng.exponential(config.other_alarm_mean_hours, n), unit="h")
    kind = rng.choice(sorted(_TEXT), size=n)
    return pd.DataFrame(
        {
            "site_id": sites["site_id"].to_numpy()[rng.integers(len(sites), size=n)] if n else [],
            "severity": rng.choice(
                [s for s, _ in _OTHER_SEVERITY], p=[p for _, p in _OTHER_SEVERITY], size=n
            ),
            "start": start,
            "end": start + lasting,
            "kind": kind,
            "text": [_TEXT[k] for k in kind],
            "incident": -1,
        },
        columns=list(PLANNED_ALARM_COLUMNS),
    )


def alarms_at(planned: pd.DataFrame, ends: np.ndarray, now: pd.Timestamp) -> pd.DataFrame:
    """The OSS's alarm list at ``now`` (:data:`ALARM_COLUMNS` and the incident behind each,
    -1 for none): alarms raised by then, with
    their end once it has come; an incident's alarm ends when the incident does
    (``ends`` per incident, NaT while it goes on)."""
    raised = planned[planned["start"] <= now]
    incident = raised["incident"].to_numpy(int)
    ended = pd.to_datetime(
        np.where(
            incident >= 0,
            ends[np.clip(incident, 0, None)] if len(ends) else np.datetime64("NaT"),
            np.datetime64("NaT"),
        ),
        utc=True,
    )
    end = raised["end"].where(incident < 0, pd.Series(ended, index=raised.index))
    end = end.where(end <= now)
    return raised.assign(end=end).loc[:, list(PLANNED_ALARM_COLUMNS)].reset_index(drop=True)


def incident_ends(incident: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Per row, when its incident ended (``ends`` per incident; NaT while it goes on, and
    for rows about no incident, -1)."""
    nat = np.datetime64("NaT", "ns")
    if not len(ends):
        return np.full(len(incident), nat)
    return np.where(incident >= 0, ends[np.clip(incident, 0, None)], nat)


def noc_fixes(
    incidents: pd.DataFrame, alarms: pd.DataFrame, config: ReplayConfig, rng: np.random.Generator
) -> pd.Series:
    """Per incident, when the NOC's own fix of its alarmed fault ends it (NaT: no alarm, or
    not fixed from the alarm)."""
    fixed = pd.Series(pd.NaT, index=incidents.index, dtype="datetime64[ns, UTC]")
    raised = alarms[alarms["incident"] >= 0]
    for case, start in zip(raised["incident"].tolist(), raised["start"].tolist(), strict=True):
        spec = config.causes[str(incidents.at[case, "cause"])]
        hours = config.noc_dispatch_hours + spec.fix_median_hours * float(rng.lognormal(0.0, spec.fix_sigma))
        if rng.random() < config.noc_fix_share:
            fixed.at[case] = start + pd.Timedelta(hours=hours)
    return fixed
