"""``heatmap detect`` and ``heatmap detect-file``: spots in the store, or in a plain file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from heatmap import service
from heatmap.cli.common import (
    DbOption,
    JsonOption,
    NowOption,
    PolicyOption,
    ProfileOption,
    wired,
)
from heatmap.cli.output import emit_json, err, out, progress_bar, table
from heatmap.detect.params import METHODS, RULES, DetectParams
from heatmap.errors import UsageError

if TYPE_CHECKING:
    from heatmap.service.files import FileDetection
    from heatmap.settings import DetectionSettings

#: Said when the expected rule had no exposure to go by.
UNIFORM_WARNING = (
    "note: no subscriber density or gazetteer houses, so every populated place was expected "
    "to complain alike: dense districts may stand out as spots (heatmap density load, "
    "--gazetteer or HEATMAP_GAZETTEER give the expected rule where people live)"
)
#: detect-file reads no store and no HEATMAP_GAZETTEER: only its own flags give exposure.
FILE_UNIFORM_WARNING = (
    "note: no subscriber density or gazetteer houses, so every populated place was expected "
    "to complain alike: dense districts may stand out as spots (--density or --gazetteer "
    "give the expected rule where people live)"
)

#: The longest window a run looks back over: a century of complaints.
MAX_WINDOW_DAYS = 36_525

#: Options both commands take (None: the settings').
H3ResOption = Annotated[int | None, typer.Option(help="H3 resolution (default 9).")]
EpsOption = Annotated[float | None, typer.Option(help="DBSCAN radius in metres (250).")]
MinSubscribersOption = Annotated[int | None, typer.Option(help="Distinct complainants that make a spot (3).")]


def register(app: typer.Typer) -> None:
    """Add the detection commands to ``app``."""
    app.command("detect")(detect)
    app.command("detect-file")(detect_file)


def detect(
    db: DbOption = None,
    method: Annotated[str | None, typer.Option(help="h3 or dbscan.")] = None,
    h3_res: H3ResOption = None,
    eps_m: EpsOption = None,
    min_subscribers: MinSubscribersOption = None,
    window_days: Annotated[float | None, typer.Option(help="Look back this many days (30).")] = None,
    rule: Annotated[
        str | None,
        typer.Option(
            help="expected (significant excess over the expected count, default) or count "
            "(the old fixed threshold)."
        ),
    ] = None,
    gazetteer: Annotated[
        Path | None,
        typer.Option(
            help="Houses as exposure when the store holds no layer, and the nearest house's address for a"
            " spot whose complaints gave none (default HEATMAP_GAZETTEER)."
        ),
    ] = None,
    engine: Annotated[str, typer.Option(help="local, or dask (DBSCAN on a cluster).")] = "local",
    scheduler: Annotated[
        str | None,
        typer.Option(
            help="Dask scheduler address (default: HEATMAP_DASK_SCHEDULER, else a local cluster"
            " of 2 workers).",
        ),
    ] = None,
    policy: PolicyOption = None,
    now: NowOption = None,
    json: JsonOption = False,
) -> None:
    """Detect spots among the stored complaints; open spots keep their ids."""
    from heatmap.service.engines import labeller_for
    from heatmap.service.pipeline import DETECT_PHASES

    services = wired(db, policy=policy, gazetteer=gazetteer, dask_scheduler=scheduler)
    settings = services.settings
    params = _chosen_params(settings.detection, method, h3_res, eps_m, min_subscribers, window_days, rule)
    if engine == "dask" and params.method != "dbscan":
        raise UsageError("the Dask engine runs DBSCAN: use --method dbscan")
    with progress_bar(json) as progress, labeller_for(engine, scheduler=settings.dask_scheduler) as labeller:
        task = progress.add_task("detect", total=len(DETECT_PHASES))

        def phase(name: str) -> None:
            progress.update(task, description=f"detect: {name}", completed=DETECT_PHASES.index(name))

        report = service.detect_spots(
            services.store,
            params=params,
            policy=services.policy,
            now=services.now(now),
            labeller=labeller,
            gazetteer=settings.gazetteer,
            progress=phase,
        )
    summary = {
        "method": report.method,
        "rule": report.rule,
        "exposure": report.exposure,
        "spots": report.spots,
        "new": report.new,
        "merged": report.merged,
        "complaints_in_spots": report.complaints_in_spots,
    }
    if json:
        emit_json(summary)
        return
    out.print(table("Detection", list(summary), [list(summary.values())]))
    if report.exposure == "uniform":
        err.print(UNIFORM_WARNING)


def _chosen_params(
    base: DetectionSettings,
    method: str | None,
    h3_res: int | None,
    eps_m: float | None,
    min_subscribers: int | None,
    window_days: float | None,
    rule: str | None = None,
) -> DetectParams:
    """The options given, else the settings'."""
    if method is not None and method not in METHODS:
        raise UsageError(f"--method must be h3 or dbscan, not {method!r}")
    if rule is not None and rule not in RULES:
        raise UsageError(f"--rule must be expected or count, not {rule!r}")
    if h3_res is not None and not 0 <= h3_res <= 15:
        raise UsageError(f"--h3-res must be one of H3's resolutions, 0 to 15, not {h3_res}")
    if min_subscribers is not None and min_subscribers < 1:
        raise UsageError(f"--min-subscribers must be at least 1, not {min_subscribers}")
    if window_days is not None and not 0 < window_days <= MAX_WINDOW_DAYS:  # NaN compares false
        raise UsageError(
            f"--window-days must be above 0 and at most {MAX_WINDOW_DAYS:,}, not {window_days:g}"
        )
    return DetectParams(
        method=method or base.method,
        h3_res=base.h3_res if h3_res is None else h3_res,
        eps_m=base.eps_m if eps_m is None else eps_m,
        min_subscribers=base.min_subscribers if min_subscribers is None else min_subscribers,
        window_days=base.window_days if window_days is None else window_days,
        rule=rule or base.rule,
        q=base.q,
        history_days=base.history_days,
    )


