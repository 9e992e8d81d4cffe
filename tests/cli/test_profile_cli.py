"""``heatmap profile guess`` on files in shapes CRMs write, and on files it cannot guess from."""

from __future__ import annotations

from pathlib import Path

from heatmap.devtools.cli_runner import run_heatmap

CRM = (
    "Номер обращения\tДата создания\tСегмент\tАдрес\n"
    "100\t01.12.2026 10:05\tМассовый\tг. Вологда, ул. Мира, 1\n"
)


def test_a_utf16_export_is_guessed_from_its_text(tmp_path: Path) -> None:
    path = tmp_path / "crm.csv"
    path.write_bytes(CRM.encode("utf-16"))
    said = run_heatmap("profile", "guess", str(path))
    assert said.returncode == 0, said.stderr
    assert 'encoding = "utf-16"' in said.stdout and 'ticket_id = ["Номер обращения"]' in said.stdout
    assert 'separator = "\\t"' in said.stdout


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    said = run_heatmap("profile", "guess", str(path))
    assert said.returncode == 1 and "empty" in said.stderr and not said.stdout.strip()
