"""One policy for who may read a written file: personal data 0600, the rest as the umask says."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from heatmap.io.atomic import atomic_path, atomic_text, create_if_missing
from heatmap.io.writers import write_table, write_text
from heatmap.render.map import SpotMapPage


@pytest.fixture(params=[0o022, 0o027])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    """The process's umask fixed for the test (restored after it)."""
    before = os.umask(request.param)
    yield request.param
    os.umask(before)


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_a_shared_file_follows_the_umask_and_a_private_one_is_the_owners(umask: int, tmp_path: Path) -> None:
    with atomic_text(tmp_path / "shared.txt", private=False) as stream:
        stream.write("карта")
    with atomic_text(tmp_path / "private.txt", private=True) as stream:
        stream.write("+79161234567")
    assert mode(tmp_path / "shared.txt") == 0o666 & ~umask
    assert mode(tmp_path / "private.txt") == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["private.txt", "shared.txt"]


def test_the_mode_holds_when_the_writer_replaces_the_temp_file(umask: int, tmp_path: Path) -> None:
    """Arrow's CSV writer renames a file of its own (0600) over the temp file."""
    target = tmp_path / "spots.csv"
    with atomic_path(target, private=False) as temp:
        own = temp.with_name("own")
        own.write_text("a\n1\n")
        own.chmod(0o600)
        os.replace(own, temp)
    assert mode(target) == 0o666 & ~umask and target.read_text() == "a\n1\n"


def test_a_failed_write_leaves_nothing(umask: int, tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), atomic_text(tmp_path / "x.txt", private=True) as stream:
        stream.write("half")
        raise RuntimeError
    assert list(tmp_path.iterdir()) == []


def test_the_map_and_tables_follow_the_umask_unless_private(umask: int, tmp_path: Path) -> None:
    SpotMapPage("<html></html>").save(tmp_path / "map.html")
    write_text("{}", tmp_path / "spots.geojson")
    write_table(pd.DataFrame({"a": [1]}), tmp_path / "sites.csv")
    write_table(pd.DataFrame({"msisdn": ["+79161234567"]}), tmp_path / "crm.parquet", private=True)
    shared = 0o666 & ~umask
    assert [mode(tmp_path / n) for n in ("map.html", "spots.geojson", "sites.csv")] == [shared] * 3
    assert mode(tmp_path / "crm.parquet") == 0o600


def test_create_if_missing_leaves_an_existing_file_as_it_is(umask: int, tmp_path: Path) -> None:
    path = tmp_path / "heatmap.db"
    assert create_if_missing(path, private=True) and mode(path) == 0o600
    path.chmod(0o640)
    path.write_bytes(b"kept")
    assert not create_if_missing(path, private=True)
    assert mode(path) == 0o640 and path.read_bytes() == b"kept"


def test_the_store_says_the_same_mode_it_cannot_import() -> None:
    from heatmap.io.atomic import PRIVATE_MODE
    from heatmap.store.sqlite.schema import FILE_MODE

    assert FILE_MODE == PRIVATE_MODE
