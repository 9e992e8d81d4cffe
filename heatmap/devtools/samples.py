"""Synthetic CRM exports for demos and tests, planted over real addresses.

The generator plants concentrations of complaints (future spots) over a sparse
background, with repeat callers, a segment mix, skewed LTV, Russian
descriptions, messy address spellings and a few bad rows — everything a real
CRM export throws at the pipeline. Deterministic for a seed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from heatmap.domain import Topic
from heatmap.errors import InputError
from heatmap.geocode.gazetteer import placeholder_points

_DESCRIPTIONS: dict[str, tuple[str, ...]] = {
    Topic.NO_COVERAGE: (
        "Нет сети дома уже третий день",
        "Постоянно пропадает связь во дворе",
        "Телефон не ловит сеть, вне зоны доступа",
    ),
    Topic.WEAK_SIGNAL_INDOOR: (
        "В квартире одна палка сигнала",
        "Дома слабый сигнал, звоню у окна",
        "В помещении связь очень плохая, в доме не ловит",
    ),
    Topic.DROPPED_CALLS: (
        "Обрываются звонки через минуту",
        "Звонки сбрасываются посреди разговора",
        "Постоянные обрывы при разговоре",
    ),
    Topic.VOICE_QUALITY: (
        "Собеседника плохо слышно, эхо",
        "Голос хрипит и заикается",
        "Меня не слышно, звук булькает",
    ),
    Topic.SLOW_DATA: (
        "Очень низкая скорость интернета вечером",
        "Интернет тормозит, видео не грузит",
        "Медленный мобильный интернет",
    ),
    Topic.NO_DATA: (
        "Нет интернета совсем",
        "Пропал интернет, связь есть",
        "Мобильный интернет не работает с утра",
    ),
    Topic.NO_4G: ("Нет 4G, телефон держит только 3G", "LTE пропал, вместо него E", "Не ловит 4G дома"),
    Topic.SMS_DELIVERY: (
        "Не приходят СМС с кодами",
        "СМС доходят с опозданием на час",
        "Сообщения не отправляются",
    ),
}
_SEGMENTS = (("mass", 0.80), ("premium", 0.10), ("vip", 0.03), ("b2b", 0.05), ("b2g", 0.02))
_CHANNELS = ("call_centre", "chat", "app", "social", "retail", "email")
#: The deliberately bad rows' kinds: each is a copy of a good row with its own ticket id
#: (the good one's, suffixed ``-B<n>``) and these fields overwritten, so that each one is
#: quarantined for one reason.
BAD_ROW_KINDS: dict[str, dict[str, str]] = {
    "no_ticket": {"ticket_id": ""},
    "bad_date": {"created_at": "31.02.2026 25:61"},
    "bad_lat": {"lat": "123.5", "lon": "39.9"},
    "bad_segment": {"segment": "gold"},
    "negative_ltv": {"ltv": "-500"},
    "no_place": {"address": "", "lat": "", "lon": ""},
    "bad_msisdn": {"msisdn": "12345"},
}


@dataclass(frozen=True)
class Plant:
    """A planted concentration: where, how many complainants, what about."""

    lat: float
    lon: float
    complainants: int
    topic: str


def generate_export(
    addresses: pd.DataFrame,
    *,
    n: int,
    seed: int,
    now: datetime,
    spots: int = 6,
    bad_share: float = 0.03,
) -> tuple[pd.DataFrame, list[Plant]]:
    """A CRM export of ``n`` rows (text columns per the contract) and the plants in it.

    ``addresses`` has LAT, LON, ADDRESS in the housing-registry format.
    """
    rng = np.random.default_rng(seed)
    lat = addresses["LAT"].to_numpy(float)
    lon = addresses["LON"].to_numpy(float)
    registry = addresses["ADDRESS"].astype(str).to_numpy()
    # At least one bad row whenever some are asked for: a 3 % share rounds to none below 17 rows.
    n_bad = max(1, round(n * bad_share)) if bad_share > 0 else 0
    n_good = n - n_bad
    n_planted = int(n_good * 0.85)
    topics = list(_DESCRIPTIONS)

    plants, house = _plant(lat, lon, spots, n_planted, rng)
    background = rng.choice(len(lat), size=n_good - n_planted)
    house_index = np.concatenate([*house, background])
    spot_of = np.concatenate(
        [np.full(s, i) for i, (_, s) in enumerate(plants)] + [np.full(len(background), -1)]
    )
    spot_topic = rng.choice(topics, size=spots)
    topic = np.where(spot_of >= 0, spot_topic[np.clip(spot_of, 0, None)], rng.choice(topics, size=n_good))
    # A fifth of the planted rows are about something else, as in life.
    off_topic = rng.random(n_good) < 0.2
    topic = np.where(off_topic, rng.choice(topics, size=n_good), topic)

    # Repeat callers: some complaints come from a subscriber who already called nearby.
    subscriber = _repeat_callers(spot_of, rng)
    numbers = 9_000_000_000 + rng.choice(999_999_999, size=n_good, replace=False)
    msisdn = np.array([_phone_format(int(numbers[s]), rng) for s in subscriber.tolist()], dtype=object)

    created = pd.Timestamp(now) - pd.to_timedelta(rng.uniform(0.05, 14, n_good), unit="D")
    segment = rng.choice([s for s, _ in _SEGMENTS], p=[p for _, p in _SEGMENTS], size=n_good)
    ltv = np.round(rng.lognormal(mean=8.0, sigma=1.2, size=n_good), 2)
    ltv_text = np.where(rng.random(n_good) < 0.1, "", ltv.astype(str))
    with_point = rng.random(n_good) < 0.3
    jitter = rng.normal(0, 25, size=(n_good, 2))
    point_lat = lat[house_index] + jitter[:, 0] / 111_000
    # metres east are fewer degrees of longitude the further from the equator the house is
    point_lon = lon[house_index] + jitter[:, 1] / (111_000 * np.cos(np.radians(lat[house_index])))
    crm_topic = np.where(rng.random(n_good) < 0.3, "", topic)
    descriptions = np.array([_DESCRIPTIONS[t][rng.integers(3)] for t in topic], dtype=object)

    frame = pd.DataFrame(
        {
            "ticket_id": [f"CRM-{seed:03d}-{i:06d}" for i in range(n_good)],
            "created_at": created.tz_convert("Europe/Moscow")
            .strftime("%Y-%m-%dT%H:%M:%S%z")
            .str.replace(r"(\d{2})(\d{2})$", r"\1:\2", regex=True),
            "msisdn": msisdn,
            "subscriber_id": "",
            "segment": np.where(rng.random(n_good) < 0.05, np.char.upper(segment), segment),
            "ltv": ltv_text,
            "topic": crm_topic,
            "description": descriptions,
            "address": np.where(with_point, "", [_messy(registry[h], rng) for h in house_index]),
            "lat": np.where(with_point, np.round(point_lat, 6).astype(str), ""),
            "lon": np.where(with_point, np.round(point_lon, 6).astype(str), ""),
            "region": export_region(registry),
            "channel": rng.choice(_CHANNELS, size=n_good),
        }
    )
    bad = _bad_rows(frame.sample(n=n_bad, random_state=seed, replace=True), rng)
    frame = pd.concat([frame, bad], ignore_index=True).sample(frac=1.0, random_state=seed)
    result = [
        Plant(float(lat[c]), float(lon[c]), len(set(subscriber[spot_of == i].tolist())), str(spot_topic[i]))
        for i, (c, _) in enumerate(plants)
    ]
    return frame.reset_index(drop=True), result


def plants_told(plants: list[Plant], *, minimum: int) -> str:
    """The plants as ``samples generate`` reports them: how many complainants (people the
    generator planted) each has and, in a small export, how many have fewer than detection's
    ``minimum`` distinct complainants: those are concentrations, not spots to be found."""
    if not plants:
        return "no planted spots"
    sizes = sorted(p.complainants for p in plants)
    spread = str(sizes[0]) if sizes[0] == sizes[-1] else f"{sizes[0]}–{sizes[-1]}"
    below = sum(size < minimum for size in sizes)
    if not below:
        return f"{len(sizes)} planted spots ({spread} complainants each)"
    which = "all" if below == len(sizes) else f"{below} of them"
    return (
        f"{len(sizes)} planted concentrations of {spread} complainants each ({which} with"
        f" fewer than detection's minimum of {minimum} complainants)"
    )


def _plant(
    lat: np.ndarray, lon: np.ndarray, spots: int, n_planted: int, rng: np.random.Generator
) -> tuple[list[tuple[int, int]], list[np.ndarray]]:
    """``spots`` centres (an address each, 1.2 km apart) with their sizes, at least 20
    each, and the houses within 180 m of each centre its rows are drawn on."""
    centres = _apart(lat, lon, spots, rng, min_m=1200.0)
    smallest = min(20, n_planted // spots)
    sizes = smallest + rng.multinomial(n_planted - smallest * spots, rng.dirichlet(np.full(spots, 2.0)))
    plants, house = [], []
    for centre, size in zip(centres.tolist(), sizes.tolist(), strict=True):
        distance = _metres(lat, lon, lat[centre], lon[centre])
        near = np.flatnonzero(distance < 180)
        house.append(rng.choice(near, size=size))
        plants.append((centre, size))
    return plants, house


def _repeat_callers(spot_of: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A subscriber per row: a fifth of the rows come from a subscriber who already called
    about the same planted spot."""
    subscriber = np.arange(len(spot_of))
    repeat = rng.random(len(spot_of)) < 0.2
    for i in np.flatnonzero(repeat).tolist():
        same = np.flatnonzero((spot_of[:i] == spot_of[i]) & (spot_of[:i] >= 0))
        if len(same):
            subscriber[i] = subscriber[rng.choice(same)]
    return subscriber


