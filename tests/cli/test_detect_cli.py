"""`heatmap detect-file` and `heatmap detect --engine dask` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import DBSCAN

from heatmap.devtools.cli_runner import run_heatmap as heatmap
from heatmap.errors import UsageError
from heatmap.testing import assert_imports_none, assert_same_partition


def points_file(tmp_path: Path, n: int = 3000, seed: int = 3) -> Path:
    rng = np.random.default_rng(seed)
    centres = rng.uniform([59.18, 39.80], [59.26, 39.96], size=(12, 2))
    which = rng.integers(len(centres), size=n)
    spread = rng.normal(0, 0.0012, size=(n, 2))
    lat, lon = (centres[which] + spread).T
    frame = pd.DataFrame(
        {
            "row": np.arange(n),
            "lat": lat.round(6),
            "lon": lon.round(6),
            "subscriber_id": [f"s{i}" for i in range(n)],
        }
    )
    frame["lat"] = frame["lat"].astype(object)
    frame.loc[5, "lat"] = "not a number"
    path = tmp_path / "points.csv"
    frame.to_csv(path, index=False)
    return path


def test_detect_file_dbscan_equals_scikit_learn(tmp_path: Path) -> None:
    source = points_file(tmp_path)
    result = heatmap(
        "detect-file",
        str(source),
        "--method",
        "dbscan",
        "--eps-m",
        "150",
        "--min-subscribers",
        "4",
        "--rule",
        "count",
        "--out",
        str(tmp_path / "out.csv"),
    )
    assert result.returncode == 0, result.stderr
    out = pd.read_csv(tmp_path / "out.csv", dtype=str, keep_default_na=False)
    assert out["row"].tolist() == [str(i) for i in range(3000)], "rows keep their order"
    assert out.loc[5, "spot_id"] == "", "an unusable row is noise, not an error"
    good = out.drop(index=5)
    coords = np.radians(good[["lat", "lon"]].astype(float).to_numpy())
    reference = DBSCAN(
        eps=150 / 6_371_008.8, min_samples=4, metric="haversine", algorithm="ball_tree"
    ).fit_predict(coords)
    assert_same_partition(
        good["spot_id"].replace("", "-1").tolist(), reference.astype(str).tolist(), noise="-1"
    )
    assert (good["spot_id"] != "").sum() > 1000


def test_detect_file_h3_counts_distinct_subscribers(tmp_path: Path) -> None:
    rows = "lat,lon,subscriber_id\n" + "59.2200,39.8800,a\n" * 5 + "59.2200,39.8800,b\n"
    (tmp_path / "few.csv").write_text(rows, encoding="utf-8")
    heatmap("detect-file", str(tmp_path / "few.csv"), "--method", "h3", "--out", str(tmp_path / "o.csv"))
    assert set(pd.read_csv(tmp_path / "o.csv", keep_default_na=False)["spot_id"]) == {""}
    missing = heatmap(
        "detect-file",
        str(tmp_path / "o.csv"),
        "--out",
        str(tmp_path / "x.csv"),
        "--method",
        "h3",
        env={"X": "1"},
    )
    assert missing.returncode == 0  # spot_id column present is fine; lat/lon/subscriber exist
    (tmp_path / "bad.csv").write_text("x,y\n1,2\n", encoding="utf-8")
    bad = heatmap("detect-file", str(tmp_path / "bad.csv"), "--out", str(tmp_path / "y.csv"))
    assert bad.returncode == 1 and "missing column" in bad.stderr


@pytest.mark.slow
def test_dask_engine_gives_the_local_spots(tmp_path: Path, sample_export: Path) -> None:
    for rule in ("count", "default"):  # the default rule is the expected rule
        chosen = ["--rule", rule] if rule != "default" else []
        spots = {}
        for engine in ("local", "dask"):
            db = f"sqlite:///{tmp_path / rule}-{engine}.db"
            heatmap("init", db=db)
            heatmap("ingest", str(sample_export), db=db)
            result = heatmap(
                "detect",
                "--method",
                "dbscan",
                "--engine",
                engine,
                *chosen,
                "--json",
                "--now",
                "2026-11-20T12:00:00",
                db=db,
            )
            assert result.returncode == 0, result.stderr
            assert json.loads(result.stdout)["rule"] == ("count" if chosen else "expected")
            listed = json.loads(heatmap("spots", "--format", "json", db=db).stdout)["spots"]
            spots[engine] = sorted(
                (s["id"], s["subscribers"], s["complaints"], s["observed"], s["p_value"]) for s in listed
            )
        assert spots["dask"] == spots["local"], rule
        assert len(spots["local"]) >= (6 if rule == "count" else 1), rule
    for chosen in (["--rule", "count"], []):
        h3_on_dask = heatmap(
            "detect", "--engine", "dask", *chosen, db=f"sqlite:///{tmp_path / 'count'}-local.db"
        )
        assert h3_on_dask.returncode == 2 and "--method dbscan" in h3_on_dask.stderr


def test_detect_file_says_when_it_had_no_exposure(tmp_path: Path) -> None:
    """In-process: the expected rule without a density or gazetteer says so."""
    from typer.testing import CliRunner

    from heatmap.cli.app import app

    rows = "lat,lon,subscriber_id\n" + "".join(f"59.{2200 + i},39.{8800 + i},s{i}\n" for i in range(30))
    (tmp_path / "p.csv").write_text(rows, encoding="utf-8")
    said = CliRunner().invoke(app, ["detect-file", str(tmp_path / "p.csv"), "--out", str(tmp_path / "o.csv")])
    assert said.exit_code == 0, said.output
    assert "expected to complain alike" in said.output
    # detect-file reads no HEATMAP_GAZETTEER, so it advises only its own flags
    assert "--density or --gazetteer" in said.output
    assert "HEATMAP_GAZETTEER" not in said.output
    counted = CliRunner().invoke(
        app, ["detect-file", str(tmp_path / "p.csv"), "--out", str(tmp_path / "c.csv"), "--rule", "count"]
    )
    assert counted.exit_code == 0 and "alike" not in counted.output


@pytest.mark.parametrize(("method", "with_gazetteer"), [("h3", False), ("dbscan", False), ("h3", True)])
def test_detect_file_count_rule_imports_neither_pandas_nor_the_expected_rule(
    tmp_path: Path, method: str, with_gazetteer: bool
) -> None:
    source = tmp_path / "clean.csv"  # every position a number or empty: no cell-by-cell fallback
    source.write_text(points_file(tmp_path, n=400).read_text().replace("not a number", ""))
    more = f", '--gazetteer', {str(small_gazetteer(tmp_path))!r}" if with_gazetteer else ""
    probe = (
        "import sys\nfrom heatmap.cli.app import app\n"
        f"sys.argv = ['heatmap', 'detect-file', {str(source)!r}, '--out', {str(tmp_path / 'o.csv')!r},"
        f" '--rule', 'count', '--method', {method!r}{more}]\n"
        "try:\n    app()\nexcept SystemExit:\n    pass\n"
    )
    assert_imports_none(probe, ["pandas", "heatmap.detect.run", "heatmap.detect.significance"])
    assert (tmp_path / "o.csv").read_text().splitlines()[0] == "row,lat,lon,subscriber_id,spot_id"


def small_gazetteer(tmp_path: Path) -> Path:
    from heatmap.geocode import build_gazetteer, save_gazetteer

    registry = tmp_path / "registry.csv"
    registry.write_text(
        "LAT,LON,HOUSE_ID,ADDRESS\n"
        '59.210336,39.840912,1,"обл. Вологодская, г. Вологда, ул. Солодунова, д. 38"\n'
        '59.191237,39.902994,2,"обл. Вологодская, г. Вологда, ул. Конева, д. 10"\n',
        encoding="utf-8",
    )
    entries, _ = build_gazetteer(registry)
    return save_gazetteer(entries, tmp_path / "g.parquet")


@pytest.mark.parametrize("method", ["h3", "dbscan"])
def test_detect_file_count_rule_builds_no_exposure_from_the_gazetteer(
    tmp_path: Path, method: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The count rule weighs no exposure: --gazetteer is not read, the labels are the same."""
    from typer.testing import CliRunner

    from heatmap.cli.app import app
    from heatmap.service import exposure

    built: list[object] = []
    real = exposure.gazetteer_exposure

    def spy(path: str | Path) -> pd.DataFrame:
        built.append(path)
        return real(path)

    monkeypatch.setattr(exposure, "gazetteer_exposure", spy)
    source, gazetteer = points_file(tmp_path, n=400), small_gazetteer(tmp_path)
    outputs = {}
    for name, more in (("plain", []), ("gazetteer", ["--gazetteer", str(gazetteer)])):
        out_file = tmp_path / f"{name}.csv"
        args = ["detect-file", str(source), "--out", str(out_file), "--rule", "count", "--method", method]
        said = CliRunner().invoke(app, [*args, *more])
        assert said.exit_code == 0, said.output
        outputs[name] = (out_file.read_bytes(), said.output.replace(str(out_file), "OUT"))
    assert built == [], "the count rule built an exposure it never uses"
    assert outputs["gazetteer"][0] == outputs["plain"][0]
    note = "note: --gazetteer gives the expected rule its exposure; --rule count does not read it\n"
    assert outputs["gazetteer"][1] == note + outputs["plain"][1]
    missing = ["detect-file", str(source), "--out", str(tmp_path / "m.csv"), "--rule", "count"]
    said = CliRunner().invoke(app, [*missing, "--density", str(tmp_path / "nowhere.csv")])
    assert isinstance(said.exception, UsageError)  # exit code 2 through heatmap's main
    assert str(said.exception).startswith("--density ") and "no such file" in str(said.exception)
    expected = ["detect-file", str(source), "--out", str(tmp_path / "e.csv"), "--gazetteer", str(gazetteer)]
    assert CliRunner().invoke(app, expected).exit_code == 0
    assert built == [gazetteer], "the expected rule still takes the gazetteer's houses"


