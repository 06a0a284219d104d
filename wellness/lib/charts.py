"""Geometry for the progress page's charts, ready for a template to draw as SVG. Pure.

Every function takes plain data and returns a frozen dataclass holding everything the template
needs: coordinates (rounded, always inside the viewBox), text already formatted, CSS class names,
a label per mark, a one-sentence `summary` for the text alternative, and the rows of a data
table. Nothing here reads the clock (`today` or `now` is an argument) or knows about Jinja.

Two kinds of time: the practice calendar takes `today`, the patient's practice day (which
begins at the rollover hour, 03:00 by default); the rating charts take `now`, the moment in the
patient's zone, and show every rating up to it, so a rating made at 01:30 is on the chart at
once although the practice day is still yesterday's.

Dates are calendar dates and datetimes are placed by their wall-clock fields, so the maths
never crosses a DST change or mixes naive and aware values; only their order is by instant.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MINUS = "\u2212"
ELLIPSIS = "\u2026"
DASH = "\u2013"
CHECK = "\u2713"

# Heatmap intensity: a day with any practice is at least level 1; minutes lift it further.
# Level 1: under 10 minutes (or a practice with no minutes recorded), 2: 10-19, 3: 20-39, 4: 40+.
HEATMAP_LEVEL_MINUTES = (10, 20, 40)

SUDS_MAX = 10
GAD7_MAX = 21
# (label, lowest score, highest score, CSS modifier). Spitzer et al. 2006.
GAD7_BANDS = (
    ("Minimal", 0, 4, "minimal"),
    ("Mild", 5, 9, "mild"),
    ("Moderate", 10, 14, "moderate"),
    ("Severe", 15, 21, "severe"),
)

# Geometry never sees a magnitude beyond this, so huge inputs cannot overflow floats or axes.
_VALUE_CAP = 1e12
_FONT = 11.0  # axis text size in viewBox units; charts.css sets the same size (and no less)
_CHAR = 0.6  # a generous average glyph width, as a share of the font size


# Shared pieces --------------------------------------------------------------------------------


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


# Calendar heatmap ------------------------------------------------------------------------------


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


_CELL = 12.0
_PITCH = 15.0
_HEAT_LEFT = 34.0
_HEAT_TOP = 20.0


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
        minutes = max(0, _finite_int(minutes_by_day.get(day, 0)))
        practised = day in practised_set
        total_minutes += minutes
        level = heatmap_level(minutes, practised=practised)
        column, row = divmod(offset, 7)
        css = f"heatmap__cell heatmap__cell--l{level}"
        if day == today:
            css += " heatmap__cell--today"
        label = f"{_long_date(day)}: {_day_state(minutes, practised=practised)}"
        cells.append(
            HeatCell(
                x=_r(_HEAT_LEFT + column * _PITCH),
                y=_r(_HEAT_TOP + row * _PITCH),
                size=_CELL,
                day=day,
                level=level,
                minutes=minutes,
                practised=practised,
                label=label,
                css_class=css,
            )
        )
        week_cells.append(_day_cell(minutes, practised=practised))
        week_minutes += minutes
        if row == 6 or day == today:
            # The table: a row per week, a column per weekday, then the week's minutes.
            padding = [""] * (6 - row)
            rows.append((_date(day - timedelta(days=row)), *week_cells, *padding, _n(week_minutes)))
            week_cells, week_minutes = [], 0
    month_labels = _month_labels(first, weeks)
    grid_right = _HEAT_LEFT + weeks * _PITCH
    # Wide enough for the legend however few the weeks, and for the last month's name.
    width = math.ceil(
        max(
            grid_right + _HEAT_LEFT,
            150,
            *(label.x + _text_width(label.text, _FONT) + 2 for label in month_labels),
        )
    )
    grid_bottom = _HEAT_TOP + 7 * _PITCH
    height = int(grid_bottom + 24)
    legend_cells, legend_labels = _heatmap_legend(width, grid_bottom + 8)
    span = _date_range(first, today)
    days_word = _plural(len(practised_set), "day")
    is_empty = not practised_set and total_minutes == 0
    summary = (
        f"Practice calendar for the {_plural(weeks, 'week')} from {span}: "
        f"practised on {days_word}, {_plural(total_minutes, 'minute')} in all."
    )
    return Heatmap(
        width=width,
        height=height,
        title="Practice calendar",
        summary=summary,
        is_empty=is_empty,
        empty_message=(
            f"No practice recorded in the last {_plural(weeks, 'week')} yet. "
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
        weekday_labels=_weekday_labels(_HEAT_LEFT - 6, "end", week_start),
        end_labels=_weekday_labels(grid_right + 3, "start", week_start),
        legend_cells=legend_cells,
        legend_labels=legend_labels,
        practice_days=len(practised_set),
        total_minutes=total_minutes,
    )


def _weekday_labels(x: float, anchor: str, week_start: int) -> tuple[Text, ...]:
    css = _END_CLASS if anchor == "start" else "chart__label"
    return tuple(
        Text(
            x,
            _r(_HEAT_TOP + row * _PITCH + _CELL - 2),
            WEEKDAYS[(week_start + row) % 7][:3],
            anchor,
            css,
        )
        for row in (0, 2, 4, 6)
    )


def heatmap_level(minutes: int, *, practised: bool) -> int:
    if minutes <= 0:
        return 1 if practised else 0
    return 1 + sum(minutes >= threshold for threshold in HEATMAP_LEVEL_MINUTES)


def _day_cell(minutes: int, *, practised: bool) -> str:
    if practised:
        return f"{CHECK} {_n(minutes)}" if minutes else CHECK
    return _n(minutes) if minutes else DASH


def _day_state(minutes: int, *, practised: bool) -> str:
    if practised:
        return f"practised, {_plural(minutes, 'minute')}" if minutes else "practised"
    return f"{_plural(minutes, 'minute')} listened" if minutes else "no practice"


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
        labels.append(Text(_r(_HEAT_LEFT + column * _PITCH), _HEAT_TOP - 7, name, "start"))
        last_column = column
    return tuple(labels)


def _heatmap_legend(width: int, top: float) -> tuple[tuple[HeatCell, ...], tuple[Text, ...]]:
    size = 10.0
    right = width - 4 - 30.0
    left = right - 5 * (size + 3)
    words = ("no practice", "under 10 minutes", "10 to 19 minutes", "20 to 39 minutes")
    cells = tuple(
        HeatCell(
            x=_r(left + level * (size + 3)),
            y=_r(top),
            size=size,
            day=date.min,
            level=level,
            minutes=0,
            practised=level > 0,
            label=(*words, "40 minutes or more")[level],
            css_class=f"heatmap__cell heatmap__cell--l{level}",
        )
        for level in range(5)
    )
    labels = (
        Text(_r(left - 5), _r(top + size - 1), "Less", "end", "chart__label chart__label--small"),
        Text(
            _r(right + 2), _r(top + size - 1), "More", "start", "chart__label chart__label--small"
        ),
    )
    return cells, labels


# Anxiety over time (SUDS) ---------------------------------------------------------------------


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
class TimelineChart(ChartBase):
    plot: Box = field(default_factory=lambda: Box(0, 0, 0, 0))
    y_ticks: tuple[Tick, ...] = ()
    x_ticks: tuple[Tick, ...] = ()
    # The scale's numbers again right of the plot, in sight where a phone opens the chart.
    end_labels: tuple[Text, ...] = ()
    checkins: tuple[Point, ...] = ()
    pairs: tuple[PairMark, ...] = ()


_TL_WIDTH, _TL_HEIGHT = 640, 270
_END_AXIS = 40.0  # room right of a plot for its scale's numbers: "1.2k" at 11 units and a gap
_END_CLASS = "chart__label chart__label--end"  # a scale repeated on a chart's right


def _end_labels(ticks: Sequence[Tick], plot: Box) -> tuple[Text, ...]:
    """Each tick's number (without words such as "calm") right of the plot."""
    return tuple(
        Text(plot.right + 6, tick.label.y, tick.label.text.split(" ")[0], "start", _END_CLASS)
        for tick in ticks
    )


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
    _check_range(start, end)
    plot = Box(70, 14, _TL_WIDTH - _END_AXIS, _TL_HEIGHT - 40)
    axis = _DateAxis(start, end, plot)
    inside_checkins = sorted(
        ((when, level) for when, level in checkins if start <= when.date() <= end),
        key=lambda item: _chronological(item[0]),
    )
    inside_pairs = sorted(
        (item for item in pairs if start <= item[0].date() <= end),
        key=lambda item: _chronological(item[0]),
    )

    def y_of(value: float) -> float:
        return _scale(value, 0, SUDS_MAX, plot.bottom, plot.top)

    points = tuple(
        Point(
            axis.x(when.date(), _day_fraction(when)),
            y_of(level),
            4.5,
            "timeline__checkin",
            f"Check-in {_when(when)}: {_n(level)} out of 10",
        )
        for when, level in inside_checkins
    )
    marks = tuple(
        _pair_mark(
            axis.x(when.date(), _day_fraction(when)), y_of(before), y_of(after), when, before, after
        )
        for when, before, after in inside_pairs
    )
    y_ticks = tuple(
        Tick(
            Line(plot.left, y_of(value), plot.right, y_of(value), "chart__grid"),
            Text(plot.left - 8, _r(y_of(value) + 4), _suds_tick(value), "end"),
        )
        for value in range(0, SUDS_MAX + 1, 2)
    )
    rows: list[tuple[tuple[int, int, int, int], tuple[str, ...]]] = [
        (_chronological(when), (_when(when), _n(level), DASH, DASH))
        for when, level in inside_checkins
    ]
    rows += [
        (_chronological(when), (_when(when), DASH, _n(before), _n(after)))
        for when, before, after in inside_pairs
    ]
    rows.sort(key=lambda item: item[0])
    span = _date_range(start, end)
    return TimelineChart(
        width=_TL_WIDTH,
        height=_TL_HEIGHT,
        title="Anxiety over time",
        summary=_timeline_summary(span, [level for _, level in inside_checkins], inside_pairs),
        is_empty=not points and not marks,
        empty_message=(
            f"No anxiety ratings from {span} yet. "
            "When you rate how you feel, your ratings will appear here."
        ),
        table_caption=f"Anxiety ratings (0 calm to 10 worst), {span}",
        table_headers=("When", "Check-in", "Before a session", "After the session"),
        table_rows=tuple(row for _, row in rows),
        plot=plot,
        y_ticks=y_ticks,
        x_ticks=axis.ticks(),
        end_labels=_end_labels(y_ticks, plot),
        checkins=points,
        pairs=marks,
    )


