"""``heatmap profile``: the mapping profiles, and which one fits a file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from heatmap.cli.common import JsonOption
from heatmap.cli.output import emit_json, err, out, table

profile_app = typer.Typer(
    help="Mapping profiles: how exports in other shapes (a Russian CRM's, NYC 311's) are read.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Add ``heatmap profile …`` to ``app``."""
    app.add_typer(profile_app, name="profile")


@profile_app.command("list")
def list_(json: JsonOption = False) -> None:
    """The profiles that come with Teplokarty."""
    from heatmap.io.profiles import load_profile, shipped_profiles

    profiles = [load_profile(name) for name in shipped_profiles()]
    if json:
        emit_json({"profiles": [{"name": p.name, "description": p.description} for p in profiles]})
        return
    out.print(table("Profiles", ["name", "description"], [(p.name, p.description) for p in profiles]))


@profile_app.command("show")
def show(
    name: Annotated[str, typer.Argument(help="A profile's name or TOML file.")], json: JsonOption = False
) -> None:
    """Which header each field of the contract is read from, constants and value maps."""
    from heatmap.core.mapping import CONTRACT
    from heatmap.io.profiles import load_profile

    profile = load_profile(name)
    rows = [
        (
            f,
            ", ".join(profile.columns.get(f, ())) or f,
            " + ".join(profile.joined.get(f, ())),
            profile.constants.get(f, ""),
            len(profile.values.get(f, {})) or "",
        )
        for f in CONTRACT
    ]
    if json:
        emit_json(
            {
                "name": profile.name,
                "fields": [
                    dict(zip(("field", "headers", "joined", "constant", "values"), r, strict=True))
                    for r in rows
                ],
                "date_formats": list(profile.date_formats),
                "timezone": profile.timezone,
                "encoding": profile.reading.encoding,
                "separator": profile.reading.separator,
            }
        )
        return
    out.print(
        table(
            f"Profile {profile.name}: {profile.description}",
            ["field", "headers (first found)", "joined", "constant", "value map"],
            rows,
        )
    )
    err.print(
        f"encoding {profile.reading.encoding}, separator {profile.reading.separator!r},"
        f" dates {', '.join(profile.date_formats) or 'ISO 8601'}"
        f" in {profile.timezone or 'UTC'}",
        markup=False,
    )


@profile_app.command("guess")
def guess(file: Annotated[Path, typer.Argument(help="A CSV export.")], json: JsonOption = False) -> None:
    """Print a mapping profile (TOML) for a file: the shipped profile that reads most of its
    header, with the file's own headers, encoding and separator (sniffed). Save it, edit
    it if needed, and give it to --profile."""
    from heatmap.io.profiles import guess_profile, load_profile, profile_toml
    from heatmap.io.sniff import sniff_separator

    try:
        with file.open("rb") as handle:
            head = handle.read(1 << 16)
    except OSError as exc:
        from heatmap.errors import InputError

        raise InputError(f"{file}: cannot read: {exc.strerror}") from exc
    data, encoding = _head_as_utf8(head, str(file))
    if not data.strip():
        from heatmap.errors import InputError

        raise InputError(f"{file}: the file is empty (a header row is required)")
    separator = sniff_separator(data)
    header = data.split(b"\n", 1)[0].decode("utf-8").rstrip("\r")
    headers = [h.strip().strip('"') for h in header.split(separator)]
    ranked = guess_profile(headers)
    base = load_profile(ranked[0][0])
    text = profile_toml(
        base, headers, encoding=encoding, separator=separator, name=file.stem, source=file.name
    )
    if json:
        emit_json(
            {
                "profile": base.name,
                "encoding": encoding,
                "separator": separator,
                "ranking": [{"profile": n, "fields_found": k} for n, k in ranked],
                "toml": text,
            }
        )
        return
    sys.stdout.write(text)
    err.print(
        f"Based on {base.name} ({ranked[0][1]} fields found; "
        + ", ".join(f"{n} {k}" for n, k in ranked[1:])
        + f"). Save it and run: heatmap "
        f"ingest --profile {file.stem}.toml {file}",
        markup=False,
    )


def _head_as_utf8(head: bytes, source: str) -> tuple[bytes, str]:
    """The whole lines of a file's first bytes as UTF-8, and the encoding they were read in."""
    from heatmap.io.sniff import UTF16_BOMS, to_utf8

    if head.startswith(UTF16_BOMS):  # Excel's "Unicode text"; the head may end inside a character
        text = head.decode("utf-16", errors="ignore")
        return text[: text.rfind("\n") + 1 or len(text)].encode("utf-8"), "utf-16"
    return to_utf8(head[: head.rfind(b"\n") + 1] or head, "auto", source)
