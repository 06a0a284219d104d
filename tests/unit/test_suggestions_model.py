"""The pooled model: the rules as its prior, pooling strength estimated from data, shrinkage of a
patient's effects while they have few ratings, regression to the mean, habituation."""

from __future__ import annotations

import numpy as np
import pytest

from tests.suggestion_cases import context, mixed_catalog, rating, session, simulated_ratings
from wellness.suggestions.engine import engine_plan, fit_clinic, rules_plan
from wellness.suggestions.features import EFFECT_GROUPS, HABITUATION, catalog_index
from wellness.suggestions.inputs import SafetyLimits
from wellness.suggestions.model import Prior, personalise, predict

LIMITS = SafetyLimits()
CATALOG = mixed_catalog(36, seed=5)


def group_sd(clinic: object, name: str) -> float:
    start = 0
    for group, width in EFFECT_GROUPS:
        if group == name:
            return float(np.sqrt(clinic.effect_variance[start]))  # type: ignore[attr-defined]
        start += width
    raise KeyError(name)


def test_without_ratings_the_model_is_its_prior() -> None:
    clinic = fit_clinic([], CATALOG)
    assert clinic.ratings == clinic.patients == 0
    assert clinic.mean == pytest.approx(Prior().mean())


def test_a_new_patient_at_a_new_clinic_is_offered_what_the_rules_offer() -> None:
    clinic = fit_clinic([], CATALOG)
    for anxiety in (None, 1, 5, 7, 9):
        ctx = context(anxiety=anxiety)
        rules = rules_plan(CATALOG, ctx, limits=LIMITS, count=4)
        index = catalog_index(CATALOG)
        learned = engine_plan(CATALOG, ctx, clinic, limits=LIMITS, rng=0, count=4)
        rows = np.array([index.position[item.session_id] for item in learned.safe.sessions])
        expected = predict(
            clinic,
            personalise(clinic, index, 1, ()),
            index,
            rows,
            level=rules.safe.anxiety,
            hour=15,
        ).mean
        best = [learned.safe.sessions[at].session_id for at in np.argsort(expected, kind="stable")]
        assert [item.session_id for item in rules.shown] == best[: len(rules.shown)]


@pytest.mark.parametrize(("kind_sd", "low", "high"), [(0.0, 0.0, 0.15), (0.8, 0.55, 1.05)])
def test_how_much_patients_differ_is_estimated_from_the_data(
    kind_sd: float, low: float, high: float
) -> None:
    ratings, _ = simulated_ratings(CATALOG, patients=80, per_patient=40, kind_sd=kind_sd, seed=2)
    clinic = fit_clinic(ratings, CATALOG)
    assert low <= group_sd(clinic, "kind") <= high
    assert 0.25 <= group_sd(clinic, "intercept") <= 0.6  # the simulated offsets have SD 0.4
    assert 0.85 <= clinic.noise_variance <= 1.4  # rating noise SD 1 plus rounding


def test_the_fully_pooled_model_has_no_patient_effects() -> None:
    ratings, _ = simulated_ratings(CATALOG, patients=20, per_patient=20, kind_sd=0.8, seed=3)
    clinic = fit_clinic(ratings, CATALOG, personal=False)
    assert not clinic.effect_variance.any()
    assert clinic.own_session_variance == 0
    patient = personalise(clinic, catalog_index(CATALOG), 1, ratings)
    assert not patient.effect_mean.any()


def test_a_patients_own_effects_grow_with_their_ratings() -> None:
    """Shrinkage: two ratings move a patient's prediction a little, twenty move it a lot."""
    others, _ = simulated_ratings(CATALOG, patients=60, per_patient=30, kind_sd=0.5, seed=4)
    yoga = [item for item in CATALOG if item.kind == "yoga" and not item.contraindications][:2]
    index = catalog_index(CATALOG)
    rows = np.array([index.position[yoga[0].session_id]])
    moves = []
    for count in (0, 2, 20):
        mine = [rating(500, yoga[n % 2].session_id, 6, 2, day=n) for n in range(count)]
        clinic = fit_clinic(others + mine, CATALOG)
        patient = personalise(clinic, index, 500, mine)
        prediction = predict(clinic, patient, index, rows, level=6, hour=15)
        moves.append(float(prediction.mean[0] - prediction.clinic_mean[0]))
    assert moves[0] == pytest.approx(0)
    assert moves[2] < moves[1] < -0.1
    assert moves[2] < -1.0


def test_high_ratings_falling_anyway_do_not_flatter_what_is_done_at_high_distress() -> None:
    """Session 1 is always done at 9/10, session 2 at 3/10; both work the same, but the rating
    falls more from 9 (regression to the mean). Raw averages favour session 1 by 1.8 points."""
    catalog = [session(1, "body_scan", 15), session(2, "body_scan", 15, guidance="silent")]
    rng = np.random.default_rng(0)
    ratings = []
    for patient in range(1, 41):
        for day in range(10):
            for session_id, before in ((1, 9), (2, 3)):
                change = -0.5 - 0.3 * (before - 5) + rng.normal(0, 0.8)
                after = int(np.clip(round(before + change), 0, 10))
                ratings.append(rating(patient, session_id, before, after, day=day))
    raw = {
        key: np.mean([r.after - r.before for r in ratings if r.session_id == key]) for key in (1, 2)
    }
    assert raw[2] - raw[1] > 1.5
    clinic = fit_clinic(ratings, catalog)
    index = catalog_index(catalog)
    model = personalise(clinic, index, 99, ())
    at_five = predict(clinic, model, index, np.array([0, 1]), level=5, hour=15).mean
    assert abs(at_five[0] - at_five[1]) < 0.3


