"""When the clinic-wide layer is fitted again (`suggestions.refits`)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from wellness.suggestions.refits import RatingsMark, RefitSchedule, refit_due

SCHEDULE = RefitSchedule(growth=0.05, least_new=4, settle_after=600.0)


def due(fitted: int, current: int, age: float, newest: int | None = None) -> bool:
    return refit_due(
        RatingsMark(fitted, fitted or None),
        RatingsMark(current, newest if newest is not None else current or None),
        age,
        SCHEDULE,
    )


def test_growth_by_the_share_is_due_at_once() -> None:
    assert due(1000, 1050, age=0)
    assert not due(1000, 1049, age=599)


def test_a_small_clinic_waits_for_the_least_number_of_new_ratings() -> None:
    assert not due(0, 3, age=0)
    assert due(0, 4, age=0)
    assert not due(20, 23, age=0)
    assert due(20, 24, age=0)


def test_any_change_is_due_once_the_fit_has_settled() -> None:
    assert not due(1000, 1001, age=599.9)
    assert due(1000, 1001, age=600)


def test_a_deletion_is_due_at_once() -> None:
    assert due(1000, 999, age=0)


def test_the_same_count_with_other_ratings_is_a_deletion_and_due_at_once() -> None:
    # one rating deleted and another added: same count, a newer id
    assert not due(1000, 1000, age=10_000, newest=1000)
    assert due(1000, 1000, age=0, newest=1001)


def test_an_adopted_check_in_and_a_deletion_show_in_the_sum_of_ids() -> None:
    # A practice adopted check-in 40 (below the newest, 90) while rating 70 was deleted.
    fitted = RatingsMark(3, 90, id_sum=10 + 70 + 90)
    current = RatingsMark(3, 90, id_sum=10 + 40 + 90)

    assert refit_due(fitted, current, 0, SCHEDULE)
    assert not refit_due(fitted, fitted, 10_000, SCHEDULE)


@given(
    fitted=st.integers(0, 10**6),
    added=st.integers(-(10**6), 10**6),
    age=st.floats(0, 10**7, allow_nan=False),
)
def test_an_unchanged_clinic_is_never_due_and_a_grown_one_always_is_eventually(
    fitted: int, added: int, age: float
) -> None:
    current = max(0, fitted + added)
    same = RatingsMark(fitted, fitted)
    assert not refit_due(same, same, age, SCHEDULE)
    if current != fitted:
        assert refit_due(same, RatingsMark(current, current), max(age, 600.0), SCHEDULE)
