"""Reasons in plain words: each wording case, and no claim of personal evidence not there."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.suggestion_cases import NOW, context, rating, session
from wellness.suggestions.attributes import traits
from wellness.suggestions.engine import fit_clinic, rules_only, suggest
from wellness.suggestions.inputs import DueItem, SafetyLimits
from wellness.suggestions.reasons import (
    CURRENT_FOR,
    Evidence,
    is_current,
    kind_reason,
    own_reason,
    points,
    posture_reason,
    reasons,
    rules_reasons,
)

BREATHING = traits(session(1, "breathing", 6))
NO_RATINGS = {"own_count": 0, "own_change": math.nan, "kind_count": 0, "kind_change": math.nan}


def evidence(**changes: object) -> Evidence:
    values: dict[str, object] = {
        "traits": BREATHING,
        "anxiety": 5,
        "rules_fit": 0.0,
        **NO_RATINGS,
        "clinic_count": 0,
        "clinic_drops": 0,
        "done_before": False,
        "anxiety_current": True,
    }
    values.update(changes)
    return Evidence(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (2, "2 points"),
        (-2, "2 points"),
        (1, "1 point"),
        (-0.9, "1 point"),
        (0.5, "half a point"),
        (0.3, "half a point"),
        (1.5, "1.5 points"),
        (1.26, "1.5 points"),
        (3.74, "3.5 points"),
    ],
)
def test_points_are_said_to_the_nearest_half(amount: float, words: str) -> None:
    assert points(amount) == words


@pytest.mark.parametrize(
    ("count", "change", "words"),
    [
        (1, -2.0, "Last time, this lowered your rating by 2 points"),
        (1, -1.0, "Last time, this lowered your rating by 1 point"),
        (1, 1.0, "Last time, your rating rose by 1 point after this"),
        (1, 0.0, "Last time, your rating stayed the same after this"),
        (4, -2.0, "The last 4 times, this lowered your rating by 2 points on average"),
        (3, -0.5, "The last 3 times, this lowered your rating by half a point on average"),
        (2, 1.5, "The last 2 times, your rating rose by 1.5 points on average after this"),
        (5, 0.2, "The last 5 times, your rating stayed about the same after this"),
    ],
)
def test_own_ratings_are_told_with_their_count_and_direction(
    count: int, change: float, words: str
) -> None:
    assert own_reason(count, change) == words


def test_without_own_ratings_nothing_personal_is_claimed() -> None:
    assert own_reason(0, math.nan) is None
    assert own_reason(0, -2.0) is None
    assert kind_reason("breathing", 1, -3.0) is None  # one rating of a kind is not a pattern
    assert kind_reason("breathing", 5, 0.5) is None  # a kind that did not calm is not a reason
    assert kind_reason("breathing", 6, -1.5) == (
        "Breathing sessions have lowered your rating by 1.5 points on average (6 times)"
    )


def test_a_posture_is_a_reason_only_when_it_has_clearly_calmed_the_patient_more() -> None:
    assert posture_reason("lying", 6, -2.0, -0.5) == (
        "Sessions lying down have lowered your rating by 2 points on average (6 times), "
        "more than your other sessions"
    )
    assert posture_reason("standing", 3, -1.5, -0.9) == (
        "Standing sessions have lowered your rating by 1.5 points on average (3 times), "
        "more than your other sessions"
    )
    assert posture_reason("lying", 2, -3.0, 0.0) is None  # two ratings are not a pattern
    assert posture_reason("seated", 9, -1.0, -0.8) is None  # no better than the others
    assert posture_reason("lying", 6, -0.2, 1.0) is None  # hardly calming at all
    assert posture_reason("lying", 6, -2.0, math.nan) is None  # nothing else to compare with
    assert posture_reason("", 6, -2.0, 0.0) is None  # an unknown posture is not named


def test_a_posture_reason_follows_the_kind_and_gives_way_to_own_ratings() -> None:
    lying = traits(session(4, "body_scan", 15, posture="lying"))
    posture = {"posture_count": 5, "posture_change": -2.0, "others_change": 0.0}
    found = reasons(
        evidence(traits=lying, kind_count=3, kind_change=-1.0, clinic_count=0, **posture)
    )
    assert found[:2] == (
        "Body scans have lowered your rating by 1 point on average (3 times)",
        "Sessions lying down have lowered your rating by 2 points on average (5 times), "
        "more than your other sessions",
    )
    own = reasons(evidence(traits=lying, own_count=2, own_change=-1.0, **posture))
    assert not any("lying down" in line for line in own)


def test_a_new_session_says_new_and_what_the_clinic_found_only_with_enough_ratings() -> None:
    assert reasons(evidence(clinic_count=12, clinic_drops=9)) == (
        "New for you: people here often find it calming",
    )
    assert reasons(evidence(clinic_count=4, clinic_drops=4)) == (
        "New for you: a chance to find out whether it helps you",
    )
    assert reasons(evidence(clinic_count=12, clinic_drops=5)) == (
        "New for you: a chance to find out whether it helps you",
    )


def test_a_session_done_before_but_never_rated_is_not_new() -> None:
    assert reasons(evidence(done_before=True, clinic_count=12, clinic_drops=9)) == (
        "People here often find it calming",
    )
    assert reasons(evidence(done_before=True)) == ("You have done this before",)


def test_own_ratings_come_before_the_clinic_and_replace_it() -> None:
    found = reasons(
        evidence(own_count=4, own_change=-2.0, done_before=True, clinic_count=30, clinic_drops=25)
    )
    assert found == ("The last 4 times, this lowered your rating by 2 points on average",)


def test_at_high_distress_the_rating_comes_first() -> None:
    found = reasons(evidence(anxiety=8, rules_fit=1.0, own_count=1, own_change=-3.0))
    assert found[0] == "Your anxiety is 8/10: a short slow-breathing session"
    assert found[1] == "Last time, this lowered your rating by 3 points"


def test_at_lower_levels_the_rating_is_a_closing_reason_and_only_for_a_good_fit() -> None:
    body_scan = traits(session(2, "body_scan", 15))
    found = reasons(evidence(traits=body_scan, anxiety=5, rules_fit=0.7))
    assert found[-1] == "Your anxiety is 5/10: a 15-minute body scan suits a moderate level"
    low = reasons(evidence(traits=traits(session(3, "meditation", 30)), anxiety=2, rules_fit=0.5))
    assert low[-1] == "Your anxiety is 2/10: a good moment for a 30-minute meditation"
    assert not any("anxiety" in line for line in reasons(evidence(anxiety=5, rules_fit=0.2)))


def test_a_rating_older_than_an_hour_is_told_as_the_last_one_given() -> None:
    found = reasons(evidence(anxiety=8, rules_fit=1.0, anxiety_current=False))
    assert found[0] == "You last rated your anxiety 8/10: a short slow-breathing session"
    older = reasons(evidence(anxiety=5, rules_fit=0.7, anxiety_current=False))
    assert (
        older[-1]
        == "You last rated your anxiety 5/10: a short slow-breathing session suits a moderate level"
    )


@pytest.mark.parametrize(
    ("rated_at", "current"),
    [
        (NOW, True),
        (NOW - CURRENT_FOR, True),
        (NOW - CURRENT_FOR - timedelta(seconds=1), False),
        (NOW + timedelta(minutes=1), False),  # a clock ahead of the server's: not trusted
        (NOW.replace(tzinfo=None), False),
        (None, False),
        ("2026-12-05T09:00:00+00:00", False),
    ],
)
def test_only_a_rating_from_the_last_hour_is_current(rated_at: object, current: bool) -> None:
    assert is_current(rated_at, NOW) is current


def test_the_engine_tells_an_hours_old_rating_in_the_past() -> None:
    catalog = [session(1, "breathing", 6), session(2, "grounding", 8), session(3, "body_scan", 9)]
    clinic = fit_clinic([], catalog)
    for minutes_ago, opening in (
        (5, "Your anxiety is 8/10"),
        (61, "You last rated your anxiety 8/10"),
    ):
        answer = suggest(
            catalog,
            context(anxiety=8, rated_minutes_ago=minutes_ago),
            clinic,
            limits=SafetyLimits(),
            rng=1,
        )
        assert all(item.reasons[0].startswith(opening) for item in answer.items), answer


def test_the_therapists_request_comes_first() -> None:
    assert reasons(evidence(due=True, anxiety=8, rules_fit=1.0))[0] == (
        "Your therapist asked you to do this today"
    )
    assert reasons(evidence(due=True, due_kind=True))[0] == (
        "Your therapist asked for a breathing session today: this one fits"
    )
    assert "Your care team recommends this session" in reasons(evidence(pinned=True))


def test_rules_only_reasons_never_mention_ratings() -> None:
    assert rules_reasons(evidence(own_count=4, own_change=-2.0, anxiety=8, rules_fit=1.0)) == (
        "Your anxiety is 8/10: a short slow-breathing session",
    )
    assert rules_reasons(evidence(anxiety=None)) == ("Suggested by the clinic's general guidance",)


@given(
    anxiety=st.one_of(st.none(), st.integers(0, 10)),
    fit=st.floats(-1, 1),
    clinic=st.integers(0, 50),
    drops=st.integers(0, 50),
    kind_count=st.integers(0, 1),
    posture_count=st.integers(0, 2),
    done=st.booleans(),
    due=st.booleans(),
    pinned=st.booleans(),
)
def test_no_reason_claims_ratings_the_patient_never_gave(
    anxiety: int | None,
    fit: float,
    clinic: int,
    drops: int,
    kind_count: int,
    posture_count: int,
    done: bool,
    due: bool,
    pinned: bool,
) -> None:
    found = reasons(
        evidence(
            anxiety=anxiety,
            rules_fit=fit,
            clinic_count=clinic,
            clinic_drops=min(drops, clinic),
            kind_count=kind_count,
            kind_change=-2.0,
            posture_count=posture_count,
            posture_change=-3.0,
            others_change=0.0,
            done_before=done,
            due=due,
            pinned=pinned,
        )
    )
    assert found
    for line in found:
        assert "your rating" not in line
        assert not line.startswith(("Last time", "The last"))
        assert done is False or not line.startswith("New for you")


def test_suggestions_for_a_new_patient_claim_no_personal_evidence() -> None:
    catalog = [
        session(n, kind, minutes)
        for n, (kind, minutes) in enumerate(
            [
                ("breathing", 6),
                ("grounding", 8),
                ("body_scan", 15),
                ("yoga", 20),
                ("meditation", 12),
            ],
            start=1,
        )
    ]
    others = [rating(2, 1, 6, 4, day=day) for day in range(10)]
    clinic = fit_clinic(others, catalog)
    for anxiety in (None, 2, 5, 8):
        answer = suggest(catalog, context(anxiety=anxiety), clinic, limits=SafetyLimits(), rng=4)
        for item in answer.items:
            assert not any("your rating" in line for line in item.reasons), item


def test_a_shown_session_with_own_ratings_quotes_them() -> None:
    catalog = [session(1, "breathing", 6), session(2, "grounding", 8), session(3, "body_scan", 9)]
    mine = [rating(1, 1, 7, 5, day=day) for day in range(4)]
    clinic = fit_clinic(mine, catalog)
    answer = suggest(catalog, context(anxiety=8, ratings=mine), clinic, limits=SafetyLimits())
    by_id = {item.session_id: item.reasons for item in answer.items}
    assert by_id[1] == (
        "Your anxiety is 8/10: a short slow-breathing session",
        "The last 4 times, this lowered your rating by 2 points on average",
    )


def test_due_and_pinned_sessions_say_so_in_both_policies() -> None:
    catalog = [session(n, "body_scan", 15) for n in range(1, 8)]
    ctx = context(anxiety=4, due=(DueItem(7, 3),), pinned=frozenset({5}))
    for answer in (
        suggest(catalog, ctx, fit_clinic([], catalog), limits=SafetyLimits(), rng=1),
        rules_only(catalog, ctx, limits=SafetyLimits()),
    ):
        first = answer.items[0]
        assert (first.session_id, first.assignment_id) == (3, 7)
        assert first.reasons[0] == "Your therapist asked you to do this today"
        pinned = [item for item in answer.items if item.session_id == 5]
        assert not pinned or "Your care team recommends this session" in pinned[0].reasons


def test_an_unrated_session_in_the_posture_that_calms_the_patient_says_so() -> None:
    catalog = [
        session(1, "breathing", 8, posture="seated"),
        session(2, "breathing", 8, posture="lying"),
        session(3, "body_scan", 15, posture="seated"),
        session(4, "body_scan", 15, posture="lying"),
        session(5, "meditation", 12, posture="lying"),
    ]
    # Lying down has calmed this patient by 3 points, seated by none, in two kinds.
    mine = [
        rating(1, session_id, 6, 3 if session_id in (2, 4) else 6, day=day)
        for day in range(3)
        for session_id in (1, 2, 3, 4)
    ]
    clinic = fit_clinic(mine, catalog)
    # All five shown: with four of five, session 5 stays out of about one list in twenty (the
    # ceiling keeps every learned choice below certainty), and the test is about its words.
    answer = suggest(
        catalog, context(anxiety=5, ratings=mine), clinic, limits=SafetyLimits(), count=5
    )
    by_id = {item.session_id: item.reasons for item in answer.items}
    assert 5 in by_id
    assert (
        "Sessions lying down have lowered your rating by 3 points on average (6 times), "
        "more than your other sessions"
    ) in by_id[5]
    assert not any("lying down" in line for line in by_id.get(1, ()) + by_id.get(3, ()))
