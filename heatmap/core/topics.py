"""Classify a complaint's topic from its Russian free text when the CRM gave none."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from heatmap.core import text as tx
from heatmap.domain import Topic

#: Checked in order; the first pattern that matches decides. Stems, not words,
#: so that inflected forms match ("связи", "связь", "сигнала").
_RULES: tuple[tuple[Topic, str], ...] = (
    (Topic.SMS_DELIVERY, r"смс|sms|сообщени"),
    (Topic.NO_4G, r"4g|4 g|lte|лте|только 3g|только 2g|e вместо|\bh\+"),
    (Topic.DROPPED_CALLS, r"обрыв|сбрасыва|разъединя|прерыва[ею]тся звон|срыв"),
    (Topic.VOICE_QUALITY, r"не слышн|плохо слыш|эхо|хрип|заика|булька|качество (?:звука|связи при)"),
    (Topic.NO_DATA, r"нет интернет|не работает интернет|пропал интернет|интернет не|нет мобильного интернет"),
    (Topic.SLOW_DATA, r"медленн|скорост|тормоз|не грузит|долго гру|низкая скор"),
    (Topic.WEAK_SIGNAL_INDOOR, r"в помещени|в квартир|дома .*сигнал|в доме|внутри|в офисе|у окна"),
    (Topic.NO_COVERAGE, r"нет сети|нет связи|нет покрыти|пропадает связь|не ловит|вне зоны|пропадает сеть"),
)


def classify_topics(descriptions: pd.Series) -> pd.Series:
    """Topic per description (``None`` where no rule matches or text is empty)."""
    topics = classify_text(tx.as_text(descriptions))
    return pd.Series(topics, index=descriptions.index)


def classify_text(descriptions: pa.Array) -> np.ndarray:
    """:func:`classify_topics` over an Arrow string array; each distinct text is read once."""
    encoded = pc.dictionary_encode(descriptions)
    text = pc.replace_substring(pc.utf8_lower(encoded.dictionary), "ё", "е")
    decided = np.full(len(text), None, dtype=object)
    undecided = np.ones(len(text), dtype=bool)
    for topic, pattern in _RULES:
        hit = undecided & tx.matches(text, pattern)
        decided[hit] = topic.value
        undecided &= ~hit
    labels: np.ndarray = decided[encoded.indices.to_numpy(zero_copy_only=False)]
    return labels