def _suds_tick(value: int) -> str:
    if value == 0:
        return "0 calm"
    if value == SUDS_MAX:
        return f"{SUDS_MAX} worst"
    return str(value)


def _pair_mark(
    x: float, y_before: float, y_after: float, when: datetime, before: int, after: int
) -> PairMark:
    change = after - before
    if change < 0:
        direction, path = "down", f"M{_r(x - 5)} {_r(y_after - 4)}h10L{x} {_r(y_after + 5)}Z"
        words = f"{_plural(-change, 'point')} lower after"
    elif change > 0:
        direction, path = "up", f"M{_r(x - 5)} {_r(y_after + 4)}h10L{x} {_r(y_after - 5)}Z"
        words = f"{_plural(change, 'point')} higher after"
    else:
        direction, path = "same", f"M{_r(x - 4)} {_r(y_after - 4)}h8v8h-8Z"
        words = "the same after"
    return PairMark(
        x=x,
        y_before=y_before,
        y_after=y_after,
        before_r=4.0,
        after_path=path,
        direction=direction,
        css_class=f"timeline__pair timeline__pair--{direction}",
        label=f"Session {_when(when)}: {_n(before)} before, {_n(after)} after ({words})",
    )


def _timeline_summary(
    span: str, levels: Sequence[int], pairs: Sequence[tuple[datetime, int, int]]
) -> str:
    if levels:
        first = f"Anxiety from {span}: {_plural(len(levels), 'check-in')}"
        if len(levels) == 1:
            first += f", rated {_n(levels[0])}"
        elif min(levels) == max(levels):
            first += f", all rated {_n(levels[0])}"
        else:
            first += (
                f", lowest {_n(min(levels))}, highest {_n(max(levels))}, latest {_n(levels[-1])}"
            )
    else:
        first = f"Anxiety from {span}: no check-ins"
    if not pairs:
        return first + "."
    lower = sum(after < before for _, before, after in pairs)
    rated = _plural(len(pairs), "session")
    return f"{first}; {rated} rated before and after, anxiety lower after {lower} of them."


