"""Obscene words: whether one word, in any of its readings, is Russian мат.

Russian obscenities are built on a handful of roots dressed in prefixes and endings;
:func:`is_obscene` matches the roots with the prefixes and endings Russian allows (see
:mod:`heatmap.closeout.comment_filter` for what is and is not caught). Pure functions.
"""

from __future__ import annotations

import re

__all__ = ["is_obscene"]

_PREFIX = (
    r"(?:а|в|вз|взъ|взь|вс|вы|въ|вь|до|за|из|изъ|изь|ис|на|над|надъ|наи|не|недо|ни|о|об|объ|обь|"
    r"обо|от|отъ|оть|ото|осто|насто|по|под|подъ|подь|пере|пре|при|про|раз|разъ|разь|рас|с|со|съ|сь|у|"
    r"д[оа]лб[оа]|мудо|распиз|спиз)"
)
_EB_COMPOUND = r"(?:косо|кона|коно|зло|мозго|нище|худо|хитро(?:вы)?|сестро|траха|шара)"
#: Up to two prefixes ("невъебенный": не + въ), or none.
_P = rf"(?:{_PREFIX}{{0,2}})"
_EB_END = (
    r"(?:а(?:ть\w*|т\w*|ч\w*|л\w*|н\w*|ш\w*|к\w*|ну\w*|ри\w*|ло\w*|й\w*|рь\w*|ст\w*|"
    r"в\w*|е[мтш]\w*|ю\w*|я\w*)?|"
    r"у(?:т\w*|ч\w*|щ\w*|н\w*|шк\w*|к\w*|с\w*|л\w*)?|ы\w*|ну\w*|л[аоиуяеыь]\w*|"
    r"ись\w*|ищ\w*|ист\w*|ическ\w*|ик\w*|ец\w*|ет\w*|ок\w*|от\w*|ен\w*|ельн\w*|ех\w*|еш\w*|"
    r"ош\w*|он\w*|и(?:сь|ть\w*|т\w*|л\w*|н\w*)|ырь\w*|ар\w*|к\w*|ня\w*|ск\w*|ств\w*|ти|"
    r"ури\w*|щик\w*|оч\w*|ос)"
)
_OBSCENE_RU = re.compile(
    "|".join(
        [
            rf"{_P}ху(?:й|я|ю|е|и(?!м))\w*",
            r"\w*пи[зс]д\w*|\w*пезд\w*",
            rf"(?!веб|ебург)(?:{_P}|{_PREFIX}?{_EB_COMPOUND})(?:е|э(?!бон|бул)|йо)б{_EB_END}|"
            rf"(?!веб)(?:{_PREFIX}{{1,2}}|{_EB_COMPOUND})[еэ]б|\w*д[оа]лб[оа][еэ]б\w*",
            # set phrases written as one word: "ебтвоюмать", "ёбвашумать", "кебенематерь"
            r"(?:[еи]б|йоб|[её]б)\w{0,8}мат\w*|к[еи]б[ае]н\w*мат\w*",
            rf"{_P}(?<!са)(?<!^а)бля(?![хш])\w*",  # not "сабля", "Аблязов"
            rf"{_P}муд(?:ак|ач|аг|ил|озвон|о[её]б|ень|ох|ищ|ня|ни|ит|ист|ей|ый|ая|ое|ые)\w*|мудо\w{{3,}}",
            rf"{_P}манд(?:а|ы|е|у|ой|ою|ам|ами|ах|ей|ень|еть|я\w*|ю\w*|о[вхш]\w*|ав\w*|ец\w*|еж\w*|"
            r"ищ\w*|е[хш]\w*|ыв\w*|ить\w*|ист\w*|ану\w*|ап\w*)",
            r"\w*(?<!ски)(?<!те)пид[оа]р\w*|\w*пидр\w*|\w*педерас\w*|\w*педрил\w*|педик(?:и|а|у|ом|ов|ами|ах)?",
            r"\w*залуп\w*|\w*г[ао]ндон\w*|\w*шлюх\w*|шлюш\w*|\w*(?<!ги)дроч\w*",
            r"сук(?:а|и|е|у|ой|ою|ам|ами|ах|ин\w*)|сучк(?:а|и|е|у|ой)|суч(?:ар\w*|онок\w*|ий)|"
            r"с+[цс]ук\w*",
            rf"{_P}хер(?:а|ом|у|н\w*|ов\w*|ач\w*|ак\w*|ас\w*|ить\w*|и\w*|еть|ств\w*)?",
            # "говн", but not a patronymic of a name in -г ("Олеговна", "Вахтанговна") nor the end
            # of an adjective glued to the next word ("вашеговнимание")
            r"(?:\w*(?<![ео]))?г[ао]вн(?!(?:а|ы|е|у|ой|ою|ам|ами|ах)$)\w*|"
            r"(?:[ао]|по|на|за|об|обо|из|от|вы)?г[ао]вн\w*|"
            r"\w*жоп\w*",
            rf"{_P}(?:сра(?:ть\w*|л\w*|к[аиуе]|кой|ч\w*|н\w*)|сру(?:т|н\w*)?|серун\w*)",
            rf"{_P}(?:(?<!ва)сса(?:ть\w*|л\w*|н\w*|к\w*)|ссы(?:к\w*|ш\w*|т)|сц(?:ать|ут|ыт)\w*)",
            r"ублюд\w*|мраз(?:ь|и|ью|ей|ота\w*)|чмо|чмошни\w*|чмыр\w*|падл(?:а|о|ы|е|у|ой|ами?)|"
            r"п[ао]скуд\w*|курв\w*|лярв\w*|шалав\w*|потаскух\w*",
        ]
    )
)
#: For wholly Latin words (transliterated): only unmistakable forms, so English is left alone.
_OBSCENE_LATIN = re.compile(
    "|".join(
        [
            r"(?:на|по|ни|до|о|а)?(?:хуй|хуя|хую|хуе[вмнлтсп]\w*|хуи[лтнп]\w*)",
            r"\w*пи[зс]д\w*|\w*пезд\w*",
            r"(?:за|на|по|вы|от|отъ|у|раз|разъ|до|съ|въ|про|осто)?[еэ]б(?:ать\w*|ат\w*|ал\w*|ан\w*|ут|уч\w*|"
            r"ну\w*|ис\w*|ок|лан\w*|ло|ищ\w*)|(?:за|на|по|вы|от|раз|до|про)[еэ]б",
            r"\w*д[оа]лб[оа][еэ]б\w*|бля(?:д\w*|т\w*)?|с[уо]к(?:а|и|у|ой|ин\w*)|муд(?:ак\w*|ил\w*|ох\w*)",
            r"пид[оа]р\w*|педик\w*|г[ао]ндон\w*|\w*залуп\w*|шл[юу]х[аиуео]\w*|манд[аыуе]|г[ао]вн[оа]\w*|"
            r"жоп[аыуе]\w*|ублюд\w*|падл[аоы]",
            r"(?:по|за|на|обо|про|вы)?сра(?:ть|т|л\w*|н\w*)|(?:за|на|обо)?сса(?:ть|т|л\w*|н\w*)",
            r"(?:на|по|ни)хуи",
        ]
    )
)

