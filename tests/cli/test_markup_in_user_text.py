"""Text a user gave (a path, a value of a row, an address, a name) is printed as it is.

Every command that echoes such text runs in-process (:func:`run_heatmap`) with ``[/x]`` and
``[red]`` in it: Rich must neither stop on the closing tag nobody opened (a MarkupError
traceback) nor take ``[red]`` for a style and drop it from what is printed.
"""

from __future__ import annotations

import json
from pathlib import Path

import h3
import pytest

from heatmap.devtools.cli_runner import Ran
from heatmap.devtools.cli_runner import run_heatmap as heatmap

from .test_cli import ROOT

#: A closing tag that matches nothing, then a style: both must come out as they are. In a
#: path its slash parts a folder from a file: :func:`made` makes the folder.
MARK = "[/x][red]"
REGISTRY = ROOT / "data" / "samples" / "vologda_addresses.csv"
HEADER = "ticket_id,created_at,msisdn,segment,topic,description,address,lat,lon,region\n"
SQUARE = "POLYGON((39.88 59.22, 39.89 59.22, 39.89 59.23, 39.88 59.23, 39.88 59.22))"
AT = ("--now", "2026-11-20T12:00:00")


def said(ran: Ran, *texts: str, code: int = 0) -> str:
    """What the run printed (stdout, then stderr), checked: exit ``code``, no traceback, and
    each of ``texts`` printed literally."""
    printed = ran.stdout + ran.stderr
    assert "Traceback" not in printed and "MarkupError" not in printed, printed
    assert ran.returncode == code, printed
    for text in texts:
        assert text in printed, f"{text!r} not printed:\n{printed}"
    return printed


def made(folder: Path, name: str) -> Path:
    """``folder / name`` with the folders it names made (a file's name may be ``a[/x]``)."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'heatmap.db'}"
    assert heatmap("init", db=url).returncode == 0
    return url


@pytest.fixture(scope="module")
def gazetteer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A gazetteer whose file name holds markup (``gazetteer build`` names it in its title)."""
    folder = tmp_path_factory.mktemp("gazetteer")
    name = f"g{MARK}.parquet"
    made(folder, name)
    built = heatmap("gazetteer", "build", str(REGISTRY), "--out", name, cwd=folder)
    said(built, name)
    return folder / name


def test_init_names_the_store(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / f's{MARK}.db'}"
    said(heatmap("init", "--db", url), "Store ready", url)


def test_samples_generate_names_its_file(tmp_path: Path) -> None:
    name = str(made(tmp_path, f"s{MARK}.csv").relative_to(tmp_path))
    said(heatmap("samples", "generate", "--n", "100", "--out", name, cwd=tmp_path), f"to {name}")


def test_geocode_file_names_its_output(gazetteer: Path, tmp_path: Path) -> None:
    made(tmp_path, f"out{MARK}.csv")
    made(tmp_path, f"in{MARK}.csv").write_text(
        f'id,addr\n1,"Вологда, ул. Ленинградская, д. 40а"\n2,"ул. {MARK}"\n', encoding="utf-8"
    )
    ran = heatmap(
        "geocode-file",
        f"in{MARK}.csv",
        "--column",
        "addr",
        "--gazetteer",
        str(gazetteer),
        "--out",
        f"out{MARK}.csv",
        cwd=tmp_path,
    )
    said(ran, f"Wrote 2 rows to out{MARK}.csv")


def _export(folder: Path, name: str, rows: list[str]) -> Path:
    path = made(folder, name)
    path.write_text(HEADER + "".join(f"{row}\n" for row in rows), encoding="utf-8")
    return path


def test_ingest_and_quarantine_show_paths_and_rows(db: str, tmp_path: Path) -> None:
    good = f"T1,2026-11-19T10:00:00+03:00,+79160000001,mass,no_coverage,{MARK},{MARK},59.229,39.869,"
    bad = f"T2,2026-11-19T10:00:00+03:00,+79160000002,{MARK},no_coverage,,,59.229,39.869,"
    _export(tmp_path, f"crm{MARK}.csv", [good, bad])
    ran = heatmap("ingest", f"crm{MARK}.csv", "--accept-mostly-bad", db=db, cwd=tmp_path)  # 1 of 2 bad
    said(ran, f"crm{MARK}.csv", "1 row(s) quarantined")
    said(heatmap("quarantine", db=db), f"crm{MARK}.csv", f"(got '{MARK}'", f'"segment": "{MARK}"')
    said(heatmap("quarantine", "--file", MARK, db=db), f"crm{MARK}.csv")


def test_ingest_names_a_mostly_bad_file(db: str, tmp_path: Path) -> None:
    rows = [f"T{i},2026-11-19T10:00:00+03:00,,{MARK},,,,59.229,39.869," for i in range(3)]
    _export(tmp_path, f"bad{MARK}.csv", rows)
    name = f"bad{MARK}.csv"
    said(heatmap("ingest", name, db=db, cwd=tmp_path), "x][red].csv: 3 of 3 rows", code=1)  # its name
    kept = heatmap("ingest", name, "--accept-mostly-bad", db=db, cwd=tmp_path)
    said(kept, f"heatmap profile guess {name}")


def test_density_load_names_its_file(db: str, tmp_path: Path) -> None:
    cell = h3.latlng_to_cell(59.22, 39.88, 9)
    made(tmp_path, f"d{MARK}.csv").write_text(f"h3_cell,subscribers\n{cell},10\n", encoding="utf-8")
    said(heatmap("density", "load", f"d{MARK}.csv", db=db, cwd=tmp_path), f"from d{MARK}.csv.")