# GAD-7 -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Band:
    x: float
    y: float
    width: float
    height: float
    css_class: str
    label: Text


@dataclass(frozen=True, slots=True)
class Gad7Chart(ChartBase):
    plot: Box = field(default_factory=lambda: Box(0, 0, 0, 0))
    bands: tuple[Band, ...] = ()
    y_ticks: tuple[Tick, ...] = ()
    x_ticks: tuple[Tick, ...] = ()
    line_path: str = ""
    points: tuple[Point, ...] = ()


_G7_WIDTH, _G7_HEIGHT = 640, 270


def gad7_band(score: int) -> tuple[str, str]:
    """(label, CSS modifier) of the severity band a GAD-7 total falls in."""
    for label, _low, high, modifier in GAD7_BANDS:
        if score <= high:
            return label, modifier
    return GAD7_BANDS[-1][0], GAD7_BANDS[-1][3]


def gad7_chart(scores: Sequence[tuple[date, int]], *, start: date, now: datetime) -> Gad7Chart:
    """GAD-7 totals (by local date) over the four severity bands, from `start` through the
    calendar date of `now`; scores outside are left out."""
    end = now.date()
    _check_range(start, end)
    plot = Box(40, 14, _G7_WIDTH - 118, _G7_HEIGHT - 40)
    axis = _DateAxis(start, end, plot)
    inside = sorted((item for item in scores if start <= item[0] <= end), key=lambda s: s[0])

    def y_of(value: float) -> float:
        return _scale(value, 0, GAD7_MAX, plot.bottom, plot.top)

    bands: list[Band] = []
    for label, low, high, modifier in GAD7_BANDS:
        # Scores are whole numbers, so a band's edges sit half-way between them.
        top = y_of(min(high + 0.5, GAD7_MAX))
        bottom = y_of(max(low - 0.5, 0))
        text = Text(
            plot.right + 8,
            _r((top + bottom) / 2 + 4),
            f"{label} {low}{DASH}{high}",
            "start",
            f"chart__label gad7__band-label gad7__band-label--{modifier}",
        )
        bands.append(
            Band(
                plot.left,
                top,
                plot.width,
                _r(bottom - top),
                f"gad7__band gad7__band--{modifier}",
                text,
            )
        )
    points: list[Point] = []
    rows: list[tuple[str, ...]] = []
    for day, score in inside:
        band, modifier = gad7_band(score)
        points.append(
            Point(
                axis.x(day, 0.5),
                y_of(score),
                5.0,
                f"gad7__point gad7__point--{modifier}",
                f"GAD-7 on {_date(day)}: {_n(score)} out of 21, {band.lower()}",
            )
        )
        rows.append((_date(day), _n(score), band))
    path = "".join(
        f"{'M' if index == 0 else 'L'}{point.x} {point.y}" for index, point in enumerate(points)
    )
    y_ticks = tuple(
        Tick(
            Line(plot.left - 4, y_of(value), plot.left, y_of(value), "chart__tick"),
            Text(plot.left - 8, _r(y_of(value) + 4), str(value), "end"),
        )
        for value in (0, 5, 10, 15, 21)
    )
    span = _date_range(start, end)
    return Gad7Chart(
        width=_G7_WIDTH,
        height=_G7_HEIGHT,
        title="GAD-7 anxiety questionnaire",
        summary=_gad7_summary(span, [score for _, score in inside]),
        is_empty=not points,
        empty_message=(
            f"No GAD-7 questionnaires from {span} yet. "
            "It is offered every two weeks; your scores will appear here."
        ),
        table_caption=f"GAD-7 scores (0 to 21), {span}",
        table_headers=("Date", "Score", "Band"),
        table_rows=tuple(rows),
        plot=plot,
        bands=tuple(bands),
        y_ticks=y_ticks,
        x_ticks=axis.ticks(),
        line_path=path if len(points) > 1 else "",
        points=tuple(points),
    )


