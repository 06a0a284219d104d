"""The shapes every chart is made of, the scales that place them, and the date axis. Pure.

Coordinates are viewBox units rounded to a tenth. Dates are calendar dates and datetimes are
placed by their wall-clock fields, so the maths never crosses a DST change or mixes naive and
aware values; only their order is by instant (`chronological`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

from wellness.practice.charts.formatting import MONTHS, full_date, short_date

# Geometry never sees a magnitude beyond this, so huge inputs cannot overflow floats or axes.
VALUE_CAP = 1e12
FONT = 11.0  # axis text size in viewBox units; charts.css sets the same size (and no less)
_CHAR = 0.6  # a generous average glyph width, as a share of the font size
END_AXIS = 40.0  # room right of a plot for its scale's numbers: "1.2k" at 11 units and a gap
END_CLASS = "chart__label chart__label--end"  # a scale repeated on a chart's right
# The fixed scale of a chart that scrolls sideways ends this far left of its plot: marks on the
# plot's edge (a dot's radius, a short tick) stay whole in the part that scrolls.
SCALE_GAP = 6.0


@dataclass(frozen=True, slots=True)
class Text:
    x: float
    y: float
    text: str
    anchor: str = "middle"  # SVG text-anchor: start, middle or end
    css_class: str = "chart__label"
    full_text: str = ""  # the untruncated text when `text` was shortened, else ""


@dataclass(frozen=True, slots=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    css_class: str = "chart__grid"


@dataclass(frozen=True, slots=True)
class Tick:
    line: Line
    label: Text


@dataclass(frozen=True, slots=True)
class Box:
    left: float
    top: float
    right: float
    bottom: float

    @property
    def width(self) -> float:
        return round(self.right - self.left, 1)

    @property
    def height(self) -> float:
        return round(self.bottom - self.top, 1)


@dataclass(frozen=True, slots=True)
class Rect:
    """A filled rectangle: a bar, or a band behind a plot."""

    x: float
    y: float
    width: float
    height: float
    css_class: str


@dataclass(frozen=True, slots=True)
class Point:
    x: float
    y: float
    r: float
    css_class: str
    label: str


@dataclass(frozen=True, slots=True)
class ChartBase:
    width: int
    height: int
    title: str
    summary: str
    is_empty: bool
    empty_message: str
    table_caption: str
    table_headers: tuple[str, ...]
    # Each row's first cell is its header (a date or a name); the rest are values.
    table_rows: tuple[tuple[str, ...], ...]

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"

    @property
    def scale_width(self) -> float:
        """Left of this x is the value scale, drawn apart and kept in view while the rest of
        a wide chart scrolls sideways on a phone; 0 for a chart without one."""
        return 0.0

    @property
    def scale_view_box(self) -> str:
        return f"0 0 {self.scale_width} {self.height}"

    @property
    def plot_view_box(self) -> str:
        """The rest of the chart, right of the scale, in the same units."""
        return f"{self.scale_width} 0 {rounded(self.width - self.scale_width)} {self.height}"

    @property
    def scale_share(self) -> str:
        """The scale's share of the chart's width, so both parts draw at one size."""
        return f"{self.scale_width / self.width * 100:.4f}%"

    @property
    def plot_share(self) -> str:
        return f"{(self.width - self.scale_width) / self.width * 100:.4f}%"


@dataclass(frozen=True, slots=True)
class PlotChart(ChartBase):
    """A chart drawn inside a plot box, with its value scale left of the box."""

    plot: Box = field(default_factory=lambda: Box(0, 0, 0, 0))
    y_ticks: tuple[Tick, ...] = ()

    @property
    def scale_width(self) -> float:
        return max(rounded(self.plot.left - SCALE_GAP), 0.0)


def scale_ticks(
    plot: Box,
    values: Iterable[float],
    y_of: Callable[[float], float],
    label: Callable[[float], str],
    *,
    across: bool = True,
) -> tuple[Tick, ...]:
    """A value scale left of the plot: a gridline across it per value, or a short tick mark."""
    return tuple(
        Tick(
            Line(plot.left, y_of(value), plot.right, y_of(value), "chart__grid")
            if across
            else Line(plot.left - 4, y_of(value), plot.left, y_of(value), "chart__tick"),
            Text(plot.left - 8, rounded(y_of(value) + 4), label(value), "end"),
        )
        for value in values
    )


def end_labels(ticks: Sequence[Tick], plot: Box) -> tuple[Text, ...]:
    """Each tick's number (without words such as "calm") right of the plot."""
    return tuple(
        Text(plot.right + 6, tick.label.y, tick.label.text.split(" ")[0], "start", END_CLASS)
        for tick in ticks
    )


