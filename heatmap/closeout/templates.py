"""SMS templates in Russian, with their length checked when they are loaded.

An SMS is GSM-7 when every character is in the GSM 03.38 alphabet (160 septets in
one part, 153 per part when concatenated; ``^{}[]~|€\\`` and form feed take two
septets), else UCS-2 (70 UTF-16 units in one part, 67 per part). Cyrillic is UCS-2.

Each template is measured with the longest value every placeholder may take:
``{address}`` is cut to ``[limits].address`` characters, ``{cause}`` comes from the
``[causes]`` table, ``{link}`` has the length of ``public_url + "/r/" + token``.
Free text (an address) may hold any character, so a template with ``{address}`` is
measured as UCS-2. More than ``max_parts`` parts in that worst case is a
:class:`heatmap.errors.ConfigError` at load — never a surprise at send time; so is
more than ``text_parts`` parts for the text without its ``{link}``. The packaged
templates take ``max_parts = 2`` and ``text_parts = 1``: the words fit one UCS-2 part
(70 characters) and the rating link takes the second at most.
"""

from __future__ import annotations

import re
import string
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from heatmap.closeout.links import TOKEN_LENGTH
from heatmap.errors import ConfigError

__all__ = ["OPTIONAL", "REQUIRED", "SmsTemplates", "encoding_of", "load_sms_templates", "sms_parts"]

#: GSM 03.38 default alphabet (without the escape character) and its extension table.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")
#: Single-part and per-part limits by encoding.
LIMITS = {"gsm7": (160, 153), "ucs2": (70, 67)}
REQUIRED = ("resolved", "resolved_no_link", "thanks_rating", "thanks_persists", "opted_out", "not_understood")
#: Messages a templates file may leave out (then nothing is sent in their place):
#: ``too_late`` answers a rating that comes after the reply window.
OPTIONAL = ("too_late",)
_PLACEHOLDERS = frozenset({"address", "cause", "link"})
_ELLIPSIS = "…"


def encoding_of(text: str) -> str:
    """``gsm7`` when every character is in the GSM-7 alphabet (with extensions), else ``ucs2``."""
    return "gsm7" if all(c in GSM7_BASIC or c in GSM7_EXTENDED for c in text) else "ucs2"


def sms_units(text: str, encoding: str | None = None) -> int:
    """Length in the units the limits count: septets (GSM-7) or UTF-16 code units (UCS-2)."""
    if (encoding or encoding_of(text)) == "gsm7":
        return sum(2 if c in GSM7_EXTENDED else 1 for c in text)
    return len(text.encode("utf-16-le")) // 2


