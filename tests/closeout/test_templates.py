"""SMS templates: lengths in the units operators pay for, checked when they are loaded."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from heatmap.closeout.links import TOKEN_LENGTH
from heatmap.closeout.templates import (
    OPTIONAL,
    REQUIRED,
    encoding_of,
    load_sms_templates,
    sms_parts,
    sms_units,
)
from heatmap.core.policy import load_policy
from heatmap.errors import ConfigError

SOURCE = (Path(__file__).resolve().parents[2] / "heatmap" / "closeout" / "sms_templates.toml").read_text(
    encoding="utf-8"
)
URL = "https://tk.example.ru"


def test_encodings_and_lengths() -> None:
    assert encoding_of("Hello {world}") == "gsm7"
    assert sms_units("a{b}") == 6  # braces are extension characters: two septets each
    assert encoding_of("Связь есть") == "ucs2"
    assert sms_parts("x" * 160) == 1 and sms_parts("x" * 161) == 2 and sms_parts("x" * 307) == 3
    assert sms_parts("ж" * 70) == 1 and sms_parts("ж" * 71) == 2 and sms_parts("ж" * 135) == 3
    assert sms_units("😀") == 2  # outside the BMP: a surrogate pair in UCS-2/UTF-16


def test_the_words_fit_one_part_and_the_link_the_second() -> None:
    templates = load_sms_templates(public_url=URL)
    assert (templates.max_parts, templates.text_parts) == (2, 1)
    link = f"{URL}/r/" + "A" * TOKEN_LENGTH
    for cause in [*templates.causes, None, "no_such_cause"]:
        text = templates.render(
            "resolved", address="г Вологда, ул. Мира, д. 1", cause=cause, token="A" * TOKEN_LENGTH
        )
        words, _, tail = text.partition("\n")
        assert tail == link and encoding_of(words) == "ucs2"
        assert sms_units(words) <= 70 and sms_parts(words) == 1, words
        assert sms_parts(text) == 2, text
        plain = templates.render("resolved", cause=cause)  # no public URL: no link at all
        assert sms_parts(plain) == 1 and "http" not in plain
    for name in (*REQUIRED, *OPTIONAL):
        if "{" not in templates.messages[name]:
            assert sms_parts(templates.messages[name]) == 1, name
    assert "починили оборудование" in templates.render("resolved", cause="equipment_failure")
    no_link = load_sms_templates().render("resolved", cause=None)
    assert no_link == "По жалобе провели работы на сети. Оцените ответом 1–5, 0 — не решено."


def test_every_cause_of_the_policy_has_its_own_text() -> None:
    templates = load_sms_templates()
    missing = set(load_policy().causes) - set(templates.causes)
    assert not missing, f"causes the engineer can pick but the SMS would call generic: {missing}"


def test_a_template_that_can_exceed_its_parts_fails_at_load(tmp_path: Path) -> None:
    def with_changes(*pairs: tuple[str, str]) -> Path:
        text = SOURCE
        for pattern, value in pairs:
            text, count = re.subn(pattern, value, text, count=1, flags=re.MULTILINE)
            assert count == 1, pattern
        path = tmp_path / "templates.toml"
        path.write_text(text, encoding="utf-8")
        return path

    longer = with_changes((r"^resolved = \"По жалобе", 'resolved = "Добрый день! По жалобе'))
    with pytest.raises(
        ConfigError,
        match=r"'resolved' without its link can take 2 SMS parts "
        r"\(83 ucs2 units.*more than text_parts = 1",
    ):
        load_sms_templates(longer, public_url=URL)
    with pytest.raises(
        ConfigError,
        match=r"'resolved' can take 3 SMS parts .* more than "
        r"max_parts = 2; its link takes 82 characters",
    ):
        load_sms_templates(public_url="https://teplokarty.operator-with-a-long-name.example.ru")
    load_sms_templates(public_url="https://" + "a" * 28)  # 36 characters: the README's limit
    with pytest.raises(ConfigError, match="a shorter public URL helps"):
        load_sms_templates(public_url="https://" + "a" * 29)
    cause = with_changes((r"^power = \".*\"", 'power = "восстановили электропитание"'))
    with pytest.raises(ConfigError, match="'resolved' without its link can take 2 SMS parts"):
        load_sms_templates(cause)
    unknown = with_changes((r"^resolved = \"По жалобе \{cause\}", 'resolved = "По жалобе {engineer}'))
    with pytest.raises(ConfigError, match="unknown placeholders"):
        load_sms_templates(unknown)
    upside_down = with_changes((r"^text_parts = 1", "text_parts = 3"))
    with pytest.raises(ConfigError, match="text_parts 1–max_parts"):
        load_sms_templates(upside_down)
    for length, allowed in ((160, True), (161, False)):  # Latin is GSM-7: 160 septets a part
        gsm = with_changes((r"^not_understood = \".*\"", f'not_understood = "{"x" * length}"'))
        if allowed:
            assert load_sms_templates(gsm).messages["not_understood"] == "x" * length
        else:
            with pytest.raises(
                ConfigError,
                match=r"'not_understood' without its link can take "
                r"2 SMS parts \(161 gsm7 units",
            ):
                load_sms_templates(gsm)


def test_an_operators_file_keeps_its_own_limits(tmp_path: Path) -> None:
    """A file without text_parts allows max_parts for the words too; a file without the
    optional messages answers nothing in their place."""
    older = tmp_path / "older.toml"
    older.write_text(
        re.sub(r"^text_parts = 1\n", "", SOURCE.replace("max_parts = 2", "max_parts = 3"), flags=re.MULTILINE)
        .replace('resolved = "По жалобе', 'resolved = "По адресу {address}: по жалобе')
        .replace('too_late = "Срок оценки истёк. Спасибо за ответ!"\n', ""),
        encoding="utf-8",
    )
    templates = load_sms_templates(older, public_url=URL)
    assert (templates.max_parts, templates.text_parts) == (3, 3)
    text = templates.render(
        "resolved",
        address="обл. Вологодская, г. Вологда, ул. Мира, д. 1",
        cause="power",
        token="A" * TOKEN_LENGTH,
    )
    assert text.startswith("По адресу ул. Мира, д. 1: по жалобе восстановили питание.")
    assert templates.message("too_late") == ""
    assert load_sms_templates().message("too_late").startswith("Срок оценки истёк")
