import json
import random

import pyarrow as pa

from heatmap.core import text as tx


def test_json_objects_are_what_json_dumps_writes() -> None:
    """Quotes, backslashes, every control character, non-ASCII, emoji, nulls, odd keys."""
    rng = random.Random(7)
    alphabet = ["a", "б", '"', "\\", "/", "😀", "\u2028", "\x7f", " ", *(chr(c) for c in range(0x20))]
    names = ["ticket_id", "описание", 'we"ird\\key']
    rows = [
        {name: "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6))) for name in names}
        for _ in range(2000)
    ]
    rows[3][names[1]] = None  # type: ignore[assignment]
    columns = {name: pa.array([row[name] for row in rows], type=tx.TEXT) for name in names}
    got = tx.json_objects(columns).to_pylist()
    assert got == [json.dumps(row, ensure_ascii=False) for row in rows]
    assert [json.loads(text) for text in got] == rows


def test_json_objects_of_no_rows() -> None:
    assert len(tx.json_objects({"a": pa.array([], type=tx.TEXT)})) == 0
