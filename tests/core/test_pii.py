"""The one personal-data masker: numbers in every writing inside Russian text never survive for
roles that must not see them; ordinary numbers (houses, dates, sums) stay."""

from __future__ import annotations

import logging
import re

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heatmap.core.pii import (
    SEES_PERSONAL_DATA,
    PersonalDataLogFilter,
    find_personal_data,
    for_role,
    mask_personal_data,
    mask_texts,
)
from heatmap.core.pii_numbers import inn_ok, luhn_ok, snils_ok

ROLES_WITHOUT = ("agent", "analyst", "gateway")
BEFORE = st.sampled_from(
    [
        "",
        "Перезвоните мне: ",
        "мой номер ",
        "Связь пропадает, звоните ",
        "тел. ",
        "Абонент просит перезвонить на ",
        "Интернет не работает третий день, дом 12, кв. 5. Номер — ",
        "Пишите ",
        "Жалоба от клиента (",
        "моб.",
        "Не ловит 4G. Контакт: ",
    ]
)
AFTER = st.sampled_from(
    [
        "",
        ".",
        " после 18:00",
        ", спасибо!",
        " (Ирина)",
        ") — повторно",
        " или на почту",
        "\nЖду ответа",
        " — дом 7, подъезд 2",
    ]
)
DIGITS = st.text("0123456789", min_size=1, max_size=1)
SEPARATORS = st.sampled_from([" ", "-", ".", " - ", "\u00a0", "", "  "])


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def compositions(total: int) -> st.SearchStrategy[list[int]]:
    """Ways to split ``total`` digits into groups of one to four (or one group)."""
    return st.one_of(
        st.just([total]),
        st.lists(st.integers(1, 4), min_size=1, max_size=total).map(lambda parts: _fit(parts, total)),
    )


def _fit(parts: list[int], total: int) -> list[int]:
    out: list[int] = []
    for p in parts:
        if sum(out) + p > total:
            break
        out.append(p)
    if sum(out) < total:
        out.append(total - sum(out))
    return out


@st.composite
def phones(draw: st.DrawFn) -> tuple[str, str]:
    """A Russian phone number as people write it, and its ten national digits."""
    mobile = draw(st.booleans())
    if mobile:
        national = "9" + "".join(draw(DIGITS) for _ in range(9))
    else:
        code = draw(st.sampled_from(["495", "812", "8172", "3952", "4012", "81853"]))
        national = code + "".join(draw(DIGITS) for _ in range(10 - len(code)))
    prefix = draw(st.sampled_from(["+7", "8", "7", "+7 ", "8 ", "+ 7 ", "+7-"] + ([""] if mobile else [])))
    sizes = draw(compositions(10))
    separator = draw(SEPARATORS)
    groups, at = [], 0
    for size in sizes:
        groups.append(national[at : at + size])
        at += size
    if draw(st.booleans()) and sizes[0] in (3, 4, 5) and len(sizes) > 1:
        groups[0] = f"({groups[0]})"  # the operator or area code in brackets
    mixed = draw(st.booleans())
    written = groups[0]
    for group in groups[1:]:
        written += (draw(SEPARATORS) if mixed else separator) or ""
        written += group
    if not prefix.endswith((" ", "-")) and not written.startswith("("):
        written = draw(st.sampled_from(["", " ", "-"])) + written
    return prefix + written, national


def luhn_complete(body: str) -> str:
    return next(body + d for d in "0123456789" if luhn_ok(body + d))


@st.composite
def cards(draw: st.DrawFn) -> tuple[str, str]:
    head = draw(st.sampled_from(["4276", "5469", "2200", "2202", "4111"]))
    number = luhn_complete(head + "".join(draw(DIGITS) for _ in range(11)))
    separator = draw(st.sampled_from([" ", "-", ""]))
    return separator.join(number[i : i + 4] for i in range(0, 16, 4)), number


def snils_complete(body: str) -> str:
    return next(body + f"{c:02d}" for c in range(100) if snils_ok(body + f"{c:02d}"))


@st.composite
def snilses(draw: st.DrawFn) -> tuple[str, str]:
    number = snils_complete("".join(draw(DIGITS) for _ in range(9)))
    form = draw(
        st.sampled_from(
            [
                "{0}-{1}-{2} {3}",
                "{0}-{1}-{2}-{3}",
                "СНИЛС {0} {1} {2} {3}",
                "СНИЛС: {0}{1}{2}{3}",
                "{0}{1}{2}{3}",
            ]
        )
    )
    return form.format(number[:3], number[3:6], number[6:9], number[9:]), number


