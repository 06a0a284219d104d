"""When a rating raises a safety alert, at the clinic's thresholds. Pure."""

from __future__ import annotations

import pytest

from wellness.care.policy import (
    AlertCause,
    AlertReason,
    AlertThresholds,
    for_gad7,
    for_rating,
    for_session,
)

DEFAULT = AlertThresholds()


def reasons(causes: list[AlertCause]) -> list[AlertReason]:
    return [cause.reason for cause in causes]


def test_a_rating_of_7_raises_nothing_and_8_raises_high_distress() -> None:
    assert for_rating(7, DEFAULT) is None

    cause = for_rating(8, DEFAULT)

    assert cause is not None
    assert (cause.reason, cause.value) == (AlertReason.HIGH_DISTRESS, 8)
    assert cause.detail == "Rated distress 8/10"


def test_the_clinic_can_move_the_alert_level() -> None:
    stricter = AlertThresholds(alert_level=6)

    assert for_rating(5, stricter) is None
    assert for_rating(6, stricter) is not None
    assert for_rating(9, AlertThresholds(alert_level=10)) is None


def test_feeling_worse_by_2_after_a_session_raises_nothing() -> None:
    assert for_session(3, 5, DEFAULT) == []


def test_feeling_worse_by_3_after_a_session_raises_an_alert() -> None:
    causes = for_session(2, 5, DEFAULT)

    assert reasons(causes) == [AlertReason.WORSE_AFTER_SESSION]
    assert causes[0].value == 5
    assert causes[0].detail == "Rated 2/10 before a session and 5/10 after"


def test_high_and_markedly_worse_at_once_raise_both() -> None:
    causes = for_session(4, 9, DEFAULT)

    assert reasons(causes) == [AlertReason.HIGH_DISTRESS, AlertReason.WORSE_AFTER_SESSION]
    assert {cause.value for cause in causes} == {9}


def test_high_after_but_barely_worse_raises_only_high_distress() -> None:
    assert reasons(for_session(7, 8, DEFAULT)) == [AlertReason.HIGH_DISTRESS]


@pytest.mark.parametrize(("before", "after"), [(8, 2), (5, 5), (None, 5), (None, 0)])
def test_feeling_better_the_same_or_unrated_before_raises_nothing(
    before: int | None, after: int
) -> None:
    assert for_session(before, after, DEFAULT) == []


def test_an_after_rating_without_a_before_can_still_be_high() -> None:
    assert reasons(for_session(None, 8, DEFAULT)) == [AlertReason.HIGH_DISTRESS]


def test_the_clinic_can_move_the_worse_by_threshold() -> None:
    gentle = AlertThresholds(worse_by=2)

    assert reasons(for_session(3, 5, gentle)) == [AlertReason.WORSE_AFTER_SESSION]
    assert for_session(3, 4, gentle) == []


def test_a_gad7_of_14_raises_nothing_and_15_is_severe() -> None:
    assert for_gad7(14) is None

    cause = for_gad7(15)

    assert cause is not None
    assert (cause.reason, cause.value, cause.detail) == (
        AlertReason.SEVERE_GAD7,
        15,
        "GAD-7 total 15/21",
    )
    assert for_gad7(21) is not None
    assert for_gad7(0) is None


def test_every_reason_has_a_label() -> None:
    assert {reason: reason.label for reason in AlertReason} == {
        AlertReason.HIGH_DISTRESS: "High distress rating",
        AlertReason.SEVERE_GAD7: "GAD-7 in the severe range",
        AlertReason.WORSE_AFTER_SESSION: "Markedly worse after a session",
    }
