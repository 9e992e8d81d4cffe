import threading
import time
from collections.abc import Iterator

import pytest

from heatmap.store.base import WRITES_QUEUED, write_behind_prepared


def test_parts_are_prepared_here_and_written_in_order_by_the_helper() -> None:
    prepared_in: list[str] = []
    written: list[tuple[int, int | None, str]] = []

    def prepare(part: int) -> int:
        prepared_in.append(threading.current_thread().name)
        return part * 10

    def write(part: int, ready: int | None) -> bool:
        written.append((part, ready, threading.current_thread().name))
        return True

    write_behind_prepared(range(4), prepare, write)
    assert prepared_in == [threading.current_thread().name] * 4
    assert [(p, r) for p, r, _ in written] == [(0, 0), (1, 10), (2, 20), (3, 30)]
    assert all(name.startswith("heatmap-write") for _, _, name in written)


def test_once_a_prepared_part_goes_unused_later_parts_come_unprepared() -> None:
    written: list[tuple[int, int | None]] = []

    def write(part: int, ready: int | None) -> bool:
        written.append((part, ready))
        return part < 1  # part 1 could not use what was prepared

    write_behind_prepared(range(6), lambda part: part, write)
    # parts 2 and 3 are made while part 1 may still be being written (two are queued
    # at most); part 4 comes after part 1 was written, and from then on nothing is prepared
    assert written[:2] == [(0, 0), (1, 1)]
    assert written[2] in [(2, 2), (2, None)] and written[3] in [(3, 3), (3, None)]
    assert written[4:] == [(4, None), (5, None)]


def test_a_failing_prepare_stops_the_writes_and_is_raised() -> None:
    written: list[int] = []

    def prepare(part: int) -> int:
        if part == 2:
            raise ValueError("bad part")
        return part

    def write(part: int, ready: int | None) -> bool:
        written.append(part)
        return True

    with pytest.raises(ValueError, match="bad part"):
        write_behind_prepared(range(5), prepare, write)
    # parts still queued when it failed are dropped; none after it is written, nor later
    assert written in ([], [0], [0, 1])
    after = list(written)
    time.sleep(0.05)
    assert written == after


def test_a_failing_write_stops_the_queued_ones_and_is_raised() -> None:
    written: list[int] = []
    produced: list[int] = []
    release = threading.Event()

    def parts() -> Iterator[int]:
        for part in range(6):
            produced.append(part)
            yield part

    def write(part: int, ready: int | None) -> bool:
        release.wait(5)  # parts 1 and 2 are queued behind this one meanwhile
        written.append(part)
        if part == 0:
            raise RuntimeError("server gone")
        return True

    def prepare(part: int) -> int:
        if part == 2:
            release.set()
        return part

    with pytest.raises(RuntimeError, match="server gone"):
        write_behind_prepared(parts(), prepare, write)
    assert written == [0]
    assert len(produced) <= 1 + WRITES_QUEUED + 1


def test_the_producer_runs_at_most_the_queued_parts_ahead() -> None:
    ahead: list[int] = []
    written: list[int] = []

    def prepare(part: int) -> int:
        ahead.append(part - len(written))
        return part

    def write(part: int, ready: int | None) -> bool:
        time.sleep(0.03)
        written.append(part)
        return True

    write_behind_prepared(range(8), prepare, write)
    assert written == list(range(8))
    assert max(ahead) == WRITES_QUEUED  # (the writes are slow: it always gets that far)
