"""Which staff reads were recorded lately: each patient once per window, never fewer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from wellness.audit.recent_reads import READ_WINDOW, RecentReads

NOW = datetime(2026, 11, 24, 14, 30, tzinfo=UTC)


def test_patients_not_recorded_are_due_each_once_in_order() -> None:
    assert RecentReads().due(1, "viewed", [5, 3, 5, 9], NOW) == [5, 3, 9]


def test_a_recorded_read_is_not_due_again_within_the_window() -> None:
    reads = RecentReads()
    reads.recorded(1, "viewed", [5, 3], NOW)

    assert reads.due(1, "viewed", [5, 3, 9], NOW + READ_WINDOW - timedelta(seconds=1)) == [9]
    assert reads.due(1, "viewed", [5, 3], NOW + READ_WINDOW) == [5, 3]


def test_reads_are_per_viewer_and_per_action() -> None:
    reads = RecentReads()
    reads.recorded(1, "viewed", [5], NOW)

    assert reads.due(2, "viewed", [5], NOW) == [5]
    assert reads.due(1, "alerts_viewed", [5], NOW) == [5]


def test_a_clock_set_back_records_again() -> None:
    reads = RecentReads()
    reads.recorded(1, "viewed", [5], NOW)

    assert reads.due(1, "viewed", [5], NOW - timedelta(seconds=1)) == [5]


def test_only_what_was_recorded_counts() -> None:
    reads = RecentReads()
    reads.due(1, "viewed", [5], NOW)  # asked, but the write never happened

    assert reads.due(1, "viewed", [5], NOW) == [5]


def test_past_its_limit_it_forgets_everything_and_records_again() -> None:
    reads = RecentReads(limit=3)
    reads.recorded(1, "viewed", [1, 2, 3], NOW)
    reads.recorded(1, "viewed", [4], NOW)

    assert reads.due(1, "viewed", [1, 4], NOW) == [1]
