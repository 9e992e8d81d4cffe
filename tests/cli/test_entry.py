"""A Ctrl-C while ``heatmap`` is still importing its app ends quietly with exit code 130;
it printed a KeyboardInterrupt traceback (the first ~0.7 s of every command)."""

from __future__ import annotations

import builtins
import runpy
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from heatmap.cli import entry

ROOT = Path(__file__).resolve().parents[2]


def interrupted_import(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C arriving while ``heatmap.cli.app`` is imported."""
    real = builtins.__import__

    def importing(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "heatmap.cli.app":
            raise KeyboardInterrupt
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", importing)


def exit_code(start: Callable[[], object]) -> object:
    """The code ``start`` exits with; a KeyboardInterrupt let through fails the test (it
    would otherwise stop the whole run, as it stopped the command with a traceback)."""
    try:
        start()
    except SystemExit as ended:
        return ended.code
    except KeyboardInterrupt:
        pytest.fail("the KeyboardInterrupt came through, with its traceback")
    pytest.fail("it did not exit")


def test_ctrl_c_while_importing_exits_130_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    interrupted_import(monkeypatch)
    assert exit_code(entry.main) == entry.INTERRUPTED == 130
    assert capsys.readouterr() == ("", "")


def test_python_m_heatmap_goes_through_the_same_guard(monkeypatch: pytest.MonkeyPatch) -> None:
    interrupted_import(monkeypatch)
    monkeypatch.delitem(sys.modules, "heatmap.__main__", raising=False)
    assert exit_code(lambda: runpy.run_module("heatmap", run_name="__main__")) == 130


def test_the_console_script_is_the_guarded_entry_point() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["scripts"]["heatmap"] == "heatmap.cli.entry:main"


def test_the_guarded_entry_point_runs_the_cli() -> None:
    code = "import sys; sys.argv = ['heatmap', '--help']; from heatmap.cli.entry import main; main()"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "Teplokarty" in done.stdout, done.stderr
