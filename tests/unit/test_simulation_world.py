"""The simulated clinic's patients: calibration against the notes' ranges, noise, habituation,
traps, taper steps, and determinism under a seed."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest

from wellness.suggestions.simulation.catalog import KINDS, UNKNOWN_KIND
from wellness.suggestions.simulation.clinical_rules import KNOWN_KINDS
from wellness.suggestions.simulation.parameters import Heterogeneity, draw_parameters
from wellness.suggestions.simulation.world import NO_RATING, World, build_world, taper_bumps

SEEDS = range(1, 21)


@pytest.fixture(scope="module")
def worlds() -> list[World]:
    return [build_world(seed, 60, 28, Heterogeneity.MEDIUM) for seed in SEEDS]


def test_an_effective_session_at_before_5_drops_08_to_2_points_on_average(
    worlds: list[World],
) -> None:
    for world in worlds:
        catalog = world.catalog
        known = np.array([k for k in range(len(KINDS)) if k != UNKNOWN_KIND])
        best = int(known[np.argmax(catalog.kind_effect[known])])
        sessions = np.flatnonzero((catalog.kind_index == best) & ~catalog.trap)
        # The average patient: the per-patient terms are drawn with mean zero.
        typical = world.parameters.non_specific + catalog.effect[sessions].mean()
        assert 0.8 <= typical <= 2.0, (world.seed, typical)
        # and the cohort as drawn, which adds its patients' own terms
        repeats = np.zeros(len(catalog.sessions), dtype=int)
        calm = [world.expected_calm(p, 5.0, repeats)[sessions].mean() for p in range(60)]
        assert 0.5 <= np.mean(calm) <= 2.3, (world.seed, np.mean(calm))


def test_parameters_stay_in_the_notes_ranges(worlds: list[World]) -> None:
    for world in worlds:
        p = world.parameters
        assert 0.3 <= p.non_specific <= 0.8
        assert 0.1 <= p.before_slope <= 0.3
        assert 0.01 <= p.habituation <= 0.05
        assert 0.8 <= p.rating_noise_sd <= 1.5
        assert 0.1 <= p.trap_probability <= 0.3
        assert 30 <= len(world.catalog.sessions) <= 60
        traps = world.catalog.trap.mean()
        assert 0.08 <= traps <= 0.22  # 10-20%, rounded to whole sessions
        assert np.all((world.cohort.follow >= 0.40) & (world.cohort.follow <= 0.75))
        assert np.all((world.cohort.rating >= 0.70) & (world.cohort.rating <= 0.80))
        stays = world.cohort.leaves - world.cohort.admitted
        assert stays.min() >= 1
        assert stays.max() <= 42


def test_shares_of_following_rating_and_prone_patients_match_the_notes(worlds: list[World]) -> None:
    chances = np.concatenate([w.chances.follows for w in worlds])
    rated = np.concatenate([w.chances.rated[w.chances.follows] for w in worlds])
    prone = np.concatenate([w.cohort.prone for w in worlds])
    assert 0.50 <= chances.mean() <= 0.65  # mean of U(0.40, 0.75) is 0.575
    assert 0.68 <= rated.mean() <= 0.82  # both ratings with p 0.70-0.80
    assert 0.18 <= prone.mean() <= 0.42


def test_chances_are_one_to_four_a_day_within_each_stay(worlds: list[World]) -> None:
    for world in worlds:
        c = world.chances
        per_day = np.zeros((world.patients, world.days), dtype=int)
        np.add.at(per_day, (c.patient, c.day), 1)
        assert per_day.max() <= 4
        for patient in range(world.patients):
            stay = per_day[patient, world.cohort.admitted[patient] : world.cohort.leaves[patient]]
            assert stay.min() >= 1
            assert per_day[patient].sum() == stay.sum()


def test_ratings_are_whole_numbers_from_0_to_10_with_the_drawn_noise(worlds: list[World]) -> None:
    world = worlds[0]
    c = world.chances
    given = c.anxiety[c.anxiety != NO_RATING]
    assert given.min() >= 0
    assert given.max() <= 10
    middle = (c.anxiety != NO_RATING) & (c.level > 3) & (c.level < 7)  # clipping cannot bite
    spread = float(np.std(c.anxiety[middle] - c.level[middle]))
    rounding = 1 / 12
    expected = np.sqrt(world.parameters.rating_noise_sd**2 + rounding)
    assert spread == pytest.approx(expected, rel=0.1)
    afters = [world.after_rating(chance, 0.0) for chance in range(c.day.size)]
    assert min(afters) >= 0
    assert max(afters) <= 10


def test_clipping_keeps_calm_between_the_floor_and_the_ceiling(worlds: list[World]) -> None:
    world = worlds[0]
    repeats = np.zeros(len(world.catalog.sessions), dtype=int)
    calm_low = world.expected_calm(0, 0.3, repeats)
    calm_high = world.expected_calm(0, 9.8, repeats)
    assert np.all(calm_low <= 0.3)  # distress cannot fall below 0
    assert np.all(calm_high >= 9.8 - 10)  # nor rise above 10
    chance = int(np.argmin(world.chances.level))
    assert world.after_rating(chance, -50.0) == 10
    assert world.after_rating(chance, 50.0) == 0


def test_each_repeat_of_a_session_takes_1_to_5_percent_off_its_effect(worlds: list[World]) -> None:
    world = worlds[0]
    h = world.parameters.habituation
    sessions = len(world.catalog.sessions)
    plain = ~world.cohort.trap_for[0]
    level = 5.0  # the before term is zero: what is left is the habituating part
    first = world.expected_calm(0, level, np.zeros(sessions, dtype=int))
    tenth = world.expected_calm(0, level, np.full(sessions, 9))
    np.testing.assert_allclose(tenth[plain], first[plain] * (1 - h) ** 9)
    positive = plain & (first > 0)
    assert np.all(tenth[positive] < first[positive])


def test_a_contraindicated_session_can_raise_a_prone_patients_distress(worlds: list[World]) -> None:
    caught = 0
    for world in worlds:
        p = world.parameters
        trapped = np.argwhere(world.cohort.trap_for)
        assert np.all(world.cohort.prone[trapped[:, 0]])  # only prone patients are trapped
        for patient, session in trapped[:5]:
            repeats = np.zeros(len(world.catalog.sessions), dtype=int)
            plain = float(world.cohort.base[patient, session])
            expected = (1 - p.trap_probability) * plain - p.trap_probability * 2.0
            assert world.expected_calm(patient, 5.0, repeats)[session] == pytest.approx(expected)
            chances = np.flatnonzero(world.chances.patient == patient)
            for chance in chances[:20]:
                calm = world.realised_calm(int(chance), int(session), 0)
                if world.chances.trap_draw[chance] < p.trap_probability:
                    caught += 1
                    level = world.chances.level[chance]
                    harm = world.chances.harm[chance]
                    assert calm == pytest.approx(max(-harm, level - 10))
                    assert 1.0 <= harm <= 3.0
    assert caught > 0


def test_taper_steps_raise_distress_by_1_to_3_for_2_to_5_days() -> None:
    rng = np.random.default_rng(8)
    parameters = draw_parameters(rng, Heterogeneity.MEDIUM)
    bumps = taper_bumps(rng, parameters, np.zeros(400, dtype=int), 60)
    tapering = bumps.any(axis=1)
    assert 0.4 <= tapering.mean() <= 0.6  # half the patients taper
    for row in bumps[tapering]:
        raised = np.flatnonzero(row)
        assert np.all((row[raised] >= 1.0) & (row[raised] <= 3.0))  # steps never overlap
        runs = np.split(raised, np.flatnonzero(np.diff(raised) > 1) + 1)
        for run in runs[:-1]:  # the last one may run past the end of the simulation
            assert 2 <= run.size <= 5
            assert np.all(row[run] == row[run[0]])
        starts = [run[0] for run in runs]
        assert all(7 <= b - a <= 14 for a, b in pairwise(starts))


def test_the_catalog_carries_malformed_entries_and_unique_ids(worlds: list[World]) -> None:
    for world in worlds:
        sessions = world.catalog.sessions
        assert [s.session_id for s in sessions] == list(range(1, len(sessions) + 1))
        assert any(s.kind not in KNOWN_KINDS for s in sessions)
        assert any(s.minutes == 0 for s in sessions)
        assert any(s.guidance == "" for s in sessions)
        assert world.catalog.malformed.sum() == 4


def test_the_same_seed_builds_the_same_clinic_and_another_seed_another() -> None:
    first = build_world(3, 30, 14, Heterogeneity.HIGH)
    again = build_world(3, 30, 14, Heterogeneity.HIGH)
    other = build_world(4, 30, 14, Heterogeneity.HIGH)
    assert first.catalog.sessions == again.catalog.sessions
    for name in ("patient", "level", "anxiety", "follows", "rated", "after_noise"):
        np.testing.assert_array_equal(getattr(first.chances, name), getattr(again.chances, name))
    np.testing.assert_array_equal(first.cohort.base, again.cohort.base)
    assert first.catalog.sessions != other.catalog.sessions


def test_without_heterogeneity_patients_do_not_differ() -> None:
    world = build_world(2, 20, 14, Heterogeneity.NONE)
    base = world.cohort.base
    np.testing.assert_allclose(base, np.broadcast_to(base[0], base.shape))
