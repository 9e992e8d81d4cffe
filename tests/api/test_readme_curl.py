"""The README's curl examples, run as written against ``heatmap serve`` (a real process)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from .test_serve import running_server

ROOT = Path(__file__).resolve().parents[2]
World = Any  # the fixture's type (tests/api/conftest.py)
README_URL = "http://127.0.0.1:8000"


def readme_curls() -> list[str]:
    """The ``curl`` lines of the README's shell blocks, as a reader would copy them."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", text, flags=re.DOTALL)
    return [
        line.strip() for block in blocks for line in block.splitlines() if line.strip().startswith("curl ")
    ]


def test_the_readme_has_curl_examples_that_encode_cyrillic() -> None:
    curls = readme_curls()
    assert len(curls) >= 3
    for command in curls:
        if re.search(r"[А-Яа-яЁё]", command):
            assert "-G" in command and "--data-urlencode" in command, command


@pytest.mark.skipif(shutil.which("curl") is None, reason="needs the curl command")
def test_the_readme_curl_examples_work_as_written(world: World) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "HEATMAP_DB": world.store.url,
        "HEATMAP_GAZETTEER": str(world.settings.gazetteer),
        "HEATMAP_CITY": "Вологда",
        "HEATMAP_API_LEAFLET_URL": "",
    }
    answers = []
    with running_server(env, "--log-level", "warning") as url:
        for command in readme_curls():
            assert README_URL in command and "hm_…" in command, command
            ours = command.replace(README_URL, url).replace("hm_…", world.keys["agent"])
            # as a shell runs it; --fail-with-body: an HTTP error is a failed command
            result = subprocess.run(
                ["bash", "-c", ours + " -sS --fail-with-body"], capture_output=True, text=True, timeout=60
            )
            assert result.returncode == 0, (command, result.stdout, result.stderr)
            answers.append(json.loads(result.stdout))
    by_address, by_point, spots = answers[:3]
    assert by_address["precision"] == "house" and by_address["spot"]["id"] == world.spot_id
    assert by_point["spot"]["id"] == world.spot_id
    assert world.spot_id in {f["id"] for f in spots["features"]}