def test_detect_file_reads_a_utf16_export(tmp_path: Path) -> None:
    """Excel's "Unicode text" (UTF-16 with a byte-order mark) was 'missing column(s): lat, lon'."""
    rows = "lat\tlon\tsubscriber_id\r\n" + "".join(f"59.2200\t39.8800\ts{i}\r\n" for i in range(3))
    (tmp_path / "u16.csv").write_bytes(rows.encode("utf-16"))
    done = heatmap(
        "detect-file",
        str(tmp_path / "u16.csv"),
        "--out",
        str(tmp_path / "o.csv"),
        "--rule",
        "count",
        "--method",
        "h3",
        "--min-subscribers",
        "3",
    )
    assert done.returncode == 0, done.stderr
    written = pd.read_csv(tmp_path / "o.csv", keep_default_na=False, dtype=str)  # UTF-8, commas
    assert list(written.columns) == ["lat", "lon", "subscriber_id", "spot_id"]
    assert written["spot_id"].nunique() == 1 and (written["spot_id"] != "").all()


class Shown:
    """A progress bar that remembers what it was told."""

    def __init__(self, quiet: bool) -> None:
        self.quiet, self.descriptions, self.completed = quiet, list[str](), list[int]()

    def add_task(self, description: str, total: float | None = None) -> int:
        self.total = total
        return 0

    def update(self, _task: int, *, description: str, completed: int) -> None:
        self.descriptions.append(description)
        self.completed.append(completed)

    def __enter__(self) -> Shown:
        return self

    def __exit__(self, *_exc: object) -> None:
        return None