def _gad7_summary(span: str, scores: Sequence[int]) -> str:
    if not scores:
        return f"GAD-7 scores from {span}: none yet."
    latest = f"{_n(scores[-1])} ({gad7_band(scores[-1])[0].lower()})"
    head = f"GAD-7 scores from {span}: {_plural(len(scores), 'questionnaire')}"
    if len(scores) == 1:
        return f"{head}, score {latest}."
    if min(scores) == max(scores):
        return f"{head}, all scored {latest}."
    return f"{head}, latest {latest}, lowest {_n(min(scores))}, highest {_n(max(scores))}."


# Minutes per week ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    css_class: str
    label: str
    value_label: Text | None


@dataclass(frozen=True, slots=True)
class BarChart(ChartBase):
    plot: Box = field(default_factory=lambda: Box(0, 0, 0, 0))
    y_ticks: tuple[Tick, ...] = ()
    x_labels: tuple[Text, ...] = ()
    end_labels: tuple[Text, ...] = ()  # the scale again right of the plot (see TimelineChart)
    bars: tuple[Bar, ...] = ()
    baseline: Line | None = None


_BAR_WIDTH, _BAR_HEIGHT = 640, 230


def weekly_minutes(rows: Sequence[tuple[date, int]]) -> BarChart:
    """Minutes practised per week, keyed by the week's first day.

    Missing weeks between two given ones are drawn as zero, so gaps are not hidden.
    """
    weeks = _fill_weeks({day: max(0, _finite_int(minutes)) for day, minutes in rows})
    plot = Box(52, 22, _BAR_WIDTH - _END_AXIS, _BAR_HEIGHT - 32)
    total = sum(minutes for _, minutes in weeks)
    top_value, step = _nice_extent(max((minutes for _, minutes in weeks), default=0))

    def y_of(value: float) -> float:
        return _scale(value, 0, top_value, plot.bottom, plot.top)

    pitch = plot.width / max(len(weeks), 1)
    bar_width = _r(max(1.0, min(pitch * 0.7, 48.0)))
    show_values = pitch >= max((_text_width(_compact(m), _FONT) for _, m in weeks), default=0) + 4
    bars: list[Bar] = []
    for index, (day, minutes) in enumerate(weeks):
        centre = plot.left + pitch * (index + 0.5)
        top = y_of(minutes)
        value = None
        if show_values:
            value = Text(_r(centre), _r(top - 5), _compact(minutes), "middle", "chart__value")
        bars.append(
            Bar(
                _r(centre - bar_width / 2),
                top,
                bar_width,
                _r(plot.bottom - top),
                "minutes__bar" if minutes else "minutes__bar minutes__bar--zero",
                f"Week of {_date(day)}: {_plural(minutes, 'minute')}",
                value,
            )
        )
    y_ticks = tuple(
        Tick(
            Line(plot.left, y_of(value), plot.right, y_of(value), "chart__grid"),
            Text(plot.left - 8, _r(y_of(value) + 4), _compact(value), "end"),
        )
        for value in _steps(0, top_value, step)
    )
    label_every = max(1, math.ceil((_text_width("30 Sep", _FONT) + 10) / pitch))
    x_labels = tuple(
        Text(_r(plot.left + pitch * (index + 0.5)), plot.bottom + 18, _short_date(day))
        for index, (day, _) in enumerate(weeks)
        if (len(weeks) - 1 - index) % label_every == 0
    )
    span = _date_range(weeks[0][0], weeks[-1][0]) if weeks else ""
    return BarChart(
        width=_BAR_WIDTH,
        height=_BAR_HEIGHT,
        title="Minutes of practice per week",
        summary=_minutes_summary(weeks, total),
        is_empty=total == 0,
        empty_message=(
            "No practice minutes yet. Each week's minutes will show here once you practise."
        ),
        table_caption=f"Minutes of practice per week, weeks starting from {span}" if weeks else "",
        table_headers=("Week starting", "Minutes"),
        table_rows=tuple((_date(day), _n(minutes)) for day, minutes in weeks),
        plot=plot,
        y_ticks=y_ticks,
        x_labels=x_labels,
        end_labels=_end_labels(y_ticks, plot),
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


def _minutes_summary(weeks: Sequence[tuple[date, int]], total: int) -> str:
    if total == 0:
        return "Minutes of practice per week: none yet."
    best_day, best = max(weeks, key=lambda item: (item[1], item[0]))
    if len(weeks) == 1:
        return f"Minutes of practice in the week of {_date(weeks[0][0])}: {_n(total)}."
    span = _date_range(weeks[0][0], weeks[-1][0])
    return (
        f"Minutes of practice per week, {_plural(len(weeks), 'week')} starting from {span}: "
        f"{_n(total)} in all, most {_n(best)} in the week of {_date(best_day)}, "
        f"latest week {_n(weeks[-1][1])}."
    )


# Average change per session or kind -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChangeBar:
    x: float
    y: float
    width: float
    height: float
    css_class: str
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
_CH_WIDTH = 290
_CH_ROW = 44.0
_CH_TOP = 6.0
_CH_BARS = (8.0, 168.0)
_CH_NAME_CHARS = 37


def average_change(rows: Sequence[tuple[str, float, int]]) -> ChangeChart:
    """Diverging bars of the average before-to-after change in SUDS points, most helpful first.

    Rows without a finite average or without rated sessions are left out.
    """
    kept = sorted(
        ((label, float(change), count) for label, change, count in rows if _usable(change, count)),
        key=lambda row: (row[1], -row[2], row[0].casefold()),
    )
    changes = [max(-_VALUE_CAP, min(_VALUE_CAP, change)) for _, change, _ in kept]
    low, high = min([0.0, *changes]), max([0.0, *changes])
    if low == high:
        low, high = -1.0, 1.0
    step = _nice_step((high - low) / 4)
    low, high = math.floor(low / step) * step, math.ceil(high / step) * step
    left, right = _CH_BARS
    height = int(_CH_TOP + len(kept) * _CH_ROW + 46)
    axis_y = _CH_TOP + len(kept) * _CH_ROW

    def x_of(value: float) -> float:
        return _scale(value, low, high, left, right)

    zero = x_of(0)
    bars: list[ChangeBar] = []
    table: list[tuple[str, ...]] = []
    for index, ((label, change, count), clamped) in enumerate(zip(kept, changes, strict=True)):
        top = _CH_TOP + index * _CH_ROW
        end = x_of(clamped)
        direction = "down" if change < 0 else "up" if change > 0 else "same"
        shown = _truncate(label, _CH_NAME_CHARS)
        middle = _r(top + 33)
        bars.append(
            ChangeBar(
                x=min(zero, end),
                y=_r(top + 21),
                width=_r(max(abs(end - zero), 1.5)),
                height=16,
                css_class=f"change__bar change__bar--{direction}",
                label=(
                    f"{label}: {_change_words(change)} on average "
                    f"over {_plural(count, 'rated session')}"
                ),
                name=Text(
                    left,
                    _r(top + 14),
                    shown,
                    "start",
                    "chart__label change__name",
                    label if shown != label else "",
                ),
                value=Text(right + 8, middle, _signed(change), "start", "chart__value"),
                count=Text(
                    right + 40,
                    middle,
                    _compact_count(count),
                    "start",
                    "chart__label chart__label--small",
                ),
            )
        )
        table.append((label, _signed(change), _n(count)))
    ticks = tuple(
        Tick(
            Line(x_of(value), _CH_TOP, x_of(value), axis_y, "chart__grid"),
            Text(
                x_of(value),
                _r(axis_y + 15),
                _signed(value),
                "middle",
                "chart__label chart__label--small",
            ),
        )
        for value in _steps(low, high, step)
    )
    return ChangeChart(
        width=_CH_WIDTH,
        height=height,
        title="What helped most",
        summary=_change_summary(kept),
        is_empty=not kept,
        empty_message=(
            "Nothing to compare yet. Rate your anxiety before and after a session, "
            "and you will see here which practices help you most."
        ),
        table_caption=(
            "Average change in anxiety (0 to 10) from before to after, most helpful first"
        ),
        table_headers=("Practice", "Average change (points)", "Rated sessions"),
        table_rows=tuple(table),
        bars=tuple(bars),
        zero_line=Line(zero, _CH_TOP - 4, zero, axis_y + 2, "chart__axis"),
        x_ticks=ticks,
        direction_labels=(
            Text(
                left,
                _r(axis_y + 34),
                "\u2190 lower after",
                "start",
                "chart__label chart__label--small",
            ),
            Text(
                _CH_WIDTH - 4,
                _r(axis_y + 34),
                "higher after \u2192",
                "end",
                "chart__label chart__label--small",
            ),
        ),
    )


def _usable(change: float, count: int) -> bool:
    try:
        return math.isfinite(change) and count > 0
    except (TypeError, OverflowError):
        return False


def _change_words(change: float) -> str:
    if change < 0:
        return f"anxiety {_points(-change)} lower"
    if change > 0:
        return f"anxiety {_points(change)} higher"
    return "no change in anxiety"


def _points(size: float) -> str:
    text = _decimal(size)
    return f"{text} {'point' if text == '1' else 'points'}"


def _change_summary(kept: Sequence[tuple[str, float, int]]) -> str:
    if not kept:
        return "Average change in anxiety after practice: nothing rated yet."
    head = f"Average change in anxiety across {_plural(len(kept), 'practice')}"
    label, change, count = kept[0]
    if change >= 0:
        return f"{head}: none lowered it on average yet."
    return (
        f"{head}: {label} lowered it most, by {_points(-change)} on average "
        f"over {_plural(count, 'rated session')}."
    )


# Date axis -------------------------------------------------------------------------------------


class _DateAxis:
    """Days from `start` to `end` inclusive across the plot; each day is one equal slot."""

    def __init__(self, start: date, end: date, plot: Box) -> None:
        self.start, self.end, self.plot = start, end, plot
        self.days = (end - start).days + 1

    def x(self, day: date, fraction: float) -> float:
        offset = (day - self.start).days + min(max(fraction, 0.0), 1.0)
        return _scale(offset, 0, self.days, self.plot.left, self.plot.right)

    def ticks(self) -> tuple[Tick, ...]:
        room = self.plot.width
        for candidate in self._candidates():
            if not candidate:
                continue
            widest = max(_text_width(label, _FONT) for _, label in candidate)
            apart = all(
                self.x(b, 0) - self.x(a, 0)
                >= (_text_width(a_label, _FONT) + _text_width(b_label, _FONT)) / 2 + 8
                for (a, a_label), (b, b_label) in pairwise(candidate)
            )
            if apart and widest <= room:
                return tuple(self._tick(day, label) for day, label in candidate)
        return tuple(self._tick(day, _date(day)) for day in sorted({self.start, self.end}))

    def _tick(self, day: date, label: str) -> Tick:
        x = self.x(day, 0)
        half = _text_width(label, _FONT) / 2
        text_x = _r(min(max(x, self.plot.left - 20 + half), self.plot.right + 20 - half))
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
                yield [(day, _short_date(day)) for day in _every(first, end, step)]
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


# Small helpers ---------------------------------------------------------------------------------


def _check_range(start: date, end: date) -> None:
    if end < start:
        raise ValueError("end must not be before start")


def _r(value: float) -> float:
    return round(value, 1)


def _scale(value: float, d0: float, d1: float, r0: float, r1: float) -> float:
    """Map `value` from [d0, d1] onto [r0, r1], clamped; a flat domain maps to the middle."""
    if d1 == d0 or not math.isfinite(value):
        return _r((r0 + r1) / 2)
    share = min(max((value - d0) / (d1 - d0), 0.0), 1.0)
    return _r(r0 + share * (r1 - r0))


def _finite_int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0
    if isinstance(value, float) and not math.isfinite(value):
        return 0
    return int(value)


def _nice_step(raw: float) -> float:
    """The smallest of 1, 2 or 5 times a power of ten that is at least `raw`."""
    if not math.isfinite(raw) or raw <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(raw))
    for factor in (1.0, 2.0, 5.0, 10.0):
        if factor * power >= raw * (1 - 1e-9):
            return factor * power
    return 10.0 * power


