"""Mapping profiles from TOML: the shipped ones by name (``heatmap/profiles``) or a file.

See :mod:`heatmap.core.mapping` for what a profile does; ``heatmap profile guess``
proposes one for a file by its header.
"""

from __future__ import annotations

import json
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from heatmap.core.mapping import Profile, Reading, check_profile, source_columns
from heatmap.errors import InputError

DEFAULT_PROFILE = "teplokarty"


def shipped_profiles() -> list[str]:
    """Names of the profiles that come with the package."""
    folder = resources.files("heatmap") / "profiles"
    return sorted(p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml"))


def load_profile(name_or_path: str | Path | None) -> Profile:
    """A shipped profile by name, or a profile TOML file; the contract's own by default."""
    name = str(name_or_path or DEFAULT_PROFILE)
    if name in shipped_profiles():
        text = (resources.files("heatmap") / "profiles" / f"{name}.toml").read_text("utf-8")
        where = f"profile {name}"
    else:
        path = Path(name)
        if not path.is_file():
            raise InputError(
                f"no profile {name!r}: give one of {', '.join(shipped_profiles())} or a TOML file"
            )
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{path}: cannot read the profile: {exc}") from exc
        where = str(path)
    try:
        profile = profile_from(tomllib.loads(text), default_name=Path(name).stem)
    except (tomllib.TOMLDecodeError, TypeError, ValueError) as exc:
        raise InputError(f"{where}: not a valid profile: {exc}") from exc
    check_profile(profile)
    return profile


def profile_from(data: dict[str, Any], *, default_name: str) -> Profile:
    """A profile from parsed TOML (see ``heatmap/profiles/crm-ru.toml`` for every table)."""
    known = {
        "name",
        "description",
        "reading",
        "columns",
        "joined",
        "constants",
        "values",
        "dates",
        "numbers",
        "optional",
    }
    unknown = sorted(set(data) - known)
    if unknown:
        raise ValueError(f"unknown key(s) {', '.join(unknown)}")
    reading = data.get("reading", {})
    dates = data.get("dates", {})
    return Profile(
        name=str(data.get("name", default_name)),
        description=str(data.get("description", "")),
        reading=Reading(
            encoding=str(reading.get("encoding", "auto")), separator=str(reading.get("separator", "auto"))
        ),
        columns={k: _names(v) for k, v in data.get("columns", {}).items()},
        joined={k: _names(v) for k, v in data.get("joined", {}).items()},
        constants={k: str(v) for k, v in data.get("constants", {}).items()},
        values={k: {str(a): str(b) for a, b in v.items()} for k, v in data.get("values", {}).items()},
        date_formats=_names(dates.get("formats", [])),
        timezone=dates.get("timezone"),
        decimal_comma=bool(data.get("numbers", {}).get("decimal_comma", False)),
        optional=frozenset(_names(data.get("optional", []))),
    )


def _names(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ValueError(f"expected a text or a list of texts, not {value!r}")


def guess_profile(headers: list[str]) -> list[tuple[str, int]]:
    """Shipped profiles by how many of the contract's fields each finds in ``headers``,
    best first (a tie goes to the profile that renames more: it was made for the file)."""
    scored = []
    for name in shipped_profiles():
        profile = load_profile(name)
        found = source_columns(headers, profile)
        renamed = sum(1 for field, header in found.items() if header.strip().casefold() != field)
        scored.append((name, len(found), renamed))
    scored.sort(key=lambda s: (-s[1], -s[2]))
    return [(name, found) for name, found, _ in scored]


def profile_toml(
    base: Profile, headers: list[str], *, encoding: str, separator: str, name: str, source: str
) -> str:
    """``base`` written as TOML for a file with ``headers``: each field read from the file's
    own header, the headers nothing reads listed, required fields still missing flagged."""
    from heatmap.core.mapping import CONTRACT, REQUIRED

    found = source_columns(headers, base)
    used = set(found.values()) | {h for hs in base.joined.values() for h in hs}
    lines = [
        f"# Proposed by `heatmap profile guess {source}` from its header, based on the {base.name} profile.",
        f"name = {_q(name)}",
        f"description = {_q(base.description)}",
        "",
        "[reading]",
        f"encoding = {_q(encoding)}",
        f"separator = {_q(separator)}",
        "",
        "[columns]",
    ]
    lines += [f"{f} = [{_q(found[f])}]" for f in CONTRACT if f in found]
    lines += [
        f'# {f} = ["…"]  # required: name its column, or give a constant'
        for f in REQUIRED
        if f not in found and f not in base.constants
    ]
    if base.joined:
        lines += ["", "[joined]", *(f"{f} = [{', '.join(map(_q, hs))}]" for f, hs in base.joined.items())]
    if base.constants:
        lines += ["", "[constants]", *(f"{f} = {_q(v)}" for f, v in base.constants.items())]
    for field_name, mapping in base.values.items():
        lines += ["", f"[values.{field_name}]", *(f"{_q(k)} = {_q(v)}" for k, v in mapping.items())]
    if base.date_formats:
        lines += ["", "[dates]", f"formats = [{', '.join(map(_q, base.date_formats))}]"]
        lines += [f"timezone = {_q(base.timezone)}"] if base.timezone else []
    if base.decimal_comma:
        lines += ["", "[numbers]", "decimal_comma = true"]
    unused = [h for h in headers if h not in used]
    if unused:
        lines += ["", f"# not read: {', '.join(unused)}"]
    return "\n".join(lines) + "\n"


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)