def detect_file(
    in_file: Annotated[Path, typer.Argument(help="CSV with lat, lon, subscriber_id[, created_at].")],
    out_file: Annotated[Path, typer.Option("--out", help="CSV to write.")],
    method: Annotated[str, typer.Option(help="h3 or dbscan.")] = "h3",
    h3_res: H3ResOption = None,
    eps_m: EpsOption = None,
    min_subscribers: MinSubscribersOption = None,
    window_days: Annotated[
        float | None, typer.Option(help="With created_at: only the last N days before the newest row count.")
    ] = None,
    rule: Annotated[
        str | None,
        typer.Option(
            help="expected (significant excess, default) or count (the old fixed threshold, "
            "equal to scikit-learn's DBSCAN)."
        ),
    ] = None,
    gazetteer: Annotated[
        Path | None, typer.Option(help="Gazetteer whose houses give the exposure (expected rule).")
    ] = None,
    density: Annotated[
        Path | None,
        typer.Option(help="Subscriber density, CSV or Parquet (h3_cell, subscribers), as the exposure."),
    ] = None,
    profile: ProfileOption = None,
) -> None:
    """Label the rows of a CSV with spot ids (empty = noise), in order, nothing stored.

    The expected rule compares each place with its exposure: --density, else
    --gazetteer's houses, else uniform over the places the file's rows cover."""
    from heatmap.io.profiles import load_profile
    from heatmap.service.files import detect_in_file, file_exposure

    settings = wired(profile=profile).settings
    # light: the count rule imports nothing of the expected rule's machinery (nor pandas)
    params = _chosen_params(settings.detection, method, h3_res, eps_m, min_subscribers, window_days, rule)
    if out_file.is_dir() or not out_file.parent.is_dir():  # said now, not after the whole run
        raise UsageError(
            f"cannot write {out_file}: {'a directory' if out_file.is_dir() else 'no such folder'}"
        )
    # the count rule weighs no exposure: reading a gazetteer or density would be wasted
    exposure = file_exposure(gazetteer=gazetteer, density=density) if params.rule == "expected" else None
    if params.rule != "expected":
        _unread_exposure(gazetteer=gazetteer, density=density)
    done = detect_in_file(
        in_file,
        out_file,
        params=params,
        use_window=window_days is not None,
        exposure=exposure,
        profile=load_profile(settings.profile) if settings.profile else None,
    )
    for note in _file_notes(done, uniform=params.rule == "expected" and exposure is None):
        err.print(note, markup=False, emoji=False)  # a path is text, whatever brackets it holds
    err.print(
        f"Wrote {done.rows} rows to {out_file}: {done.spots} spots, {done.in_spots} rows in spots.",
        markup=False,
        emoji=False,
    )


def _unread_exposure(**given: Path | None) -> None:
    """Under ``--rule count``: a named exposure file must exist all the same (a typo is
    said now, not when the rule changes), and the user is told it is not read."""
    for name, path in given.items():
        if path is None:
            continue
        if not path.is_file():
            raise UsageError(f"--{name} {path}: no such file")
        err.print(
            f"note: --{name} gives the expected rule its exposure; --rule count does not read it",
            markup=False,
            emoji=False,
        )


def _file_notes(done: FileDetection, *, uniform: bool) -> list[str]:
    """What ``detect-file`` says before its summary: rows it counted otherwise than given."""
    notes = []
    if not done.subscribers_given:
        notes.append(
            "note: the file names no subscriber_id, so every row counted as a complainant of its own"
        )
    if uniform:
        notes.append(FILE_UNIFORM_WARNING)
    if done.unplaced:
        notes.append(
            f"note: {done.unplaced} rows had no usable lat/lon (empty, not a number or out of range):"
            " written with an empty spot_id"
        )
    if done.untimed:
        notes.append(
            f"note: {done.untimed} rows had no readable created_at, so the expected rule left them out:"
            " written with an empty spot_id"
        )
    return notes
