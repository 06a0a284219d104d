"""GAD-7 totals over time, drawn over the four severity bands and joined by a line. Pure.

The bands are named in a key under the chart (`Band.name`), not beside them: on a phone the chart
scrolls sideways, and names beside the bands took a fifth of its width from the dates and
scrolled under the fixed scale in pieces. Like the other dated charts, the scale is drawn again
right of the plot, so the newest dates, where a phone opens the chart, have their numbers too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from wellness.checkins.scoring import GAD7_MAX, Gad7Band, gad7_band
from wellness.practice.charts.formatting import DASH, date_range, full_date, number, plural
from wellness.practice.charts.geometry import (
    END_AXIS,
    Box,
    DateAxis,
    PlotChart,
    Point,
    Rect,
    Text,
    Tick,
    end_labels,
    rounded,
    scale,
    scale_ticks,
)


@dataclass(frozen=True, slots=True)
class Band(Rect):
    name: str  # the band and its scores, for the key: "Mild 5-9" (with a dash)


@dataclass(frozen=True, slots=True)
class Gad7Chart(PlotChart):
    bands: tuple[Band, ...] = ()
    x_ticks: tuple[Tick, ...] = ()
    end_labels: tuple[Text, ...] = ()  # the scale again right of the plot
    line_path: str = ""
    points: tuple[Point, ...] = ()


_WIDTH, _HEIGHT = 640, 270


def gad7_chart(scores: Sequence[tuple[date, int]], *, start: date, now: datetime) -> Gad7Chart:
    """GAD-7 totals (by local date) over the four severity bands, from `start` through the
    calendar date of `now`; scores outside are left out."""
    end = now.date()
    plot = Box(40, 14, _WIDTH - END_AXIS, _HEIGHT - 40)
    axis = DateAxis(start, end, plot)
    inside = sorted((item for item in scores if start <= item[0] <= end), key=lambda s: s[0])

    def y_of(value: float) -> float:
        return scale(value, 0, GAD7_MAX, plot.bottom, plot.top)

    points: list[Point] = []
    rows: list[tuple[str, ...]] = []
    for day, score in inside:
        band = gad7_band(score)
        points.append(
            Point(
                axis.x(day, 0.5),
                y_of(score),
                5.0,
                f"gad7__point gad7__point--{band.value}",
                f"GAD-7 on {full_date(day)}: {number(score)} out of {GAD7_MAX}, {band.value}",
            )
        )
        rows.append((full_date(day), number(score), band.label))
    path = "".join(
        f"{'M' if index == 0 else 'L'}{point.x} {point.y}" for index, point in enumerate(points)
    )
    # A tick where each band begins, and one at the top of the scale.
    tick_values = (*(band.lowest for band in Gad7Band), GAD7_MAX)
    y_ticks = scale_ticks(plot, tick_values, y_of, str, across=False)
    span = date_range(start, end)
    return Gad7Chart(
        width=_WIDTH,
        height=_HEIGHT,
        title="GAD-7 anxiety questionnaire",
        summary=_summary(span, [score for _, score in inside]),
        is_empty=not points,
        empty_message=(
            f"No GAD-7 questionnaires from {span} yet. "
            "It is offered every two weeks; your scores will appear here."
        ),
        table_caption=f"GAD-7 scores (0 to {GAD7_MAX}), {span}",
        table_headers=("Date", "Score", "Band"),
        table_rows=tuple(rows),
        plot=plot,
        bands=tuple(_band(band, plot, y_of) for band in Gad7Band),
        y_ticks=y_ticks,
        x_ticks=axis.ticks(),
        end_labels=end_labels(y_ticks, plot),
        line_path=path if len(points) > 1 else "",
        points=tuple(points),
    )


def _band(band: Gad7Band, plot: Box, y_of: Callable[[float], float]) -> Band:
    # Scores are whole numbers, so a band's edges sit half-way between them.
    top = y_of(min(band.highest + 0.5, GAD7_MAX))
    bottom = y_of(max(band.lowest - 0.5, 0))
    css = f"gad7__band gad7__band--{band.value}"
    name = f"{band.label} {band.lowest}{DASH}{band.highest}"
    return Band(plot.left, top, plot.width, rounded(bottom - top), css, name)


def _summary(span: str, scores: Sequence[int]) -> str:
    if not scores:
        return f"GAD-7 scores from {span}: none yet."
    latest = f"{number(scores[-1])} ({gad7_band(scores[-1]).value})"
    head = f"GAD-7 scores from {span}: {plural(len(scores), 'questionnaire')}"
    if len(scores) == 1:
        return f"{head}, score {latest}."
    if min(scores) == max(scores):
        return f"{head}, all scored {latest}."
    return f"{head}, latest {latest}, lowest {number(min(scores))}, highest {number(max(scores))}."
