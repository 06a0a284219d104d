"""Choosing the list: exact inclusion probabilities within a floor and a ceiling, due practices
first, pins favoured, yesterday's session set aside unless it clearly works, seeds honoured."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.suggestion_cases import YESTERDAY, context, mixed_catalog, rating, session
from wellness.suggestions.choice import (
    ChoiceSettings,
    bounded_inclusion,
    sample_with_inclusion,
    thompson_inclusion,
)
from wellness.suggestions.engine import ENGINE_VERSION, engine_plan, fit_clinic, rules_only, suggest
from wellness.suggestions.inputs import (
    DueItem,
    PatientContext,
    PracticeDone,
    SafetyLimits,
    SessionFacts,
)
from wellness.suggestions.model import ClinicModel

LIMITS = SafetyLimits()


def test_thompson_inclusion_counts_the_share_of_draws_each_candidate_is_among_the_best() -> None:
    samples = np.array([[0.0, 1.0, 2.0, 3.0], [3.0, 2.0, 1.0, 0.0], [0.0, 3.0, 1.0, 2.0]])
    assert thompson_inclusion(samples, 2).tolist() == pytest.approx([2 / 3, 1 / 3, 2 / 3, 1 / 3])
    assert thompson_inclusion(samples, 4).tolist() == [1, 1, 1, 1]


@given(
    thompson=st.lists(st.floats(0, 1), min_size=1, max_size=60),
    slots=st.integers(1, 5),
    exploration=st.floats(0, 1),
    ceiling=st.floats(0.05, 1),
)
def test_bounded_probabilities_sum_to_the_slots_within_floor_and_ceiling(
    thompson: list[float], slots: int, exploration: float, ceiling: float
) -> None:
    raw = np.array(thompson)
    if raw.sum() > 0:
        raw = raw * min(slots, len(raw)) / raw.sum()
    bounded = bounded_inclusion(raw, slots, exploration, ceiling)
    count = len(raw)
    assert bounded.sum() == pytest.approx(min(slots, count))
    if slots < count:
        floor = exploration * slots / count
        assert bounded.min() >= floor - 1e-9
        assert bounded.max() <= max(ceiling, slots / count) + 1e-9


def test_sampling_shows_each_unit_with_exactly_its_probability() -> None:
    probabilities = np.array([0.9, 0.05, 0.6, 0.3, 1.0, 0.15])  # sums to 3
    rng = np.random.default_rng(0)
    counts = np.zeros(6)
    runs = 20_000
    for _ in range(runs):
        chosen = sample_with_inclusion(probabilities, rng)
        assert len(set(chosen.tolist())) == 3
        counts[chosen] += 1
    assert counts / runs == pytest.approx(probabilities, abs=0.012)


def test_the_logged_probability_is_the_chance_the_policy_shows_the_session() -> None:
    """Over many seeds, each session's shown-minus-logged-probability averages to zero: the
    probabilities are those of the policy actually run, not of an idealised one."""
    catalog = [
        session(n, kind, minutes)
        for n, (kind, minutes) in enumerate(
            [
                ("breathing", 6),
                ("grounding", 8),
                ("body_scan", 15),
                ("yoga", 20),
                ("meditation", 12),
                ("breathing", 9),
                ("body_scan", 25),
                ("sleep", 20),
                ("grounding", 5),
                ("yoga", 12),
            ],
            start=1,
        )
    ]
    mine = [rating(1, 3, 6, 3, day=day) for day in range(3)]
    clinic = fit_clinic(mine, catalog)
    ctx = context(anxiety=5, ratings=mine)
    runs = 1500
    surplus = np.zeros(len(catalog) + 1)
    logged = np.zeros(len(catalog) + 1)
    for seed in range(runs):
        plan = engine_plan(catalog, ctx, clinic, limits=LIMITS, rng=seed, count=3)
        shown = {item.session_id for item in plan.shown}
        for session_id, probability in plan.probability.items():
            surplus[session_id] += (session_id in shown) - probability
            logged[session_id] += probability
    # Each term is a centred Bernoulli: the sum's SD is at most sqrt(runs) / 2 (about 19).
    assert np.abs(surplus).max() < 4 * np.sqrt(runs) / 2
    assert logged[1:].min() / runs >= ChoiceSettings().exploration * 3 / len(catalog) - 1e-9
    assert logged[1:].max() / runs <= ChoiceSettings().ceiling + 1e-9


def test_the_same_seed_gives_the_same_list_and_other_seeds_explore() -> None:
    catalog = mixed_catalog(40)
    clinic = fit_clinic([], catalog)
    ctx = context(anxiety=4)
    first = suggest(catalog, ctx, clinic, limits=LIMITS, rng=42)
    assert suggest(catalog, ctx, clinic, limits=LIMITS, rng=42) == first
    assert first.engine_version == ENGINE_VERSION
    lists = {
        tuple(
            item.session_id for item in suggest(catalog, ctx, clinic, limits=LIMITS, rng=seed).items
        )
        for seed in range(200)
    }
    # The floor explores: about one list in eight shows a session off the top of the ranking.
    assert len(lists) > 5
    thompson = ChoiceSettings(spread=1.0)
    drawn = {
        tuple(
            item.session_id
            for item in suggest(
                catalog, ctx, clinic, limits=LIMITS, rng=seed, settings=thompson
            ).items
        )
        for seed in range(20)
    }
    assert len(drawn) > 5  # full-width Thompson draws explore far more


@pytest.mark.parametrize(("asked", "shown"), [(1, 3), (3, 3), (4, 4), (5, 5), (9, 5)])
def test_three_to_five_sessions_are_shown(asked: int, shown: int) -> None:
    catalog = mixed_catalog(40)
    answer = suggest(
        catalog, context(anxiety=3), fit_clinic([], catalog), limits=LIMITS, count=asked
    )
    assert len(answer.items) == shown
    assert len(rules_only(catalog, context(anxiety=3), limits=LIMITS, count=asked).items) == shown


def test_due_practices_come_first_each_the_best_safe_match() -> None:
    catalog = [
        session(1, "yoga", 30),
        session(2, "breathing", 6),
        session(3, "breathing", 15),
        session(4, "body_scan", 12),
        session(5, "grounding", 8),
        session(6, "meditation", 10),
    ]
    due = (
        DueItem(11, 4),
        DueItem(12, None, kind="breathing", max_minutes=10),
        DueItem(13, 99),  # not in the catalog: left out
    )
    answer = suggest(catalog, context(anxiety=3, due=due), fit_clinic([], catalog), limits=LIMITS)
    assert [
        (item.session_id, item.assignment_id, item.probability) for item in answer.items[:2]
    ] == [
        (4, 11, 1.0),
        (2, 12, 1.0),
    ]
    assert all(item.assignment_id is None for item in answer.items[2:])


def test_a_due_practice_that_is_unsafe_now_is_not_suggested() -> None:
    catalog = [session(1, "yoga", 30), session(2, "breathing", 6), session(3, "grounding", 5)]
    answer = suggest(
        catalog, context(anxiety=9, due=(DueItem(11, 1),)), fit_clinic([], catalog), limits=LIMITS
    )
    assert {item.session_id for item in answer.items} == {2, 3}


def shown_counts(
    catalog: list[SessionFacts], ctx: PatientContext, clinic: ClinicModel, runs: int = 200
) -> dict[int, int]:
    counts: dict[int, int] = {}
    for seed in range(runs):
        for item in suggest(catalog, ctx, clinic, limits=LIMITS, rng=seed, count=3).items:
            counts[item.session_id] = counts.get(item.session_id, 0) + 1
    return counts


def test_a_pinned_session_is_shown_more_often() -> None:
    catalog = [session(n, "body_scan", 15) for n in range(1, 11)]
    clinic = fit_clinic([], catalog)
    plain = shown_counts(catalog, context(anxiety=4), clinic)
    pinned = shown_counts(catalog, context(anxiety=4, pinned=frozenset({7})), clinic)
    assert pinned.get(7, 0) > 2 * plain.get(7, 0)


def test_yesterdays_session_is_set_aside() -> None:
    catalog = [session(n, "body_scan", 15) for n in range(1, 11)]
    history = (PracticeDone(4, YESTERDAY, True),)
    counts = shown_counts(catalog, context(anxiety=4, history=history), fit_clinic([], catalog))
    assert counts.get(4, 0) == 0
    plan = engine_plan(
        catalog, context(anxiety=4, history=history), fit_clinic([], catalog), limits=LIMITS
    )
    assert plan.probability[4] == 0.0


def test_yesterdays_session_returns_when_it_clearly_works_for_this_patient() -> None:
    catalog = [session(n, "body_scan", 15) for n in range(1, 11)]
    mine = [rating(1, 4, 7, 2, day=day) for day in range(6)]
    mine += [rating(1, n, 6, 6, day=10 + n) for n in (1, 2, 3, 5, 6)]
    clinic = fit_clinic(mine, catalog)
    ctx = context(anxiety=6, ratings=mine, history=(PracticeDone(4, YESTERDAY, True),))
    assert shown_counts(catalog, ctx, clinic, runs=50).get(4, 0) > 25
    assert 4 not in {item.session_id for item in rules_only(catalog, ctx, limits=LIMITS).items}


def test_yesterdays_session_stays_when_nothing_else_is_safe() -> None:
    catalog = [session(1, "breathing", 6), session(2, "grounding", 5), session(3, "yoga", 30)]
    ctx = context(anxiety=9, history=(PracticeDone(1, YESTERDAY, True),))
    answer = suggest(catalog, ctx, fit_clinic([], catalog), limits=LIMITS)
    assert {item.session_id for item in answer.items} == {1, 2}


def test_rules_only_is_deterministic_and_certain() -> None:
    catalog = mixed_catalog(40)
    first = rules_only(catalog, context(anxiety=8), limits=LIMITS)
    assert first == rules_only(catalog, context(anxiety=8), limits=LIMITS)
    assert {item.probability for item in first.items} == {1.0}


def test_what_a_patient_has_found_calming_is_offered_more() -> None:
    """Two patients, each calmed by a different kind: the engine learns each one's."""
    catalog = [session(n, kind, 12) for n, kind in enumerate(["yoga", "body_scan"] * 5, start=1)]
    yoga = [
        rating(1, n, 6, 3 if n % 2 else 6, day=n * 3 + k) for n in range(1, 11) for k in range(2)
    ]
    scan = [
        rating(2, n, 6, 6 if n % 2 else 3, day=n * 3 + k) for n in range(1, 11) for k in range(2)
    ]
    clinic = fit_clinic(yoga + scan, catalog)
    for patient, mine, calming in ((1, yoga, 1), (2, scan, 0)):
        counts = shown_counts(
            catalog, context(patient_id=patient, anxiety=5, ratings=mine), clinic, 60
        )
        fitting = sum(count for key, count in counts.items() if key % 2 == calming)
        assert fitting > 0.75 * sum(counts.values())
