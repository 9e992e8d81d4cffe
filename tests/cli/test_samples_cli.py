"""``heatmap samples generate`` at every size its ``--n`` accepts: the export has the rows
asked for, at least one of them deliberately bad, and ``heatmap ingest`` reads it whole,
quarantining exactly the bad rows.

Below 17 rows the 3 % bad share rounds to no bad row, and the generator once crashed
there (an empty list of ticket suffixes added to the text column was taken as float64).
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pandas as pd
import pytest
import typer.main
from hypothesis import given
from hypothesis import strategies as st

from heatmap.cli.app import app
from heatmap.devtools.cli_runner import run_heatmap as heatmap
from heatmap.devtools.samples import SAMPLES_NOW, generate_export, read_addresses

LARGEST_SMALL_N = 60
BAD_TICKET = r"(CRM-\d{3,}-\d{6}-B\d+)?"  # a bad row's own id, or none (the no_ticket kind)


def _fewest_rows() -> int:
    """The least ``--n`` that ``samples generate`` accepts, read from the command itself."""
    command = typer.main.get_command(app).commands["samples"].commands["generate"]  # type: ignore[attr-defined]
    fewest = next(param.min for param in command.params if param.name == "n")
    assert isinstance(fewest, int)
    return fewest


FEWEST_ROWS = _fewest_rows()
SEED_LIMIT = 2**32 - 1  # the largest seed pandas' sampling takes


@cache
def _addresses() -> pd.DataFrame:
    return read_addresses()


def _bad_rows_expected(n: int) -> int:
    """The documented 3 % share of bad rows, and at least one."""
    return max(1, round(n * 0.03))


@given(n=st.integers(FEWEST_ROWS, LARGEST_SMALL_N), seed=st.integers(0, SEED_LIMIT))
def test_small_exports_have_the_rows_asked_for_with_bad_ones_among_them(n: int, seed: int) -> None:
    frame, plants = generate_export(_addresses(), n=n, seed=seed, now=SAMPLES_NOW)
    assert len(frame) == n and len(plants) == 6
    assert all(isinstance(cell, str) for cell in frame.to_numpy().ravel()), frame.dtypes
    tickets = frame["ticket_id"]
    assert tickets.str.fullmatch(BAD_TICKET).sum() == _bad_rows_expected(n)
    named = tickets[tickets != ""]
    assert not named.duplicated().any(), named[named.duplicated(keep=False)]


def test_no_bad_rows_asked_for_gives_none() -> None:
    frame, _ = generate_export(_addresses(), n=FEWEST_ROWS, seed=1, now=SAMPLES_NOW, bad_share=0.0)
    assert len(frame) == FEWEST_ROWS and frame["ticket_id"].dtype == "str"
    assert not frame["ticket_id"].str.fullmatch(BAD_TICKET).any()


@pytest.mark.parametrize("n", range(FEWEST_ROWS, LARGEST_SMALL_N + 1))
def test_every_small_n_generates_an_export_that_ingests(n: int, tmp_path: Path) -> None:
    """Seeds vary with n (1-4), so each seed meets sizes on both sides of 17 rows."""
    export = tmp_path / "export.csv"
    db = f"sqlite:///{tmp_path / 'heatmap.db'}"
    seed = 1 + n % 4
    made = heatmap("samples", "generate", "--n", str(n), "--seed", str(seed), "--out", str(export))
    assert made.returncode == 0 and "Traceback" not in made.stderr, made.stderr
    written = pd.read_csv(export, dtype=str, keep_default_na=False)
    assert len(written) == n
    bad = int(written["ticket_id"].str.fullmatch(BAD_TICKET).sum())
    assert bad == _bad_rows_expected(n)

    assert heatmap("init", db=db).returncode == 0
    ingested = heatmap("ingest", str(export), "--json", db=db)
    assert ingested.returncode == 0 and "Traceback" not in ingested.stderr, ingested.stderr
    counts = json.loads(ingested.stdout)
    assert counts == {"read": n, "inserted": n - bad, "updated": 0, "unchanged": 0, "quarantined": bad}


@pytest.mark.parametrize(
    ("option", "value"),
    [("--n", str(FEWEST_ROWS - 1)), ("--seed", "-1"), ("--seed", str(SEED_LIMIT + 1))],
)
def test_values_the_options_refuse_are_usage_errors(option: str, value: str, tmp_path: Path) -> None:
    export = tmp_path / "export.csv"
    refused = heatmap("samples", "generate", f"{option}={value}", "--out", str(export))
    assert refused.returncode == 2 and "Traceback" not in refused.stderr, refused.stderr
    assert not export.exists()


@pytest.mark.parametrize(
    ("n", "told"),
    [
        (
            10,
            r"6 planted concentrations of 1–2 complainants each \(all with fewer than detection's minimum",
        ),
        (20, r"6 planted concentrations of 2–3 complainants each \(3 of them with fewer than detection's"),
        (100, r"6 planted spots \(8–14 complainants each\)"),
    ],
)
def test_the_message_says_how_many_complainants_the_planted_spots_have(
    n: int, told: str, tmp_path: Path
) -> None:
    """A small export's planted concentrations may have fewer complainants than detection's
    minimum; the message once said "6 planted spots" whatever their size."""
    export = tmp_path / "export.csv"
    made = heatmap("samples", "generate", "--n", str(n), "--seed", "1", "--out", str(export))
    assert made.returncode == 0, made.stderr
    said = " ".join(made.stderr.split())
    assert re.search(rf"Wrote {n} rows to .*export\.csv: {told}", said), said
    _, plants = generate_export(_addresses(), n=n, seed=1, now=SAMPLES_NOW)
    sizes = sorted(p.complainants for p in plants)
    assert f"{sizes[0]}–{sizes[-1]} complainants each" in said, "the generator's own counts"


def test_the_minimum_is_the_one_detection_uses(tmp_path: Path) -> None:
    export = tmp_path / "export.csv"
    made = heatmap(
        "samples",
        "generate",
        "--n",
        "100",
        "--seed",
        "1",
        "--out",
        str(export),
        env={"HEATMAP_DETECT_MIN_SUBSCRIBERS": "10"},
    )
    assert made.returncode == 0, made.stderr
    assert "(2 of them with fewer than detection's minimum of 10 complainants)" in " ".join(
        made.stderr.split()
    )


@pytest.mark.parametrize("now", ["2026-12-06", "2026-12-06T10:00:00"])
def test_now_without_an_offset_is_taken_as_utc(now: str, tmp_path: Path) -> None:
    """``--now`` says "UTC if no offset", as for every command; a date alone once ended in a
    pandas traceback (tz-naive timestamps cannot be converted to Moscow time)."""
    export = tmp_path / "export.csv"
    made = heatmap("samples", "generate", "--n", "50", "--now", now, "--out", str(export))
    assert made.returncode == 0 and "Traceback" not in made.stderr, made.stderr
    written = pd.read_csv(export, dtype=str)["created_at"].dropna()
    written = written[written.str.match(r"\d{4}-")]  # the bad_date rows aside
    created = pd.to_datetime(written, format="ISO8601", utc=True)
    latest = pd.Timestamp(now, tz="UTC")
    assert created.max() <= latest and created.min() >= latest - pd.Timedelta(days=14)


def test_the_help_names_the_samples_fixed_time_as_the_default() -> None:
    """Without ``--now`` the samples are made at :data:`SAMPLES_NOW`, not at the clock's time."""
    shown = heatmap("samples", "generate", "--help", env={"COLUMNS": "200"})
    said = " ".join(shown.stdout.split())
    assert "default: now" not in said and SAMPLES_NOW.strftime("%Y-%m-%dT%H:%M") in said, said
