"""How well the comment filter masks personal data and obscenity, measured on real text.

    python benchmarks/eval_comment_filter.py [--data ../shared/data] [--json]

**Personal data, on real complaints** (``complaints-311``: New York and Hoboken 311
requests written by residents; the Animals file has no free text). The 8,830
descriptions hold 1,002 distinct texts. Two sets of them were read in full and every
piece of personal data the filter is meant to hide — names of people, phone numbers,
e-mail addresses, card, passport and SNILS numbers — was marked by hand:

* a random sample of 300 distinct texts (``DataFrame.sample(300, random_state=311)``),
  which says how often such data occurs and what the filter misses in ordinary text;
* every other text a broad screen flags (7+ digits with separators, ``@``, the words
  name/call/contact/phone/e-mail/thanks/regards, Mr/Mrs/Ms/Dr, a line of two or three
  capitalised words) — 86 more, where personal data concentrates.

Postal addresses, licence plates and business names were *not* marked: the filter does
not target them (an address is how a spot is found). The labels are kept below as
character offsets (file, request ID, start, end, kind), so no personal data is copied
into this repository. A mask counts as a true positive when it overlaps a labelled span
of personal data (the kinds may differ: a phone read as a passport is still hidden);
every other mask is a false positive; a labelled span no mask overlaps is a miss. With
so few positives the 95 % Wilson intervals are wide and printed beside the figures.

**Obscenity, on data it was not tuned on.** The public list (``profanity/ru.txt``,
CC0, 4,948 entries) is split by a hash of each entry: the entries whose BLAKE2b-16
digest starts with a byte below 77 (1,510 of them, about 30 %) are **held out** — the
filter's rules were written and tuned on the other 70 % and on the OpenCorpora
dictionary (pymorphy3's three million word forms, used to find ordinary words a rule
would wrongly hit), never on these. On the held-out entries built on the obscene roots
the filter targets (the list also holds ordinary words it deliberately leaves, such as
"сила" or "розетка"), recall is measured as they are and in the disguises of the
outside probe, each generated from every held-out entry: glued to an ordinary word
before or after ("идинахуй"), every look-alike letter written in Latin ("xyйня"), ё
written е and е written ё. **Precision** is measured on a stated mix: the held-out
entries (positives) against real Russian text where no obscenity is expected —
every address of the Vologda, Moscow and Saint Petersburg housing registries and the
city list (negatives, also not tuned on) — and the negatives' false-positive rate is
printed beside it. The complaints are English, so they only test that the Russian
filter leaves English alone.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import re
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from heatmap.closeout.comment_filter import find_sensitive

FILES = {"NYC": "publicstuff_NYC_20190522.csv", "Hoboken": "publicstuff_Hoboken_20190521.csv"}
#: Request IDs of the texts read and labelled (random sample + screened), by file.
REVIEWED = {
    "NYC": """
1805 1807 2002 2026 2035 5131 22234 37465 40979 41334 43178 44339 47811 53636 62643 63508 65790
67078 72471 72857 73242 73522 74566 74980 76334 76336 78766 81844 86143 87310 89380 92087 95198
100187 101163 101361 101483 101489 114510 114512 116314 119832 120954 129871 151038 151664
153891 154632 154763 154816 154847 154852 154865 154886 154935 154983 155786 156223 156266
156376 156889 156910 157131 157359 157461 157484 157551 158793 158794 159069 159156 159277
159307 159308 159377 159757 159762 160465 160505 160583 160757 160925 161368 161831 162243
162247 166315 166663 166860 167775 168397 168560 171073 181565 181882 181969 182634 184011
185196 185246 185904 185910 188110 188159 188529 189067 190240 190800 190810 197109 197520
199119 199391 199480 200639 202198 205242 205245 205307 206665 207273 207292 207593 207751
208149 208320 208726 209197 211719 212382 215659 216069 217687 286998 287704 287705 289055
289195 291004 291114 292657 294680 295924 296000 296083 296647 296685 298503 299283 299291
299472 302424 303225 303543 303544 303545 304091 304328 304337 305139 305461 305840 306273
306954 307393 311339 312478 312593 313075 314086 315737 316526 316530 319327 320199 320286
320558 320969 321089 321500 322044 322049 324480 324484 324545 324546 325284 325498 326505
327520 328391 328564 329755 330496 334811 334955 338928 338929 339980 340027 341964 341972
343466 344061 344079 344266 345322 345334 345371 345414 346128 349671 350715 352163 352509
352510 353346 354613 355344 355597 356637 357947 358428 358583 359823 359934 359935 363571
363784 364085 365271 365273 365276 365323 365581 365774 366609 366660 367780 368907 370144
371418 371426 371631 372938 373573 374219 376477 383383 383873 383995 387713 389059 390445
390796 390903 390907 393137 396127 397337 397409 397619 401002 403032 403247 403251 403252
403253 403258 403259 404268 404706 404769 405144 405832 406207 408401 408515 410095 410096
413430 413568 414548 414712 418359 420687 421204 421363 424020 434086 437650 439727 439729
439730 439731 450224 450504 459365 464330 467687 486286 493684 508934 509747 517184 519864
522134 537800 546258 550942 578175 582571 677756 717728 723288 727398 727582 738618 750439
763964 775178 776632 777035 783921 783925 783938 784620 784623 790162 798936 806633 816025
835894 846834 870985 871140 875063 878032 878875 878876 891302 893426 893786 894764 895624
898509 902489 904923 910506 913790 915050 915059 915095 915096 915098 915100 915106 915113
915116 915136 915161 915162 915163 915171 915174 915175 915203 915207 915215 915216
""",
    "Hoboken": """
