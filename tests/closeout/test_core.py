"""Pure parts of the close-out: quiet hours, zones, templates, links, reply parsing, decisions."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from heatmap.closeout.links import TOKEN_LENGTH, LinkError, RatingLinks, link_key
from heatmap.closeout.notify import after_report, backoff, decide
from heatmap.closeout.ratings import parse_reply
from heatmap.closeout.zones import build_zone_tables, default_zone_book, place_key
from heatmap.core.quiet import QuietHours, parse_quiet_hours, release_at
from heatmap.errors import ConfigError

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
QUIET = parse_quiet_hours("21-9")


# --- quiet hours ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("21-9", QuietHours(time(21), time(9))),
        (" 21:30 - 8:45 ", QuietHours(time(21, 30), time(8, 45))),
        ("13-14", QuietHours(time(13), time(14))),
        ("none", None),
        ("", None),
        ("off", None),
    ],
)
def test_quiet_hours_are_parsed(text: str, expected: QuietHours | None) -> None:
    assert parse_quiet_hours(text) == expected


@pytest.mark.parametrize("text", ["21", "25-9", "9-9", "21-9-3", "night"])
def test_bad_quiet_hours_are_refused(text: str) -> None:
    with pytest.raises(ConfigError, match="quiet hours"):
        parse_quiet_hours(text)


@pytest.mark.parametrize(
    ("utc", "offset_h", "opens_utc"),
    [
        # 12:00 UTC is 15:00 in Moscow and Kaliningrad's 14:00: allowed
        (datetime(2026, 11, 20, 12, tzinfo=UTC), 3, None),
        (datetime(2026, 11, 20, 12, tzinfo=UTC), 2, None),
        # ... but 00:00 next day in Kamchatka (UTC+12): held until 09:00 there = 21:00 UTC
        (datetime(2026, 11, 20, 12, tzinfo=UTC), 12, datetime(2026, 11, 20, 21, tzinfo=UTC)),
        # 21:00 sharp in Moscow is quiet; 08:59 is quiet; 09:00 is not
        (datetime(2026, 11, 20, 18, tzinfo=UTC), 3, datetime(2026, 11, 21, 6, tzinfo=UTC)),
        (datetime(2026, 11, 21, 5, 59, tzinfo=UTC), 3, datetime(2026, 11, 21, 6, tzinfo=UTC)),
        (datetime(2026, 11, 21, 6, 0, tzinfo=UTC), 3, None),
        # 20:59 in Vladivostok (UTC+10) is still allowed
        (datetime(2026, 11, 20, 10, 59, tzinfo=UTC), 10, None),
    ],
)
def test_release_time_follows_the_recipients_clock(
    utc: datetime, offset_h: int, opens_utc: datetime | None
) -> None:
    assert release_at(utc, offset_h * 60, QUIET) == opens_utc
    assert release_at(utc, offset_h * 60, None) is None


def test_a_window_that_does_not_wrap_midnight() -> None:
    lunch = parse_quiet_hours("13-14")
    assert release_at(datetime(2026, 1, 1, 10, 30, tzinfo=UTC), 180, lunch) == datetime(
        2026, 1, 1, 11, tzinfo=UTC
    )
    assert release_at(datetime(2026, 1, 1, 11, 0, tzinfo=UTC), 180, lunch) is None


# --- zones ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("region", "minutes"),
    [
        ("Вологодская область", 180),
        ("Вологодская обл.", 180),
        ("г. Москва", 180),
        ("Калининградская обл", 120),
        ("Респ. Саха (Якутия)", 540),
        ("Кузбасс", 420),
        ("ХМАО-Югра", 300),
        ("Камчатский край", 720),
        ("Чукотский АО", 720),
        ("Самарская область", 240),
        ("Омская", 360),
    ],
)
def test_region_offsets(region: str, minutes: int) -> None:
    assert default_zone_book().region_offset(region) == minutes


def test_the_zone_comes_from_city_then_region_then_number_then_moscow() -> None:
    book = default_zone_book()
    # a city of Yakutia three hours ahead of Yakutsk, named in the address
    assert book.offset(
        address="Якутия, г. Верхоянск, ул. Ленина", region="Саха /Якутия/", msisdn="+79161234567"
    ) == (600, "city")
    assert book.offset(address="ул. Ленина 1", region="Новосибирская обл.", msisdn="+79161234567") == (
        420,
        "region",
    )
    assert book.offset(address=None, region="R", msisdn="+79024000000") == (300, "number")
    assert book.offset(address=None, region=None, msisdn="+71234") == (180, "default")
    # a street named like a far city does not move the zone ("пр-кт Октябрьский")
    assert book.offset(address="Вологда, пр-кт Октябрьский, 5", region="Вологодская обл", msisdn=None) == (
        180,
        "region",
    )


def test_place_keys_ignore_types_case_and_yo() -> None:
    assert place_key("Респ. Марий Эл") == place_key("республика марий эл") == "марий эл"
    assert place_key("Орёл") == "орел"


@pytest.mark.realdata
def test_packaged_tables_rebuild_from_the_public_data() -> None:
    built = build_zone_tables(SHARED / "cities" / "city.csv", SHARED / "phones" / "DEF-9xx.csv")
    folder = Path(__file__).resolve().parents[2] / "heatmap" / "closeout" / "data"
    for name, text in built.items():
        assert (folder / name).read_text(encoding="utf-8") == text, name


# (templates: tests/closeout/test_templates.py)


# --- links ----------------------------------------------------------------------------------
def test_rating_links_are_signed_and_expire() -> None:
    now = datetime(2026, 11, 20, 12, tzinfo=UTC)
    links = RatingLinks(link_key(b"k" * 32))
    token = links.issue(4242, now + timedelta(days=14))
    assert len(token) == TOKEN_LENGTH and links.verify(token, now=now) == 4242
    with pytest.raises(LinkError) as expired:
        links.verify(token, now=now + timedelta(days=14))
    assert expired.value.reason == "expired"
    forged = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    for bad in (forged, token[:-1], "x" * 24, "ж" * 24, ""):
        with pytest.raises(LinkError) as invalid:
            links.verify(bad, now=now)
        assert invalid.value.reason == "invalid"
    with pytest.raises(LinkError):
        RatingLinks(link_key(b"other" * 8)).verify(token, now=now)


# --- replies --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "kind", "rating", "comment"),
    [
        ("5", "rating", 5, None),
        ("5 спасибо!", "rating", 5, "спасибо!"),
        ("4/5 лучше стало", "rating", 4, "лучше стало"),
        ("Оценка: 3", "rating", 3, None),
        ("2 из 5: медленно", "rating", 2, "медленно"),
        ("Пятёрка!", "rating", 5, None),
        ("  1   ужасно ", "rating", 1, "ужасно"),
        ("0", "persists", None, None),
        ("0 до сих пор нет 4G", "persists", None, "до сих пор нет 4G"),
        ("нет", "persists", None, None),
        ("Не решено", "persists", None, None),
        ("не работает", "persists", None, None),
        (
            "спасибо, но интернет всё равно не работает",
            "persists",
            None,
            "спасибо, но интернет всё равно не работает",
        ),
        ("проблема осталась", "persists", None, "проблема осталась"),
        ("СТОП", "optout", None, None),
        ("stop", "optout", None, None),
        ("нет проблем, спасибо", "unknown", None, None),
        ("один раз пропал", "unknown", None, None),
        ("10", "unknown", None, None),
        ("", "unknown", None, None),
        ("Отлично", "unknown", None, None),
    ],
)
def test_replies_are_understood(text: str, kind: str, rating: int | None, comment: str | None) -> None:
    reply = parse_reply(text)
    assert (reply.kind, reply.rating, reply.comment) == (kind, rating, comment)


# --- decisions ------------------------------------------------------------------------------
def test_decide_sends_holds_and_cancels() -> None:
    day, night = datetime(2026, 11, 20, 12, tzinfo=UTC), datetime(2026, 11, 20, 19, tzinfo=UTC)
    assert (
        decide(offset_minutes=180, now=day, quiet=QUIET, opted_out=False, spot_status="resolved").action
        == "send"
    )
    held = decide(offset_minutes=180, now=night, quiet=QUIET, opted_out=False, spot_status="resolved")
    assert (held.action, held.until) == ("hold", datetime(2026, 11, 21, 6, tzinfo=UTC))
    assert (
        decide(offset_minutes=180, now=day, quiet=QUIET, opted_out=True, spot_status="resolved").reason
        == "the number opted out"
    )
    assert (
        decide(offset_minutes=180, now=day, quiet=QUIET, opted_out=False, spot_status="reopened").reason
        == "the spot is reopened now"
    )


def test_backoff_doubles_up_to_a_cap() -> None:
    waits = [backoff(n, base_s=60, max_s=600).total_seconds() for n in range(1, 7)]
    assert waits == [60, 120, 240, 480, 600, 600]


@pytest.mark.parametrize(
    ("status", "code", "after"),
    [
        ("sending", 8, "sent"),
        ("sending", 1, "delivered"),
        ("sent", 1, "delivered"),
        ("delivered", 8, None),
        ("sent", 2, "undelivered"),
        ("sent", 16, "undelivered"),
        ("undelivered", 1, "delivered"),
        ("undelivered", 8, None),
        ("sent", 4, None),
        ("pending", 8, "sent"),
        ("failed", 1, "delivered"),
        ("cancelled", 1, None),
    ],
)
def test_delivery_reports_move_messages_forward_only(status: str, code: int, after: str | None) -> None:
    assert after_report(status, code) == after
