"""A spot's history in the API carries each event's Russian ``title`` beside its raw ``kind``:
every kind the code writes has one, from the one table the engineers' page reads too."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from fastapi.testclient import TestClient

from heatmap.domain import EVENT_TITLE_RU, EventKind, event_title

from .conftest import World

PACKAGE = Path(__file__).parents[2] / "heatmap"
#: Kinds known to be written today (lineage, detection, routing, workflow, joins): the scan
#: below must find at least these, or it has stopped seeing how events are written.
WRITTEN = {
    "created", "split", "merged", "grown", "absorbed", "transition", "escalated",
    "rerouted", "reroute_advised", "eta", "joined",
}  # fmt: skip


def _words(node: ast.expr | None) -> set[str]:
    """The string constants an expression can be (a literal, or either side of ``a if c else b``)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _words(node.body) | _words(node.orelse)
    return set()


def _kinds_written(tree: ast.AST) -> set[str]:
    """Kinds given to ``event(spot, at, KIND, ...)`` / ``_event(...)``, and the ``"kind"`` of
    event rows built as dicts (those with a ``related_spot_id`` key and a time ``at``, not the
    stores' tables of column types)."""
    kinds: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in ("event", "_event"):
                given = [k.value for k in node.keywords if k.arg == "kind"]
                kinds |= _words(node.args[2] if len(node.args) > 2 else next(iter(given), None))
        if isinstance(node, ast.Dict):
            keys = {
                k.value: v for k, v in zip(node.keys, node.values, strict=True) if isinstance(k, ast.Constant)
            }
            if {"kind", "related_spot_id", "at"} <= set(keys) and not _words(keys["at"]):
                kinds |= _words(keys["kind"])
    return kinds


def test_every_event_kind_the_code_writes_has_a_russian_title() -> None:
    written: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        written |= _kinds_written(ast.parse(path.read_text(encoding="utf-8")))
    assert written >= WRITTEN, WRITTEN - written
    assert written <= set(EventKind), written - set(EventKind)
    assert set(EVENT_TITLE_RU) == set(EventKind)
    for kind in written:
        title = event_title(kind)
        assert re.fullmatch(r"[а-яё() ,.-]+", title), (kind, title)
    assert event_title("from_a_newer_version") == "from_a_newer_version", "unknown kinds stay readable"


def test_the_history_carries_the_title_beside_the_unchanged_kind(client: TestClient, world: World) -> None:
    headers = world.headers("engineer")
    assert client.post(f"/api/v1/spots/{world.spot_id}/take", headers=headers).status_code == 200
    answer = client.post(f"/api/v1/spots/{world.spot_id}/eta", json={"eta": "2026-11-25"}, headers=headers)
    assert answer.status_code == 200
    history = client.get(f"/api/v1/spots/{world.spot_id}", headers=headers).json()["history"]
    kinds = [e["kind"] for e in history]
    assert {"created", "transition", "eta"} <= set(kinds)
    assert [e["title"] for e in history] == [EVENT_TITLE_RU[k] for k in kinds]
    schema = client.get("/openapi.json").json()["components"]["schemas"]["SpotEvent"]
    assert {"kind", "title"} <= set(schema["required"])


def test_the_engineers_page_names_kinds_by_the_api_s_title_only() -> None:
    """One table of titles: the page shows ``title`` and keeps no English-to-Russian list."""
    static = PACKAGE / "static"
    scripts = "".join(p.read_text(encoding="utf-8") for p in static.glob("engineer*.js"))
    assert "EVENT_RU" not in scripts
    assert "e.title" in scripts
    for kind in ("reroute_advised", "absorbed", "escalated:"):
        assert kind not in scripts, kind