def test_network_load_names_skipped_rows(db: str, tmp_path: Path) -> None:
    sites = f"s{MARK}.csv"
    made(tmp_path, sites).write_text(f"site_id,lat,lon\nA1,59.22,39.88\n{MARK},x,y\n", encoding="utf-8")
    ran = heatmap("network", "load", "--sites", sites, db=db, cwd=tmp_path)
    said(ran, f"skipped {sites}:3", "Loaded 1 sites")


def test_sites_from_drive_test_names_its_output(tmp_path: Path) -> None:
    rows = [f"t,39.87{i},59.229,LTE,-{90 + i},-80,A1\n" for i in range(4)]
    trace = "Timestamp,Longitude,Latitude,NetworkMode,RSRP,RSSI,NODEHEX\n" + "".join(rows)
    made(tmp_path, f"log{MARK}.csv").write_text(trace, encoding="utf-8")
    made(tmp_path, f"sites{MARK}.csv")
    ran = heatmap(
        "network", "sites-from-drive-test", f"log{MARK}.csv", "--out", f"sites{MARK}.csv", cwd=tmp_path
    )
    said(ran, f"into sites{MARK}.csv")


def test_export_and_map_name_their_files(db: str, tmp_path: Path) -> None:
    made(tmp_path, f"e{MARK}.csv")
    made(tmp_path, f"m{MARK}.html")
    ran = heatmap(
        "export", "--what", "complaints", "--format", "csv", "--out", f"e{MARK}.csv", db=db, cwd=tmp_path
    )
    said(ran, f"to e{MARK}.csv")
    said(heatmap("map", "--out", f"m{MARK}.html", db=db, cwd=tmp_path), f"Map written to m{MARK}.html")


def test_keys_show_their_holders_name(db: str) -> None:
    said(heatmap("keys", "create", "--role", "agent", "--name", f"n{MARK}", db=db), "API key for role agent")
    said(heatmap("keys", "list", db=db), f"n{MARK}")


def test_serve_names_its_address(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    served: list[str] = []
    monkeypatch.setattr(uvicorn, "run", lambda *_a, **kw: served.append(kw["host"]))
    said(heatmap("serve", "--host", f"h{MARK}", "--no-upgrade", db=db), f"on http://h{MARK}:8000")
    assert served == [f"h{MARK}"]


def test_a_spot_shows_its_address_and_notes(db: str) -> None:
    registered = heatmap(
        "known-issue", "--cause", "known_outage", "--polygon", SQUARE, "--address", f"ул. {MARK}", *AT, db=db
    )
    said(registered, "Known issue registered")
    spot = json.loads(heatmap("spots", "--format", "json", db=db).stdout)["spots"][0]
    said(heatmap("spots", db=db), f"ул. {MARK}")
    said(heatmap("queue", spot["queue"], *AT, db=db), f"ул. {MARK}")
    spot = spot["id"]
    said(heatmap("spot", "reject", spot, "--reason", f"no {MARK}", *AT, db=db), f"Spot {spot} is now")
    said(heatmap("spot", "show", spot, *AT, db=db), f"ул. {MARK}", f"no {MARK}")


def test_queue_titles_from_a_policy(db: str, tmp_path: Path) -> None:
    default = (ROOT / "heatmap" / "policy" / "default.toml").read_text(encoding="utf-8")
    policy = made(tmp_path, f"p{MARK}.toml")
    policy.write_text(default.replace("Транспортная сеть", f"Транспорт {MARK}"), encoding="utf-8")
    said(heatmap("queue", "--policy", str(policy), *AT, db=db), f"Транспорт {MARK}")


def test_profile_show_and_guess(tmp_path: Path) -> None:
    profile = made(tmp_path, f"p{MARK}.toml")
    profile.write_text(
        f'name = "p{MARK}"\ndescription = "d{MARK}"\n[columns]\naddress = ["Адрес{MARK}"]\n'
        f'[dates]\ntimezone = "Europe/Moscow"\n[reading]\nencoding = "utf-8"\nseparator = ";"\n',
        encoding="utf-8",
    )
    said(heatmap("profile", "show", str(profile)), f"p{MARK}: d{MARK}", f"Адрес{MARK}", "separator ';'")
    made(tmp_path, f"f{MARK}.csv").write_text(f"ticket_id;Адрес{MARK}\n1;x\n", encoding="utf-8")
    guessed = heatmap("profile", "guess", f"f{MARK}.csv", cwd=tmp_path)
    said(guessed, f"ingest --profile x][red].toml f{MARK}.csv")  # the file's stem: x][red]


SMALL = ("--registry", str(REGISTRY), "--incidents-per-week", "21", "--background-per-day", "30")


@pytest.mark.slow
def test_replay_names_its_plots_and_policies(tmp_path: Path) -> None:
    plots = tmp_path / f"plots{MARK}"
    plots.mkdir(parents=True)
    said(heatmap("replay", *SMALL, "--days", "1", "--plots", str(plots)), f"plots{MARK}")
    default = ROOT / "heatmap" / "policy" / "default.toml"
    other = tmp_path / "o[red].toml"  # a file's name holds no slash: [red] alone is restyled
    other.write_text(default.read_text(encoding="utf-8"), encoding="utf-8")
    compared = heatmap("replay", *SMALL, "--days", "1", "--compare", str(default), str(other))
    said(compared, "B o[red].toml", "o[red].toml: simulated days")


@pytest.mark.slow
def test_demo_names_its_folder(tmp_path: Path) -> None:
    said(heatmap("demo", "--out", f"d{MARK}", cwd=tmp_path), f"Wrote d{MARK}/map.html")
