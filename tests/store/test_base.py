import threading

import pytest

from heatmap.store.base import write_behind_prepared


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

    write_behind_prepared(range(5), lambda part: part, write)
    # part 2 is made while part 1 may still be being written; part 3 comes after part 1
    # was written, and from then on nothing is prepared
    assert written[:2] == [(0, 0), (1, 1)]
    assert written[2] in [(2, 2), (2, None)]
    assert written[3:] == [(3, None), (4, None)]


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
    assert written == [0, 1]
