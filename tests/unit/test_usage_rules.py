"""The usage view's pure rules: reading its query, the period's bounds, small-cell suppression,
the order rows take, and the CSV's cells."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest

from wellness.caseload import usage_csv
from wellness.caseload.usage_rules import (
    MIN_PATIENTS,
    Counts,
    Period,
    SessionUsage,
    SortOrder,
    UsageQuery,
    change_direction,
    page_of,
    parse_query,
    parse_sort,
    patients_shown,
    signed_change,
    sort_usage,
)
from wellness.lib.spreadsheet import safe_cell

TODAY = date(2026, 11, 24)
KINDS = frozenset({"breathing", "yoga"})


def parsed(**params: str) -> tuple[UsageQuery, dict[str, str]]:
    return parse_query(params, today=TODAY, kinds=KINDS)


def test_without_parameters_it_is_the_last_28_days_most_starts_first() -> None:
    query, errors = parsed()

    assert errors == {}
    assert query.period == Period(date(2026, 10, 28), TODAY)
    assert query.period.days == 28
    assert (query.order, query.kind, query.page) == (SortOrder("starts", True), "", 1)


def test_one_end_given_takes_the_other_from_the_default_length() -> None:
    assert parsed(to="2026-06-30")[0].period == Period(date(2026, 6, 3), date(2026, 6, 30))
    assert parsed(**{"from": "2026-11-01"})[0].period == Period(date(2026, 11, 1), TODAY)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-11-31"}, "from"),
        ({"from": "1999-12-31"}, "from"),
        ({"to": "3000-01-01"}, "to"),
        ({"to": "2026-1-5"}, "to"),
        ({"to": "\uff12\uff10\uff12\uff16-11-24"}, "to"),  # fullwidth digits
        ({"from": "2025-11-23"}, "from"),  # 367 days to today
        ({"from": "2026-11-25"}, "to"),  # after the end
        ({"kind": "juggling"}, "kind"),
        ({"sort": "-"}, "sort"),
        ({"sort": "patient_id"}, "sort"),
        ({"page": "0"}, "page"),
        ({"page": "1000001"}, "page"),
        ({"page": "²"}, "page"),
        ({"page": "-2"}, "page"),
    ],
)
def test_what_it_cannot_read_is_named(params: dict[str, str], field: str) -> None:
    query, errors = parsed(**params)

    assert list(errors) == [field]
    assert query.period.first <= query.period.last  # still a period to show the form with


def test_a_period_of_exactly_366_days_is_allowed() -> None:
    query, errors = parsed(**{"from": "2025-11-24"})

    assert errors == {}
    assert query.period.days == 366


def test_every_problem_is_named_at_once() -> None:
    _, errors = parsed(**{"from": "x", "to": "y", "kind": "z", "sort": "w", "page": "v"})

    assert set(errors) == {"from", "to", "kind", "sort", "page"}


def test_the_query_goes_back_into_links_and_its_audit_detail() -> None:
    query, _ = parsed(**{"from": "2026-11-01", "kind": "yoga", "sort": "change", "page": "2"})

    assert query.link() == "from=2026-11-01&to=2026-11-24&kind=yoga&sort=change&page=2"
    assert query.link(page=1) == "from=2026-11-01&to=2026-11-24&kind=yoga&sort=change"
    assert query.described() == "from=2026-11-01;to=2026-11-24;kind=yoga;sort=change;page=2"
    assert parsed(**dict(pair for pair in query.pairs()))[0] == query


def test_a_heading_link_turns_the_order_round_or_starts_in_the_columns_direction() -> None:
    order = SortOrder("starts", True)

    assert order.link_for("starts") == "starts"
    assert SortOrder("starts", False).link_for("starts") == "-starts"
    assert order.link_for("title") == "title"
    assert order.link_for("change") == "change"  # calmest first
    assert order.link_for("patients") == "-patients"
    assert (order.aria_for("starts"), order.aria_for("title")) == ("descending", None)
    assert parse_sort("-completion_rate") == SortOrder("completion_rate", True)


def test_the_bounds_are_local_midnights_in_utc_across_a_dst_change() -> None:
    # Berlin moves its clocks back on 25 Oct 2026: that day is 25 hours long.
    start, end = Period(date(2026, 10, 25), date(2026, 10, 25)).bounds("Europe/Berlin")

    assert start == datetime(2026, 10, 24, 22, 0, tzinfo=UTC)
    assert end == datetime(2026, 10, 25, 23, 0, tzinfo=UTC)
    west = Period(date(2026, 3, 8), date(2026, 3, 8)).bounds("America/New_York")
    assert west == (
        datetime(2026, 3, 8, 5, 0, tzinfo=UTC),
        datetime(2026, 3, 9, 4, 0, tzinfo=UTC),
    )


@pytest.mark.parametrize(("count", "shown"), [(0, 0), (1, None), (4, None), (5, 5), (40, 40)])
def test_counts_of_one_to_four_patients_are_hidden(count: int, shown: int | None) -> None:
    assert MIN_PATIENTS == 5
    assert patients_shown(count) == shown


def test_a_mean_change_needs_five_patients_behind_it() -> None:
    four = Counts(starts=8, rated=8, rated_patients=4, change_sum=-16, patients=9).shown()
    five = Counts(starts=8, rated=8, rated_patients=5, change_sum=-17, patients=9).shown()
    unrated = Counts(starts=8, patients=9).shown()

    assert (four.mean_change, four.change_suppressed) == (None, True)
    assert (five.mean_change, five.change_suppressed) == (-2.1, False)
    assert (unrated.mean_change, unrated.change_suppressed) == (None, False)
    assert (four.patients, four.patients_suppressed) == (9, False)


def test_the_completion_rate_rests_on_starts() -> None:
    assert Counts(starts=4, completions=3).shown().completion_rate == 0.75
    assert Counts().shown().completion_rate is None


def usage(title: str, patients: int, change: float | None = None) -> SessionUsage:
    rated = 5 if change is not None else 0
    counts = Counts(
        starts=patients,
        patients=patients,
        rated=rated,
        rated_patients=rated,
        change_sum=round((change or 0) * rated),
    )
    return SessionUsage(len(title), title, "breathing", "published", counts.shown(), None)


def test_hidden_counts_sort_together_by_title_so_the_order_tells_nothing() -> None:
    rows = [usage("d", 1), usage("a", 4), usage("c", 9), usage("b", 0), usage("e", 3)]

    descending = sort_usage(rows, SortOrder("patients", True))
    ascending = sort_usage(rows, SortOrder("patients", False))

    assert [row.title for row in descending] == ["c", "a", "d", "e", "b"]
    assert [row.title for row in ascending] == ["b", "a", "d", "e", "c"]


def test_rows_without_a_mean_change_come_last_either_way() -> None:
    rows = [usage("none", 6), usage("calm", 6, -2.0), usage("worse", 6, 1.0)]

    assert [row.title for row in sort_usage(rows, SortOrder("change", False))] == [
        "calm",
        "worse",
        "none",
    ]
    assert [row.title for row in sort_usage(rows, SortOrder("change", True))] == [
        "worse",
        "calm",
        "none",
    ]


def test_a_page_past_the_end_is_the_last() -> None:
    assert page_of(list(range(120)), 9) == (list(range(100, 120)), 3, 3)
    assert page_of([], 4) == ([], 1, 1)


def test_changes_read_with_a_minus_sign_and_in_words() -> None:
    assert (signed_change(-1.84), change_direction(-1.84)) == ("\u22121.8", "calmer")
    assert (signed_change(0.4), change_direction(0.4)) == ("+0.4", "more anxious")
    assert (signed_change(-0.04), change_direction(0.04)) == ("0.0", "no change")


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("Calm", "Calm"),
        (-1.5, "-1.5"),  # a number stays a number
        (0, "0"),
        (None, ""),
    ],
)
def test_only_text_a_spreadsheet_would_run_is_escaped(cell: object, written: str) -> None:
    assert safe_cell(cell) == written


def test_csv_cells_say_what_is_hidden_in_words() -> None:
    hidden = Counts(starts=3, completions=1, patients=2, rated=2, rated_patients=2, change_sum=-3)
    row = SessionUsage(
        7,
        "-Minus first",
        "breathing",
        "archived",
        hidden.shown(),
        datetime(2026, 11, 23, 23, 30, tzinfo=UTC),
    )

    text = "".join(usage_csv.lines([row], "Europe/Berlin"))

    header, cells = list(csv.reader(io.StringIO(text, newline="")))
    line = dict(zip(header, cells, strict=True))
    assert line == {
        "session_id": "7",
        "title": "'-Minus first",
        "kind": "breathing",
        "status": "archived",
        "starts": "3",
        "completions": "1",
        "completion_rate": "0.333",
        "patients": "fewer than 5",
        "assigned_patients": "0",
        "mean_change": "too few to show",
        "last_played": "2026-11-24",  # 00:30 in Berlin
    }
    assert usage_csv.filename(Period(date(2026, 1, 1), date(2026, 1, 31))) == (
        "library-usage-2026-01-01-to-2026-01-31.csv"
    )
