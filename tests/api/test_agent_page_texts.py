"""What the agents' map page says: contact-centre agents run no commands, so no text of
theirs names one. The coverage legend said "замеров нет (heatmap network
coverage-from-drive-test)" to agents; the hint belongs to the engineers' page."""

from __future__ import annotations

import re
from pathlib import Path

import heatmap

PACKAGE = Path(heatmap.__file__).resolve().parent
#: A string literal of a script: "…", '…' or `…` (no escapes in these files' texts).
LITERAL = re.compile(r"\"[^\"\n]*\"|'[^'\n]*'|`[^`]*`")
COMMAND = re.compile(r"\bheatmap [a-z][a-z-]*")


def page_scripts(template: str) -> dict[str, str]:
    """The package's scripts a page template loads, by name."""
    html = (PACKAGE / "templates" / template).read_text(encoding="utf-8")
    names = re.findall(r'<script src="/static/([\w.]+\.js)"', html)
    assert names, template
    return {name: (PACKAGE / "static" / name).read_text(encoding="utf-8") for name in names}


def commands_shown(script: str) -> list[str]:
    return [m.group(0) for m in LITERAL.finditer(script) if COMMAND.search(m.group(0))]


def test_no_text_of_the_agents_page_names_a_command() -> None:
    scripts = page_scripts("map_page.html")
    assert "map_page.js" in scripts
    html = (PACKAGE / "templates" / "map_page.html").read_text(encoding="utf-8")
    assert not COMMAND.search(html)
    assert {name: commands_shown(text) for name, text in scripts.items() if commands_shown(text)} == {}
    assert '"замеров нет"' in scripts["map_page.js"]


def test_the_engineers_page_keeps_the_hint() -> None:
    shown = [c for text in page_scripts("engineer.html").values() for c in commands_shown(text)]
    assert any("heatmap network coverage-from-drive-test" in c for c in shown), shown
