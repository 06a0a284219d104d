"""The practice calendar: a square per day, darker for more minutes. Pure.

It takes `today`, the patient's practice day (which begins at the rollover hour, 03:00 by
default), not the calendar date.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from wellness.practice.charts.formatting import (
    CHECK,
    DASH,
    MONTHS,
    WEEKDAYS,
    date_range,
    full_date,
    long_date,
    number,
    plural,
)
from wellness.practice.charts.geometry import (
    END_CLASS,
    FONT,
    ChartBase,
    Text,
    finite_int,
    rounded,
    text_width,
)

# Heatmap intensity: a day with any practice is at least level 1; minutes lift it further.
# Level 1: under 10 minutes (or a practice with no minutes recorded), 2: 10-19, 3: 20-39, 4: 40+.
HEATMAP_LEVEL_MINUTES = (10, 20, 40)


@dataclass(frozen=True, slots=True)
class HeatCell:
    x: float
    y: float
    size: float
    day: date
    level: int
    minutes: int
    practised: bool
    label: str
    css_class: str


@dataclass(frozen=True, slots=True)
class Heatmap(ChartBase):
    cells: tuple[HeatCell, ...] = ()
    month_labels: tuple[Text, ...] = ()
    weekday_labels: tuple[Text, ...] = ()
    # The weekday names again right of today's column: on a phone the calendar scrolls and
    # opens at today, where the left-hand names are out of sight.
    end_labels: tuple[Text, ...] = ()
    legend_cells: tuple[HeatCell, ...] = ()
    legend_labels: tuple[Text, ...] = ()
    practice_days: int = 0
    total_minutes: int = 0

    @property
    def scale_width(self) -> float:
        return _LEFT - _SCALE_GAP  # the weekday names


_CELL = 12.0
_PITCH = 15.0
_LEFT = 34.0
_SCALE_GAP = 3.0  # the weekday names end 6 units left of the first column
_TOP = 20.0


def calendar_heatmap(
    minutes_by_day: Mapping[date, int],
    practice_days: Collection[date],
    *,
    today: date,
    weeks: int = 26,
    week_start: int = 0,
) -> Heatmap:
    """A column per week (oldest left, today's week right), a row per weekday.

    `week_start` is 0 for Monday up to 6 for Sunday. Days after `today` are left out.
    """
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    if not 0 <= week_start <= 6:
        raise ValueError("week_start must be 0 (Monday) to 6 (Sunday)")
    first = today - timedelta(days=(today.weekday() - week_start) % 7 + 7 * (weeks - 1))
    practised_set = {day for day in practice_days if first <= day <= today}
    cells: list[HeatCell] = []
    week_cells: list[str] = []
    rows: list[tuple[str, ...]] = []
    total_minutes = week_minutes = 0
    for offset in range((today - first).days + 1):
        day = first + timedelta(days=offset)
        minutes = max(0, finite_int(minutes_by_day.get(day, 0)))
        practised = day in practised_set
        total_minutes += minutes
        cells.append(_day_cell(offset, day, minutes, practised=practised, today=today))
        week_cells.append(_table_cell(minutes, practised=practised))
        week_minutes += minutes
        row = offset % 7
        if row == 6 or day == today:
            # The table: a row per week, a column per weekday, then the week's minutes.
            padding = [""] * (6 - row)
            rows.append(
                (full_date(day - timedelta(days=row)), *week_cells, *padding, number(week_minutes))
            )
            week_cells, week_minutes = [], 0
    month_labels = _month_labels(first, weeks)
    grid_right = _LEFT + weeks * _PITCH
    # Wide enough for the legend however few the weeks, and for the last month's name.
    width = math.ceil(
        max(
            grid_right + _LEFT,
            150,
            *(label.x + text_width(label.text, FONT) + 2 for label in month_labels),
        )
    )
    grid_bottom = _TOP + 7 * _PITCH
    height = int(grid_bottom + 24)
    legend_cells, legend_labels = _legend(width, grid_bottom + 8)
    span = date_range(first, today)
    days_word = plural(len(practised_set), "day")
    is_empty = not practised_set and total_minutes == 0
    summary = (
        f"Practice calendar for the {plural(weeks, 'week')} from {span}: "
        f"practised on {days_word}, {_minutes_in_all(total_minutes, bool(practised_set))} in all."
    )
    return Heatmap(
        width=width,
        height=height,
        title="Practice calendar",
        summary=summary,
        is_empty=is_empty,
        empty_message=(
            f"No practice recorded in the last {plural(weeks, 'week')} yet. "
            "Each day you practise will fill in a square here."
        ),
        table_caption=(
            f"Minutes of practice per day, {span}; {CHECK} marks a day with a completed practice"
        ),
        table_headers=(
            "Week starting",
            *(WEEKDAYS[(week_start + row) % 7][:3] for row in range(7)),
            "Minutes",
        ),
        table_rows=tuple(rows),
        cells=tuple(cells),
        month_labels=month_labels,
        weekday_labels=_weekday_labels(_LEFT - 6, "end", week_start),
        end_labels=_weekday_labels(grid_right + 3, "start", week_start),
        legend_cells=legend_cells,
        legend_labels=legend_labels,
        practice_days=len(practised_set),
        total_minutes=total_minutes,
    )


def heatmap_level(minutes: int, *, practised: bool) -> int:
    if minutes <= 0:
        return 1 if practised else 0
    return 1 + sum(minutes >= threshold for threshold in HEATMAP_LEVEL_MINUTES)


def _cell_class(level: int) -> str:
    return f"heatmap__cell heatmap__cell--l{level}"


def _weekday_labels(x: float, anchor: str, week_start: int) -> tuple[Text, ...]:
    css = END_CLASS if anchor == "start" else "chart__label"
    return tuple(
        Text(
            x,
            rounded(_TOP + row * _PITCH + _CELL - 2),
            WEEKDAYS[(week_start + row) % 7][:3],
            anchor,
            css,
        )
        for row in (0, 2, 4, 6)
    )


def _day_cell(offset: int, day: date, minutes: int, *, practised: bool, today: date) -> HeatCell:
    """The square of the day `offset` days after the first: a column per week, a row per day."""
    level = heatmap_level(minutes, practised=practised)
    column, row = divmod(offset, 7)
    x, y = rounded(_LEFT + column * _PITCH), rounded(_TOP + row * _PITCH)
    label = f"{long_date(day)}: {_day_state(minutes, practised=practised)}"
    css = _cell_class(level) + (" heatmap__cell--today" if day == today else "")
    return HeatCell(x, y, _CELL, day, level, minutes, practised, label, css)


def _table_cell(minutes: int, *, practised: bool) -> str:
    if practised:
        return f"{CHECK} {number(minutes)}" if minutes else CHECK
    return number(minutes) if minutes else DASH


def _day_state(minutes: int, *, practised: bool) -> str:
    if practised:
        return f"practised, {plural(minutes, 'minute')}" if minutes else "practised"
    return f"{plural(minutes, 'minute')} listened" if minutes else "no practice"


def _month_labels(first: date, weeks: int) -> tuple[Text, ...]:
    """A month's name above the first column that holds its 1st; none closer than 3 columns."""
    found: list[tuple[int, date]] = []
    for column in range(weeks):
        week = first + timedelta(days=7 * column)
        ones = [week + timedelta(days=i) for i in range(7) if (week + timedelta(days=i)).day == 1]
        if ones:
            found.append((column, ones[0]))
    if not found or found[0][0] >= 3:
        found.insert(0, (0, first))
    labels: list[Text] = []
    last_column = -10
    for column, day in found:
        if column - last_column < 3:
            continue
        name = MONTHS[day.month - 1][:3]
        if day.month == 1 and column > 0:
            name += f" {day.year}"
        labels.append(Text(rounded(_LEFT + column * _PITCH), _TOP - 7, name, "start"))
        last_column = column
    return tuple(labels)


def _legend(width: int, top: float) -> tuple[tuple[HeatCell, ...], tuple[Text, ...]]:
    size = 10.0
    right = width - 4 - 30.0
    left = right - 5 * (size + 3)
    low, middle, high = HEATMAP_LEVEL_MINUTES
    words = (
        "no practice",
        f"under {low} minutes",
        f"{low} to {middle - 1} minutes",
        f"{middle} to {high - 1} minutes",
        f"{high} minutes or more",
    )
    cells = tuple(
        HeatCell(
            x=rounded(left + level * (size + 3)),
            y=rounded(top),
            size=size,
            day=date.min,
            level=level,
            minutes=0,
            practised=level > 0,
            label=words[level],
            css_class=_cell_class(level),
        )
        for level in range(5)
    )
    small = "chart__label chart__label--small"
    labels = (
        Text(rounded(left - 5), rounded(top + size - 1), "Less", "end", small),
        Text(rounded(right + 2), rounded(top + size - 1), "More", "start", small),
    )
    return cells, labels


def _minutes_in_all(minutes: int, practised: bool) -> str:
    """Practice that rounds to no whole minute is still practice: "under a minute", not "0"."""
    return "under a minute" if practised and not minutes else plural(minutes, "minute")
