"""The packaged migrations (``migrations/<dialect>/NNNN_name.sql``) both stores apply."""

from __future__ import annotations

from importlib import resources

__all__ = ["migrations", "statements"]


def migrations(dialect: str) -> list[tuple[int, str, str]]:
    """``(version, name, sql)`` of the packaged migrations for ``dialect``, in order."""
    folder = resources.files("heatmap.store") / "migrations" / dialect
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            version = int(entry.name.split("_", 1)[0])
            found.append((version, entry.name, entry.read_text(encoding="utf-8")))
    return sorted(found)


def statements(sql: str) -> list[str]:
    """A migration's statements, one by one (for drivers that run one at a time)."""
    lines = [line for line in sql.splitlines() if not line.strip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]
