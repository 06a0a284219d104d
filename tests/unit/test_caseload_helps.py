"""What helps a patient: before→after change by session and by kind, and what it rests on."""

from __future__ import annotations

import pytest

from wellness.caseload.helps import ENOUGH_RATINGS, RatedPractice, overall, what_helps


def rated(kind: str, session: str | None, before: int, after: int) -> RatedPractice:
    return RatedPractice(kind=kind, session=session, before=before, after=after)


def test_it_averages_before_and_after_by_session_and_by_kind() -> None:
    rows = [
        rated("Breathing", "Slow exhale", 8, 5),
        rated("Breathing", "Slow exhale", 6, 4),
        rated("Breathing", "Box breathing", 5, 5),
        rated("Yoga", None, 4, 3),
    ]

    found = what_helps(rows)

    assert found.ratings == 4
    slow = next(item for item in found.by_session if item.label == "Slow exhale")
    assert (slow.ratings, slow.mean_before, slow.mean_after, slow.change) == (2, 7.0, 4.5, -2.5)
    assert (slow.lowered, slow.raised) == (2, 0)
    breathing = next(item for item in found.by_kind if item.label == "Breathing")
    assert breathing.ratings == 3
    assert breathing.change == pytest.approx((5 + 4 + 5) / 3 - (8 + 6 + 5) / 3)


def test_practice_without_a_session_counts_only_for_its_kind() -> None:
    found = what_helps([rated("Yoga", None, 6, 2)])

    assert found.by_session == []
    assert [(item.label, item.ratings) for item in found.by_kind] == [("Yoga", 1)]


def test_figures_resting_on_enough_ratings_come_first_calmest_first() -> None:
    rows = [rated("Breathing", "One-off", 9, 1)]  # the calmest change, but only once
    rows += [rated("Breathing", "Steady", 6, 4)] * ENOUGH_RATINGS
    rows += [rated("Breathing", "Strong", 7, 3)] * ENOUGH_RATINGS
    rows += [rated("Breathing", "Worse", 3, 5)] * (ENOUGH_RATINGS + 1)

    labels = [item.label for item in what_helps(rows).by_session]

    assert labels == ["Strong", "Steady", "Worse", "One-off"]


def test_equal_changes_are_ordered_by_more_ratings_then_by_name() -> None:
    rows = [rated("Yoga", "B", 5, 4)] * 4 + [rated("Yoga", "A", 5, 4)] * 4
    rows += [rated("Yoga", "C", 5, 4)] * 5

    assert [item.label for item in what_helps(rows).by_session] == ["C", "A", "B"]


def test_it_says_what_a_figure_rests_on_in_plain_words() -> None:
    few = what_helps([rated("Sleep", "Wind down", 6, 3)]).by_session[0]
    many = what_helps([rated("Sleep", "Wind down", 6, 3)] * 2 + [rated("Sleep", "Wind down", 4, 5)])
    enough = many.by_session[0]

    assert not few.enough
    assert few.basis == "1 rating: too few to say yet"
    assert few.summary == "6.0 → 3.0: 3.0 points calmer on average"
    assert enough.enough
    assert enough.basis == "3 ratings, calmer after 2"
    assert (enough.lowered, enough.raised) == (2, 1)


@pytest.mark.parametrize(
    ("before", "after", "summary"),
    [
        (5, 5, "5.0 → 5.0: no change on average"),
        (3, 4, "3.0 → 4.0: 1.0 point more anxious on average"),
        (4, 3, "4.0 → 3.0: 1.0 point calmer on average"),
    ],
)
def test_the_summary_names_the_direction(before: int, after: int, summary: str) -> None:
    assert what_helps([rated("Yoga", "Gentle", before, after)]).by_kind[0].summary == summary


def test_no_ratings_help_nothing() -> None:
    found = what_helps([])

    assert found.empty
    assert (found.by_session, found.by_kind, found.ratings) == ([], [], 0)


def test_the_threshold_for_enough_is_a_parameter() -> None:
    rows = [rated("Yoga", "Gentle", 5, 3)] * 2

    assert what_helps(rows, enough=2).by_session[0].enough
    assert not what_helps(rows, enough=3).by_session[0].enough


def test_every_row_together_is_one_figure_in_the_same_words() -> None:
    rows = [
        RatedPractice("Breathing", "Box breathing", 7, 4),
        RatedPractice("Yoga", None, 6, 4),
        RatedPractice("Breathing", None, 5, 6),
    ]

    together = overall(rows, label="All rated practice")

    assert together is not None
    assert (together.label, together.ratings, together.lowered, together.raised) == (
        "All rated practice",
        3,
        2,
        1,
    )
    assert together.summary == "6.0 → 4.7: 1.3 points calmer on average"
    assert together.basis == "3 ratings, calmer after 2"
    assert overall([], label="All rated practice") is None
