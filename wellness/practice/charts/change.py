"""What helped most: the average before-to-after change in SUDS points, per practice. Pure."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from wellness.checkins.scoring import SUDS_MAX, SUDS_MIN
from wellness.practice.charts.formatting import compact, decimal, number, plural, signed, truncate
from wellness.practice.charts.geometry import (
    VALUE_CAP,
    ChartBase,
    Line,
    Rect,
    Text,
    Tick,
    nice_step,
    rounded,
    scale,
    steps,
)


@dataclass(frozen=True, slots=True)
class ChangeBar(Rect):
    label: str
    name: Text
    value: Text
    count: Text


@dataclass(frozen=True, slots=True)
class ChangeChart(ChartBase):
    bars: tuple[ChangeBar, ...] = ()
    zero_line: Line | None = None
    x_ticks: tuple[Tick, ...] = ()
    direction_labels: tuple[Text, ...] = ()


# Each row: the practice's name on its own line, its bar below; value and count on the right.
# 290 units: a 390 px phone's card shows it at about 1.12x, so 11-unit text reads at 12 px
# without scrolling.
_WIDTH = 290
_ROW = 44.0
_TOP = 6.0
_BARS = (8.0, 168.0)
_NAME_CHARS = 37
_SMALL = "chart__label chart__label--small"


def average_change(rows: Sequence[tuple[str, float, int]]) -> ChangeChart:
    """Diverging bars of the average before-to-after change in SUDS points, most helpful first.

    Rows without a finite average or without rated sessions are left out.
    """
    kept = sorted(
        ((label, float(change), count) for label, change, count in rows if _usable(change, count)),
        key=lambda row: (row[1], -row[2], row[0].casefold()),
    )
    changes = [max(-VALUE_CAP, min(VALUE_CAP, change)) for _, change, _ in kept]
    low, high = min([0.0, *changes]), max([0.0, *changes])
    if low == high:
        low, high = -1.0, 1.0
    step = nice_step((high - low) / 4)
    low, high = math.floor(low / step) * step, math.ceil(high / step) * step
    left, right = _BARS
    height = int(_TOP + len(kept) * _ROW + 46)
    axis_y = _TOP + len(kept) * _ROW

    def x_of(value: float) -> float:
        return scale(value, low, high, left, right)

    zero = x_of(0)
    bars: list[ChangeBar] = []
    table: list[tuple[str, ...]] = []
    for index, ((label, change, count), clamped) in enumerate(zip(kept, changes, strict=True)):
        top = _TOP + index * _ROW
        end = x_of(clamped)
        direction = "down" if change < 0 else "up" if change > 0 else "same"
        shown = truncate(label, _NAME_CHARS)
        middle = rounded(top + 33)
        bars.append(
            ChangeBar(
                x=min(zero, end),
                y=rounded(top + 21),
                width=rounded(max(abs(end - zero), 1.5)),
                height=16,
                css_class=f"change__bar change__bar--{direction}",
                label=(
                    f"{label}: {_change_words(change)} on average "
                    f"over {plural(count, 'rated session')}"
                ),
                name=Text(
                    left,
                    rounded(top + 14),
                    shown,
                    "start",
                    "chart__label change__name",
                    label if shown != label else "",
                ),
                value=Text(right + 8, middle, signed(change), "start", "chart__value"),
                count=Text(right + 40, middle, _compact_count(count), "start", _SMALL),
            )
        )
        table.append((label, signed(change), number(count)))
    ticks = tuple(
        Tick(
            Line(x_of(value), _TOP, x_of(value), axis_y, "chart__grid"),
            Text(x_of(value), rounded(axis_y + 15), signed(value), "middle", _SMALL),
        )
        for value in steps(low, high, step)
    )
    return ChangeChart(
        width=_WIDTH,
        height=height,
        title="What helped most",
        summary=_summary(kept),
        is_empty=not kept,
        empty_message=(
            "Nothing to compare yet. Rate your anxiety before and after a session, "
            "and you will see here which practices help you most."
        ),
        table_caption=(
            f"Average change in anxiety ({SUDS_MIN} to {SUDS_MAX}) from before to after, "
            "most helpful first"
        ),
        table_headers=("Practice", "Average change (points)", "Rated sessions"),
        table_rows=tuple(table),
        bars=tuple(bars),
        zero_line=Line(zero, _TOP - 4, zero, axis_y + 2, "chart__axis"),
        x_ticks=ticks,
        direction_labels=(
            Text(left, rounded(axis_y + 34), "\u2190 lower after", "start", _SMALL),
            Text(_WIDTH - 4, rounded(axis_y + 34), "higher after \u2192", "end", _SMALL),
        ),
    )


def _usable(change: float, count: int) -> bool:
    try:
        return math.isfinite(change) and count > 0
    except (TypeError, OverflowError):
        return False


def _compact_count(count: int) -> str:
    shown = compact(count) if count >= 10_000 else number(count)
    return f"{shown} {'session' if count == 1 else 'sessions'}"


def _change_words(change: float) -> str:
    if change < 0:
        return f"anxiety {_points(-change)} lower"
    if change > 0:
        return f"anxiety {_points(change)} higher"
    return "no change in anxiety"


def _points(size: float) -> str:
    text = decimal(size)
    return f"{text} {'point' if text == '1' else 'points'}"


def _summary(kept: Sequence[tuple[str, float, int]]) -> str:
    if not kept:
        return "Average change in anxiety after practice: nothing rated yet."
    head = f"Average change in anxiety across {plural(len(kept), 'practice')}"
    label, change, count = kept[0]
    if change >= 0:
        return f"{head}: none lowered it on average yet."
    return (
        f"{head}: {label} lowered it most, by {_points(-change)} on average "
        f"over {plural(count, 'rated session')}."
    )
