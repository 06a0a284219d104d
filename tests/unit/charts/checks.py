"""Checks every chart's geometry must pass, whatever its data."""

from __future__ import annotations

import dataclasses
import math

from wellness.practice.charts import ChartBase, Text

_X_FIELDS = {"x", "x1", "x2", "left", "right"}
_Y_FIELDS = {"y", "y1", "y2", "top", "bottom", "y_before", "y_after"}


def _numbers(value: object, name: str = "") -> list[tuple[str, float]]:
    """Every number field in a chart, with its field name, found by walking the dataclasses."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        found: list[tuple[str, float]] = []
        for item in dataclasses.fields(value):
            found += _numbers(getattr(value, item.name), item.name)
        return found
    if isinstance(value, tuple):
        return [pair for element in value for pair in _numbers(element, name)]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return [(name, float(value))]
    return []


def assert_inside_view_box(chart: ChartBase) -> None:
    numbers = _numbers(chart)
    assert all(math.isfinite(number) for _, number in numbers)
    for name, number in numbers:
        if name in _X_FIELDS:
            assert 0 <= number <= chart.width, (name, number)
        if name in _Y_FIELDS:
            assert 0 <= number <= chart.height, (name, number)


def right_edge(label: Text, size: float = 11) -> float:
    """Where a label's text ends, at a generous average glyph width."""
    width = len(label.text) * size * 0.6
    return label.x + {"start": width, "middle": width / 2, "end": 0.0}[label.anchor]