383070 390643 392947 395958 397464 401460 408494 409685 410584 411567 411645 411656 4399949
4524755 4622831 4933221
""",
}
#: Personal data found by reading them: (file, request ID, start, end, kind).
LABELS = [
    ("NYC", "915207", 193, 209, "name"),
    ("Hoboken", "408494", 651, 663, "name"),
    ("NYC", "160757", 152, 167, "name"),
    ("NYC", "160757", 187, 199, "phone"),
    ("NYC", "1807", 491, 495, "name"),
    ("Hoboken", "411567", 415, 428, "name"),
    ("NYC", "410095", 1664, 1683, "email"),
]
PII = {"name", "phone", "email", "card", "passport", "snils"}
#: Held out of tuning: entries whose BLAKE2b-16 digest starts with a byte below this.
HOLD_OUT_BELOW = 77
ROOTED = re.compile(r"(ху[йеяюи]|пизд|[её]б|бля|муд[аои]|манд|пид[оа]р|залуп|г[ао]ндон|шлюх)")
#: Ordinary words people glue an obscenity to.
GLUE = ["иди", "вот", "это", "какая", "полная", "опять", "внимание", "связь", "интернет", "ну"]
LOOK_ALIKE = str.maketrans(
    {
        "а": "a",
        "е": "e",
        "о": "o",
        "р": "p",
        "с": "c",
        "у": "y",
        "х": "x",
        "к": "k",
        "н": "H",
        "в": "B",
        "м": "M",
        "т": "T",
    }
)


def held_out(word: str) -> bool:
    return hashlib.blake2b(word.encode("utf-8"), digest_size=2).digest()[0] < HOLD_OUT_BELOW


def disguises(word: str, i: int) -> dict[str, str]:
    glue = GLUE[i % len(GLUE)]
    return {
        "as listed": word,
        "glued before": glue + word,
        "glued after": word + glue,
        "look-alike": word.translate(LOOK_ALIKE),
        "ё/е swapped": word.replace("ё", "е") if "ё" in word else word.replace("е", "ё", 1),
    }


def wilson(hits: int, total: int) -> tuple[float, float]:
    if not total:
        return (math.nan, math.nan)
    p, z = hits / total, 1.96
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / (1 + z * z / total)
    return (round(centre - half, 3), round(centre + half, 3))


def read_311(data: Path) -> dict[tuple[str, str], str]:
    texts = {}
    for short, name in FILES.items():
        frame = pd.read_csv(data / "complaints-311" / name, dtype=str, keep_default_na=False)
        texts.update({(short, i): t for i, t in zip(frame["ID"], frame["Description"], strict=True)})
    return texts


def personal_data(data: Path) -> dict[str, object]:
    texts = read_311(data)
    reviewed = [(f, i) for f, ids in REVIEWED.items() for i in ids.split()]
    labels: dict[tuple[str, str], list[tuple[int, int, str]]] = {}
    for f, i, start, end, kind in LABELS:
        labels.setdefault((f, i), []).append((start, end, kind))
    tp = fp = fn = 0
    by_kind: dict[str, dict[str, int]] = {}
    started = time.perf_counter()
    for key in reviewed:
        text, truth = texts[key], labels.get(key, [])
        masks = [s for s in find_sensitive(text) if s.kind in PII]
        for s in masks:
            hit = any(s.start < e and b < s.end for b, e, _ in truth)
            tp, fp = tp + hit, fp + (not hit)
            counts = by_kind.setdefault(s.kind, {"tp": 0, "fp": 0, "fn": 0})
            counts["tp" if hit else "fp"] += 1
        for b, e, kind in truth:
            if not any(s.start < e and b < s.end for s in masks):
                fn += 1
                by_kind.setdefault(kind, {"tp": 0, "fp": 0, "fn": 0})["fn"] += 1
    elapsed = time.perf_counter() - started
    distinct = {t for t in texts.values() if t.strip()}
    return {
        "texts_reviewed": len(reviewed),
        "distinct_texts": len(distinct),
        "labelled_spans": len(LABELS),
        "true_positives": tp,
        "false_positives": fp,
        "misses": fn,
        "recall": round(tp / (tp + fn), 3) if tp + fn else None,
        "recall_95ci": wilson(tp, tp + fn),
        "precision": round(tp / (tp + fp), 3) if tp + fp else None,
        "precision_95ci": wilson(tp, tp + fp),
        "by_kind": by_kind,
        "ms_per_text": round(1000 * elapsed / len(reviewed), 3),
        "obscene_masks_in_all_311_texts": sum(
            s.kind == "obscene" for t in distinct for s in find_sensitive(t)
        ),
    }


def obscene(text: str) -> bool:
    return any(s.kind == "obscene" for s in find_sensitive(text))


def obscenity(data: Path) -> dict[str, object]:
    words = [
        w.strip()
        for w in (data / "profanity" / "ru.txt").read_text(encoding="utf-8").splitlines()
        if w.strip()
    ]
    held = [w for w in words if held_out(w)]
    rooted = [w for w in held if ROOTED.search(w.lower().replace("ё", "е"))]
    recall: dict[str, int] = {}
    for i, word in enumerate(rooted):
        for name, variant in disguises(word, i).items():
            recall[name] = recall.get(name, 0) + obscene(f"связи нет, {variant}, вторую неделю")
    russian: list[str] = []
    for name in (
        "housedata_vologodskaya_20161006.csv.gz",
        "housedata_moskow_20170614.csv.gz",
        "housedata_spb_20160308.csv.gz",
    ):
        russian += (
            pd.read_csv(data / "addresses" / name, dtype=str, usecols=["ADDRESS"])["ADDRESS"]
            .dropna()
            .tolist()
        )
    russian += pd.read_csv(data / "cities" / "city.csv", dtype=str)["address"].tolist()
    false_hits = [t for t in russian if obscene(t)]
    tp, fp = recall["as listed"], len(false_hits)
    return {
        "list_entries": len(words),
        "held_out_entries": len(held),
        "held_out_rooted": len(rooted),
        "held_out_list_masked": round(sum(obscene(w) for w in held) / len(held), 3),
        "recall": {k: round(v / len(rooted), 3) for k, v in recall.items()},
        "recall_95ci": wilson(tp, len(rooted)),
        "russian_texts_checked": len(russian),
        "russian_texts_wrongly_masked": fp,
        "false_positive_rate": round(fp / len(russian), 5),
        "precision": round(tp / (tp + fp), 4) if tp + fp else None,
        "examples_wrongly_masked": false_hits[:5],
        "missed_examples": [w for w in rooted if not obscene(w)][:15],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    result = {"personal_data_311": personal_data(args.data), "obscenity": obscenity(args.data)}
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return
    pii = result["personal_data_311"]
    print(
        f"Personal data, {pii['texts_reviewed']} of {pii['distinct_texts']} distinct 311 texts "
        f"read and labelled: {pii['labelled_spans']} spans"
    )
    print(f"  recall    {pii['recall']}  (95 % CI {pii['recall_95ci']})")
    print(f"  precision {pii['precision']}  (95 % CI {pii['precision_95ci']})")
    for kind, counts in sorted(pii["by_kind"].items()):  # type: ignore[attr-defined]
        print(f"    {kind:9s} {counts}")
    print(
        f"  {pii['ms_per_text']} ms per text; obscenity masks in all 311 texts (English): "
        f"{pii['obscene_masks_in_all_311_texts']}"
    )
    obs = result["obscenity"]
    print(
        f"Obscenity, on the {obs['held_out_entries']} list entries held out of tuning "
        f"({obs['held_out_rooted']} built on the targeted roots; all entries masked: "
        f"{obs['held_out_list_masked']}):"
    )
    for name, value in obs["recall"].items():  # type: ignore[attr-defined]
        print(f"  recall {name:13s} {value}")
    print(f"  (as listed, 95 % CI {obs['recall_95ci']}); missed e.g. {obs['missed_examples']}")
    print(
        f"  precision {obs['precision']} against {obs['russian_texts_checked']} real Russian "
        f"texts (addresses, cities): {obs['russian_texts_wrongly_masked']} wrongly masked "
        f"(rate {obs['false_positive_rate']}) {obs['examples_wrongly_masked']}"
    )


if __name__ == "__main__":
    main()