class DateAxis:
    """Days from `start` to `end` inclusive across the plot; each day is one equal slot."""

    def __init__(self, start: date, end: date, plot: Box) -> None:
        check_range(start, end)
        self.start, self.end, self.plot = start, end, plot
        self.days = (end - start).days + 1

    def x(self, day: date, fraction: float) -> float:
        offset = (day - self.start).days + min(max(fraction, 0.0), 1.0)
        return scale(offset, 0, self.days, self.plot.left, self.plot.right)

    def ticks(self) -> tuple[Tick, ...]:
        room = self.plot.width
        for candidate in self._candidates():
            if not candidate:
                continue
            widest = max(text_width(label, FONT) for _, label in candidate)
            apart = all(
                self.x(b, 0) - self.x(a, 0)
                >= (text_width(a_label, FONT) + text_width(b_label, FONT)) / 2 + 8
                for (a, a_label), (b, b_label) in pairwise(candidate)
            )
            if apart and widest <= room:
                return tuple(self._tick(day, label) for day, label in candidate)
        return tuple(self._tick(day, full_date(day)) for day in sorted({self.start, self.end}))

    def _tick(self, day: date, label: str) -> Tick:
        x = self.x(day, 0)
        half = text_width(label, FONT) / 2
        # Never under the fixed scale on the left; past the plot's end on the right is room.
        left = self.plot.left - SCALE_GAP + half
        text_x = rounded(min(max(x, left), self.plot.right + 20 - half))
        bottom = self.plot.bottom
        return Tick(Line(x, bottom, x, bottom + 5, "chart__tick"), Text(text_x, bottom + 19, label))

    def _candidates(self) -> Iterable[list[tuple[date, str]]]:
        """Tick sets from finest to coarsest; sets that would be far too dense are not built."""
        start, end, days = self.start, self.end, self.days
        limit = max(2, int(self.plot.width // 50))  # at most one tick per 50 units
        for step in (1, 2, 3, 7, 14):
            if days / step <= limit:
                # Steps of a week or two start on a Monday.
                first = start if step < 7 else _next_weekday(start, 0)
                yield [(day, short_date(day)) for day in _every(first, end, step)]
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        for step in (1, 2, 3, 6):
            if months / step <= limit:
                yield [(day, _month_tick(day)) for day in _month_starts(start, end, step)]
        years = end.year - start.year + 1
        step = 1
        while step <= max(years, 1):
            if years / step <= limit:
                first_year = start.year + (-start.year % step)
                yield [
                    (date(year, 1, 1), str(year))
                    for year in range(first_year, end.year + 1, step)
                    if start <= date(year, 1, 1)
                ]
            step = _next_nice(step)


def _next_weekday(day: date, weekday: int) -> date:
    ahead = (weekday - day.weekday()) % 7
    return day + timedelta(days=ahead) if date.max - day >= timedelta(days=ahead) else day


def _every(start: date, end: date, step: int) -> Iterable[date]:
    if start > end:
        return
    for offset in range(0, (end - start).days + 1, step):
        yield start + timedelta(days=offset)


def _month_starts(start: date, end: date, step: int) -> Iterable[date]:
    year, month = start.year, start.month
    if start.day > 1:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    while year <= end.year and date(year, month, 1) <= end:
        if (month - 1) % step == 0:
            yield date(year, month, 1)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _month_tick(day: date) -> str:
    name = MONTHS[day.month - 1][:3]
    return f"{name} {day.year}" if day.month == 1 else name


def _next_nice(step: int) -> int:
    power = int(10 ** (len(str(step)) - 1))
    leading = step // power
    return {1: 2, 2: 5}.get(leading, 10) * power


def check_range(start: date, end: date) -> None:
    if end < start:
        raise ValueError("end must not be before start")


def rounded(value: float) -> float:
    return round(value, 1)


def scale(value: float, d0: float, d1: float, r0: float, r1: float) -> float:
    """Map `value` from [d0, d1] onto [r0, r1], clamped; a flat domain maps to the middle."""
    if d1 == d0 or not math.isfinite(value):
        return rounded((r0 + r1) / 2)
    share = min(max((value - d0) / (d1 - d0), 0.0), 1.0)
    return rounded(r0 + share * (r1 - r0))


def finite_int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0
    if isinstance(value, float) and not math.isfinite(value):
        return 0
    return int(value)


def nice_step(raw: float) -> float:
    """The smallest of 1, 2 or 5 times a power of ten that is at least `raw`."""
    if not math.isfinite(raw) or raw <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(raw))
    for factor in (1.0, 2.0, 5.0, 10.0):
        if factor * power >= raw * (1 - 1e-9):
            return factor * power
    return 10.0 * power


def nice_extent(maximum: float) -> tuple[float, float]:
    """A round top for a 0-based axis, and its step: five gridlines at most."""
    maximum = min(float(maximum), VALUE_CAP)
    if maximum <= 0:
        return 10.0, 5.0
    step = max(nice_step(maximum / 4), 1.0)
    return math.ceil(maximum / step) * step, step


def steps(low: float, high: float, step: float) -> list[float]:
    count = round((high - low) / step)
    return [low + index * step for index in range(count + 1)]


def text_width(text: str, size: float) -> float:
    return len(text) * size * _CHAR


def chronological(when: datetime) -> tuple[int, int, int, int]:
    """Sort key: the instant of an aware moment (so the hour repeated when clocks go back
    keeps its ratings in the order they were made), the wall clock of a naive one."""
    if when.utcoffset() is not None:
        when = when.astimezone(UTC)
    return (when.toordinal(), when.hour, when.minute, when.second)


def day_fraction(when: datetime) -> float:
    return (when.hour * 3600 + when.minute * 60 + when.second) / 86400