def _nice_extent(maximum: float) -> tuple[float, float]:
    """A round top for a 0-based axis, and its step: five gridlines at most."""
    maximum = min(float(maximum), _VALUE_CAP)
    if maximum <= 0:
        return 10.0, 5.0
    step = max(_nice_step(maximum / 4), 1.0)
    return math.ceil(maximum / step) * step, step


def _steps(low: float, high: float, step: float) -> list[float]:
    count = round((high - low) / step)
    return [low + index * step for index in range(count + 1)]


def _next_nice(step: int) -> int:
    power = int(10 ** (len(str(step)) - 1))
    leading = step // power
    return {1: 2, 2: 5}.get(leading, 10) * power


def _text_width(text: str, size: float) -> float:
    return len(text) * size * _CHAR


def _truncate(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS


def _chronological(when: datetime) -> tuple[int, int, int, int]:
    """Sort key: the instant of an aware moment (so the hour repeated when clocks go back
    keeps its ratings in the order they were made), the wall clock of a naive one."""
    if when.utcoffset() is not None:
        when = when.astimezone(UTC)
    return (when.toordinal(), when.hour, when.minute, when.second)


def _day_fraction(when: datetime) -> float:
    return (when.hour * 3600 + when.minute * 60 + when.second) / 86400


def _n(value: float) -> str:
    """A whole number with thousands separators, e.g. 1,234; a minus sign for negatives."""
    text = f"{round(value):,}"
    return text.replace("-", MINUS)


def _decimal(value: float) -> str:
    """One decimal place, without a trailing .0: 2.5, 3, 1,234.5."""
    rounded = round(value, 1)
    text = f"{rounded:,.0f}" if rounded == int(rounded) else f"{rounded:,.1f}"
    return text.replace("-", MINUS)


def _signed(value: float) -> str:
    if round(value, 1) == 0:
        return "0"
    text = _decimal(abs(value)) if abs(value) < 10_000 else _compact(abs(value))
    return ("+" if value > 0 else MINUS) + text


def _compact(value: float) -> str:
    """Axis-sized numbers: 950, 9,500, 12k, 3.4M, 1.2T."""
    magnitude = abs(value)
    if magnitude < 10_000:
        return _decimal(value)
    for size, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if magnitude >= size:
            scaled = magnitude / size
            text = f"{scaled:.0f}" if scaled >= 10 else f"{scaled:.1f}".removesuffix(".0")
            if scaled >= 1000:
                text = f"{scaled:,.0f}"
            return (MINUS if value < 0 else "") + text + suffix
    return _decimal(value)


def _compact_count(count: int) -> str:
    number = _compact(count) if count >= 10_000 else _n(count)
    return f"{number} {'session' if count == 1 else 'sessions'}"


def _plural(count: int, word: str) -> str:
    return f"{_n(count)} {word if count == 1 else word + 's'}"


def _short_date(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1][:3]}"


def _date(day: date) -> str:
    return f"{_short_date(day)} {day.year}"


def _long_date(day: date) -> str:
    return f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year}"


def _date_range(start: date, end: date) -> str:
    if start == end:
        return _date(start)
    if start.year == end.year:
        return f"{_short_date(start)} to {_date(end)}"
    return f"{_date(start)} to {_date(end)}"


def _when(when: datetime) -> str:
    return f"{_date(when.date())}, {when.hour:02}:{when.minute:02}"