def sms_parts(text: str, encoding: str | None = None) -> int:
    """How many SMS parts ``text`` takes (0 for an empty text)."""
    enc = encoding or encoding_of(text)
    units = sms_units(text, enc)
    single, per_part = LIMITS[enc]
    if units <= single:
        return 1 if units else 0
    return -(-units // per_part)


@dataclass(frozen=True)
class SmsTemplates:
    messages: dict[str, str]
    causes: dict[str, str]
    address_limit: int
    max_parts: int
    public_url: str | None
    text_parts: int | None = None  # parts of a message without its link (None: max_parts)

    @property
    def link_length(self) -> int:
        return len(self.link_prefix) + TOKEN_LENGTH if self.public_url else 0

    @property
    def link_prefix(self) -> str:
        return f"{(self.public_url or '').rstrip('/')}/r/"

    def message(self, name: str) -> str:
        """The fixed text of message ``name``; "" (answer nothing) for a missing optional one."""
        return self.messages.get(name, "") if name in OPTIONAL else self.messages[name]

    def cause_text(self, cause: str | None) -> str:
        return self.causes.get(cause or "", self.causes["default"])

    def render(
        self, name: str, *, address: str | None = None, cause: str | None = None, token: str | None = None
    ) -> str:
        """The text of message ``name``; ``resolved`` without a link (no public URL or no
        token) is ``resolved_no_link``."""
        if name == "resolved" and not (self.public_url and token):
            name = "resolved_no_link"
        values = {
            "address": shorten(street_address(address or ""), self.address_limit),
            "cause": self.cause_text(cause),
            "link": f"{self.link_prefix}{token}" if token else "",
        }
        text = self.messages[name].format(**values)
        if sms_parts(text) > self.max_parts:  # cannot happen after the check at load
            raise ConfigError(f"SMS template {name!r} rendered to {sms_parts(text)} parts")
        return text


_REGION_OR_CITY = re.compile(
    r"^(?:обл\.?|область|край|респ\.?|республика|ао|г\.?|город|россия|\d{6})(?:\s|$)|"
    r"\s(?:обл\.?|область|край|ао)$",
    re.IGNORECASE,
)


def street_address(text: str) -> str:
    """An address without its leading region and city ("обл. Вологодская, г. Вологда, ул.
    Мира, д. 1" → "ул. Мира, д. 1"): the client knows where they live, the SMS is short."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    while len(parts) > 1 and _REGION_OR_CITY.search(parts[0]):
        parts.pop(0)
    return ", ".join(parts)


def shorten(text: str, limit: int) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: max(limit - 1, 0)]
    space = cut.rfind(" ")
    if space >= limit - 12:  # end at a word when one ends near the limit
        cut = cut[:space]
    return cut.rstrip(" ,.;") + _ELLIPSIS


def worst_case(template: str, *, limits: dict[str, int], without_link: bool = False) -> tuple[int, str, int]:
    """``(parts, encoding, units)`` of ``template`` with every placeholder at its longest;
    ``without_link``: of its text alone (the link and the space before it left out)."""
    parts = list(string.Formatter().parse(template))
    names = {field for _, field, _, _ in parts if field is not None}
    literal = "".join(text for text, _, _, _ in parts)
    enc = "ucs2" if "address" in names else encoding_of(literal)
    filler = "Ж" if enc == "ucs2" else "x"
    values = {n: filler * limits[n] for n in names}
    if without_link and "link" in names:
        values["link"] = "\0"
        longest = " ".join(piece.strip() for piece in template.format(**values).split("\0"))
        longest = longest.strip()
    else:
        longest = template.format(**values)
    return sms_parts(longest, enc), enc, sms_units(longest, enc)


def load_sms_templates(path: Path | None = None, *, public_url: str | None = None) -> SmsTemplates:
    """The packaged templates (or an operator's TOML file), checked for length."""
    origin = str(path) if path else "packaged SMS templates"
    try:
        text = (
            Path(path).read_text(encoding="utf-8")
            if path
            else (resources.files("heatmap.closeout") / "sms_templates.toml").read_text("utf-8")
        )
        data = tomllib.loads(text)
        messages = {str(k): str(v) for k, v in data["messages"].items()}
        causes = {str(k): str(v) for k, v in data["causes"].items()}
        address_limit = int(data.get("limits", {}).get("address", 40))
        max_parts = int(data.get("max_parts", 3))
        text_parts = int(data.get("text_parts", max_parts))
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ConfigError(f"{origin}: {exc}") from exc
    missing = [n for n in REQUIRED if n not in messages]
    if missing or "default" not in causes:
        raise ConfigError(f"{origin}: missing {', '.join(missing or ['causes.default'])}")
    if not 1 <= max_parts <= 10 or not 1 <= text_parts <= max_parts or address_limit < 5:
        raise ConfigError(
            f"{origin}: max_parts must be 1–10, text_parts 1–max_parts and limits.address at least 5"
        )
    templates = SmsTemplates(
        messages=messages,
        causes=causes,
        address_limit=address_limit,
        max_parts=max_parts,
        public_url=public_url or None,
        text_parts=text_parts,
    )
    limits = {
        "address": address_limit,
        "cause": max(len(c) for c in causes.values()),
        "link": templates.link_length,
    }
    for name, template in messages.items():
        try:
            fields = {f for _, f, _, _ in string.Formatter().parse(template) if f is not None}
        except ValueError as exc:
            raise ConfigError(f"{origin}: message {name!r}: {exc}") from exc
        unknown = fields - _PLACEHOLDERS
        if unknown:
            raise ConfigError(
                f"{origin}: message {name!r} has unknown placeholders "
                f"{sorted(unknown)}; allowed: {sorted(_PLACEHOLDERS)}"
            )
        for without_link, allowed, key in ((False, max_parts, "max_parts"), (True, text_parts, "text_parts")):
            parts, enc, units = worst_case(template, limits=limits, without_link=without_link)
            if parts > allowed:
                single, per_part = LIMITS[enc]
                what = "without its link " if without_link else ""
                hint = (
                    ""
                    if without_link or "{link}" not in template
                    else (f"; its link takes {limits['link']} characters (a shorter public URL helps)")
                )
                raise ConfigError(
                    f"{origin}: message {name!r} {what}can take {parts} SMS parts ({units} {enc} "
                    f"units at the longest: {single} fit one part, {per_part} each part when "
                    f"split), more than {key} = {allowed}{hint}"
                )
    return templates
