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

**Personal data** is found by the core's one masker, :mod:`heatmap.core.pii` (phones in
every common writing, e-mails, cards, passports, SNILS, INN, names where the text gives
them away); it wins where it overlaps an obscenity.
"""

from __future__ import annotations

import re

from heatmap.core.pii import MASKS as PERSONAL_DATA_MASKS
from heatmap.core.pii import Span, find_personal_data, mask_spans

__all__ = ["MASKS", "Span", "find_sensitive", "is_obscene", "mask_comment"]

MASKS: dict[str, str] = {"obscene": "***", **PERSONAL_DATA_MASKS}


# --- obscene language -----------------------------------------------------------------------
_PREFIX = (r"(?:а|в|вз|взъ|взь|вс|вы|въ|вь|до|за|из|изъ|изь|ис|на|над|надъ|наи|не|недо|ни|о|об|объ|обь|"
           r"обо|от|отъ|оть|ото|осто|по|под|подъ|подь|пере|пре|при|про|раз|разъ|разь|рас|с|со|съ|сь|у|"
           r"долбо|мудо|распиз|спиз)")
_EB_COMPOUND = r"(?:косо|кона|коно|зло|мозго|нище|худо|хитро(?:вы)?|сестро|траха)"
#: Up to two prefixes ("невъебенный": не + въ), or none.
_P = rf"(?:{_PREFIX}{{0,2}})"
_EB_END = (r"(?:а(?:ть\w*|т\w*|ч\w*|л\w*|н\w*|ш\w*|к\w*|ну\w*|ри\w*|ло\w*|й\w*|рь\w*|ст\w*)?|"
           r"у(?:т\w*|ч\w*|щ\w*|н\w*|шк\w*|к\w*|с\w*|л\w*)?|ы\w*|ну\w*|л[аоиуяеыь]\w*|"
           r"ись\w*|ищ\w*|ист\w*|ическ\w*|ик\w*|ец\w*|ет\w*|ок\w*|от\w*|ен\w*|ельн\w*|ех\w*|еш\w*|"
           r"ош\w*|он\w*|и(?:сь|ть\w*|т\w*|л\w*|н\w*)|ырь\w*|ар\w*|к[аи]|ня\w*|ск\w*|ств\w*|ти)")
_OBSCENE_RU = re.compile("|".join([
    rf"{_P}ху(?:й|я|ю|е|и(?!м))\w*",
    r"\w*пи[зс]д\w*|\w*пезд\w*",
    rf"(?!веб)(?:{_P}|{_PREFIX}?{_EB_COMPOUND})(?:[еэ]|йо)б{_EB_END}|"
    rf"(?!веб)(?:{_PREFIX}{{1,2}}|{_EB_COMPOUND})[еэ]б|\w*долбо[еэ]б\w*",
    rf"{_P}бля(?![хш])\w*",
    rf"{_P}муд(?:ак|ач|ил|озвон|о[её]б|ень|ох|ищ|ня|ни|ит|ист|ей|ый|ая|ое|ые)\w*",
    rf"{_P}манд(?:а|ы|е|у|ой|ою|ам|ами|ах|ей|ень|еть|я\w*|ю\w*|о[вхш]\w*|ав\w*|ец\w*|еж\w*|"
    r"ищ\w*|е[хш]\w*|ыв\w*|ить\w*|ист\w*|ану\w*|ап\w*)",
    r"\w*пид[оа]р\w*|\w*пидр\w*|\w*педерас\w*|\w*педрил\w*|педик(?:и|а|у|ом|ов|ами|ах)?",
    r"\w*залуп\w*|\w*г[ао]ндон\w*|\w*шлюх\w*|шлюш\w*|\w*дроч\w*",
    r"сук(?:а|и|е|у|ой|ою|ам|ами|ах|ин\w*)|сучк(?:а|и|е|у|ой)|суч(?:ар\w*|онок\w*|ий)|"
    r"с+[цс]ук\w*",
    rf"{_P}хер(?:а|ом|у|н\w*|ов\w*|ач\w*|ак\w*|ас\w*|ить\w*|и\w*|еть|ств\w*)?",
    r"\w*г[ао]вн\w*|\w*жоп\w*",
    rf"{_P}(?:сра(?:ть\w*|л\w*|к[аиуе]|кой|ч\w*|н\w*)|сру(?:т|н\w*)?|серун\w*)",
    rf"{_P}(?:сса(?:ть\w*|л\w*|н\w*|к\w*)|ссы(?:к\w*|ш\w*|т)|сц(?:ать|ут|ыт)\w*)",
    r"ублюд\w*|мраз(?:ь|и|ью|ей|ота\w*)|чмо|чмошни\w*|чмыр\w*|падл(?:а|о|ы|е|у|ой|ами?)|"
    r"п[ао]скуд\w*|курв\w*|лярв\w*|шалав\w*|потаскух\w*",
]))
#: For wholly Latin words (transliterated): only unmistakable forms, so English is left alone.
_OBSCENE_LATIN = re.compile("|".join([
    r"(?:на|по|ни|до|о|а)?(?:хуй|хуя|хую|хуе[вмнлтсп]\w*|хуи[лтнп]\w*)",
    r"\w*пи[зс]д\w*|\w*пезд\w*",
    r"(?:за|на|по|вы|от|отъ|у|раз|разъ|до|съ|въ|про|осто)?[еэ]б(?:ать\w*|ат\w*|ал\w*|ан\w*|ут|уч\w*|"
    r"ну\w*|ис\w*|ок|лан\w*|ло|ищ\w*)|(?:за|на|по|вы|от|раз|до|про)[еэ]б",
    r"\w*долбо[еэ]б\w*|бля(?:д\w*|т\w*)?|с[уо]к(?:а|и|у|ой|ин\w*)|муд(?:ак\w*|ил\w*|ох\w*)",
    r"пид[оа]р\w*|педик\w*|г[ао]ндон\w*|\w*залуп\w*|шл[юу]х[аиуео]\w*|манд[аыуе]|г[ао]вн[оа]\w*|"
    r"жоп[аыуе]\w*|ублюд\w*|падл[аоы]",
    r"(?:по|за|на|обо|про|вы)?сра(?:ть|т|л\w*|н\w*)|(?:за|на|обо)?сса(?:ть|т|л\w*|н\w*)",
    r"(?:на|по|ни)хуи",
]))

_HOMOGLYPHS = str.maketrans({
    "A": "а", "a": "а", "B": "в", "b": "б", "C": "с", "c": "с", "E": "е", "e": "е", "H": "н",
    "h": "х", "K": "к", "k": "к", "M": "м", "m": "м", "O": "о", "o": "о", "P": "р", "p": "р",
    "T": "т", "t": "т", "X": "х", "x": "х", "Y": "у", "y": "у", "u": "и", "U": "и", "n": "п",
    "r": "г", "0": "о", "3": "з", "6": "б", "4": "ч", "@": "а", "$": "с", "€": "е", "ё": "е",
    "Ё": "е",
})
_TRANSLIT = [("shch", "щ"), ("sch", "щ"), ("kh", "х"), ("zh", "ж"), ("ch", "ч"), ("sh", "ш"),
             ("ts", "ц"), ("yu", "ю"), ("ya", "я"), ("yo", "е"), ("ye", "е"), ("ju", "ю"),
             ("ja", "я"), ("jo", "е"), ("iu", "ю"), ("ia", "я")]
_TRANSLIT_ONE = str.maketrans("abvgdezijklmnoprstufhcwxq", "абвгдезийклмнопрстуфхцвкк")
_VOWELS = "аеиоуыяю"
_ALPHABET = "абвгдежзийклмнопрстуфхцчшщъыьэюя"
_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
_LATIN = re.compile(r"[a-z]", re.IGNORECASE)
_LETTERISH = re.compile(r"(?:[^\W_]|[@$*€])+")
_THIN_GAP = re.compile(r"[\s.\-_'\"`~+=|/\\:;!?#%^&()]{0,3}")
#: Obscene set phrases whose words are harmless alone.
_OBSCENE_PHRASES = re.compile(r"(?<!\w)(?:[её]б|йоб)[ \t]+(?:твою|вашу|его|их|ту)[ \t]+мать(?!\w)",
                              re.IGNORECASE)


def _transliterate(word: str) -> str:
    text = word.lower()
    for latin, cyrillic in _TRANSLIT:
        text = text.replace(latin, cyrillic)
    text = re.sub(r"(?<=[aeiou])y", "й", text.replace("oo", "u").replace("ee", "i"))
    return text.replace("y", "ы").translate(_TRANSLIT_ONE)


def _variants(word: str) -> list[tuple[str, re.Pattern[str]]]:
    """Readings of a candidate word, each with the pattern set it is checked against."""
    if word.isdigit():
        return []
    latin_only = not _CYRILLIC.search(word) and bool(_LATIN.search(word))
    if latin_only and not re.search(r"[0-9@$€*]", word):
        base = [(word.translate(_HOMOGLYPHS).lower(), _OBSCENE_LATIN),
                (_transliterate(word), _OBSCENE_LATIN)]
    else:
        base = [(word.translate(_HOMOGLYPHS).lower(), _OBSCENE_RU)]
        if "@" in word:  # "бл@ть": the @ may stand for any vowel, not only "а"
            base.append((word.replace("@", "*").translate(_HOMOGLYPHS).lower(), _OBSCENE_RU))
    out: list[tuple[str, re.Pattern[str]]] = []
    for text, pattern in base:
        forms = {text, re.sub(r"(.)\1+", r"\1", text)}
        for form in list(forms):
            stars = form.count("*")
            if 0 < stars <= 2:
                forms.discard(form)
                forms.update(_fill_stars(form))
        out.extend((f, pattern) for f in forms if "*" not in f)
    return out


def _fill_stars(form: str) -> list[str]:
    """A ``*`` read as any letter (one star) or any vowel (two stars: ``п**да`` stays hidden)."""
    letters = _VOWELS if form.count("*") > 1 else _ALPHABET
    if "*" not in form:
        return [form]
    head, tail = form.split("*", 1)
    return [filled for v in letters for filled in _fill_stars(head + v + tail)]


def is_obscene(word: str) -> bool:
    """Whether one word (already joined, no spaces) is an obscenity in any of its readings."""
    return any(pattern.fullmatch(text) for text, pattern in _variants(word))


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
                gap = text[tokens[j - 1][1]:tokens[j][0]]
                if not _THIN_GAP.fullmatch(gap) or text[tokens[j][0]:tokens[j][1]].isdigit():
                    break
                # split by spaces: only letters and short syllables ("х у й", "na hui")
                short = all(tokens[k][1] - tokens[k][0] <= 2 for k in range(i, j))
                if any(c.isspace() for c in gap) and not short:
                    break
                if not short and j - i >= 3:
                    break
            joined += text[tokens[j][0]:tokens[j][1]]
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