def _apart(lat: np.ndarray, lon: np.ndarray, k: int, rng: np.random.Generator, *, min_m: float) -> np.ndarray:
    """``k`` random addresses at least ``min_m`` apart, so planted spots stay distinct."""
    chosen: list[int] = []
    for candidate in rng.permutation(len(lat)).tolist():
        if all(_metres(lat[[candidate]], lon[[candidate]], lat[c], lon[c])[0] >= min_m for c in chosen):
            chosen.append(candidate)
            if len(chosen) == k:
                return np.asarray(chosen)
    raise InputError(f"cannot place {k} planted spots {min_m:.0f} m apart in these addresses")


def _metres(lat: np.ndarray, lon: np.ndarray, lat0: float, lon0: float) -> np.ndarray:
    dy = (lat - lat0) * 111_000
    dx = (lon - lon0) * 111_000 * np.cos(np.radians(lat0))
    return np.asarray(np.hypot(dx, dy))


def _phone_format(number: int, rng: np.random.Generator) -> str:
    digits = str(number)
    style = rng.integers(5)
    if style == 0:
        return "+7" + digits
    if style == 1:
        return "8" + digits
    if style == 2:
        return "7" + digits
    if style == 3:
        return f"+7 ({digits[:3]}) {digits[3:6]}-{digits[6:8]}-{digits[8:]}"
    return ""  # not every CRM row carries the number


