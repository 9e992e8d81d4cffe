"""The comment filter: obscene language and personal data masked before anyone sees a comment.

:func:`find_sensitive` returns the spans to hide, :func:`mask_comment` the text with
them replaced. Pure functions of the text; nothing is looked up.

**Obscene language.** Russian obscenities are built on a handful of roots (хуй, пизд,
еб/ёб, бля, муд, манд, пидор, залуп, гандон, шлюх, сука, дроч, хер, говн, жоп, срать,
ссать) dressed in prefixes and endings; the word list in ``../shared/data/profanity``
(CC0) is almost all inflected forms of them, so the filter matches the *roots* with
the prefixes and endings Russian allows rather than the list's 4,600 forms — new
inflections are caught, and ordinary words that share letters are not (застрахуй,
себе, сразу, ссылка, мудрый, мандарин, команда, Херсон). The list's entries that
are ordinary words (сила, розетка, запаздывание, кровавый, …) are deliberately not
masked. A candidate word is compared after:

* lower case and ё → е;
* Latin look-alike letters and digits read as Cyrillic (``xyй``, ``6ля``, ``cyka``,
  ``бл@ть``); wholly Latin words are also transliterated (``blyat``, ``pizdec``) but
  checked against stricter forms, so English text stays untouched (``hue``, ``ebay``);
* letters split by inserted spaces or symbols joined again (``х у й``, ``п.и.з.д.а``,
  ``пи-здец``), repeated letters collapsed (``хууууй``), and a ``*`` standing for a
  vowel tried as each vowel (``х*й``).
* ё inside a word read as е with the forms it takes there (``долбаёб``, ``уёбков``,
  ``наёбщик``); a Latin letter that stands for two Cyrillic ones read both ways
  (``hахуй``: ``h`` for ``н``);
* words glued together: roots that are obscene wherever they stand (бляд, пизд,
  нахуй, хуйн, мудак, пидор, долбоёб, заеб…) are also looked for inside a word
  (``идинахуй``, ``вниманиеблядей``), while ordinary words holding the same letters
  stay (``хлебало``, ``оскорблять``, ``употреблять``, ``рубля``, ``истреблять``,
  ``страхуй``, ``плохую``, ``скипидар``, ``Олеговна``) — every rule was run over the
  three million word forms of the OpenCorpora dictionary to find such words.

The patterns live in :mod:`heatmap.closeout.comment_filter_words`.

**Personal data** is found by the core's one masker, :mod:`heatmap.core.pii` (phones in
every common writing, e-mails, cards, passports, SNILS, INN, names where the text gives
them away); it wins where it overlaps an obscenity.
"""

from __future__ import annotations

import re

from heatmap.closeout.comment_filter_words import is_obscene
from heatmap.core.pii import MASKS as PERSONAL_DATA_MASKS
from heatmap.core.pii import Span, find_personal_data, mask_spans

__all__ = ["MASKS", "Span", "find_sensitive", "is_obscene", "mask_comment"]

MASKS: dict[str, str] = {"obscene": "***", **PERSONAL_DATA_MASKS}


_LETTERISH = re.compile(r"(?:[^\W_]|[@$*€])+")
_THIN_GAP = re.compile(r"[\s.\-_'\"`~+=|/\\:;!?#%^&()]{0,3}")
#: Obscene set phrases whose words are harmless alone.
_OBSCENE_PHRASES = re.compile(
    r"(?<!\w)(?:[её]б|йоб)[ \t]+(?:твою|вашу|его|их|ту)[ \t]+мать(?!\w)", re.IGNORECASE
)


def _obscene_spans(text: str) -> list[Span]:
    tokens = [(m.start(), m.end()) for m in _LETTERISH.finditer(text)]
    spans = [Span(m.start(), m.end(), "obscene") for m in _OBSCENE_PHRASES.finditer(text)]
    taken = {i for i, t in enumerate(tokens) for s in spans if s.start <= t[0] < s.end}
    tokens = [t for i, t in enumerate(tokens) if i not in taken]
    i = 0
    while i < len(tokens):
        best = None
        joined = ""
        for j in range(i, min(len(tokens), i + 12)):
            if j > i:
                gap = text[tokens[j - 1][1] : tokens[j][0]]
                if not _THIN_GAP.fullmatch(gap) or text[tokens[j][0] : tokens[j][1]].isdigit():
                    break
                # split by spaces: only letters and short syllables ("х у й", "na hui")
                short = all(tokens[k][1] - tokens[k][0] <= 2 for k in range(i, j))
                if any(c.isspace() for c in gap) and not short:
                    break
                if not short and j - i >= 3:
                    break
            joined += text[tokens[j][0] : tokens[j][1]]
            if is_obscene(joined):
                best = j
        if best is None:
            i += 1
            continue
        spans.append(Span(tokens[i][0], tokens[best][1], "obscene"))
        i = best + 1
    return spans


# --- together -------------------------------------------------------------------------------
def find_sensitive(text: str | None) -> list[Span]:
    """Spans to mask, sorted and not overlapping (personal data wins over obscenity)."""
    if not text:
        return []
    spans = find_personal_data(text)
    for span in _obscene_spans(text):
        if all(span.end <= s.start or span.start >= s.end for s in spans):
            spans.append(span)
    return sorted(spans)


def mask_comment(text: str | None) -> str | None:
    """``text`` with every sensitive span replaced by its mask (:data:`MASKS`)."""
    if text is None:
        return None
    return mask_spans(text, find_sensitive(text), MASKS)
