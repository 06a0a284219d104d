"""Minutes practised per week, as bars. Pure."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise

from wellness.practice.charts.formatting import (
    compact,
    date_range,
    full_date,
    number,
    plural,
    short_date,
)
from wellness.practice.charts.geometry import (
    END_AXIS,
    FONT,
    Box,
    Line,
    PlotChart,
    Rect,
    Text,
    end_labels,
    finite_int,
    nice_extent,
    rounded,
    scale,
    scale_ticks,
    steps,
    text_width,
)


@dataclass(frozen=True, slots=True)
class Bar(Rect):
    label: str
    value_label: Text | None


@dataclass(frozen=True, slots=True)
class BarChart(PlotChart):
    x_labels: tuple[Text, ...] = ()
    end_labels: tuple[Text, ...] = ()  # the scale again right of the plot (see TimelineChart)
    bars: tuple[Bar, ...] = ()
    baseline: Line | None = None


_WIDTH, _HEIGHT = 640, 230


def weekly_minutes(rows: Sequence[tuple[date, int]], *, practised: bool = False) -> BarChart:
    """Minutes practised per week, keyed by the week's first day; `practised`: some practice
    fell in these weeks, even if it rounds to no whole minute.

    Missing weeks between two given ones are drawn as zero, so gaps are not hidden.
    """
    weeks = _fill_weeks({day: max(0, finite_int(minutes)) for day, minutes in rows})
    plot = Box(52, 22, _WIDTH - END_AXIS, _HEIGHT - 32)
    total = sum(minutes for _, minutes in weeks)
    top_value, step = nice_extent(max((minutes for _, minutes in weeks), default=0))

    def y_of(value: float) -> float:
        return scale(value, 0, top_value, plot.bottom, plot.top)

    pitch = plot.width / max(len(weeks), 1)
    bar_width = rounded(max(1.0, min(pitch * 0.7, 48.0)))
    show_values = pitch >= max((text_width(compact(m), FONT) for _, m in weeks), default=0) + 4
    bars: list[Bar] = []
    for index, (day, minutes) in enumerate(weeks):
        centre = plot.left + pitch * (index + 0.5)
        top = y_of(minutes)
        value = None
        if show_values:
            value = Text(
                rounded(centre), rounded(top - 5), compact(minutes), "middle", "chart__value"
            )
        bars.append(
            Bar(
                rounded(centre - bar_width / 2),
                top,
                bar_width,
                rounded(plot.bottom - top),
                "minutes__bar" if minutes else "minutes__bar minutes__bar--zero",
                f"Week of {full_date(day)}: {plural(minutes, 'minute')}",
                value,
            )
        )
    y_ticks = scale_ticks(plot, steps(0, top_value, step), y_of, compact)
    label_every = max(1, math.ceil((text_width("30 Sep", FONT) + 10) / pitch))
    x_labels = tuple(
        Text(rounded(plot.left + pitch * (index + 0.5)), plot.bottom + 18, short_date(day))
        for index, (day, _) in enumerate(weeks)
        if (len(weeks) - 1 - index) % label_every == 0
    )
    span = date_range(weeks[0][0], weeks[-1][0]) if weeks else ""
    return BarChart(
        width=_WIDTH,
        height=_HEIGHT,
        title="Minutes of practice per week",
        summary=_summary(weeks, total),
        is_empty=total == 0,
        empty_message=(
            "Your practice so far comes to under a minute: each week's minutes will show here "
            "once they add up to one."
            if practised
            else "No practice minutes yet. Each week's minutes will show here once you practise."
        ),
        table_caption=f"Minutes of practice per week, weeks starting {span}" if weeks else "",
        table_headers=("Week starting", "Minutes"),
        table_rows=tuple((full_date(day), number(minutes)) for day, minutes in weeks),
        plot=plot,
        y_ticks=y_ticks,
        x_labels=x_labels,
        end_labels=end_labels(y_ticks, plot),
        bars=tuple(bars),
        baseline=Line(plot.left, plot.bottom, plot.right, plot.bottom, "chart__axis"),
    )


def _fill_weeks(by_week: Mapping[date, int]) -> list[tuple[date, int]]:
    days = sorted(by_week)
    if not days or any((later - earlier).days % 7 for earlier, later in pairwise(days)):
        return [(day, by_week[day]) for day in days]
    count = (days[-1] - days[0]).days // 7 + 1
    return [
        (day, by_week.get(day, 0))
        for day in (days[0] + timedelta(days=7 * index) for index in range(count))
    ]


def _summary(weeks: Sequence[tuple[date, int]], total: int) -> str:
    if total == 0:
        return "Minutes of practice per week: none yet."
    best_day, best = max(weeks, key=lambda item: (item[1], item[0]))
    if len(weeks) == 1:
        return f"Minutes of practice in the week of {full_date(weeks[0][0])}: {number(total)}."
    span = date_range(weeks[0][0], weeks[-1][0])
    return (
        f"Minutes of practice per week over {plural(len(weeks), 'week')} (weeks starting {span}): "
        f"{number(total)} in all, most {number(best)} in the week of {full_date(best_day)}, "
        f"latest week {number(weeks[-1][1])}."
    )
