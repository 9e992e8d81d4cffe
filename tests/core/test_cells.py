"""H3 parents by the index's bits, against h3-py."""

from __future__ import annotations

import h3
import numpy as np
import pytest

from heatmap.core.cells import cells_of, parents_of


@pytest.mark.parametrize("res", [0, 5, 7, 9, 11])
def test_parents_equal_h3(res: int) -> None:
    rng = np.random.default_rng(3)
    lat, lon = rng.uniform(-85, 85, 500), rng.uniform(-180, 180, 500)
    cells = cells_of(lat, lon, 11)
    expected = [h3.str_to_int(h3.cell_to_parent(h3.int_to_str(int(c)), res)) for c in cells.tolist()]
    assert parents_of(cells, res).tolist() == expected


def test_a_cell_is_its_own_parent_at_its_resolution() -> None:
    cells = cells_of(np.array([59.2, 55.75]), np.array([39.9, 37.6]), 9)
    assert parents_of(cells, 9).tolist() == cells.tolist()


def test_no_parent_finer_than_the_cell() -> None:
    cells = cells_of(np.array([59.2]), np.array([39.9]), 7)
    with pytest.raises(ValueError, match="finer"):
        parents_of(cells, 9)
    assert parents_of(np.zeros(0, dtype=np.uint64), 7).size == 0