@pytest.mark.parametrize("as_json", [False, True])
def test_detect_shows_its_phases_unless_json(
    tmp_path: Path, sample_export: Path, monkeypatch: pytest.MonkeyPatch, as_json: bool
) -> None:
    """300,000 complaints ran ~24 s with nothing on the screen; --json shows nothing (the
    bar itself also shows nothing when stderr is no terminal: heatmap.cli.output)."""
    import heatmap.cli.detect as command
    from heatmap.service.pipeline import DETECT_PHASES

    bars: list[Shown] = []

    def shown(quiet: bool) -> Shown:
        bars.append(Shown(quiet))
        return bars[-1]

    monkeypatch.setattr(command, "progress_bar", shown)
    db = f"sqlite:///{tmp_path / 'h.db'}"
    assert heatmap("init", db=db).returncode == 0
    assert heatmap("ingest", str(sample_export), db=db).returncode == 0
    done = heatmap("detect", *(["--json"] if as_json else []), "--now", "2026-11-20T12:00:00", db=db)
    assert done.returncode == 0, done.stderr
    (bar,) = bars
    assert bar.quiet is as_json and bar.total == len(DETECT_PHASES)
    assert bar.descriptions == [f"detect: {phase}" for phase in DETECT_PHASES]
    assert bar.completed == list(range(len(DETECT_PHASES)))
    if as_json:
        assert list(json.loads(done.stdout)) == [
            "method", "rule", "exposure", "spots", "new", "merged", "complaints_in_spots"
        ]  # fmt: skip
