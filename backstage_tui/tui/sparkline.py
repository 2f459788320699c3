"""`sparkline`: a row of unicode blocks for a short series (the Status pane's viewers and comments a
minute), one character a value, as a Rich `Text` (no markup: there is nothing of a viewer's in it)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.style import Style
from rich.text import Text

BLOCKS = "▁▂▃▄▅▆▇█"
SPARK_STYLE = Style(color="cyan")


def spark_chars(values: Sequence[int], *, from_zero: bool = True) -> str:
    """One block a value, the highest value a full block. `from_zero`: heights from 0 (counts);
    else from the lowest value shown (a level such as viewers, whose changes would otherwise be
    lost at the top)."""
    if not values:
        return ""
    low = 0 if from_zero else min(values)
    span = max(values) - low
    if span <= 0:
        level = 0 if max(values) == 0 else len(BLOCKS) // 2
        return BLOCKS[level] * len(values)
    top = len(BLOCKS) - 1
    return "".join(BLOCKS[round((value - low) * top / span)] for value in values)


def sparkline(values: Sequence[int], *, from_zero: bool = True, style: Style = SPARK_STYLE) -> Text:
    return Text(spark_chars(values, from_zero=from_zero), style=style)
