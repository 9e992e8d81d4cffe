"""Scoring detected spots against planted truth, for ``bench_quality.py``.

A *spot* here is the set of points sharing one label (noise, -1, excluded). Its size
is its distinct complainants; its centroid the mean of its points. A spot **counts as
planted when its centroid lies within** :data:`MATCH_M` **of a planted centre** — the
same test as recall, so a background blob that swallowed a planted concentration and
kept its centroid near it counts as planted, while one that dragged the centroid away
does not. (The share of each spot's members that are planted is kept too, in the JSON.)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from heatmap.devtools.samples_planted import distance_m

#: A planted concentration is found when a spot centroid lies this close to its centre.
MATCH_M = 300.0


@dataclass
class Score:
    """Figures of one detection run on one export."""

    seconds: float
    complaints: int
    spots: int
    planted: int = 0
    found: int = 0
    top_planted: int = 0
    largest_unplanted: int = 0
    smallest_planted: int | None = None
    largest_spot: int = 0
    background: int = 0
    false_spots: int = 0

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def spot_table(points: pd.DataFrame, labels: np.ndarray) -> pd.DataFrame:
    """One row per spot: ``label, lat, lon, complainants, planted_share``, largest first."""
    members = points.assign(label=labels).loc[lambda f: f["label"] >= 0]
    if members.empty:
        return pd.DataFrame(
            {
                "label": pd.Series(dtype=np.int64),
                **{c: pd.Series(dtype=float) for c in ("lat", "lon")},
                "complainants": pd.Series(dtype=np.int64),
                "planted_share": pd.Series(dtype=float),
            }
        )
    grouped = members.assign(is_planted=members["planted"] >= 0).groupby("label")
    table = grouped.agg(
        lat=("lat", "mean"),
        lon=("lon", "mean"),
        complainants=("subscriber_id", "nunique"),
        planted_share=("is_planted", "mean"),
    ).reset_index()
    return table.sort_values(["complainants", "label"], ascending=[False, True], kind="stable").reset_index(
        drop=True
    )


def near_centre(spots: pd.DataFrame, centres: pd.DataFrame) -> np.ndarray:
    """Boolean matrix spots × centres: centroid within :data:`MATCH_M` of the centre."""
    if spots.empty or centres.empty:
        return np.zeros((len(spots), len(centres)), dtype=bool)
    d = distance_m(
        spots["lat"].to_numpy()[:, None],
        spots["lon"].to_numpy()[:, None],
        centres["lat"].to_numpy()[None, :],
        centres["lon"].to_numpy()[None, :],
    )
    return np.asarray(d <= MATCH_M)


def score_planted(spots: pd.DataFrame, centres: pd.DataFrame, *, seconds: float, complaints: int) -> Score:
    """Recall, planted share of the N largest, largest unplanted vs smallest planted."""
    near = near_centre(spots, centres)
    planted_spot = np.asarray(near.any(axis=1), dtype=bool)
    n = len(centres)
    sizes = spots["complainants"].to_numpy()
    return Score(
        seconds=seconds,
        complaints=complaints,
        spots=len(spots),
        planted=n,
        found=int(near.any(axis=0).sum()),
        top_planted=int(planted_spot[:n].sum()),
        largest_unplanted=int(sizes[~planted_spot].max()) if (~planted_spot).any() else 0,
        smallest_planted=int(sizes[planted_spot].min()) if planted_spot.any() else None,
        largest_spot=int(sizes.max()) if len(sizes) else 0,
    )


def score_background(spots: pd.DataFrame, *, background: int, seconds: float, complaints: int) -> Score:
    """On a background-only export every spot is a false one."""
    sizes = spots["complainants"].to_numpy()
    return Score(
        seconds=seconds,
        complaints=complaints,
        spots=len(spots),
        largest_spot=int(sizes.max()) if len(sizes) else 0,
        background=background,
        false_spots=len(spots),
    )


@dataclass(frozen=True)
class Summary:
    """Figures of one configuration over several exports."""

    planted: int
    found: int
    top_planted: int
    #: exports where an unplanted spot is larger than the smallest planted spot (or where
    #: no planted spot was found and some unplanted spot was)
    outranked: int
    exports: int
    largest_unplanted: int
    smallest_planted: int | None
    background: int
    false_spots: int
    largest_false: int
    seconds_median: float
    seconds_max: float

    @property
    def recall(self) -> float:
        return self.found / self.planted if self.planted else float("nan")

    @property
    def top_share(self) -> float:
        return self.top_planted / self.planted if self.planted else float("nan")

    @property
    def false_per_100k(self) -> float:
        return 1e5 * self.false_spots / self.background if self.background else float("nan")

    def targets(self) -> dict[str, bool]:
        """Each target of the issue: met (True) or missed."""
        return {
            "recall": self.recall >= 0.95,
            "top": self.top_share >= 0.95,
            "outranked": self.outranked == 0,
            "false": self.false_per_100k <= 1.0,
        }

    def as_dict(self) -> dict[str, object]:
        return {
            **asdict(self),
            "recall": self.recall,
            "top_share": self.top_share,
            "false_per_100k": self.false_per_100k,
            "targets": self.targets(),
        }


def summarise(planted: Iterable[Score], background: Iterable[Score]) -> Summary:
    """Pool planted-export and background-only scores of one configuration."""
    p, b = list(planted), list(background)
    smallest = [s.smallest_planted for s in p if s.smallest_planted is not None]
    times = [s.seconds for s in p + b]
    return Summary(
        planted=sum(s.planted for s in p),
        found=sum(s.found for s in p),
        top_planted=sum(s.top_planted for s in p),
        outranked=sum(1 for s in p if s.largest_unplanted > (s.smallest_planted or 0)),
        exports=len(p),
        largest_unplanted=max((s.largest_unplanted for s in p), default=0),
        smallest_planted=min(smallest) if smallest else None,
        background=sum(s.background for s in b),
        false_spots=sum(s.false_spots for s in b),
        largest_false=max((s.largest_spot for s in b), default=0),
        seconds_median=float(np.median(times)) if times else float("nan"),
        seconds_max=max(times, default=float("nan")),
    )
