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

**Personal data.** E-mail addresses (also ``name (at) mail (dot) ru``), card numbers
(13–19 digits passing the Luhn check, or four groups of four), passport series and
number (``45 06 123456``, ``серия 4506 номер 123456``), SNILS (``123-456-789 01``, or
11 digits with a valid check number), phone numbers in any common format (7–15
digits: ``+7 (916) 123-45-67``, ``8-916-1234567``, ``(212) 555-1234``, ``555-1234``,
``72-12-34`` after "тел"), but not dates, decimals, sums or bare ID numbers; and
names where the text gives them away: "меня зовут …", "my name is …", "с уважением,
…", "thanks, …", a surname with initials (``Иванов И.И.``), a first name with a
patronymic (``Иван Петрович``), an honorific (``Mr. Smith``), a signature line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["MASKS", "Span", "find_sensitive", "is_obscene", "mask_comment"]

MASKS: dict[str, str] = {
    "obscene": "***",
    "email": "[e-mail скрыт]",
    "card": "[карта скрыта]",
    "passport": "[паспорт скрыт]",
    "snils": "[СНИЛС скрыт]",
    "phone": "[телефон скрыт]",
    "name": "[имя скрыто]",
}


@dataclass(frozen=True, order=True)
class Span:
    start: int
    end: int
    kind: str


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


# --- personal data --------------------------------------------------------------------------
_EMAIL = re.compile(
    r"[\w.+\-]+(?:@|\s*[(\[]\s*(?:at|собака)\s*[)\]]\s*|\s+собака\s+)[\w\-]+"
    r"(?:(?:\.|\s*[(\[]\s*(?:dot|точка)\s*[)\]]\s*)[\w\-]+)*(?:\.|\s*[(\[]\s*(?:dot|точка)\s*[)\]]\s*)"
    r"[a-zа-я]{2,}",
    re.IGNORECASE,
)
_DIGIT_RUN = re.compile(r"(?<![\w+])\+?\(?\d[\d \t\-.()]*\d(?![\w])|(?<![\w+])\+?\d(?![\w])")
_CARD = re.compile(r"(?<!\d)(?:\d[ \-]?){12,18}\d(?!\d)")
_SNILS = re.compile(r"(?<!\d)\d{3}[\- ]\d{3}[\- ]\d{3}[\- ]\d{2}(?!\d)")
_PASSPORT = re.compile(
    r"(?:(?:паспорт\w*|серия|сер\.)\s*[:№]?\s*)?(?<!\d)\d{2}\s?\d{2}\s*"
    r"(?:(?:№|N|No\.?|номер)\s*)?\d{6}(?!\d)",
    re.IGNORECASE,
)
_PHONE_CUE = re.compile(r"(?:тел|телефон|моб|сот|номер|звонит\w*|phone|tel|cell|call|ph)\.?:?\s*$",
                        re.IGNORECASE)
_DATE = re.compile(r"\d{1,4}[./\-]\d{1,2}[./\-]\d{1,4}")
#: A street word right after a number: "94-08 214 street" is an address, not a phone.
_STREET_NEXT = re.compile(r"[ \t]*(?:st|nd|rd|th)?\.?[ \t]*(?:street|st|ave|avenue|place|pl|road|rd|drive|dr|"
                          r"blvd|boulevard|lane|ln|way|terrace|court|ct|ул|улица|д|дом|кв)\b",
                          re.IGNORECASE)


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _snils_ok(digits: str) -> bool:
    body, check = digits[:9], int(digits[9:])
    total = sum(int(d) * w for d, w in zip(body, range(9, 0, -1), strict=True))
    expected = 0 if total in (100, 101) else total % 101 % 100
    return check == expected


