"""Sparklines: a series of values as one line of block characters (the sidebar, the Resources pane, `monitor`).

Apart from the sampler (psutil), so that drawing one loads nothing else."""

from __future__ import annotations

from collections.abc import Sequence

SPARK = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[float], width: int | None = None, top: float | None = None) -> str:
    """A text sparkline of the last ``width`` values on a stated scale: 0 to ``top`` (the limit, or the machine's
    total), else 0 to their largest. Values above ``top`` draw full."""
    values = [v for v in values if v is not None][-width:] if width else [v for v in values if v is not None]
    if not values:
        return ""
    top = top or max(values) or 1.0
    return "".join(SPARK[min(len(SPARK) - 1, max(0, int(v / top * (len(SPARK) - 1) + 0.5)))] for v in values)