def test_repetition_is_learned_as_habituation() -> None:
    catalog = [session(n, "body_scan", 15) for n in range(1, 5)]
    rng = np.random.default_rng(1)
    ratings = []
    for patient in range(1, 31):
        done = dict.fromkeys(range(1, 5), 0)
        for day in range(30):
            chosen = int(rng.integers(1, 5))
            change = -2.0 + 0.4 * np.log1p(done[chosen]) + rng.normal(0, 0.7)
            ratings.append(
                rating(patient, chosen, 6, int(np.clip(round(6 + change), 0, 10)), day=day)
            )
            done[chosen] += 1
    clinic = fit_clinic(ratings, catalog)
    assert clinic.mean[HABITUATION] == pytest.approx(0.4, abs=0.15)


def test_malformed_ratings_are_skipped() -> None:
    catalog = [session(1), session(2)]
    good = [rating(1, 1, 6, 4)]
    bad = [rating(1, 1, 11, 4), rating(1, 1, 6, -1), rating(1, 99, 6, 4), rating(1, 2, True, 4)]
    clinic = fit_clinic(good + bad, catalog)
    assert clinic.ratings == 1
    assert clinic.session_ratings == {1: 1}
    assert personalise(clinic, catalog_index(catalog), 1, good + bad).ratings == 1


def test_fitting_a_clinic_of_a_hundred_patients_over_a_month_is_quick() -> None:
    ratings, _ = simulated_ratings(CATALOG, patients=100, per_patient=30, kind_sd=0.5, seed=6)
    clinic = fit_clinic(ratings, CATALOG)
    assert clinic.ratings == 3000
    assert clinic.iterations < 200


def test_a_warm_start_from_an_earlier_fit_reaches_the_same_fit_in_fewer_steps() -> None:
    ratings, _ = simulated_ratings(CATALOG, patients=60, per_patient=30, kind_sd=0.5, seed=7)
    earlier = fit_clinic(ratings[:-60], CATALOG)
    warm = fit_clinic(ratings, CATALOG, start=earlier)
    cold = fit_clinic(ratings, CATALOG)
    assert warm.iterations < cold.iterations
    assert warm.effect_variance == pytest.approx(cold.effect_variance, rel=0.05, abs=1e-3)
    assert warm.mean == pytest.approx(cold.mean, abs=0.01)


def test_sessions_that_do_more_than_their_attributes_say_are_learned_clinic_wide() -> None:
    catalog = [session(n, "body_scan", 15) for n in range(1, 9)]
    rng = np.random.default_rng(3)
    ratings = []
    for patient in range(1, 41):
        for day in range(16):
            chosen = int(rng.integers(1, 9))
            change = (-2.0 if chosen == 3 else -0.5) + rng.normal(0, 0.8)
            ratings.append(
                rating(patient, chosen, 6, int(np.clip(round(6 + change), 0, 10)), day=day)
            )
    clinic = fit_clinic(ratings, catalog)
    index = catalog_index(catalog)
    newcomer = personalise(clinic, index, 999, ())
    expected = predict(clinic, newcomer, index, np.arange(8), level=6, hour=15).mean
    assert int(np.argmin(expected)) == 2
    assert expected[2] < np.median(expected) - 1.0


def test_a_patients_own_response_to_a_posture_carries_to_sessions_they_have_not_rated() -> None:
    """Some patients are calmed lying down and not seated (or the reverse), whatever the kind:
    what a patient's lying sessions did shows in a lying session of another kind."""
    kinds = ("breathing", "meditation", "body_scan", "yoga")
    catalog = [
        session(10 * number + offset, kind, 12, posture=posture)
        for number, kind in enumerate(kinds, start=1)
        for offset, posture in ((1, "seated"), (2, "lying"))
    ]
    rng = np.random.default_rng(8)
    ratings = []
    for patient in range(1, 61):  # a clinic whose patients differ by posture, SD 0.8
        prefers_lying = rng.normal(0, 0.8)
        for day in range(24):
            chosen = catalog[int(rng.integers(len(catalog)))]
            change = -0.8 - (prefers_lying if chosen.posture == "lying" else 0.0)
            after = int(np.clip(round(6 + change + rng.normal(0, 1.0)), 0, 10))
            ratings.append(rating(patient, chosen.session_id, 6, after, day=day))
    # Patient 500 is calmed lying down (by 3 points) and not seated, in three kinds of session.
    mine = [
        rating(500, 10 * number + offset, 6, 3 if offset == 2 else 6, day=day)
        for day in range(3)
        for number in (1, 2, 3)
        for offset in (1, 2)
    ]
    clinic = fit_clinic(ratings + mine, catalog)
    index = catalog_index(catalog)
    yoga = np.array([index.position[41], index.position[42]])  # seated, lying: never rated
    model = personalise(clinic, index, 500, mine)
    prediction = predict(clinic, model, index, yoga, level=6, hour=15)
    assert abs(prediction.clinic_mean[1] - prediction.clinic_mean[0]) < 0.3
    assert prediction.mean[1] < prediction.mean[0] - 1.0
    assert group_sd(clinic, "posture") > 0.3
