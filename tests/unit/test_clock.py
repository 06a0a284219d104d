"""The clock: one place reads the wall clock; test clocks stand still or tick from a set moment."""

from __future__ import annotations

import ast
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

import wellness
from wellness.lib.clock import FixedClock, SystemClock, TickingClock

PACKAGE = Path(wellness.__file__).resolve().parent
# (module, attribute) pairs that read the wall clock or today's date.
WALL_CLOCK_READS = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
    ("time", "time"),
    ("time", "time_ns"),
    ("time", "localtime"),
    ("time", "gmtime"),
}


def test_a_fixed_clock_stands_still_until_set_or_advanced() -> None:
    clock = FixedClock(datetime(2026, 12, 2, 2, 30, tzinfo=timezone(timedelta(hours=9))))

    assert clock.now() == datetime(2026, 12, 1, 17, 30, tzinfo=UTC)
    assert clock.now().tzinfo is UTC
    clock.advance(timedelta(minutes=90))
    assert clock.now() == datetime(2026, 12, 1, 19, 0, tzinfo=UTC)
    clock.set(datetime(2027, 1, 1, tzinfo=UTC))
    assert clock.now() == datetime(2027, 1, 1, tzinfo=UTC)


def test_a_ticking_clock_moves_with_its_timer_from_the_moment_set() -> None:
    seconds = [100.0]
    clock = TickingClock(datetime(2026, 12, 1, 17, 30, tzinfo=UTC), timer=lambda: seconds[0])

    seconds[0] += 42.5
    assert clock.now() == datetime(2026, 12, 1, 17, 30, 42, 500_000, tzinfo=UTC)
    clock.set(datetime(2026, 3, 8, 6, 59, tzinfo=UTC))
    seconds[0] += 60
    assert clock.now() == datetime(2026, 3, 8, 7, 0, tzinfo=UTC)


def test_clocks_refuse_a_naive_moment() -> None:
    naive = datetime(2026, 12, 2, 2, 30)  # noqa: DTZ001  (the point of the test)
    with pytest.raises(ValueError, match="aware"):
        FixedClock(naive)
    with pytest.raises(ValueError, match="aware"):
        TickingClock(naive)


def test_the_system_clock_answers_aware_utc() -> None:
    assert SystemClock().now().tzinfo is UTC


def _wall_clock_reads(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and (node.value.id, node.attr) in WALL_CLOCK_READS
        ):
            found.append(
                f"{path.relative_to(PACKAGE.parent)}:{node.lineno} {node.value.id}.{node.attr}"
            )
    return found


def test_nothing_in_the_package_reads_the_wall_clock_but_the_system_clock() -> None:
    """Everything else takes `now` from the app's or the command's clock, so tests can set it."""
    reads = [
        read
        for path in sorted(PACKAGE.rglob("*.py"))
        if path != PACKAGE / "lib" / "clock.py"
        for read in _wall_clock_reads(path)
    ]

    assert reads == []
    system = _wall_clock_reads(PACKAGE / "lib" / "clock.py")
    assert [read.split()[-1] for read in system] == ["datetime.now"]
