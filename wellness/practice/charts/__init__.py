"""Geometry for the progress page's charts, ready for a template to draw as SVG. Pure.

Every chart function takes plain data and returns a frozen dataclass holding everything the
template (`templates/_partials/charts.html`) needs: coordinates (rounded, always inside the
viewBox), text already formatted, CSS class names, a label per mark, a one-sentence `summary`
for the text alternative, and the rows of a data table. Nothing here reads the clock (`today`
or `now` is an argument) or knows about Jinja. Scales and bands come from `checkins.scoring`.

One module per chart (`heatmap`, `timeline`, `gad7`, `minutes`, `change`); the shapes, scales
and date axis they share are in `geometry`, the wording of numbers and dates in `formatting`.
"""

from wellness.practice.charts.change import ChangeBar, ChangeChart, average_change
from wellness.practice.charts.gad7 import Band, Gad7Chart, gad7_chart
from wellness.practice.charts.geometry import Box, ChartBase, Line, PlotChart, Point, Text, Tick
from wellness.practice.charts.heatmap import HeatCell, Heatmap, calendar_heatmap, heatmap_level
from wellness.practice.charts.minutes import Bar, BarChart, weekly_minutes
from wellness.practice.charts.timeline import PairMark, TimelineChart, anxiety_timeline

__all__ = [
    "Band",
    "Bar",
    "BarChart",
    "Box",
    "ChangeBar",
    "ChangeChart",
    "ChartBase",
    "Gad7Chart",
    "HeatCell",
    "Heatmap",
    "Line",
    "PairMark",
    "PlotChart",
    "Point",
    "Text",
    "Tick",
    "TimelineChart",
    "anxiety_timeline",
    "average_change",
    "calendar_heatmap",
    "gad7_chart",
    "heatmap_level",
    "weekly_minutes",
]
