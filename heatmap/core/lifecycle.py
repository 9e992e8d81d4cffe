"""The spot lifecycle: which status may follow which, and by what action."""

from __future__ import annotations

from heatmap.domain import SpotStatus as S
from heatmap.errors import TransitionError

#: Allowed moves. ``merged`` is set only by detection; resolved/rejected spots
#: come back through ``reopened``.
ALLOWED: dict[str, frozenset[str]] = {
    S.NEW: frozenset({S.QUEUED, S.IN_PROGRESS, S.REJECTED}),
    S.QUEUED: frozenset({S.IN_PROGRESS, S.REJECTED}),
    S.IN_PROGRESS: frozenset({S.RESOLVED, S.REJECTED, S.QUEUED}),
    S.RESOLVED: frozenset({S.REOPENED}),
    S.REJECTED: frozenset({S.REOPENED}),
    S.REOPENED: frozenset({S.IN_PROGRESS, S.REJECTED}),
    S.MERGED: frozenset(),
}

#: What each engineer action moves a spot to.
ACTIONS: dict[str, str] = {
    "take": S.IN_PROGRESS,
    "resolve": S.RESOLVED,
    "reject": S.REJECTED,
    "reopen": S.REOPENED,
    "requeue": S.QUEUED,
}


def check_transition(spot_id: str, current: str, target: str) -> None:
    """Raise :class:`TransitionError` unless ``current → target`` is allowed."""
    allowed = ALLOWED.get(current, frozenset())
    if target not in allowed:
        options = ", ".join(sorted(allowed)) or "none (it is final)"
        raise TransitionError(
            f"spot {spot_id} is {current}: it cannot become {target} (allowed next: {options})"
        )