def _is_phone(candidate: str, before: str, after: str) -> bool:
    digits = re.sub(r"\D", "", candidate)
    n = len(digits)
    cue = bool(_PHONE_CUE.search(before[-24:]))
    groups = [g for g in re.split(r"[\s\-.()]+", candidate.strip("+() ")) if g]
    separated = len(groups) > 1
    if n < 7 and not (cue and n >= 5 and separated):
        return False
    if n > 15 or _STREET_NEXT.match(after):
        return False
    if candidate.count(".") == 1 and not cue:  # a decimal number
        return False
    if _DATE.fullmatch(candidate.strip()) and not (cue or candidate.startswith("+")):
        return False
    if not separated:  # a bare run of digits: a phone only in the usual lengths
        return candidate.startswith("+") or 10 <= n <= 12 or cue
    if re.fullmatch(r"\d{1,3}(?: \d{3})+", candidate.strip()) and n <= 9:
        return cue  # 1 000 000: a sum written with thousands separators
    sizes = [len(re.sub(r"\D", "", g)) for g in groups]
    if any(size > 4 for size in sizes[:-1]):
        return False
    if sizes[-1] > 4 and not (sizes[:-1] in ([1], [2], [3], [1, 3], [2, 3]) and 10 <= n <= 12):
        return False  # a long last group only after a country or trunk code and operator code
    # 1041-1047 is a range of house numbers, not a phone
    return not (len(sizes) == 2 and sizes[0] == sizes[1] == 4 and not cue)


def _pii_spans(text: str) -> list[Span]:
    spans: list[Span] = [Span(m.start(), m.end(), "email") for m in _EMAIL.finditer(text)]

    def free(start: int, end: int) -> bool:
        return all(end <= s.start or start >= s.end for s in spans)

    for m in _CARD.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        grouped = re.fullmatch(r"\d{4}([ \-]?)\d{4}\1\d{4}\1\d{4}", m.group()) is not None
        phone_like = len(digits) <= 12 and digits[:1] in "78"
        if free(*m.span()) and (grouped or (_luhn(digits) and not phone_like)):
            spans.append(Span(m.start(), m.end(), "card"))
    for m in _SNILS.finditer(text):
        if free(*m.span()):
            spans.append(Span(m.start(), m.end(), "snils"))
    for m in _PASSPORT.finditer(text):
        keyword = not m.group()[:1].isdigit()
        spaced = re.fullmatch(r"\d{2}\s?\d{2}\s+(?:(?:№|N|No\.?|номер)\s*)?\d{6}", m.group())
        if free(*m.span()) and (keyword or spaced):
            spans.append(Span(m.start(), m.end(), "passport"))
    for m in _DIGIT_RUN.finditer(text):
        candidate = m.group().rstrip(" -.(")
        start = m.start() + (len(m.group()) - len(m.group().lstrip(" ")))
        if candidate.startswith("(") and ")" not in candidate:
            candidate, start = candidate[1:], start + 1
        end = start + len(candidate)
        if not free(start, end):
            continue
        digits = re.sub(r"\D", "", candidate)
        if len(digits) == 11 and not candidate.startswith("+") and digits[:2] not in ("79", "89") \
                and _snils_ok(digits):
            spans.append(Span(start, end, "snils"))
        elif _is_phone(candidate, text[:start], text[end:end + 16]):
            spans.append(Span(start, end, "phone"))
    spans.extend(_name_spans(text, free))
    return spans


