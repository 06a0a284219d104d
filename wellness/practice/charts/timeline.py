"""Anxiety over time: SUDS check-ins as dots, before/after-session pairs as ring and arrow. Pure.

It takes `now`, the moment in the patient's zone, and shows every rating up to it, so a rating
made at 01:30 is on the chart at once although the practice day is still yesterday's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from wellness.checkins.scoring import SUDS_MAX, SUDS_MIN
from wellness.practice.charts.formatting import DASH, date_range, moment, number, plural
from wellness.practice.charts.geometry import (
    END_AXIS,
    Box,
    DateAxis,
    PlotChart,
    Point,
    Text,
    Tick,
    chronological,
    day_fraction,
    end_labels,
    rounded,
    scale,
    scale_ticks,
)


@dataclass(frozen=True, slots=True)
class PairMark:
    x: float
    y_before: float
    y_after: float
    before_r: float
    after_path: str
    direction: str  # "down" (lower after), "up" or "same"
    css_class: str
    label: str


@dataclass(frozen=True, slots=True)
class TimelineChart(PlotChart):
    x_ticks: tuple[Tick, ...] = ()
    # The scale's numbers again right of the plot, in sight where a phone opens the chart.
    end_labels: tuple[Text, ...] = ()
    checkins: tuple[Point, ...] = ()
    pairs: tuple[PairMark, ...] = ()


_WIDTH, _HEIGHT = 640, 270


def anxiety_timeline(
    checkins: Sequence[tuple[datetime, int]],
    pairs: Sequence[tuple[datetime, int, int]],
    *,
    start: date,
    now: datetime,
) -> TimelineChart:
    """SUDS ratings from `start` up to `now` (local: through its calendar date, never a
    practice day); ratings outside are left out."""
    end = now.date()
    plot = Box(70, 14, _WIDTH - END_AXIS, _HEIGHT - 40)
    axis = DateAxis(start, end, plot)
    inside_checkins = sorted(
        ((when, level) for when, level in checkins if start <= when.date() <= end),
        key=lambda item: chronological(item[0]),
    )
    inside_pairs = sorted(
        (item for item in pairs if start <= item[0].date() <= end),
        key=lambda item: chronological(item[0]),
    )

    def y_of(value: float) -> float:
        return scale(value, SUDS_MIN, SUDS_MAX, plot.bottom, plot.top)

    def x_of(when: datetime) -> float:
        return axis.x(when.date(), day_fraction(when))

    points = tuple(
        Point(
            x_of(when),
            y_of(level),
            4.5,
            "timeline__checkin",
            f"Check-in {moment(when)}: {number(level)} out of {SUDS_MAX}",
        )
        for when, level in inside_checkins
    )
    marks = tuple(
        _pair_mark(x_of(when), y_of(before), y_of(after), when, before, after)
        for when, before, after in inside_pairs
    )
    y_ticks = scale_ticks(plot, range(SUDS_MIN, SUDS_MAX + 1, 2), y_of, _suds_tick)
    rows: list[tuple[tuple[int, int, int, int], tuple[str, ...]]] = [
        (chronological(when), (moment(when), number(level), DASH, DASH))
        for when, level in inside_checkins
    ]
    rows += [
        (chronological(when), (moment(when), DASH, number(before), number(after)))
        for when, before, after in inside_pairs
    ]
    rows.sort(key=lambda item: item[0])
    span = date_range(start, end)
    return TimelineChart(
        width=_WIDTH,
        height=_HEIGHT,
        title="Anxiety over time",
        summary=_summary(span, [level for _, level in inside_checkins], inside_pairs),
        is_empty=not points and not marks,
        empty_message=(
            f"No anxiety ratings from {span} yet. "
            "When you rate how you feel, your ratings will appear here."
        ),
        table_caption=f"Anxiety ratings ({SUDS_MIN} calm to {SUDS_MAX} worst), {span}",
        table_headers=("When", "Check-in", "Before a session", "After the session"),
        table_rows=tuple(row for _, row in rows),
        plot=plot,
        y_ticks=y_ticks,
        x_ticks=axis.ticks(),
        end_labels=end_labels(y_ticks, plot),
        checkins=points,
        pairs=marks,
    )


def _suds_tick(value: float) -> str:
    if value == SUDS_MIN:
        return f"{SUDS_MIN} calm"
    if value == SUDS_MAX:
        return f"{SUDS_MAX} worst"
    return str(value)


def _pair_mark(
    x: float, y_before: float, y_after: float, when: datetime, before: int, after: int
) -> PairMark:
    change = after - before
    if change < 0:
        direction = "down"
        path = f"M{rounded(x - 5)} {rounded(y_after - 4)}h10L{x} {rounded(y_after + 5)}Z"
        words = f"{plural(-change, 'point')} lower after"
    elif change > 0:
        direction = "up"
        path = f"M{rounded(x - 5)} {rounded(y_after + 4)}h10L{x} {rounded(y_after - 5)}Z"
        words = f"{plural(change, 'point')} higher after"
    else:
        direction, path = "same", f"M{rounded(x - 4)} {rounded(y_after - 4)}h8v8h-8Z"
        words = "the same after"
    return PairMark(
        x=x,
        y_before=y_before,
        y_after=y_after,
        before_r=4.0,
        after_path=path,
        direction=direction,
        css_class=f"timeline__pair timeline__pair--{direction}",
        label=(f"Session {moment(when)}: {number(before)} before, {number(after)} after ({words})"),
    )


def _summary(span: str, levels: Sequence[int], pairs: Sequence[tuple[datetime, int, int]]) -> str:
    if levels:
        first = f"Anxiety from {span}: {plural(len(levels), 'check-in')}"
        if len(levels) == 1:
            first += f", rated {number(levels[0])}"
        elif min(levels) == max(levels):
            first += f", all rated {number(levels[0])}"
        else:
            low, high, latest = number(min(levels)), number(max(levels)), number(levels[-1])
            first += f", lowest {low}, highest {high}, latest {latest}"
    else:
        first = f"Anxiety from {span}: no check-ins"
    if not pairs:
        return first + "."
    lower = sum(after < before for _, before, after in pairs)
    rated = plural(len(pairs), "session")
    return f"{first}; {rated} rated before and after, anxiety lower after {lower} of them."
