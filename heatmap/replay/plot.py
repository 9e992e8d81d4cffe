"""A PNG of spots open and resolved per simulated day (needs Pillow, a dev dependency)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from heatmap.errors import UsageError

__all__ = ["daily_png"]

_W, _H, _PAD = 900, 420, 50


def daily_png(days: pd.DataFrame, path: Path, *, title: str) -> Path:
    """Bars of spots resolved each day, a line of spots open at each day's end."""
    try:
        from PIL import Image, ImageDraw
    except ImportError as exc:
        raise UsageError("--plots needs Pillow: pip install pillow") from exc
    image = Image.new("RGB", (_W, _H), "white")
    draw = ImageDraw.Draw(image)
    top = max(1, int(days[["open", "resolved", "created"]].to_numpy().max(initial=1)))
    width = (_W - 2 * _PAD) / max(len(days), 1)

    def y(value: float) -> float:
        return _H - _PAD - value / top * (_H - 2 * _PAD)

    draw.line([(_PAD, _PAD), (_PAD, _H - _PAD), (_W - _PAD, _H - _PAD)], fill="black")
    for tick in range(0, top + 1, max(1, top // 5)):
        draw.line([(_PAD - 4, y(tick)), (_PAD, y(tick))], fill="black")
        draw.text((8, y(tick) - 6), str(tick), fill="black")
    points = []
    for i, row in enumerate(days.itertuples(index=False)):
        left = _PAD + i * width
        draw.rectangle([left + 1, y(row.resolved), left + width - 1, y(0)], fill="#7fbf7f")
        points.append((left + width / 2, y(row.open)))
        if len(days) <= 31 or i % 7 == 0:
            draw.text((left, _H - _PAD + 6), str(row.day), fill="black")
    if len(points) > 1:
        draw.line(points, fill="#c0392b", width=2)
    draw.text(
        (_PAD, 15), f"{title}: resolved per day (green bars), open at day's end (red line)", fill="black"
    )
    draw.text((_W // 2 - 40, _H - 20), "simulated day", fill="black")
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, format="PNG")
    return path
