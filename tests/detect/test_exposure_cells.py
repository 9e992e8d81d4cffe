"""Exposure points' coarser cells from the cells they are the centres of: what locating
their centres gives, over the globe and where H3's faces meet."""

from __future__ import annotations

import h3
import numpy as np
import pandas as pd
import pytest

from heatmap.core.cells import cells_of, centres_of, parents_of
from heatmap.detect.exposure import address_layer, exposure_cells, layer_points

EARTH_RADIUS_M = 6_371_008.8


def _unit(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    la, lo = np.radians(lat), np.radians(lon)
    return np.column_stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])


def _lat_lon(xyz: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    xyz = xyz / np.linalg.norm(xyz, axis=1)[:, None]
    return np.degrees(np.arcsin(xyz[:, 2])), np.degrees(np.arctan2(xyz[:, 1], xyz[:, 0]))


def _globe(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    z = rng.uniform(-1.0, 1.0, n)
    return np.degrees(np.arcsin(z)), rng.uniform(-180.0, 180.0, n)


def _face_edges(per_edge: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Points within 3 km of the icosahedron's 30 edges and 12 vertices (the res-0
    pentagons' centres), where H3's faces meet."""
    vertex = _unit(*np.array([h3.cell_to_latlng(c) for c in h3.get_pentagons(0)]).T)
    angle = np.degrees(np.arccos(np.clip(vertex @ vertex.T, -1.0, 1.0)))
    parts = []
    for i, j in zip(*np.nonzero(np.abs(angle - 63.43) < 1.0), strict=True):
        if i > j:
            continue
        t = rng.uniform(0.0, 1.0, per_edge)[:, None]
        along = vertex[i] * (1 - t) + vertex[j] * t
        normal = np.cross(vertex[i], vertex[j])
        off = rng.uniform(-3_000.0, 3_000.0, per_edge)[:, None] / EARTH_RADIUS_M
        parts.append(along / np.linalg.norm(along, axis=1)[:, None] + off * normal / np.linalg.norm(normal))
    parts.extend(v + rng.normal(0.0, 3_000.0 / EARTH_RADIUS_M, (per_edge, 3)) for v in vertex)
    return _lat_lon(np.concatenate(parts))


def _centres(lat: np.ndarray, lon: np.ndarray, res: int) -> pd.DataFrame:
    cells = np.unique(cells_of(lat, lon, res))
    centre = centres_of(cells)
    return pd.DataFrame({"lat": centre[:, 0], "lon": centre[:, 1], "weight": 1.0, "cell": cells})


@pytest.mark.parametrize("fine", [10, 11, 12])
@pytest.mark.parametrize("where", ["globe", "face_edges"])
def test_as_located_over_the_globe_and_where_faces_meet(fine: int, where: str) -> None:
    rng = np.random.default_rng(fine)
    points = _centres(*(_globe(40_000, rng) if where == "globe" else _face_edges(800, rng)), fine)
    for res in (fine - 3, fine - 2, fine - 1, fine):
        located = cells_of(points["lat"].to_numpy(), points["lon"].to_numpy(), res)
        assert (exposure_cells(points, res) == located).all(), res


def test_a_grandchild_on_its_parents_boundary_is_located() -> None:
    """Half the grandchildren whose two digits are the same direction lie in a neighbour
    of their parent: the parent alone would be wrong for them."""
    rng = np.random.default_rng(5)
    points = _centres(*_globe(20_000, rng), 11)
    located = cells_of(points["lat"].to_numpy(), points["lon"].to_numpy(), 9)
    wrong = parents_of(points["cell"].to_numpy(np.uint64), 9) != located
    assert 0.02 < wrong.mean() < 0.1
    assert (exposure_cells(points, 9) == located).all()


def test_points_of_a_layer_and_points_without_cells() -> None:
    rng = np.random.default_rng(7)
    lat, lon = 59.2 + rng.normal(0, 0.02, 5_000), 39.9 + rng.normal(0, 0.04, 5_000)
    points = layer_points(address_layer(lat, lon))
    located = cells_of(points["lat"].to_numpy(), points["lon"].to_numpy(), 9)
    assert (exposure_cells(points, 9) == located).all()
    assert (exposure_cells(points.drop(columns="cell"), 9) == located).all()
    assert exposure_cells(points.iloc[:0], 9).size == 0