@st.composite
def inns(draw: st.DrawFn) -> tuple[str, str]:
    length = draw(st.sampled_from([10, 12]))
    while True:
        number = "".join(draw(DIGITS) for _ in range(length))
        if inn_ok(number):
            break
        number = number[:-1] + next((d for d in "0123456789" if inn_ok(number[:-1] + d)), "x")
        if inn_ok(number):
            break
    form = draw(st.sampled_from(["ИНН {0}", "ИНН: {0}", "{0}", "инн{0}"]))
    return form.format(number), number


@st.composite
def passports(draw: st.DrawFn) -> tuple[str, str]:
    series = "".join(draw(DIGITS) for _ in range(4))
    number = "".join(draw(DIGITS) for _ in range(6))
    form = draw(
        st.sampled_from(
            [
                "{0} {1} {2}",
                "{0}{1} {2}",
                "паспорт {0} {1} {2}",
                "серия {0}{1} номер {2}",
                "паспорт: {0}{1}{2}",
                "серия {0} {1} № {2}",
            ]
        )
    )
    return form.format(series[:2], series[2:], number), series + number


EMAILS = st.builds(
    lambda user, host, tld, form: form.format(user, host, tld),
    st.from_regex(r"[a-z][a-z0-9._]{1,10}[a-z0-9]", fullmatch=True),
    st.sampled_from(["mail", "yandex", "gmail", "rambler", "bk", "tele2-corp"]),
    st.sampled_from(["ru", "com", "рф", "net"]),
    st.sampled_from(
        ["{0}@{1}.{2}", "{0}@{1}.{2}, ", "{0} (at) {1} (dot) {2}", "{0} собака {1}.{2}", "{0}[at]{1}[dot]{2}"]
    ),
)


def assert_hidden(text: str, secret: str) -> None:
    for role in ROLES_WITHOUT:
        shown = for_role(text, role)
        assert shown is not None
        assert secret not in digits(shown), (text, shown)
    assert for_role(text, "engineer") == text  # engineers call clients back: text as written


@settings(max_examples=400)
@given(phones(), BEFORE, AFTER)
def test_phone_numbers_in_any_writing_do_not_survive(phone: tuple[str, str], before: str, after: str) -> None:
    written, national = phone
    text = before + written + after
    assert_hidden(text, national[-7:])


@pytest.mark.parametrize(
    "written",
    [
        # the five writings the outside probe saw reach agents and exports
        "+7 911 1234 567",
        "+7.911.123.45.67",
        "8 9 1 1 1 2 3 4 5 6 7",
        "+7911-12-34-567",
        "+7 911 12 345 67",
        # and the four it saw masked
        "+7 (911) 123-45-67",
        "89111234567",
        "8-911-123-45-67",
        "+79111234567",
    ],
)
def test_the_probes_writings_are_all_masked(written: str) -> None:
    text = f"Клиент просит перезвонить {written} вечером"
    assert mask_personal_data(text) == "Клиент просит перезвонить [телефон скрыт] вечером"


@settings(max_examples=150)
@given(st.one_of(cards(), snilses(), inns(), passports()), BEFORE, AFTER)
def test_document_numbers_do_not_survive(document: tuple[str, str], before: str, after: str) -> None:
    written, number = document
    assert_hidden(before + written + after, number)


@settings(max_examples=150)
@given(EMAILS, BEFORE, AFTER)
def test_email_addresses_do_not_survive(email: str, before: str, after: str) -> None:
    text = before + email + after
    masked = mask_personal_data(text)
    assert masked is not None and "[e-mail скрыт]" in masked, (text, masked)
    user = re.split(r"[ @(\[]", email)[0]
    assert user not in masked.replace(before, "", 1) or len(user) < 3, masked


