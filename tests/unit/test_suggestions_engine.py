"""The engine's entry points together: what the app logs is enough to judge a policy off-policy,
the answer's context, and input the engine must survive."""

from __future__ import annotations

import numpy as np
import pytest

from tests.suggestion_cases import context, mixed_catalog, simulated_ratings
from wellness.suggestions.engine import (
    ENGINE_VERSION,
    RULES_VERSION,
    engine_plan,
    expected_changes,
    fit_clinic,
    rules_only,
    rules_plan,
    suggest,
)
from wellness.suggestions.inputs import SafetyLimits, SessionFacts
from wellness.suggestions.offpolicy import LoggedItem, LoggedList, doubly_robust, snips

LIMITS = SafetyLimits()
CATALOG = mixed_catalog(24, seed=9)
KIND_EFFECT = {"meditation": -0.2, "breathing": -1.2, "yoga": -0.4, "body_scan": -0.9}


def true_change(item: SessionFacts, anxiety: int) -> float:
    return KIND_EFFECT.get(item.kind, -0.6) - 0.2 * (anxiety - 5)


def test_the_engines_logs_estimate_the_rules_only_policy_off_policy() -> None:
    """Lists shown by the engine, a patient who practises one shown session at random: the
    estimates of what rules-only would achieve match rules-only's true mean change. The engine
    shows what it does not rank first only through its 5% floor, so judging another policy
    takes a few thousand lists (1,200 were not enough: SNIPS missed by 0.29)."""
    ratings, _ = simulated_ratings(CATALOG, patients=30, per_patient=20, kind_sd=0.3, seed=5)
    clinic = fit_clinic(ratings, CATALOG)
    rng = np.random.default_rng(8)
    by_id = {item.session_id: item for item in CATALOG}
    logs, targets, predicted, truths = [], [], [], []
    levels = (2, 4, 5, 6)
    rules = {level: rules_plan(CATALOG, context(anxiety=level), limits=LIMITS) for level in levels}
    for number in range(3000):
        level = levels[number % len(levels)]
        ctx = context(anxiety=level)
        plan = engine_plan(CATALOG, ctx, clinic, limits=LIMITS, rng=rng)
        chosen = plan.shown[int(rng.integers(len(plan.shown)))].session_id
        change = true_change(by_id[chosen], level) + float(rng.normal(0, 1))
        shown = tuple(
            LoggedItem(item.session_id, plan.probability[item.session_id]) for item in plan.shown
        )
        logs.append(LoggedList(shown, chosen, change))
        targets.append(rules[level].probability)
        predicted.append(expected_changes(CATALOG, ctx, clinic, limits=LIMITS))
    for level in levels:
        offered = rules[level].shown
        truths.append(np.mean([true_change(item, level) for item in offered]))
    truth = float(np.mean(truths))
    for estimate in (snips(logs, targets), doubly_robust(logs, targets, predicted)):
        assert estimate.value == pytest.approx(truth, abs=0.25)
        assert estimate.low - 0.1 <= truth <= estimate.high + 0.1


def test_the_answer_carries_its_context_and_version() -> None:
    clinic = fit_clinic([], CATALOG)
    answer = suggest(CATALOG, context(anxiety=8), clinic, limits=LIMITS, rng=1)
    assert answer.engine_version == ENGINE_VERSION
    assert answer.context["anxiety"] == 8
    assert answer.context["tier"] == "support"
    assert answer.context["today"] == "2026-11-24"
    assert rules_only(CATALOG, context(anxiety=None), limits=LIMITS).engine_version == RULES_VERSION
    assert rules_only(CATALOG, context(anxiety=None), limits=LIMITS).context["anxiety"] is None


def test_every_safe_session_has_a_probability_and_they_sum_to_the_list_length() -> None:
    clinic = fit_clinic([], CATALOG)
    plan = engine_plan(CATALOG, context(anxiety=4), clinic, limits=LIMITS, rng=3)
    assert set(plan.probability) == {item.session_id for item in plan.safe.sessions}
    assert sum(plan.probability.values()) == pytest.approx(len(plan.shown))
    assert set(expected_changes(CATALOG, context(anxiety=4), clinic, limits=LIMITS)) == set(
        plan.probability
    )


def test_an_empty_catalog_gives_an_empty_list() -> None:
    clinic = fit_clinic([], [])
    assert suggest([], context(), clinic, limits=LIMITS).items == ()
    assert rules_only([], context(), limits=LIMITS).items == ()


def test_a_clinic_fitted_on_another_catalog_still_serves_this_one() -> None:
    ratings, _ = simulated_ratings(CATALOG, patients=10, per_patient=10, kind_sd=0.3, seed=2)
    clinic = fit_clinic(ratings, CATALOG)
    changed = [*CATALOG[5:], *mixed_catalog(8, seed=1)]
    renumbered = [
        SessionFacts(
            **{**{f: getattr(item, f) for f in item.__dataclass_fields__}, "session_id": 900 + n}
        )
        for n, item in enumerate(changed[-8:])
    ]
    catalog = [*changed[:-8], *renumbered]
    own = [item for item in ratings if item.patient_id == 1]
    answer = suggest(catalog, context(anxiety=5, ratings=own), clinic, limits=LIMITS, rng=2)
    assert 3 <= len(answer.items) <= 5
    assert {item.session_id for item in answer.items} <= {item.session_id for item in catalog}