def _messy(address: str, rng: np.random.Generator) -> str:
    """The registry address as a person or CRM might type it."""
    parts = [p.strip() for p in address.split(",")]
    parts = [p for p in parts if not p.startswith(("обл.", "р-н."))]
    style = int(rng.integers(6))
    text = ", ".join(parts)
    if style == 0:
        return text
    if style == 1:  # full words, no city
        text = ", ".join(p for p in parts if not p.startswith("г."))
        return re.sub(r"\bд\.", "дом", re.sub(r"\bул\.", "улица", text))  # not "проезд." → "проездом"
    if style == 2:  # type after the name, lower case
        return re.sub(r"ул\. ([^,]+)", r"\1 ул", text).lower()
    if style == 3:  # flat and no punctuation
        return text.replace(".", "").replace(",", "") + f" кв {int(rng.integers(1, 200))}"
    if style == 4:  # house letter with a space, ё→е
        return re.sub(r"д\. (\d+)([а-я])$", r"д. \1 \2", text).replace("ё", "е")
    return text.replace("г. ", "г ").upper()


def _bad_rows(rows: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """``rows`` (drawn with replacement, so a good row may come twice) made bad, each by a
    kind of its own drawn from ``BAD_ROW_KINDS``."""
    rows = rows.reset_index(drop=True)  # a row drawn twice must not share its label
    kinds = rng.choice(list(BAD_ROW_KINDS), size=len(rows))
    # Suffixed row by row, keeping the column's text dtype: a list added to the column is
    # converted by inference, and an empty one (no bad rows) becomes float64.
    tickets = [f"{ticket}-B{i}" for i, ticket in enumerate(rows["ticket_id"].tolist())]
    rows["ticket_id"] = pd.Series(tickets, index=rows.index, dtype=rows["ticket_id"].dtype)
    for i, kind in enumerate(kinds.tolist()):
        fields = BAD_ROW_KINDS[kind]
        rows.loc[i, list(fields)] = list(fields.values())
    return rows


#: The "now" the committed samples were generated at, so the demo is reproducible.
SAMPLES_NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def samples_dir() -> Path:
    """``data/samples`` of the source tree this package runs from."""
    return Path(__file__).resolve().parents[2] / "data" / "samples"


def sample_file(name: str) -> Path:
    """A file in ``data/samples``; a clear error when the package runs outside its tree."""
    path = samples_dir() / name
    if not path.is_file():
        raise InputError(
            f"{path} not found: the samples live in the source tree's data/samples "
            "(install with `pip install -e .` or pass the file explicitly)"
        )
    return path


def read_addresses(path: Path | None = None) -> pd.DataFrame:
    """The registry extract the generator plants complaints on: its houses, without the
    default points the gazetteer skips too (a point shared by several settlements)."""
    source = path or sample_file("vologda_addresses.csv")
    try:
        frame = pd.read_csv(source, usecols=["LAT", "LON", "ADDRESS"]).dropna()
    except (OSError, ValueError) as exc:
        raise InputError(f"{source}: need a CSV with LAT, LON, ADDRESS: {exc}") from exc
    return frame[~placeholder_points(frame)]


#: How a registry's first part (``обл. Ленинградская``) is written in a CRM's region field.
_REGION_WRITING = (
    (re.compile(r"^обл\.?\s+(.+)$", re.IGNORECASE), r"\1 область"),
    (re.compile(r"^(?:респ|республика)\.?\s+(.+)$", re.IGNORECASE), r"Республика \1"),
    (re.compile(r"^г\.?\s+(.+)$", re.IGNORECASE), r"\1"),
)


def export_region(registry: np.ndarray) -> str:
    """The region a CRM would write for complaints over these registry addresses: the most
    common first part of the addresses, written the CRM's way (``Ленинградская область``)."""
    first = pd.Series(registry, dtype=str).str.split(",").str[0].str.strip()
    region = str(first.mode().iloc[0]) if len(first) else ""
    for pattern, writing in _REGION_WRITING:
        if pattern.match(region):
            return pattern.sub(writing, region)
    return region