ORDINARY = st.sampled_from(
    [
        "Связь пропала 12.11.2026 в 10:30",
        "с 2025-11-03 по 2025-11-05",
        "дом 12, кв. 45, этаж 9",
        "ул. Мира, д. 12к3",
        "дом 5/2, подъезд 4",
        "заплатил 1 500 руб",
        "списали 15 000 ₽",
        "тариф 650 р. в месяц",
        "скорость 1.5 Мбит/с, пинг 120 мс",
        "в 2025 году",
        "индекс 160000",
        "LTE band 3, 1800 МГц",
        "координаты 59.2187, 39.8886",
        "дома 1041-1047",
        "с 9 до 18",
        "уже 3 дня, 2 раза звонил",
        "баланс -120,50 руб",
        "12 345 678 руб в год",
        "заявка 4512",
        "третий раз за 24.10",
        "ТЦ на 3-м этаже",
        "роутер 192.168.0.1",
        "версия 5.2.1",
    ]
)


@given(ORDINARY, ORDINARY)
def test_ordinary_numbers_stay(first: str, second: str) -> None:
    text = f"{first}. {second}"
    assert find_personal_data(text, names=False) == [], text


def test_check_digits() -> None:
    assert inn_ok("7707083893") and not inn_ok("7707083894")
    assert inn_ok("500100732259") and not inn_ok("500100732250")
    assert snils_ok("11223344595") and not snils_ok("11223344596")
    assert luhn_ok("4276160012345675") is (
        sum(
            (d * 2 - 9 if d * 2 > 9 else d * 2) if i % 2 else d
            for i, d in enumerate(int(c) for c in reversed("4276160012345675"))
        )
        % 10
        == 0
    )


def test_roles_and_columns() -> None:
    assert frozenset({"engineer", "admin"}) == SEES_PERSONAL_DATA
    column = pd.Series(["звоните 8 916 123 45 67", None, "дом 7", "звоните 8 916 123 45 67"])
    masked = mask_texts(column)
    assert masked.tolist() == ["звоните [телефон скрыт]", None, "дом 7", "звоните [телефон скрыт]"]
    assert mask_personal_data(None) is None and mask_personal_data("") == ""


def test_log_records_are_masked(caplog: pytest.LogCaptureFixture) -> None:
    log = logging.getLogger("heatmap.test_pii")
    log.addFilter(PersonalDataLogFilter())
    with caplog.at_level(logging.INFO, logger="heatmap.test_pii"):
        log.info("complaint %s from %s", "T-1", "+7 911 12 345 67, ivan@mail.ru")
    assert caplog.messages == ["complaint T-1 from [телефон скрыт], [e-mail скрыт]"]


def test_uvicorn_access_lines_are_masked_and_still_formatted() -> None:
    import io

    from uvicorn.config import LOGGING_CONFIG
    from uvicorn.logging import AccessFormatter

    from heatmap.core.pii import masked_log_config

    config = masked_log_config(LOGGING_CONFIG)
    assert all("personal_data" in h["filters"] for h in config["handlers"].values())
    assert (
        config["loggers"]["heatmap"]["handlers"] and "filters" not in LOGGING_CONFIG["handlers"]["access"]
    ), "the base config is not changed"
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(
        AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s', use_colors=False)
    )
    handler.addFilter(PersonalDataLogFilter())
    log = logging.getLogger("heatmap.test_pii.access")
    log.propagate = False
    log.setLevel(logging.INFO)
    log.addHandler(handler)
    log.info(
        '%s - "%s %s HTTP/%s" %d',
        "127.0.0.1:5000",
        "GET",
        "/api/v1/sms/inbound?from=%2B79161234567&text=5",
        "1.1",
        200,
    )
    line = stream.getvalue()
    assert "9161234567" not in line and "[телефон скрыт]" in line and " 200" in line, line


@pytest.mark.parametrize("before", ["", "паспорт ", "данные: "])
def test_a_passport_number_after_an_unclosed_bracket_is_masked(before: str) -> None:
    """Hypothesis found ``(45 10 123456`` left as it was: the bracket the run began with
    counted as a separator no passport number has."""
    masked = mask_personal_data(f"{before}(45 10 123456")
    assert masked is not None and "123456" not in masked and "[паспорт скрыт]" in masked, masked


@pytest.mark.parametrize(
    "written",
    [
        "89111234567доб. 12",
        "перезвоните89111234567срочно",
        "Ольга+79111234567",
        "9111234567Иван",
        "тел89111234567доб",
        "WhatsApp+79111234567",
    ],
)
def test_a_mobile_number_glued_to_a_word_is_masked(written: str) -> None:
    assert_hidden(f"Нет сети. {written}, вечером", "1234567")
