import itertools

import pytest

from heatmap.core.lifecycle import ACTIONS, ALLOWED, check_transition
from heatmap.domain import SpotStatus
from heatmap.errors import TransitionError


def test_the_documented_lifecycle_is_allowed() -> None:
    path = ["new", "queued", "in_progress", "resolved", "reopened", "in_progress", "rejected"]
    for current, target in itertools.pairwise(path):
        check_transition("SP-1", current, target)


@pytest.mark.parametrize(
    ("current", "target"),
    [("queued", "resolved"), ("resolved", "in_progress"), ("merged", "reopened"), ("new", "merged")],
)
def test_illegal_moves_name_the_allowed_ones(current: str, target: str) -> None:
    with pytest.raises(TransitionError, match=f"spot SP-1 is {current}: it cannot become {target}"):
        check_transition("SP-1", current, target)


def test_every_status_and_action_is_covered() -> None:
    assert set(ALLOWED) == {s.value for s in SpotStatus}
    assert set(ACTIONS.values()) <= set(ALLOWED)
