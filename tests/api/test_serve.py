"""``heatmap serve`` as a real process with two workers, over every store kind.

An ETA set through one connection reaches lookups answered by every worker within
the index check interval.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from heatmap.core.script import russian_date

ROOT = Path(__file__).resolve().parents[2]
World = Any  # the fixture's type (tests/api/conftest.py)
CHECK_MS = 100


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def call(url: str, key: str, body: dict[str, object] | None = None) -> tuple[int, Any]:
    request = urllib.request.Request(
        url,
        data=None if body is None else json.dumps(body).encode(),
        headers={
            "X-API-Key": key,
            "Content-Type": "application/json",
            "Connection": "close",
        },  # a new connection: any worker may answer
        method="GET" if body is None else "POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@contextmanager
def running_server(env: dict[str, str], *options: str) -> Iterator[str]:
    """``heatmap serve`` as a real process on a free loopback port; its URL once healthy."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "heatmap", "serve", "--host", "127.0.0.1", "--port", str(port), *options],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    output = process.stdout.read() if process.stdout else ""
                    pytest.fail(f"heatmap serve did not come up: {output}")
                time.sleep(0.2)
        yield url
        assert process.poll() is None, "heatmap serve kept running"
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def server(world: World) -> Iterator[str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "HEATMAP_DB": world.store.url,
        "HEATMAP_API_INDEX_CHECK_MS": str(CHECK_MS),
        "HEATMAP_API_LEAFLET_URL": "",
    }
    env.pop("HEATMAP_GAZETTEER", None)
    with running_server(env, "--workers", "2", "--log-level", "warning") as url:
        yield url


@pytest.mark.slow
def test_every_worker_sees_a_new_eta_within_the_check_interval(server: str, world: World) -> None:
    lookup = f"{server}/api/v1/lookup?lat={world.lat}&lon={world.lon}"
    agent, engineer = world.keys["agent"], world.keys["engineer"]
    for _ in range(6):  # both workers have built their index
        status, answer = call(lookup, agent)
        assert status == 200 and answer["spot"]["eta"] is None
    # the server runs on the real clock, and an ETA must be later than now
    eta = date.today() + timedelta(days=40)
    status, moved = call(f"{server}/api/v1/spots/{world.spot_id}/eta", engineer, {"eta": eta.isoformat()})
    assert status == 200, moved
    time.sleep(CHECK_MS / 1000 * 3)
    texts = {call(lookup, agent)[1]["spot"]["eta_text"] for _ in range(12)}
    assert texts == {russian_date(datetime(eta.year, eta.month, eta.day, 12, tzinfo=UTC))}
    status, problem = call(f"{server}/api/v1/spots/{world.spot_id}/resolve", agent, {})
    assert status == 403 and "agent" in problem["message"]