# --- names ----------------------------------------------------------------------------------
_RU_NAME = r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?"
_SP = r"[ \t]+"
_EN_NAME = r"[A-Z][a-z]+(?:[-'][A-Z][a-z]+)?"
_PATRONYMIC = r"[А-ЯЁ][а-яё]+(?:ович|евич|ьич|овна|евна|ична|инична)"
_NAME_PATTERNS = [
    # a first name with a patronymic, a surname before or after
    re.compile(rf"(?:{_RU_NAME}{_SP})?{_RU_NAME}{_SP}{_PATRONYMIC}(?:{_SP}{_RU_NAME})?"),
    # a surname with initials, either side
    re.compile(rf"{_RU_NAME}{_SP}[А-ЯЁ]\.[ \t]?[А-ЯЁ]\.|(?<!\w)[А-ЯЁ]\.[ \t]?(?:[А-ЯЁ]\.[ \t]?)?{_RU_NAME}"),
    re.compile(rf"{_EN_NAME}{_SP}[A-Z]\.{_SP}{_EN_NAME}|(?<!\w)[A-Z]\.[ \t]?[A-Z]\.{_SP}{_EN_NAME}"),
]
#: Cue words after which the next one to three capitalised words are a name.
_NAME_CUES = re.compile(
    r"(?<!\w)(?:меня\s+зовут|моё\s+имя|мое\s+имя|фио\s*:?|с\s+уважением,?|спасибо,|"
    r"господин|госпожа|my\s+name\s+is|name\s*:|thanks?,|thank\s+you,|regards,|"
    r"sincerely,|signed,?|contact|call|ask\s+for|(?:mr|mrs|ms|miss|dr)\.?)\s+",
    re.IGNORECASE,
)
_CAPITALISED = re.compile(rf"(?:{_RU_NAME}|{_EN_NAME})(?:{_SP}(?:{_RU_NAME}|{_EN_NAME})){{0,2}}")
#: Words a capitalised run after a cue may start with that are not names.
_NOT_NAMES = frozenset((
    "the", "a", "an", "this", "that", "me", "us", "you", "him", "her", "them", "it", "311", "nyc",
    "please", "if", "i", "we", "our", "my", "your", "his", "я", "мы", "вы", "вас", "нас", "он",
    "она", "они", "это", "все", "всем", "спасибо", "пожалуйста",
))
_PLACE_WORDS = re.compile(
    r"\b(?:st|street|ave|avenue|road|rd|blvd|drive|dr|lane|place|pl|ny|nj|nyc|brooklyn|bronx|queens|"
    r"manhattan|north|south|east|west|hydrant|fire|request|description|parking|trading|inc|llc|"
    r"staten|island|park|school|building|department|dept|city|hoboken|usa|new|york|police|"
    r"улица|ул|проспект|пр|дом|город|г|в\.о|п\.с)\b",
    re.IGNORECASE,
)


#: A street word just before a name: "ул. К.Маркса" is an address.
_STREET_BEFORE = re.compile(
    r"(?:ул|улица|пр|пр-кт|просп|проспект|пер|переулок|пл|площадь|наб|набережная|б-р|бульвар|ш|"
    r"шоссе|имени|им|мкр|проезд|аллея|линия|st|street|ave|avenue)\.?[ \t]*$",
    re.IGNORECASE,
)


def _name_spans(text: str, free: Callable[[int, int], bool]) -> list[Span]:
    found: list[Span] = []

    def add(start: int, end: int) -> None:
        if _STREET_BEFORE.search(text[max(0, start - 16):start]) \
                or _PLACE_WORDS.search(text[start:end]):
            return
        if free(start, end) and all(end <= s.start or start >= s.end for s in found):
            found.append(Span(start, end, "name"))

    for pattern in _NAME_PATTERNS:
        for m in pattern.finditer(text):
            add(m.start(), m.end())
    for cue in _NAME_CUES.finditer(text):
        run = _CAPITALISED.match(text, cue.end())
        if run and run.group().split()[0].lower() not in _NOT_NAMES:
            add(run.start(), run.end())
    # a signature: a line of two or three capitalised words with nothing else on it
    lines = text.splitlines()
    for m in re.finditer(rf"(?m)^[ \t]*((?:{_EN_NAME}|{_RU_NAME})(?:[ \t]+(?:{_EN_NAME}|{_RU_NAME}))"
                         r"{1,2})[ \t]*$", text):
        line = text.count("\n", 0, m.start())
        after = lines[line + 1] if line + 1 < len(lines) else ""
        last_or_before_contact = not after.strip() or bool(re.match(r"\s*[\d+(]", after))
        if line > 0 and last_or_before_contact:
            add(m.start(1), m.end(1))
    return found


# --- together -------------------------------------------------------------------------------
def find_sensitive(text: str | None) -> list[Span]:
    """Spans to mask, sorted and not overlapping (personal data wins over obscenity)."""
    if not text:
        return []
    spans = _pii_spans(text)
    for span in _obscene_spans(text):
        if all(span.end <= s.start or span.start >= s.end for s in spans):
            spans.append(span)
    return sorted(spans)


def mask_comment(text: str | None) -> str | None:
    """``text`` with every sensitive span replaced by its mask (:data:`MASKS`)."""
    if text is None:
        return None
    out: list[str] = []
    at = 0
    for span in find_sensitive(text):
        out.append(text[at:span.start])
        out.append(MASKS[span.kind])
        at = span.end
    out.append(text[at:])
    return "".join(out)
