"""The file gateway: one JSON line per message, flushed to disk unless told it need not be."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from heatmap.closeout.gateways import FileGateway, OutgoingSms

SMS = [OutgoingSms(1, 1, "+79110000001", "Связь восстановлена"), OutgoingSms(2, 1, "+79110000002", "Ещё")]


def sent(path: Path, *, durable: bool) -> list[dict[str, object]]:
    gateway = FileGateway(path, durable=durable)
    assert [gateway.send(sms) for sms in SMS] == ["file:1:1", "file:2:1"]
    assert gateway.confirm(SMS[1]) and not gateway.confirm(OutgoingSms(3, 1, "+79110000003", "x"))
    return [{k: v for k, v in m.items() if k != "at"} for m in gateway.messages()]


def test_a_spool_not_kept_gets_the_same_lines_without_a_flush_per_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    flushed: list[int] = []
    real_fsync = os.fsync

    def counted(fd: int) -> None:
        flushed.append(fd)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", counted)
    kept = sent(tmp_path / "kept.jsonl", durable=True)
    assert len(flushed) == 2, "a durable spool flushes every message"
    thrown = sent(tmp_path / "replay.jsonl", durable=False)
    assert len(flushed) == 2, "a spool thrown away is left to the system"
    assert thrown == kept == [{"id": s.id, "attempt": s.attempt, "to": s.to, "text": s.text} for s in SMS]


def test_the_spool_holds_phone_numbers_so_it_is_the_owners(tmp_path: Path) -> None:
    before = os.umask(0o022)
    try:
        sent(tmp_path / "sms.jsonl", durable=False)
    finally:
        os.umask(before)
    assert (tmp_path / "sms.jsonl").stat().st_mode & 0o777 == 0o600