#: Roots that are obscene wherever they stand inside a word, so words glued together
#: ("идинахуй", "вниманиеблядей") are caught; ordinary words that hold the same letters
#: are excluded ("страхуй", "плохую", "оскорблять", "употреблять", "рубля", "хлебало",
#: "скоблят"): each root here was checked against the 3 million word forms of the
#: OpenCorpora dictionary (pymorphy3's).
_GLUED = re.compile(
    "|".join(
        [
            # not where an ordinary word ends just before the glue: "рубля|да", "сабля|да",
            # "колебля|да", "скобля|да"; "психуй|ну", "страхуя|какая", "штрихуй|ну"
            r"(?<!ру)(?<!са)(?<!ле)(?<!ко)бляд|(?:на|по|ни)ху[йяюеи]|"
            r"(?<!пси)(?<!тра)(?<!три)ху(?:йн|йл|йств|есос|еч|ил|як|яр|яч|яш)|(?<![ае])хуев|"
            r"(?<![ршил])[ао]ху[еи](?:л|т|н)",
            r"пи[зс]д|пезд|д[оа]лб[оа][еэ]б|"
            r"(?:в|вз|взъ|вы|въ|за|на|от|отъ|съ|у|подъ|разъ|про|до|пере|из|изъ|раз|объ)еб"
            r"(?:а[лнтшк]|у[тчн]|ыв|ен|ёх|ех|ок|ан|ищ|ну|л[аоиы]|ур|ись)",
            r"муда[кч]|мудил|мудох|(?<!ко)манд(?:ох|ош|юр|юл|як|яр|ях|яч|яш|ить)|"
            r"(?<!ски)(?<!те)пид[оа]р|пидр|г[ао]ндон|залуп|шлюх",
        ]
    )
)
#: Latin letters that stand for a second Cyrillic one in mixed words ("hахуй": н).
_SECOND_READING = str.maketrans({"h": "н", "n": "н", "m": "т"})
_HOMOGLYPHS = str.maketrans(
    {
        "A": "а",
        "a": "а",
        "B": "в",
        "b": "б",
        "C": "с",
        "c": "с",
        "E": "е",
        "e": "е",
        "H": "н",
        "h": "х",
        "K": "к",
        "k": "к",
        "M": "м",
        "m": "м",
        "O": "о",
        "o": "о",
        "P": "р",
        "p": "р",
        "T": "т",
        "t": "т",
        "X": "х",
        "x": "х",
        "Y": "у",
        "y": "у",
        "u": "и",
        "U": "и",
        "n": "п",
        "r": "г",
        "0": "о",
        "3": "з",
        "6": "б",
        "4": "ч",
        "@": "а",
        "$": "с",
        "€": "е",
        "ё": "е",
        "Ё": "е",
    }
)
_TRANSLIT = [
    ("shch", "щ"),
    ("sch", "щ"),
    ("kh", "х"),
    ("zh", "ж"),
    ("ch", "ч"),
    ("sh", "ш"),
    ("ts", "ц"),
    ("yu", "ю"),
    ("ya", "я"),
    ("yo", "е"),
    ("ye", "е"),
    ("ju", "ю"),
    ("ja", "я"),
    ("jo", "е"),
    ("iu", "ю"),
    ("ia", "я"),
]
_TRANSLIT_ONE = str.maketrans("abvgdezijklmnoprstufhcwxq", "абвгдезийклмнопрстуфхцвкк")
_VOWELS = "аеиоуыяю"
_ALPHABET = "абвгдежзийклмнопрстуфхцчшщъыьэюя"
_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
_LATIN = re.compile(r"[a-z]", re.IGNORECASE)
#: Latin letters drawn exactly like a Cyrillic one (а с е о р х у к, capitals В Н М Т).
_TWINS = re.compile(r"[aceopxykACEOPXYKBHMT]+")


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
        base = [(word.translate(_HOMOGLYPHS).lower(), _OBSCENE_LATIN), (_transliterate(word), _OBSCENE_LATIN)]
        if _TWINS.fullmatch(word):  # Cyrillic typed with its Latin twins: "xyйня", "cyka"
            base.append((word.translate(_HOMOGLYPHS).lower(), _OBSCENE_RU))
    else:
        base = [(word.translate(_HOMOGLYPHS).lower(), _OBSCENE_RU)]
        if re.search("[hnm]", word):
            base.append((word.translate(_SECOND_READING).translate(_HOMOGLYPHS).lower(), _OBSCENE_RU))
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
    if any(pattern.fullmatch(text) for text, pattern in _variants(word)):
        return True
    if len(word) <= 5 or not _CYRILLIC.search(word):
        return False
    # glued words: the readings as written (letters doubled by the glue are not collapsed)
    readings = {
        word.translate(_HOMOGLYPHS).lower(),
        word.translate(_SECOND_READING).translate(_HOMOGLYPHS).lower(),
    }
    return any(_GLUED.search(text) is not None for text in readings)
