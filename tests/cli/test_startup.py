"""The CLI starts without the heavy libraries: they load inside the commands that need them."""

from __future__ import annotations

import subprocess
import sys

import pytest

from heatmap.testing import assert_imports_none

#: Libraries no command's start-up, help or argument parsing may import.
HEAVY = (
    "pandas",
    "numpy",
    "geopandas",
    "sklearn",
    "scipy",
    "h3",
    "fastapi",
    "pyarrow",
    "pydantic_settings",
    "shapely",
    "psycopg",
)


def test_importing_the_cli_imports_no_heavy_library() -> None:
    assert_imports_none("import heatmap.cli.app", HEAVY)


@pytest.mark.parametrize(
    "args", [["--help"], ["spot", "--help"], ["detect", "--help"], ["density", "--help"], ["serve", "--help"]]
)
def test_help_imports_no_heavy_library(args: list[str]) -> None:
    code = (
        "import sys\nfrom heatmap.cli.app import app\n"
        f"sys.argv = ['heatmap', *{args!r}]\n"
        "try:\n    app()\nexcept SystemExit:\n    pass"
    )
    assert_imports_none(code, HEAVY)


def test_help_stays_under_150_mb() -> None:
    # VmHWM, not ru_maxrss: the latter keeps the forking parent's peak across exec.
    code = (
        "import runpy, sys\nsys.argv = ['heatmap', '--help']\n"
        "try:\n    runpy.run_module('heatmap', run_name='__main__')\nexcept SystemExit:\n    pass\n"
        "peak = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0]\n"
        "sys.stderr.write('PEAK ' + peak.split()[1])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    peak_kb = int(done.stderr.rpartition("PEAK ")[2])
    assert peak_kb < 150 * 1024, f"heatmap --help peaked at {peak_kb / 1024:.0f} MB"
