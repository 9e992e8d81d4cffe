"""Writing the parts of a big ingest in one helper thread while the caller makes the next."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
U = TypeVar("U")

#: Parts a producer may have handed over while the one write under way goes on: two, so a
#: part that happened to take longer on either side does not leave the other side idle.
WRITES_QUEUED = 2


def write_behind(parts: Iterable[T], write: Callable[[T], None]) -> None:
    """``write`` every part in order in one helper thread while this thread produces the next.

    One write is under way at a time, and this thread runs at most
    :data:`WRITES_QUEUED` parts ahead of it; producing and writing overlap (database
    drivers and Arrow release the GIL while they work). An error on either side stops
    both: parts still queued are not written, the write under way finishes, and the
    error is raised here, so the caller's transaction is rolled back with no write still
    running on its connection.
    """
    stopped = threading.Event()

    def guarded(part: T) -> None:
        if stopped.is_set():
            return
        try:
            write(part)
        except BaseException:
            stopped.set()
            raise

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="heatmap-write") as pool:
        queued: deque[Future[None]] = deque()
        try:
            for part in parts:
                while len(queued) >= WRITES_QUEUED:
                    queued.popleft().result()
                queued.append(pool.submit(guarded, part))
            while queued:
                queued.popleft().result()
        except BaseException:
            stopped.set()
            raise


def write_behind_prepared(
    parts: Iterable[T], prepare: Callable[[T], U], write: Callable[[T, U | None], bool]
) -> None:
    """:func:`write_behind`, with ``prepare(part)`` made in this (the producing) thread, so
    the writing thread has less to do than wait on the database.

    ``write(part, prepared)`` returns whether it could use what was prepared; once it
    could not, later parts come unprepared (``None``) and ``write`` makes what it needs.
    A store prepares the insert of a part's complaints as all new: right for a first
    load or new tickets, wasted on a re-import.
    """
    useful = [True]

    def run(item: tuple[T, U | None]) -> None:
        useful[0] = write(*item)

    write_behind(((part, prepare(part) if useful[0] else None) for part in parts), run)
